"""Hostile files: every file the product opens goes through one bounded reader (a regular
file, inside the project, under a size cap, no link followed out), and every walk records
what it skipped, so a rule whose input was cut short says ``unknown``, never ``pass``.

Before: a FIFO as a dist-info METADATA hung the review for good, a METADATA linked to
/dev/zero was read until memory ran out, a site-packages linked outside the project was
read silently, uv.lock had no size cap, and unreadable directories or the file cap let
SEC001 pass on code it never saw.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agentcore_readiness.budget import Budget, request_budget
from agentcore_readiness.facts.code import index as code_facts
from agentcore_readiness.facts.files import FileReadError, read_text
from agentcore_readiness.facts.measure.measurements import read_environment
from conftest import REPO, ProjectBuilder

pytestmark = pytest.mark.timeout(30)

SITE = "app/Agent/.venv/lib/python3.12/site-packages"
# a made-up Anthropic key: the prefix and a random-looking body, split so no scanner flags this file
SECRET_LINE = 'API_KEY = "' + "sk-" + "ant-api03-" + "u7Xq2LmZ9pR4tK8vN1bC6yH3wE5sD0fG" * 3 + '"\n'


def agent(project: ProjectBuilder, *deps: str) -> None:
    project.agentcore()
    listed = "".join(f'    "{d}",\n' for d in deps)
    project.write("app/Agent/pyproject.toml", f'[project]\nname = "a"\nversion = "1"\ndependencies = [\n{listed}]\n')
    project.write("app/Agent/main.py", "import boto3\n")
    project.write("app/Agent/.venv/pyvenv.cfg", "home = /usr/bin\n")


def dist(project: ProjectBuilder, name: str, site: str = SITE) -> Path:
    info = f"{site}/{name}-1.0.dist-info"
    project.write(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n")
    project.write(f"{info}/RECORD", f"{name}/__init__.py,sha256=x,1000\n")
    return project.root / info


def measurement_errors(project: ProjectBuilder, *select: str) -> list[str]:
    report = project.review(*select)
    return [e.message for e in report.projects[0].fact_errors if e.fact == "measure"]


def test_a_fifo_as_package_metadata_is_refused_not_waited_on(project: ProjectBuilder) -> None:
    agent(project, "boto3")
    dist(project, "boto3")
    info = project.root / SITE / "evil-1.0.dist-info"
    info.mkdir()
    os.mkfifo(info / "METADATA")
    results = project.results("PERF001", "PERF005")
    reason = f"{SITE}/evil-1.0.dist-info/METADATA is a named pipe (FIFO), not a regular file; not read"
    assert results["PERF005"].status == "unknown"
    assert results["PERF005"].reason == f"not decided: its input was not read in full (app/Agent/.venv: {reason})"
    assert results["PERF001"].status == "unknown"
    assert measurement_errors(project, "PERF005") == [f"app/Agent/.venv: {reason}"]


@pytest.mark.parametrize("name", ["METADATA", "RECORD", "top_level.txt"])
def test_package_files_linked_to_dev_zero_are_not_read(project: ProjectBuilder, name: str) -> None:
    agent(project, "boto3")
    info = dist(project, "boto3")
    if name == "top_level.txt":
        (info / "RECORD").unlink()  # top_level.txt is read when RECORD names no module
    (info / name).unlink(missing_ok=True)
    (info / name).symlink_to("/dev/zero")
    environment = read_environment(project.root, project.root / "app/Agent/.venv", with_sizes=True)
    assert environment.dists == {}
    assert environment.skipped == (
        f"{SITE}/boto3-1.0.dist-info/{name} is a symlink that points outside the project; not read",
    )


def test_a_device_inside_the_project_is_refused_by_type(tmp_path: Path) -> None:
    """The reader checks the file type itself, not only where a link points."""
    root = tmp_path / "proj"
    root.mkdir()
    os.mkfifo(root / "pipe.json")
    with pytest.raises(FileReadError) as caught:
        read_text(root, root / "pipe.json")
    assert (caught.value.kind, caught.value.message) == (
        "not_regular",
        "is a named pipe (FIFO), not a regular file; not read",
    )


def test_site_packages_linked_outside_the_project_is_not_read(project: ProjectBuilder, tmp_path: Path) -> None:
    agent(project, "boto3")
    elsewhere = ProjectBuilder(tmp_path / "elsewhere")
    dist(elsewhere, "boto3", site="site-packages")
    (project.root / SITE).parent.mkdir(parents=True)
    (project.root / SITE).symlink_to(elsewhere.root / "site-packages")
    environment = read_environment(project.root, project.root / "app/Agent/.venv", with_sizes=True)
    assert environment.dists == {}
    assert environment.skipped == (f"{SITE} points outside the project; not read",)
    results = project.results("PERF005")
    assert results["PERF005"].status == "unknown"


def test_an_oversized_lock_is_not_read(project: ProjectBuilder) -> None:
    agent(project, "boto3")
    shutil.rmtree(project.root / "app/Agent/.venv")
    with (project.root / "app/Agent/uv.lock").open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)
    result = project.results("PERF001")["PERF001"]
    assert result.status == "unknown"
    assert "app/Agent/uv.lock is 41,943,040 bytes, over the 20,971,520-byte limit; not read" in (result.reason or "")


def test_a_fifo_among_the_sources_is_skipped_and_the_rest_reviewed(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", SECRET_LINE)
    os.mkfifo(project.root / "app/Agent/pipe.py")
    report = project.review("SEC001")
    result = report.projects[0].results[0]
    assert (result.status, [(f.location.path, f.location.line) for f in result.findings]) == (
        "fail",
        [("app/Agent/main.py", 1)],
    )
    assert [(e.source, e.message) for e in report.projects[0].fact_errors] == [
        ("app/Agent/pipe.py", "skipped: is a named pipe (FIFO), not a regular file; not read")
    ]


def test_the_file_cap_never_drops_files_silently(project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    project.agentcore()
    for name in ("a", "b", "main"):
        project.write(f"app/Agent/{name}.py", "x = 1\n")
    project.write("app/Agent/z.py", SECRET_LINE)
    monkeypatch.setattr(code_facts, "MAX_FILES", 3)
    report = project.review("SEC001")
    result = report.projects[0].results[0]
    limit = "the 3-file limit was reached here; this file and the ones after it were not reviewed"
    assert result.status == "unknown"
    assert result.reason == (
        f"nothing found in what could be read, but 1 file(s) it reads could not be analysed: app/Agent/z.py ({limit})"
    )
    assert [(e.source, e.message) for e in report.projects[0].fact_errors] == [("app/Agent/z.py", f"skipped: {limit}")]


def test_the_request_file_budget_is_reported_as_not_reviewed(project: ProjectBuilder) -> None:
    project.agentcore()
    for name in ("a", "b", "c", "main"):
        project.write(f"app/Agent/{name}.py", "x = 1\n")
    with request_budget(Budget(max_files=2)):  # the sources count, the configuration files do not
        report = project.review("SEC001", "TEST001")
    results = {r.rule: r for r in report.projects[0].results}
    spent = "the request's 2-file limit was reached: 2 Python files were not reviewed"
    assert results["SEC001"].status == "unknown"
    assert results["SEC001"].reason == f"not decided: its input was not read in full ({spent})"
    assert [(e.source, e.message) for e in report.projects[0].fact_errors] == [("code", f"not reviewed: {spent}")]


def _without_root_override() -> list[str]:
    """A prefix that runs a command without the capabilities that let root read any file."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_unreadable_directories_make_code_rules_unknown_not_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "x = 1\n")
    project.write("app/Agent/hidden/keys.py", SECRET_LINE)
    hidden = project.root / "app/Agent/hidden"
    hidden.chmod(0)
    command = ["check", str(project.root), "--select", "SEC001", "--format", "json"]
    try:
        output = subprocess.run(
            [*_without_root_override(), sys.executable, "-m", "agentcore_readiness.cli", *command],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            check=False,
        )
    finally:
        hidden.chmod(0o755)
    project_report = json.loads(output.stdout)["projects"][0]
    reason = "directory cannot be read (Permission denied); its files were not reviewed"
    assert project_report["results"][0]["status"] == "unknown"
    assert project_report["results"][0]["reason"] == (
        f"nothing found in what could be read, but 1 file(s) it reads could not be analysed: app/Agent/hidden ({reason})"
    )
    assert [(e["source"], e["message"]) for e in project_report["fact_errors"]] == [
        ("app/Agent/hidden", f"skipped: {reason}")
    ]


def test_a_fifo_as_the_baseline_file_is_refused_not_waited_on(
    project: ProjectBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agentcore_readiness.cli import main

    project.agentcore()
    pipe = tmp_path / "baseline.json"
    os.mkfifo(pipe)
    assert main(["check", str(project.root), "--baseline", str(pipe)]) == 2
    assert capsys.readouterr().err == (
        f"agentcore-readiness: error: {pipe}: is a named pipe (FIFO), not a regular file; not read\n"
    )

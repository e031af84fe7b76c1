"""Paths written on someone else's machine: ``source_path`` and ``entrypoint`` in a starter-toolkit
YAML as absolute macOS, Windows and Linux paths (tests/fixtures/weather_toolkit), mapped into the
checkout by their longest tail that exists here; a path with no tail here is said once, and the
rules that needed that runtime's code say ``unknown`` rather than ``pass``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.facts.project.project_facts import load_project, map_config_path
from agentcore_readiness.model import Report
from conftest import ProjectBuilder, findings_of

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "weather_toolkit"


@pytest.fixture(scope="module")
def report() -> Report:
    return review(ReviewRequest(target=str(FIXTURE), select=("CODE003", "CODE002", "SESS010")))


def test_absolute_paths_from_other_machines_map_to_this_checkout() -> None:
    runtimes = {r.name: r for r in load_project(FIXTURE).runtimes}
    assert {n: (r.code_location, r.entry_file) for n, r in runtimes.items()} == {
        "weather_bot": ("src", "src/weather/app.py"),
        "tools_server": ("tools_server", "tools_server/server.py"),
        "archived_bot": (None, None),
    }
    assert runtimes["weather_bot"].path_notes == (
        "source_path '/Users/dev/code/weather-bot/src' was written on another machine; read as src/ of this checkout",
        "entrypoint '/Users/dev/code/weather-bot/src/weather/app.py' was written on another machine; read as "
        "src/weather/app.py of this checkout",
    )


def test_a_finding_in_mapped_code_says_how_the_path_was_read(report: Report) -> None:
    result = next(r for r in report.projects[0].results if r.rule == "CODE003")
    assert findings_of(result) == [("fail", "src/weather/app.py", 16)]
    assert (result.findings[0].evidence or "").startswith(
        "source_path '/Users/dev/code/weather-bot/src' was written on another machine; read as src/ of this checkout"
    )


def test_code_not_in_the_checkout_is_an_error_once_and_makes_passing_rules_unknown(report: Report) -> None:
    project = report.projects[0]
    assert [(e.source, e.location.line, e.message) for e in project.fact_errors] == [
        (
            ".bedrock_agentcore.yaml",
            36,
            "runtime archived_bot: entrypoint '/home/ec2-user/old-prototype/agent.py' was written on another "
            "machine and no part of it is in this checkout; its code is not reviewed",
        )
    ]
    statuses = {r.rule: (r.status, r.reason) for r in project.results}
    assert statuses["CODE002"] == (
        "unknown",
        "nothing found in the code that could be read, but the code of runtime archived_bot is not in this "
        "checkout (the project's errors say why)",
    )
    assert all(
        f.location.path is None or not f.location.path.startswith("/") for r in project.results for f in r.findings
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("app/Agent/", ("app/Agent", None)),
        ("./app//Agent", ("app/Agent", None)),
        (None, (".", None)),
        ("../outside", (None, "codeLocation '../outside' points outside the project; not reviewed")),
        ("app/../../etc", (None, "codeLocation 'app/../../etc' points outside the project; not reviewed")),
        ("/Users/me/proj/app/Agent", ("app/Agent", "read as app/Agent/ of this checkout")),
        ("D:\\work\\proj\\app\\Agent", ("app/Agent", "read as app/Agent/ of this checkout")),
        ("/home/ec2-user/elsewhere/x", (None, "no part of it is in this checkout")),
        ("/srv/../etc/passwd", (None, "is an absolute path with '..'; not reviewed")),
    ],
)
def test_map_config_path(project: ProjectBuilder, written: str | None, expected: tuple[str | None, str | None]) -> None:
    project.write("app/Agent/main.py", "")
    mapped = map_config_path(project.root, written, "codeLocation")
    assert mapped.rel == expected[0]
    if expected[1] is None:
        assert mapped.note is None
    else:
        assert mapped.note is not None and expected[1] in mapped.note


def test_the_project_folders_own_name_anchors_the_mapping(project: ProjectBuilder) -> None:
    # /x/<project folder>/src exists here as src; a longer tail elsewhere must not win over it
    project.write("src/main.py", "")
    written = f"/home/ci/{project.root.name}/src"
    assert map_config_path(project.root, written, "source_path").rel == "src"
    assert map_config_path(project.root, f"/home/ci/{project.root.name}", "source_path").rel == "."


def test_a_source_path_with_no_tail_here_follows_the_entrypoint_written_under_it(project: ProjectBuilder) -> None:
    project.write(
        ".bedrock_agentcore.yaml",
        "default_agent: stocks\nagents:\n  stocks:\n    name: stocks\n"
        "    entrypoint: C:/projects/stock-agent/app/main.py\n"
        "    source_path: C:\\projects\\stock-agent\n",
    )
    project.write("app/main.py", "print('stocks')\n")
    (runtime,) = load_project(project.root).runtimes
    assert (runtime.code_location, runtime.entry_file) == (".", "app/main.py")
    assert runtime.path_notes[0] == (
        "source_path 'C:\\projects\\stock-agent' was written on another machine; read as the project root (the "
        "folder that holds the entrypoint as it did there)"
    )

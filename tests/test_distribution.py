"""The package as users get it: a wheel and an sdist that pass `twine check`, installed into a fresh
virtualenv where `agentcore-readiness check` reviews the example and `serve` answers `initialize` over
stdio; `python -m agentcore_readiness`; the GitHub Action and the pre-commit hooks.

Offline: the wheel is built with hatchling from this environment, installed with `--no-deps`, and
the fresh virtualenv finds the dependencies through a .pth file naming this environment's
site-packages (never this checkout's sources)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from agentcore_readiness import REPOSITORY_URL, __version__

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "support-desk"


def _run(*argv: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{argv}: {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "hatchling", "build", "-d", out)
    return out


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("venv") / "fresh"
    _run(sys.executable, "-m", "venv", "--without-pip", root)
    bindir = root / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    [wheel] = dist.glob("*.whl")
    uv = shutil.which("uv")
    if uv is not None:
        _run(uv, "pip", "install", "--offline", "--no-deps", "--python", python, wheel, env=_clean_env())
    else:
        _run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", site, wheel)
    yield bindir


def test_wheel_and_sdist_pass_twine_check_with_complete_metadata(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    [sdist] = dist.glob("*.tar.gz")
    assert wheel.name == f"agentcore_readiness-{__version__}-py3-none-any.whl"
    output = _run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist)
    assert output.count("PASSED") == 2
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"agentcore_readiness-{__version__}.dist-info/METADATA").decode()
    assert "agentcore_readiness/py.typed" in names and "agentcore_readiness/prompts/debug_jwt_403.md" in names
    assert not any(name.startswith("tests/") for name in names)
    for field in ("License-Expression: Apache-2.0", "Requires-Python: >=3.11", "Keywords: agentcore,"):
        assert field in metadata
    assert f"Project-URL: Repository, {REPOSITORY_URL}" in metadata
    assert f"Project-URL: Issues, {REPOSITORY_URL}/issues" in metadata
    assert "Classifier: Programming Language :: Python :: 3.11" in metadata
    assert "Description-Content-Type: text/markdown" in metadata
    with tarfile.open(sdist) as archive:
        members = set(archive.getnames())
    prefix = f"agentcore_readiness-{__version__}/"
    for required in (
        "pyproject.toml",
        "README.md",
        "docs/rules/AUTH003.md",
        "action.yml",
        "examples/support-desk/agentcore/agentcore.json",
    ):
        assert prefix + required in members, required


def test_the_repository_url_is_the_packages_project_url() -> None:
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Repository"] == urls["Homepage"] == REPOSITORY_URL


def test_installed_wheel_reviews_the_example_from_a_fresh_virtualenv(venv: Path, tmp_path: Path) -> None:
    python = venv / "python"
    where = _run(python, "-c", "import agentcore_readiness; print(agentcore_readiness.__file__)", cwd=tmp_path)
    assert where.startswith(str(venv.parent)), where
    env = _clean_env()
    done = subprocess.run(
        [str(venv / "agentcore-readiness"), "check", str(EXAMPLE), "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # the example has high-severity findings
    report = json.loads(done.stdout)
    statuses = {r["rule"]: r["status"] for r in report["projects"][0]["results"]}
    assert (statuses["AUTH003"], statuses["SESS001"]) == ("fail", "fail")
    version = _run(python, "-m", "agentcore_readiness", "--version", cwd=tmp_path, env=env)
    assert version.strip() == f"agentcore-readiness {__version__}"
    sarif = _run(python, "-m", "agentcore_readiness", "explain", "AUTH003", cwd=tmp_path, env=env)
    assert sarif.startswith("AUTH003 gateway-auth-none (critical; inputs P, A)")


@pytest.mark.anyio
async def test_installed_server_answers_initialize_over_stdio(venv: Path, tmp_path: Path) -> None:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    server = StdioServerParameters(
        command=str(venv / "agentcore-readiness"), args=["serve"], cwd=str(tmp_path), env=_clean_env()
    )
    async with Client(server) as client:  # type: ignore[arg-type]
        info = client.server_info
        tools = {t.name for t in (await client.list_tools()).tools}
    assert info is not None and info.name == "agentcore-readiness"
    assert {"review_project", "check_auth", "explain_rule"} <= tools


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_python_dash_m_runs_the_command_line() -> None:
    output = _run(sys.executable, "-m", "agentcore_readiness", "rules")
    assert output.splitlines()[0].startswith("CLI001   medium")


def test_github_action_installs_checks_and_uploads_sarif() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert "pip install" in steps[1]["run"] and "ACTION_PATH" in steps[1]["run"]
    check = steps[2]["run"]
    assert 'agentcore-readiness check "${paths[@]}" --format sarif -o "$SARIF" --fail-on "$FAIL_ON"' in check
    assert "--format github" in check
    assert steps[3]["uses"].startswith("github/codeql-action/upload-sarif@")
    assert steps[3]["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert steps[4]["run"] == 'exit "${CODE:-0}"'
    assert set(action["inputs"]) >= {"paths", "fail-on", "baseline", "args", "sarif-file", "upload", "package"}


def test_pre_commit_hooks_run_the_installed_command() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["agentcore-readiness"]["entry"] == "agentcore-readiness check"
    assert hooks["agentcore-readiness"]["language"] == "python"
    assert hooks["agentcore-readiness"]["pass_filenames"] is False
    assert hooks["agentcore-readiness-fix"]["entry"] == "agentcore-readiness fix"
    import re

    pattern = re.compile(hooks["agentcore-readiness"]["files"])
    for path in ("agentcore/agentcore.json", "app/Agent/main.py", ".bedrock_agentcore.yaml", "app/Agent/Dockerfile"):
        assert pattern.search(path), path
    assert not pattern.search("README.md")

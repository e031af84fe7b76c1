"""Import timing (PERF007) runs the reviewed project's code, so: off on a server unless its
operator enables it (a client's ``measure_imports=true`` alone does nothing), the child gets a
minimal environment with no credentials, only an interpreter inside the project runs it, and
what it says comes back masked.

Before: the child inherited the server's environment (AWS keys, tokens) and its exception
text came back unmasked, any client could switch the measurement on, and a code location or
virtualenv outside the project ran an interpreter from there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mcp import Client

from agentcore_readiness.engine import IMPORTS_REFUSED
from agentcore_readiness.facts.measure.measurements import measure_import
from agentcore_readiness.facts.project.project_facts import load_project
from agentcore_readiness.server.app import build_server
from agentcore_readiness.settings import Settings
from conftest import ProjectBuilder, runtime

pytestmark = pytest.mark.timeout(60)
MAIN = "app/Agent/main.py"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_a_client_cannot_switch_import_timing_on(project: ProjectBuilder, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    project.agentcore()
    project.write(MAIN, f"open({str(marker)!r}, 'w').close()\n")
    async with Client(build_server(Settings(roots=(str(project.root),)))) as client:
        result = await client.call_tool(
            "audit_cold_start", {"path": str(project.root), "measure_imports": True, "detail": "full"}
        )
    assert result.structured_content is not None
    [perf007] = [r for r in result.structured_content["projects"][0]["results"] if r["rule"] == "PERF007"]
    assert (perf007["status"], perf007["reason"]) == ("skipped", IMPORTS_REFUSED)
    assert not marker.exists()


@pytest.mark.anyio
async def test_an_operator_can_switch_it_on(project: ProjectBuilder, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    project.agentcore()
    project.write(MAIN, f"open({str(marker)!r}, 'w').close()\n")
    async with Client(build_server(Settings(roots=(str(project.root),), allow_measure_imports=True))) as client:
        result = await client.call_tool(
            "audit_cold_start", {"path": str(project.root), "measure_imports": True, "detail": "full"}
        )
    assert result.structured_content is not None
    [perf007] = [r for r in result.structured_content["projects"][0]["results"] if r["rule"] == "PERF007"]
    assert perf007["status"] == "pass"
    assert marker.exists()


def test_the_child_sees_no_credentials_of_the_server(project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLETOKENVALUE")
    monkeypatch.setenv("GITHUB_TOKEN", "plain-token-value-1234")
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    project.agentcore()
    project.write(
        MAIN,
        """
        import os
        names = sorted(os.environ)
        raise RuntimeError(" ".join(names) + " home=" + os.environ["HOME"])
        """,
    )
    timing = measure_import(project.root, load_project(project.root).runtimes[0], timeout=20)
    assert timing.status == "failed"
    detail, _, home = timing.detail.partition(" home=")
    assert detail == (
        "the import raised RuntimeError: AWS_CONFIG_FILE AWS_EC2_METADATA_DISABLED AWS_SHARED_CREDENTIALS_FILE HOME "
        "LANG LC_ALL NO_PROXY PATH PYTHONDONTWRITEBYTECODE PYTHONIOENCODING TMPDIR"
    )
    assert home != os.environ.get("HOME") and "agentcore-readiness-import-" in home
    assert not Path(home).exists()  # the empty home is removed afterwards


def test_what_the_child_says_is_masked(project: ProjectBuilder) -> None:
    key = "sk-" + "ant-api03-" + "u7Xq2LmZ9pR4tK8vN1bC6yH3wE5sD0fG" * 2
    project.agentcore()
    project.write(MAIN, f"raise RuntimeError('leaked ' + {key!r})\n")
    timing = measure_import(project.root, load_project(project.root).runtimes[0], timeout=20)
    assert timing.detail == f"the import raised RuntimeError: leaked sk-a…({len(key)} chars)"


def test_a_code_location_outside_the_project_is_not_run(project: ProjectBuilder, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    project.agentcore(runtimes=[runtime(codeLocation="../outside/")])
    timing = measure_import(project.root, load_project(project.root).runtimes[0], timeout=20)
    assert timing.status == "not_measurable"
    assert not marker.exists()


def test_a_virtualenv_linked_outside_the_project_is_not_used(project: ProjectBuilder, tmp_path: Path) -> None:
    marker = tmp_path / "outside-python-ran"
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    fake_python = venv / "bin" / "python"
    fake_python.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake_python.chmod(0o755)
    project.agentcore()
    project.write(MAIN, "VALUE = 1\n")
    (project.root / "app/Agent/.venv").symlink_to(venv)
    timing = measure_import(project.root, load_project(project.root).runtimes[0], timeout=20)
    assert timing.status == "ok"
    assert timing.interpreter == "this tool's own Python (no .venv found: the agent's dependencies may be missing)"
    assert not marker.exists()

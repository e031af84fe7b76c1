"""PERF007: the entrypoint is imported in a separate process group with a hard timeout. An import
that sleeps forever, exits the process, raises, or leaves processes behind is reported, never hangs
the caller, and leaves nothing running; the MCP server keeps answering."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from mcp import Client

from agentcore_readiness.checks.performance.import_duration import slow_import
from agentcore_readiness.checks.registry import Facts, Findings, ReviewOptions, load_rules
from agentcore_readiness.facts.measure.measurements import ImportTiming, MeasuredFacts, measure_import
from agentcore_readiness.facts.project.project_facts import load_project
from agentcore_readiness.server.app import build_server
from agentcore_readiness.settings import Settings
from agentcore_readiness.tools.cold_start import run_audit_cold_start
from conftest import ProjectBuilder, stdio_server

CONFIG = "agentcore/agentcore.json"
MAIN = "app/Agent/main.py"
REPO = Path(__file__).resolve().parents[2]


def entry_line(builder: ProjectBuilder) -> int:
    lines = (builder.root / CONFIG).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if '"entrypoint"' in text)


def perf007(builder: ProjectBuilder, timeout: float = 20.0) -> tuple[object, float]:
    started = time.monotonic()
    results = builder.results("PERF007", options=ReviewOptions(measure_imports=True, import_timeout=timeout))
    return results["PERF007"], time.monotonic() - started


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); it is dead for our purpose
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return True


def test_not_requested_is_skipped_and_nothing_runs(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, "raise SystemExit('must not run')\n")
    result = project.results("PERF007")["PERF007"]
    assert result.status == "skipped"
    assert "pass --measure-imports" in (result.reason or "")


def test_a_quick_import_passes_with_its_time_and_writes_no_bytecode(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, "import json\nfrom helpers import VALUE\nprint('noise on stdout')\n")
    project.write("app/Agent/helpers.py", "VALUE = 1\n")
    result, _ = perf007(project)
    assert result.status == "pass"  # type: ignore[attr-defined]
    assert result.reason.startswith("Agent: main imports in ")  # type: ignore[attr-defined]
    assert not (project.root / "app/Agent/__pycache__").exists()


def test_an_import_that_never_finishes_is_killed_at_the_timeout(project: ProjectBuilder, tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    project.agentcore()
    project.write(
        MAIN,
        f"""
        import subprocess, time
        child = subprocess.Popen(["sleep", "300"])
        open({str(pid_file)!r}, "w").write(str(child.pid))
        while True:
            time.sleep(1)
        """,
    )
    result, elapsed = perf007(project, timeout=2)
    assert elapsed < 10
    assert result.status == "warn"  # type: ignore[attr-defined]
    [finding] = result.findings  # type: ignore[attr-defined]
    assert (finding.level, finding.location.path, finding.location.line) == ("warn", CONFIG, entry_line(project))
    assert "did not finish importing within 2 s; the process group was killed" in finding.message
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


def test_processes_left_by_a_finished_import_are_killed(project: ProjectBuilder, tmp_path: Path) -> None:
    pid_file = tmp_path / "left.pid"
    project.agentcore()
    project.write(
        MAIN,
        f"""
        import subprocess
        child = subprocess.Popen(["sleep", "300"])
        open({str(pid_file)!r}, "w").write(str(child.pid))
        """,
    )
    result, _ = perf007(project)
    assert result.status == "pass"  # type: ignore[attr-defined]
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import os\nos._exit(3)\n", "the process exited during the import (exit code 3) before it finished"),
        ("import sys\nsys.exit(0)\n", "the import called sys.exit(0) before it finished"),
    ],
)
def test_an_import_that_exits_the_process_is_reported(project: ProjectBuilder, code: str, expected: str) -> None:
    project.agentcore()
    project.write(MAIN, code)
    result, _ = perf007(project)
    assert result.status == "warn"  # type: ignore[attr-defined]
    [finding] = result.findings  # type: ignore[attr-defined]
    assert (finding.location.path, finding.location.line) == (CONFIG, entry_line(project))
    assert expected in finding.message


def test_an_import_error_is_unknown_with_the_reason(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, "import package_that_is_not_installed_anywhere\n")
    result, _ = perf007(project)
    assert result.status == "unknown"  # type: ignore[attr-defined]
    assert (
        "the import raised ModuleNotFoundError: No module named 'package_that_is_not_installed_anywhere'"
        in result.reason  # type: ignore[attr-defined]
    )


def test_the_project_virtualenv_interpreter_is_used(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, "x = 1\n")
    venv_python = project.root / "app/Agent/.venv/bin/python"
    venv_python.parent.mkdir(parents=True)
    venv_python.symlink_to(sys.executable)
    timing = measure_import(project.root, load_project(project.root).runtimes[0], timeout=20)
    assert timing.status == "ok"
    assert timing.interpreter == "app/Agent/.venv/bin/python"


def test_a_slow_import_warns(project: ProjectBuilder) -> None:
    project.agentcore()
    facts = Facts(
        project=load_project(project.root),
        now=None,  # type: ignore[arg-type]
        options=ReviewOptions(measure_imports=True),
        measured_facts=MeasuredFacts(
            imports={"Agent": ImportTiming("Agent", "main", "ok", 7.25, "imported", "app/Agent/.venv/bin/python")}
        ),
    )
    out = Findings(load_rules()["PERF007"].meta)
    assert slow_import(facts, out) is None
    assert [(f.level, f.location.line, f.message) for f in out.items] == [
        (
            "warn",
            entry_line(project),
            "importing Agent's entrypoint main took 7.2 s (over 5 s) (with app/Agent/.venv/bin/python)",
        )
    ]


def test_a_non_python_entrypoint_is_not_measurable(project: ProjectBuilder) -> None:
    from conftest import runtime

    project.agentcore(runtimes=[runtime(entrypoint="main.ts")])
    timing = measure_import(project.root, load_project(project.root).runtimes[0])
    assert (timing.status, timing.detail) == ("not_measurable", "entrypoint 'main.ts' is not a Python file")


# --- the MCP server keeps answering ------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["memory", "stdio"])
async def test_server_answers_after_an_entrypoint_that_sleeps_forever(project: ProjectBuilder, kind: str) -> None:
    project.agentcore()
    project.write(MAIN, "import time\nwhile True:\n    time.sleep(1)\n")
    target = (
        build_server(Settings(roots=(str(project.root),), allow_measure_imports=True))
        if kind == "memory"
        else stdio_server(project.root, extra=("--allow-measure-imports",))
    )
    started = time.monotonic()
    async with Client(target) as client:  # type: ignore[arg-type]
        result = await client.call_tool(
            "audit_cold_start",
            {"path": str(project.root), "measure_imports": True, "import_timeout_seconds": 2, "detail": "full"},
        )
        assert result.is_error is False
        assert result.structured_content is not None
        [perf007_result] = [r for r in result.structured_content["projects"][0]["results"] if r["rule"] == "PERF007"]
        assert perf007_result["status"] == "warn"
        assert "did not finish importing within 2 s" in perf007_result["findings"][0]["message"]
        again = await client.call_tool("list_rules", {"family": "PERF"})
        assert again.is_error is False
    assert time.monotonic() - started < 30


def test_audit_cold_start_rejects_a_silly_timeout(project: ProjectBuilder) -> None:
    from agentcore_readiness.engine import InputError

    project.agentcore()
    with pytest.raises(InputError, match="import_timeout_seconds must be between 1 and 300"):
        run_audit_cold_start(str(project.root), True, 0)


def test_the_cli_flag_turns_the_measurement_on(project: ProjectBuilder, tmp_path: Path) -> None:
    import json

    from agentcore_readiness.cli import main as cli_main

    project.agentcore()
    project.write(MAIN, "VALUE = 1\n")
    out = tmp_path / "report.json"
    base = ["check", str(project.root), "--select", "PERF007", "--format", "json", "-o", str(out)]
    assert cli_main(base) == 0
    assert json.loads(out.read_text())["projects"][0]["results"][0]["status"] == "skipped"
    assert cli_main([*base, "--measure-imports"]) == 0
    result = json.loads(out.read_text())["projects"][0]["results"][0]
    assert result["status"] == "pass"
    assert result["reason"].startswith("Agent: main imports in ")

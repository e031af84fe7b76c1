"""Every request runs under a budget of time, files and bytes, enforced in the engine: work
stops when it is spent or the client cancels (or hangs up), and the result says what was
not reviewed. Before, a tool call had no time limit and a client that hung up did not stop
the review it had started."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from agentcore_readiness.budget import Budget, request_budget
from agentcore_readiness.server import app
from agentcore_readiness.settings import Settings
from conftest import ProjectBuilder

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class CancelledAfterFiles(Budget):
    """A budget whose request is cancelled once ``after`` files were read (as if the
    client hung up at that point)."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def charge(self, files: int = 0, size: int = 0) -> None:
        super().charge(files, size)
        if self.files >= self.after:
            self.cancel("the request was cancelled by the client (or the client disconnected)")


def sources(project: ProjectBuilder, count: int, lines: int = 10) -> None:
    project.agentcore()
    body = "".join(f"def f{i}(payload):\n    return payload.get('k{i}')\n" for i in range(lines))
    for index in range(count):
        project.write(f"app/Agent/m{index:03}.py", body)
    project.write("app/Agent/main.py", body)  # the runtime's entrypoint


def test_a_spent_time_budget_reviews_nothing_and_says_so(project: ProjectBuilder) -> None:
    sources(project, 3)
    with request_budget(Budget(seconds=0)):
        time.sleep(0.01)
        report = project.review()
    [project_report] = report.projects
    assert project_report.results == []
    assert [(e.source, e.message, e.fact) for e in project_report.fact_errors] == [
        ("review", "not reviewed: the request's 0-second time limit was reached", "budget")
    ]


def test_a_cancelled_review_stops_and_lists_what_was_not_reviewed(project: ProjectBuilder) -> None:
    sources(project, 8)
    with request_budget(CancelledAfterFiles(after=5)):
        report = project.review("SEC001", "CODE005", "AUTH001")
    [project_report] = report.projects
    cancelled = "the request was cancelled by the client (or the client disconnected)"
    assert {r.rule: (r.status, r.reason) for r in project_report.results} == {
        "SEC001": ("unknown", f"not run: {cancelled}"),
        "CODE005": ("unknown", f"not run: {cancelled}"),
        "AUTH001": ("unknown", f"not run: {cancelled}"),
    }
    # five of the nine sources were read
    assert [(e.source, e.message) for e in project_report.fact_errors] == [
        ("code", f"not reviewed: {cancelled}: 4 Python files were not reviewed"),
        ("review", f"not reviewed: {cancelled}; rules not run or not finished: AUTH001, CODE005, SEC001"),
    ]


def test_the_cli_time_limit_must_be_positive(project: ProjectBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    from agentcore_readiness.cli import main

    project.agentcore()
    with pytest.raises(SystemExit) as exited:
        main(["check", str(project.root), "--time-limit", "0"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith("error: argument --time-limit: must be positive\n")


@pytest.mark.anyio
async def test_a_client_that_cancels_stops_the_review_in_the_server(
    project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = 120
    sources(project, total, lines=400)
    budgets: list[Budget] = []
    original = app.request_budget

    def remember(settings: Settings) -> Any:
        made = original(settings)
        budgets.append(made)
        return made

    monkeypatch.setattr(app, "request_budget", remember)
    server = app.build_server(Settings(roots=(str(project.root.parent),)))
    async with Client(server) as client:
        async with anyio.create_task_group() as group:
            group.start_soon(client.call_tool, "review_project", {"path": str(project.root), "select": ["SEC001"]})
            with anyio.fail_after(30):
                while not budgets or budgets[0].files < 10:
                    await anyio.sleep(0.01)
            group.cancel_scope.cancel()
        [limits] = budgets
        with anyio.fail_after(30):
            while True:  # the worker thread stops reading within a file or two
                seen = limits.files
                await anyio.sleep(0.3)
                if limits.files == seen:
                    break
    assert limits.spent == "the request was cancelled by the client (or the client disconnected)"
    assert limits.files < 10 + total // 2


def test_server_settings_set_the_budget_of_every_call(tmp_path: Path) -> None:
    made = app.request_budget(Settings(request_seconds=7.5, request_max_files=10, request_max_bytes=2048))
    assert (made.seconds, made.max_files, made.max_bytes, made.allow_project_code) == (7.5, 10, 2048, False)

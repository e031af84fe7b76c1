"""Log messages to the MCP client: logging/setLevel on handshake-era connections, per-request opt-in from 2026."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_types import LoggingMessageNotificationParams

from agentcore_readiness.server.client_log import messages_for
from conftest import ProjectBuilder, memory_server, runtime, stdio_server

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def broken(project: ProjectBuilder) -> ProjectBuilder:
    project.agentcore(runtimes=[runtime(name="Agent")])
    project.entrypoint()
    project.write("agentcore/.cli/deployed-state.json", "{oops")
    return project


async def _review_with_logs(
    target: Any, path: Path, *, mode: str = "legacy", set_level: str | None = None, log_level: str | None = None
) -> list[tuple[str, str]]:
    received: list[LoggingMessageNotificationParams] = []

    async def on_log(params: LoggingMessageNotificationParams) -> None:
        received.append(params)

    async with Client(target, mode=mode, logging_callback=on_log, log_level=log_level) as client:  # type: ignore[arg-type]
        if set_level is not None:
            assert (await client.set_logging_level(set_level)).model_dump(exclude_none=True) == {}  # type: ignore[arg-type]
        result = await client.call_tool("review_project", {"path": str(path)})
        assert result.is_error is False
    assert all(p.logger == "agentcore-readiness" for p in received)
    return [(p.level, str(p.data)) for p in received]


def _unreadable_state_warning(messages: list[tuple[str, str]]) -> list[str]:
    return [text for level, text in messages if level == "warning" and "deployed-state.json could not be read" in text]


@pytest.mark.parametrize("kind", ["memory", "stdio"])
async def test_handshake_client_hears_warnings_by_default_and_more_after_set_level(
    kind: str, broken: ProjectBuilder
) -> None:
    target = memory_server(broken.root) if kind == "memory" else stdio_server(broken.root)
    default = await _review_with_logs(target, broken.root)
    assert [level for level, _ in default] == ["warning"]
    assert len(_unreadable_state_warning(default)) == 1 and "not valid JSON" in default[0][1]

    target = memory_server(broken.root) if kind == "memory" else stdio_server(broken.root)
    verbose = await _review_with_logs(target, broken.root, set_level="info")
    assert [level for level, _ in verbose] == ["warning", "info"]
    assert verbose[1][1].startswith(f"{broken.root}: ") and verbose[1][1].endswith(" findings")


async def test_set_level_error_silences_warnings(broken: ProjectBuilder) -> None:
    assert await _review_with_logs(memory_server(broken.root), broken.root, set_level="error") == []


async def test_2026_client_hears_only_what_the_request_opts_into(broken: ProjectBuilder) -> None:
    assert await _review_with_logs(memory_server(broken.root), broken.root, mode="2026-07-28") == []
    opted_in = await _review_with_logs(memory_server(broken.root), broken.root, mode="2026-07-28", log_level="warning")
    assert [level for level, _ in opted_in] == ["warning"]
    assert len(_unreadable_state_warning(opted_in)) == 1
    # The request's opt-in alone decides: no connection default holds back what it asked for.
    verbose = await _review_with_logs(memory_server(broken.root), broken.root, mode="2026-07-28", log_level="info")
    assert [level for level, _ in verbose] == ["warning", "info"]


def test_crashed_rules_and_summaries_become_messages(broken: ProjectBuilder) -> None:
    from agentcore_readiness.model import RuleResult

    report = broken.review()
    project = report.projects[0]
    crashed = project.model_copy(
        update={"results": [*project.results, RuleResult(rule="AUTH001", status="error", reason="boom")]}
    )
    messages = messages_for(report.model_copy(update={"projects": [crashed]}))
    levels = [level for level, _ in messages]
    assert levels == ["warning", "error", "info"]
    assert messages[1][1].endswith("rule AUTH001 crashed: boom")
    assert messages_for("not a report") == []

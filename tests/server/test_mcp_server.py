"""The MCP surface through the SDK's own client: in memory, over a stdio subprocess and over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from agentcore_readiness.cli import main as cli_main
from agentcore_readiness.server.app import build_server
from conftest import stdio_server

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = str(REPO / "examples" / "support-desk")
EXPECTED_TOOLS = {"review_project", "check_auth", "render_checklist", "list_rules", "explain_rule"}

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def http_server() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "agentcore_readiness.cli", "serve", "--transport", "http", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "server exited") from None
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(timeout=10)


@asynccontextmanager
async def connect(kind: str, url: str | None = None, mode: str = "auto") -> AsyncIterator[Client]:
    target: Any = {"memory": build_server(), "stdio": stdio_server(), "http": url}[kind]
    async with Client(target, mode=mode) as client:  # type: ignore[arg-type]
        yield client


def _cli_statuses(path: str) -> dict[str, tuple[str, list[tuple[str | None, int | None]]]]:
    from agentcore_readiness.tools.review import run_review

    report = run_review(path)
    return {
        r.rule: (r.status, [(f.location.path, f.location.line) for f in r.findings]) for r in report.projects[0].results
    }


def _statuses(structured: dict[str, Any]) -> dict[str, tuple[str, list[tuple[str | None, int | None]]]]:
    results = structured["projects"][0]["results"]
    return {
        r["rule"]: (
            r["status"],
            [(f["location"].get("path"), f["location"].get("line")) for f in r.get("findings", [])],
        )
        for r in results
    }


@pytest.mark.parametrize("kind", ["memory", "stdio", "http"])
async def test_tools_are_listed_with_output_schemas_and_read_only_hints(kind: str, http_server: str) -> None:
    async with connect(kind, http_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) >= EXPECTED_TOOLS
    for name in EXPECTED_TOOLS:
        assert tools[name].output_schema is not None, name
        assert tools[name].annotations is not None and tools[name].annotations.read_only_hint is True, name
        assert tools[name].annotations.destructive_hint is False


@pytest.mark.parametrize("kind", ["memory", "stdio", "http"])
async def test_review_project_returns_the_same_findings_as_the_cli(kind: str, http_server: str) -> None:
    async with connect(kind, http_server) as client:
        result = await client.call_tool("review_project", {"path": EXAMPLE, "detail": "full"})
    assert result.is_error is False
    assert result.structured_content is not None
    assert _statuses(result.structured_content) == _cli_statuses(EXAMPLE)


@pytest.mark.parametrize("kind", ["memory", "stdio", "http"])
async def test_render_checklist_matches_the_cli_markdown(kind: str, http_server: str, capsys) -> None:  # type: ignore[no-untyped-def]
    async with connect(kind, http_server) as client:
        result = await client.call_tool("render_checklist", {"path": EXAMPLE, "detail": "full"})
    assert result.structured_content is not None
    assert "markdown" not in result.structured_content  # the markdown is the text block, not sent twice
    assert [c["agent"] for c in result.structured_content["checklists"]] == ["SupportDesk"]
    markdown = result.content[0].text  # type: ignore[union-attr]
    assert markdown.startswith("# Production readiness of SupportDesk\n")
    cli_main(["check", EXAMPLE])
    assert markdown in capsys.readouterr().out


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_both_protocol_modes_over_http(mode: str, http_server: str) -> None:
    async with connect("http", http_server, mode=mode) as client:
        result = await client.call_tool("explain_rule", {"code": "AUTH003"})
    assert result.structured_content is not None
    assert result.structured_content["code"] == "AUTH003"
    assert "doc" not in result.structured_content  # the documentation is the text block
    assert "### Why is this bad?" in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_both_protocol_modes_over_stdio(mode: str) -> None:
    async with connect("stdio", mode=mode) as client:
        result = await client.call_tool("check_auth", {"path": EXAMPLE, "detail": "full"})
    assert result.structured_content is not None
    statuses = _statuses(result.structured_content)
    assert sorted(statuses) == ["AUTH001", "AUTH002", "AUTH003", "AUTH004", "AUTH005", "AUTH006"]
    assert statuses["AUTH003"][0] == "fail"


async def test_bad_path_is_a_tool_error_not_a_crash() -> None:
    async with connect("memory") as client:
        missing = str(REPO / "definitely" / "not" / "here")
        result = await client.call_tool("review_project", {"path": missing})
        assert result.is_error is True
        assert result.content[0].text.endswith(f"{missing}: no such file or directory")  # type: ignore[union-attr]
        again = await client.call_tool("list_rules", {})
    assert again.is_error is False


async def test_unknown_rule_and_workload_are_tool_errors() -> None:
    async with connect("memory") as client:
        unknown = await client.call_tool("explain_rule", {"code": "ZZZ1"})
        workload = await client.call_tool("review_project", {"path": EXAMPLE, "workload": "nightly"})
    assert unknown.is_error and "unknown rule code 'ZZZ1'" in unknown.content[0].text  # type: ignore[union-attr]
    assert workload.is_error and "unknown workload 'nightly'" in workload.content[0].text  # type: ignore[union-attr]


async def test_list_rules_filters_by_family() -> None:
    async with connect("memory") as client:
        result = await client.call_tool("list_rules", {"family": "AUTH"})
    assert result.structured_content is not None
    codes = [r["code"] for r in result.structured_content["rules"]]
    assert codes[:5] == ["AUTH001", "AUTH002", "AUTH003", "AUTH004", "AUTH005"]
    assert all(c.startswith("AUTH") for c in codes)
    assert json.dumps(result.structured_content)

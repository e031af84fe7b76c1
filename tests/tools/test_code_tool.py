"""The audit_code MCP tool through the SDK's own client, and the same rules in the CLI and
the checklist."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from agentcore_readiness.checks.registry import load_rules
from agentcore_readiness.cli import main as cli_main
from agentcore_readiness.tools.code import audit_rules
from conftest import ProjectBuilder, memory_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


MAIN = """
import requests
from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()


@app.entrypoint
def invoke(payload, context):
    return requests.get("https://api.weather.example.com/today", timeout=5).json()
"""


def _statuses(report: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {r["rule"]: r["status"] for r in report["projects"][0]["results"]}


async def test_audit_code_runs_every_code_rule_and_only_those(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", MAIN)
    project.write("app/Agent/bad.py", "def broken(:\n")
    async with Client(memory_server(project.root)) as client:
        result = await client.call_tool("audit_code", {"path": str(project.root), "detail": "full"})
    assert result.is_error is False
    report = result.structured_content
    assert report is not None
    statuses = _statuses(report)
    assert sorted(statuses) == sorted(code for code, rule in load_rules().items() if rule.reads)
    assert statuses["CODE001"] == "fail"
    assert statuses["GW001"] == "warn"
    assert statuses["TEST001"] == "warn"
    errors = [(e["source"], e["message"]) for e in report["projects"][0]["fact_errors"]]
    assert errors == [("app/Agent/bad.py", "skipped: does not parse as Python 3 (line 1: invalid syntax)")]


async def test_select_narrows_and_unknown_codes_are_tool_errors(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", MAIN)
    async with Client(memory_server(project.root)) as client:
        narrowed = await client.call_tool(
            "audit_code", {"path": str(project.root), "select": ["GW", "SEC002"], "detail": "full"}
        )
        wrong = await client.call_tool("audit_code", {"path": str(project.root), "select": ["IAM002"]})
    assert narrowed.structured_content is not None
    assert sorted(_statuses(narrowed.structured_content)) == ["GW001", "GW002", "GW003", "GW004", "GW008", "SEC002"]
    assert wrong.is_error is True
    assert "audit_code does not run IAM002: choose among IAM001, CMD006, AUTH006, CODE001" in wrong.content[0].text  # type: ignore[union-attr]


def test_cli_check_and_checklist_carry_the_code_rules(
    project: ProjectBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", MAIN)
    code = cli_main(["check", str(project.root), "--format", "json", "--select", ",".join(audit_rules())])
    out = capsys.readouterr().out
    assert code == 0  # medium findings only; the default --fail-on is high
    assert _statuses(json.loads(out))["CODE001"] == "fail"
    cli_main(["check", str(project.root), "--select", "CODE001,SEC001,SEC005"])
    markdown = capsys.readouterr().out
    assert "[ ] Error handling wraps all agent logic" in markdown
    assert "[x] No secrets hardcoded in agent code" in markdown

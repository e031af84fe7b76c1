"""The AWS review from the command line and through the MCP tools."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client

from agentcore_readiness.cli import main
from agentcore_readiness.server.app import build_server
from agentcore_readiness.settings import Settings
from aws.conftest import Account, Scenario, deployed_project
from conftest import ProjectBuilder

Use = Callable[[Account | None], None]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_check_with_aws_prints_the_aws_findings_as_json(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use, capsys: pytest.CaptureFixture[str]
) -> None:
    use_account(cli_default_account.account)
    deployed_project(project, cli_default_account)
    code = main(
        ["check", str(project.root), "--aws", "--region", "us-east-1", "--select", "IAM003,OBS003", "--format", "json"]
    )
    data = json.loads(capsys.readouterr().out)
    results = {r["rule"]: r for r in data["projects"][0]["results"]}
    assert code == 1
    assert results["IAM003"]["status"] == "fail"
    assert results["IAM003"]["findings"][0]["location"]["arn"] == cli_default_account.extra["role"]
    assert results["OBS003"]["status"] == "fail"


def test_check_rejects_a_malformed_runtime_arn(project: ProjectBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    project.agentcore()
    code = main(["check", str(project.root), "--runtime-arn", "arn:aws:s3:::bucket"])
    assert code == 2
    assert "is not an AgentCore runtime ARN" in capsys.readouterr().err


def test_check_sarif_carries_aws_locations(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use, capsys: pytest.CaptureFixture[str]
) -> None:
    use_account(cli_default_account.account)
    deployed_project(project, cli_default_account)
    main(["check", str(project.root), "--aws", "--select", "CMD001", "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["CMD001"]
    assert cli_default_account.extra["policy"] in json.dumps(results[0]["locations"])


@pytest.mark.anyio
async def test_check_shell_access_names_who_can_run_commands(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use
) -> None:
    use_account(cli_default_account.account)
    deployed_project(project, cli_default_account)
    async with Client(build_server(Settings(roots=(str(project.root),)))) as client:
        result = await client.call_tool(
            "check_shell_access", {"path": str(project.root), "aws": True, "detail": "full"}
        )
    assert not result.is_error
    data: Any = result.structured_content
    assert data["who_can_run_commands"] == "1 principal(s) can run shell commands in the runtimes: user ops."
    assert data["holders_known"] is True
    assert data["holders"] == [
        {
            "arn": "arn:aws:iam::111111111111:user/ops",
            "kind": "user",
            "name": "ops",
            "grants": [
                "customer-managed policy 'AgentCoreOperators' of ops statement 0: Allow via bedrock-agentcore:*"
            ],
            "conditional": False,
        }
    ]
    statuses = {r["rule"]: r["status"] for r in data["report"]["projects"][0]["results"]}
    assert statuses["CMD001"] == "fail" and statuses["CMD005"] == "fail"
    assert sorted(statuses) == ["CMD001", "CMD002", "CMD003", "CMD004", "CMD005", "CMD006"]


@pytest.mark.anyio
async def test_tools_that_may_reach_aws_are_open_world() -> None:
    async with Client(build_server()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    for name in ("review_project", "check_iam_scope", "check_shell_access", "check_observability"):
        assert tools[name].annotations is not None and tools[name].annotations.open_world_hint is True, name
        assert "ctx" not in tools[name].input_schema["properties"]
    assert {"aws", "region", "runtime_arns", "all_runtimes"} <= set(tools["review_project"].input_schema["properties"])

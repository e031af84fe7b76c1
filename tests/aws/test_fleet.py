"""Fleet review of 50 runtimes on moto, the API calls of a one-runtime review, and scan
progress reported to an MCP client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client

from agentcore_readiness.facts.aws.gather import gather_aws_facts
from agentcore_readiness.facts.aws.model import AwsReviewOptions
from agentcore_readiness.facts.project.project_facts import load_project
from agentcore_readiness.server.app import build_server
from agentcore_readiness.settings import Settings
from agentcore_readiness.tools.review import run_review
from aws.conftest import Account, Scenario, deployed_project
from conftest import ProjectBuilder, gateway

Use = Callable[[Account | None], None]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_one_runtime_review_makes_sixteen_api_calls(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use
) -> None:
    use_account(cli_default_account.account)
    deployed_project(
        project,
        cli_default_account,
        agentCoreGateways=[gateway("Tools", authorizerType="NONE")],
        memories=[{"name": "Memory", "eventExpiryDuration": 30, "strategies": []}],
    )
    facts, why = gather_aws_facts(load_project(project.root), AwsReviewOptions())
    assert why is None and facts is not None
    assert facts.api_calls == 16
    assert facts.api_calls_by_operation == {
        "bedrock-agentcore-control.GetAgentRuntime": 1,
        "bedrock-agentcore-control.GetGateway": 1,
        "bedrock-agentcore-control.GetMemory": 1,
        "bedrock-agentcore-control.GetResourcePolicy": 1,
        "bedrock-agentcore-control.ListGatewayTargets": 1,
        "bedrock-agentcore-control.ListOnlineEvaluationConfigs": 1,
        "cloudtrail.DescribeTrails": 1,
        "cloudwatch-logs.DescribeLogGroups": 1,
        "eventbridge.ListRules": 1,
        "iam.GetAccountAuthorizationDetails": 1,
        "iam.GetRole": 1,
        "iam.GetRolePolicy": 1,
        "iam.ListAttachedRolePolicies": 1,
        "iam.ListRolePolicies": 1,
        "sts.GetCallerIdentity": 1,
        "xray.GetTraceSegmentDestination": 1,
    }


def test_fleet_review_of_fifty_runtimes_reads_the_shared_role_once(
    project: ProjectBuilder, fleet_account: Scenario, use_account: Use
) -> None:
    use_account(fleet_account.account)
    project.agentcore(runtimes=[])
    facts, _ = gather_aws_facts(load_project(project.root), AwsReviewOptions(all_runtimes=True))
    report = run_review(str(project.root), all_runtimes=True)  # every rule (timed by benchmarks/aws_fleet.py)
    assert facts is not None and len(facts.runtimes.value or ()) == 50
    # The memo: one role shared by 50 runtimes is read once.
    assert facts.api_calls_by_operation["iam.GetRole"] == 1
    assert facts.api_calls_by_operation["bedrock-agentcore-control.GetAgentRuntime"] == 50
    results = {r.rule: r for r in report.projects[0].results}
    arns = sorted(ref.arn for ref in fleet_account.runtimes.values())
    assert sorted(f.location.arn or "" for f in results["OBS004"].findings) == arns
    assert sorted(f.location.arn or "" for f in results["SESS006"].findings) == arns
    assert [f.location.arn for f in results["IAM003"].findings] == [fleet_account.extra["role"]]


@pytest.mark.anyio
async def test_long_scans_report_progress_to_the_mcp_client(
    project: ProjectBuilder, fleet_account: Scenario, use_account: Use
) -> None:
    use_account(fleet_account.account)
    project.agentcore(runtimes=[])
    updates: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, total))

    async with Client(build_server(Settings(roots=(str(project.root),)))) as client:
        result = await client.call_tool(
            "check_observability",
            {"path": str(project.root), "all_runtimes": True, "detail": "full"},
            progress_callback=on_progress,
        )
    assert not result.is_error
    structured: Any = result.structured_content
    statuses = {r["rule"]: r["status"] for r in structured["projects"][0]["results"]}
    assert statuses["OBS003"] == "pass" and statuses["OBS004"] == "fail"
    assert updates, "no progress notification"
    last_progress, last_total = updates[-1]
    assert last_total is not None and last_progress == last_total
    assert all(b is not None and a <= b for a, b in updates)

"""The AWS rules over seeded accounts on moto: exact rule, status, level and ARN."""

from __future__ import annotations

import json
from collections.abc import Callable

from agentcore_readiness.model import RuleResult
from agentcore_readiness.tools.review import run_review
from aws.conftest import MODEL, REGION, Account, Gaps, Scenario, deployed_project
from conftest import ProjectBuilder, gateway, runtime

Use = Callable[[Account | None], None]


def review(project: ProjectBuilder, *select: str) -> dict[str, RuleResult]:
    report = run_review(str(project.root), list(select), aws=True)
    assert len(report.projects) == 1
    return {r.rule: r for r in report.projects[0].results}


def at(result: RuleResult) -> list[tuple[str, str | None]]:
    """(level, ARN) of each finding."""
    return [(f.level, f.location.arn) for f in result.findings]


def test_cli_default_role_fails_model_scope_and_trust(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use
) -> None:
    use_account(cli_default_account.account)
    deployed_project(project, cli_default_account)
    results = review(project, "IAM")
    role = cli_default_account.extra["role"]

    assert results["IAM001"].status == "fail"
    assert at(results["IAM001"]) == [("fail", role), ("fail", role)]
    assert [f.message.split(" by ")[0] for f in results["IAM001"].findings] == [
        "bedrock:InvokeModel is allowed on arn:aws:bedrock:*::foundation-model/*",
        "bedrock:InvokeModel is allowed on arn:aws:bedrock:*:111111111111:inference-profile/*",
    ]
    fix = results["IAM001"].findings[0].fix
    assert fix is not None and fix.policy is not None
    assert fix.policy["Statement"][0]["Resource"] == [
        f"arn:aws:bedrock:{REGION}:111111111111:inference-profile/{MODEL}",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
    ]
    assert "aws iam put-role-policy --role-name DemoAgentRuntimeRole" in fix.commands[0]

    assert results["IAM003"].status == "fail"
    assert at(results["IAM003"]) == [("fail", role)]
    trust_fix = results["IAM003"].findings[0].fix
    assert trust_fix is not None and trust_fix.policy is not None
    assert trust_fix.policy["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "111111111111"},
        "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:{REGION}:111111111111:*"},
    }
    assert results["IAM002"].status == "not_applicable"
    assert results["IAM004"].status == "pass" and results["IAM004"].reason == "Agent: no resource policy"
    assert results["IAM005"].status == "pass"


def test_hardened_role_passes_every_iam_rule(
    project: ProjectBuilder, hardened_account: Scenario, use_account: Use
) -> None:
    use_account(hardened_account.account)
    deployed_project(project, hardened_account, runtimes=[runtime("Agent", build="Container")])
    results = review(project, "IAM")
    assert {code: r.status for code, r in results.items()} == {
        "IAM001": "pass",
        "IAM002": "pass",
        "IAM003": "pass",
        "IAM004": "pass",
        "IAM005": "pass",
    }
    assert (
        results["IAM003"].reason
        == "execution role HardenedRole: statement 0 scoped by aws:SourceAccount and aws:SourceArn"
    )


def test_admin_role_is_overprivileged(project: ProjectBuilder, admin_account: Scenario, use_account: Use) -> None:
    use_account(admin_account.account)
    deployed_project(project, admin_account)
    results = review(project, "IAM005", "IAM001")
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert results["IAM005"].status == "fail"
    assert at(results["IAM005"]) == [("fail", admin), ("fail", admin)]
    assert results["IAM005"].findings[0].message == (
        "execution role AdminRuntimeRole (runtime Agent) has AdministratorAccess attached: full access to every AWS service"
    )
    fix = results["IAM005"].findings[0].fix
    assert fix is not None and fix.commands == [
        f"aws iam detach-role-policy --role-name AdminRuntimeRole --policy-arn {admin}"
    ]
    # AdministratorAccess also opens every model.
    assert at(results["IAM001"]) == [("fail", admin)]


def test_a_policy_granting_bedrock_agentcore_star_fails_the_shell_rules(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use
) -> None:
    use_account(cli_default_account.account)
    deployed_project(project, cli_default_account)
    results = review(project, "CMD001", "CMD002", "CMD003", "CMD004")
    policy = cli_default_account.extra["policy"]
    for code in ("CMD001", "CMD003", "CMD004"):
        assert results[code].status == "fail", code
        assert at(results[code]) == [("fail", policy)], code
    assert results["CMD001"].findings[0].message == (
        "customer-managed policy 'AgentCoreOperators' grants bedrock-agentcore:InvokeAgentRuntimeCommand (shell "
        "access) through bedrock-agentcore:*; held by user ops"
    )
    assert results["CMD002"].status == "pass"
    assert at(results["CMD002"]) == [("info", "arn:aws:iam::111111111111:user/ops")]
    assert results["CMD002"].findings[0].message == (
        "user ops can run shell commands in runtimes (AgentCoreOperators (customer-managed) statement 0 via "
        "bedrock-agentcore:*)"
    )


def test_shell_command_alert_absent_fails_and_present_passes(
    make_project: Callable[[str], ProjectBuilder],
    cli_default_account: Scenario,
    hardened_account: Scenario,
    use_account: Use,
) -> None:
    absent, present = make_project("absent"), make_project("present")
    deployed_project(absent, cli_default_account)
    deployed_project(present, hardened_account)

    use_account(cli_default_account.account)
    without = review(absent, "CMD005")["CMD005"]
    use_account(hardened_account.account)
    with_alert = review(present, "CMD005")["CMD005"]

    assert without.status == "fail"
    assert at(without) == [("fail", f"arn:aws:events:{REGION}:111111111111:event-bus/default")]
    fix = without.findings[0].fix
    assert fix is not None and fix.commands[0].startswith("aws events put-rule --name AgentCoreCommandExecution")
    assert with_alert.status == "pass"
    assert with_alert.reason == f"{REGION}: rule AgentCoreCommandExecution, trail management logging"


def test_runtime_resource_policy_open_to_everyone_fails(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use, gaps: Gaps
) -> None:
    gaps.resource_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "bedrock-agentcore:InvokeAgentRuntime", "Resource": "*"}
        ],
    }
    use_account(cli_default_account.account)
    deployed_project(project, cli_default_account)
    result = review(project, "IAM004")["IAM004"]
    agent = cli_default_account.runtimes["Agent"]
    assert result.status == "fail"
    assert at(result) == [("fail", agent.arn)]
    fix = result.findings[0].fix
    assert fix is not None and fix.commands == [
        f"aws bedrock-agentcore-control put-resource-policy --resource-arn {agent.arn} --policy file://runtime-policy.json"
    ]


def test_deployed_state_rules(project: ProjectBuilder, cli_default_account: Scenario, use_account: Use) -> None:
    use_account(cli_default_account.account)
    deployed_project(
        project,
        cli_default_account,
        agentCoreGateways=[gateway("Tools", authorizerType="CUSTOM_JWT", authorizerConfiguration={
            "customJwtAuthorizer": {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                                    "allowedClients": ["c"]}})],
        memories=[{"name": "Memory", "eventExpiryDuration": 30, "strategies": []}],
    )  # fmt: skip
    results = review(project, "AUTH003", "OBS003", "OBS005", "RES002", "SESS006")
    agent = cli_default_account.runtimes["Agent"]

    # The project asks for CUSTOM_JWT; the deployed gateway is still NONE.
    assert results["AUTH003"].status == "fail"
    assert at(results["AUTH003"]) == [("fail", cli_default_account.extra["gateway_arn"])]
    assert "although the project sets CUSTOM_JWT" in results["AUTH003"].findings[0].message

    log_group = f"/aws/bedrock-agentcore/runtimes/{agent.id}-DEFAULT"
    assert at(results["OBS003"]) == [("fail", f"arn:aws:logs:{REGION}:111111111111:log-group:{log_group}")]
    assert at(results["OBS005"]) == [("fail", f"arn:aws:logs:{REGION}:111111111111:log-group:aws/spans")]
    assert results["RES002"].status == "pass" and results["RES002"].reason == "Memory: ACTIVE"
    assert results["SESS006"].status == "warn"
    assert [(f.level, f.location.path) for f in results["SESS006"].findings] == [("warn", "agentcore/agentcore.json")]


def test_hardened_deployment_passes_observability_and_lifecycle(
    project: ProjectBuilder, hardened_account: Scenario, use_account: Use, gaps: Gaps
) -> None:
    gaps.trace_destination = "CloudWatchLogs"
    gaps.evaluations = [
        {"id": "eval-1", "name": "Demo_monitor", "executionStatus": "ENABLED", "serviceNames": ["Demo_Agent.DEFAULT"]}
    ]
    use_account(hardened_account.account)
    lifecycle = {"idleRuntimeSessionTimeout": 120, "maxLifetime": 1800}
    deployed_project(project, hardened_account, runtimes=[runtime("Agent", lifecycleConfiguration=lifecycle)])
    results = review(project, "OBS003", "OBS004", "OBS005", "SESS006", "SESS007", "SESS008", "AUTH002")
    assert {code: r.status for code, r in results.items()} == {
        "AUTH002": "pass",
        "OBS003": "pass",
        "OBS004": "pass",
        "OBS005": "pass",
        "SESS006": "pass",
        "SESS007": "pass",
        "SESS008": "pass",
    }
    assert results["OBS004"].reason == "Agent: Demo_monitor ENABLED (deployed)"
    assert results["AUTH002"].reason == "Agent (deployed): CUSTOM_JWT complete"


def test_undeployed_lifecycle_change_warns(
    project: ProjectBuilder, hardened_account: Scenario, use_account: Use
) -> None:
    use_account(hardened_account.account)
    lifecycle = {"idleRuntimeSessionTimeout": 300, "maxLifetime": 1800}
    deployed_project(project, hardened_account, runtimes=[runtime("Agent", lifecycleConfiguration=lifecycle)])
    result = review(project, "SESS006")["SESS006"]
    assert at(result) == [("warn", hardened_account.runtimes["Agent"].arn)]
    assert result.findings[0].message == (
        "deployed runtime Agent runs with idleRuntimeSessionTimeout 120 s, the project sets 300 s: the change is not deployed"
    )


def test_vpc_runtime_in_one_az_without_egress(project: ProjectBuilder, vpc_account: Scenario, use_account: Use) -> None:
    use_account(vpc_account.account)
    deployed_project(project, vpc_account)
    results = review(project, "NET002", "NET003")
    arn = vpc_account.runtimes["Agent"].arn
    assert at(results["NET002"]) == [("warn", arn)]
    assert (
        results["NET002"]
        .findings[0]
        .message.startswith("deployed runtime Agent's subnets are all in one Availability Zone")
    )
    assert at(results["NET003"]) == [("fail", arn), ("fail", arn)]
    assert [f.message for f in results["NET003"].findings] == [
        "deployed runtime Agent: no NAT route, and VPC endpoints are missing for logs, monitoring, sts, s3",
        "deployed runtime Agent: no security-group egress rule allows TCP 443",
    ]


def test_named_runtime_arn_reviews_a_runtime_outside_deployed_state(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use
) -> None:
    use_account(cli_default_account.account)
    project.agentcore()
    agent = cli_default_account.runtimes["Agent"]
    report = run_review(str(project.root), ["IAM003"], runtime_arns=[agent.arn])
    result = report.projects[0].results[0]
    assert result.status == "fail"
    assert at(result) == [("fail", cli_default_account.extra["role"])]


def test_policy_document_json_round_trips_through_the_report(
    project: ProjectBuilder, cli_default_account: Scenario, use_account: Use
) -> None:
    use_account(cli_default_account.account)
    deployed_project(project, cli_default_account)
    report = run_review(str(project.root), ["IAM001"], aws=True)
    data = json.loads(report.model_dump_json())
    finding = data["projects"][0]["results"][0]["findings"][0]
    assert finding["location"] == {
        "path": None,
        "line": None,
        "column": None,
        "end_line": None,
        "pointer": None,
        "arn": cli_default_account.extra["role"],
        "region": None,
    }


def test_secret_like_environment_variable_of_the_deployed_runtime_fails(
    project: ProjectBuilder, hardened_account: Scenario, use_account: Use
) -> None:
    use_account(hardened_account.account)
    deployed_project(project, hardened_account)
    report = run_review(str(project.root), ["SEC003"], aws=True)
    result = report.projects[0].results[0]
    assert result.status == "fail"
    assert at(result) == [("fail", hardened_account.runtimes["Agent"].arn)]
    assert result.findings[0].message == (
        "deployed runtime Agent has the secret-like environment variable STRIPE_SECRET_KEY "
        "(GetAgentRuntime.environmentVariables): plaintext to anyone who can describe the runtime"
    )
    assert "sk_live" not in report.model_dump_json()

"""The IAM and shell-access rules without AWS access: over additionalPolicies files, the
CDK app's synthesised templates and policy documents given to the tools."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client

from agentcore_readiness.engine import InputError
from agentcore_readiness.facts.project_policies import PolicyInput
from agentcore_readiness.server.app import build_server
from agentcore_readiness.settings import Settings
from agentcore_readiness.tools.iam import policy_inputs
from agentcore_readiness.tools.review import run_review
from conftest import ProjectBuilder, findings_of, runtime

CONFIG = "agentcore/agentcore.json"
TEMPLATE = "agentcore/cdk/cdk.out/DemoStack.template.json"
WILDCARD_MODELS = {
    "Effect": "Allow",
    "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
    "Resource": "arn:aws:bedrock:*::foundation-model/*",
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def results(project: ProjectBuilder, *select: str, inputs: tuple[PolicyInput, ...] = ()) -> dict[str, Any]:
    report = run_review(str(project.root), list(select), policy_inputs=inputs)
    return {r.rule: r for r in report.projects[0].results}


def line_of(project: ProjectBuilder, rel: str, needle: str) -> int:
    return next(n for n, text in enumerate((project.root / rel).read_text().splitlines(), 1) if needle in text)


def test_additional_policy_file_with_wildcard_models_fails_at_its_statement(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(additionalPolicies=["policies/bedrock.json"])])
    project.json("app/Agent/policies/bedrock.json", {"Version": "2012-10-17", "Statement": [WILDCARD_MODELS]})
    project.write("app/Agent/model/load.py", 'MODEL_ID = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"\n')
    project.entrypoint("model.load")
    result = results(project, "IAM001")["IAM001"]
    path = "app/Agent/policies/bedrock.json"
    assert result.status == "fail"
    assert findings_of(result) == [("fail", path, line_of(project, path, '"Effect"') - 1)]
    fix = result.findings[0].fix
    assert fix is not None and fix.policy is not None
    assert fix.policy["Statement"][0]["Resource"] == [
        "arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        *(
            f"arn:aws:bedrock:{region}::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0"
            for region in ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
        ),
    ]


def test_administrator_access_in_additional_policies_fails_at_its_line(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(additionalPolicies=["arn:aws:iam::aws:policy/AdministratorAccess"])])
    result = results(project, "IAM005")["IAM005"]
    assert findings_of(result) == [("fail", CONFIG, line_of(project, CONFIG, "AdministratorAccess"))]
    assert (
        result.findings[0].message == "runtime Agent has AdministratorAccess attached: full access to every AWS service"
    )


def cdk_template() -> dict[str, Any]:
    """The shape of the CLI's synthesised stack: the default execution role."""
    return {
        "Resources": {
            "AgentRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Action": "sts:AssumeRole",
                                "Effect": "Allow",
                                "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
                            }
                        ],
                        "Version": "2012-10-17",
                    }
                },
            },
            "AgentRoleDefaultPolicy": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                                "Effect": "Allow",
                                "Resource": [
                                    {
                                        "Fn::Join": [
                                            "",
                                            ["arn:", {"Ref": "AWS::Partition"}, ":bedrock:*::foundation-model/*"],
                                        ]
                                    }
                                ],
                            }
                        ],
                        "Version": "2012-10-17",
                    },
                    "PolicyName": "AgentRoleDefaultPolicy",
                    "Roles": [{"Ref": "AgentRole"}],
                },
            },
            "Runtime": {
                "Type": "AWS::BedrockAgentCore::Runtime",
                "Properties": {"RoleArn": {"Fn::GetAtt": ["AgentRole", "Arn"]}},
            },
        }
    }


def test_synthesised_cdk_template_fails_model_scope_and_trust(project: ProjectBuilder) -> None:
    project.agentcore()
    project.json(TEMPLATE, cdk_template())
    found = results(project, "IAM001", "IAM003")
    assert findings_of(found["IAM001"]) == [("fail", TEMPLATE, line_of(project, TEMPLATE, '"Action": [') - 1)]
    assert "arn:aws:bedrock:*::foundation-model/*" in found["IAM001"].findings[0].message
    assert findings_of(found["IAM003"]) == [
        ("fail", TEMPLATE, line_of(project, TEMPLATE, '"Action": "sts:AssumeRole"') - 1)
    ]
    assert found["IAM003"].findings[0].message.startswith("trust policy AgentRole trust policy lets")


def test_container_role_pulling_every_repository_fails(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(build="Container", additionalPolicies=["ecr.json"])])
    document = {
        "Statement": [
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "*"}
        ]
    }
    project.json("app/Agent/ecr.json", document)
    result = results(project, "IAM002")["IAM002"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", "app/Agent/ecr.json", 3)]
    assert result.findings[0].message == (
        "ecr:BatchGetImage is allowed on * by runtime Agent: every image in the account"
    )
    fix = result.findings[0].fix
    assert fix is not None and fix.policy is not None
    assert fix.policy["Statement"][0]["Resource"] == "arn:aws:ecr:<region>:<account-id>:repository/demo/agent"


def test_without_documents_or_aws_the_iam_rules_are_skipped_with_the_way_forward(project: ProjectBuilder) -> None:
    project.agentcore()
    found = results(project, "IAM001", "CMD001")
    assert found["IAM001"].status == "skipped"
    assert found["IAM001"].reason == (
        "AWS checks were not requested (run with --aws, or pass aws=true); the project has no execution-role policy "
        "documents (additionalPolicies JSON files, agentcore/cdk/cdk.out/*.template.json); give policy documents to "
        "check_iam_scope to review them offline"
    )
    assert found["CMD001"].status == "skipped"


def test_given_policy_text_feeds_the_iam_and_shell_rules(project: ProjectBuilder) -> None:
    project.agentcore()
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    given = (PolicyInput(text=json.dumps(document)),)
    found = results(project, "IAM005", "CMD001", "CMD003", "CMD004", inputs=given)
    assert findings_of(found["IAM005"]) == [("fail", "<policies[0]>", 1)]
    for code in ("CMD001", "CMD003", "CMD004"):
        assert found[code].status == "fail", code


def test_given_trust_policy_with_one_condition_warns(project: ProjectBuilder) -> None:
    project.agentcore()
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}},
            }
        ]
    }
    project.json("iam/trust.json", trust)
    result = results(project, "IAM003", inputs=(PolicyInput(path="iam/trust.json"),))["IAM003"]
    assert findings_of(result) == [("warn", "iam/trust.json", 3)]
    assert "without aws:SourceArn" in result.findings[0].message


def test_get_role_output_is_understood(project: ProjectBuilder) -> None:
    project.agentcore()
    role = {"Role": {"RoleName": "r", "AssumeRolePolicyDocument": {"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}  # fmt: skip
    result = results(project, "IAM003", inputs=(PolicyInput(text=json.dumps(role)),))["IAM003"]
    assert result.status == "fail"


def test_malformed_policy_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match="policy #1 is not valid JSON"):
        policy_inputs(["{not json"], None)
    with pytest.raises(InputError, match="policy #2 must be a JSON object"):
        policy_inputs(["{}", "[1]"], None)


def test_policy_file_outside_the_project_is_a_located_error(project: ProjectBuilder, tmp_path: Any) -> None:
    project.agentcore()
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    report = run_review(str(project.root), ["IAM001"], policy_inputs=[PolicyInput(path=str(outside))])
    errors = [e.message for e in report.projects[0].fact_errors if e.fact == "iam"]
    assert errors == [f"is outside the project {project.root}: give policy files inside the project"]


def test_broken_additional_policy_file_is_reported_not_raised(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(additionalPolicies=["broken.json"])])
    project.write("app/Agent/broken.json", '{"Statement": [{"Effect": "Maybe", "Action": "*"}]}')
    report = run_review(str(project.root), ["IAM001"])
    errors = [(e.source, e.message) for e in report.projects[0].fact_errors if e.fact == "iam"]
    assert errors == [("app/Agent/broken.json", 'app/Agent/broken.json: Statement[0].Effect must be "Allow" or "Deny"')]


@pytest.mark.anyio
async def test_check_iam_scope_reviews_policy_text_through_mcp(project: ProjectBuilder) -> None:
    project.agentcore()
    document = json.dumps({"Statement": [WILDCARD_MODELS]})
    async with Client(build_server(Settings(roots=(str(project.root),)))) as client:
        result = await client.call_tool(
            "check_iam_scope", {"path": str(project.root), "policies": [document], "detail": "full"}
        )
        bad = await client.call_tool("check_iam_scope", {"path": str(project.root), "policies": ["nope"]})
    assert not result.is_error
    data: Any = result.structured_content
    statuses = {r["rule"]: r["status"] for r in data["projects"][0]["results"]}
    assert statuses == {"IAM001": "fail", "IAM002": "not_applicable", "IAM003": "skipped", "IAM004": "skipped",
                        "IAM005": "pass"}  # fmt: skip
    assert bad.is_error

"""The AWS clients are read-only by construction: a mutating call is refused inside
botocore, before any request leaves the process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from agentcore_readiness.facts.aws.client import (
    READ_ONLY_OPERATIONS,
    READ_PREFIXES,
    ReadOnlyClients,
    ReadOnlyViolation,
    iam_action,
)
from aws.conftest import REGION, Account, Scenario


def test_allowlist_holds_only_read_operations_that_exist_in_botocore() -> None:
    session = boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")
    for service, operations in READ_ONLY_OPERATIONS.items():
        model = session._session.get_service_model(service)
        for operation in operations:
            assert operation.startswith(READ_PREFIXES), f"{service}:{operation}"
            assert operation in model.operation_names, f"{service}:{operation}"


def test_iam_action_of_the_control_plane_is_bedrock_agentcore() -> None:
    assert iam_action("bedrock-agentcore-control", "GetAgentRuntime") == "bedrock-agentcore:GetAgentRuntime"
    assert iam_action("logs", "DescribeLogGroups") == "logs:DescribeLogGroups"


def _recording_sends(client: Any) -> list[str]:
    sent: list[str] = []
    client.meta.events.register("before-send.*.*", lambda event_name, **_: sent.append(event_name))
    return sent


@pytest.mark.parametrize(
    ("service", "method", "params"),
    [
        ("bedrock-agentcore-control", "delete_agent_runtime", {"agentRuntimeId": "RUNTIME"}),
        ("bedrock-agentcore-control", "put_resource_policy", {"resourceArn": "ARN", "policy": "{}"}),
        (
            "iam",
            "attach_role_policy",
            {"RoleName": "DemoAgentRuntimeRole", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        ),
        ("logs", "put_retention_policy", {"logGroupName": "LOG", "retentionInDays": 1}),
    ],
)
def test_a_mutating_call_is_refused_before_it_leaves_the_process(
    cli_default_account: Scenario,
    use_account: Callable[[Account | None], None],
    service: str,
    method: str,
    params: dict[str, Any],
) -> None:
    use_account(cli_default_account.account)
    agent = cli_default_account.runtimes["Agent"]
    values = {"RUNTIME": agent.id, "ARN": agent.arn, "LOG": f"/aws/bedrock-agentcore/runtimes/{agent.id}-DEFAULT"}
    resolved = {k: values.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    clients = ReadOnlyClients(boto3.Session())
    client = clients.client(service, REGION)
    sent = _recording_sends(client)

    with pytest.raises(ReadOnlyViolation, match="only makes read-only AWS calls"):
        getattr(client, method)(**resolved)

    assert sent == []
    assert clients.total_calls == 0
    # The account is untouched: the runtime is still there, the role has no new policy.
    control = cli_default_account.account.client("bedrock-agentcore-control")
    assert control.get_agent_runtime(agentRuntimeId=agent.id)["agentRuntimeId"] == agent.id
    attached = cli_default_account.account.client("iam").list_attached_role_policies(RoleName="DemoAgentRuntimeRole")
    assert attached["AttachedPolicies"] == []


def test_a_service_outside_the_allowlist_gets_no_client() -> None:
    clients = ReadOnlyClients(boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y"))
    with pytest.raises(ReadOnlyViolation):
        clients.client("s3", REGION)


def test_read_calls_go_through_and_are_counted(
    cli_default_account: Scenario, use_account: Callable[[Account | None], None]
) -> None:
    use_account(cli_default_account.account)
    clients = ReadOnlyClients(boto3.Session())
    agent = cli_default_account.runtimes["Agent"]
    response = clients.call("bedrock-agentcore-control", REGION, "GetAgentRuntime", agentRuntimeId=agent.id)
    assert response["roleArn"] == agent.role_arn
    assert dict(clients.calls) == {"bedrock-agentcore-control.GetAgentRuntime": 1}

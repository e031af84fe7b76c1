"""AWS accounts on moto's server, on loopback, reached through ``AWS_ENDPOINT_URL``.

The product talks real HTTP with real botocore serialisation to a ``ThreadedMotoServer``
on 127.0.0.1 (a free port). Each scenario is its own moto account, seeded once per
session through moto's own APIs (IAM, bedrock-agentcore-control, EventBridge, CloudTrail,
CloudWatch Logs, EC2) with the credentials of an IAM user created in that account.

Four read operations moto 5.2.5 does not implement are answered by botocore ``Stubber``
(one per operation, on the product's own clients, through ``client_observers``):
``bedrock-agentcore-control`` ``GetResourcePolicy``, ``ListOnlineEvaluationConfigs`` and
``GetOnlineEvaluationConfig``, X-Ray ``GetTraceSegmentDestination``, and Lambda
``ListProvisionedConcurrencyConfigs``. Stubber validates each response against the
service model.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from agentcore_readiness.facts.aws import client as aws_client

REGION = "us-east-1"
AGENTCORE = "bedrock-agentcore.amazonaws.com"
MODEL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
STUB_COPIES = 400


# ---------------------------------------------------------------------------
# The server


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    previous = os.environ.get("MOTO_IAM_LOAD_MANAGED_POLICIES")
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # AdministratorAccess & co. exist
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("MOTO_IAM_LOAD_MANAGED_POLICIES", None)
        else:
            os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = previous


@dataclass
class Account:
    id: str
    endpoint: str
    access_key: str
    secret_key: str

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )


def open_account(endpoint: str, account_id: str) -> Account:
    """An IAM user with an access key in ``account_id``: its key makes moto act in that account."""
    admin = boto3.client(
        "iam", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="seed", aws_secret_access_key="seed"
    )

    def in_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    admin.meta.events.register("before-send.*.*", in_account)
    admin.create_user(UserName="reviewer")
    key = admin.create_access_key(UserName="reviewer")["AccessKey"]
    return Account(account_id, endpoint, key["AccessKeyId"], key["SecretAccessKey"])


# ---------------------------------------------------------------------------
# Seeding


def trust_policy(*, conditions: bool) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": AGENTCORE}, "Action": "sts:AssumeRole"}
    if conditions:
        statement["Condition"] = {
            "StringEquals": {"aws:SourceAccount": "ACCOUNT"},
            "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:{REGION}:ACCOUNT:*"},
        }
    return {"Version": "2012-10-17", "Statement": [statement]}


def cli_default_role_policy(account: str) -> dict[str, Any]:
    """What the AgentCore CLI's CDK construct grants a runtime: any model, any profile."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "BedrockModelInvocation",
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:CountTokens"],
                "Resource": [
                    "arn:aws:bedrock:*::foundation-model/*",
                    f"arn:aws:bedrock:*:{account}:inference-profile/*",
                ],
            },
            {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
            {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"},
        ],
    }


def hardened_role_policy(account: str, repository: str) -> dict[str, Any]:
    model = MODEL.split(".", 1)[1]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                "Resource": [
                    f"arn:aws:bedrock:{REGION}:{account}:inference-profile/{MODEL}",
                    f"arn:aws:bedrock:*::foundation-model/{model}",
                ],
            },
            {
                "Effect": "Allow",
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": f"arn:aws:ecr:{REGION}:{account}:repository/{repository}",
            },
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        ],
    }


def create_role(account: Account, name: str, *, scoped_trust: bool, inline: dict[str, Any] | None = None,
                managed: tuple[str, ...] = ()) -> str:  # fmt: skip
    iam = account.client("iam")
    trust = json.dumps(trust_policy(conditions=scoped_trust)).replace("ACCOUNT", account.id)
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"])
    if inline is not None:
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}Policy", PolicyDocument=json.dumps(inline))
    for policy_arn in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return arn


@dataclass(frozen=True)
class DeployedRuntimeRef:
    name: str
    id: str
    arn: str
    role_arn: str


def create_runtime(
    account: Account,
    name: str,
    role_arn: str,
    *,
    container: bool = False,
    network: dict[str, Any] | None = None,
    lifecycle: dict[str, int] | None = None,
    authorizer: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> DeployedRuntimeRef:
    artifact: dict[str, Any] = (
        {"containerConfiguration": {"containerUri": f"{account.id}.dkr.ecr.{REGION}.amazonaws.com/demo/agent:latest"}}
        if container
        else {"codeConfiguration": {"code": {"s3": {"bucket": "code", "prefix": name}}, "runtime": "PYTHON_3_12", "entryPoint": ["main.py"]}}
    )  # fmt: skip
    params: dict[str, Any] = {
        "agentRuntimeName": name,
        "agentRuntimeArtifact": artifact,
        "roleArn": role_arn,
        "networkConfiguration": network or {"networkMode": "PUBLIC"},
    }
    if lifecycle:
        params["lifecycleConfiguration"] = lifecycle
    if authorizer:
        params["authorizerConfiguration"] = authorizer
    if env:
        params["environmentVariables"] = env
    created = account.client("bedrock-agentcore-control").create_agent_runtime(**params)
    return DeployedRuntimeRef(name, created["agentRuntimeId"], created["agentRuntimeArn"], role_arn)


def create_log_group(account: Account, runtime: DeployedRuntimeRef, retention: int | None) -> str:
    logs = account.client("logs")
    name = f"/aws/bedrock-agentcore/runtimes/{runtime.id}-DEFAULT"
    logs.create_log_group(logGroupName=name)
    if retention is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
    return name


def create_command_alert(account: Account) -> None:
    topic = account.client("sns").create_topic(Name="security-alerts")["TopicArn"]
    events = account.client("events")
    pattern = {
        "source": ["aws.bedrock-agentcore"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventName": ["InvokeAgentRuntimeCommand"]},
    }
    events.put_rule(Name="AgentCoreCommandExecution", EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(Rule="AgentCoreCommandExecution", Targets=[{"Id": "security", "Arn": topic}])
    account.client("s3").create_bucket(Bucket=f"trail-{account.id}")
    trail = account.client("cloudtrail")
    trail.create_trail(Name="management", S3BucketName=f"trail-{account.id}", IsMultiRegionTrail=True)
    trail.start_logging(Name="management")


def grant_shell_by_wildcard(account: Account) -> str:
    """A customer-managed policy granting bedrock-agentcore:* to the user ``ops``."""
    iam = account.client("iam")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "bedrock-agentcore:*", "Resource": "*"}],
    }
    arn = str(iam.create_policy(PolicyName="AgentCoreOperators", PolicyDocument=json.dumps(document))["Policy"]["Arn"])
    iam.create_user(UserName="ops")
    iam.attach_user_policy(UserName="ops", PolicyArn=arn)
    return arn


@dataclass
class Scenario:
    account: Account
    runtimes: dict[str, DeployedRuntimeRef] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Scenarios (seeded once per session)


@pytest.fixture(scope="session")
def cli_default_account(moto_endpoint: str) -> Scenario:
    """What `agentcore deploy` leaves by default: the CDK role (any model, unconditioned
    trust), a log group that never expires, an open gateway, no alert; plus a customer
    policy granting bedrock-agentcore:* to a user."""
    account = open_account(moto_endpoint, "111111111111")
    role = create_role(account, "DemoAgentRuntimeRole", scoped_trust=False, inline=cli_default_role_policy(account.id))
    agent = create_runtime(account, "Demo_Agent", role)
    create_log_group(account, agent, retention=None)
    control = account.client("bedrock-agentcore-control")
    gateway = control.create_gateway(name="Demo-Tools", roleArn=role, protocolType="MCP", authorizerType="NONE")
    memory = control.create_memory(name="Demo_Memory", eventExpiryDuration=30)["memory"]
    policy = grant_shell_by_wildcard(account)
    return Scenario(
        account,
        {"Agent": agent},
        {"gateway_id": gateway["gatewayId"], "gateway_arn": gateway["gatewayArn"], "memory": memory, "policy": policy,
         "role": role},
    )  # fmt: skip


@pytest.fixture(scope="session")
def hardened_account(moto_endpoint: str) -> Scenario:
    """A hardened deployment: scoped role and trust, retention, an alert with a trail,
    tuned lifecycle, a Container runtime pulling only its repository."""
    account = open_account(moto_endpoint, "222222222222")
    role = create_role(
        account, "HardenedRole", scoped_trust=True, inline=hardened_role_policy(account.id, "demo/agent")
    )
    agent = create_runtime(
        account,
        "Demo_Agent",
        role,
        container=True,
        lifecycle={"idleRuntimeSessionTimeout": 120, "maxLifetime": 1800},
        env={"STRIPE_SECRET_KEY": "sk_live_not_a_real_key_0000", "AWS_REGION": REGION},
        authorizer={
            "customJWTAuthorizer": {
                "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                "allowedClients": ["client-1"],
            }
        },
    )
    create_log_group(account, agent, retention=30)
    create_command_alert(account)
    return Scenario(account, {"Agent": agent}, {"role": role})


@pytest.fixture(scope="session")
def admin_account(moto_endpoint: str) -> Scenario:
    account = open_account(moto_endpoint, "333333333333")
    role = create_role(
        account,
        "AdminRuntimeRole",
        scoped_trust=True,
        inline=hardened_role_policy(account.id, "demo/agent"),
        managed=("arn:aws:iam::aws:policy/AdministratorAccess",),
    )
    agent = create_runtime(account, "Demo_Agent", role)
    return Scenario(account, {"Agent": agent}, {"role": role})


@pytest.fixture(scope="session")
def vpc_account(moto_endpoint: str) -> Scenario:
    """A VPC runtime in one subnet (one AZ), no NAT, no endpoints, egress only on 80."""
    account = open_account(moto_endpoint, "555555555555")
    ec2 = account.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="agent", Description="agent", VpcId=vpc)["GroupId"]
    ec2.revoke_security_group_egress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    ec2.authorize_security_group_egress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    role = create_role(account, "VpcRole", scoped_trust=True, inline=hardened_role_policy(account.id, "demo/agent"))
    agent = create_runtime(
        account,
        "Demo_Agent",
        role,
        network={"networkMode": "VPC", "networkModeConfig": {"subnets": [subnet], "securityGroups": [group]}},
    )
    return Scenario(account, {"Agent": agent}, {"subnet": subnet, "group": group, "vpc": vpc})


@pytest.fixture(scope="session")
def fleet_account(moto_endpoint: str) -> Scenario:
    account = open_account(moto_endpoint, "444444444444")
    role = create_role(account, "FleetRole", scoped_trust=False, inline=cli_default_role_policy(account.id))
    runtimes = {f"Agent{i:02d}": create_runtime(account, f"Fleet_Agent{i:02d}", role) for i in range(50)}
    return Scenario(account, runtimes, {"role": role})


# ---------------------------------------------------------------------------
# The product's environment


@pytest.fixture
def use_account(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, moto_endpoint: str
) -> Callable[[Account | None], None]:
    """Point the standard AWS environment at moto, with an account's keys (or none)."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)

    def use(account: Account | None) -> None:
        if account is None:
            monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
            monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
        else:
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", account.access_key)
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", account.secret_key)

    return use


# ---------------------------------------------------------------------------
# Stubber for the operations moto lacks


class OperationStubber(Stubber):
    """A botocore Stubber answering one operation of a client; every other operation of
    that client still goes to moto's server."""

    def __init__(self, client: Any, operation: str) -> None:
        super().__init__(client)
        self.operation = operation
        self._service = client.meta.service_model.service_id.hyphenize()

    def activate(self) -> None:
        events = self.client.meta.events
        # Stubber's handler IDs are constants, and botocore keeps one handler per ID.
        suffix = f"-{self.operation}"
        events.register_first(
            f"before-parameter-build.{self._service}.{self.operation}",
            self._assert_expected_params,
            unique_id=self._expected_params_event_id + suffix,
        )
        events.register(
            f"before-call.{self._service}.{self.operation}",
            self._get_response_handler,
            unique_id=self._event_id + suffix,
        )


@dataclass
class Gaps:
    """The answers to the operations moto lacks; tests change them before reviewing."""

    resource_policy: dict[str, Any] | None = None
    """``None``: the runtime has no resource policy (ResourceNotFoundException)."""
    trace_destination: str = "XRay"
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    """Each: id, name, executionStatus, serviceNames."""
    provisioned_concurrency: int = 0
    stubbers: list[Stubber] = field(default_factory=list)

    def observe(self, service: str, region: str, client: Any) -> None:
        before = len(self.stubbers)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        if service == "bedrock-agentcore-control":
            # moto 5.2.5 gap: GetResourcePolicy is not implemented.
            policy = OperationStubber(client, "GetResourcePolicy")
            for _ in range(STUB_COPIES):
                if self.resource_policy is None:
                    policy.add_client_error("get_resource_policy", "ResourceNotFoundException", "no policy", 404)
                else:
                    policy.add_response("get_resource_policy", {"policy": json.dumps(self.resource_policy)})
            # moto 5.2.5 gap: ListOnlineEvaluationConfigs / GetOnlineEvaluationConfig are not implemented.
            listing = OperationStubber(client, "ListOnlineEvaluationConfigs")
            detail = OperationStubber(client, "GetOnlineEvaluationConfig")
            summaries = [
                {
                    "onlineEvaluationConfigArn": f"arn:aws:bedrock-agentcore:{region}:111111111111:online-evaluation-config/{e['id']}",
                    "onlineEvaluationConfigId": e["id"],
                    "onlineEvaluationConfigName": e["name"],
                    "status": "ACTIVE",
                    "executionStatus": e["executionStatus"],
                    "createdAt": now,
                    "updatedAt": now,
                }
                for e in self.evaluations
            ]
            for _ in range(STUB_COPIES):
                listing.add_response("list_online_evaluation_configs", {"onlineEvaluationConfigs": summaries})
            for _ in range(STUB_COPIES // 10):
                for summary, evaluation in zip(summaries, self.evaluations, strict=True):
                    detail.add_response(
                        "get_online_evaluation_config",
                        {
                            **summary,
                            "rule": {"samplingConfig": {"samplingPercentage": 5.0}},
                            "dataSourceConfig": {
                                "cloudWatchLogs": {
                                    "logGroupNames": ["aws/spans"],
                                    "serviceNames": evaluation["serviceNames"],
                                }
                            },
                        },
                    )
            self.stubbers.extend([policy, listing, detail])
        elif service == "xray":
            # moto 5.2.5 gap: GetTraceSegmentDestination is not implemented.
            destination = OperationStubber(client, "GetTraceSegmentDestination")
            for _ in range(STUB_COPIES):
                destination.add_response(
                    "get_trace_segment_destination", {"Destination": self.trace_destination, "Status": "ACTIVE"}
                )
            self.stubbers.append(destination)
        elif service == "lambda":
            # moto 5.2.5 gap: ListProvisionedConcurrencyConfigs is not implemented.
            concurrency = OperationStubber(client, "ListProvisionedConcurrencyConfigs")
            configs = [
                {"FunctionArn": "arn:aws:lambda:us-east-1:111111111111:function:lookup:live", "Status": "READY"}
            ] * self.provisioned_concurrency
            for _ in range(STUB_COPIES):
                concurrency.add_response(
                    "list_provisioned_concurrency_configs", {"ProvisionedConcurrencyConfigs": configs}
                )
            self.stubbers.append(concurrency)
        for stubber in self.stubbers[before:]:
            stubber.activate()


@pytest.fixture(autouse=True)
def gaps() -> Iterator[Gaps]:
    answers = Gaps()
    aws_client.client_observers.append(answers.observe)
    try:
        yield answers
    finally:
        aws_client.client_observers.remove(answers.observe)


# ---------------------------------------------------------------------------
# Projects deployed to a scenario


def deployed_project(builder: Any, scenario: Scenario, **overrides: Any) -> dict[str, Any]:
    """agentcore.json with the scenario's runtimes, and deployed-state.json pointing at them."""
    from conftest import runtime

    runtimes = overrides.pop("runtimes", [runtime(name) for name in scenario.runtimes])
    config: dict[str, Any] = builder.agentcore(runtimes=runtimes, **overrides)
    resources: dict[str, Any] = {
        "runtimes": {
            name: {"runtimeId": ref.id, "runtimeArn": ref.arn, "roleArn": ref.role_arn}
            for name, ref in scenario.runtimes.items()
        }
    }
    if "gateway_id" in scenario.extra:
        resources["gateways"] = {
            "Tools": {"gatewayId": scenario.extra["gateway_id"], "gatewayArn": scenario.extra["gateway_arn"]}
        }
    if "memory" in scenario.extra:
        memory = scenario.extra["memory"]
        resources["memories"] = {"Memory": {"memoryId": memory["id"], "memoryArn": memory["arn"]}}
    builder.json("agentcore/.cli/deployed-state.json", {"targets": {"default": {"resources": resources}}})
    builder.json("agentcore/aws-targets.json", [{"name": "default", "account": scenario.account.id, "region": REGION}])
    builder.write("app/Agent/main.py", f"MODEL_ID = {MODEL!r}\n")
    return config

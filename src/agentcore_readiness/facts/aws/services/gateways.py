"""AgentCore gateways (Bedrock AgentCore control plane): the project's deployed gateways,
or every gateway in fleet mode, with their authorizers and Lambda targets."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    deployed_resources,
    jwt_from_api,
    opt_str,
)
from agentcore_readiness.facts.aws.model import (
    DeployedGateway,
    DeployedGatewayTarget,
    Fetched,
)


def gateway_facts(aws: AwsCalls) -> Fetched[tuple[DeployedGateway, ...]]:
    return aws.attempt(partial(_read_gateways, aws), "bedrock-agentcore", "ListGateways")


def _read_gateways(aws: AwsCalls) -> tuple[DeployedGateway, ...]:
    project_gateways = [g.name for g in getattr(aws.project, "gateways", ()) or ()]
    project_name = getattr(aws.project, "name", None)
    deployed = deployed_resources(aws.project, "gateways")
    wanted: list[tuple[str, str | None]] = []
    for name in project_gateways:
        gateway_id = opt_str(deployed.get(name, {}).get("gatewayId"))
        if gateway_id:
            wanted.append((gateway_id, name))
    fleet = aws.options.all_runtimes or aws.options.runtime_arns
    if fleet or len(wanted) < len(project_gateways):
        known = {gateway_id for gateway_id, _ in wanted}
        names = {n: n for n in project_gateways}
        if project_name:
            names.update({f"{project_name}{sep}{n}".lower(): n for n in project_gateways for sep in ("_", "-")})
        names.update({n.lower(): n for n in project_gateways})
        for page in aws.pages("bedrock-agentcore-control", aws.region, "ListGateways"):
            for item in page.get("items", []):
                gateway_id = str(item.get("gatewayId"))
                if gateway_id in known:
                    continue
                project_gateway = names.get(str(item.get("name", "")).lower())
                if project_gateway is not None or fleet:
                    wanted.append((gateway_id, project_gateway))
                    known.add(gateway_id)
    gateways: list[DeployedGateway] = []
    for gateway_id, project_gateway in wanted:
        detail = aws.call("bedrock-agentcore-control", aws.region, "GetGateway", gatewayIdentifier=gateway_id)
        gateway = DeployedGateway(
            id=gateway_id,
            arn=opt_str(detail.get("gatewayArn")),
            name=str(detail.get("name") or gateway_id),
            region=aws.region,
            project_gateway=project_gateway,
            authorizer_type=opt_str(detail.get("authorizerType")),
            jwt=jwt_from_api(detail.get("authorizerConfiguration")),
        )
        if "lambda" in aws.groups:
            gateway = replace(
                gateway,
                targets=aws.attempt(
                    partial(_gateway_targets, aws, gateway_id), "bedrock-agentcore", "ListGatewayTargets"
                ),
            )
        gateways.append(gateway)
    return tuple(gateways)


def _gateway_targets(aws: AwsCalls, gateway_id: str) -> tuple[DeployedGatewayTarget, ...]:
    targets: list[DeployedGatewayTarget] = []
    for page in aws.pages("bedrock-agentcore-control", aws.region, "ListGatewayTargets", gatewayIdentifier=gateway_id):
        for item in page.get("items", []):
            target_id = str(item.get("targetId"))
            detail = aws.call(
                "bedrock-agentcore-control",
                aws.region,
                "GetGatewayTarget",
                gatewayIdentifier=gateway_id,
                targetId=target_id,
            )
            lambda_arn = opt_str(
                detail.get("targetConfiguration", {}).get("mcp", {}).get("lambda", {}).get("lambdaArn")
            )
            targets.append(
                DeployedGatewayTarget(id=target_id, name=str(detail.get("name") or target_id), lambda_arn=lambda_arn)
            )
    return tuple(targets)

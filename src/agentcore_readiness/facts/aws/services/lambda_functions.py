"""Lambda: the functions behind gateway targets and their provisioned concurrency."""

from __future__ import annotations

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
)
from agentcore_readiness.facts.aws.model import (
    DeployedGateway,
    Fetched,
)


def gateway_lambda_arns(aws: AwsCalls, gateways: Fetched[tuple[DeployedGateway, ...]]) -> list[str]:
    arns: set[str] = set()
    for gateway in getattr(aws.project, "gateways", ()) or ():
        for target in gateway.targets:
            if target.lambda_arn and target.lambda_arn.startswith("arn:"):
                arns.add(target.lambda_arn)
    for deployed in gateways.value or ():
        for target in deployed.targets.value or ():
            if target.lambda_arn:
                arns.add(target.lambda_arn)
    return sorted(arns)


def provisioned_concurrency(aws: AwsCalls, function_arn: str) -> Fetched[int]:
    region = function_arn.split(":")[3] if function_arn.count(":") >= 6 else aws.region
    return aws.attempt(
        lambda: sum(
            len(page.get("ProvisionedConcurrencyConfigs", []))
            for page in aws.pages("lambda", region, "ListProvisionedConcurrencyConfigs", FunctionName=function_arn)
        ),
        "lambda",
        "ListProvisionedConcurrencyConfigs",
    )

"""CloudWatch Logs: the log groups of a runtime and their retention."""

from __future__ import annotations

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    opt_int,
)
from agentcore_readiness.facts.aws.model import (
    DeployedRuntime,
    LogGroup,
)

RUNTIME_LOG_PREFIX = "/aws/bedrock-agentcore/runtimes/"


def runtime_log_groups(aws: AwsCalls, runtime: DeployedRuntime) -> tuple[LogGroup, ...]:
    prefix = f"{RUNTIME_LOG_PREFIX}{runtime.id}-"
    return tuple(
        LogGroup(name=str(group.get("logGroupName")), retention_days=opt_int(group.get("retentionInDays")))
        for page in aws.pages("logs", runtime.region, "DescribeLogGroups", logGroupNamePrefix=prefix)
        for group in page.get("logGroups", [])
    )

"""AgentCore online evaluations of a region (Bedrock AgentCore control plane)."""

from __future__ import annotations

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    opt_str,
    str_tuple,
)
from agentcore_readiness.facts.aws.model import (
    Fetched,
    OnlineEvaluation,
)


def online_evaluations(aws: AwsCalls, region: str) -> Fetched[tuple[OnlineEvaluation, ...]]:
    def read() -> tuple[OnlineEvaluation, ...]:
        summaries = [
            item
            for page in aws.pages("bedrock-agentcore-control", region, "ListOnlineEvaluationConfigs")
            for item in page.get("onlineEvaluationConfigs", [])
        ]
        found: list[OnlineEvaluation] = []
        for item in summaries:
            config_id = str(item.get("onlineEvaluationConfigId"))
            detail = aws.call(
                "bedrock-agentcore-control", region, "GetOnlineEvaluationConfig", onlineEvaluationConfigId=config_id
            )
            logs = detail.get("dataSourceConfig", {}).get("cloudWatchLogs", {})
            found.append(
                OnlineEvaluation(
                    id=config_id,
                    name=str(item.get("onlineEvaluationConfigName")),
                    status=opt_str(detail.get("status")) or opt_str(item.get("status")),
                    execution_status=opt_str(detail.get("executionStatus")) or opt_str(item.get("executionStatus")),
                    service_names=str_tuple(logs.get("serviceNames")),
                    log_groups=str_tuple(logs.get("logGroupNames")) + str_tuple(logs.get("logGroupNamePrefixes")),
                )
            )
        return tuple(found)

    return aws.attempt(read, "bedrock-agentcore", "ListOnlineEvaluationConfigs")

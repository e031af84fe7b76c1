"""EventBridge: the rules that alert on InvokeAgentRuntimeCommand, with their target counts."""

from __future__ import annotations

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    opt_str,
)
from agentcore_readiness.facts.aws.model import (
    EventRule,
    Fetched,
)


def event_rules(aws: AwsCalls, region: str) -> Fetched[tuple[EventRule, ...]]:
    def read() -> tuple[EventRule, ...]:
        rules: list[EventRule] = []
        for page in aws.pages("events", region, "ListRules"):
            for item in page.get("Rules", []):
                pattern = opt_str(item.get("EventPattern"))
                count = 0
                if pattern and "InvokeAgentRuntimeCommand" in pattern:
                    count = sum(
                        len(target_page.get("Targets", []))
                        for target_page in aws.pages("events", region, "ListTargetsByRule", Rule=str(item.get("Name")))
                    )
                rules.append(
                    EventRule(
                        name=str(item.get("Name")),
                        arn=str(item.get("Arn")),
                        state=str(item.get("State", "")),
                        event_pattern=pattern,
                        target_count=count,
                    )
                )
        return tuple(rules)

    return aws.attempt(read, "events", "ListRules")

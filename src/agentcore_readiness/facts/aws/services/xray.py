"""X-Ray: where trace segments go (Transaction Search sends them to CloudWatch Logs)."""

from __future__ import annotations

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
)
from agentcore_readiness.facts.aws.model import (
    Fetched,
)


def trace_destination(aws: AwsCalls, region: str) -> Fetched[str]:
    return aws.attempt(
        lambda: str(aws.call("xray", region, "GetTraceSegmentDestination").get("Destination") or "XRay"),
        "xray",
        "GetTraceSegmentDestination",
    )

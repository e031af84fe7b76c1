"""CloudTrail: the trails of a region and whether each is logging."""

from __future__ import annotations

from functools import partial

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    opt_str,
)
from agentcore_readiness.facts.aws.model import (
    Fetched,
    Trail,
)


def trails(aws: AwsCalls, region: str) -> Fetched[tuple[Trail, ...]]:
    def read() -> tuple[Trail, ...]:
        trails: list[Trail] = []
        for item in aws.call("cloudtrail", region, "DescribeTrails", includeShadowTrails=True).get("trailList", []):
            arn = str(item.get("TrailARN") or item.get("Name"))
            home = opt_str(item.get("HomeRegion")) or region
            status = aws.attempt(partial(aws.call, "cloudtrail", home, "GetTrailStatus", Name=arn))
            logging = status.value.get("IsLogging") if status.value is not None else None
            trails.append(
                Trail(
                    name=str(item.get("Name")),
                    arn=arn,
                    home_region=home,
                    multi_region=bool(item.get("IsMultiRegionTrail")),
                    is_logging=logging if isinstance(logging, bool) else None,
                )
            )
        return tuple(trails)

    return aws.attempt(read, "cloudtrail", "DescribeTrails")

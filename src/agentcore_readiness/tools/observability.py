"""``check_observability``: tracing, log retention, continuous evaluation and Transaction Search."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from agentcore_readiness.checks.registry import tool_rules
from agentcore_readiness.render.answer_text import render_review
from agentcore_readiness.tools import ToolSpec
from agentcore_readiness.tools.answer_shape import (
    DEFAULT_MAX_FINDINGS,
    DetailArg,
    MaxFindingsArg,
    MinSeverityArg,
    OffsetArg,
    ResultView,
    ReviewResult,
    StatusArg,
)
from agentcore_readiness.tools.review import (
    AllRuntimesArg,
    AwsArg,
    PathArg,
    RegionArg,
    RuntimeArnsArg,
    progress_reporter,
    run_review,
    shaped,
)

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context


async def check_observability(
    path: PathArg,
    aws: AwsArg = False,
    region: RegionArg = None,
    runtime_arns: RuntimeArnsArg = None,
    all_runtimes: AllRuntimesArg = False,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
    ctx: Context = None,  # type: ignore[type-arg,assignment]
) -> ReviewResult:
    """Check observability: OpenTelemetry tracing on, Container
    images started by `opentelemetry-instrument` with `aws-opentelemetry-distro`
    installed, a retention policy on every runtime log group, an enabled online
    evaluation per runtime, and X-Ray spans sent to CloudWatch Logs (Transaction Search).
    The log-group, evaluation and X-Ray checks read the account with `aws=true`.
    """
    run = partial(
        run_review,
        path,
        list(tool_rules("check_observability")),
        None,
        None,
        aws=aws,
        region=region,
        runtime_arns=runtime_arns,
        all_runtimes=all_runtimes,
        progress=progress_reporter(ctx),
    )
    return await shaped(run, ResultView.of(detail, status, min_severity, max_findings, offset))


TOOLS = [
    ToolSpec(check_observability, "Check tracing, logs and evaluations", open_world=True, text=render_review),
]

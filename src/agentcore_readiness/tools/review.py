"""``review_project`` and ``check_auth``: run the rules over a project."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import anyio.to_thread
from pydantic import Field

from agentcore_readiness.checks.registry import WORKLOADS, ReviewOptions, load_rules, select_rules, tool_rules
from agentcore_readiness.engine import InputError, ReviewRequest, review
from agentcore_readiness.model import Report
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
    shape,
)

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

    from agentcore_readiness.config import ConfigChoice
    from agentcore_readiness.finalize import Baseline

PathArg = Annotated[
    str,
    Field(
        description="Project directory, a file in it, or a folder of projects (relative: from the client's first "
        "root, else the server's working directory)"
    ),
]
Codes = Annotated[
    list[str] | None,
    Field(description="Rule codes or prefixes, e.g. ['AUTH', 'SESS006']"),
]
IgnoreArg = Annotated[list[str] | None, Field(description="Not these of its rules")]
Workload = Annotated[
    str | None,
    Field(description=f"For the session-lifecycle table: {', '.join(WORKLOADS)}"),
]


def _check_workload(workload: str | None) -> None:
    if workload is not None and workload not in WORKLOADS:
        raise InputError(f"unknown workload {workload!r}: use one of {', '.join(WORKLOADS)}")


AwsArg = Annotated[
    bool,
    Field(description="Also run the AWS rules: read-only calls with the server's AWS credentials"),
]
RegionArg = Annotated[
    str | None,
    Field(description="AWS region; default: the project's deployment target, then AWS_REGION"),
]
RuntimeArnsArg = Annotated[
    list[str] | None,
    Field(description="Deployed runtime ARNs to review instead of the project's"),
]
AllRuntimesArg = Annotated[
    bool,
    Field(description="Review every runtime of the region (fleet)"),
]
MeasureImportsArg = Annotated[
    bool,
    Field(description="Also time each entrypoint's import (PERF007): runs the agent's code in a time-limited process"),
]
Progress = Callable[[int, int], None]


def aws_request(
    select: Sequence[str],
    ignore: Sequence[str],
    aws: bool,
    region: str | None,
    runtime_arns: Sequence[str] | None,
    all_runtimes: bool,
    progress: Progress | None,
) -> Callable[[Any], tuple[Any, str | None]] | None:
    """The engine's AWS callback for these choices (``None`` without ``aws``); bad input raises InputError."""
    if not aws:
        return None
    from agentcore_readiness.facts.aws.gather import aws_callback
    from agentcore_readiness.facts.aws.model import AwsReviewOptions, parse_runtime_arn, validate_region

    try:
        checked_region = validate_region(region) if region else None
        arns = tuple(parse_runtime_arn(arn).arn for arn in runtime_arns or ())
    except ValueError as exc:
        raise InputError(str(exc)) from None
    from agentcore_readiness.engine import aws_groups

    chosen = select_rules(load_rules(), tuple(select), tuple(ignore))
    return aws_callback(
        AwsReviewOptions(
            region=checked_region,
            runtime_arns=arns,
            all_runtimes=all_runtimes,
            groups=aws_groups(chosen),
            progress=progress,
        )
    )


def run_review(
    path: str,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    workload: str | None = None,
    *,
    aws: bool = False,
    region: str | None = None,
    runtime_arns: Sequence[str] | None = None,
    all_runtimes: bool = False,
    progress: Progress | None = None,
    policy_inputs: Sequence[Any] = (),
    measure_imports: bool = False,
    more_paths: Sequence[str] = (),
    config: ConfigChoice | None = None,
    baseline: Baseline | None = None,
) -> Report:
    _check_workload(workload)
    aws = aws or bool(runtime_arns) or all_runtimes
    request = ReviewRequest(
        target=path,
        more_targets=tuple(more_paths),
        config=config,
        baseline=baseline,
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        options=ReviewOptions(workload=workload, aws_requested=aws, measure_imports=measure_imports),
        aws_facts=aws_request(select or (), ignore or (), aws, region, runtime_arns, all_runtimes, progress),
        policy_inputs=tuple(policy_inputs),
    )
    return review(request)


def progress_reporter(ctx: Context[Any, Any] | None) -> Progress | None:
    """A thread-safe (done, total) callback that reports MCP progress to the client, at most
    every 0.2 s; ``None`` outside a request."""
    if ctx is None:
        return None
    import anyio.from_thread
    import anyio.lowlevel

    token = anyio.lowlevel.current_token()
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.2:
            return
        last[0] = now
        try:
            anyio.from_thread.run(partial(ctx.report_progress, done, total, "AWS facts"), token=token)
        except Exception:  # noqa: BLE001 - progress is best effort; the review goes on
            return

    return report


async def shaped(run: Callable[[], Report], view: ResultView) -> ReviewResult:
    """Run a review in a worker thread and answer with the part ``view`` asks for."""

    def review_and_shape() -> ReviewResult:
        return shape(run(), view)

    return await anyio.to_thread.run_sync(review_and_shape)


async def review_project(
    path: PathArg,
    select: Codes = None,
    ignore: Codes = None,
    workload: Workload = None,
    aws: AwsArg = False,
    region: RegionArg = None,
    runtime_arns: RuntimeArnsArg = None,
    all_runtimes: AllRuntimesArg = False,
    measure_imports: MeasureImportsArg = False,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
    ctx: Context = None,  # type: ignore[type-arg,assignment]
) -> ReviewResult:
    """Review an AgentCore project for production readiness with every rule (IAM, auth,
    secrets, sessions, observability, performance, resources): status counts, the fail and
    warn findings most severe first with location and fix (`max_findings` at a time; the
    answer gives the `offset` for the rest), and why rules did not decide. Offline by
    default (AWS rules `skipped`); `aws=true` also reads the deployed runtimes, roles and
    account settings, read-only.
    """
    run = partial(
        run_review,
        path,
        select,
        ignore,
        workload,
        aws=aws,
        region=region,
        runtime_arns=runtime_arns,
        all_runtimes=all_runtimes,
        progress=progress_reporter(ctx),
        measure_imports=measure_imports,
    )
    return await shaped(run, ResultView.of(detail, status, min_severity, max_findings, offset))


async def check_auth(
    path: PathArg,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
) -> ReviewResult:
    """Check inbound authentication of the project's runtimes and gateways: no NONE
    authorizers, complete CUSTOM_JWT settings (discovery URL, allowed clients or audience),
    no DEBUG exception details, and no caller sending a Bearer token to an IAM runtime.
    """
    run = partial(run_review, path, list(tool_rules("check_auth")), None, None)
    return await shaped(run, ResultView.of(detail, status, min_severity, max_findings, offset))


TOOLS = [
    ToolSpec(review_project, "Review an AgentCore project", open_world=True, text=render_review, schema_depth=3),
    ToolSpec(check_auth, "Check inbound authentication", text=render_review),
]

"""``check_shell_access``: who can run shell commands in the agent's runtimes, and how safely."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Literal

import anyio.to_thread
from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.checks.registry import tool_rules
from agentcore_readiness.model import Report, RuleResult
from agentcore_readiness.render.answer_text import render_review
from agentcore_readiness.render.md import code, inline
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
from agentcore_readiness.tools.iam import PoliciesArg, PolicyFilesArg, policy_inputs
from agentcore_readiness.tools.review import (
    AllRuntimesArg,
    AwsArg,
    PathArg,
    RegionArg,
    RuntimeArnsArg,
    progress_reporter,
    run_review,
)

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context


class ShellAccessHolder(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    arn: str | None = None
    kind: Literal["user", "role", "group", "unknown"]
    name: str
    grants: list[str] = Field(description="The policy statements that allow InvokeAgentRuntimeCommand")
    conditional: bool = Field(description="Every grant has IAM conditions (they may narrow it)")


class ShellAccessReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    who_can_run_commands: str = Field(description="In a sentence: who can run shell commands in the runtimes")
    holders_known: bool = Field(description="Whether the account's IAM was read (AWS access)")
    holders: list[ShellAccessHolder] = Field(default_factory=list)
    report: ReviewResult


def _kind(arn: str | None) -> Literal["user", "role", "group", "unknown"]:
    for kind in ("user", "role", "group"):
        if arn and f":{kind}/" in arn:
            return kind  # type: ignore[return-value]
    return "unknown"


def shell_access_summary(report: Report, view: ResultView | None = None) -> ShellAccessReport:
    """The CMD002 findings as a list of principals, with a one-line answer."""
    results: dict[str, RuleResult] = {r.rule: r for p in report.projects for r in p.results}
    holders_result = results.get("CMD002")
    holders: list[ShellAccessHolder] = []
    if holders_result is not None:
        for finding in holders_result.findings:
            grants = [line for line in (finding.evidence or "").splitlines() if line.strip()]
            holders.append(
                ShellAccessHolder(
                    arn=finding.location.arn,
                    kind=_kind(finding.location.arn),
                    name=finding.subject or finding.location.arn or "?",
                    grants=grants,
                    conditional=bool(grants) and all(" if " in g for g in grants if ": Allow" in g),
                )
            )
    known = holders_result is not None and holders_result.status in ("pass", "warn", "fail")
    if not known:
        reason = holders_result.reason if holders_result is not None else "CMD002 did not run"
        sentence = f"Unknown: listing who can call InvokeAgentRuntimeCommand needs the account's IAM ({reason})."
    elif not holders:
        sentence = "Nobody: no IAM user, role or group of the account can call InvokeAgentRuntimeCommand."
    else:
        names = ", ".join(f"{h.kind} {h.name}" for h in holders[:10])
        more = f" and {len(holders) - 10} more" if len(holders) > 10 else ""
        sentence = f"{len(holders)} principal(s) can run shell commands in the runtimes: {names}{more}."
    return ShellAccessReport(
        who_can_run_commands=sentence,
        holders_known=known,
        holders=holders,
        report=shape(report, view or ResultView(detail="full")),
    )


async def check_shell_access(
    path: PathArg,
    aws: AwsArg = False,
    region: RegionArg = None,
    runtime_arns: RuntimeArnsArg = None,
    all_runtimes: AllRuntimesArg = False,
    policies: PoliciesArg = None,
    policy_files: PolicyFilesArg = None,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
    ctx: Context = None,  # type: ignore[type-arg,assignment]
) -> ShellAccessReport:
    """Check shell access to the agent's runtimes (InvokeAgentRuntimeCommand): who
    holds the permission (with `aws=true`, every user, role and group of the account),
    wildcard grants, policies that mix it with InvokeAgentRuntime, grants on every runtime,
    the CloudTrail/EventBridge alert, and commands built from user input in the code.
    Offline it reviews the project's policy documents and the ones given in `policies` /
    `policy_files`.
    """
    inputs = policy_inputs(policies, policy_files)
    run = partial(
        run_review,
        path,
        list(tool_rules("check_shell_access")),
        None,
        None,
        aws=aws,
        region=region,
        runtime_arns=runtime_arns,
        all_runtimes=all_runtimes,
        progress=progress_reporter(ctx),
        policy_inputs=inputs,
    )
    view = ResultView.of(detail, status, min_severity, max_findings, offset)
    return await anyio.to_thread.run_sync(lambda: shell_access_summary(run(), view))


def render_shell_access(answer: ShellAccessReport) -> str:
    lines = [f"**Who can run shell commands:** {inline(answer.who_can_run_commands)}", ""]
    for holder in answer.holders:
        condition = " (every grant has conditions)" if holder.conditional else ""
        lines.append(f"- {holder.kind} {code(holder.arn or holder.name)}{condition}")
        lines.extend(f"  - {code(grant)}" for grant in holder.grants[:5])
    if answer.holders:
        lines.append("")
    return "\n".join(lines) + render_review(answer.report)


TOOLS = [
    ToolSpec(
        check_shell_access, "Check who can run shell commands in the agent", open_world=True, text=render_shell_access
    )
]

"""``audit_sessions``: how the project makes, reuses and stops runtime sessions, its
lifecycle settings against the workload table, and background work inside the agent.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.checks.registry import WORKLOADS, ReviewOptions, tool_rules
from agentcore_readiness.engine import InputError, ReviewRequest, resolve_target, review
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
from agentcore_readiness.tools.review import PathArg


class LifecycleProposal(BaseModel):
    """The lifecycle values the skill's workload table suggests for one runtime."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project: str
    runtime: str
    workload: str
    workload_title: str
    current_idle_timeout: int = Field(description="Seconds; the service default (900) when unset")
    current_max_lifetime: int = Field(description="Seconds; the service default (28800) when unset")
    idle_timeout_is_default: bool
    max_lifetime_is_default: bool
    table_idle_timeout: str
    table_max_lifetime: str
    fits: bool = Field(description="Whether the current values already fit the table")
    proposed_idle_timeout: int
    proposed_max_lifetime: int
    assumption: str | None = Field(default=None, description="What the proposal assumes (batch job length)")
    patch_file: str
    patch: list[dict[str, Any]] = Field(description="RFC 6902 JSON Patch against patch_file")
    add_agent_command: str = Field(description="The same values as `agentcore add agent` flags, for a new agent")
    apply_commands: list[str]


class SessionAudit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    workload: str | None = Field(
        default=None, description="The workload compared with (argument, else the project's setting)"
    )
    report: ReviewResult
    proposals: list[LifecycleProposal] = Field(
        default_factory=list, description="Per runtime, when a workload is known"
    )


def _check_workload(workload: str | None) -> None:
    if workload is not None and workload not in WORKLOADS:
        raise InputError(f"unknown workload {workload!r}: use one of {', '.join(WORKLOADS)}")


def proposals_for(path: str, workload: str | None) -> tuple[list[LifecycleProposal], str | None]:
    from agentcore_readiness.checks.sessions.workload import WORKLOAD_TABLE, lifecycle_proposal
    from agentcore_readiness.facts.project.project_facts import load_project
    from agentcore_readiness.finalize import project_documents, valid_fix

    proposals: list[LifecycleProposal] = []
    used: str | None = workload
    for root, display in resolve_target(path):
        project = load_project(root, display)
        chosen = workload or project.settings.workload
        if chosen not in WORKLOAD_TABLE:
            continue
        used = used or chosen
        for runtime in project.runtimes:
            proposal = lifecycle_proposal(runtime, chosen)
            fix = valid_fix(proposal.fix(), project_documents(project.root))
            proposals.append(
                LifecycleProposal(
                    project=display,
                    runtime=runtime.name,
                    workload=chosen,
                    workload_title=proposal.row.title,
                    current_idle_timeout=proposal.current_idle,
                    current_max_lifetime=proposal.current_max,
                    idle_timeout_is_default=proposal.idle_is_default,
                    max_lifetime_is_default=proposal.max_is_default,
                    table_idle_timeout=proposal.table_idle,
                    table_max_lifetime=proposal.table_max,
                    fits=proposal.fits,
                    proposed_idle_timeout=proposal.proposed_idle,
                    proposed_max_lifetime=proposal.proposed_max,
                    assumption=proposal.row.assumption,
                    patch_file=fix.patch_file or "",
                    patch=fix.patch or [],
                    add_agent_command=proposal.add_agent_command,
                    apply_commands=fix.commands,
                )
            )
    return proposals, used


def run_audit_sessions(
    path: str,
    workload: str | None = None,
    rules: tuple[str, ...] | None = None,
    view: ResultView | None = None,
) -> SessionAudit:
    _check_workload(workload)
    report = review(
        ReviewRequest(
            target=path,
            select=rules if rules is not None else tool_rules("audit_sessions"),
            options=ReviewOptions(workload=workload),
        )
    )
    proposals, used = proposals_for(path, workload)
    return SessionAudit(workload=used, report=shape(report, view or ResultView(detail="full")), proposals=proposals)


def render_session_audit(audit: SessionAudit) -> str:
    lines: list[str] = []
    if audit.proposals:
        lines.extend([f"### Lifecycle for a {inline(audit.workload or '')} workload", ""])
    for proposal in audit.proposals:
        verdict = "fits the table" if proposal.fits else "outside the table"
        lines.append(
            f"- {inline(proposal.runtime)}: idle {proposal.current_idle_timeout} s, max {proposal.current_max_lifetime} s "
            f"({verdict}: idle {inline(proposal.table_idle_timeout)}, max {inline(proposal.table_max_lifetime)}); "
            f"proposed idle {proposal.proposed_idle_timeout} s, max {proposal.proposed_max_lifetime} s"
        )
        if not proposal.fits:
            lines.append(f"  - {code(proposal.add_agent_command)}")
            lines.extend(f"  - {code(command)}" for command in proposal.apply_commands)
    if lines:
        lines.append("")
    return "\n".join(lines) + render_review(audit.report)


async def audit_sessions(
    path: PathArg,
    workload: Annotated[
        str | None,
        Field(
            description="How the agent is used, to compare the lifecycle settings with the skill's table and "
            f"propose values: one of {', '.join(WORKLOADS)}"
        ),
    ] = None,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
) -> SessionAudit:
    """Audit runtime sessions, the main cost and `maxVms` lever: how callers make session
    IDs (per request or per conversation, omitted, under 33 characters), whether finished
    sessions are stopped, client retries, the idle timeout and maximum lifetime (with a
    workload: proposed values and the agentcore.json patch), background work without
    `add_async_task`, blocking calls in async handlers, streams without heartbeats, and
    Memory / Code Interpreter / Browser usage.
    """
    view = ResultView.of(detail, status, min_severity, max_findings, offset)
    return await anyio.to_thread.run_sync(run_audit_sessions, path, workload, None, view)


TOOLS = [ToolSpec(audit_sessions, "Audit runtime sessions and lifecycle", text=render_session_audit)]

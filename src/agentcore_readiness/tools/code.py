"""``audit_code``: the rules that read the agent's own source code."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from pydantic import Field

from agentcore_readiness.checks.registry import tool_rules
from agentcore_readiness.engine import ReviewRequest, review
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
    narrow,
)
from agentcore_readiness.tools.review import IgnoreArg, PathArg, shaped


def audit_rules(select: list[str] | None = None, ignore: list[str] | None = None) -> tuple[str, ...]:
    """The rule codes an audit runs: every rule that declares ``audit_code`` (the rules that read
    code), narrowed by ``select`` and ``ignore``."""
    return narrow("audit_code", tool_rules("audit_code"), select, ignore)


def run_audit_code(path: str, select: list[str] | None = None, ignore: list[str] | None = None) -> Report:
    return review(ReviewRequest(target=path, select=audit_rules(select, ignore)))


async def audit_code(
    path: PathArg,
    select: Annotated[
        list[str] | None,
        Field(description="Only these of the code rules below (codes or prefixes), e.g. ['SEC', 'GW002']"),
    ] = None,
    ignore: IgnoreArg = None,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
) -> ReviewResult:
    """Audit the agent's own source code, parsed once per file: error handling, payload
    validation, rate limiting in the agent, secrets in code, direct HTTP/MCP/A2A calls with
    the `agentcore add gateway-target` command that replaces each, shell injection, Bearer
    tokens to IAM runtimes, private resources from PUBLIC runtimes, unused and heavy
    imports, how callers make and end sessions and what the agent leaves running, and tests.
    `# agentcore-readiness: ignore[RULE] reason` on a line silences a rule there.
    """
    run = partial(run_audit_code, path, select, ignore)
    return await shaped(run, ResultView.of(detail, status, min_severity, max_findings, offset))


TOOLS = [ToolSpec(audit_code, "Audit the agent's code", text=render_review)]

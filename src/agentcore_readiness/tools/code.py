"""``audit_code``: the rules that read the agent's own source code."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from pydantic import Field

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.model import Report
from agentcore_readiness.render.results import render_review
from agentcore_readiness.tools import ToolSpec
from agentcore_readiness.tools.results import (
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

CODE_AUDIT_RULES: tuple[str, ...] = (
    "CODE",
    "SEC001",
    "SEC002",
    "SEC003",
    "SEC004",
    "GW001",
    "GW002",
    "GW003",
    "GW004",
    "CMD006",
    "AUTH006",
    "NET001",
    "TEST",
)


def audit_rules(select: list[str] | None = None, ignore: list[str] | None = None) -> tuple[str, ...]:
    """The rule codes an audit runs: all of :data:`CODE_AUDIT_RULES`, narrowed by ``select`` and ``ignore``."""
    return narrow("audit_code", CODE_AUDIT_RULES, select, ignore)


def run_audit_code(path: str, select: list[str] | None = None, ignore: list[str] | None = None) -> Report:
    return review(ReviewRequest(target=path, select=audit_rules(select, ignore)))


async def audit_code(
    path: PathArg,
    select: Annotated[
        list[str] | None,
        Field(
            description="Only these code rules (codes or prefixes), e.g. ['SEC', 'GW002']; default: every code "
            "rule (CODE, SEC001-SEC004, GW001-GW004, CMD006, AUTH006, NET001, TEST)"
        ),
    ] = None,
    ignore: IgnoreArg = None,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
) -> ReviewResult:
    """Audit the agent's own source code, parsed once per file: error handling
    (CODE001-CODE004), payload validation (CODE005-CODE007), rate limiting in the agent
    (CODE008), secrets in code or environment variables (SEC001-SEC004), direct
    HTTP/MCP/A2A calls with the `agentcore add gateway-target` command that replaces each
    (GW001-GW004), shell injection (CMD006), Bearer tokens to IAM runtimes (AUTH006),
    private resources from PUBLIC runtimes (NET001) and tests (TEST001-TEST002).
    `# agentcore-readiness: ignore[RULE] reason` on a line silences a rule there.
    """
    run = partial(run_audit_code, path, select, ignore)
    return await shaped(run, ResultView.of(detail, status, min_severity, max_findings, offset))


TOOLS = [ToolSpec(audit_code, "Audit the agent's code", text=render_review)]

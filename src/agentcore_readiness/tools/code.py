"""``audit_code``: the rules that read the agent's own source code."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from pydantic import Field

from agentcore_readiness.checks.registry import load_rules, select_rules
from agentcore_readiness.engine import InputError, ReviewRequest, review
from agentcore_readiness.model import Report
from agentcore_readiness.tools import ToolSpec
from agentcore_readiness.tools.review import PathArg

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


def audit_rules(select: list[str] | None = None) -> tuple[str, ...]:
    """The rule codes an audit runs: all of :data:`CODE_AUDIT_RULES`, or those ``select`` names."""
    registry = load_rules()
    audited = [r.meta.code for r in select_rules(registry, CODE_AUDIT_RULES)]
    if not select:
        return tuple(audited)
    chosen = [code for code in audited if any(code.startswith(p.strip().upper()) for p in select if p.strip())]
    unknown = [p for p in select if p.strip() and not any(c.startswith(p.strip().upper()) for c in audited)]
    if unknown or not chosen:
        raise InputError(
            f"audit_code does not run {', '.join(unknown) or 'those rules'}: choose among {', '.join(audited)} "
            "(review_project runs every rule)"
        )
    return tuple(chosen)


def run_audit_code(path: str, select: list[str] | None = None) -> Report:
    return review(ReviewRequest(target=path, select=audit_rules(select)))


async def audit_code(
    path: PathArg,
    select: Annotated[
        list[str] | None,
        Field(
            description="Only these code rules (codes or prefixes), e.g. ['SEC', 'GW002']; default: every code "
            "rule (CODE, SEC001-SEC004, GW001-GW004, CMD006, AUTH006, NET001, TEST)"
        ),
    ] = None,
) -> Report:
    """Audit the agent's own source code, parsed once per file: error handling
    (CODE001-CODE004), payload validation (CODE005-CODE007), rate limiting in the agent
    (CODE008), hard-coded secrets and secrets from environment variables (SEC001-SEC004),
    direct HTTP/MCP/A2A calls classified by the skill's Gateway decision table with the
    `agentcore add gateway-target` command that replaces each (GW001-GW004), shell
    command injection (CMD006), Bearer tokens sent to IAM runtimes (AUTH006), private
    resources from PUBLIC runtimes (NET001) and tests (TEST001-TEST002). Agent code is
    each runtime's codeLocation; caller scripts are checked by the caller rules. Files
    that cannot be read or parsed are listed in `fact_errors` as skipped, with the
    reason. `# agentcore-readiness: ignore[RULE] reason` on a line silences that rule
    there (a reason is required); the report counts suppressions.
    """
    return await anyio.to_thread.run_sync(run_audit_code, path, select)


TOOLS = [ToolSpec(audit_code, "Audit the agent's code")]

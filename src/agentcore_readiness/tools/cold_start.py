"""``audit_cold_start``: what an agent costs before it answers its first request."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from pydantic import Field

from agentcore_readiness.checks.registry import ReviewOptions, tool_rules
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
)
from agentcore_readiness.tools.review import PathArg, shaped

MAX_IMPORT_TIMEOUT = 300.0


def run_audit_cold_start(path: str, measure_imports: bool = False, import_timeout_seconds: float = 30.0) -> Report:
    if not 1 <= import_timeout_seconds <= MAX_IMPORT_TIMEOUT:
        raise InputError(f"import_timeout_seconds must be between 1 and {MAX_IMPORT_TIMEOUT:g}")
    options = ReviewOptions(measure_imports=measure_imports, import_timeout=import_timeout_seconds)
    return review(ReviewRequest(target=path, select=tool_rules("audit_cold_start"), options=options))


async def audit_cold_start(
    path: PathArg,
    measure_imports: Annotated[
        bool,
        Field(
            description="Also time the import of each runtime's entrypoint (PERF007). This runs the agent's own "
            "code, in a separate process with a hard time limit; off by default"
        ),
    ] = False,
    import_timeout_seconds: Annotated[
        float,
        Field(description="With measure_imports: seconds before the import's process group is killed (1-300)"),
    ] = 30.0,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
) -> ReviewResult:
    """Audit cold-start cost: deployment package size measured from the code location and
    its resolved dependencies (uv.lock or .venv; an estimate that says so otherwise), dev
    tools or tests shipped, declared dependencies never imported, clients/models/MCP
    clients built at import time (with the lazy-getter rewrite), Dockerfile weight, and
    optionally the measured entrypoint import time.
    """
    run = partial(run_audit_cold_start, path, measure_imports, import_timeout_seconds)
    return await shaped(run, ResultView.of(detail, status, min_severity, max_findings, offset))


TOOLS = [ToolSpec(audit_cold_start, "Audit cold-start cost", text=render_review)]

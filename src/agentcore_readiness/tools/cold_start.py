"""``audit_cold_start``: what an agent costs before it answers its first request."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from pydantic import Field

from agentcore_readiness.checks.registry import ReviewOptions
from agentcore_readiness.engine import InputError, ReviewRequest, review
from agentcore_readiness.model import Report
from agentcore_readiness.tools import ToolSpec

COLD_START_RULES: tuple[str, ...] = ("PERF",)
MAX_IMPORT_TIMEOUT = 300.0


def run_audit_cold_start(path: str, measure_imports: bool = False, import_timeout_seconds: float = 30.0) -> Report:
    if not 1 <= import_timeout_seconds <= MAX_IMPORT_TIMEOUT:
        raise InputError(f"import_timeout_seconds must be between 1 and {MAX_IMPORT_TIMEOUT:g}")
    options = ReviewOptions(measure_imports=measure_imports, import_timeout=import_timeout_seconds)
    return review(ReviewRequest(target=path, select=COLD_START_RULES, options=options))


async def audit_cold_start(
    path: Annotated[
        str,
        Field(description="Project directory (holding agentcore/agentcore.json or .bedrock_agentcore.yaml)"),
    ],
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
) -> Report:
    """Audit cold-start cost: deployment package size measured from the code location and
    its resolved dependencies (uv.lock or .venv; an estimate that says so otherwise), dev
    tools or tests shipped, declared dependencies never imported, clients/models/MCP
    clients built at import time (with the lazy-getter rewrite), Dockerfile weight, and
    optionally the measured entrypoint import time (rules PERF001-PERF007).
    """
    return await anyio.to_thread.run_sync(run_audit_cold_start, path, measure_imports, import_timeout_seconds)


TOOLS = [ToolSpec(audit_cold_start, "Audit cold-start cost")]

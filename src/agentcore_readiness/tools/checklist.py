"""``render_checklist``: the skill's production-readiness checklist, filled in."""

from __future__ import annotations

import anyio.to_thread

from agentcore_readiness.render.checklist import ChecklistResult, checklist_for_report
from agentcore_readiness.tools import ToolSpec
from agentcore_readiness.tools.review import PathArg, Workload, run_review


def build_checklist(path: str, workload: str | None = None) -> ChecklistResult:
    return checklist_for_report(run_review(path, workload=workload))


async def render_checklist(path: PathArg, workload: Workload = None) -> ChecklistResult:
    """Fill in the skill's "Production Readiness Checklist for <AgentName>" for the
    project: each item [x] pass, [ ] fail or warn with the finding and its fix, [-] not
    applicable, [?] not decided (skipped, unknown or manual) with the reason. Returns the
    markdown and the same content as structured data.
    """
    return await anyio.to_thread.run_sync(build_checklist, path, workload)


TOOLS = [ToolSpec(render_checklist, "Render the production-readiness checklist")]

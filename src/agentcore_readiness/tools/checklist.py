"""``render_checklist``: the skill's production-readiness checklist, filled in."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from pydantic import Field

from agentcore_readiness.render.filled_checklist import ChecklistResult, checklist_for_report
from agentcore_readiness.tools import ToolSpec
from agentcore_readiness.tools.answer_shape import Detail
from agentcore_readiness.tools.review import Codes, PathArg, Workload, run_review

ChecklistDetail = Annotated[Detail, Field(description="full: each finding's fix, code and commands too")]


def build_checklist(
    path: str,
    workload: str | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    detail: Detail = "summary",
) -> ChecklistResult:
    return checklist_for_report(run_review(path, select, ignore, workload=workload), with_fixes=detail == "full")


async def render_checklist(
    path: PathArg,
    workload: Workload = None,
    select: Codes = None,
    ignore: Codes = None,
    detail: ChecklistDetail = "summary",
) -> ChecklistResult:
    """Fill in the skill's "Production Readiness Checklist for <AgentName>" for the
    project, as markdown: the fail and warn findings, most severe first and numbered, then
    each item [x] pass, [ ] fail or warn with the numbers of its findings, [-] not
    applicable, [?] not decided (skipped, unknown or manual) with the reason. Fixes:
    `detail="full"`, or review_project. `select` / `ignore` keep the items those rules decide.
    """
    return await anyio.to_thread.run_sync(build_checklist, path, workload, select, ignore, detail)


def checklist_markdown(result: ChecklistResult) -> str:
    return result.markdown


TOOLS = [
    ToolSpec(
        render_checklist,
        "Render the production-readiness checklist",
        text=checklist_markdown,
        text_only=("markdown",),
    )
]

"""``review_project`` and ``check_auth``: run the rules over a project."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from pydantic import Field

from agentcore_readiness.checks.registry import WORKLOADS, ReviewOptions
from agentcore_readiness.engine import InputError, ReviewRequest, review
from agentcore_readiness.model import Report
from agentcore_readiness.tools import ToolSpec

PathArg = Annotated[
    str,
    Field(
        description="Project directory (holding agentcore/agentcore.json or .bedrock_agentcore.yaml), a file "
        "inside it, or a repository holding several projects"
    ),
]
Codes = Annotated[
    list[str] | None,
    Field(description="Rule codes or prefixes, e.g. ['AUTH', 'SESS006']"),
]
Workload = Annotated[
    str | None,
    Field(description=f"Workload shape for the session-lifecycle table: one of {', '.join(WORKLOADS)}"),
]


def _check_workload(workload: str | None) -> None:
    if workload is not None and workload not in WORKLOADS:
        raise InputError(f"unknown workload {workload!r}: use one of {', '.join(WORKLOADS)}")


def run_review(
    path: str, select: list[str] | None = None, ignore: list[str] | None = None, workload: str | None = None
) -> Report:
    _check_workload(workload)
    request = ReviewRequest(
        target=path,
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        options=ReviewOptions(workload=workload),
    )
    return review(request)


async def review_project(
    path: PathArg, select: Codes = None, ignore: Codes = None, workload: Workload = None
) -> Report:
    """Review an AgentCore project for production readiness: every rule that can run on
    it (IAM, authentication, secrets, sessions, observability, performance, resources),
    with each rule's status and each finding's location, evidence and fix. Works offline
    on the project files; AWS-backed rules report `skipped` with the reason.
    """
    return await anyio.to_thread.run_sync(run_review, path, select, ignore, workload)


async def check_auth(path: PathArg) -> Report:
    """Check inbound authentication of the project's runtimes and gateways: no NONE
    authorizers, complete CUSTOM_JWT settings (discovery URL, allowed clients or audience),
    no DEBUG exception details (rules AUTH001-AUTH005).
    """
    return await anyio.to_thread.run_sync(run_review, path, ["AUTH"], None, None)


TOOLS = [
    ToolSpec(review_project, "Review an AgentCore project"),
    ToolSpec(check_auth, "Check inbound authentication"),
]

"""``map_project``: what each runtime is made of, every item with file:line, for a reviewer
(or the assistant calling this tool) to know where to read."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio.to_thread

from agentcore_readiness.checks.map_builder import MapResult, ProjectMap, build_map
from agentcore_readiness.checks.registry import Facts
from agentcore_readiness.engine import resolve_target
from agentcore_readiness.log import get_logger
from agentcore_readiness.render.map_text import render_maps
from agentcore_readiness.tools import ToolSpec
from agentcore_readiness.tools.review import PathArg

log = get_logger(__name__)


def build_maps(path: str) -> MapResult:
    """The map of every project found at ``path`` (InputError for a bad path)."""
    from agentcore_readiness.facts.code.index import build_code_index
    from agentcore_readiness.facts.project.project_facts import load_project
    from agentcore_readiness.facts.project_policies import gather_project_policies

    maps = []
    for root, display in resolve_target(path):
        project = load_project(root, display)
        code = build_code_index(project)
        policies = gather_project_policies(project, code)
        facts = Facts(project=project, now=datetime.now(UTC), code=code, extra={"policies": policies})
        try:
            maps.append(build_map(facts, policies))
        except Exception as exc:  # a map that cannot be built is one project's note, never a crash
            log.error("project map failed", project=display, error_type=type(exc).__name__, exc_info=True)
            maps.append(
                ProjectMap(
                    project=project.name,
                    path=display,
                    layout=project.layout,
                    notes=[f"the map could not be built ({type(exc).__name__}); review_project still reviews it"],
                )
            )
    return MapResult(maps=maps)


def map_text(result: MapResult) -> str:
    return render_maps(result.maps)


async def map_project(path: PathArg) -> MapResult:
    """Map an AgentCore project for a reviewer: for each runtime, its entrypoint and
    protocol, the modules it reaches (with sizes), the tools given to the model and what
    each touches (AWS operations classed read-only or mutating, HTTP hosts, subprocesses,
    databases), the models it calls (IDs, or the framework default), its memory calls
    (strategies declared against namespaces read; where actor and session IDs come from:
    verified context, payload, header, constant), the JWT claims and headers it reads, how
    it reads its session, and the code that invokes it (caller files, their shape, how
    they make session IDs); for the project, memories, gateways (targets, credentials,
    policy engine) and IAM statements found offline. Every item has file:line. The text
    is a compact map to read from; the structured content has every item.
    """
    return await anyio.to_thread.run_sync(build_maps, path)


TOOLS = [ToolSpec(map_project, "Map what each runtime is made of", text=map_text)]

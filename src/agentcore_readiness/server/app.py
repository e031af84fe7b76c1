"""``build_server``: the MCP server, built from the tool modules. No work at import time."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Awaitable, Callable
from typing import Any

from agentcore_readiness import __version__
from agentcore_readiness.settings import Settings

INSTRUCTIONS = """\
agentcore-readiness reviews AWS Bedrock AgentCore agent projects for production readiness.
Which tool for which question:
- "Is my agent ready for production?" -> review_project (all rules), then render_checklist for the skill's checklist.
- "Who can call my agent / is auth right?" -> check_auth.
- "What does rule X mean / how do I fix it?" -> explain_rule; list_rules for the catalog.
Every tool is read-only. Paths are project directories (holding agentcore/agentcore.json or
.bedrock_agentcore.yaml). Findings carry a rule code, severity, file:line or ARN, evidence and a fix.
"""


def _as_tool_error(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Turn our InputError into an MCP tool error with the same clear message."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        from mcp.server.mcpserver.exceptions import ToolError

        from agentcore_readiness.engine import InputError

        try:
            return await fn(*args, **kwargs)
        except InputError as exc:
            raise ToolError(str(exc)) from None

    return wrapper


def build_server(settings: Settings | None = None) -> Any:
    from mcp.server.mcpserver import MCPServer
    from mcp_types import ToolAnnotations

    from agentcore_readiness import tools

    settings = settings or Settings()
    server = MCPServer(
        name="agentcore-readiness",
        title="AgentCore production readiness",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level=(settings.log_level or "WARNING").upper(),  # type: ignore[arg-type]
    )
    for module_name in tools.TOOL_MODULES:
        module = importlib.import_module(f"agentcore_readiness.tools.{module_name}")
        for spec in module.TOOLS:
            server.add_tool(
                _as_tool_error(spec.fn),
                name=spec.name,
                title=spec.title,
                annotations=ToolAnnotations(
                    title=spec.title,
                    read_only_hint=True,
                    destructive_hint=False,
                    idempotent_hint=True,
                    open_world_hint=spec.open_world,
                ),
                structured_output=True,
            )
    return server


def run(settings: Settings) -> None:
    server = build_server(settings)
    if settings.transport == "stdio":
        server.run("stdio")
    else:
        server.run(
            "streamable-http",
            host=settings.host,
            port=settings.port,
            stateless_http=settings.stateless_http,
        )

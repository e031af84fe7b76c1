"""One plain async function per MCP tool; the CLI and the MCP server both call them.

Each module lists its tools in ``TOOLS``; ``TOOL_MODULES`` lists the modules the server
registers. Tools raise :class:`~agentcore_readiness.engine.InputError` for bad input;
the server turns that into an MCP tool error and the CLI into exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TOOL_MODULES: tuple[str, ...] = (
    "review",
    "checklist",
    "rules",
    "iam",
    "shell",
    "observability",
    "sessions",
    "cold_start",
    "quota",
    "jwt",
    "code",
    "map",
)


@dataclass(frozen=True)
class ToolSpec:
    fn: Callable[..., Any]
    title: str
    open_world: bool = False
    """True where the tool reaches AWS or the network."""
    text: Callable[[Any], str] | None = None
    """The answer as text for the model (the structured content stays the whole answer);
    without it the text block is the answer's JSON."""

    @property
    def name(self) -> str:
        return self.fn.__name__

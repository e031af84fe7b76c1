"""One plain async function per MCP tool; the CLI and the MCP server both call them.

Each module lists its tools in ``TOOLS``; ``TOOL_MODULES`` lists the modules the server
registers. Tools raise :class:`~agentcore_readiness.engine.InputError` for bad input;
the server turns that into an MCP tool error and the CLI into exit code 2.

A tool's answer is its structured content (the model it returns, without nulls, empty
lists or defaults) and a text block: ``ToolSpec.text`` renders the same answer as concise
markdown, and the fields named in ``ToolSpec.text_only`` (markdown the model also carries)
go to the text block only.
"""

from __future__ import annotations

import importlib
import inspect
import re
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

TOOLSETS: dict[str, tuple[str, ...]] = {
    "review": ("review_project",),
    "checklist": ("render_checklist",),
    "rules": ("list_rules", "explain_rule"),
    "auth": ("check_auth", "diagnose_jwt_403"),
    "iam": ("check_iam_scope", "check_shell_access"),
    "observability": ("check_observability",),
    "sessions": ("audit_sessions", "diagnose_quota_error"),
    "performance": ("audit_cold_start",),
    "code": ("audit_code",),
    "map": ("map_project",),
}
"""Groups of tools a server can expose (``serve --toolsets``); ``all`` is every tool."""


@dataclass(frozen=True)
class ToolSpec:
    fn: Callable[..., Any]
    title: str
    open_world: bool = False
    """True where the tool reaches AWS or the network."""
    text: Callable[[Any], str] | None = None
    """The answer as markdown, for the model; without it the text block is a one-line summary."""
    text_only: tuple[str, ...] = ()
    """Fields of the answer that are markdown already: sent as the text block, not in structured content."""
    schema_depth: int = 2
    """Levels of the answer its published output schema spells out (deeper values: their type only)."""

    @property
    def name(self) -> str:
        return self.fn.__name__

    def description(self) -> str:
        """The tool's docstring, then the codes of the rules that declare this tool on
        ``@rule(tools=...)``: written nowhere by hand, so a new rule shows up by itself."""
        from agentcore_readiness.checks.registry import tool_rules

        doc = inspect.cleandoc(self.fn.__doc__ or "")
        codes = tool_rules(self.name)
        return f"{doc}\nRules: {rule_span(codes)}." if codes else doc


def rule_span(codes: tuple[str, ...]) -> str:
    """``codes`` in order, runs of three or more consecutive codes of a family written as
    one range: ``SESS001-SESS014, RES004, RES007``."""
    runs: list[list[str]] = []
    for code in codes:
        family, number = _code_parts(code)
        if runs and _code_parts(runs[-1][-1]) == (family, number - 1):
            runs[-1].append(code)
        else:
            runs.append([code])
    parts: list[str] = []
    for run in runs:
        parts.extend([f"{run[0]}-{run[-1]}"] if len(run) >= 3 else run)
    return ", ".join(parts)


def _code_parts(code: str) -> tuple[str, int]:
    found = re.fullmatch(r"([A-Z]+)(\d+)", code)
    return (found.group(1), int(found.group(2))) if found else (code, -1)


def all_specs() -> dict[str, ToolSpec]:
    """Every tool, by name, in registration order."""
    specs: dict[str, ToolSpec] = {}
    for module_name in TOOL_MODULES:
        module = importlib.import_module(f"agentcore_readiness.tools.{module_name}")
        for spec in module.TOOLS:
            specs[spec.name] = spec
    return specs


class UnknownToolNames(ValueError):
    """``--tools`` / ``--toolsets`` named a tool or toolset that does not exist."""


def chosen_tools(tools: tuple[str, ...] = (), toolsets: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The tool names a server exposes: those named, plus those of the toolsets named; every
    tool when neither is given (or the toolset ``all`` is)."""
    names = list(all_specs())
    if (not tools and not toolsets) or "all" in toolsets:
        return tuple(names)
    unknown_sets = [t for t in toolsets if t not in TOOLSETS]
    unknown_tools = [t for t in tools if t not in names]
    if unknown_sets or unknown_tools:
        problems = []
        if unknown_sets:
            problems.append(f"unknown toolset(s) {', '.join(unknown_sets)} (toolsets: all, {', '.join(TOOLSETS)})")
        if unknown_tools:
            problems.append(f"unknown tool(s) {', '.join(unknown_tools)} (tools: {', '.join(names)})")
        raise UnknownToolNames("; ".join(problems))
    wanted = set(tools) | {name for toolset in toolsets for name in TOOLSETS[toolset]}
    return tuple(name for name in names if name in wanted)

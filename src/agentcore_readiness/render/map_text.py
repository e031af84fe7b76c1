"""The project map as compact text for a model to act on: one block per runtime, every item
with its file:line, long lists cut with a count (the structured map has them all)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from agentcore_readiness.analysis.request_handlers import KIND_WORDS
from agentcore_readiness.checks.map_builder import (
    MapCaller,
    MapEffect,
    MapIdSource,
    MapMemoryCall,
    MapRuntime,
    MapTool,
    ProjectMap,
)
from agentcore_readiness.textsafe import excerpt

T = TypeVar("T")

TEXT_LIMITS = {"modules": 8, "tools": 10, "effects": 4, "memory": 6, "identity": 8, "callers": 6, "iam": 8}


def _cut(items: Sequence[T], limit: int, show: Callable[[T], str], total: int | None = None) -> str:
    shown = [show(item) for item in items[:limit]]
    more = (total if total is not None else len(items)) - len(shown)
    if more > 0:
        shown.append(f"+{more} more")
    return "; ".join(shown)


def _q(text: str, limit: int = 120) -> str:
    return excerpt(text, limit)


def _effect(effect: MapEffect) -> str:
    tag = "deletes" if effect.destructive else effect.access
    return f"{_q(effect.detail, 80)} [{tag}] {effect.path}:{effect.line}"


def _tool(tool: MapTool) -> str:
    head = f"{_q(tool.name, 60)} ({tool.kind}) {tool.path}:{tool.line}"
    if tool.kind == "MCP client":
        return head
    if not tool.effects:
        return head + " — touches nothing the code shows"
    return head + " — " + _cut(tool.effects, TEXT_LIMITS["effects"], _effect)


def _source(source: MapIdSource) -> str:
    text = f"{source.kind}: {_q(source.detail, 70)} {source.path}:{source.line}"
    return text + (f" (else {source.fallback!r})" if source.fallback else "")


def _memory_call(call: MapMemoryCall) -> str:
    text = f"{call.op} {call.api} {call.path}:{call.line}"
    if call.namespaces:
        text += " ns " + ", ".join(_q(n, 50) for n in call.namespaces[:3])
    if call.actor:
        text += "; actor from " + " | ".join(_source(s) for s in call.actor[:3])
    if call.session:
        text += "; session from " + " | ".join(_source(s) for s in call.session[:3])
    return text


def _caller(caller: MapCaller) -> str:
    shape = {"one_shot": "script", "service": "service"}.get(caller.shape or "", "caller")
    text = f"{caller.path}:{caller.line} ({shape}, {caller.how})"
    return text + (f": session {_q(caller.session, 90)}" if caller.session else "")


def _runtime(runtime: MapRuntime) -> list[str]:
    lines = [
        f"## Runtime {runtime.name}: {runtime.protocol}, {runtime.build or '?'}, inbound {runtime.authorizer}, "
        f"{runtime.network or 'PUBLIC'} ({runtime.config.at})"
    ]
    if runtime.missing:
        lines.append(f"- code not in this checkout: {_q(runtime.missing, 200)}")
        return lines
    handlers = [
        f"{'async ' if h.is_async else ''}{'streaming ' if h.streaming else ''}"
        f"{KIND_WORDS.get(h.kind, h.kind)} {h.name}() {h.path}:{h.line}"
        for h in runtime.handlers
    ]
    lines.append("- serves: " + ("; ".join(handlers[:6]) or "no request handler found"))
    lines.append(
        f"- code ({runtime.modules_total} module(s), {runtime.lines_total} lines): "
        + _cut(runtime.modules, TEXT_LIMITS["modules"], lambda m: f"{m.path} {m.lines}", runtime.modules_total)
    )
    if runtime.unreached:
        lines.append(
            "- ships but never imports: "
            + _cut(runtime.unreached, TEXT_LIMITS["modules"], str, runtime.unreached_total)
        )
    lines.append("- tools: " + (_cut(runtime.tools, TEXT_LIMITS["tools"], _tool) or "none"))
    if runtime.approvals:
        lines.append("- approval steps: " + "; ".join(f"{_q(p.what, 60)} {p.at}" for p in runtime.approvals[:4]))
    models = [
        f"{m.model_id or ('no model named' if m.default else 'a model chosen at run time')} ({m.built_with}, {m.source}"
        + (f": {_q(m.default, 160)}" if m.default else "")
        + f") {m.path}:{m.line}"
        for m in runtime.models
    ]
    lines.append("- models: " + ("; ".join(models[:4]) or "none found"))
    if runtime.memory:
        lines.append("- memory: " + _cut(runtime.memory, TEXT_LIMITS["memory"], _memory_call))
    identity = [
        f"{i.kind.replace('_', ' ')} {_q(i.name, 60)} {i.path}:{i.line or ''}".rstrip(":") for i in runtime.identity
    ]
    lines.append("- identity inputs: " + (_cut(identity, TEXT_LIMITS["identity"], str) or "none read"))
    if runtime.sessions:
        lines.append("- session: " + "; ".join(f"{_q(p.what, 70)} {p.at}" for p in runtime.sessions[:4]))
    lines.append(
        "- invoked by: " + (_cut(runtime.invoked_by, TEXT_LIMITS["callers"], _caller) or "no caller code found")
    )
    return lines


def render_map(project_map: ProjectMap) -> str:
    """The map of one project as compact markdown text."""
    lines = [
        f"# Map of {project_map.project} ({project_map.layout}, {len(project_map.runtimes)} runtime(s)) "
        f"at {project_map.path}",
        "Every item is file:line; read the places listed to decide what the rules left open.",
    ]
    for runtime in project_map.runtimes:
        lines.extend(_runtime(runtime))
    if project_map.callers:
        lines.append("## Callers of an unnamed runtime")
        lines.append(_cut(project_map.callers, TEXT_LIMITS["callers"], _caller))
    if project_map.memories:
        lines.append("## Memories")
        for memory in project_map.memories:
            strategies = "; ".join(
                f"{s.type} {', '.join(s.namespaces) or '(default namespace)'} "
                f"{'read' if s.retrieved else 'never read' if s.retrieved is False else 'unused'} {s.path}:{s.line}"
                for s in memory.strategies
            )
            mode = f" mode {memory.mode}" if memory.mode else ""
            if not strategies:
                read = {True: "read back", False: "never read back", None: "unused"}[memory.long_term_read]
                strategies = (
                    f"long-term strategies the toolkit creates, {read}"
                    if memory.mode == "STM_AND_LTM"
                    else "no long-term strategy"
                )
            lines.append(
                f"- {memory.name}{mode} {memory.path}:{memory.line}: {strategies}; "
                f"used at {', '.join(memory.used_by[:4]) or 'no code'}"
            )
    if project_map.gateways:
        lines.append("## Gateways")
        for gateway in project_map.gateways:
            engine = (
                f"policy engine {gateway.policy_engine} {gateway.policy_mode or ''}"
                + (" (enforcing)" if gateway.enforcing else " (not enforcing)")
                if gateway.policy_engine
                else "no policy engine"
            )
            targets = "; ".join(
                f"{t.name} {t.type or ''}"
                + (f" credential {t.credential}{'' if t.declared else ' (undeclared)'}" if t.credential else "")
                + f" {t.path}:{t.line}"
                for t in gateway.targets[:6]
            )
            lines.append(
                f"- {gateway.name} inbound {gateway.authorizer or 'NONE'}, {engine} {gateway.path}:{gateway.line}: "
                f"{targets or 'no targets'}"
            )
    if project_map.iam or project_map.managed_policies:
        lines.append("## IAM")
        for statement in project_map.iam[: TEXT_LIMITS["iam"]]:
            lines.append(
                f"- {statement.effect} {', '.join(statement.actions[:4]) or '(no action)'} on "
                f"{', '.join(statement.resources[:3]) or '*'} ({_q(statement.source, 60)}) "
                f"{statement.path}:{statement.line or ''}".rstrip(":")
            )
        if len(project_map.iam) > TEXT_LIMITS["iam"]:
            lines.append(f"- +{len(project_map.iam) - TEXT_LIMITS['iam']} more statements")
        for managed in project_map.managed_policies[:4]:
            lines.append(f"- managed {_q(managed.what, 100)} {managed.at}")
    if project_map.tests:
        lines.append(f"## Tests: {', '.join(project_map.tests[:6])}" + (" …" if len(project_map.tests) > 6 else ""))
    if project_map.notes:
        lines.append("## Not seen")
        lines.extend(f"- {_q(note, 200)}" for note in project_map.notes[:6])
    return "\n".join(lines) + "\n"


def render_maps(maps: Sequence[ProjectMap]) -> str:
    return "\n".join(render_map(m) for m in maps)

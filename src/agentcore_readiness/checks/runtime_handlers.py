"""The request handlers each runtime serves, by its protocol, and what the code rules
follow from them into the runtime's other modules.

A runtime's protocol (``HTTP``, ``MCP``, ``A2A``; as configured, else read from its
entrypoint module: a FastMCP server is MCP, an A2A server A2A) decides which functions
serve its requests (:mod:`~agentcore_readiness.analysis.request_handlers`). Of several
``@app.entrypoint`` functions on one app, only the last one is served.

Pure: works on the code index and the project facts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentcore_readiness.analysis import file_facts as analysis
from agentcore_readiness.analysis.dataflow import positional_params
from agentcore_readiness.analysis.file_facts import Delegation, EntrypointFacts, FieldRead, Guard
from agentcore_readiness.analysis.request_handlers import HANDLER_KINDS_BY_PROTOCOL, KIND_WORDS, served
from agentcore_readiness.facts.code.callflow import CodeMap, LeakFollower, References, Target, code_map

if TYPE_CHECKING:
    from agentcore_readiness.checks.registry import Facts
    from agentcore_readiness.facts.code.index import FunctionInfo, PyFile
    from agentcore_readiness.facts.project.project_facts import Runtime


@dataclass(frozen=True)
class Handler:
    """One function a runtime serves requests with."""

    file: PyFile
    entry: EntrypointFacts
    protocol: str

    @property
    def label(self) -> str:
        kind = "streaming entrypoint" if self.entry.kind == "entrypoint" and self.entry.is_generator else None
        return f"{kind or KIND_WORDS.get(self.entry.kind, self.entry.kind)} {self.entry.name}()"


@dataclass(frozen=True)
class Replaced:
    """``@app.entrypoint`` used on several functions of one app: only ``live`` is served."""

    file: PyFile
    app: str | None
    dead: tuple[EntrypointFacts, ...]
    live: EntrypointFacts


@dataclass
class HandlerModel:
    handlers: list[Handler] = field(default_factory=list)
    replaced: list[Replaced] = field(default_factory=list)
    protocols: dict[str, str] = field(default_factory=dict)
    """Runtime name -> protocol (``HTTP``, ``MCP``, ``A2A``)."""
    _live: set[tuple[str, str]] = field(default_factory=set)
    _dead: set[tuple[str, str]] = field(default_factory=set)

    def is_handler(self, path: str, qualname: str | None) -> bool:
        return (path, qualname or "") in self._live

    def is_dead(self, path: str, qualname: str | None) -> bool:
        return (path, qualname or "") in self._dead


def handler_model(facts: Facts) -> HandlerModel:
    """The request handlers of every runtime (built once per code index view, kept with it)."""
    if facts.code is None:
        return HandlerModel()
    key = ("handler_model", facts.code.declared)
    found: HandlerModel | None = facts.code.derived.get(key)
    if found is None:
        found = facts.code.derived[key] = _build_model(facts, tuple(facts.code.facts_of("runtime")))
    return found


def runtime_paths(facts: Facts) -> RuntimePaths:
    """The :class:`RuntimePaths` of the rule's code index view (built once, kept with the index)."""
    assert facts.code is not None
    key = ("runtime_paths", facts.code.declared)
    found: RuntimePaths | None = facts.code.derived.get(key)
    if found is None:
        found = facts.code.derived[key] = RuntimePaths(facts)
    return found


def _build_model(facts: Facts, files: tuple[PyFile, ...]) -> HandlerModel:
    model = HandlerModel()
    seen: set[tuple[str, str, int]] = set()
    by_runtime: dict[str, list[PyFile]] = {}
    for py_file in files:  # one pass: each runtime's files, without a scan of all files per runtime
        for name in dict.fromkeys(py_file.runtimes):
            by_runtime.setdefault(name, []).append(py_file)
    for runtime in facts.project.runtimes:
        protocol = runtime_protocol(facts, runtime.name, runtime)
        model.protocols[runtime.name] = protocol
        mine = by_runtime.get(runtime.name, [])
        kinds = HANDLER_KINDS_BY_PROTOCOL.get(protocol, ())
        if not any(e.kind in kinds for f in mine for e in f.facts.entrypoints):
            kinds = tuple(k for group in HANDLER_KINDS_BY_PROTOCOL.values() for k in group)
        for py_file in mine:
            live, replaced = served(
                [e for e in py_file.facts.entrypoints if e.kind in kinds],
                lambda e: e.kind,
                lambda e: e.app,
                lambda e: e.line,
            )
            for entry in live:
                key = (py_file.path, entry.qualname or entry.name, entry.line)
                if key not in seen:
                    seen.add(key)
                    model.handlers.append(Handler(py_file, entry, protocol))
                    model._live.add((py_file.path, entry.qualname or entry.name))
            for group in replaced:
                key = (py_file.path, group[0].qualname or group[0].name, group[0].line)
                if key in seen:
                    continue
                seen.add(key)
                model.replaced.append(Replaced(py_file, group[-1].app, tuple(group[:-1]), group[-1]))
                model._dead.update((py_file.path, e.qualname or e.name) for e in group[:-1])
    return model


# ---------------------------------------------------------------------------
# Following a handler's work into the runtime's other modules


def _function_of(cmap: CodeMap, py_file: PyFile, qualname: str | None) -> FunctionInfo | None:
    return cmap.functions_of(py_file).get(qualname or "") if qualname else None


def _resolve(cmap: CodeMap, py_file: PyFile, delegation: Delegation, within: str | None) -> Target | None:
    return cmap.lookup(py_file, delegation.target, _function_of(cmap, py_file, within))


@dataclass(frozen=True)
class DelegatedGuard:
    """How the function a handler hands all its work to is guarded."""

    guard: Guard
    target: Target


def delegated_guard(facts: Facts, handler: Handler, max_depth: int = 3) -> DelegatedGuard | None:
    """Follow a handler whose work is all one call into another module: the guard there."""
    if facts.code is None or handler.entry.handoff is None:
        return None
    cmap = code_map(facts.code, facts.project)
    py_file, handoff, within = handler.file, handler.entry.handoff, handler.entry.qualname
    found: DelegatedGuard | None = None
    for _ in range(max_depth):
        target = _resolve(cmap, py_file, handoff, within)
        if target is None:
            break
        guard = analysis.guard_of(target.function.node, target.file.analysis_context())
        found = DelegatedGuard(guard, target)
        if guard.handoff is None:
            break
        py_file, handoff, within = target.file, guard.handoff, target.function.qualname
    return found


@dataclass
class PayloadReads:
    """What a handler reads from its payload, here and in the functions it hands it to."""

    reads: list[tuple[PyFile, FieldRead]] = field(default_factory=list)
    whole_validated: str | None = None
    model: str | None = None
    """The project model the whole payload is validated into, whose fields ``reads`` then are."""


def payload_reads(facts: Facts, handler: Handler) -> PayloadReads:
    """The handler's payload reads, each with the checks applied to it here and in the
    functions of other modules the payload or the field is handed to."""
    found = PayloadReads(whole_validated=handler.entry.whole_validated)
    if facts.code is None:
        found.reads = [(handler.file, f) for f in handler.entry.fields]
        return found
    cmap = code_map(facts.code, facts.project)
    pending: list[tuple[PyFile, Delegation, str | None, int]] = [
        (handler.file, d, handler.entry.qualname, 0) for d in handler.entry.delegations
    ]
    reads: list[tuple[PyFile, FieldRead, str | None]] = [
        (handler.file, f, handler.entry.qualname) for f in handler.entry.fields
    ]
    seen: set[Target] = set()
    model = (handler.file, handler.entry.whole_model) if handler.entry.whole_model else None
    while pending:
        py_file, delegation, within, depth = pending.pop()
        target = _resolve(cmap, py_file, delegation, within)
        if target is None or target in seen or depth > 3:
            continue
        seen.add(target)
        scan = analysis.payload_fields_of(
            target.function.node, delegation.param_index, target.file.analysis_context(), delegation.after
        )
        if scan.whole_validated and found.whole_validated is None:
            found.whole_validated = f"{scan.whole_validated} in {target.label}"
            model = (target.file, scan.whole_model) if scan.whole_model else None
        reads.extend((target.file, f, target.function.qualname) for f in scan.fields)
        pending.extend((target.file, d, target.function.qualname, depth + 1) for d in scan.delegations)
    found.reads = [(py_file, _with_handoffs(cmap, py_file, read, within)) for py_file, read, within in reads]
    if found.whole_validated is not None and model is not None:
        _model_reads(cmap, found, *model)
    return found


def _model_reads(cmap: CodeMap, found: PayloadReads, py_file: PyFile, dotted: str) -> None:
    """When the payload is validated into a model of the project: its fields, with what the
    model declares for each, stand for the payload's fields."""
    located = cmap.find_class(py_file, dotted)
    if located is None:
        return
    where, cls = located
    fields = analysis.model_fields(cls, where.analysis_context())
    if fields:
        found.model = f"{cls.name} ({where.path}:{cls.lineno})"
        found.reads = [(where, f) for f in fields]


def _with_handoffs(cmap: CodeMap, py_file: PyFile, read: FieldRead, within: str | None) -> FieldRead:
    """The read with the checks of the functions of other modules its value is passed to."""
    if not read.handoffs:
        return read
    checks = set(read.checks)
    pending = [(py_file, h, within, 0) for h in read.handoffs]
    seen: set[Target] = set()
    while pending:
        current, handoff, scope, depth = pending.pop()
        target = _resolve(cmap, current, handoff, scope)
        if target is None or target in seen or depth > 2:
            continue
        seen.add(target)
        params = positional_params(target.function.node)
        if handoff.param_index >= len(params):
            continue
        more: list[Delegation] = []
        checks |= analysis.checks_on(
            params[handoff.param_index], target.function.node, target.file.analysis_context(), handoffs=more
        )
        pending.extend((target.file, h, target.function.qualname, depth + 1) for h in more)
    return FieldRead(read.field, read.line, frozenset(checks), read.function, read.handoffs)


# ---------------------------------------------------------------------------
# What the runtime calls, and where a returned value goes


def is_tool(function: FunctionInfo) -> bool:
    return any(d.rsplit(".", 1)[-1] in ("tool", "function_tool") for d in function.decorators)


def _exposed(model: HandlerModel, target: Target) -> bool:
    qualname = target.function.qualname
    if model.is_dead(target.file.path, qualname):
        return False
    return model.is_handler(target.file.path, qualname)


def _to_model(model: HandlerModel, target: Target) -> bool:
    return not model.is_dead(target.file.path, target.function.qualname) and is_tool(target.function)


def _dead(model: HandlerModel, target: Target) -> bool:
    return model.is_dead(target.file.path, target.function.qualname)


class RuntimePaths:
    """Which functions of the runtime's code its handlers can reach, and where a value a
    function returns goes (CODE002, CODE003)."""

    def __init__(self, facts: Facts) -> None:
        assert facts.code is not None
        self.model = handler_model(facts)
        self.cmap = code_map(facts.code, facts.project)
        self.references = References(facts.code.facts_of("runtime"))
        # the followers get functions of the handler model, not methods of this object: no
        # reference cycle keeps the code index alive once the review is over
        exposed, to_model, dead = (functools.partial(f, self.model) for f in (_exposed, _to_model, _dead))
        self.follower = LeakFollower(self.cmap, self.references, exposed, dead)
        self.model_follower = LeakFollower(self.cmap, self.references, to_model, dead)

    def exposed(self, target: Target) -> bool:
        """A live request handler (an MCP runtime's tools included): what it returns reaches the caller."""
        return _exposed(self.model, target)

    def to_model(self, target: Target) -> bool:
        """An agent's tool: what it returns goes to the model (which may repeat it), not to the caller."""
        return _to_model(self.model, target)

    def dead(self, target: Target) -> bool:
        return _dead(self.model, target)

    def target(self, py_file: PyFile, qualname: str | None) -> Target | None:
        info = _function_of(self.cmap, py_file, qualname)
        return Target(py_file, info) if info is not None else None

    def called(self, py_file: PyFile, qualname: str | None) -> str | None:
        """``None`` when the runtime's code may call the function, else why it does not:
        a replaced ``@app.entrypoint``, or a name nothing else in the runtime mentions."""
        if not qualname:
            return None
        if self.model.is_dead(py_file.path, qualname):
            return f"{qualname}() is an @app.entrypoint the SDK replaced with a later one"
        info = _function_of(self.cmap, py_file, qualname)
        if info is None or info.decorators:
            return None
        name = info.name
        if name.startswith("__") and name.endswith("__"):
            return None
        if info.in_derived_class:
            return None  # a framework may call it (a hook, a handler of a base class)
        if not self.references.mentioned_elsewhere(name):
            return f"nothing in the runtime's code calls {qualname}()"
        uses = self.follower.uses(Target(py_file, info))
        if uses.calls or uses.other:
            return None
        return f"nothing in the runtime's code calls {qualname}()"


def chain_text(chain: Iterable[Target]) -> str:
    return " → ".join(f"{t.function.qualname}() ({t.file.path}:{t.function.line})" for t in chain)


def iter_handlers(model: HandlerModel, kinds: tuple[str, ...] | None = None) -> Iterator[Handler]:
    for handler in model.handlers:
        if kinds is None or handler.entry.kind in kinds:
            yield handler


_PROTOCOL_OF_APP = {"FastMCP": "MCP", "MCP server": "MCP", "A2A server": "A2A"}


def runtime_protocol(facts: Facts, runtime_name: str, runtime: Runtime | None = None) -> str:
    """``HTTP``, ``MCP`` or ``A2A``: as configured, else what the entrypoint module serves
    (pass ``runtime`` when at hand: looking it up by name is a scan of every runtime)."""
    if runtime is None:
        runtime = next((r for r in facts.project.runtimes if r.name == runtime_name), None)
    configured = ((runtime.protocol if runtime is not None else None) or "").upper()
    if configured in ("MCP", "A2A"):
        return configured
    if configured in ("HTTP", "AGUI"):
        return "HTTP"
    if facts.code is not None:
        entry = facts.code.entry(runtime_name)
        entry_file = facts.code.file(entry.entry_file) if entry is not None and entry.entry_file else None
        app = entry_file.facts.signals.agent_app if entry_file is not None else None
        if app is not None:
            return _PROTOCOL_OF_APP.get(app[0], "HTTP")
    return "HTTP"

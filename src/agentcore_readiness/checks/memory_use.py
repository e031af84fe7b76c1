"""How a project's runtimes use AgentCore Memory: where they write events, where they read
long-term records back (and from which namespaces), and where the actor and session IDs
of each call come from.

An ID's origin is followed back through the function that makes the call, the functions of
the runtime that call it (parameter by parameter, across modules) and the functions whose
return value it is, to one of:

* ``verified``: the caller identity the runtime vouches for: a claim of the inbound JWT
  (which the runtime's CUSTOM_JWT authorizer has checked), the ``…-Runtime-User-Id`` header
  AgentCore sets, ``context.session_id``;
* ``payload``: a field of the request body the caller writes;
* ``header``: a request header the caller chooses (``…-Custom-…``, any other);
* ``constant``: a literal, a module constant or a deployment setting (environment
  variable): the same for every caller;
* ``generated``: made fresh (``uuid4()``), so never the same twice;
* ``unknown``: not followed further.

A value that falls back to a literal (``payload.get("user", "default-user")``,
``getattr(context, "session_id", "default")``, ``x or "anon"``) carries that fallback.

Pure: works on the code index and the project facts.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from agentcore_readiness.analysis.dataflow import Scope, fold, positional_params
from agentcore_readiness.checks.runtime_handlers import handler_model
from agentcore_readiness.checks.sessionflow import RUNTIME_SESSION_HEADER
from agentcore_readiness.facts.code.callflow import (
    CodeMap,
    Target,
    bindings,
    code_map,
    latest_binding,
    literal_str,
)

if TYPE_CHECKING:
    from agentcore_readiness.checks.registry import Facts
    from agentcore_readiness.facts.code.index import CallSite, CodeIndex, FunctionInfo, PyFile
    from agentcore_readiness.facts.project.project_facts import Memory, ProjectFacts

SourceKind = Literal["verified", "payload", "header", "constant", "generated", "unknown"]
MemoryOp = Literal["write", "read", "events", "session"]
"""``write`` creates events (which long-term strategies extract from), ``read`` retrieves
long-term records, ``events`` lists short-term events, ``session`` a session manager that
writes every message as an event (and reads the namespaces it is configured with)."""


@dataclass(frozen=True)
class IdSource:
    kind: SourceKind
    detail: str
    path: str
    line: int
    fallback: str | None = None
    """The literal the value falls back to when its source gives nothing."""
    field: str | None = None
    """The payload field or header it is read from."""


@dataclass(frozen=True)
class MemoryCall:
    op: MemoryOp
    api: str
    path: str
    line: int
    runtime: str | None
    namespaces: tuple[str, ...] = ()
    """Namespaces it retrieves from (``{…}`` where the text is built at run time)."""
    actor: tuple[IdSource, ...] = ()
    session: tuple[IdSource, ...] = ()
    memories: tuple[str, ...] = ()
    """The memories of the project it may use (by the ``MEMORY_<NAME>_ID`` its runtime reads)."""


# (op, actor position, session position, namespace position) of the memory APIs; positions
# count the call's own arguments (None: keyword only).
_APIS: dict[str, tuple[MemoryOp, int | None, int | None, int | None]] = {
    "create_event": ("write", 1, 2, None),
    "save_conversation": ("write", 1, 2, None),
    "save_turn": ("write", 1, 2, None),
    "create_blob_event": ("write", 1, 2, None),
    "add_turns": ("write", 0, 1, None),
    "batch_create_memory_records": ("write", None, None, None),
    "retrieve_memories": ("read", 3, None, 1),
    "retrieve_memory_records": ("read", None, None, None),
    "list_memory_records": ("read", None, None, None),
    "get_memory_record": ("read", None, None, None),
    "search_long_term_memories": ("read", None, None, 1),
    "list_long_term_memory_records": ("read", None, None, 0),
    "list_events": ("events", 1, 2, None),
    "get_last_k_turns": ("events", 1, 2, None),
    "create_memory_session": ("session", 0, 1, None),
    "AgentCoreMemoryConfig": ("session", None, None, None),
    "AgentCoreMemorySaver": ("session", None, None, None),
    "AgentCoreMemoryToolProvider": ("read", None, None, None),
}
_HANDED_AT: dict[str, tuple[int, ...]] = {
    "to_thread": (0,),
    "run_sync": (0,),
    "submit": (0,),
    "start_soon": (0,),
    "run_in_threadpool": (0,),
    "run_in_executor": (1,),
}
"""Calls that run a function handed to them with the arguments that follow it (by position)."""
_ACTOR_KEYWORDS = ("actor_id", "actorId")
_SESSION_KEYWORDS = ("session_id", "sessionId")
_NAMESPACE_KEYWORDS = ("namespace", "namespace_prefix", "namespacePrefix")
_MEMORY_ENV = re.compile(r"^MEMORY_([A-Z0-9_]+?)_ID$")
_PAYLOAD_NAMES = frozenset({"payload", "body", "request_body", "request_data", "data", "event", "inputs", "params"})
_CLAIM_NAMES = frozenset({"claims", "token_claims", "decoded", "decoded_token", "jwt_claims", "id_claims"})
_GENERATORS = ("uuid.uuid4", "uuid.uuid1", "secrets.token_hex", "secrets.token_urlsafe", "time.time")
_ENV_READS = ("os.getenv", "os.environ.get", "getenv")
VERIFIED_USER_HEADER = "x-amzn-bedrock-agentcore-runtime-user-id"


def _is_memory_call(py_file: PyFile, call: CallSite) -> bool:
    if call.attr not in _APIS:
        return False
    if call.attr in ("AgentCoreMemoryConfig", "AgentCoreMemorySaver", "AgentCoreMemoryToolProvider"):
        return True
    keywords = set(call.keywords)
    if keywords & {"memory_id", "memoryId"}:
        return True
    if any(m == "bedrock_agentcore" or m.startswith("bedrock_agentcore") for m in py_file.imported_modules):
        return True
    return "memory" in call.name.lower()


def _argument(call: ast.Call, position: int | None, keywords: tuple[str, ...]) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    if position is not None and position < len(call.args) and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return None


class IdTracer:
    """Follows an ID back to where it comes from (see the module's documentation)."""

    MAX_DEPTH = 6

    def __init__(self, cmap: CodeMap, runtime_files: list[PyFile], payloads: dict[tuple[str, str], str]) -> None:
        self.cmap = cmap
        self.files = runtime_files
        self.payloads = payloads
        """(path, function qualname) of each request handler -> the name of its payload variable."""
        self._callers: dict[str, list[tuple[PyFile, CallSite]]] | None = None

    # -- callers of a function
    def callers(self, target: Target) -> list[tuple[PyFile, CallSite, int]]:
        """Calls of ``target`` in the runtimes' code, each with the offset of the target's first
        argument among the call's arguments (1 for ``asyncio.to_thread(target, a, b)``)."""
        if self._callers is None:
            key = ("memory_callers", tuple(f.path for f in self.files))
            derived = self.cmap.code.derived
            self._callers = derived.get(key)
            if self._callers is None:
                self._callers = derived[key] = _calls_by_name(self.files)
        found: list[tuple[PyFile, CallSite, int]] = []
        for py_file, call in self._callers.get(target.function.name, ()):
            if self.cmap.resolve(py_file, call.node, call.function) == target:
                found.append((py_file, call, 0))
        for py_file, call in self._callers.get(f"handed:{target.function.name}", ()):
            for handed in _HANDED_AT.get(call.attr, ()):
                ref = call.node.args[handed] if handed < len(call.node.args) else None
                if ref is not None and self.cmap.resolve_ref(py_file, ref, call.function) == target:
                    found.append((py_file, call, handed + 1))
        return found

    # -- sources
    def sources(
        self, py_file: PyFile, expr: ast.expr | None, function: FunctionInfo | None, depth: int = 0
    ) -> list[IdSource]:
        if expr is None:
            return []
        if depth > self.MAX_DEPTH:
            return [IdSource("unknown", "too many steps to follow", py_file.path, getattr(expr, "lineno", 0))]
        line = getattr(expr, "lineno", 0)
        text = literal_str(expr)
        if text is not None:
            return [IdSource("constant", f"the literal {text!r}", py_file.path, line, field=text)]
        if isinstance(expr, ast.Constant):
            return []  # None and other non-string constants: no ID
        if isinstance(expr, ast.JoinedStr):
            parts = [v.value for v in expr.values if isinstance(v, ast.FormattedValue)]
            found = [s for part in parts for s in self.sources(py_file, part, function, depth + 1)]
            return found or [IdSource("constant", "a literal f-string", py_file.path, line)]
        if isinstance(expr, ast.BoolOp):
            return self._either(py_file, expr.values, function, depth)
        if isinstance(expr, ast.IfExp):
            return self._either(py_file, [expr.body, expr.orelse], function, depth)
        if isinstance(expr, ast.Name):
            return self._name(py_file, expr, function, depth)
        if isinstance(expr, ast.Subscript):
            key = literal_str(expr.slice)
            return self._read(py_file, expr.value, key, None, function, depth, line)
        if isinstance(expr, ast.Attribute):
            return self._attribute(py_file, expr, function, depth)
        if isinstance(expr, ast.Call):
            return self._call(py_file, expr, function, depth)
        return [IdSource("unknown", f"a {type(expr).__name__} expression", py_file.path, line)]

    def _either(
        self, py_file: PyFile, values: list[ast.expr], function: FunctionInfo | None, depth: int
    ) -> list[IdSource]:
        found: list[IdSource] = []
        last = values[-1]
        fallback = literal_str(last)
        for value in values[:-1] if fallback is not None else values:
            found.extend(self.sources(py_file, value, function, depth + 1))
        if fallback is not None:
            if found:
                found = [_with_fallback(s, fallback) for s in found]
            else:
                found = [IdSource("constant", f"the literal {fallback!r}", py_file.path, last.lineno, field=fallback)]
        return found

    def _name(self, py_file: PyFile, expr: ast.Name, function: FunctionInfo | None, depth: int) -> list[IdSource]:
        node = function.node if function is not None else None
        line = expr.lineno
        if node is not None:
            local = [b for b in bindings(node.body, expr.id) if b.line < line]
            found: list[IdSource] = []
            if expr.id in _params(node):
                found.extend(self._parameter(py_file, expr.id, function, depth, line))
            for binding in local:
                if binding.value is not None and binding.kind in ("assign", "with"):
                    found.extend(self.sources(py_file, binding.value, function, depth + 1))
                elif binding.kind == "for":
                    found.append(IdSource("unknown", f"`{expr.id}` is a loop variable", py_file.path, binding.line))
            if found or expr.id in _params(node) or local:
                return found
        module_binding, _ = latest_binding(None, py_file.tree, expr.id, line)
        if module_binding is None or module_binding.value is None:
            return [IdSource("unknown", f"`{expr.id}` is defined elsewhere", py_file.path, line)]
        return self.sources(py_file, module_binding.value, None, depth + 1)

    def _parameter(
        self, py_file: PyFile, name: str, function: FunctionInfo | None, depth: int, line: int
    ) -> list[IdSource]:
        assert function is not None
        payload = self.payloads.get((py_file.path, function.qualname))
        if payload == name:
            return [IdSource("payload", "the whole request payload", py_file.path, line)]
        params = positional_params(function.node)
        index = params.index(name) if name in params else None
        found: list[IdSource] = []
        callers = self.callers(Target(py_file, function))
        for caller_file, call, offset in callers:
            argument = _argument(call.node, index + offset if index is not None else None, (name,))
            if argument is None:
                default = _default_of(function.node, name)
                if default is not None:
                    found.extend(self.sources(py_file, default, function, depth + 1))
                continue
            found.extend(self.sources(caller_file, argument, call.function, depth + 1))
        if not callers:
            found.append(
                IdSource(
                    "unknown",
                    f"the parameter `{name}` of {function.qualname}() (no caller found)",
                    py_file.path,
                    function.line,
                )
            )
        return found

    def _attribute(
        self, py_file: PyFile, expr: ast.Attribute, function: FunctionInfo | None, depth: int
    ) -> list[IdSource]:
        line = expr.lineno
        if isinstance(expr.value, ast.Call) and py_file.resolve(expr.value.func).startswith(_GENERATORS):
            return [IdSource("generated", f"made by {py_file.resolve(expr.value.func)}()", py_file.path, line)]
        if expr.attr == "session_id" and _root(expr) in ("context", "ctx", "request_context", "self"):
            return [IdSource("verified", "the runtime session (context.session_id)", py_file.path, line)]
        if expr.attr in ("user_id", "actor_id", "sub", "username") and _root(expr) in ("context", "ctx"):
            return [IdSource("verified", f"the runtime context ({_root(expr)}.{expr.attr})", py_file.path, line)]
        return [IdSource("unknown", f"the attribute `{ast.unparse(expr)[:60]}`", py_file.path, line)]

    def _call(self, py_file: PyFile, expr: ast.Call, function: FunctionInfo | None, depth: int) -> list[IdSource]:
        line = expr.lineno
        name = py_file.resolve(expr.func)
        if name.startswith(_GENERATORS) or name.endswith((".uuid4", ".token_hex")):
            return [IdSource("generated", f"made by {name}()", py_file.path, line)]
        if name in _ENV_READS:
            variable = literal_str(expr.args[0]) if expr.args else None
            fallback = literal_str(expr.args[1]) if len(expr.args) > 1 else None
            return [
                IdSource(
                    "constant",
                    f"the deployment setting ${variable or '…'}",
                    py_file.path,
                    line,
                    fallback=fallback,
                )
            ]
        if name == "getattr" and len(expr.args) >= 2:
            attribute = ast.Attribute(value=expr.args[0], attr=literal_str(expr.args[1]) or "?", ctx=ast.Load())
            ast.copy_location(attribute, expr)
            read = self._attribute(py_file, attribute, function, depth)
            fallback = literal_str(expr.args[2]) if len(expr.args) > 2 else None
            return [_with_fallback(s, fallback) for s in read] if fallback else read
        if isinstance(expr.func, ast.Attribute):
            method = expr.func.attr
            if method in ("get", "pop") and expr.args:
                key = literal_str(expr.args[0])
                fallback = literal_str(expr.args[1]) if len(expr.args) > 1 else None
                return self._read(py_file, expr.func.value, key, fallback, function, depth, line)
            if method in ("strip", "lower", "upper", "lstrip", "rstrip", "casefold"):
                return self.sources(py_file, expr.func.value, function, depth + 1)
        if name == "str" and expr.args:
            return self.sources(py_file, expr.args[0], function, depth + 1)
        target = self.cmap.resolve(py_file, expr, function)
        if target is not None:
            found: list[IdSource] = []
            # the last ``return`` first: the order the sources have always been listed in
            for node in reversed(target.function.returns):
                if node.value is not None:
                    found.extend(self.sources(target.file, node.value, target.function, depth + 1))
            return found or [IdSource("unknown", f"returned by {target.function.qualname}()", py_file.path, line)]
        return [IdSource("unknown", f"the result of {name}()", py_file.path, line)]

    def _read(
        self,
        py_file: PyFile,
        base: ast.expr,
        key: str | None,
        fallback: str | None,
        function: FunctionInfo | None,
        depth: int,
        line: int,
    ) -> list[IdSource]:
        """A value read out of a container: a payload field, a header, a JWT claim, an environment variable."""
        kind = self.container_kind(py_file, base, function, depth)
        shown = repr(key) if key is not None else "a computed key"
        found: list[IdSource]
        if kind == "payload":
            found = [IdSource("payload", f"the payload field {shown}", py_file.path, line, field=key)]
        elif kind == "headers":
            header = (key or "").lower()
            if header in (VERIFIED_USER_HEADER, RUNTIME_SESSION_HEADER):
                found = [IdSource("verified", f"the {key} header AgentCore sets", py_file.path, line, field=key)]
            else:
                found = [IdSource("header", f"the request header {shown}", py_file.path, line, field=key)]
        elif kind == "claims":
            found = [IdSource("verified", f"the JWT claim {shown}", py_file.path, line, field=key)]
        elif kind == "environ":
            found = [IdSource("constant", f"the deployment setting ${key}", py_file.path, line)]
        else:
            found = [IdSource("unknown", f"{shown} of `{ast.unparse(base)[:60]}`", py_file.path, line, field=key)]
        return [_with_fallback(s, fallback) for s in found] if fallback is not None else found

    def container_kind(self, py_file: PyFile, base: ast.expr, function: FunctionInfo | None, depth: int) -> str | None:
        """What kind of mapping ``base`` is: ``payload``, ``headers``, ``claims``, ``environ``."""
        resolved = py_file.resolve(base)
        if resolved == "os.environ":
            return "environ"
        if isinstance(base, ast.Attribute):
            if base.attr in ("headers", "request_headers"):
                return "headers"
            if base.attr in ("claims", "token_claims"):
                return "claims"
            if base.attr in ("json", "body", "payload") or base.attr == "data":
                return "payload"
            return self.container_kind(py_file, base.value, function, depth) if base.attr in ("state",) else None
        if isinstance(base, ast.Subscript):
            key = literal_str(base.slice)
            if key in ("headers", "requestHeaders"):
                return "headers"
            return self.container_kind(py_file, base.value, function, depth)
        if isinstance(base, ast.Call):
            name = py_file.resolve(base.func)
            if "decode" in name.rsplit(".", 1)[-1] and ("jwt" in name.lower() or "token" in name.lower()):
                return "claims"
            if name.endswith((".json", ".get_json")) or name == "json.loads":
                return "payload"
            if name == "getattr" and len(base.args) > 1 and literal_str(base.args[1]) in ("request_headers", "headers"):
                return "headers"
            if isinstance(base.func, ast.Attribute) and base.func.attr == "get" and base.args:
                key = literal_str(base.args[0])
                if key in ("headers", "requestHeaders"):
                    return "headers"
            target = self.cmap.resolve(py_file, base, function)
            if target is not None and depth < self.MAX_DEPTH:
                for node in reversed(target.function.returns):
                    if node.value is not None:
                        kind = self.container_kind(target.file, node.value, target.function, depth + 1)
                        if kind is not None:
                            return kind
            return None
        if isinstance(base, ast.BoolOp):
            for value in base.values:
                kind = self.container_kind(py_file, value, function, depth)
                if kind is not None:
                    return kind
            return None
        if isinstance(base, ast.Name):
            scope_node = function.node if function is not None else None
            if function is not None and self.payloads.get((py_file.path, function.qualname)) == base.id:
                return "payload"
            binding, where = latest_binding(scope_node, py_file.tree, base.id, base.lineno)
            if where == "param" and function is not None:
                return self._param_container(py_file, base.id, function, depth)
            if binding is not None and binding.value is not None and depth < self.MAX_DEPTH:
                kind = self.container_kind(py_file, binding.value, function if where == "local" else None, depth + 1)
                if kind is not None:
                    return kind
            if base.id in _CLAIM_NAMES:
                return "claims"
            if base.id in ("headers", "request_headers"):
                return "headers"
            if base.id in _PAYLOAD_NAMES and where in ("param", "none"):
                return "payload"
        return None

    def _param_container(self, py_file: PyFile, name: str, function: FunctionInfo, depth: int) -> str | None:
        """The kind of mapping every caller passes for parameter ``name``."""
        if self.payloads.get((py_file.path, function.qualname)) == name:
            return "payload"
        params = positional_params(function.node)
        index = params.index(name) if name in params else None
        for caller_file, call, offset in self.callers(Target(py_file, function)):
            argument = _argument(call.node, index + offset if index is not None else None, (name,))
            if argument is not None and depth < self.MAX_DEPTH:
                kind = self.container_kind(caller_file, argument, call.function, depth + 1)
                if kind is not None:
                    return kind
        if name in _PAYLOAD_NAMES:
            return "payload"
        if name in _CLAIM_NAMES:
            return "claims"
        if name in ("headers", "request_headers"):
            return "headers"
        return None


def _calls_by_name(files: list[PyFile]) -> dict[str, list[tuple[PyFile, CallSite]]]:
    """The calls of ``files`` by the name they call (``handed:<name>`` for a function handed
    to a thread or executor)."""
    found: dict[str, list[tuple[PyFile, CallSite]]] = {}
    for py_file in files:
        for call in py_file.calls:
            found.setdefault(call.attr, []).append((py_file, call))
            for handed in _HANDED_AT.get(call.attr, ()):
                ref = call.node.args[handed] if handed < len(call.node.args) else None
                name = ref.attr if isinstance(ref, ast.Attribute) else ref.id if isinstance(ref, ast.Name) else None
                if name:
                    found.setdefault(f"handed:{name}", []).append((py_file, call))
    return found


def _with_fallback(source: IdSource, fallback: str | None) -> IdSource:
    if not fallback or source.fallback is not None:
        return source  # an empty default is no ID at all: the call fails rather than sharing one
    return IdSource(source.kind, source.detail, source.path, source.line, fallback, source.field)


def _root(expr: ast.expr) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Subscript, ast.Call)):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = node.args
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


def _default_of(node: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    offset = len(positional) - len(args.defaults)
    for index, arg in enumerate(positional):
        if arg.arg == name and index >= offset:
            return args.defaults[index - offset]
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == name:
            return default
    return None


# ---------------------------------------------------------------------------
# The memory calls of the runtimes


@dataclass
class MemoryUse:
    calls: list[MemoryCall] = field(default_factory=list)
    memories_read: dict[str, list[str]] = field(default_factory=dict)
    """Runtime -> the memory names its code reads ``MEMORY_<NAME>_ID`` of."""

    def of_memory(self, memory: str) -> Iterator[MemoryCall]:
        return (c for c in self.calls if not c.memories or memory in c.memories)


def _memory_names(project: ProjectFacts, py_files: list[PyFile]) -> list[str]:
    by_token = {re.sub(r"[^A-Z0-9]", "", m.name.upper()): m.name for m in project.memories}
    found: list[str] = []
    for py_file in py_files:
        for literal in py_file.strings:
            if not literal.value.startswith("MEMORY_"):
                continue
            match = _MEMORY_ENV.match(literal.value)
            if match is not None:
                name = by_token.get(re.sub(r"[^A-Z0-9]", "", match.group(1)))
                if name is not None and name not in found:
                    found.append(name)
    return found


def memory_use(facts: Facts) -> MemoryUse:
    """Every memory call in the runtimes' code, with its ID sources (computed once per code index
    view and kept with the index, so it is freed with it)."""
    assert facts.code is not None
    key = ("memory_use", facts.code.declared)
    found: MemoryUse | None = facts.code.derived.get(key)
    if found is None:
        found = _memory_use(facts.code, facts.project, facts)
        facts.code.derived[key] = found
    return found


def _memory_use(code: CodeIndex, project: ProjectFacts, facts: Facts) -> MemoryUse:
    cmap = code_map(code, project)
    runtime_files = list(code.runtime_files())
    model = handler_model(facts)
    payloads = {
        (h.file.path, h.entry.qualname or h.entry.name): h.entry.payload
        for h in model.handlers
        if h.entry.payload is not None
    }
    tracer = IdTracer(cmap, runtime_files, payloads)
    use = MemoryUse()
    for runtime in project.runtimes:
        files = [f for f in runtime_files if runtime.name in f.runtimes]
        use.memories_read[runtime.name] = _memory_names(project, files)
    seen: set[tuple[str, int, str]] = set()
    for py_file in runtime_files:
        memories = tuple(dict.fromkeys(m for r in py_file.runtimes for m in use.memories_read.get(r, ())))
        for site in py_file.calls:
            call = (_handed_memory_call(site) if site.attr in _HANDED_AT else None) or site
            if not _is_memory_call(py_file, call) or (py_file.path, call.line, call.attr) in seen:
                continue
            seen.add((py_file.path, call.line, call.attr))
            use.calls.append(_memory_call(tracer, py_file, call, memories))
    use.calls.extend(_langgraph_configs(tracer, runtime_files, use))
    use.calls.sort(key=lambda c: (c.path, c.line))
    return use


def _handed_memory_call(site: CallSite) -> CallSite | None:
    """``asyncio.to_thread(session.search_long_term_memories, namespace_prefix=...)``: the
    memory method handed to a thread, as if it were called with the arguments that follow."""
    from agentcore_readiness.facts.code.index import CallSite

    for handed in _HANDED_AT.get(site.attr, ()):
        args = site.node.args
        ref = args[handed] if handed < len(args) else None
        if isinstance(ref, ast.Attribute) and ref.attr in _APIS:
            node = ast.Call(func=ref, args=list(args[handed + 1 :]), keywords=list(site.node.keywords))
            ast.copy_location(node, site.node)
            return CallSite(
                name=f"{site.name}({ref.attr})",
                attr=ref.attr,
                node=node,
                line=site.line,
                col=site.col,
                function=site.function,
                loops=site.loops,
                in_try=site.in_try,
            )
    return None


def _memory_call(tracer: IdTracer, py_file: PyFile, call: CallSite, memories: tuple[str, ...]) -> MemoryCall:
    op, actor_at, session_at, namespace_at = _APIS[call.attr]
    node = call.node
    actor_expr = _argument(node, actor_at, _ACTOR_KEYWORDS)
    session_expr = _argument(node, session_at, _SESSION_KEYWORDS)
    namespace_expr = _argument(node, namespace_at, _NAMESPACE_KEYWORDS)
    namespaces: list[str] = []
    scope = Scope.of(call.function.node if call.function else None, py_file.resolve, {})
    actor = tracer.sources(py_file, actor_expr, call.function)
    if namespace_expr is not None:
        namespaces.append(fold(namespace_expr, scope).text)
        if actor_expr is None:
            actor = tracer.sources(py_file, namespace_expr, call.function)
    if call.attr == "AgentCoreMemoryConfig":
        retrieval = _argument(node, None, ("retrieval_config",))
        keys = _dict_keys(py_file, retrieval, call.function)
        if keys:
            namespaces.extend(fold(k, scope).text for k in keys)
            op = "session"
    if call.attr == "AgentCoreMemoryToolProvider":
        namespaces.append(fold(namespace_expr, scope).text if namespace_expr is not None else "{…}")
    if call.attr in ("retrieve_memory_records", "list_memory_records") and not namespaces:
        namespaces.append("{…}")
    runtime = py_file.runtime
    return MemoryCall(
        op=op,
        api=call.attr,
        path=py_file.path,
        line=call.line,
        runtime=runtime,
        namespaces=tuple(namespaces),
        actor=_unique(actor) if (actor_expr is not None or namespace_expr is not None) else (),
        session=_unique(tracer.sources(py_file, session_expr, call.function)) if session_expr is not None else (),
        memories=memories,
    )


def _unique(sources: list[IdSource]) -> tuple[IdSource, ...]:
    return tuple(dict.fromkeys(sources))


def _dict_keys(py_file: PyFile, expr: ast.expr | None, function: FunctionInfo | None) -> list[ast.expr]:
    if isinstance(expr, ast.Name):
        node = function.node if function is not None else None
        binding, _ = latest_binding(node, py_file.tree, expr.id, expr.lineno)
        expr = binding.value if binding is not None else None
    if isinstance(expr, ast.Dict):
        return [k for k in expr.keys if k is not None]
    return []


def _langgraph_configs(tracer: IdTracer, files: list[PyFile], use: MemoryUse) -> list[MemoryCall]:
    """LangGraph with ``AgentCoreMemorySaver``: the IDs come from the run's
    ``{"configurable": {"thread_id": …, "actor_id": …}}``."""
    found: list[MemoryCall] = []
    if not any(c.api == "AgentCoreMemorySaver" for c in use.calls):
        return found
    for py_file in files:
        for literal in py_file.dicts:
            node = literal.node
            keys = {literal_str(k): v for k, v in zip(node.keys, node.values, strict=True) if k is not None}
            if "actor_id" not in keys:
                continue
            function = py_file.function_at(node)
            actor = tracer.sources(py_file, keys["actor_id"], function)
            session = tracer.sources(py_file, keys.get("thread_id") or keys.get("session_id"), function)
            memories = tuple(m for r in py_file.runtimes for m in use.memories_read.get(r, ()))
            found.append(
                MemoryCall(
                    "session",
                    "LangGraph run config",
                    py_file.path,
                    node.lineno,
                    py_file.runtime,
                    (),
                    tuple(actor),
                    tuple(session),
                    memories,
                )
            )
    return found


# ---------------------------------------------------------------------------
# Strategies read back

LTM_TOOLKIT_MODES = ("STM_AND_LTM",)


def namespace_matches(template: str, used: str) -> bool:
    """Whether records of a strategy namespace template (``/users/{actorId}/facts``) can be
    found by a retrieval namespace (``/users/{…}/facts``, a prefix such as ``/users/``)."""
    if used.strip() == "{…}" or not used.strip("/"):
        return True
    left = [p for p in template.strip("/").split("/")]
    right = [p for p in used.strip("/").split("/")]
    for a, b in zip(left, right, strict=False):
        if "{" in a or "{" in b:
            continue
        if a != b:
            return False
    return True


def strategies_read(memory: Memory, calls: list[MemoryCall]) -> tuple[list[int], list[int]]:
    """Indexes of the memory's strategies some retrieval can read, and of those none can."""
    reads = [c for c in calls if c.op in ("read", "session") and c.namespaces]
    read: list[int] = []
    unread: list[int] = []
    for index, strategy in enumerate(memory.strategies):
        templates = strategy.namespaces or ("{…}",)
        if any(namespace_matches(t, n) for t in templates for c in reads for n in c.namespaces):
            read.append(index)
        else:
            unread.append(index)
    return read, unread


# ---------------------------------------------------------------------------
# Memory identities not bound to the caller (RES009)

_PLACEHOLDER_ID = re.compile(
    r"default|anonym|anon\b|guest|user|customer|local|test|demo|unknown|shared|public|admin|^me$|session|actor",
    re.IGNORECASE,
)
"""A literal ID that stands for "whoever calls": ``default-user``, ``anonymous``, ``customer_001``."""


@dataclass(frozen=True)
class IdentityProblem:
    """A memory actor or session ID that is not the verified caller's."""

    which: Literal["actor", "session"]
    source: IdSource
    level: Literal["fail", "warn"]
    call: MemoryCall
    why: str


def identity_problems(facts: Facts, use: MemoryUse) -> list[IdentityProblem]:
    """The memory calls whose actor ID comes from the payload, a header the caller chooses or
    a constant (or falls back to one), and whose session ID is a constant placeholder."""
    assert facts.code is not None
    found: list[IdentityProblem] = []
    for call in use.calls:
        for source in call.actor:
            problem = _actor_problem(facts, call, source)
            if problem is not None:
                found.append(problem)
        verified_session = any(s.kind == "verified" for s in call.session)
        for source in call.session:
            problem = _session_problem(call, source, verified_session)
            if problem is not None:
                found.append(problem)
    return found


def _authorizer_of(facts: Facts, path: str) -> str:
    assert facts.code is not None
    py_file = facts.code.file(path)
    names = py_file.runtimes if py_file is not None else ()
    for runtime in facts.project.runtimes:
        if runtime.name in names:
            return runtime.effective_authorizer
    return "AWS_IAM"


def _actor_problem(facts: Facts, call: MemoryCall, source: IdSource) -> IdentityProblem | None:
    where = f"{call.api} at {call.path}:{call.line}"
    if source.kind in ("payload", "header"):
        what = "the request payload" if source.kind == "payload" else "a request header"
        authorizer = _authorizer_of(facts, source.path)
        level: Literal["fail", "warn"] = "warn" if authorizer == "AWS_IAM" else "fail"
        why = (
            f"the memory actor ID of {where} is {source.detail}: {what} is whatever the caller sends, so a caller "
            "can read and write another user's memory"
        )
        if level == "warn":
            why += " (the runtime uses IAM auth: this holds only if every caller with InvokeAgentRuntime sets it from "
            why += "a user it authenticated)"
        if source.fallback is not None:
            why += f"; when it is missing, every caller shares the actor {source.fallback!r}"
        return IdentityProblem("actor", source, level, call, why)
    if source.fallback is not None and source.kind != "constant":
        return IdentityProblem(
            "actor",
            source,
            "fail",
            call,
            f"the memory actor ID of {where} is {source.detail} but falls back to the constant {source.fallback!r}: "
            "every caller without it shares one memory",
        )
    literal = source.fallback if source.kind == "constant" and source.fallback else source.field
    if source.kind == "constant" and literal and _PLACEHOLDER_ID.search(literal):
        return IdentityProblem(
            "actor",
            source,
            "fail",
            call,
            f"the memory actor ID of {where} is {source.detail}"
            + (f" (default {source.fallback!r})" if source.fallback else "")
            + ": the same for every caller, so all users read and write one memory",
        )
    return None


def _session_problem(call: MemoryCall, source: IdSource, verified: bool) -> IdentityProblem | None:
    where = f"{call.api} at {call.path}:{call.line}"
    if verified:
        return None  # the runtime always sets context.session_id; a fallback never runs there
    literal = source.fallback if source.fallback else (source.field if source.kind == "constant" else None)
    if literal and (source.kind == "constant" or source.fallback) and _PLACEHOLDER_ID.search(literal):
        return IdentityProblem(
            "session",
            source,
            "warn",
            call,
            f"the memory session ID of {where} is {source.detail}"
            + (f" falling back to {literal!r}" if source.fallback else "")
            + ": every conversation lands in one session",
        )
    return None

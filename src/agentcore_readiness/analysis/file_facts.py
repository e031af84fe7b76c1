"""Per-file code facts for the code rules, computed from one parse and one walk.

The code index (:mod:`agentcore_readiness.facts.code.index`) walks each file once and hands
the interesting nodes to the analysers here; they return plain, picklable records
(:class:`FileFacts`), so large trees can be analysed in worker processes and only the
records travel back. The rules in ``checks/`` then apply the project's context (which
runtime, which credentials, which network mode) and decide.

Everything here is pure: ``ast`` and ``re`` only, no I/O.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from agentcore_readiness.analysis import secret_patterns
from agentcore_readiness.analysis.dataflow import (
    DYNAMIC,
    Scope,
    collect_assignments,
    dict_entries,
    env_name,
    fold,
    own_nodes,
    positional_params,
    trace_value,
    validator_for,
)
from agentcore_readiness.analysis.env_secrets import EnvWrite
from agentcore_readiness.analysis.role_signals import RoleSignals

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Resolver = Callable[[ast.expr], str]

# ---------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class HandlerIssue:
    """CODE002 (``swallow``) or CODE003 (``leak``) at an ``except`` handler."""

    kind: str
    line: int
    handler_line: int
    detail: str
    function: str | None
    context: str | None
    """``entrypoint`` (any request handler), ``tool`` or ``None`` for other functions."""
    excuse: str | None = None
    """Why the handler is not the defect it looks like: a best-effort swallow (releasing a
    resource, recording telemetry, a parse fallback, an optional import) or, for a leak,
    input-validation feedback about the caller's own data."""
    leak_keys: tuple[str, ...] | None = None
    """For a leak returned in a dict literal: the keys that hold the exception text
    (``None``: the whole value)."""


@dataclass(frozen=True)
class Delegation:
    """A value (the whole payload, or one field of it) handed to a function this file does
    not define: ``target`` is its resolved dotted name, followed into the runtime's other
    modules when the rules run."""

    target: str
    line: int
    param_index: int
    after: frozenset[str] = frozenset()
    """Checks the caller applies to what the function returns."""


@dataclass(frozen=True)
class FieldRead:
    field: str
    line: int
    checks: frozenset[str]
    """``type``, ``length``, ``format`` checks applied to the value."""
    function: str
    handoffs: tuple[Delegation, ...] = ()
    """Functions of other modules the value is passed to (their checks count too)."""


@dataclass(frozen=True)
class EntrypointFacts:
    name: str
    line: int
    is_generator: bool
    guard: str
    """``wrapped``, ``partial``, ``unwrapped`` or ``no_traceback``."""
    guard_line: int
    guard_detail: str
    payload: str | None
    fields: tuple[FieldRead, ...]
    whole_validated: str | None
    delegations: tuple[Delegation, ...]
    kind: str = "entrypoint"
    """What serves requests: ``entrypoint`` (``@app.entrypoint``), ``http`` (a web app's
    ``POST /invocations`` route), ``websocket``, ``mcp_tool`` (a FastMCP tool) or ``a2a``
    (an A2A ``AgentExecutor.execute``)."""
    app: str | None = None
    """The object the handler is registered on (``app`` for ``@app.entrypoint``)."""
    handoff: Delegation | None = None
    """The one call of another module that all the handler's work goes to (judged there)."""
    qualname: str = ""
    whole_model: str | None = None
    """The class the whole payload is validated into (resolved name), when it is a class."""


@dataclass(frozen=True)
class ToolIssue:
    tool: str
    line: int
    io_line: int
    io_call: str


@dataclass(frozen=True)
class EnvRead:
    name: str
    line: int
    col: int


@dataclass(frozen=True)
class SecretLiteral:
    """A literal assigned to a secret-like name (the generic SEC001 pattern)."""

    name: str
    line: int
    masked: str
    length: int
    how: str
    fingerprint: str = ""
    """A one-way digest of the value (:func:`secret_patterns.fingerprint`): repeats are one finding."""


@dataclass(frozen=True)
class HttpCall:
    line: int
    kind: str
    """``http``, ``mcp``, ``websocket``, ``sse``, ``a2a``."""
    client: str
    url: str | None
    url_source: str
    url_env: str | None
    auth: str
    """``decorator``, ``env``, ``literal``, ``parameter``, ``none``, ``unknown``."""
    auth_detail: str
    bearer: bool
    function: str | None


@dataclass(frozen=True)
class CommandCall:
    line: int
    origin: str
    detail: str
    validated: str | None
    function: str | None


@dataclass(frozen=True)
class ProviderUse:
    decorator: str
    provider: str | None
    """``None`` when ``provider_name`` is not a literal."""
    expression: str
    line: int
    function: str
    env: str | None = None
    """The environment variable the name is read from (``os.environ.get("X", "default")``)."""
    default: str | None = None
    """That read's literal default."""


@dataclass(frozen=True)
class Evidence:
    kind: str
    detail: str
    line: int


@dataclass
class FileFacts:
    """Everything the code rules need from one file, as plain data."""

    imports: dict[str, str] = field(default_factory=dict)
    imported_modules: set[str] = field(default_factory=set)
    suppressions: dict[int, set[str]] = field(default_factory=dict)
    unreasoned: dict[int, set[str]] = field(default_factory=dict)
    """Lines with an ignore comment that gives no reason: it does not apply."""
    line_count: int = 0
    handler_issues: list[HandlerIssue] = field(default_factory=list)
    entrypoints: list[EntrypointFacts] = field(default_factory=list)
    tool_issues: list[ToolIssue] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    env_reads: list[EnvRead] = field(default_factory=list)
    env_writes: list[EnvWrite] = field(default_factory=list)
    """``os.environ["X"] = value`` and ``os.environ.setdefault("X", value)``, with where the value comes from."""
    vault_line: int | None = None
    """The first line fetching a secret from a vault (Secrets Manager, SSM, AgentCore Identity)."""
    secrets: list[secret_patterns.SecretHit] = field(default_factory=list)
    secret_literals: list[SecretLiteral] = field(default_factory=list)
    http_calls: list[HttpCall] = field(default_factory=list)
    commands: list[CommandCall] = field(default_factory=list)
    providers: list[ProviderUse] = field(default_factory=list)
    rate_limits: list[Evidence] = field(default_factory=list)
    private: list[Evidence] = field(default_factory=list)
    error_injection: list[Evidence] = field(default_factory=list)
    signals: RoleSignals = field(default_factory=RoleSignals)
    """What the file's code says about its role in the project."""


# ---------------------------------------------------------------------------
# The file context the analysers look things up in


@dataclass
class FileContext:
    resolve: Resolver
    module_values: dict[str, ast.expr]
    functions: dict[str, FunctionNode]
    """Top-level functions by name and methods by ``Class.method``."""
    text_flags: frozenset[str] = frozenset()
    scopes: dict[int, Scope] = field(default_factory=dict)
    var_uses: dict[int, dict[str, list[ast.AST]]] = field(default_factory=dict)
    """Per function: the nodes that may check each variable (see :func:`checks_on`)."""
    checks_found: dict[tuple[str, int, int], tuple[frozenset[str], tuple[Delegation, ...]]] = field(
        default_factory=dict
    )
    """What :func:`checks_on` found per (variable, function, depth), with the hand-offs."""

    def scope(self, function: FunctionNode | None) -> Scope:
        key = id(function)
        found = self.scopes.get(key)
        if found is None:
            found = Scope.of(function, self.resolve, self.module_values)
            self.scopes[key] = found
        return found

    def local_function(self, call: ast.Call) -> FunctionNode | None:
        func = call.func
        if isinstance(func, ast.Name):
            return self.functions.get(func.id)
        return None


# ---------------------------------------------------------------------------
# Logging and exceptions

_LOG_METHODS = frozenset({"exception", "error", "warning", "warn", "info", "debug", "critical", "fatal", "log"})
_TRACEBACK_LOGGERS = frozenset(
    {
        "traceback.print_exc",
        "traceback.print_exception",
        "sentry_sdk.capture_exception",
        "logging.exception",
    }
)
"""Calls that write the traceback somewhere an operator reads it."""
_TRACEBACK_TEXT = frozenset({"traceback.format_exc", "traceback.format_exception"})
"""Calls that only build the traceback's text: logging only when the text is logged."""
_BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})


def is_log_call(call: ast.Call, resolve: Resolver) -> bool:
    name = resolve(call.func)
    if name in ("print", "logging.exception") or name in _TRACEBACK_LOGGERS:
        return True
    attr = name.rsplit(".", 1)[-1]
    if attr == "capture_exception":
        return True
    if attr in _LOG_METHODS and isinstance(call.func, ast.Attribute):
        receiver = resolve(call.func.value).lower()
        return "log" in receiver or receiver.endswith(("structlog", "sentry_sdk"))
    return False


def logs_traceback(call: ast.Call, resolve: Resolver, traceback_names: frozenset[str] = frozenset()) -> bool:
    """Whether ``call`` writes the traceback to the logs: ``logger.exception``, ``exc_info=``,
    ``traceback.print_exc()``, Sentry's ``capture_exception``, an OpenTelemetry span's
    ``record_exception``, or a log call given ``traceback.format_exc()`` (directly or
    through one of ``traceback_names``, variables holding it). ``format_exc()`` alone only
    builds the text: returned to the caller, it is a leak (CODE003), not logging.
    """
    name = resolve(call.func)
    attr = name.rsplit(".", 1)[-1]
    if name in _TRACEBACK_LOGGERS or attr in ("capture_exception", "record_exception"):
        return True
    if not is_log_call(call, resolve):
        return False
    if attr == "exception":
        return True
    for keyword in call.keywords:
        if keyword.arg == "exc_info":
            value = keyword.value
            return not (isinstance(value, ast.Constant) and value.value in (False, None, 0))
    arguments = [*call.args, *(k.value for k in call.keywords)]
    return any(
        (isinstance(n, ast.Call) and resolve(n.func) in _TRACEBACK_TEXT)
        or (isinstance(n, ast.Name) and n.id in traceback_names)
        for arg in arguments
        for n in ast.walk(arg)
    )


def traceback_text_names(statements: Iterable[ast.AST], resolve: Resolver) -> frozenset[str]:
    """Variables assigned ``traceback.format_exc()`` (or text built from it) in ``statements``."""
    names: set[str] = set()
    for node in own_nodes(statements):
        if isinstance(node, ast.Assign) and any(
            isinstance(n, ast.Call) and resolve(n.func) in _TRACEBACK_TEXT for n in ast.walk(node.value)
        ):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


def is_broad(handler: ast.ExceptHandler, resolve: Resolver) -> bool:
    kind = handler.type
    if kind is None:
        return True
    candidates = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(resolve(c) in _BROAD for c in candidates)


def _is_noop(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.Pass, ast.Continue)):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return True
    return isinstance(statement, ast.Return) and (
        statement.value is None or (isinstance(statement.value, ast.Constant) and statement.value.value is None)
    )


_LEAK_CALLS = frozenset(
    {"traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.format_stack"}
)


def _leak_in(expr: ast.AST, exc: str | None, tainted: dict[str, str], resolve: Resolver) -> str | None:
    """What of the exception ``expr`` exposes, if anything."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            name = resolve(node.func)
            if name in _LEAK_CALLS:
                return f"{name}()"
            if name == "sys.exc_info":
                return "sys.exc_info()"
            if name in ("str", "repr") and node.args and isinstance(node.args[0], ast.Name):
                arg = node.args[0].id
                if arg == exc:
                    return f"{name}({arg})"
                if arg in tainted:
                    return f"`{arg}`, which holds {tainted[arg]}"
        elif isinstance(node, ast.FormattedValue):
            inner = node.value
            while isinstance(inner, ast.Attribute) and inner.attr != "__name__":
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id == exc:
                return f"an f-string of {inner.id}"
            if isinstance(inner, ast.Name) and inner.id in tainted:
                return f"an f-string of `{inner.id}`, which holds {tainted[inner.id]}"
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == exc:
            if node.attr in ("args", "message", "msg", "detail", "details", "__traceback__", "response"):
                return f"{exc}.{node.attr}"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            names = {n.id for n in ast.walk(node.right) if isinstance(n, ast.Name)}
            if exc in names or names & set(tainted):
                return f"a %-format of {exc}"
        elif isinstance(node, ast.Name) and node.id == exc:
            # the exception object itself returned (serialised with its message)
            return f"the exception object `{exc}`"
        elif isinstance(node, ast.Name) and node.id in tainted:
            return f"`{node.id}`, which holds {tainted[node.id]}"
    return None


def _type_name_only(expr: ast.AST) -> bool:
    """``type(e).__name__`` exposes only the class name."""
    return (
        isinstance(expr, ast.Attribute)
        and expr.attr == "__name__"
        and isinstance(expr.value, ast.Call)
        and isinstance(expr.value.func, ast.Name)
        and expr.value.func.id == "type"
    )


def analyze_handler(
    handler: ast.ExceptHandler,
    function: str | None,
    context: str | None,
    resolve: Resolver,
    try_node: ast.Try | ast.TryStar | None = None,
) -> list[HandlerIssue]:
    """CODE002 (a broad handler that only passes) and CODE003 (exception details returned
    or yielded) at one ``except`` handler of ``function`` (its qualified name). With the
    ``try`` statement it belongs to, the issue says when it is intended (:attr:`HandlerIssue.excuse`)."""
    issues: list[HandlerIssue] = []
    broad = is_broad(handler, resolve)
    exc = handler.name
    nodes = list(own_nodes(handler.body))
    if broad and all(_is_noop(s) for s in handler.body):
        what = "except:" if handler.type is None else "except Exception:"
        excuse = swallow_excuse(try_node, function, resolve)
        issues.append(
            HandlerIssue(
                "swallow",
                handler.lineno,
                handler.lineno,
                f"`{what}` whose body only passes",
                function,
                context,
                excuse=excuse,
            )
        )
    if not any(isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom)) for n in nodes):
        return issues
    tainted: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) for t in node.targets):
            origin = _leak_in(_strip_type_names(node.value), exc, tainted, resolve)
            if origin:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        tainted[target.id] = f"{origin} (line {node.lineno})"
    feedback = validation_feedback(handler, try_node, resolve)
    for node in nodes:
        if not isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)) or node.value is None:
            continue
        value = _strip_type_names(node.value)
        leak = _leak_in(value, exc, tainted, resolve)
        if leak:
            verb = "returns" if isinstance(node, ast.Return) else "yields"
            issues.append(
                HandlerIssue(
                    "leak",
                    node.lineno,
                    handler.lineno,
                    f"{verb} {leak} to the caller",
                    function,
                    context,
                    excuse=feedback,
                    leak_keys=_leak_keys(value, exc, tainted, resolve),
                )
            )
    return issues


def _leak_keys(value: ast.expr, exc: str | None, tainted: dict[str, str], resolve: Resolver) -> tuple[str, ...] | None:
    """The keys of a returned dict literal that hold the exception text (``None``: not a dict
    literal, or a key that is not a string)."""
    if not isinstance(value, ast.Dict):
        return None
    keys: list[str] = []
    for key, item in zip(value.keys, value.values, strict=True):
        if _leak_in(item, exc, tainted, resolve) is None:
            continue
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        keys.append(key.value)
    return tuple(keys)


# -- when a swallowed exception or a returned message is intended

_TELEMETRY_WORDS = frozenset(
    {
        "telemetry",
        "metric",
        "metrics",
        "tracing",
        "tracer",
        "span",
        "otel",
        "opentelemetry",
        "statsd",
        "prometheus",
        "datadog",
        "langfuse",
        "observability",
    }
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def telemetry_name(name: str) -> bool:
    """Whether a (dotted, snake_case or CamelCase) name is observability code's: a failure to
    record telemetry must never fail the work it observes."""
    return any(word.lower() in _TELEMETRY_WORDS for word in _WORD.findall(name))


_RELEASE_CALLS = frozenset(
    {
        "close",
        "aclose",
        "shutdown",
        "cancel",
        "disconnect",
        "stop",
        "terminate",
        "kill",
        "release",
        "unlink",
        "remove",
        "rmtree",
        "cleanup",
        "join",
        "dispose",
        "flush",
        "end",
        "detach",
        "__exit__",
        "__aexit__",
    }
)
_PURE_FUNCTIONS = frozenset(
    {
        "int",
        "float",
        "str",
        "bool",
        "complex",
        "bytes",
        "dict",
        "list",
        "tuple",
        "set",
        "len",
        "round",
        "abs",
        "compile",
        "decimal.Decimal",
        "fractions.Fraction",
        "json.loads",
        "ast.literal_eval",
        "ast.parse",
        "time.strptime",
        "uuid.UUID",
        "html.unescape",
        "shlex.split",
        "yaml.safe_load",
        "tomllib.loads",
    }
)
_PURE_MODULES = (
    "datetime.",
    "email.utils.",
    "dateutil.parser.",
    "base64.",
    "binascii.",
    "urllib.parse.",
    "ipaddress.",
    "re.",
    "unicodedata.",
    "packaging.version.",
)
_PURE_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "split",
        "rsplit",
        "replace",
        "lower",
        "upper",
        "casefold",
        "decode",
        "encode",
        "timestamp",
        "isoformat",
        "astimezone",
        "fromisoformat",
        "strptime",
        "fromtimestamp",
        "group",
        "groups",
        "groupdict",
        "startswith",
        "endswith",
        "splitlines",
        "partition",
        "rpartition",
        "total_seconds",
        "model_validate",
        "model_validate_json",
        "validate_python",
        "validate_json",
        "parse_obj",
    }
)
_VALIDATION_ERRORS = frozenset(
    {
        "SyntaxError",
        "ValueError",
        "JSONDecodeError",
        "ValidationError",
        "UnicodeDecodeError",
        "Error",
        "InvalidOperation",
    }
)


def _is_pure(call: ast.Call, resolve: Resolver) -> bool:
    """A conversion or parse of values at hand: no I/O, nothing of the project."""
    name = resolve(call.func)
    if _io_name(name) or name.split(".", 1)[0] in IO_ROOTS:
        return False
    if name in _PURE_FUNCTIONS or name.startswith(_PURE_MODULES):
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in _PURE_METHODS


def _only_imports(body: list[ast.stmt]) -> bool:
    return bool(body) and all(isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass)) for s in body)


def swallow_excuse(try_node: ast.Try | ast.TryStar | None, function: str | None, resolve: Resolver) -> str | None:
    """Why a broad ``except`` that only passes is a deliberate best-effort path, or ``None``.

    Deliberate when nothing the caller needs can be lost: in ``__del__`` (Python ignores
    exceptions there anyway); in telemetry code, or when the guarded code only records
    telemetry (observability must not break the work it observes); when the guarded code
    only releases resources (``close``, ``shutdown``, ``cancel`` ...: the work is done); when
    it only converts or parses values at hand with no I/O (a parse fallback: the next step
    handles input in another format); or when it only imports (an optional dependency).
    """
    name = (function or "").rsplit(".", 1)[-1]
    if name == "__del__":
        return "in __del__, where Python ignores exceptions anyway"
    if function and telemetry_name(function):
        return f"in {function}(), which records telemetry: observability must not break the work it observes"
    if try_node is None:
        return None
    body = try_node.body
    if _only_imports(body):
        return "the try only imports an optional dependency"
    calls = [n for n in own_nodes(body) if isinstance(n, ast.Call) and not is_log_call(n, resolve)]
    if not calls:
        return None
    if all(isinstance(c.func, ast.Attribute) and c.func.attr in _RELEASE_CALLS for c in calls):
        return "the try only releases resources (close, shutdown, cancel ...): the work is already done"
    work = [c for c in calls if resolve(c.func) not in _SAFE_CALLS]
    if work and all(telemetry_name(resolve(c.func)) for c in work):
        return "the try only records telemetry: observability must not break the work it observes"
    if all(_is_pure(c, resolve) or resolve(c.func) in _SAFE_CALLS for c in calls):
        return "the try only parses or converts values at hand (no I/O): a fallback handles other formats"
    return None


def validation_feedback(
    handler: ast.ExceptHandler, try_node: ast.Try | ast.TryStar | None, resolve: Resolver
) -> str | None:
    """Why an exception's text returned to the caller describes the caller's own input, or
    ``None``: the handler catches only validation errors (``ValueError``, ``SyntaxError``,
    ``json.JSONDecodeError``, pydantic's ``ValidationError`` ...) and the guarded code only
    parses or validates values at hand (no I/O, no project code), so the message says what
    is wrong with the input, not how the system works inside.
    """
    if try_node is None or handler.type is None:
        return None
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = [resolve(k).rsplit(".", 1)[-1] for k in kinds]
    if not names or not all(n in _VALIDATION_ERRORS for n in names):
        return None
    calls = [n for n in own_nodes(try_node.body) if isinstance(n, ast.Call)]
    if not calls:
        return None
    for call in calls:
        name = resolve(call.func)
        constructor = name.rsplit(".", 1)[-1][:1].isupper() and "ValidationError" in names
        lookup = (
            isinstance(call.func, ast.Attribute) and call.func.attr == "get" and isinstance(call.func.value, ast.Name)
        )
        if not (_is_pure(call, resolve) or constructor or lookup or name in _SAFE_CALLS):
            return None
    return f"input-validation feedback: {' or '.join(names)} from parsing or validating the input describes the input"


class _TypeNames(ast.NodeTransformer):
    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if _type_name_only(node):
            return ast.copy_location(ast.Constant("TypeName"), node)
        return self.generic_visit(node)


def _strip_type_names(expr: ast.expr) -> ast.expr:
    """The expression with ``type(e).__name__`` parts replaced by a constant."""
    if not any(isinstance(n, ast.Attribute) and n.attr == "__name__" for n in ast.walk(expr)):
        return expr
    import copy

    return _TypeNames().visit(copy.deepcopy(expr))  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------
# Entrypoints: error handling (CODE001) and payload validation (CODE005-CODE007)

_SAFE_CALLS = frozenset(
    {
        "isinstance",
        "len",
        "getattr",
        "hasattr",
        "str",
        "int",
        "bool",
        "float",
        "dict",
        "list",
        "tuple",
        "set",
        "type",
        "print",
        "time.time",
        "time.monotonic",
        "time.perf_counter",
        "uuid.uuid4",
        "id",
        "min",
        "max",
        "any",
        "all",
        "sorted",
        "repr",
    }
)
_SAFE_METHODS = frozenset({"get", "strip", "lower", "upper", "split", "startswith", "endswith", "items", "keys"})


def _safe_expr(expr: ast.AST | None, resolve: Resolver) -> bool:
    if expr is None:
        return True
    for node in ast.walk(expr):
        if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Call):
            name = resolve(node.func)
            if name in _SAFE_CALLS or is_log_call(node, resolve):
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr in _SAFE_METHODS:
                continue
            return False
    return True


def _trivial(statement: ast.stmt, resolve: Resolver) -> bool:
    if isinstance(statement, (ast.Pass, ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom, ast.Raise, ast.Delete)):
        return True
    if isinstance(statement, ast.Expr):
        return _safe_expr(statement.value, resolve)
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)):
        return _safe_expr(statement.value, resolve)
    if isinstance(statement, ast.Assert):
        return _safe_expr(statement.test, resolve)
    if isinstance(statement, ast.If):
        return (
            _safe_expr(statement.test, resolve)
            and all(_trivial(s, resolve) for s in statement.body)
            and all(_trivial(s, resolve) for s in statement.orelse)
        )
    return False


def _strip_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[1:]
    return body


def handler_logging(handler: ast.ExceptHandler, resolve: Resolver) -> str | None:
    """``None`` when an ``except`` handler logs the traceback, else why it does not count."""
    calls = [n for n in own_nodes(handler.body) if isinstance(n, ast.Call)]
    names = traceback_text_names(handler.body, resolve)
    if any(logs_traceback(c, resolve, names) for c in calls):
        return None
    if any(isinstance(n, ast.Raise) and n.exc is None for n in own_nodes(handler.body)) and not calls:
        return "re-raises without logging: the SDK returns the exception text"
    if any(is_log_call(c, resolve) for c in calls):
        return "logs without the traceback (use logger.exception or exc_info=True)"
    if any(resolve(c.func) in _TRACEBACK_TEXT for c in calls):
        return "sends traceback.format_exc() to the caller instead of logging it"
    return "does not log the error"


def _guard(statements: list[ast.stmt], resolve: Resolver) -> tuple[list[int], list[int], list[tuple[int, str]]]:
    """(guarded lines, unguarded lines, handlers that do not log the traceback)."""
    guarded: list[int] = []
    unguarded: list[int] = []
    bad: list[tuple[int, str]] = []
    for statement in statements:
        if isinstance(statement, (ast.Try, ast.TryStar)):
            broad = [h for h in statement.handlers if is_broad(h, resolve)]
            if not broad:
                # try/finally (or narrow handlers only): what matters is inside
                inner_guarded, inner_unguarded, inner_bad = _guard(statement.body, resolve)
                guarded.extend(inner_guarded)
                unguarded.extend(inner_unguarded)
                bad.extend(inner_bad)
                continue
            handler = broad[0]
            why = handler_logging(handler, resolve)
            if why is None:
                guarded.append(statement.lineno)
            else:
                bad.append((handler.lineno, why))
            for extra in statement.orelse:
                if not _trivial(extra, resolve):
                    unguarded.append(extra.lineno)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            inner_guarded, inner_unguarded, inner_bad = _guard(statement.body, resolve)
            guarded.extend(inner_guarded)
            unguarded.extend(inner_unguarded)
            bad.extend(inner_bad)
        elif not _trivial(statement, resolve):
            unguarded.append(statement.lineno)
    return guarded, unguarded, bad


@dataclass(frozen=True)
class Guard:
    """How a request handler's work is wrapped (CODE001)."""

    status: str
    """``wrapped``, ``partial``, ``unwrapped`` or ``no_traceback``."""
    line: int
    detail: str
    handoff: Delegation | None = None
    """All the work goes to this function of another module: the rule judges it there."""


def _sole_call(body: list[ast.stmt], resolve: Resolver) -> tuple[list[ast.Call], ast.Call | None]:
    """The calls of a body whose only work is one statement, and that statement's outermost
    call that is not a cheap built-in (``None`` when the work is more than one statement).
    """
    work = [s for s in body if not _trivial(s, resolve)]
    if len(work) != 1:
        return [], None
    calls = [n for n in own_nodes(work) if isinstance(n, ast.Call)]
    costly = [c for c in calls if resolve(c.func) not in _SAFE_CALLS and not is_log_call(c, resolve)]
    return calls, (costly[0] if costly else None)


def guard_of(function: FunctionNode, ctx: FileContext, depth: int = 2) -> Guard:
    """Whether the body of a request handler (apart from trivial statements) runs inside a
    ``try`` whose broad handler logs the traceback; a handler that only hands the work to
    one function is judged by that function (here when it is in this file, else by the rule).
    """
    body = _strip_docstring(function.body)
    guarded, unguarded, bad = _guard(body, ctx.resolve)
    if not guarded and not bad and depth > 0:
        calls, sole = _sole_call(body, ctx.resolve)
        if sole is not None and len(calls) <= 2:
            local = ctx.local_function(sole)
            if local is not None:
                inner = guard_of(local, ctx, depth - 1)
                if inner.status == "wrapped":
                    return Guard("wrapped", function.lineno, f"the work runs in {local.name}(), which is wrapped")
                if inner.status == "no_traceback" or inner.handoff is not None:
                    return inner
            else:
                name = ctx.resolve(sole.func)
                if not name.startswith("?") and "()" not in name:
                    handoff = Delegation(name, sole.lineno, 0)
                    return Guard("unwrapped", function.lineno, "no try/except around the agent logic", handoff)
    if bad:
        line, why = bad[0]
        return Guard("no_traceback", line, f"the except handler on line {line} {why}")
    if unguarded and guarded:
        return Guard(
            "partial", unguarded[0], "line(s) " + ", ".join(str(n) for n in unguarded[:5]) + " run outside the try"
        )
    if unguarded:
        return Guard("unwrapped", function.lineno, "no try/except around the agent logic")
    return Guard("wrapped", function.lineno, "wrapped in try/except that logs the traceback" if guarded else "no work")


PROMPT_FIELDS = re.compile(
    r"^(?:prompt|prompts|input|inputs|input_?text|message|messages|user_?message|query|question|text|content|"
    r"instruction|instructions|task|user_?input|chat_?input)$",
    re.IGNORECASE,
)
IDENTIFIER_FIELDS = re.compile(
    r"^(?:actor|session|user|tenant|customer|account|conversation|thread|org|organization)_?id$", re.IGNORECASE
)
_MODEL_VALIDATE = frozenset({"model_validate", "parse_obj", "validate_python", "validate_json", "model_validate_json"})
_NOT_PROJECT = _SAFE_CALLS | frozenset({"print", "next", "iter", "enumerate", "zip", "range", "format", "hash"})
"""Built-ins a value may be passed to without that call being a check or a hand-off."""


def _library_checks(call: ast.Call, name: str, var_is_receiver: bool) -> set[str] | None:
    """The checks a known library call applies to a value passed to it (``None``: not a
    known checking call)."""
    attr = name.rsplit(".", 1)[-1]
    if name == "isinstance" or name in ("int", "float", "decimal.Decimal"):
        return {"type"}
    if name in ("uuid.UUID", "datetime.datetime.fromisoformat", "datetime.date.fromisoformat", "ipaddress.ip_address"):
        return {"type", "format"}
    if name in ("re.match", "re.fullmatch", "re.search") or (
        attr in ("match", "fullmatch", "search") and not var_is_receiver
    ):
        return {"format"}
    if var_is_receiver:
        if attr in ("isalnum", "isdigit", "isidentifier", "isascii", "isdecimal", "isnumeric", "isalpha"):
            return {"type", "format"}
        return set()
    if attr in _MODEL_VALIDATE or name == "jsonschema.validate":
        return {"type", "length", "format"}
    if attr == "validate" and isinstance(call.func, ast.Attribute):
        # a schema or validator object's validate() (jsonschema, cerberus, marshmallow)
        return {"type", "length", "format"}
    if name == "textwrap.shorten":
        return {"length"}
    if name.startswith("validators."):
        return {"format"}
    return None


def _maybe_project(name: str) -> bool:
    """Whether a resolved call name may be a function of the project (followed when the rules run)."""
    return bool(name) and not name.startswith("?") and "()" not in name and name not in _NOT_PROJECT


def log_argument_nodes(statements: Iterable[ast.AST], resolve: Resolver) -> set[int]:
    """Ids of the nodes inside the arguments of log and print calls: what happens there
    (a slice, a length test) only shapes a log line."""
    inside: set[int] = set()
    for node in own_nodes(statements):
        if isinstance(node, ast.Call) and id(node) not in inside and is_log_call(node, resolve):
            for part in [*node.args, *(k.value for k in node.keywords)]:
                inside.update(id(n) for n in ast.walk(part))
    return inside


def _bounding_slice(node: ast.Subscript) -> bool:
    """``x[:N]`` with a positive literal or a named limit (not ``x[:-1]``, not ``x[:len(y)]``)."""
    if not isinstance(node.slice, ast.Slice):
        return False
    upper = node.slice.upper
    if isinstance(upper, ast.Constant):
        return isinstance(upper.value, int) and upper.value > 0
    return isinstance(upper, (ast.Name, ast.Attribute))


def _getter_key(expr: ast.AST, payload: str) -> ast.expr | None:
    """The key of ``payload.get(key, …)`` or ``payload.pop(key, …)``."""
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in ("get", "pop")
        and isinstance(expr.func.value, ast.Name)
        and expr.func.value.id == payload
        and expr.args
    ):
        return expr.args[0]
    return None


def _read_field(expr: ast.AST, payload: str) -> str | None:
    """``k`` for ``payload.get("k", …)`` or ``payload["k"]``."""
    key = _getter_key(expr, payload)
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    if (
        isinstance(expr, ast.Subscript)
        and isinstance(expr.value, ast.Name)
        and expr.value.id == payload
        and isinstance(expr.slice, ast.Constant)
        and isinstance(expr.slice.value, str)
    ):
        return expr.slice.value
    return None


def _literal_loops(function: FunctionNode) -> dict[str, tuple[str, ...]]:
    """Loop variables over literal strings: ``for key in ("a", "b"):`` -> {"key": ("a", "b")}."""
    found: dict[str, tuple[str, ...]] = {}
    for node in own_nodes(function.body):
        if (
            isinstance(node, (ast.For, ast.AsyncFor))
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, (ast.Tuple, ast.List, ast.Set))
        ):
            keys = [e.value for e in node.iter.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if keys and len(keys) == len(node.iter.elts):
                found[node.target.id] = tuple(keys)
    return found


def _reads_in(value: ast.expr, payload: str, loop_keys: dict[str, tuple[str, ...]]) -> list[tuple[ast.AST, str]]:
    """The payload reads a value is made of: ``payload.get("a") or payload.get("b")`` gives
    both, ``payload.get(key)`` in a loop over literal keys gives each key."""
    operands = value.values if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or) else [value]
    found: list[tuple[ast.AST, str]] = []
    for operand in operands:
        inner = _unwrap(operand)
        key = _read_field(inner, payload)
        if key is not None:
            found.append((inner, key))
            continue
        loop_var = _read_by_name(inner, payload)
        if loop_var in loop_keys:
            found.extend((inner, k) for k in loop_keys[loop_var])
    return found


def _read_by_name(expr: ast.AST, payload: str) -> str | None:
    """``v`` for ``payload.get(v)`` or ``payload[v]``."""
    key = _getter_key(expr, payload)
    if isinstance(key, ast.Name):
        return key.id
    if isinstance(expr, ast.Subscript) and _mentions(expr.value, payload) and isinstance(expr.slice, ast.Name):
        return expr.slice.id
    return None


def _unwrap(expr: ast.expr) -> ast.expr:
    """The value inside ``str(x)``, ``x.strip()``, ``x or default``."""
    while True:
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            expr = expr.values[0]
        elif (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in ("strip", "lower", "upper", "lstrip", "rstrip")
        ):
            expr = expr.func.value
        else:
            return expr


def _mentions(expr: ast.AST, var: str) -> bool:
    return isinstance(expr, ast.Name) and expr.id == var


def _uses_by_variable(function: FunctionNode, ctx: FileContext) -> dict[str, list[ast.AST]]:
    """The calls, comparisons, slices and copies of ``function`` that name each variable,
    in source order, from one walk of the body (nodes inside log and print arguments left
    out): :func:`checks_on` looks only at a variable's own uses, so checking every payload
    field of a long function stays linear.
    """
    found = ctx.var_uses.get(id(function))
    if found is not None:
        return found
    found = {}
    logged = log_argument_nodes(function.body, ctx.resolve)
    for node in own_nodes(function.body):
        if id(node) in logged:
            continue
        names: set[str] = set()
        if isinstance(node, ast.Call):
            names.update(a.id for a in node.args if isinstance(a, ast.Name))
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                names.add(node.func.value.id)
        elif isinstance(node, ast.Compare):
            if isinstance(node.left, ast.Name):
                names.add(node.left.id)
            for operand in (node.left, *node.comparators):
                if isinstance(operand, ast.Call) and operand.args and isinstance(operand.args[0], ast.Name):
                    names.add(operand.args[0].id)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            names.add(node.value.id)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            copied = _copied_name(node.value)
            if copied is not None:
                names.add(copied)
        for name in names:
            found.setdefault(name, []).append(node)
    ctx.var_uses[id(function)] = found
    return found


def checks_on(
    var: str,
    function: FunctionNode,
    ctx: FileContext,
    depth: int = 2,
    handoffs: list[Delegation] | None = None,
) -> set[str]:
    """The checks applied to variable ``var`` in ``function`` and in the functions of this
    file it is passed to, judged by what the code does (a type test, a length test or a
    bounding slice, a pattern match or allowlist, a known validating library), not by a
    function's name. Functions of other modules the value is passed to are added to
    ``handoffs``, to be followed when the rules run. Slices and tests inside a log or print
    call's arguments do not count. Each (variable, function, depth) is worked out once.
    """
    key = (var, id(function), depth)
    known = ctx.checks_found.get(key)
    if known is None:
        handed: list[Delegation] = []
        found = _checks_on(var, function, ctx, depth, handed)
        known = ctx.checks_found[key] = (frozenset(found), tuple(handed))
    if handoffs is not None:
        handoffs.extend(known[1])
    return set(known[0])


def _checks_on(var: str, function: FunctionNode, ctx: FileContext, depth: int, handoffs: list[Delegation]) -> set[str]:
    found: set[str] = set()
    resolve = ctx.resolve
    for node in _uses_by_variable(function, ctx).get(var, ()):
        if isinstance(node, ast.Call):
            args = node.args
            receiver = isinstance(node.func, ast.Attribute) and _mentions(node.func.value, var)
            if not any(_mentions(a, var) for a in args) and not receiver:
                continue
            name = resolve(node.func)
            known = _library_checks(node, name, receiver)
            if known is not None:
                found |= known
                continue
            if depth <= 0:
                continue
            target = ctx.local_function(node)
            params = positional_params(target) if target is not None else []
            for index, arg in enumerate(args):
                if not _mentions(arg, var):
                    continue
                if target is not None:
                    if index < len(params):
                        found |= checks_on(params[index], target, ctx, depth - 1, handoffs)
                elif _maybe_project(name):
                    handoffs.append(Delegation(name, node.lineno, index))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for operand in operands:
                if isinstance(operand, ast.Call) and isinstance(operand.func, ast.Name) and operand.args:
                    if operand.func.id == "len" and _mentions(operand.args[0], var):
                        found.add("length")
                    elif operand.func.id == "type" and _mentions(operand.args[0], var):
                        found.add("type")
            if _mentions(node.left, var) and any(isinstance(o, (ast.In, ast.NotIn)) for o in node.ops):
                found.add("format")
        elif isinstance(node, ast.Subscript) and _mentions(node.value, var) and _bounding_slice(node):
            found.add("length")
        elif isinstance(node, ast.Assign) and depth > 0 and len(node.targets) == 1:
            alias = node.targets[0]
            if isinstance(alias, ast.Name) and alias.id != var and _is_copy_of(node.value, var):
                # query = query_value.strip(): checks on the copy count for the value
                found |= checks_on(alias.id, function, ctx, depth - 1, handoffs)
    return found


def _is_copy_of(value: ast.expr, var: str) -> bool:
    """``var``, ``var.strip()``, ``str(var)`` (the same value under another name)."""
    return _copied_name(value) == var


def _copied_name(value: ast.expr) -> str | None:
    """The variable ``value`` is a copy of (``var``, ``var.strip()``, ``str(var)``), if any."""
    inner = _unwrap(value)
    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "str" and inner.args:
        inner = _unwrap(inner.args[0])
    return inner.id if isinstance(inner, ast.Name) else None


@dataclass
class PayloadScan:
    fields: list[FieldRead] = field(default_factory=list)
    whole_validated: str | None = None
    whole_model: str | None = None
    delegations: list[Delegation] = field(default_factory=list)


def _scan_payload(
    function: FunctionNode,
    payload: str,
    ctx: FileContext,
    scan: PayloadScan,
    extra: set[str],
    depth: int,
    seen: set[int],
) -> None:
    if id(function) in seen:
        return
    seen.add(id(function))
    assigned_reads = _scan_assigned(function, payload, ctx, scan, extra, depth, seen)
    _scan_calls(function, payload, ctx, scan, extra, depth, seen, assigned_reads)
    # reads used in place: agent(payload.get("prompt"))
    recorded = {(f.field, f.line) for f in scan.fields}
    for node in own_nodes(function.body):
        key = _read_field(node, payload)
        line = getattr(node, "lineno", 0)
        if key is not None and (key, line) not in recorded and id(node) not in assigned_reads:
            scan.fields.append(FieldRead(key, line, frozenset(extra), function.name))
            recorded.add((key, line))


def _scan_assigned(
    function: FunctionNode,
    payload: str,
    ctx: FileContext,
    scan: PayloadScan,
    extra: set[str],
    depth: int,
    seen: set[int],
) -> set[int]:
    """Reads bound to a variable (``prompt = payload.get("prompt")``) and the payload handed
    to a function whose result is bound (``prompt = extract(payload)``)."""
    assigned_reads: set[int] = set()
    loop_keys = _literal_loops(function)
    for node in own_nodes(function.body):
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if value is None or len(targets) != 1 or not isinstance(targets[0], ast.Name):
            continue
        var = targets[0].id
        reads = _reads_in(value, payload, loop_keys)
        if reads:
            handoffs: list[Delegation] = []
            checks = checks_on(var, function, ctx, handoffs=handoffs) | extra
            for read, key in reads:
                assigned_reads.add(id(read))
                scan.fields.append(FieldRead(key, node.lineno, frozenset(checks), function.name, tuple(handoffs)))
            continue
        call = value.value if isinstance(value, ast.Await) else value
        if not isinstance(call, ast.Call) or depth <= 0:
            continue
        index = next((i for i, a in enumerate(call.args) if _mentions(a, payload)), None)
        if index is None:
            continue
        target = ctx.local_function(call)
        later = checks_on(var, function, ctx)
        if target is not None:
            params = positional_params(target)
            if index < len(params):
                assigned_reads.add(id(call))
                _scan_payload(target, params[index], ctx, scan, extra | later, depth - 1, seen)
            continue
        name = ctx.resolve(call.func)
        if _maybe_project(name) and _library_checks(call, name, False) is None:
            assigned_reads.add(id(call))
            scan.delegations.append(Delegation(name, call.lineno, index, frozenset(extra | later)))
    return assigned_reads


def _scan_calls(
    function: FunctionNode,
    payload: str,
    ctx: FileContext,
    scan: PayloadScan,
    extra: set[str],
    depth: int,
    seen: set[int],
    assigned_reads: set[int],
) -> None:
    """The whole payload handed to a call (a validator, a model, a function), and single
    fields passed straight to one (``f(payload["messages"])``)."""
    resolve = ctx.resolve
    logged = log_argument_nodes(function.body, resolve)
    for node in own_nodes(function.body):
        if not isinstance(node, ast.Call) or id(node) in assigned_reads or id(node) in logged:
            continue
        name = resolve(node.func)
        attr = name.rsplit(".", 1)[-1]
        whole_index = next((i for i, a in enumerate(node.args) if _mentions(a, payload)), None)
        spread = any(k.arg is None and _mentions(k.value, payload) for k in node.keywords)
        if whole_index is not None or spread:
            _whole_payload(node, name, attr, whole_index, spread, payload, ctx, scan, extra, depth, seen)
        for index, arg in enumerate(node.args):
            key = _read_field(_unwrap(arg), payload)
            if key is None:
                continue
            arg_checks: set[str] = set(extra)
            handoffs: list[Delegation] = []
            known = _library_checks(node, name, False)
            if known is not None:
                arg_checks |= known
            else:
                target = ctx.local_function(node)
                if target is not None:
                    params = positional_params(target)
                    if index < len(params):
                        arg_checks |= checks_on(params[index], target, ctx, handoffs=handoffs)
                elif _maybe_project(name):
                    handoffs.append(Delegation(name, node.lineno, index))
            scan.fields.append(FieldRead(key, node.lineno, frozenset(arg_checks), function.name, tuple(handoffs)))


def _whole_payload(
    node: ast.Call,
    name: str,
    attr: str,
    whole_index: int | None,
    spread: bool,
    payload: str,
    ctx: FileContext,
    scan: PayloadScan,
    extra: set[str],
    depth: int,
    seen: set[int],
) -> None:
    if name == "isinstance":
        return
    if _library_checks(node, name, False) == {"type", "length", "format"}:
        if scan.whole_validated is None:
            scan.whole_validated = f"{name}() on line {node.lineno}"
            if attr in _MODEL_VALIDATE and isinstance(node.func, ast.Attribute):
                scan.whole_model = ctx.resolve(node.func.value)
        return
    if spread and attr[:1].isupper():
        if scan.whole_validated is None:
            scan.whole_validated = f"{name}(**{payload}) on line {node.lineno}"
            scan.whole_model = name
        return
    if whole_index is None:
        return
    target = ctx.local_function(node)
    if target is not None:
        params = positional_params(target)
        if depth > 0 and whole_index < len(params):
            _scan_payload(target, params[whole_index], ctx, scan, set(extra), depth - 1, seen)
        return
    if _maybe_project(name):
        scan.delegations.append(Delegation(name, node.lineno, whole_index, frozenset(extra)))


def analyze_entrypoint(
    function: FunctionNode,
    is_generator: bool,
    ctx: FileContext,
    *,
    kind: str = "entrypoint",
    app: str | None = None,
    qualname: str = "",
    payload: str | None = None,
) -> EntrypointFacts:
    """A request handler's facts: how its work is guarded (CODE001) and what it reads from
    the payload (CODE005-CODE007). ``payload`` names the variable holding the request
    body when it is not the first parameter (an HTTP route's ``await request.json()``)."""
    guard = guard_of(function, ctx)
    if payload is None and kind == "entrypoint":
        params = positional_params(function)
        payload = params[0] if params else None
    scan = PayloadScan()
    if payload is not None:
        _scan_payload(function, payload, ctx, scan, set(), 3, set())
    scan.fields.sort(key=lambda f: f.line)
    return EntrypointFacts(
        name=function.name,
        line=function.lineno,
        is_generator=is_generator,
        guard=guard.status,
        guard_line=guard.line,
        guard_detail=guard.detail,
        payload=payload,
        fields=tuple(scan.fields),
        whole_validated=scan.whole_validated,
        delegations=tuple(scan.delegations),
        whole_model=scan.whole_model,
        kind=kind,
        app=app,
        handoff=guard.handoff,
        qualname=qualname or function.name,
    )


def payload_fields_of(
    function: FunctionNode, param_index: int, ctx: FileContext, extra: frozenset[str] = frozenset()
) -> PayloadScan:
    """The payload reads of a function of another module the handler delegates to."""
    scan = PayloadScan()
    params = positional_params(function)
    if param_index < len(params):
        _scan_payload(function, params[param_index], ctx, scan, set(extra), 2, set())
    return scan


# -- a pydantic model's fields, judged by what they declare

_BOUNDED_TYPES = frozenset({"int", "float", "bool", "decimal.Decimal", "datetime.datetime", "datetime.date"})
_FORMAT_TYPES = ("UUID", "UUID4", "EmailStr", "HttpUrl", "AnyUrl", "IPvAnyAddress", "Literal")
_LENGTH_KEYWORDS = frozenset({"max_length", "max_items", "le", "lt"})
_FORMAT_KEYWORDS = frozenset({"pattern", "regex"})


def _declared_checks(expr: ast.AST, resolve: Resolver) -> set[str]:
    """Checks an annotation or a default declares: ``Field(max_length=…)``,
    ``constr(pattern=…)``, ``Annotated[str, StringConstraints(…)]``, ``Literal[…]``, an enum."""
    found: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            keywords = {k.arg for k in node.keywords if k.arg}
            if keywords & _LENGTH_KEYWORDS:
                found.add("length")
            if keywords & _FORMAT_KEYWORDS:
                found.add("format")
        elif isinstance(node, (ast.Name, ast.Attribute)):
            name = resolve(node)
            last = name.rsplit(".", 1)[-1]
            if name in _BOUNDED_TYPES or last in ("int", "float", "bool"):
                found.add("length")
            if last in _FORMAT_TYPES:
                found.update(("format", "length"))
    return found


def model_fields(cls: ast.ClassDef, ctx: FileContext) -> list[FieldRead]:
    """The fields of a pydantic model (or a dataclass a framework validates), each with the
    checks its declaration and its field validators apply: a type always; a length limit
    from ``max_length`` (or a bounded type); a format from ``pattern``, ``Literal``, an
    enum or a validator that matches a pattern. ``model_config`` / ``Config`` limits on every
    string count for each field."""
    resolve = ctx.resolve
    shared: set[str] = set()
    validators: dict[str, set[str]] = {}
    fields: list[tuple[str, int, set[str]]] = []
    for statement in cls.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            if name == "model_config":
                continue
            checks = {"type"} | _declared_checks(statement.annotation, resolve)
            if statement.value is not None:
                checks |= _declared_checks(statement.value, resolve)
            fields.append((name, statement.lineno, checks))
        elif isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in statement.targets
        ):
            keywords = {k.arg for k in statement.value.keywords} if isinstance(statement.value, ast.Call) else set()
            if "str_max_length" in keywords:
                shared.add("length")
        elif isinstance(statement, ast.ClassDef) and statement.name == "Config":
            for inner in statement.body:
                if isinstance(inner, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in ("max_anystr_length", "str_max_length") for t in inner.targets
                ):
                    shared.add("length")
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _validator_checks(statement, ctx, validators)
    return [
        FieldRead(name, line, frozenset(checks | shared | validators.get(name, set())), cls.name)
        for name, line, checks in fields
    ]


def _validator_checks(function: FunctionNode, ctx: FileContext, into: dict[str, set[str]]) -> None:
    """``@field_validator("a", "b")`` / ``@validator("a")``: the checks on its value parameter."""
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        name = ctx.resolve(decorator.func).rsplit(".", 1)[-1]
        if name not in ("field_validator", "validator"):
            continue
        params = positional_params(function)
        if not params:
            continue
        checks = checks_on(params[0], function, ctx)
        for argument in decorator.args:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                into.setdefault(argument.value, set()).update(checks)


# ---------------------------------------------------------------------------
# Tools (CODE004)

IO_ROOTS = frozenset(
    {
        "requests",
        "httpx",
        "aiohttp",
        "urllib",
        "urllib3",
        "http",
        "boto3",
        "botocore",
        "aioboto3",
        "psycopg",
        "psycopg2",
        "asyncpg",
        "pymysql",
        "sqlite3",
        "redis",
        "pymongo",
        "motor",
        "sqlalchemy",
        "subprocess",
        "socket",
        "smtplib",
        "ftplib",
        "paramiko",
        "websockets",
        "elasticsearch",
        "opensearchpy",
    }
)
_IO_BUILTINS = frozenset({"open", "io.open"})
_CLIENT_CONSTRUCTORS = (
    "boto3.client",
    "boto3.resource",
    "boto3.session.Session",
    "boto3.Session",
    "requests.Session",
    "requests.session",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
    "urllib3.PoolManager",
    "sqlalchemy.create_engine",
    "redis.Redis",
    "redis.from_url",
    "pymongo.MongoClient",
    "psycopg.connect",
    "psycopg2.connect",
    "pymysql.connect",
    "sqlite3.connect",
    "asyncpg.connect",
    "asyncpg.create_pool",
)


def _io_name(name: str) -> bool:
    return name in _IO_BUILTINS or name.split(".", 1)[0] in IO_ROOTS


_READ_RESPONSES = frozenset(
    {
        f"{root}.{verb}"
        for root in ("requests", "httpx")
        for verb in ("get", "post", "put", "patch", "delete", "head", "options", "request")
    }
)
"""Calls that return a response whose body is already read: ``resp.json()`` on it parses, it is not I/O."""


def io_clients(statements: Iterable[ast.AST], resolve: Resolver) -> set[str]:
    """Names bound to I/O clients (``s3 = boto3.client("s3")``, ``with httpx.Client() as c``);
    not names bound to a response already read (``resp = requests.get(url)``).
    """
    names: set[str] = set()
    for node in own_nodes(statements):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            name = resolve(node.value.func)
            if name in _READ_RESPONSES and not any(k.arg == "stream" for k in node.value.keywords):
                continue
            if _io_name(name) or name.endswith(_CLIENT_CONSTRUCTORS):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                expr = item.context_expr
                if (
                    isinstance(expr, ast.Call)
                    and isinstance(item.optional_vars, ast.Name)
                    and _io_name(resolve(expr.func))
                ):
                    names.add(item.optional_vars.id)
    return names


def _unguarded_io(
    statements: list[ast.stmt], in_try: bool, clients: set[str], resolve: Resolver
) -> tuple[int, str] | None:
    """The first I/O call outside any ``try`` in ``statements`` (a plain recursive
    function: a closure calling itself would make a reference cycle that keeps the tree
    alive)."""
    for statement in statements:
        if isinstance(statement, (ast.Try, ast.TryStar)):
            found = _unguarded_io(statement.body, in_try or bool(statement.handlers), clients, resolve)
            if found:
                return found
            for handler in statement.handlers:
                found = _unguarded_io(handler.body, in_try, clients, resolve)
                if found:
                    return found
            found = _unguarded_io(statement.orelse + statement.finalbody, in_try, clients, resolve)
            if found:
                return found
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        nested_bodies: list[list[ast.stmt]] = []
        header: list[ast.AST] = [statement]
        if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)):
            nested_bodies = [statement.body, getattr(statement, "orelse", [])]
            if isinstance(statement, ast.If | ast.While):
                header = [statement.test]
            elif isinstance(statement, ast.For | ast.AsyncFor):
                header = [statement.iter]
            else:
                header = [i.context_expr for i in statement.items]
        if not in_try:
            for node in own_nodes(header):
                if isinstance(node, ast.Call):
                    name = resolve(node.func)
                    if "()" in name:
                        continue  # a call on a call's result: the inner call is the I/O
                    if _io_name(name) or name.split(".", 1)[0] in clients:
                        return node.lineno, name
        for body in nested_bodies:
            found = _unguarded_io(body, in_try, clients, resolve)
            if found:
                return found
    return None


def analyze_tool(function: FunctionNode, module_clients: set[str], ctx: FileContext) -> ToolIssue | None:
    clients = module_clients | io_clients(function.body, ctx.resolve)
    found = _unguarded_io(_strip_docstring(function.body), False, clients, ctx.resolve)
    if found is None:
        return None
    return ToolIssue(function.name, function.lineno, found[0], found[1])


# ---------------------------------------------------------------------------
# Direct HTTP, MCP, streaming and A2A calls (GW001-GW004, AUTH006)

HTTP_FUNCTIONS = frozenset(
    f"{module}.{method}"
    for module in ("requests", "httpx")
    for method in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
) | frozenset({"urllib.request.urlopen", "urllib3.request", "aiohttp.request"})
HTTP_CLIENTS = frozenset(
    {
        "requests.Session",
        "requests.session",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "urllib3.PoolManager",
        "http.client.HTTPSConnection",
        "http.client.HTTPConnection",
    }
)
HTTP_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send", "urlopen"}
)
MCP_CLIENTS = frozenset(
    {"streamablehttp_client", "streamable_http_client", "sse_client", "websocket_client", "MultiServerMCPClient"}
)
STREAMING = {
    "websockets.connect": "websocket",
    "websockets.client.connect": "websocket",
    "websockets.asyncio.client.connect": "websocket",
    "websocket.create_connection": "websocket",
    "websocket.WebSocketApp": "websocket",
    "httpx_sse.connect_sse": "sse",
    "httpx_sse.aconnect_sse": "sse",
    "sseclient.SSEClient": "sse",
    "aiortc.RTCPeerConnection": "webrtc",
}
A2A_CLIENTS = ("A2AClient", "A2ACardResolver", "ClientFactory")
AUTH_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "apikey", "x-auth-token"})
INTEREST_ATTRS = (
    HTTP_METHODS
    | MCP_CLIENTS
    | {"getenv", "setdefault", "pop", "ws_connect", "connect", "create_connection", "WebSocketApp", "Client"}
    | {"invoke_agent_runtime_command", "create_engine", "SSEClient", "connect_sse", "aconnect_sse"}
    | set(A2A_CLIENTS)
)


def _url_of(call: ast.Call, keys: tuple[str, ...] = ("url", "base_url", "endpoint")) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in keys:
            return keyword.value
    if call.args:
        first = call.args[0]
        if isinstance(first, ast.Lambda):
            return None
        return first
    return None


def _headers(calls: list[ast.Call], scope: Scope) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for call in calls:
        for keyword in call.keywords:
            if keyword.arg in ("headers", "extra_headers", "additional_headers"):
                entries = dict_entries(keyword.value, scope)
                if entries:
                    found.update({k.lower(): v for k, v in entries.items()})
    return found


def _auth_origin(value: ast.expr, scope: Scope, function: FunctionNode | None, decorated: bool) -> tuple[str, str]:
    folded = fold(value, scope)
    if folded.env:
        return "env", f"environment variable {folded.env}"
    names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    for name in names:
        origin, _ = scope.value_of(name, getattr(value, "lineno", 10**9))
        if origin is not None:
            inner = fold(origin, scope)
            if inner.env:
                return "env", f"environment variable {inner.env} (through `{name}`)"
            if any(isinstance(n, ast.Call) and env_name(n, scope) for n in ast.walk(origin)):
                return "env", f"an environment variable (through `{name}`)"
    if any(isinstance(n, ast.Call) and env_name(n, scope) for n in ast.walk(value)):
        return "env", "an environment variable"
    if decorated and names:
        return "decorator", "a token injected by @requires_access_token/@requires_api_key"
    if folded.literal:
        return "literal", "a literal value"
    if function is not None and names & set(scope.params):
        return "parameter", "a parameter"
    return "unknown", "not resolved"


def _bearer(value: ast.expr, scope: Scope) -> bool:
    text = fold(value, scope).text
    return text.lower().startswith("bearer ")


@dataclass
class _HttpSite:
    call: ast.Call
    kind: str
    client: str
    url_expr: ast.expr | None
    header_calls: list[ast.Call]


def analyze_http(
    sites: list[tuple[ast.Call, FunctionNode | None, tuple[str, ...]]], ctx: FileContext
) -> list[HttpCall]:
    """Classify the file's outbound calls. ``sites`` are candidate calls with their
    enclosing function and its decorators.
    """
    results: list[HttpCall] = []
    resolve = ctx.resolve
    by_function: dict[int, list[tuple[ast.Call, FunctionNode | None, tuple[str, ...]]]] = {}
    for candidate in sites:
        by_function.setdefault(id(candidate[1]), []).append(candidate)
    for group in by_function.values():
        function = group[0][1]
        decorators = group[0][2]
        scope = ctx.scope(function)
        decorated = any(d.endswith(("requires_access_token", "requires_api_key")) for d in decorators)
        clients = _http_clients([call for call, _, _ in group], ctx, scope)
        a2a_seen = False
        for call, _, _ in group:
            name = resolve(call.func)
            attr = name.rsplit(".", 1)[-1]
            site = _http_site(call, name, attr, clients, scope, resolve)
            if site is None and attr in A2A_CLIENTS and name.startswith("a2a."):
                if a2a_seen:
                    continue
                a2a_seen = True
                site = _HttpSite(call, "a2a", name, _url_of(call, ("base_url", "url")), [call])
            if site is not None:
                results.append(_http_call(site, attr, scope, function, decorated))
    results.sort(key=lambda h: h.line)
    return results


def _http_clients(calls: list[ast.Call], ctx: FileContext, scope: Scope) -> dict[str, ast.Call]:
    """HTTP clients built in the calls' function (when a call is a method on a name) or at
    module level: name -> constructor call."""
    resolve = ctx.resolve
    clients: dict[str, ast.Call] = {}
    methods = any(
        isinstance(c.func, ast.Attribute)
        and isinstance(c.func.value, ast.Name)
        and c.func.attr in HTTP_METHODS | {"ws_connect"}
        and resolve(c.func) not in HTTP_FUNCTIONS
        for c in calls
    )
    if methods and scope.assignments is not None:
        for bindings in scope.assignments.by_name.values():
            for binding in bindings:
                value = binding.value
                if isinstance(value, ast.Call) and resolve(value.func) in HTTP_CLIENTS:
                    clients[binding.name] = value
    for name, value in ctx.module_values.items():
        if isinstance(value, ast.Call) and resolve(value.func) in HTTP_CLIENTS:
            clients.setdefault(name, value)
    return clients


def _http_site(
    call: ast.Call,
    name: str,
    attr: str,
    clients: dict[str, ast.Call],
    scope: Scope,
    resolve: Callable[[ast.expr], str],
) -> _HttpSite | None:
    """What kind of outbound call ``call`` is (HTTP function, client method, streaming,
    MCP client), with its URL expression; ``None``: none of those."""
    if name in HTTP_FUNCTIONS:
        return _HttpSite(call, "http", name, _url_of(call), [call])
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        receiver = call.func.value.id
        if receiver in clients and attr in HTTP_METHODS | {"ws_connect"}:
            constructor = clients[receiver]
            base = _url_of(constructor, ("base_url",)) if constructor.keywords else None
            path = _url_of(call)
            url_expr: ast.expr | None = path
            if base is not None:
                url_expr = ast.BinOp(left=base, op=ast.Add(), right=path) if path is not None else base
                ast.copy_location(url_expr, call)
            kind = "websocket" if attr == "ws_connect" else "http"
            return _HttpSite(call, kind, f"{resolve(constructor.func)}.{attr}", url_expr, [constructor, call])
    if name in STREAMING:
        return _HttpSite(call, STREAMING[name], name, _url_of(call), [call])
    if attr in MCP_CLIENTS and (name.startswith(("mcp.", "langchain_mcp_adapters")) or attr == name):
        url_expr = _url_of(call)
        if attr == "MultiServerMCPClient" and call.args:
            url_expr = _mcp_config_url(call.args[0], scope)
        return _HttpSite(call, "mcp", attr, url_expr, [call])
    return None


def _http_call(site: _HttpSite, attr: str, scope: Scope, function: FunctionNode | None, decorated: bool) -> HttpCall:
    """The call's record: its kind (SSE when a ``stream`` call accepts ``text/event-stream``),
    folded URL and how it authenticates."""
    if site.kind == "http" and attr == "stream":
        headers = _headers(site.header_calls, scope)
        accept = headers.get("accept")
        if accept is not None and "event-stream" in fold(accept, scope).text:
            site.kind = "sse"
    folded = fold(site.url_expr, scope) if site.url_expr is not None else None
    headers = _headers(site.header_calls, scope)
    auth, auth_detail, bearer = "none", "no Authorization or API-key header", False
    for header, value in headers.items():
        if header in AUTH_HEADERS:
            auth, auth_detail = _auth_origin(value, scope, function, decorated)
            bearer = bearer or (header == "authorization" and _bearer(value, scope))
    if auth == "none" and site.kind in ("a2a", "websocket", "sse") and function is not None:
        auth, auth_detail = _function_auth(function, scope, decorated)
    return HttpCall(
        line=site.call.lineno,
        kind=site.kind,
        client=site.client,
        url=folded.text if folded is not None else None,
        url_source=folded.source if folded is not None else "unresolved",
        url_env=folded.env if folded is not None else None,
        auth=auth,
        auth_detail=auth_detail,
        bearer=bearer,
        function=function.name if function is not None else None,
    )


def _function_auth(function: FunctionNode, scope: Scope, decorated: bool) -> tuple[str, str]:
    """How a function that makes an A2A or streaming call authenticates."""
    if decorated:
        return "decorator", "@requires_access_token on the function"
    headers: dict[str, ast.expr] = {}
    for node in own_nodes(function.body):
        if isinstance(node, ast.Call):
            headers.update(_headers([node], scope))
    for header, value in headers.items():
        if header in AUTH_HEADERS:
            return _auth_origin(value, scope, function, decorated)
    return "none", "no credential found"


def _mcp_config_url(expr: ast.expr, scope: Scope) -> ast.expr | None:
    entries = dict_entries(expr, scope)
    if not entries:
        return None
    for value in entries.values():
        inner = dict_entries(value, scope)
        if inner and "url" in inner:
            return inner["url"]
    return None


# ---------------------------------------------------------------------------
# invoke_agent_runtime_command (CMD006)


def analyze_command(call: ast.Call, function: FunctionNode | None, ctx: FileContext) -> CommandCall:
    scope = ctx.scope(function)
    command: ast.expr | None = None
    for keyword in call.keywords:
        if keyword.arg == "body":
            entries = dict_entries(keyword.value, scope)
            if entries is not None and "command" in entries:
                command = entries["command"]
            elif entries is None:
                command = keyword.value
        elif keyword.arg == "command":
            command = keyword.value
    if command is None:
        return CommandCall(call.lineno, "unknown", "the command could not be found in `body`", None, _fname(function))
    trace = trace_value(command, scope, call.lineno)
    validated = None
    if trace.origin in ("request", "unknown"):
        validated = validator_for(trace.names, scope, call.lineno)
    return CommandCall(call.lineno, trace.origin, trace.detail, validated, _fname(function))


def _fname(function: FunctionNode | None) -> str | None:
    return function.name if function is not None else None


# ---------------------------------------------------------------------------
# Small detectors


def provider_use(decorator: ast.expr, name: str, function: FunctionNode, scope: Scope) -> ProviderUse:
    provider: str | None = None
    expression = "(missing)"
    if isinstance(decorator, ast.Call):
        value = next((k.value for k in decorator.keywords if k.arg == "provider_name"), None)
        if value is None and decorator.args:
            value = decorator.args[0]
        if value is not None:
            folded = fold(value, scope)
            expression = folded.text if folded.literal else ast.unparse(value)[:80]
            provider = folded.text if folded.literal else None
            if folded.env is not None:
                default = folded.text if folded.text != DYNAMIC else None
                return ProviderUse(
                    name.rsplit(".", 1)[-1], None, expression, decorator.lineno, function.name, folded.env, default
                )
    return ProviderUse(name.rsplit(".", 1)[-1], provider, expression, decorator.lineno, function.name)


RATE_LIMIT_MODULES = frozenset(
    {"slowapi", "limits", "ratelimit", "ratelimiter", "pyrate_limiter", "aiolimiter", "token_bucket", "flask_limiter"}
) | {"fastapi_limiter"}
_RATE_LIMIT_PATTERN = re.compile(r"rate_?limit|throttl|token_?bucket|leaky_?bucket", re.IGNORECASE)


def rate_limit_name(name: str) -> bool:
    """``PerUserRateLimiter``, ``throttle``, ``token_bucket``..."""
    lowered = name.lower()
    return ("rate" in lowered or "throttl" in lowered or "bucket" in lowered) and bool(_RATE_LIMIT_PATTERN.search(name))


DB_DRIVERS = {
    "psycopg": "PostgreSQL (psycopg)",
    "psycopg2": "PostgreSQL (psycopg2)",
    "asyncpg": "PostgreSQL (asyncpg)",
    "pg8000": "PostgreSQL (pg8000)",
    "pymysql": "MySQL (pymysql)",
    "MySQLdb": "MySQL (MySQLdb)",
    "mysql": "MySQL (mysql-connector)",
    "aiomysql": "MySQL (aiomysql)",
    "pymssql": "SQL Server (pymssql)",
    "pyodbc": "ODBC (pyodbc)",
    "oracledb": "Oracle (oracledb)",
    "cx_Oracle": "Oracle (cx_Oracle)",
    "redis": "Redis",
    "aioredis": "Redis",
    "pymemcache": "Memcached",
    "pymongo": "MongoDB (pymongo)",
    "motor": "MongoDB (motor)",
    "cassandra": "Cassandra",
    "pika": "RabbitMQ (pika)",
    "kafka": "Kafka",
    "confluent_kafka": "Kafka",
    "ldap3": "LDAP",
}
_PRIVATE_HOST = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]+@)?"
    r"(?P<host>"
    r"[a-z0-9.-]+\.(?:rds|cache|docdb|redshift|es|aoss|elasticache|memorydb|neptune)\.amazonaws\.com"
    r"|10\.\d{1,3}\.\d{1,3}\.\d{1,3}"
    r"|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}"
    r"|192\.168\.\d{1,3}\.\d{1,3}"
    r"|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:internal|local|corp|intranet|lan)"
    r")(?::\d+)?(?:[/?#].*)?$",
    re.IGNORECASE,
)
PRIVATE_HINTS = ("amazonaws.com", "10.", "172.", "192.168.", ".internal", ".local", ".corp", ".intranet", ".lan")


def private_host(value: str) -> str | None:
    """The private host a URL or ``host[:port]`` string names. A bare dotted quad counts
    only with a scheme or a port (``10.1.2.3`` alone may be a version number).
    """
    if len(value) > 300:
        return None
    text = value.strip()
    match = _PRIVATE_HOST.match(text)
    if not match:
        return None
    host = match.group("host")
    if host[:1].isdigit() and "://" not in text and not text[match.end("host") :].startswith(":"):
        return None
    return host


ERROR_SIDE_EFFECT = re.compile(r"(?:Error|Exception|Exceeded|Throttl|Timeout|Fault|Failure)\w*$")


def error_injection(node: ast.AST, resolve: Resolver, in_test_function: bool) -> str | None:
    """Evidence that a test makes a tool or model call fail."""
    if isinstance(node, ast.Call):
        name = resolve(node.func)
        attr = name.rsplit(".", 1)[-1]
        if attr == "add_client_error":
            return "botocore Stubber.add_client_error"
        if attr == "ClientError":
            return "a botocore ClientError"
        for keyword in node.keywords:
            if keyword.arg == "side_effect" and _raises_value(keyword.value, resolve):
                return "a mock with side_effect raising an exception"
            status = keyword.value
            if (
                keyword.arg in ("status_code", "status")
                and isinstance(status, ast.Constant)
                and isinstance(status.value, int)
                and status.value >= 400
            ):
                return f"an HTTP {status.value} response"
        first = node.args[0] if node.args else None
        if (
            attr == "Response"
            and isinstance(first, ast.Constant)
            and isinstance(first.value, int)
            and first.value >= 400
        ):
            return f"an HTTP {first.value} response"
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "side_effect"
                and _raises_value(node.value, resolve)
            ):
                return "a mock with side_effect raising an exception"
    elif isinstance(node, ast.Raise) and not in_test_function and node.exc is not None:
        return "a fake that raises"
    return None


def _raises_value(expr: ast.expr, resolve: Resolver) -> bool:
    candidates: list[ast.expr] = list(expr.elts) if isinstance(expr, (ast.List, ast.Tuple)) else [expr]
    for candidate in candidates:
        target = candidate.func if isinstance(candidate, ast.Call) else candidate
        if isinstance(target, (ast.Name, ast.Attribute)) and ERROR_SIDE_EFFECT.search(resolve(target)):
            return True
    return False


def generic_secret(name: str, value: ast.expr | None, line: int, how: str) -> SecretLiteral | None:
    if not isinstance(value, ast.Constant) or not isinstance(value.value, str):
        return None
    text = value.value
    if not secret_patterns.is_secret_name(name):
        return None
    if secret_patterns.placeholder_reason(text) is not None:
        return None
    return SecretLiteral(name, line, secret_patterns.mask(text, 2), len(text), how, secret_patterns.fingerprint(text))


def module_client_names(module_values: Mapping[str, ast.expr], resolve: Resolver) -> set[str]:
    names: set[str] = set()
    for name, value in module_values.items():
        if isinstance(value, ast.Call):
            called = resolve(value.func)
            if _io_name(called) or called.split(".", 1)[0] in IO_ROOTS:
                names.add(name)
    return names


__all__ = [
    "DYNAMIC",
    "CommandCall",
    "Delegation",
    "EntrypointFacts",
    "EnvRead",
    "Evidence",
    "FieldRead",
    "FileContext",
    "FileFacts",
    "HandlerIssue",
    "HttpCall",
    "ProviderUse",
    "SecretLiteral",
    "ToolIssue",
    "collect_assignments",
    "env_name",
    "fold",
    "own_nodes",
]

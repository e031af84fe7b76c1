"""Following a value back through a function: where a name was last assigned, what a
string expression folds to, and whether a value is a literal, checked, or built from
request data.

Pure functions over ``ast`` nodes; the code index runs them in its worker processes,
so nothing here imports more than the standard library.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Resolver = Callable[[ast.expr], str]

_NESTED = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})

# Fields that never hold child nodes (names, operators, contexts, flags).
SCALAR_FIELDS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "type_comment",
        "kind",
        "names",
        "id",
        "attr",
        "name",
        "arg",
        "module",
        "level",
        "conversion",
        "simple",
        "tag",
        "kwd_attrs",
        "rest",
        "is_async",
        "n",
        "s",
    }
)
CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: (), ast.MatchSingleton: ()}


def child_fields(node_type: type) -> tuple[str, ...]:
    """The fields of a node type that can hold child nodes, last field first."""
    found = CHILD_FIELDS.get(node_type)
    if found is None:
        found = tuple(f for f in reversed(node_type._fields) if f not in SCALAR_FIELDS)  # type: ignore[attr-defined]
        CHILD_FIELDS[node_type] = found
    return found


def own_nodes(statements: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node of ``statements`` in source order, not descending into nested
    functions, classes or lambdas (their decorators and defaults are not included).
    """
    stack: list[ast.AST] = list(statements)
    stack.reverse()
    pop = stack.pop
    push = stack.append
    fields_of = CHILD_FIELDS
    nested = _NESTED
    while stack:
        node = pop()
        yield node
        kind = type(node)
        names = fields_of.get(kind)
        if names is None:
            names = child_fields(kind)
        for name in names:
            value = getattr(node, name)
            if value is None:
                continue
            if type(value) is list:
                for child in reversed(value):
                    if child is not None and type(child) not in nested:
                        push(child)
            elif type(value) not in nested:
                push(value)


def params_of(function: FunctionNode) -> list[str]:
    args = function.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return names


def positional_params(function: FunctionNode) -> list[str]:
    args = function.args
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


# ---------------------------------------------------------------------------
# Assignments


@dataclass(frozen=True)
class Assignment:
    name: str
    line: int
    value: ast.expr | None
    """The assigned expression; ``None`` when the name is bound by a loop, ``with``,
    ``except`` or an augmented assignment of something else."""
    kind: str = "assign"


@dataclass
class Assignments:
    """Every binding of every name in one function body (or module), in source order."""

    by_name: dict[str, list[Assignment]] = field(default_factory=dict)

    def add(self, assignment: Assignment) -> None:
        self.by_name.setdefault(assignment.name, []).append(assignment)

    def latest(self, name: str, before_line: int) -> Assignment | None:
        found: Assignment | None = None
        for assignment in self.by_name.get(name, ()):
            if assignment.line < before_line and (found is None or assignment.line >= found.line):
                found = assignment
        return found

    def all(self, name: str) -> list[Assignment]:
        return self.by_name.get(name, [])


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _statements(statements: Iterable[ast.AST]) -> Iterator[ast.stmt]:
    """Every statement, nested blocks included, not entering nested functions or classes."""
    stack: list[ast.AST] = list(statements)
    stack.reverse()
    while stack:
        node = stack.pop()
        if not isinstance(node, ast.stmt):
            continue
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        blocks: list[ast.AST] = []
        for name in ("body", "orelse", "finalbody"):
            blocks.extend(getattr(node, name, ()))
        for handler in getattr(node, "handlers", ()):
            blocks.extend(handler.body)
        for case in getattr(node, "cases", ()):
            blocks.extend(case.body)
        blocks.reverse()
        stack.extend(blocks)


def collect_assignments(statements: Iterable[ast.AST]) -> Assignments:
    """Bindings made by statements (assignments, loops, ``with``); walrus bindings are
    left out, they are rare where values are traced.
    """
    found = Assignments()
    for node in _statements(statements):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.add(Assignment(target.id, node.lineno, node.value))
                else:
                    for name in _target_names(target):
                        found.add(Assignment(name, node.lineno, None, "unpack"))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found.add(Assignment(node.target.id, node.lineno, node.value))
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            found.add(Assignment(node.target.id, node.lineno, node.value, "augment"))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            for name in _target_names(node.target):
                found.add(Assignment(name, node.lineno, None, "loop"))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    for name in _target_names(item.optional_vars):
                        found.add(Assignment(name, node.lineno, item.context_expr, "with"))
    return found


# ---------------------------------------------------------------------------
# Folding string expressions

DYNAMIC = "{…}"


@dataclass(frozen=True)
class Folded:
    """A string expression with its constant parts kept and the rest shown as ``{…}``."""

    text: str
    literal: bool
    source: str
    """``literal``, ``constant NAME``, ``env NAME``, ``parameter NAME``, ``unresolved``."""
    env: str | None = None


@dataclass
class Scope:
    """Where names are looked up: the function's own assignments, then the module's."""

    resolve: Resolver
    module_values: Mapping[str, ast.expr]
    function: FunctionNode | None = None
    params: tuple[str, ...] = ()
    _assignments: Assignments | None = None

    @classmethod
    def of(cls, function: FunctionNode | None, resolve: Resolver, module_values: Mapping[str, ast.expr]) -> Scope:
        if function is None:
            return cls(resolve, module_values)
        return cls(resolve, module_values, function, tuple(params_of(function)))

    @property
    def assignments(self) -> Assignments | None:
        """The function's bindings, collected on first use."""
        if self._assignments is None and self.function is not None:
            self._assignments = collect_assignments(self.function.body)
        return self._assignments

    def value_of(self, name: str, line: int) -> tuple[ast.expr | None, str]:
        """The latest expression assigned to ``name`` before ``line``: (expr, where)."""
        if self.function is not None and self.assignments is not None:
            assignment = self.assignments.latest(name, line)
            if assignment is not None:
                return assignment.value, f"line {assignment.line}"
            if name in self.params:
                return None, "parameter"
        value = self.module_values.get(name)
        if value is not None:
            return value, "module"
        return None, "unknown"


ENV_READS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.environ.pop", "getenv"})


def env_name(call: ast.expr, scope: Scope) -> str | None:
    """``X`` for ``os.getenv("X")``, ``os.environ.get("X")`` or ``os.environ["X"]``."""
    if isinstance(call, ast.Call) and scope.resolve(call.func) in ENV_READS:
        arg = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "key"), None)
        return fold(arg, scope, depth=2).text if arg is not None else None
    if isinstance(call, ast.Subscript) and scope.resolve(call.value) == "os.environ":
        return fold(call.slice, scope, depth=2).text
    return None


def _host_complete(parts: list[str]) -> bool:
    text = "".join(parts)
    scheme = text.find("://")
    return scheme > 0 and text.find("/", scheme + 3) > 0


def fold(expr: ast.expr | None, scope: Scope, depth: int = 4, line: int | None = None) -> Folded:
    """Fold a string expression: constants and module constants are joined, environment
    reads are named, everything else is ``{…}``.
    """
    if expr is None:
        return Folded(DYNAMIC, False, "unresolved")
    at = line if line is not None else getattr(expr, "lineno", 0)
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str):
            return Folded(expr.value, True, "literal")
        return Folded(DYNAMIC, False, "unresolved")
    if isinstance(expr, ast.JoinedStr):
        parts: list[str] = []
        literal = True
        env: str | None = None
        for value in expr.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue) and _host_complete(parts):
                # past a URL's host the rest does not change what the URL is
                parts.append(DYNAMIC)
                literal = False
            elif isinstance(value, ast.FormattedValue):
                inner = fold(value.value, scope, depth - 1, at) if depth > 0 else Folded(DYNAMIC, False, "unresolved")
                parts.append(inner.text if inner.literal else DYNAMIC)
                literal = literal and inner.literal
                env = env or inner.env
        return Folded("".join(parts), literal, "literal" if literal else "f-string", env)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add) and depth > 0:
        left = fold(expr.left, scope, depth - 1, at)
        right = fold(expr.right, scope, depth - 1, at)
        return Folded(left.text + right.text, left.literal and right.literal, "concatenation", left.env or right.env)
    if isinstance(expr, ast.Name) and depth > 0:
        bound, where = scope.value_of(expr.id, at)
        if bound is None:
            if where == "parameter":
                return Folded(DYNAMIC, False, f"parameter {expr.id}")
            return Folded(DYNAMIC, False, "unresolved")
        inner = fold(bound, scope if where != "module" else Scope(scope.resolve, scope.module_values), depth - 1)
        source = f"constant {expr.id}" if inner.literal else inner.source
        return Folded(inner.text, inner.literal, source, inner.env)
    if isinstance(expr, (ast.Call, ast.Subscript)):
        name = env_name(expr, scope)
        if name is not None:
            default = None
            if isinstance(expr, ast.Call) and len(expr.args) > 1:
                default = fold(expr.args[1], scope, depth - 1, at)
            text = default.text if default is not None and default.literal and default.text else DYNAMIC
            return Folded(text, False, f"env {name}", name)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and depth > 0:
            # "…".format(…) keeps the template; str(x) / x.strip() are the value itself
            if expr.func.attr == "format" and isinstance(expr.func.value, ast.Constant):
                return Folded(str(expr.func.value.value), False, "format")
            if expr.func.attr in ("strip", "rstrip", "lstrip", "lower", "upper"):
                return fold(expr.func.value, scope, depth - 1, at)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "str" and expr.args:
            return fold(expr.args[0], scope, depth - 1, at)
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or) and depth > 0:
        # os.getenv("X") or "https://default" : report the first, keep the fallback's text
        first = fold(expr.values[0], scope, depth - 1, at)
        if first.env and len(expr.values) > 1:
            fallback = fold(expr.values[1], scope, depth - 1, at)
            return Folded(fallback.text if fallback.literal else DYNAMIC, False, first.source, first.env)
        return first
    return Folded(DYNAMIC, False, "unresolved")


def dict_entries(expr: ast.expr | None, scope: Scope, depth: int = 3) -> dict[str, ast.expr] | None:
    """String-keyed entries of a dict literal (``{…}`` or ``dict(k=v)``), following names."""
    if expr is None or depth < 0:
        return None
    if isinstance(expr, ast.Dict):
        entries: dict[str, ast.expr] = {}
        for key, value in zip(expr.keys, expr.values, strict=True):
            if key is None:
                spread = dict_entries(value, scope, depth - 1)
                if spread:
                    entries.update(spread)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                entries[key.value] = value
        return entries
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dict":
        return {k.arg: k.value for k in expr.keywords if k.arg is not None}
    if isinstance(expr, ast.Name):
        bound, _ = scope.value_of(expr.id, expr.lineno)
        return dict_entries(bound, scope, depth - 1)
    if isinstance(expr, ast.IfExp):
        return dict_entries(expr.body, scope, depth - 1) or dict_entries(expr.orelse, scope, depth - 1)
    return None


# ---------------------------------------------------------------------------
# Where a value comes from (CMD006)

Origin = Literal["literal", "validated", "request", "unknown"]

_REQUEST_ROOTS = frozenset(
    {"payload", "event", "request", "req", "body", "data", "params", "query", "args", "kwargs", "message", "inputs"}
)
_REQUEST_CALLS = frozenset({"input", "sys.stdin.read", "sys.stdin.readline"})
_QUOTING = frozenset({"shlex.quote", "shlex.join", "pipes.quote"})
_VALIDATOR_WORDS = ("valid", "sanitiz", "sanitis", "safe", "allow", "check", "escape")
METACHARACTERS = (";", "&", "|", "$", "`", "<", ">", "\\n")


@dataclass(frozen=True)
class Trace:
    origin: Origin
    detail: str
    names: frozenset[str] = frozenset()
    """The variables the value was built from (the command variable and its sources)."""
    lines: tuple[int, ...] = ()


def _combine(traces: list[Trace], how: str) -> Trace:
    names = frozenset(n for t in traces for n in t.names)
    lines = tuple(sorted({line for t in traces for line in t.lines}))
    for origin in ("request", "unknown"):
        worst = [t for t in traces if t.origin == origin]
        if worst:
            return Trace(origin, f"{how}: {worst[0].detail}", names, lines)  # type: ignore[arg-type]
    if any(t.origin == "validated" for t in traces):
        detail = next(t.detail for t in traces if t.origin == "validated")
        return Trace("validated", detail, names, lines)
    return Trace("literal", f"{how} of literals", names, lines)


def trace_value(expr: ast.expr | None, scope: Scope, line: int, depth: int = 6) -> Trace:
    """Classify where ``expr`` (evaluated at ``line``) comes from."""
    if expr is None:
        return Trace("unknown", "no value")
    if depth <= 0:
        return Trace("unknown", "too many steps to follow")
    if isinstance(expr, ast.Constant):
        return Trace("literal", "a literal")
    if isinstance(expr, ast.JoinedStr):
        parts = [trace_value(v.value, scope, line, depth - 1) for v in expr.values if isinstance(v, ast.FormattedValue)]
        return _combine(parts, "f-string") if parts else Trace("literal", "a literal")
    if isinstance(expr, ast.BinOp):
        return _combine(
            [trace_value(expr.left, scope, line, depth - 1), trace_value(expr.right, scope, line, depth - 1)],
            "string operation",
        )
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return _combine([trace_value(e, scope, line, depth - 1) for e in expr.elts], "sequence")
    if isinstance(expr, ast.IfExp):
        return _combine(
            [trace_value(expr.body, scope, line, depth - 1), trace_value(expr.orelse, scope, line, depth - 1)],
            "conditional",
        )
    if isinstance(expr, ast.Name):
        value, where = scope.value_of(expr.id, line)
        named = frozenset({expr.id})
        if where == "parameter":
            return Trace("request", f"parameter `{expr.id}` of the function (caller-supplied)", named)
        if value is None:
            if where == "unknown":
                return Trace("unknown", f"`{expr.id}` is not assigned in this function", named)
            return Trace("unknown", f"`{expr.id}` is bound by a loop, `with` or unpacking", named)
        inner_line = value.lineno if where != "module" else 10**9
        inner = trace_value(
            value, scope if where != "module" else Scope(scope.resolve, scope.module_values), inner_line, depth - 1
        )
        return Trace(
            inner.origin,
            f"`{expr.id}` ({where}) is {inner.detail}" if inner.origin != "literal" else inner.detail,
            inner.names | named,
            (*inner.lines, value.lineno),
        )
    if isinstance(expr, (ast.Subscript, ast.Attribute)) and scope.resolve(
        expr.value if isinstance(expr, ast.Subscript) else expr
    ) in ("sys.argv", "sys.stdin"):
        return Trace("request", "command-line input (sys.argv)")
    if isinstance(expr, ast.Subscript):
        root = _root_name(expr)
        if root in _REQUEST_ROOTS or (root and root in scope.params):
            return Trace("request", f"request data `{root}[…]`", frozenset({root}))
        if scope.resolve(expr.value) == "os.environ":
            return Trace("unknown", "an environment variable")
        return trace_value(expr.value, scope, line, depth - 1)
    if isinstance(expr, ast.Attribute):
        root = _root_name(expr)
        if root in _REQUEST_ROOTS or (root and root in scope.params and root not in ("self", "cls")):
            return Trace("request", f"request data `{root}.{expr.attr}`", frozenset({root}))
        return Trace("unknown", f"attribute `{expr.attr}`")
    if isinstance(expr, ast.Call):
        name = scope.resolve(expr.func)
        if name in _QUOTING:
            return Trace("validated", f"quoted with {name}()")
        if name in _REQUEST_CALLS or name.startswith("sys.argv"):
            return Trace("request", f"user input ({name}())")
        if isinstance(expr.func, ast.Attribute):
            method = expr.func.attr
            if method in ("get", "pop") and isinstance(expr.func.value, (ast.Name, ast.Attribute, ast.Subscript)):
                root = _root_name(expr.func.value)
                if root in _REQUEST_ROOTS or (root and root in scope.params and root not in ("self", "cls")):
                    return Trace("request", f"request data `{root}.{method}(…)`", frozenset({root}))
            if method == "format":
                parts = [
                    trace_value(a, scope, line, depth - 1) for a in (*expr.args, *(k.value for k in expr.keywords))
                ]
                return _combine([trace_value(expr.func.value, scope, line, depth - 1), *parts], "str.format")
            if method == "join":
                return _combine([trace_value(a, scope, line, depth - 1) for a in expr.args], "str.join")
            if method in ("strip", "lstrip", "rstrip", "lower", "upper", "replace", "encode", "decode"):
                return trace_value(expr.func.value, scope, line, depth - 1)
        if name in ("str", "repr") and expr.args:
            return trace_value(expr.args[0], scope, line, depth - 1)
        if name in ENV_READS:
            return Trace("unknown", "an environment variable")
        return Trace("unknown", f"the result of {name}()")
    return Trace("unknown", f"a {type(expr).__name__} expression")


def _root_name(expr: ast.expr) -> str | None:
    current = expr
    while isinstance(current, (ast.Attribute, ast.Subscript, ast.Call)):
        current = current.func if isinstance(current, ast.Call) else current.value
    return current.id if isinstance(current, ast.Name) else None


def _names(expr: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}


def _rejects(statements: list[ast.stmt]) -> bool:
    return any(isinstance(n, (ast.Raise, ast.Return)) for n in own_nodes(statements))


def _has_metachar_pattern(expr: ast.AST) -> bool:
    for node in ast.walk(expr):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and sum(1 for m in ";&|$`" if m in node.value) >= 2
        ):
            return True
    return False


def validator_for(names: frozenset[str], scope: Scope, before_line: int) -> str | None:
    """A check of any of ``names`` before ``before_line`` that rejects shell
    metacharacters or limits the value to an allowlist: ``if re.search(r"[;&|`$]", cmd):
    raise``, ``if cmd not in ALLOWED: return``, ``validate_command(cmd)``, ``shlex.quote``.
    """
    if scope.function is None or not names:
        return None
    for node in own_nodes(scope.function.body):
        line = getattr(node, "lineno", 0)
        if line >= before_line:
            continue
        if isinstance(node, (ast.If, ast.Assert, ast.While)):
            test = node.test
            if not (_names(test) & names):
                continue
            rejects = isinstance(node, ast.Assert) or _rejects(node.body) or _rejects(getattr(node, "orelse", []))
            if not rejects:
                continue
            calls = [scope.resolve(c.func) for c in ast.walk(test) if isinstance(c, ast.Call)]
            if any(c.startswith("re.") or c.endswith((".match", ".fullmatch", ".search")) for c in calls):
                return f"checked against a pattern on line {line}"
            if _has_metachar_pattern(test):
                return f"checked for shell metacharacters on line {line}"
            if any(
                isinstance(c, ast.Compare) and any(isinstance(o, (ast.In, ast.NotIn)) for o in c.ops)
                for c in ast.walk(test)
            ):
                return f"checked against an allowlist on line {line}"
            if any(any(w in c.lower() for w in _VALIDATOR_WORDS) for c in calls):
                return f"validated on line {line}"
        elif isinstance(node, ast.Call):
            name = scope.resolve(node.func)
            arg_names = set().union(*(_names(a) for a in node.args)) if node.args else set()
            if arg_names & names and any(w in name.rsplit(".", 1)[-1].lower() for w in _VALIDATOR_WORDS):
                return f"passed to {name}() on line {line}"
            if arg_names & names and name in _QUOTING:
                return f"quoted with {name}() on line {line}"
    return None

"""Following code through a project's own files: which function a call reaches, what runs
at import time, which functions an entrypoint reaches, and where a node sits (loops,
``finally`` blocks, ``await``).

Pure: works on the code index (:mod:`agentcore_readiness.facts.code.index`) and the parsed
trees it holds; nothing is read or imported here.
"""

from __future__ import annotations

import ast
import contextlib
import re
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentcore_readiness.analysis.dataflow import params_of
from agentcore_readiness.analysis.request_handlers import served

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CallSite, CodeIndex, FunctionInfo, PyFile
    from agentcore_readiness.facts.project.project_facts import ProjectFacts

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
LoopNode = ast.For | ast.AsyncFor | ast.While | ast.comprehension
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


@dataclass(frozen=True, eq=False)
class Target:
    """A function of the project's own code."""

    file: PyFile
    function: FunctionInfo

    @property
    def label(self) -> str:
        return f"{self.function.qualname}() ({self.file.path}:{self.function.line})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Target) and other.function is self.function

    def __hash__(self) -> int:
        return id(self.function)


# ---------------------------------------------------------------------------
# Walking bodies


def body_nodes(statements: Iterable[ast.AST], *, lambdas: bool = False) -> Iterator[ast.AST]:
    """Nodes that run when ``statements`` run: nested function and lambda bodies are left
    out (their decorators and defaults run), class bodies are included.
    """
    stack: list[ast.AST] = []
    for statement in statements:
        stack.extend(_runs(statement, lambdas))
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            stack.extend(_runs(child, lambdas))


def _runs(node: ast.AST, lambdas: bool) -> list[ast.AST]:
    """What of ``node`` runs when the code around it runs."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
    if isinstance(node, ast.Lambda) and not lambdas:
        return list(node.args.defaults)
    return [node]


def function_body_nodes(function: FunctionNode, *, lambdas: bool = False) -> Iterator[ast.AST]:
    return body_nodes(function.body, lambdas=lambdas)


def calls_in(statements: Iterable[ast.AST], *, lambdas: bool = False) -> Iterator[ast.Call]:
    return (n for n in body_nodes(statements, lambdas=lambdas) if isinstance(n, ast.Call))


def is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either order)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


def import_time_statements(body: Iterable[ast.stmt]) -> Iterator[tuple[ast.stmt, list[ast.AST]]]:
    """Statements that run when the module is imported, each with the parts of it that run.

    ``if __name__ == "__main__":`` bodies are left out; compound statements give their
    header (test, iterable, context managers) and then their inner statements; a function
    definition gives its decorators and defaults; a class its decorators, bases and body.
    """
    for stmt in body:
        if isinstance(stmt, ast.If):
            if is_main_guard(stmt.test):
                yield from import_time_statements(stmt.orelse)
                continue
            yield stmt, [stmt.test]
            yield from import_time_statements(stmt.body)
            yield from import_time_statements(stmt.orelse)
        elif isinstance(stmt, (ast.Try, ast.TryStar)):
            yield from import_time_statements(stmt.body)
            for handler in stmt.handlers:
                yield from import_time_statements(handler.body)
            yield from import_time_statements(stmt.orelse)
            yield from import_time_statements(stmt.finalbody)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield stmt, [item.context_expr for item in stmt.items]
            yield from import_time_statements(stmt.body)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            yield stmt, [stmt.iter]
            yield from import_time_statements(stmt.body)
            yield from import_time_statements(stmt.orelse)
        elif isinstance(stmt, ast.While):
            yield stmt, [stmt.test]
            yield from import_time_statements(stmt.body)
            yield from import_time_statements(stmt.orelse)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts: list[ast.AST] = [
                *stmt.decorator_list,
                *stmt.args.defaults,
                *(d for d in stmt.args.kw_defaults if d is not None),
            ]
            if parts:
                yield stmt, parts
        elif isinstance(stmt, ast.ClassDef):
            parts = [*stmt.decorator_list, *stmt.bases, *(k.value for k in stmt.keywords)]
            if parts:
                yield stmt, parts
            yield from import_time_statements(stmt.body)
        elif isinstance(stmt, ast.Match):
            yield stmt, [stmt.subject]
            for case in stmt.cases:
                yield from import_time_statements(case.body)
        else:
            yield stmt, [stmt]


# ---------------------------------------------------------------------------
# Parents


class ParentMap:
    """Parent of every node of one module, to answer "where does this node sit"."""

    def __init__(self, tree: ast.Module) -> None:
        self._parent: dict[int, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self._parent[id(child)] = node

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self._parent.get(id(node))

    def path(self, node: ast.AST, stop: ast.AST | None = None) -> list[tuple[ast.AST, ast.AST]]:
        """(ancestor, child-on-the-way) pairs from the innermost outwards, up to ``stop``."""
        pairs: list[tuple[ast.AST, ast.AST]] = []
        current = node
        while True:
            parent = self._parent.get(id(current))
            if parent is None or parent is stop:
                return pairs
            pairs.append((parent, current))
            current = parent

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        for ancestor, _ in self.path(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return ancestor
        return None

    def loops(self, node: ast.AST, stop: ast.AST | None = None) -> list[ast.AST]:
        """Loops (``for``, ``while``, comprehensions) whose body runs ``node`` once per
        iteration, innermost first, inside ``stop`` (a function) or the module.
        """
        found: list[ast.AST] = []
        for ancestor, child in self.path(node, stop):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                break
            if _repeats(ancestor, child):
                found.append(ancestor)
            elif isinstance(ancestor, _COMPREHENSIONS):
                generators = ancestor.generators
                first_iter = generators[0].iter if generators else None
                if child is not first_iter:
                    found.append(ancestor)
        return found

    def in_finally(self, node: ast.AST, stop: ast.AST | None = None) -> bool:
        for ancestor, child in self.path(node, stop):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return False
            if isinstance(ancestor, (ast.Try, ast.TryStar)) and _in_list(child, ancestor.finalbody):
                return True
        return False

    def in_try_body(self, node: ast.AST, stop: ast.AST | None = None) -> bool:
        for ancestor, child in self.path(node, stop):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return False
            if isinstance(ancestor, (ast.Try, ast.TryStar)) and _in_list(child, ancestor.body):
                return True
        return False

    def conditional(self, node: ast.AST, stop: ast.AST | None = None) -> ast.AST | None:
        """The innermost ``if`` / conditional expression / boolean operand that guards ``node``."""
        for ancestor, child in self.path(node, stop):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return None
            if (
                isinstance(ancestor, ast.If)
                and not is_main_guard(ancestor.test)  # a script's main block runs on every run
                and (_in_list(child, ancestor.body) or _in_list(child, ancestor.orelse))
            ):
                return ancestor
            if isinstance(ancestor, ast.IfExp) and child is not ancestor.test:
                return ancestor
            if isinstance(ancestor, ast.BoolOp) and child is not ancestor.values[0]:
                return ancestor
        return None

    def awaited(self, node: ast.AST) -> bool:
        parent = self.parent(node)
        return isinstance(parent, ast.Await)


def _repeats(loop: ast.AST, child: ast.AST) -> bool:
    """Whether ``child`` of a ``for``/``while`` runs once per iteration."""
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        return _in_list(child, loop.body)
    if isinstance(loop, ast.While):
        return _in_list(child, loop.body) or child is loop.test
    return False


def _in_list(node: ast.AST, items: list[ast.stmt]) -> bool:
    return any(item is node for item in items)


_PARENTS: weakref.WeakKeyDictionary[PyFile, ParentMap] = weakref.WeakKeyDictionary()


def parents(py_file: PyFile) -> ParentMap:
    """The (cached) :class:`ParentMap` of one file."""
    try:
        found = _PARENTS.get(py_file)
    except TypeError:
        return ParentMap(py_file.tree)
    if found is None:
        found = ParentMap(py_file.tree)
        with contextlib.suppress(TypeError):
            _PARENTS[py_file] = found
    return found


# ---------------------------------------------------------------------------
# Names


def assigned_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in assigned_names(element)]
    if isinstance(target, ast.Starred):
        return assigned_names(target.value)
    return []


@dataclass(frozen=True)
class Binding:
    """One place a name gets a value."""

    node: ast.AST
    """The Assign / AnnAssign / AugAssign / For / With / NamedExpr / argument node."""
    value: ast.expr | None
    """The value assigned (the whole right-hand side), ``None`` for loop targets and arguments."""
    line: int
    kind: str
    """``assign``, ``augassign``, ``for``, ``with``, ``param``, ``global``."""


def bindings(statements: Iterable[ast.AST], name: str) -> list[Binding]:
    """Where ``name`` is bound in ``statements`` (not inside nested functions)."""
    return _bindings_by_name(statements).get(name, [])


def _bindings_by_name(statements: Iterable[ast.AST]) -> dict[str, list[Binding]]:
    """Every name bound in ``statements`` (not inside nested functions), each with its
    bindings in line order, from one walk."""
    found: dict[str, list[Binding]] = {}

    def add(names: Iterable[str], binding: Binding) -> None:
        for bound in dict.fromkeys(names):
            found.setdefault(bound, []).append(binding)

    for node in body_nodes(statements):
        if isinstance(node, ast.Assign):
            add((n for t in node.targets for n in assigned_names(t)), Binding(node, node.value, node.lineno, "assign"))
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                add(assigned_names(node.target), Binding(node, node.value, node.lineno, "assign"))
        elif isinstance(node, ast.AugAssign):
            add(assigned_names(node.target), Binding(node, node.value, node.lineno, "augassign"))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            add(assigned_names(node.target), Binding(node, None, node.lineno, "for"))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    add(assigned_names(item.optional_vars), Binding(node, item.context_expr, node.lineno, "with"))
        elif isinstance(node, ast.NamedExpr):
            add([node.target.id], Binding(node, node.value, node.lineno, "assign"))
    for listed in found.values():
        listed.sort(key=lambda b: b.line)
    return found


@dataclass(frozen=True)
class _FunctionNames:
    bindings: dict[str, list[Binding]]
    globals: frozenset[str]


# Per parsed tree or function node: the index of its names, built once. Weak keys: an
# entry goes with the tree it describes (its values hold child nodes, never the key).
_MODULE_NAMES: weakref.WeakKeyDictionary[ast.Module, dict[str, list[Binding]]] = weakref.WeakKeyDictionary()
_FUNCTION_NAMES: weakref.WeakKeyDictionary[ast.AST, _FunctionNames] = weakref.WeakKeyDictionary()


_MODULE_LEVEL: weakref.WeakKeyDictionary[ast.Module, dict[str, list[Binding]]] = weakref.WeakKeyDictionary()


def _module_level_names(tree: ast.Module) -> dict[str, list[Binding]]:
    """Every name bound in the module's own code (import time or not), built once per tree."""
    found = _MODULE_LEVEL.get(tree)
    if found is None:
        found = _MODULE_LEVEL[tree] = _bindings_by_name(tree.body)
    return found


def _function_names(function: FunctionNode) -> _FunctionNames:
    found = _FUNCTION_NAMES.get(function)
    if found is None:
        declared = frozenset(
            name for n in function_body_nodes(function) if isinstance(n, ast.Global) for name in n.names
        )
        found = _FunctionNames(_bindings_by_name(function.body), declared)
        _FUNCTION_NAMES[function] = found
    return found


def _module_names(tree: ast.Module) -> dict[str, list[Binding]]:
    found = _MODULE_NAMES.get(tree)
    if found is not None:
        return found
    found = {}
    for stmt, _ in import_time_statements(tree.body):
        names: Iterable[str] = ()
        binding: Binding | None = None
        if isinstance(stmt, ast.Assign):
            names = [n for t in stmt.targets for n in assigned_names(t)]
            binding = Binding(stmt, stmt.value, stmt.lineno, "assign")
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            names = assigned_names(stmt.target)
            binding = Binding(stmt, stmt.value, stmt.lineno, "assign")
        elif isinstance(stmt, ast.AugAssign):
            names = assigned_names(stmt.target)
            binding = Binding(stmt, stmt.value, stmt.lineno, "augassign")
        if binding is not None:
            for bound in dict.fromkeys(names):
                found.setdefault(bound, []).append(binding)
    _MODULE_NAMES[tree] = found
    return found


def module_bindings(tree: ast.Module, name: str) -> list[Binding]:
    """Module-level bindings of ``name`` (statements run at import)."""
    return list(_module_names(tree).get(name, ()))


def latest_binding(
    function: FunctionNode | None, tree: ast.Module, name: str, before_line: int
) -> tuple[Binding | None, str]:
    """The binding of ``name`` that reaches a use at ``before_line``: where it comes from
    (``param``, ``local``, ``module``, ``none``) and the binding itself.
    """
    if function is not None:
        names = _function_names(function)
        local_all = names.bindings.get(name, [])
        local = [b for b in local_all if b.line <= before_line]
        if name in params_of(function):
            if not local:
                return Binding(function, None, function.lineno, "param"), "param"
            return local[-1], "local"
        if name not in names.globals:
            if local:
                return local[-1], "local"
            if local_all:
                # bound later in the function (a loop that comes round again)
                return local_all[-1], "local"
    else:
        # code at module level that does not run at import (a `__main__` block, its loops)
        at_import = {id(b.node) for b in module_bindings(tree, name)}
        scoped = [
            b for b in _module_level_names(tree).get(name, ()) if b.line <= before_line and id(b.node) not in at_import
        ]
        if scoped:
            return scoped[-1], "local"
    found = module_bindings(tree, name)
    if found:
        return found[-1], "module"
    return None, "none"


def param_names(function: FunctionNode) -> list[str]:
    """Every parameter's name, ``*args`` and ``**kwargs`` included."""
    return params_of(function)


def names_in(expr: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}


def attributes_in(expr: ast.AST) -> set[str]:
    """The attribute names written anywhere inside ``expr`` (``holder.task_id`` gives ``task_id``)."""
    return {n.attr for n in ast.walk(expr) if isinstance(n, ast.Attribute)}


def literal_str(expr: ast.AST | None) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def source_of(py_file: PyFile, node: ast.AST) -> str:
    """The node's own text from the file (or its unparsed form)."""
    start: int | None = getattr(node, "lineno", None)
    end: int | None = getattr(node, "end_lineno", None)
    col: int | None = getattr(node, "col_offset", None)
    end_col: int | None = getattr(node, "end_col_offset", None)
    if start is None or end is None or col is None or end_col is None or end > len(py_file.lines):
        return ast.unparse(node)
    # offsets are in UTF-8 bytes
    lines = [line.encode("utf-8") for line in py_file.lines[start - 1 : end]]
    if start == end:
        return lines[0][col:end_col].decode("utf-8", "replace")
    parts = [lines[0][col:], *lines[1:-1], lines[-1][:end_col]]
    return b"\n".join(parts).decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# The project's own functions


class CodeMap:
    """Functions of the project's own files, to follow calls from one file into another."""

    def __init__(self, code: CodeIndex, project: ProjectFacts) -> None:
        # Only a weak reference: the map is kept in the index's ``derived`` dict; a strong one
        # would close a cycle (index -> map -> index) that only the cyclic collector frees, and
        # never while the trees sit in the frozen generation (facts.code._park_trees).
        self._code = weakref.ref(code)
        self.by_path: dict[str, PyFile] = {f.path: f for f in code.files}
        self.locations: dict[str, str] = {
            r.name: r.code_location for r in project.runtimes if r.code_location is not None
        }
        self.roots: dict[str, tuple[str, ...]] = {
            e.name: tuple("" if root == "." else root for root in e.package_roots) for e in code.entries
        }
        """Each runtime's ``sys.path`` roots, where its absolute imports resolve."""
        self._functions: dict[int, dict[str, FunctionInfo]] = {}
        self._callees: dict[Target, list[Target]] = {}
        self._by_node: dict[int, FunctionInfo] = {}
        self._all_built = False

    # -- lookups
    def functions_of(self, py_file: PyFile) -> dict[str, FunctionInfo]:
        """The file's functions by qualified name (built on first use: a file nobody looks
        into is never re-read)."""
        table = self._functions.get(id(py_file))
        if table is None:
            if self.by_path.get(py_file.path) is not py_file:
                return {}
            table = {}
            for function in py_file.functions:
                table[function.qualname] = function
                self._by_node[id(function.node)] = function
            self._functions[id(py_file)] = table
        return table

    @property
    def code(self) -> CodeIndex:
        code = self._code()
        if code is None:
            raise RuntimeError("the code index of this map was released")
        return code

    def rebind(self, code: CodeIndex) -> None:
        """Serve ``code``, a view of the same roles as the one this map was built for (the
        map is kept with the index and shared by its views; it refers to them weakly, so it
        never keeps a view, or the index and its trees, alive by a reference cycle)."""
        self._code = weakref.ref(code)

    def info(self, node: ast.AST) -> FunctionInfo | None:
        found = self._by_node.get(id(node))
        if found is None and not self._all_built:
            self._all_built = True
            for py_file in self.code.files:
                self.functions_of(py_file)
            found = self._by_node.get(id(node))
        return found

    def target_of(self, py_file: PyFile, node: FunctionNode | None) -> Target | None:
        if node is None:
            return None
        info = self.info(node)
        return Target(py_file, info) if info is not None else None

    def module_file(self, py_file: PyFile, dotted: str) -> PyFile | None:
        return self._module_file(py_file, dotted)

    def find_class(self, py_file: PyFile, dotted: str) -> tuple[PyFile, ast.ClassDef] | None:
        """The project class a resolved name refers to, seen from ``py_file``."""
        module, _, name = dotted.rpartition(".")
        where = py_file if not module else self._module_file(py_file, module)
        if where is None:
            return None
        for statement in where.tree.body:
            if isinstance(statement, ast.ClassDef) and statement.name == name:
                return where, statement
        return None

    def _module_file(self, py_file: PyFile, dotted: str) -> PyFile | None:
        """The project file a module name refers to, seen from ``py_file``."""
        level = len(dotted) - len(dotted.lstrip("."))
        module = dotted.lstrip(".")
        parts = [p for p in module.split(".") if p]
        directory = py_file.path.rsplit("/", 1)[0] if "/" in py_file.path else ""
        bases: list[str] = []
        if level:
            base = directory
            for _ in range(level - 1):
                base = base.rsplit("/", 1)[0] if "/" in base else ""
            bases.append(base)
        else:
            for runtime in py_file.runtimes:
                bases.extend(self.roots.get(runtime, ()))
                if runtime in self.locations:
                    location = self.locations[runtime]
                    bases.append("" if location == "." else location)
            bases.append(directory)
            bases.append("")
        bases = list(dict.fromkeys(bases))
        for base in bases:
            stem = "/".join([*([base] if base else []), *parts])
            for candidate in (stem + ".py", stem + "/__init__.py") if stem else ("__init__.py",):
                found = self.by_path.get(candidate)
                if found is not None and (py_file.runtime is None or found.runtime in (py_file.runtime, None)):
                    return found
        return None

    def lookup(self, py_file: PyFile, dotted: str, within: FunctionInfo | None = None) -> Target | None:
        """The function a resolved dotted name calls, if it is the project's own."""
        if not dotted or dotted.startswith("?"):
            return None
        table = self.functions_of(py_file)
        if "." not in dotted.lstrip("."):
            name = dotted
            if dotted.startswith("."):
                return None
            if within is not None:
                prefix = within.qualname
                while prefix:
                    nested = table.get(f"{prefix}.{name}")
                    if nested is not None:
                        return Target(py_file, nested)
                    prefix = prefix.rsplit(".", 1)[0] if "." in prefix else ""
            found = table.get(name)
            if found is not None and found.class_name is None:
                return Target(py_file, found)
            init = table.get(f"{name}.__init__")
            if init is not None:
                return Target(py_file, init)
            return self._made_by_factory(py_file, name)
        head, _, attr = dotted.rpartition(".")
        if head in ("self", "cls") and within is not None and within.class_name:
            method = table.get(f"{within.class_name}.{attr}")
            return Target(py_file, method) if method is not None else None
        # Class.method in this file
        method = table.get(dotted)
        if method is not None:
            return Target(py_file, method)
        # module.function or module.Class
        for split in (1, 2):
            pieces = dotted.rsplit(".", split)
            if len(pieces) != split + 1 or not pieces[0]:
                continue
            module, names = pieces[0], ".".join(pieces[1:])
            target_file = self._module_file(py_file, module)
            if target_file is None:
                continue
            other = self.functions_of(target_file)
            found = other.get(names)
            if found is not None and (found.class_name is None or split == 2):
                return Target(target_file, found)
            init = other.get(f"{names}.__init__")
            if init is not None:
                return Target(target_file, init)
        return None

    def _made_by_factory(self, py_file: PyFile, name: str) -> Target | None:
        """``name = factory()`` at module level, where ``factory`` returns one of its nested
        functions: the nested function ``name`` calls.
        """
        found = module_bindings(py_file.tree, name)
        if len(found) != 1 or not isinstance(found[0].value, ast.Call):
            return None
        factory = self.resolve(py_file, found[0].value)
        if factory is None:
            return None
        returns = factory.function.returns
        if len(returns) != 1 or not isinstance(returns[0].value, ast.Name):
            return None
        nested = self.functions_of(factory.file).get(f"{factory.function.qualname}.{returns[0].value.id}")
        return Target(factory.file, nested) if nested is not None else None

    def resolve(self, py_file: PyFile, call: ast.Call, within: FunctionInfo | None = None) -> Target | None:
        return self.lookup(py_file, py_file.resolve(call.func), within)

    def resolve_ref(self, py_file: PyFile, expr: ast.expr, within: FunctionInfo | None = None) -> Target | None:
        """The function an expression names (``target=worker``, ``submit(worker, …)``)."""
        if isinstance(expr, (ast.Name, ast.Attribute)):
            return self.lookup(py_file, py_file.resolve(expr), within)
        if isinstance(expr, ast.Call) and py_file.resolve(expr.func).endswith("functools.partial") and expr.args:
            return self.resolve_ref(py_file, expr.args[0], within)
        return None

    # -- entrypoints and reachability
    def entrypoints(self, runtime: str | None = None) -> list[Target]:
        """The HTTP request handlers a runtime serves: its live ``@app.entrypoint`` (the last
        one of each app), ``POST /invocations`` routes and websocket handlers."""
        found: list[Target] = []
        for py_file in self.code.runtime_files(runtime):
            live, _ = served(
                [e for e in py_file.facts.entrypoints if e.kind in ("entrypoint", "http", "websocket")],
                lambda e: e.kind,
                lambda e: e.app,
                lambda e: e.line,
            )
            wanted = {(e.qualname or e.name, e.line) for e in live}
            for function in py_file.functions:
                if (function.qualname, function.line) in wanted:
                    found.append(Target(py_file, function))
        return found

    def reachable(self, start: Target, max_depth: int = 6) -> dict[Target, tuple[Target, ...]]:
        """Every own function ``start`` reaches by direct calls or by handing it to a
        thread, task or executor, with the chain of calls that leads there.
        """
        chains: dict[Target, tuple[Target, ...]] = {start: (start,)}
        frontier = [start]
        for _ in range(max_depth):
            next_frontier: list[Target] = []
            for current in frontier:
                for callee in self.callees(current):
                    if callee not in chains:
                        chains[callee] = (*chains[current], callee)
                        next_frontier.append(callee)
            frontier = next_frontier
            if not frontier:
                break
        return chains

    def callees(self, target: Target) -> list[Target]:
        """The own functions ``target`` calls or hands on (computed once per function)."""
        known = self._callees.get(target)
        if known is None:
            known = self._callees[target] = self._find_callees(target)
        return list(known)

    def _find_callees(self, target: Target) -> list[Target]:
        found: list[Target] = []
        for call in calls_in(target.function.node.body, lambdas=True):
            callee = self.resolve(target.file, call, target.function)
            if callee is not None:
                found.append(callee)
            for ref in handed_functions(call):
                handed = self.resolve_ref(target.file, ref, target.function)
                if handed is not None:
                    found.append(handed)
        return found


def handed_functions(call: ast.Call) -> list[ast.expr]:
    """Function references a call hands on to run later (thread targets, executor jobs)."""
    refs: list[ast.expr] = []
    for keyword in call.keywords:
        if keyword.arg in ("target", "func", "function", "fn", "callback"):
            refs.append(keyword.value)
    func = call.func
    attr = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
    if attr in ("submit", "map", "to_thread", "start_new_thread", "call_soon", "call_soon_threadsafe", "Timer"):
        refs.extend(call.args[:1] if attr != "Timer" else call.args[1:2])
    elif attr == "run_in_executor":
        refs.extend(call.args[1:2])
    return refs


def code_map(code: CodeIndex, project: ProjectFacts) -> CodeMap:
    """The :class:`CodeMap` of one code index (or view), built once and kept with the index."""
    key = ("code_map", code.declared)
    found: CodeMap | None = code.derived.get(key)
    if found is None:
        found = CodeMap(code, project)
        code.derived[key] = found
    else:
        found.rebind(code)
    return found


def first_call(
    statements: Iterable[ast.AST], predicate: Callable[[ast.Call], bool], *, lambdas: bool = False
) -> ast.Call | None:
    hits = [c for c in calls_in(statements, lambdas=lambdas) if predicate(c)]
    return min(hits, key=lambda c: (c.lineno, c.col_offset)) if hits else None


# ---------------------------------------------------------------------------
# Who mentions a function, and whether a value it returns reaches the runtime's caller

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINITION = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


class References:
    """How often each identifier appears in a set of files (code, strings and comments
    alike, so nothing is missed), against how often it is defined there: a function whose
    name appears only where it is defined is called by none of these files.

    Counted when a name is asked about, in the files whose text holds it: most names are
    asked about never, and most files do not hold the ones that are.
    """

    def __init__(self, files: Iterable[PyFile]) -> None:
        self._pending = list(files)
        self._texts: list[tuple[PyFile, str]] | None = None
        self._tokens: dict[int, tuple[Counter[str], Counter[str]]] = {}
        self._answers: dict[str, tuple[int, int, list[PyFile]]] = {}

    def _count(self, name: str) -> tuple[int, int, list[PyFile]]:
        """(appearances, definitions, files holding it) of ``name``."""
        answer = self._answers.get(name)
        if answer is not None:
            return answer
        if self._texts is None:
            self._texts = [(py_file, py_file.source_text()) for py_file in self._pending]
        appearances = definitions = 0
        holding: list[PyFile] = []
        for py_file, text in self._texts:
            if name not in text:
                continue
            counts = self._tokens.get(id(py_file))
            if counts is None:
                counts = self._tokens[id(py_file)] = (
                    Counter(_IDENTIFIER.findall(text)),
                    Counter(_DEFINITION.findall(text)),
                )
            if counts[0][name]:
                appearances += counts[0][name]
                definitions += counts[1][name]
                holding.append(py_file)
        answer = self._answers[name] = (appearances, definitions, holding)
        return answer

    def mentioned_elsewhere(self, name: str) -> bool:
        """Whether ``name`` appears anywhere but in its own definitions."""
        appearances, definitions, _ = self._count(name)
        return appearances > definitions

    def files_mentioning(self, name: str) -> list[PyFile]:
        return self._count(name)[2]


@dataclass(frozen=True)
class Route:
    """Where a value a function returns goes, followed up its callers."""

    status: str
    """``reaches`` (a request handler returns it to the runtime's caller), ``contained`` (no
    caller passes it on), ``unknown`` (the function is used in a way not followed)."""
    chain: tuple[Target, ...] = ()
    """From the function up to the handler that returns the value (``reaches``)."""
    why: str = ""


_COLLECTORS = frozenset(
    {"append", "extend", "add", "update", "insert", "put", "put_nowait", "appendleft", "setdefault"}
)
_PASS_THROUGH = (
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.BinOp,
    ast.BoolOp,
    ast.Starred,
    ast.keyword,
    ast.comprehension,
    ast.ListComp,
    ast.SetComp,
    ast.GeneratorExp,
    ast.DictComp,
)


@dataclass(frozen=True)
class _Climb:
    """Where an expression's value ends up in its statement."""

    returned: bool = False
    names: tuple[str, ...] = ()
    """Variables that now hold (part of) the value."""
    keys: tuple[str, ...] | None = None
    """The keys of the value that hold what is followed (``None``: all of it)."""


def _key_of(node: ast.AST, child: ast.AST) -> str | bool:
    """For ``child[k]``: the literal key ``k``; ``True`` for another subscript of ``child``;
    ``False`` when ``child`` is not what ``node`` subscripts (it is the index)."""
    if isinstance(node, ast.Subscript) and node.value is child:
        key = node.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else True
    return False


def _climb(
    node: ast.expr, keys: tuple[str, ...] | None, pm: ParentMap, resolve: Callable[[ast.expr], str]
) -> _Climb | None:
    """Follow the value of ``node`` up its statement: returned or yielded, bound to
    variables, or dropped (``None``): used only as a condition, logged, or discarded."""
    from agentcore_readiness.analysis.file_facts import is_log_call

    child: ast.AST = node
    parent = pm.parent(child)
    while parent is not None:
        if isinstance(parent, (ast.Return, ast.Yield, ast.YieldFrom)):
            return _Climb(returned=True, keys=keys)
        if isinstance(parent, ast.Await):
            pass
        elif isinstance(parent, ast.Subscript):
            key = _key_of(parent, child)
            if key is False:
                return None
            if isinstance(key, str) and keys is not None and key not in keys:
                return None
            keys = None
        elif isinstance(parent, ast.Attribute):
            call = pm.parent(parent)
            if (
                isinstance(call, ast.Call)
                and call.func is parent
                and parent.attr == "get"
                and call.args
                and isinstance(call.args[0], ast.Constant)
            ):
                if keys is not None and call.args[0].value not in keys:
                    return None
                parent, keys = call, None
            else:
                keys = None
        elif isinstance(parent, ast.Call):
            if child is parent.func:
                keys = None
            elif is_log_call(parent, resolve):
                return None
            elif isinstance(parent.func, ast.Attribute) and parent.func.attr in _COLLECTORS:
                base = _base_name(parent.func.value)
                return _Climb(names=(base,)) if base else None
            else:
                keys = None
        elif isinstance(parent, ast.Dict):
            index = next((i for i, v in enumerate(parent.values) if v is child), None)
            if index is None:
                return None
            key_node = parent.keys[index]
            keys = (key_node.value,) if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str) else None
        elif isinstance(parent, ast.IfExp):
            if child is parent.test:
                return None
        elif isinstance(parent, ast.NamedExpr):
            return _Climb(names=(parent.target.id,), keys=keys)
        elif isinstance(parent, _PASS_THROUGH):
            keys = None if isinstance(parent, (ast.JoinedStr, ast.FormattedValue, ast.BinOp)) else keys
        elif isinstance(parent, ast.stmt):
            return _statement_end(parent, child, keys)
        else:
            return None
        child = parent
        parent = pm.parent(child)
    return None


def _statement_end(statement: ast.stmt, child: ast.AST, keys: tuple[str, ...] | None) -> _Climb | None:
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign) and child is statement.value:
        targets = list(statement.targets)
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and child is statement.value:
        targets = [statement.target]
    elif isinstance(statement, (ast.For, ast.AsyncFor)) and child is statement.iter:
        targets, keys = [statement.target], None
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in statement.items if i.context_expr is child and i.optional_vars is not None]
    names: list[str] = []
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            names.extend(assigned_names(target))
            keys = None
        elif isinstance(target, ast.Name):
            names.append(target.id)
        else:
            base = _base_name(target)
            if base:
                names.append(base)
                keys = None
    return _Climb(names=tuple(names), keys=keys) if names else None


def _base_name(expr: ast.expr) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def value_returned(
    py_file: PyFile, function: FunctionNode, call: ast.AST, keys: tuple[str, ...] | None
) -> _Climb | None:
    """Whether the value of ``call`` (in ``function``) is returned or yielded by it, through
    the variables it is bound to, the containers it is put in and the keys read from it
    (a key other than ``keys`` drops it). ``None`` when it is not."""
    pm = parents(py_file)
    resolve = py_file.resolve
    first = _climb(call, keys, pm, resolve)  # type: ignore[arg-type]
    if first is None or first.returned:
        return first
    held: dict[str, tuple[str, ...] | None] = dict.fromkeys(first.names, first.keys)
    uses = [n for n in function_body_nodes(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    for _ in range(4):
        grown = False
        for use in uses:
            if use.id not in held:
                continue
            found = _climb(use, held[use.id], pm, resolve)
            if found is None:
                continue
            if found.returned:
                return found
            for name in found.names:
                if name not in held:
                    held[name] = found.keys
                    grown = True
        if not grown:
            break
    return None


def _local_names(function: FunctionNode | ast.Lambda) -> frozenset[str]:
    """The names a function binds itself: parameters and variables it assigns."""
    names = set(params_of(function)) if not isinstance(function, ast.Lambda) else {a.arg for a in function.args.args}
    if isinstance(function, ast.Lambda):
        return frozenset(names)
    for node in function_body_nodes(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return frozenset(names)


@dataclass
class Uses:
    calls: list[tuple[PyFile, CallSite]] = field(default_factory=list)
    other: list[tuple[PyFile, int]] = field(default_factory=list)
    """References that are not calls, with their line."""


class LeakFollower:
    """Follows a value a function returns up its callers, across the runtime's modules, to
    a request handler (which returns it to the runtime's caller) or to where it stops."""

    MAX_DEPTH = 6
    MAX_EXPLORED = 200
    """Functions one search may visit: a bound on the work, whatever the call graph."""

    def __init__(
        self,
        cmap: CodeMap,
        references: References,
        exposed: Callable[[Target], bool],
        dead: Callable[[Target], bool],
    ) -> None:
        self.cmap = cmap
        self.references = references
        self.exposed = exposed
        self.dead = dead
        self._uses: dict[Target, Uses] = {}
        self._load_table: dict[str, dict[str, list[ast.expr]]] = {}

    def uses(self, target: Target) -> Uses:
        """Where the runtime's code uses ``target``: calls resolved to it (for a method, also
        calls of a method of that name on an object not resolved), and other references
        (a callback, an entry of a list of tools)."""
        found = self._uses.get(target)
        if found is not None:
            return found
        name = target.function.name
        method = target.function.class_name is not None
        found = Uses()
        for py_file in self.references.files_mentioning(name):
            call_funcs: set[int] = set()
            for call in py_file.calls:
                if call.attr != name:
                    continue
                call_funcs.add(id(call.node.func))
                resolved = self.cmap.resolve(py_file, call.node, call.function)
                if resolved == target or (resolved is None and method and isinstance(call.node.func, ast.Attribute)):
                    found.calls.append((py_file, call))
            for node in self._loads(py_file).get(name, ()):
                if id(node) in call_funcs:
                    continue
                if isinstance(node, ast.Name):
                    if not method:
                        found.other.append((py_file, node.lineno))
                elif method or self.cmap.lookup(py_file, py_file.resolve(node)) == target:
                    found.other.append((py_file, node.lineno))
        self._uses[target] = found
        return found

    def _loads(self, py_file: PyFile) -> dict[str, list[ast.expr]]:
        """Names and attributes read in a file, by name (built once per file); a name read
        where a function binds it locally (a parameter, a variable) is left out."""
        table = self._load_table.get(py_file.path)
        if table is None:
            table = {}
            stack: list[tuple[ast.AST, frozenset[str]]] = [(py_file.tree, frozenset())]
            while stack:
                node, local = stack.pop()
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    local = local | _local_names(node)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                    if node.id not in local:
                        table.setdefault(node.id, []).append(node)
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                    table.setdefault(node.attr, []).append(node)
                stack.extend((child, local) for child in ast.iter_child_nodes(node))
            self._load_table[py_file.path] = table
        return table

    def route(self, target: Target, keys: tuple[str, ...] | None) -> Route:
        explored: set[tuple[Target, tuple[str, ...] | None]] = set()
        return self._route(target, keys, (target,), explored)

    def _route(
        self,
        target: Target,
        keys: tuple[str, ...] | None,
        chain: tuple[Target, ...],
        explored: set[tuple[Target, tuple[str, ...] | None]],
    ) -> Route:
        if len(chain) > self.MAX_DEPTH or len(explored) > self.MAX_EXPLORED:
            return Route("unknown", chain, "the chain of callers is too long to follow")
        explored.add((target, keys))
        uses = self.uses(target)
        sites = uses.calls
        if uses.other:
            where = uses.other[0]
            return Route(
                "unknown", chain, f"{target.function.name} is used other than by a call ({where[0].path}:{where[1]})"
            )
        if not sites:
            return Route("contained", chain, f"nothing in the runtime's code calls {target.function.qualname}()")
        unknown: Route | None = None
        for py_file, call in sites:
            if call.function is None:
                continue
            caller = Target(py_file, call.function)
            if caller in chain or self.dead(caller):
                continue
            flow = value_returned(py_file, call.function.node, call.node, keys)
            if flow is None:
                continue
            if self.exposed(caller):
                return Route("reaches", (*chain, caller))
            if (caller, flow.keys) in explored:
                continue
            found = self._route(caller, flow.keys, (*chain, caller), explored)
            if found.status == "reaches":
                return found
            if found.status == "unknown" and unknown is None:
                unknown = found
        if unknown is not None:
            return unknown
        return Route("contained", chain, f"no caller of {target.function.qualname}() returns its value")

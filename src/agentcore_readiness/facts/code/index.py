"""The code index: every Python file of a project parsed once, walked once.

Each code rule queries this index instead of reading or parsing files itself. Two
views of every file come from the same parse and the same walk:

* the syntax-level index (calls with their resolved names, enclosing function, loops
  and ``try``; function definitions with resolved decorators; imports; string
  literals): :class:`PyFile` ``calls``, ``functions``, ``strings``, ``tree``;
* the code rules' per-file facts (:class:`~agentcore_readiness.analysis.file_facts.FileFacts`):
  except handlers, entrypoints, environment reads, secrets, outbound calls, ...

Which files: each runtime's ``codeLocation`` (the YAML entrypoint's directory for the
starter toolkit) is *agent* code; other Python files of the project (scripts that
invoke a runtime, for example) are *caller* code; files under ``tests/`` or named
``test_*.py`` are *test* code. Virtualenvs, VCS and build directories, the CDK app and
files that leave the project through a symlink are never read. Huge, binary,
undecodable and unparsable files are listed as skipped, with the reason, and the rest
is indexed.

Large trees are analysed in worker processes (one per core), each file parsed and
walked once there; only the plain per-file facts travel back, and the syntax-level
index of a file is rebuilt in this process only if a rule asks for it. Small projects
take a sequential path that keeps both views from the single parse.

Suppression: ``# agentcore-readiness: ignore[CODE1,CODE2] reason`` on a finding's line
silences those rules there. The reason is required: a comment without one does not
apply, and the finding says so.
"""

from __future__ import annotations

import ast
import os
import re
import stat
import subprocess
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agentcore_readiness import budget
from agentcore_readiness.analysis import env_secrets, net_hosts, request_handlers, secret_patterns
from agentcore_readiness.analysis import file_facts as analysis
from agentcore_readiness.analysis.dataflow import CHILD_FIELDS, child_fields
from agentcore_readiness.analysis.file_facts import FileFacts
from agentcore_readiness.analysis.pyparse import parse_module
from agentcore_readiness.analysis.role_signals import ImportRef, collect_signals
from agentcore_readiness.facts import UndeclaredFact
from agentcore_readiness.facts.code.roles import (
    FileRole,
    Role,
    RuntimeEntry,
    assign_roles,
    runtime_entries,
)
from agentcore_readiness.facts.files import (
    SOURCE_MAX_BYTES,
    UNREADABLE,
    FileReadError,
    decode_text,
    read_file_bytes,
    read_text,
    rel_posix,
    walk_tree,
)
from agentcore_readiness.gcpause import paused_gc

if TYPE_CHECKING:
    from agentcore_readiness.facts.project.project_facts import ProjectFacts

WalkRole = Literal["code", "test"]
"""How a file is analysed in the walk: test files for error injection, every other file for
everything a rule may ask of it (its role in the project is decided after the walk)."""

SUPPRESS = re.compile(r"#\s*agentcore-readiness:\s*ignore\[([A-Za-z0-9,\s]+)\]([^\n]*)")
_EXCLUDED_TOP = ("agentcore/.cli/", ".bedrock_agentcore/")

_UNPLACED = FileRole(role="other", roles=frozenset({"other"}))
"""The role of a file between its analysis and the project-wide role assignment."""
_TEST = FileRole(role="test", roles=frozenset({"test"}))

PARALLEL_MIN_FILES = 200
"""Below this many files (or :data:`PARALLEL_MIN_BYTES`), the sequential path is faster
than starting worker processes."""
PARALLEL_MIN_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, eq=False)
class FunctionInfo:
    name: str
    qualname: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    decorators: tuple[str, ...]
    """Resolved dotted names of the decorators (``app.entrypoint``, ``strands.tool``)."""
    is_async: bool
    is_generator: bool
    line: int
    class_name: str | None = None
    in_derived_class: bool = False
    """Whether the class it is defined in names a base class (other than ``object``) or
    keywords: a framework may call its methods (hooks, handlers of a base class)."""
    returns: list[ast.Return] = field(default_factory=list, repr=False)
    """The ``return`` statements of its own body (not of the functions nested in it), in
    source order."""
    awaits: list[ast.Await] = field(default_factory=list, repr=False)
    """The ``await`` expressions of its own body, in source order."""
    withs: list[ast.With | ast.AsyncWith] = field(default_factory=list, repr=False)
    """The ``with`` and ``async with`` statements of its own body, in source order."""
    yields: list[ast.Yield | ast.YieldFrom] = field(default_factory=list, repr=False)
    """The ``yield`` expressions of its own body (not of lambdas in it), in source order."""

    @property
    def params(self) -> list[str]:
        args = self.node.args
        return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


@dataclass(eq=False, slots=True)
class CallSite:
    name: str
    """Resolved dotted name: ``boto3.client``, ``uuid.uuid4``, ``client.invoke_agent_runtime``;
    a call on an expression that is not a name starts with ``?.``."""
    attr: str
    """The last segment of the name: the function or method called."""
    node: ast.Call
    line: int
    col: int
    function: FunctionInfo | None
    loops: tuple[ast.For | ast.AsyncFor | ast.While, ...]
    in_try: bool
    """Whether the call sits inside a ``try`` body of its function (or module)."""
    in_lambda: bool = False
    """Whether the call sits in the body (or a keyword-only default) of a ``lambda``: it runs
    when the lambda is called, not where it is written."""

    @property
    def keywords(self) -> dict[str, ast.expr]:
        return {kw.arg: kw.value for kw in self.node.keywords if kw.arg is not None}

    def str_arg(self, index: int) -> str | None:
        """The positional argument ``index`` when it is a string literal."""
        args = self.node.args
        if index < len(args):
            value = args[index]
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
        return None

    def non_empty(self, keyword: str) -> bool:
        """Whether ``keyword`` is passed something other than an empty list or tuple literal."""
        value = self.keywords.get(keyword)
        return value is not None and not (isinstance(value, (ast.List, ast.Tuple)) and not value.elts)

    @property
    def has_splat(self) -> bool:
        """Whether keyword arguments are passed through ``**mapping`` (not followed)."""
        return any(kw.arg is None for kw in self.node.keywords)

    @property
    def module_level(self) -> bool:
        return self.function is None


@dataclass(eq=False, slots=True)
class StringLiteral:
    value: str
    line: int
    col: int
    is_docstring: bool
    function: FunctionInfo | None


@dataclass(frozen=True, slots=True)
class Store:
    """One attribute or subscript target of an assignment statement: ``self.client = value``,
    ``headers["Mcp-Session-Id"] = value`` (each target of ``a.x = b["k"] = value`` is one)."""

    target: ast.Attribute | ast.Subscript
    value: ast.expr
    line: int
    """The assignment statement's line."""
    function: FunctionInfo | None
    """The innermost function the statement is in (``None``: module or class level)."""


@dataclass(frozen=True, slots=True)
class KeyedAccess:
    """A subscript whose key is a string literal: ``request.headers["authorization"]``, read,
    written or deleted."""

    node: ast.Subscript
    key: str


@dataclass(frozen=True, slots=True)
class DictLiteral:
    """A dict display with at least one string-literal key: ``{"actor_id": actor, ...}``."""

    node: ast.Dict


@dataclass
class _Syntax:
    """The syntax-level index of one file: the tree and the records of its one walk, each
    list in source order."""

    tree: ast.Module
    lines: list[str]
    calls: list[CallSite]
    functions: list[FunctionInfo]
    strings: list[StringLiteral]
    stores: list[Store]
    keyed: list[KeyedAccess]
    dicts: list[DictLiteral]
    imports: list[ImportRef]
    name_attributes: list[ast.Attribute]


class PyFile:
    """One indexed Python file.

    ``path``, ``role`` (with ``roles``, ``runtimes`` and ``shape``), ``imports``,
    ``imported_modules``, ``suppressions`` and ``facts`` are always at hand; ``tree``,
    ``lines`` and the walk's records (``calls``, ``functions``, ``strings``, ``stores``,
    ``keyed``, ``dicts``, ``import_records``) come from the single parse when the file was
    indexed in this process, and are rebuilt on first use when it was analysed by a worker.
    """

    def __init__(
        self,
        path: str,
        place: FileRole,
        *,
        syntax: _Syntax | None = None,
        facts: FileFacts | None = None,
        source: Callable[[], str] | None = None,
    ) -> None:
        self.path = path
        """Project-relative, ``/``-separated."""
        self.place = place
        """The file's role in the project (:mod:`agentcore_readiness.facts.code.roles`)."""
        self.facts: FileFacts = facts if facts is not None else FileFacts()
        self._source = source
        self._syntax: _Syntax | None = syntax
        self._lines = syntax.lines if syntax is not None else None
        self._calls_by_function: dict[bool, dict[int | None, list[CallSite]]] = {}
        self._module_calls: _ByStart | None = None
        self._all_calls: _ByStart | None = None

    def __repr__(self) -> str:
        return f"PyFile({self.path!r}, role={self.role!r}, runtimes={self.runtimes!r})"

    @property
    def role(self) -> Role:
        """The main role (``runtime``, ``caller``, ``test``, ...)."""
        return self.place.role

    @property
    def roles(self) -> frozenset[Role]:
        return self.place.roles

    @property
    def runtimes(self) -> tuple[str, ...]:
        """The runtimes whose code this file is."""
        return self.place.runtimes

    @property
    def runtime(self) -> str | None:
        """The first runtime whose code this file is."""
        return self.place.runtimes[0] if self.place.runtimes else None

    @property
    def walk_role(self) -> WalkRole:
        return "test" if self.place.role == "test" else "code"

    # -- always available
    @property
    def imports(self) -> dict[str, str]:
        """Local name -> fully qualified name (``np`` -> ``numpy``, ``uuid4`` -> ``uuid.uuid4``)."""
        return self.facts.imports

    @property
    def imported_modules(self) -> set[str]:
        """Top-level module names imported anywhere in the file."""
        return self.facts.imported_modules

    @property
    def suppressions(self) -> dict[int, set[str]]:
        """Line -> rule codes silenced there (only comments that give a reason)."""
        return self.facts.suppressions

    # -- from the parse
    def _syntax_index(self) -> _Syntax:
        if self._syntax is None:
            text = ""
            if self._source is not None:
                try:
                    text = self._source()
                except FileReadError:
                    text = ""
            lines = text.splitlines()
            try:
                tree = parse_module(text, self.path)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                tree = ast.Module(body=[], type_ignores=[])
            built = _build(tree, lines, legacy=True, analyze=False, role=self.walk_role)
            self._syntax = built.syntax
            if self._lines is None:
                self._lines = lines
        return self._syntax

    @property
    def loaded(self) -> bool:
        return self._syntax is not None

    @property
    def tree(self) -> ast.Module:
        return self._syntax_index().tree

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self._syntax_index().lines
        return self._lines

    @property
    def calls(self) -> list[CallSite]:
        return self._syntax_index().calls

    @property
    def functions(self) -> list[FunctionInfo]:
        return self._syntax_index().functions

    @property
    def strings(self) -> list[StringLiteral]:
        return self._syntax_index().strings

    @property
    def stores(self) -> list[Store]:
        """The attribute and subscript targets of the file's assignment statements."""
        return self._syntax_index().stores

    @property
    def keyed(self) -> list[KeyedAccess]:
        """The file's subscripts with a string-literal key."""
        return self._syntax_index().keyed

    @property
    def dicts(self) -> list[DictLiteral]:
        """The file's dict displays with a string-literal key."""
        return self._syntax_index().dicts

    @property
    def name_attributes(self) -> list[ast.Attribute]:
        """The file's reads of an attribute of a plain name: ``context.session_id``, ``self.client``."""
        return self._syntax_index().name_attributes

    @property
    def import_records(self) -> list[ImportRef]:
        """Every import statement of the file (nested ones too), by line."""
        return self._syntax_index().imports

    def calls_of(self, function: FunctionInfo | None, *, lambdas: bool = False) -> list[CallSite]:
        """The calls that run when ``function`` runs (module-level code for ``None``), in source
        order: nested function bodies are left out, the decorators and defaults of nested
        functions and the bodies of nested classes are in; lambda bodies only with ``lambdas``."""
        by_function = self._calls_by_function.get(lambdas)
        if by_function is None:
            by_function = self._calls_by_function[lambdas] = {}
            for call in self.calls:
                if lambdas or not call.in_lambda:
                    owner = call.function
                    by_function.setdefault(id(owner) if owner is not None else None, []).append(call)
            for calls in by_function.values():
                calls.sort(key=_POSITION)
        return by_function.get(id(function) if function is not None else None, [])

    def module_calls_in(self, node: ast.AST) -> list[CallSite]:
        """The module-level calls inside ``node`` (a module-level statement or a part of one), in
        source order; what :meth:`calls_of` leaves out stays out."""
        if self._module_calls is None:
            self._module_calls = _by_start(self.calls_of(None))
        return _starting_in(self._module_calls, node)

    def calls_within(self, node: ast.AST) -> list[CallSite]:
        """Every call written inside ``node`` (an expression or statement of this file, a call
        itself included), nested calls and lambda bodies too, in source order."""
        if self._all_calls is None:
            self._all_calls = _by_start(sorted(self.calls, key=_POSITION))
        end = _span(node)[1]
        return [call for call in _starting_in(self._all_calls, node) if _span(call.node)[1] <= end]

    def source_text(self) -> str:
        """The file's text, without parsing it again when only the text is needed."""
        if self._lines is not None:
            return "\n".join(self._lines)
        if self._syntax is None and self._source is not None:
            try:
                return self._source()
            except FileReadError:
                return ""
        return "\n".join(self.lines)

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def suppressed(self, rule: str, line: int | None) -> bool:
        return line is not None and rule in self.facts.suppressions.get(line, ())

    def unreasoned_ignore(self, rule: str, line: int | None) -> bool:
        """Whether ``line`` has an ignore comment for ``rule`` without a reason (which does not apply)."""
        return line is not None and rule in self.facts.unreasoned.get(line, ())

    def resolve(self, expr: ast.expr) -> str:
        return dotted_name(expr, self.imports)

    def function_at(self, node: ast.AST) -> FunctionInfo | None:
        line = getattr(node, "lineno", 0)
        best: FunctionInfo | None = None
        for function in self.functions:
            end = getattr(function.node, "end_lineno", function.line) or function.line
            if function.line <= line <= end and (best is None or function.line >= best.line):
                best = function
        return best

    def analysis_context(self) -> analysis.FileContext:
        """The lookup context the code analysers use, for this file's tree."""
        return _context(self.tree, self.imports, self.resolve)


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str
    place: FileRole | None = None
    """Its role, as far as it is known without reading it (by path, or reached by import)."""


class UndeclaredRole(UndeclaredFact):
    """A rule asked the code index for files of a role it did not declare."""


@dataclass(frozen=True, eq=False)
class CodeIndex:
    """Every Python file of a project, parsed and walked once, with its role.

    A rule sees a :meth:`view` limited to the roles it declares; asking a view for another
    role raises :class:`UndeclaredRole`, so what a rule reads is what it declares.
    """

    files: tuple[PyFile, ...]
    skipped: tuple[SkippedFile, ...]
    parallel: bool = False
    """Whether worker processes analysed the files."""
    entries: tuple[RuntimeEntry, ...] = ()
    """Where each runtime's code starts (and why, when its entrypoint is not here)."""
    declared: frozenset[Role] | None = None
    """The roles this view may read; ``None`` for the whole index."""
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """What analyses build once from the files (a call graph per view), shared by the index and
    its views and freed with them."""
    incomplete: tuple[str, ...] = ()
    """Why the index does not cover all of the project's code (unreadable directories or
    files, a file-count limit, the request's budget); empty when it does."""
    _by_path: dict[str, PyFile] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_path.update((f.path, f) for f in self.files)

    def view(self, roles: Iterable[Role]) -> CodeIndex:
        """The files of ``roles`` only (a file with several roles is in every view that names one)."""
        wanted = frozenset(roles)
        return CodeIndex(
            files=tuple(f for f in self.files if not f.roles.isdisjoint(wanted)),
            skipped=tuple(s for s in self.skipped if s.place is None or not s.place.roles.isdisjoint(wanted)),
            parallel=self.parallel,
            entries=self.entries,
            declared=wanted,
            derived=self.derived,
            incomplete=self.incomplete,
        )

    def _check(self, roles: Iterable[Role]) -> frozenset[Role]:
        asked = frozenset(roles)
        if self.declared is not None and not asked <= self.declared:
            missing = ", ".join(sorted(asked - self.declared))
            raise UndeclaredRole(
                f"reads {missing} code without declaring it (declared: {', '.join(sorted(self.declared))})"
            )
        return asked

    def of_role(self, *roles: Role) -> Iterator[PyFile]:
        """Files holding any of ``roles``, with their syntax index loaded."""
        wanted = self._check(roles)
        chosen = [f for f in self.files if not f.roles.isdisjoint(wanted)]
        _load_all(chosen, self)
        return iter(chosen)

    def runtime_files(self, runtime: str | None = None) -> Iterator[PyFile]:
        """The code of ``runtime`` (of every runtime when ``None``)."""
        self._check(("runtime",))
        chosen = [f for f in self.files if "runtime" in f.roles and (runtime is None or runtime in f.runtimes)]
        _load_all(chosen, self)
        return iter(chosen)

    def calls(self, roles: Iterable[Role] = ("runtime", "caller")) -> Iterator[tuple[PyFile, CallSite]]:
        wanted = self._check(roles)
        chosen = [f for f in self.files if not f.roles.isdisjoint(wanted)]
        _load_all(chosen, self)
        for py_file in chosen:
            for call in py_file.calls:
                yield py_file, call

    def file(self, path: str) -> PyFile | None:
        return self._by_path.get(path)

    def facts_of(self, *roles: Role) -> Iterator[PyFile]:
        """Files of these roles, for rules that read only :attr:`PyFile.facts` (no reparse)."""
        wanted = self._check(roles)
        return (f for f in self.files if not f.roles.isdisjoint(wanted))

    def skipped_of(self, *roles: Role) -> list[SkippedFile]:
        """Files of these roles that could not be analysed (a file whose role is unknown counts for every role)."""
        wanted = self._check(roles)
        return [s for s in self.skipped if s.place is None or not s.place.roles.isdisjoint(wanted)]

    def entry(self, runtime: str) -> RuntimeEntry | None:
        return next((e for e in self.entries if e.name == runtime), None)


def _load_all(files: list[PyFile], owner: object | None = None) -> None:
    """Rebuild the syntax index of worker-analysed files in one go, without the cyclic
    garbage collector rescanning every tree built so far.
    """
    pending = [f for f in files if not f.loaded]
    if len(pending) < 2:
        return
    with paused_gc():
        for py_file in pending:
            py_file.tree  # noqa: B018 - builds and caches the index


_POSITION = attrgetter("line", "col")

_ByStart = tuple[list[CallSite], list[tuple[int, int]]]
"""Calls in source order, with their start positions (for bisecting)."""


def _by_start(calls: list[CallSite]) -> _ByStart:
    return calls, [(c.line, c.col) for c in calls]


def _span(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    """The (line, column) where ``node`` starts and where it ends."""
    line: int = node.lineno  # type: ignore[attr-defined]
    return (line, node.col_offset), (node.end_lineno or line, node.end_col_offset or 0)  # type: ignore[attr-defined]


def _starting_in(indexed: _ByStart, node: ast.AST) -> list[CallSite]:
    """The calls that start inside ``node``'s span."""
    calls, starts = indexed
    start, end = _span(node)
    return calls[bisect_left(starts, start) : bisect_left(starts, end)]


def dotted_name(expr: ast.expr, imports: dict[str, str]) -> str:
    parts: list[str] = []
    current: ast.expr = expr
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        parts.append(imports.get(current.id, current.id))
    elif isinstance(current, ast.Call):
        inner = dotted_name(current.func, imports)
        parts.append(inner + "()")
    else:
        parts.append("?")
    return ".".join(reversed(parts))


# ---------------------------------------------------------------------------
# The walk


_LEAVES = frozenset(
    {ast.Name, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal}
)

(
    _ENTER_FUNCTION,
    _EXIT_FUNCTION,
    _ENTER_CLASS,
    _EXIT_CLASS,
    _ENTER_LOOP,
    _EXIT_LOOP,
    _ENTER_TRY,
    _EXIT_TRY,
    _ENTER_LAMBDA,
    _EXIT_LAMBDA,
) = range(10)


class _Mark:
    __slots__ = ("data", "kind")

    def __init__(self, kind: int, data: Any = None) -> None:
        self.kind = kind
        self.data = data


_SECRET_GATES = ("pass", "pwd", "secret", "token", "key", "cred")
_GENERIC_SECRET_HINT = re.compile(
    r"(?:passw|passwd|pwd|secret|token|api_?key|apikey|access_?key|private_?key|credential|creds)"
    r"\w*['\"]?\s*(?::|=(?!=))\s*[rbu]?['\"]"
)
_ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.environ.pop"})


@dataclass
class _Built:
    syntax: _Syntax
    facts: FileFacts


def _context(tree: ast.Module, imports: dict[str, str], resolve: Callable[[ast.expr], str]) -> analysis.FileContext:
    module_values: dict[str, ast.expr] = {}
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                module_values[target.id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
            module_values[statement.target.id] = statement.value
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[statement.name] = statement
        elif isinstance(statement, ast.ClassDef):
            for item in statement.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions[f"{statement.name}.{item.name}"] = item
    return analysis.FileContext(resolve=resolve, module_values=module_values, functions=functions)


def _collect_import(
    node: ast.Import | ast.ImportFrom, imports: dict[str, str], modules: set[str], refs: set[ImportRef] | None = None
) -> None:
    if refs is not None:
        if isinstance(node, ast.Import):
            refs.update(ImportRef(0, alias.name, (), node.lineno) for alias in node.names)
        else:
            refs.add(ImportRef(node.level, node.module or "", tuple(a.name for a in node.names), node.lineno))
    if isinstance(node, ast.Import):
        for alias in node.names:
            modules.add(alias.name.split(".")[0])
            if alias.asname:
                imports[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                imports.setdefault(top, top)
        return
    module = node.module or ""
    if node.level == 0 and module:
        modules.add(module.split(".")[0])
    for alias in node.names:
        local = alias.asname or alias.name
        qualified = f"{module}.{alias.name}" if module else alias.name
        if node.level:
            qualified = "." * node.level + qualified
        imports[local] = qualified


def _module_imports(
    statements: list[ast.stmt], imports: dict[str, str], modules: set[str], refs: set[ImportRef] | None = None
) -> None:
    for statement in statements:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            _collect_import(statement, imports, modules, refs)
        elif isinstance(statement, ast.If):
            _module_imports(statement.body, imports, modules, refs)
            _module_imports(statement.orelse, imports, modules, refs)
        elif isinstance(statement, (ast.Try, ast.TryStar)):
            _module_imports(statement.body, imports, modules, refs)
            for handler in statement.handlers:
                _module_imports(handler.body, imports, modules, refs)
            _module_imports(statement.orelse, imports, modules, refs)
            _module_imports(statement.finalbody, imports, modules, refs)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            _module_imports(statement.body, imports, modules, refs)


def _docstring(body: list[ast.stmt]) -> ast.Constant | None:
    if body:
        first = body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            return first.value
    return None


_HOT_TOKENS: dict[str, tuple[str, ...]] = {
    # gate substring -> the tokens it can hide (one str.find per gate on most files)
    "http": ("httpx", "aiohttp", "streamablehttp_client", "streamable_http_client", "httpx_sse"),
    "request": ("requests",),
    "url": ("urllib", "urllib3", "urlopen"),
    "Connection": ("HTTPSConnection", "HTTPConnection"),
    "sse_": ("sse_client",),
    "_sse": ("connect_sse", "aconnect_sse"),
    "sseclient": ("sseclient",),
    "SSE": ("SSEClient",),
    "socket": ("websocket_client", "websockets", "websocket"),
    "MCPClient": ("MultiServerMCPClient",),
    "aiortc": ("aiortc",),
    "a2a": ("a2a",),
    "A2A": ("A2AClient", "A2ACardResolver"),
    "ClientFactory": ("ClientFactory",),
    "environ": ("environ",),
    "getenv": ("getenv",),
    "invoke_agent_runtime_command": ("invoke_agent_runtime_command",),
    "create_engine": ("create_engine",),
}
_CLIENT_TOKENS = (
    "Session",
    "session",
    "Client",
    "AsyncClient",
    "ClientSession",
    "PoolManager",
    "HTTPSConnection",
    "HTTPConnection",
)
_STRUCTURE_TOKENS = ("except", "import", "def", "class")
_TEST_TOKENS = ("side_effect", "add_client_error", "ClientError", "raise", "status", "status_code", "Response")
_PRIVATE_NAMES = re.compile(
    r"\.(?:rds|cache|docdb|redshift|es|aoss|elasticache|memorydb|neptune)\.amazonaws\.com"
    r"|\.(?:internal|local|corp|intranet|lan)\b"
)
_PRIVATE_ADDRESSES = re.compile(
    r"(?<![\d.])(?:10\.\d{1,3}\.\d{1,3}\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d|192\.168\.\d)"
)
_HOT_ROOTS = frozenset(
    {
        "requests",
        "httpx",
        "aiohttp",
        "urllib",
        "urllib3",
        "http",
        "websockets",
        "websocket",
        "httpx_sse",
        "sseclient",
        "aiortc",
        "a2a",
        "mcp",
        "langchain_mcp_adapters",
        "sqlalchemy",
    }
)


def _match_lines(pattern: re.Pattern[str], text: str) -> list[int]:
    """Sorted line numbers (1-based) where ``pattern`` matches."""
    found: list[int] = []
    position = 0
    line = 1
    count = text.count
    for match in pattern.finditer(text):
        start = match.start()
        line += count("\n", position, start)
        position = start
        if not found or found[-1] != line:
            found.append(line)
    return found


def _token_lines(text: str, tokens: Iterable[str], calls: bool = False) -> set[int]:
    """Lines where one of ``tokens`` appears as a whole identifier (``calls``: followed by
    ``(``). Plain ``str.find``: much faster here than one regular expression of
    alternatives.
    """
    found: set[int] = set()
    size = len(text)
    find = text.find
    count = text.count
    for token in tokens:
        position = find(token)
        if position < 0:
            continue
        line = 1
        last = 0
        width = len(token)
        while position >= 0:
            end = position + width
            before = text[position - 1] if position else " "
            after = text[end] if end < size else " "
            if (
                not (before.isalnum() or before == "_")
                and not (after.isalnum() or after == "_")
                and (not calls or text[end : end + 1] == "(")
            ):
                line += count("\n", last, position)
                last = position
                found.add(line)
            position = find(token, end)
    return found


def _spans(lines: list[int], start: int, end: int | None) -> bool:
    """Whether any of the sorted ``lines`` falls in ``start..end``."""
    if not lines:
        return False
    index = bisect_left(lines, start)
    return index < len(lines) and lines[index] <= (end or start)


class _Hot:
    """The lines of a file the analysers look at, found by cheap text scans, so the walk
    only descends into the statements that can matter. Every analyser predicate is
    phrased on these lines, so a full walk and a selective walk collect the same nodes.
    """

    def __init__(self, text: str, role: WalkRole, imports: dict[str, str], module_clients: list[str]) -> None:
        aliases = {
            local
            for local, qualified in imports.items()
            if (qualified.split(".", 1)[0] in _HOT_ROOTS or qualified in ("os.environ", "os.getenv"))
            and local.isidentifier()
        }
        present = [t for gate, tokens in _HOT_TOKENS.items() if gate in text for t in tokens]
        code = _token_lines(text, {*present, *aliases})
        self.code = sorted(code)
        self.code_set = frozenset(code)
        functions = _token_lines(text, _CLIENT_TOKENS, calls=True)
        if module_clients:
            functions |= _token_lines(text, module_clients)
        self.functions = sorted(functions)
        lowered = text.lower()
        gated = any(word in lowered for word in _SECRET_GATES)
        self.secrets = frozenset(_match_lines(_GENERIC_SECRET_HINT, lowered)) if gated else frozenset()
        private: list[int] = []
        if role == "code":
            private = _match_lines(_PRIVATE_NAMES, lowered)
            if "10." in text or "172." in text or "192.168." in text:
                private = sorted({*private, *_match_lines(_PRIVATE_ADDRESSES, text)})
        self.private = private
        self.tests = frozenset(_token_lines(text, _TEST_TOKENS)) if role == "test" else frozenset()
        self.any = sorted({*code, *self.secrets, *private, *self.tests})
        self.structure = sorted({*self.any, *_token_lines(text, _STRUCTURE_TOKENS)})
        """Lines a statement must span to be worth entering: the hot lines plus every
        ``except``, ``import``, ``def`` and ``class``."""

    def statement(self, node: ast.AST) -> bool:
        return _spans(self.any, getattr(node, "lineno", 0), getattr(node, "end_lineno", None))


def _module_clients(statements: list[ast.stmt], imports: dict[str, str]) -> list[str]:
    names: list[str] = []
    for statement in statements:
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Call)
            and dotted_name(statement.value.func, imports) in analysis.HTTP_CLIENTS
        ):
            names.extend(t.id for t in statement.targets if isinstance(t, ast.Name))
    return names


def _derived(node: ast.ClassDef) -> bool:
    """Whether a class names a base class other than ``object``, or class keywords."""
    return any(not (isinstance(b, ast.Name) and b.id == "object") for b in node.bases) or bool(node.keywords)


_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPOUND_TYPES = frozenset(
    {
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.If,
        ast.While,
        ast.For,
        ast.AsyncFor,
        ast.With,
        ast.AsyncWith,
        ast.Try,
        ast.TryStar,
        ast.Match,
    }
)
_SIMPLE_TYPES = frozenset(
    {
        ast.Expr,
        ast.Assign,
        ast.AugAssign,
        ast.AnnAssign,
        ast.Return,
        ast.Raise,
        ast.Assert,
        ast.Delete,
        ast.Pass,
        ast.Break,
        ast.Continue,
        ast.Global,
        ast.Nonlocal,
    }
)


class _Walker:
    """One walk over a file's tree, feeding the syntax index (``legacy``: every node) and
    the code rules' analysers (``analyze``). Without the syntax index, the walk visits
    every statement but descends into expressions only where the text scans found
    something (:class:`_Hot`).
    """

    def __init__(self, tree: ast.Module, text: str | None, role: WalkRole, legacy: bool, analyze: bool) -> None:
        self.tree = tree
        self.role = role
        self.legacy = legacy
        self.analyze = analyze and text is not None
        self.imports: dict[str, str] = {}
        self.modules: set[str] = set()
        self.import_refs: set[ImportRef] = set()
        _module_imports(tree.body, self.imports, self.modules, self.import_refs)
        self.calls: list[CallSite] = []
        self.functions: list[FunctionInfo] = []
        self.strings: list[StringLiteral] = []
        self.stores: list[Store] = []
        self.keyed: list[KeyedAccess] = []
        self.dicts: list[DictLiteral] = []
        self.name_attributes: list[ast.Attribute] = []
        self.function: FunctionInfo | None = None
        self.function_hot = False
        self.classes: list[ast.ClassDef] = []
        self.function_names: list[str] = []
        self.loops: list[ast.For | ast.AsyncFor | ast.While] = []
        self.try_depth = 0
        self.lambda_depth = 0
        # analysis inputs
        self.interesting: list[tuple[ast.Call, FunctionInfo | None]] = []
        self.handlers: list[tuple[ast.ExceptHandler, FunctionInfo | None]] = []
        self.handler_try: dict[int, ast.Try | ast.TryStar] = {}
        """The ``try`` statement of each handler (by the handler's id)."""
        self.env_subscripts: list[tuple[ast.Subscript, FunctionInfo | None]] = []
        self.env_stores: list[tuple[ast.Subscript, FunctionInfo | None]] = []
        self.secret_literals: list[analysis.SecretLiteral] = []
        self.private: list[analysis.Evidence] = []
        self.private_strings: list[tuple[ast.Constant, analysis.Evidence]] = []
        self.injection: list[analysis.Evidence] = []
        self.docstrings: set[int] = set()
        self.hot: _Hot | None = None
        if self.analyze:
            assert text is not None
            self.hot = _Hot(text, role, self.imports, _module_clients(tree.body, self.imports))
        hot = self.hot
        self.tests = hot is not None and role == "test"
        self.code = hot is not None and role != "test"
        self.generic_secrets = hot is not None and bool(hot.secrets)
        self.private_hosts = hot is not None and bool(hot.private)
        self.table = self._dispatch_table()
        self.leaves = _LEAVES if ast.Constant in self.table else _LEAVES | {ast.Constant}
        self.hot_lines: list[int] = hot.any if hot is not None else []
        self.structure_lines: list[int] = hot.structure if hot is not None else []

    def _dispatch_table(self) -> dict[type, Callable[[Any, list[Any]], bool]]:
        """The handler of each node type the walk stops at: the full walk (``legacy``) records
        every call, function, string, store, keyed access, dict display and attribute read; the
        analysers add what their text scans asked for."""
        legacy = self.legacy
        table: dict[type, Callable[[Any, list[Any]], bool]] = {
            _Mark: self._mark,
            ast.FunctionDef: self._function,
            ast.AsyncFunctionDef: self._function,
            ast.ClassDef: self._class,
            ast.Yield: self._yield,
            ast.YieldFrom: self._yield,
            ast.Import: self._import,
            ast.ImportFrom: self._import,
        }
        if legacy or self.code or self.tests:
            table[ast.Call] = self._call
        if legacy:
            table.update(
                {
                    ast.For: self._loop,
                    ast.AsyncFor: self._loop,
                    ast.While: self._loop,
                    ast.Try: self._try,
                    ast.TryStar: self._try,
                    ast.Lambda: self._lambda,
                    ast.Return: self._return,
                    ast.Await: self._await,
                    ast.With: self._with,
                    ast.AsyncWith: self._with,
                    ast.Attribute: self._attribute,
                }
            )
        if legacy or self.private_hosts:
            table[ast.Constant] = self._constant
        if self.code:
            table[ast.ExceptHandler] = self._handler
        if legacy or self.code:
            table[ast.Subscript] = self._subscript
        if legacy or self.generic_secrets or self.tests:
            table[ast.Assign] = self._assign
        if self.generic_secrets or self.tests:
            table[ast.AnnAssign] = self._assign
        if legacy or self.generic_secrets:
            table[ast.Dict] = self._dict
        if self.tests:
            table[ast.Raise] = self._test_node
        return table

    def resolve(self, expr: ast.expr) -> str:
        return dotted_name(expr, self.imports)

    # -- the walks
    def run(self) -> None:
        body = self.tree.body
        doc = _docstring(body)
        if doc is not None:
            self._docstring_of(doc)
            body = body[1:]
        if self.legacy:
            self._walk(list(reversed(body)))
        else:
            self._statements(body)

    def _walk(self, stack: list[Any]) -> None:
        """Every node reachable from ``stack`` (pre-order, source order)."""
        pop = stack.pop
        push = stack.append
        table = self.table
        leaves = self.leaves
        fields_of = CHILD_FIELDS
        while stack:
            node = pop()
            kind = type(node)
            handler = table.get(kind)
            if handler is not None and handler(node, stack):
                continue
            names = fields_of.get(kind)
            if names is None:
                names = child_fields(kind)
            for name in names:
                value = getattr(node, name)
                if value is None:
                    continue
                if type(value) is list:
                    for child in reversed(value):
                        if child is not None and type(child) not in leaves:
                            push(child)
                elif type(value) not in leaves:
                    push(value)

    def _expressions(self, nodes: Iterable[ast.AST | None]) -> None:
        hot = self.hot
        assert hot is not None
        chosen = [n for n in nodes if n is not None and (self.function_hot or hot.statement(n))]
        if chosen:
            chosen.reverse()
            self._walk(chosen)

    def _statements(self, body: list[ast.stmt]) -> None:
        """The selective walk: every statement, expressions only where they can matter."""
        structure = self.structure_lines
        for statement in body:
            kind = type(statement)
            if kind in _SIMPLE_TYPES:
                if self.function_hot or _spans(self.hot_lines, statement.lineno, statement.end_lineno):
                    self._walk([statement])
                continue
            if kind is ast.Import or kind is ast.ImportFrom:
                _collect_import(statement, self.imports, self.modules, self.import_refs)  # type: ignore[arg-type]
                continue
            # a block with no hot line and no except/import/def/class inside holds nothing to see
            inside = _spans(structure, statement.lineno + 1, statement.end_lineno)
            if kind in _FUNCTION_TYPES:
                self._selective_function(statement, inside)  # type: ignore[arg-type]
                continue
            if not inside and not self.function_hot and not _spans(self.hot_lines, statement.lineno, statement.lineno):
                continue
            if kind is ast.ClassDef:
                node: Any = statement
                self._expressions([*node.decorator_list, *node.bases, *node.keywords])
                self.classes.append(node)
                inner = node.body
                if _docstring(inner) is not None:
                    inner = inner[1:]
                self._statements(inner)
                self.classes.pop()
            elif kind in (ast.If, ast.While):
                node = statement
                self._expressions([node.test])
                self._statements(node.body)
                self._statements(node.orelse)
            elif kind in (ast.For, ast.AsyncFor):
                node = statement
                self._expressions([node.target, node.iter])
                self._statements(node.body)
                self._statements(node.orelse)
            elif kind in (ast.With, ast.AsyncWith):
                node = statement
                self._expressions([part for item in node.items for part in (item.context_expr, item.optional_vars)])
                self._statements(node.body)
            elif kind in (ast.Try, ast.TryStar):
                node = statement
                self._statements(node.body)
                for handler in node.handlers:
                    if self.code:
                        self.handlers.append((handler, self.function))
                        self.handler_try[id(handler)] = node
                    self._expressions([handler.type])
                    self._statements(handler.body)
                self._statements(node.orelse)
                self._statements(node.finalbody)
            elif kind is ast.Match:
                node = statement
                self._expressions([node.subject])
                for case in node.cases:
                    self._expressions([case.pattern, case.guard])
                    self._statements(case.body)

    def _new_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionInfo:
        resolve = self.resolve
        owner = self.classes[-1] if self.classes else None
        class_name = owner.name if owner is not None else None
        decorators = (
            tuple(resolve(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list)
            if node.decorator_list
            else ()
        )
        info = FunctionInfo(
            name=node.name,
            qualname=".".join([*self.function_names, *([class_name] if class_name else []), node.name]),
            node=node,
            decorators=decorators,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            is_generator=False,
            line=node.lineno,
            class_name=class_name,
            in_derived_class=owner is not None and _derived(owner),
        )
        self.functions.append(info)
        if self.generic_secrets:
            self._param_defaults(node)
        return info

    def _hot_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        return self.hot is not None and _spans(self.hot.functions, node.lineno, node.end_lineno)

    def _selective_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, inside: bool) -> None:
        info = self._new_function(node)
        args = node.args
        self._expressions([*node.decorator_list, *args.defaults, *args.kw_defaults])
        hot = self._hot_function(node)
        if not (inside or hot or self.function_hot):
            return
        saved = (self.function, self.function_hot)
        self.function, self.function_hot = info, hot
        self.function_names.append(node.name)
        body = node.body
        if _docstring(body) is not None:
            body = body[1:]
        self._statements(body)
        self.function_names.pop()
        self.function, self.function_hot = saved

    def _docstring_of(self, node: ast.Constant) -> None:
        self.docstrings.add(id(node))
        if self.legacy:
            self.strings.append(StringLiteral(str(node.value), node.lineno, node.col_offset, True, self.function))

    # -- context (full walk)
    def _mark(self, mark: _Mark, stack: list[Any]) -> bool:
        kind = mark.kind
        if kind == _ENTER_FUNCTION:
            info = mark.data
            self.function = info
            self.function_hot = self._hot_function(info.node)
            self.function_names.append(info.name)
            self.loops = []
            self.try_depth = 0
        elif kind == _EXIT_FUNCTION:
            self.function, self.function_hot, self.loops, self.try_depth = mark.data
            self.function_names.pop()
        elif kind == _ENTER_CLASS:
            self.classes.append(mark.data)
        elif kind == _EXIT_CLASS:
            self.classes.pop()
        elif kind == _ENTER_LOOP:
            self.loops.append(mark.data)
        elif kind == _EXIT_LOOP:
            self.loops.pop()
        elif kind == _ENTER_TRY:
            self.try_depth += 1
        elif kind == _EXIT_TRY:
            self.try_depth -= 1
        elif kind == _ENTER_LAMBDA:
            self.lambda_depth += 1
        elif kind == _EXIT_LAMBDA:
            self.lambda_depth -= 1
        return True

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, stack: list[Any]) -> bool:
        info = self._new_function(node)
        stack.append(_Mark(_EXIT_FUNCTION, (self.function, self.function_hot, self.loops, self.try_depth)))
        body = node.body
        doc = _docstring(body)
        if doc is not None:
            body = body[1:]
        stack.extend(reversed(body))
        stack.append(_Mark(_ENTER_FUNCTION, info))
        args = node.args
        outer = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
        stack.extend(reversed(outer))
        if doc is not None:
            self.docstrings.add(id(doc))
            if self.legacy:
                self.strings.append(StringLiteral(str(doc.value), doc.lineno, doc.col_offset, True, info))
        return True

    def _class(self, node: ast.ClassDef, stack: list[Any]) -> bool:
        stack.append(_Mark(_EXIT_CLASS))
        body = node.body
        doc = _docstring(body)
        if doc is not None:
            self._docstring_of(doc)
            body = body[1:]
        stack.extend(reversed(body))
        stack.append(_Mark(_ENTER_CLASS, node))
        outer: list[ast.AST] = [*node.decorator_list, *node.bases, *node.keywords]
        stack.extend(reversed(outer))
        return True

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, stack: list[Any]) -> bool:
        stack.extend(reversed(node.orelse))
        stack.append(_Mark(_EXIT_LOOP))
        stack.extend(reversed(node.body))
        stack.append(_Mark(_ENTER_LOOP, node))
        if isinstance(node, ast.While):
            stack.append(node.test)
        else:
            stack.append(node.iter)
            stack.append(node.target)
        return True

    def _try(self, node: ast.Try | ast.TryStar, stack: list[Any]) -> bool:
        for handler in node.handlers:
            self.handler_try[id(handler)] = node
        stack.extend(reversed(node.finalbody))
        stack.extend(reversed(node.orelse))
        stack.extend(reversed(node.handlers))
        stack.append(_Mark(_EXIT_TRY))
        stack.extend(reversed(node.body))
        stack.append(_Mark(_ENTER_TRY))
        return True

    def _lambda(self, node: ast.Lambda, stack: list[Any]) -> bool:
        """Keyword-only defaults, defaults, body: the order of the lambda's fields, so the calls
        keep the order a plain walk gives them; the defaults run where the lambda is written."""
        args = node.args
        stack.append(_Mark(_EXIT_LAMBDA))
        stack.append(node.body)
        stack.append(_Mark(_ENTER_LAMBDA))
        stack.extend(reversed(args.defaults))
        stack.append(_Mark(_EXIT_LAMBDA))
        stack.extend(reversed([d for d in args.kw_defaults if d is not None]))
        stack.append(_Mark(_ENTER_LAMBDA))
        return True

    def _return(self, node: ast.Return, stack: list[Any]) -> bool:
        if self.function is not None:
            self.function.returns.append(node)
        return False

    def _await(self, node: ast.Await, stack: list[Any]) -> bool:
        if self.function is not None and not self.lambda_depth:
            self.function.awaits.append(node)
        return False

    def _with(self, node: ast.With | ast.AsyncWith, stack: list[Any]) -> bool:
        if self.function is not None:
            self.function.withs.append(node)
        return False

    # -- nodes
    def _call(self, node: ast.Call, stack: list[Any]) -> bool:
        func = node.func
        if self.legacy:
            kind = type(func)
            if kind is ast.Attribute and type(func.value) is ast.Name:  # type: ignore[attr-defined]
                # what dotted_name gives, without its loop: most calls are ``name.attr(...)``
                head = func.value.id  # type: ignore[attr-defined]
                attr = func.attr  # type: ignore[attr-defined]
                name = f"{self.imports.get(head, head)}.{attr}"
            else:
                name = dotted_name(func, self.imports)
                attr = name.rsplit(".", 1)[-1]
            self.calls.append(
                CallSite(
                    name=name,
                    attr=attr,
                    node=node,
                    line=node.lineno,
                    col=node.col_offset,
                    function=self.function,
                    loops=tuple(self.loops),
                    in_try=self.try_depth > 0,
                    in_lambda=self.lambda_depth > 0,
                )
            )
        hot = self.hot
        if hot is None:
            return False
        if self.code:
            if self.function_hot or node.lineno in hot.code_set:
                kind = type(func)
                attr = func.attr if kind is ast.Attribute else (func.id if kind is ast.Name else None)  # type: ignore[attr-defined]
                if attr is not None and attr in analysis.INTEREST_ATTRS:
                    self.interesting.append((node, self.function))
            if self.generic_secrets and node.keywords:
                for keyword in node.keywords:
                    if keyword.arg is not None and keyword.value.lineno in hot.secrets:
                        found = analysis.generic_secret(keyword.arg, keyword.value, keyword.value.lineno, "argument")
                        if found:
                            self.secret_literals.append(found)
        elif self.tests and node.lineno in hot.tests:
            evidence = analysis.error_injection(node, self.resolve, True)
            if evidence:
                self.injection.append(analysis.Evidence("injection", evidence, node.lineno))
        return False

    def _attribute(self, node: ast.Attribute, stack: list[Any]) -> bool:
        if type(node.value) is ast.Name and type(node.ctx) is ast.Load:
            self.name_attributes.append(node)
        return False

    def _yield(self, node: ast.Yield | ast.YieldFrom, stack: list[Any]) -> bool:
        function = self.function
        if function is not None:
            if not function.is_generator:
                object.__setattr__(function, "is_generator", True)
            if self.legacy and not self.lambda_depth:
                function.yields.append(node)
        return False

    def _import(self, node: ast.Import | ast.ImportFrom, stack: list[Any]) -> bool:
        _collect_import(node, self.imports, self.modules, self.import_refs)
        return True

    def _constant(self, node: ast.Constant, stack: list[Any]) -> bool:
        value = node.value
        if type(value) is str and id(node) not in self.docstrings:
            if self.legacy:
                self.strings.append(StringLiteral(value, node.lineno, node.col_offset, False, self.function))
            hot = self.hot
            if (
                self.private_hosts
                and hot is not None
                and _spans(hot.private, node.lineno, node.end_lineno)
                and any(h in value for h in analysis.PRIVATE_HINTS)
            ):
                host = analysis.private_host(value)
                if host:
                    self.private_strings.append((node, analysis.Evidence("host", host, node.lineno)))
        return True

    def _handler(self, node: ast.ExceptHandler, stack: list[Any]) -> bool:
        if self.legacy:
            self.handlers.append((node, self.function))
        return False

    def _subscript(self, node: ast.Subscript, stack: list[Any]) -> bool:
        if self.legacy:
            key: Any = node.slice
            if type(key) is ast.Constant and type(key.value) is str:
                self.keyed.append(KeyedAccess(node, key.value))
        value: Any = node.value
        kind = type(value)
        if (kind is ast.Attribute and value.attr == "environ") or (
            kind is ast.Name and (value.id == "environ" or self.imports.get(value.id) == "os.environ")
        ):
            hot = self.hot
            if hot is not None and node.lineno in hot.code_set:
                if type(node.ctx) is ast.Load:
                    self.env_subscripts.append((node, self.function))
                elif type(node.ctx) is ast.Store:
                    self.env_stores.append((node, self.function))
        return False

    def _assign(self, node: ast.Assign | ast.AnnAssign, stack: list[Any]) -> bool:
        value = node.value
        if self.legacy and type(node) is ast.Assign:
            for target in node.targets:
                kind = type(target)
                if kind is ast.Attribute or kind is ast.Subscript:
                    self.stores.append(Store(target, node.value, node.lineno, self.function))  # type: ignore[arg-type]
        hot = self.hot
        if hot is None:
            return False
        if (
            self.generic_secrets
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and node.lineno in hot.secrets
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = _target_name(target)
                if name:
                    found = analysis.generic_secret(name, value, node.lineno, "assignment")
                    if found:
                        self.secret_literals.append(found)
        if self.tests:
            self._test_node(node, stack)
        return False

    def _dict(self, node: ast.Dict, stack: list[Any]) -> bool:
        if self.legacy:
            for key in node.keys:
                if type(key) is ast.Constant and type(key.value) is str:
                    self.dicts.append(DictLiteral(node))
                    break
        hot = self.hot
        if not self.generic_secrets or hot is None:
            return False
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.lineno in hot.secrets:
                found = analysis.generic_secret(key.value, value, value.lineno, "dict entry")
                if found:
                    self.secret_literals.append(found)
        return False

    def _param_defaults(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        hot = self.hot
        assert hot is not None
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        pairs = [
            *zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True),
            *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None),
        ]
        for arg, default in pairs:
            if default.lineno in hot.secrets:
                found = analysis.generic_secret(arg.arg, default, default.lineno, "default value")
                if found:
                    self.secret_literals.append(found)

    def _test_node(self, node: ast.AST, stack: list[Any]) -> bool:
        hot = self.hot
        line = getattr(node, "lineno", 0)
        if hot is None or line not in hot.tests:
            return False
        in_test = bool(self.function_names) and self.function_names[0].startswith("test")
        evidence = analysis.error_injection(node, self.resolve, in_test)
        if evidence:
            self.injection.append(analysis.Evidence("injection", evidence, line))
        return False


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        value = target.slice.value
        return value if isinstance(value, str) else None
    return None


def _suppressions(text: str, facts: FileFacts) -> None:
    if "agentcore-readiness" not in text:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        match = SUPPRESS.search(line)
        if match:
            codes = {c.strip().upper() for c in match.group(1).split(",") if c.strip()}
            reason = match.group(2).strip(" \t-:—#")
            (facts.suppressions if reason else facts.unreasoned)[number] = codes


def _build(
    tree: ast.Module, lines: list[str], *, legacy: bool, analyze: bool, role: WalkRole, text: str | None = None
) -> _Built:
    walker = _Walker(tree, text, role, legacy, analyze)
    try:
        walker.run()
    finally:
        walker.table = {}  # its bound methods point back at the walker: no cycle may keep the tree alive
    count = len(lines) if lines or text is None else text.count("\n") + (0 if text.endswith("\n") else 1)
    facts = FileFacts(imports=walker.imports, imported_modules=walker.modules, line_count=count)
    refs = sorted(walker.import_refs, key=_ref_key)
    if analyze:
        assert text is not None
        _analyze(walker, facts, text, refs)
    if legacy:
        walker.strings.sort(key=lambda s: (s.line, s.col))
    syntax = _Syntax(
        tree,
        lines,
        walker.calls,
        walker.functions,
        walker.strings,
        walker.stores,
        walker.keyed,
        walker.dicts,
        refs if legacy else [],
        walker.name_attributes,
    )
    return _Built(syntax, facts)


def _is_tool(decorator: str) -> bool:
    last = decorator.rsplit(".", 1)[-1]
    return last in ("tool", "function_tool")


def _analyze(walker: _Walker, facts: FileFacts, text: str, refs: list[ImportRef]) -> None:
    """The code rules' per-file facts, from the walk's collected nodes (``refs``: its imports, by line)."""
    _suppressions(text, facts)
    facts.signals = collect_signals(walker.tree, text, walker.imports, walker.modules, refs, walker.resolve)
    facts.secrets = secret_patterns.scan_known_formats(text)
    facts.secret_literals = walker.secret_literals
    if walker.tests:
        facts.error_injection = walker.injection
        return
    resolve = walker.resolve
    ctx = _context(walker.tree, walker.imports, resolve)
    agent = walker.role == "code"
    facts.private = walker.private
    if walker.private_strings:
        use = net_hosts.HostUse(walker.tree, walker.resolve)
        facts.private.extend(
            evidence
            for node, evidence in walker.private_strings
            if not net_hosts.public_endpoint(evidence.detail) and use.connects(node)
        )
    kinds: dict[int, str] = {}
    if agent:
        _request_handlers(walker, facts, ctx, text, kinds)
    _decorated(walker, facts, ctx, kinds)
    if agent:
        _handlers_imports_classes(walker, facts, kinds)
    stores = _interesting_calls(walker, facts, ctx)
    for subscript, owner in walker.env_subscripts:
        node = owner.node if owner is not None else None
        env = analysis.env_name(subscript, ctx.scope(node))
        if env and agent and secret_patterns.is_secret_env_name(env):
            facts.env_reads.append(analysis.EnvRead(env, subscript.lineno, subscript.col_offset))
    if agent:
        _env_writes(walker, ctx, facts, stores, text)
    facts.private.sort(key=lambda e: e.line)
    facts.rate_limits.sort(key=lambda e: e.line)
    facts.env_reads.sort(key=lambda e: (e.line, e.col))


def _decorated(walker: _Walker, facts: FileFacts, ctx: analysis.FileContext, kinds: dict[int, str]) -> None:
    """Functions by their decorators: identity providers, tools (and their issues), rate limits."""
    agent = walker.role == "code"
    module_clients: set[str] | None = None
    for info in walker.functions:
        if not info.decorators:
            if agent and analysis.rate_limit_name(info.name):
                facts.rate_limits.append(analysis.Evidence("function", info.name, info.line))
            continue
        scope = ctx.scope(info.node)
        for decorator_node, decorator in zip(info.node.decorator_list, info.decorators, strict=True):
            if decorator.endswith(("requires_api_key", "requires_access_token")):
                facts.providers.append(analysis.provider_use(decorator_node, decorator, info.node, scope))
            elif agent and _is_tool(decorator):
                kinds[id(info.node)] = "tool"
                facts.tools.append(info.name)
                if module_clients is None:
                    module_clients = analysis.module_client_names(ctx.module_values, walker.resolve)
                issue = analysis.analyze_tool(info.node, module_clients, ctx)
                if issue:
                    facts.tool_issues.append(issue)
            elif agent and analysis.rate_limit_name(decorator):
                facts.rate_limits.append(analysis.Evidence("decorator", "@" + decorator, decorator_node.lineno))


def _handlers_imports_classes(walker: _Walker, facts: FileFacts, kinds: dict[int, str]) -> None:
    """Agent code: exception handlers' issues, rate-limit and database-driver imports,
    rate-limit classes."""
    for handler, owner in walker.handlers:
        kind = kinds.get(id(owner.node)) if owner is not None else None
        facts.handler_issues.extend(
            analysis.analyze_handler(
                handler,
                owner.qualname if owner else None,
                kind,
                walker.resolve,
                walker.handler_try.get(id(handler)),
            )
        )
    for module in sorted(walker.modules):
        if module in analysis.RATE_LIMIT_MODULES:
            facts.rate_limits.append(analysis.Evidence("import", module, _import_line(walker.tree, module)))
        if module in analysis.DB_DRIVERS:
            facts.private.append(
                analysis.Evidence("driver", analysis.DB_DRIVERS[module], _import_line(walker.tree, module))
            )
    for statement in walker.tree.body:
        if isinstance(statement, ast.ClassDef) and analysis.rate_limit_name(statement.name):
            facts.rate_limits.append(analysis.Evidence("class", statement.name, statement.lineno))


def _interesting_calls(
    walker: _Walker, facts: FileFacts, ctx: analysis.FileContext
) -> list[tuple[ast.expr, ast.AST | None, str]]:
    """Environment reads and defaults, runtime commands, database engines and HTTP calls;
    returns the ``os.environ.setdefault`` stores for :func:`_env_writes`."""
    agent = walker.role == "code"
    resolve = walker.resolve
    http_sites: list[tuple[ast.Call, Any, tuple[str, ...]]] = []
    stores: list[tuple[ast.expr, ast.AST | None, str]] = []
    for call, owner in walker.interesting:
        name = resolve(call.func)
        attr = name.rsplit(".", 1)[-1]
        node = owner.node if owner is not None else None
        if name in _ENV_CALLS:
            scope = ctx.scope(node)
            env = analysis.env_name(call, scope)
            if env and agent and attr == "setdefault" and len(call.args) > 1:
                stores.append((call.args[1], node, env))
            elif env and agent and secret_patterns.is_secret_env_name(env):
                facts.env_reads.append(analysis.EnvRead(env, call.lineno, call.col_offset))
            if env and len(call.args) > 1:
                default = analysis.generic_secret(env, call.args[1], call.lineno, "environment default")
                if default:
                    facts.secret_literals.append(default)
        elif attr == "invoke_agent_runtime_command":
            facts.commands.append(analysis.analyze_command(call, node, ctx))
        elif attr == "create_engine" and agent:
            url = analysis.fold(call.args[0] if call.args else None, ctx.scope(node))
            if not url.text.startswith("sqlite"):
                facts.private.append(analysis.Evidence("driver", "SQLAlchemy engine", call.lineno))
        else:
            http_sites.append((call, node, owner.decorators if owner is not None else ()))
    if http_sites:
        facts.http_calls = analysis.analyze_http(http_sites, ctx)
    return stores


def _env_writes(
    walker: _Walker,
    ctx: analysis.FileContext,
    facts: FileFacts,
    stores: list[tuple[ast.expr, ast.AST | None, str]],
    text: str,
) -> None:
    """Environment writes and vault fetches (SEC002 tells a configured secret from one the
    runtime's code loaded itself)."""
    for subscript, owner in walker.env_stores:
        node = owner.node if owner is not None else None
        env = analysis.env_name(subscript, ctx.scope(node))
        if env:
            stores.append((subscript, node, env))
    if any(call in text for call in env_secrets.VAULT_CALLS):
        facts.vault_line = env_secrets.calls_vault([walker.tree], walker.resolve)
    if stores:
        helpers = {name.rsplit(".", 1)[-1]: function for name, function in ctx.functions.items()}
        facts.env_writes = env_secrets.env_writes(walker.tree, stores, helpers, walker.resolve)


def _request_handlers(
    walker: _Walker, facts: FileFacts, ctx: analysis.FileContext, text: str, kinds: dict[int, str]
) -> None:
    """The file's request handlers (:mod:`~agentcore_readiness.analysis.request_handlers`), each
    with its guard and payload facts; their except handlers are judged as a handler's."""
    defined = [
        request_handlers.DefinedFunction(info.node, info.qualname, info.class_name, info.decorators)
        for info in walker.functions
    ]
    for function, spec in request_handlers.find_handlers(walker.tree, text, defined, ctx.module_values, walker.resolve):
        node = function.node
        generator = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in analysis.own_nodes(node.body))
        found = analysis.analyze_entrypoint(
            node, generator, ctx, kind=spec.kind, app=spec.app, qualname=function.qualname, payload=spec.payload
        )
        if spec.body_model is not None:
            found = replace(
                found,
                whole_validated=f"the web framework parses the body into {spec.body_model}",
                whole_model=spec.body_model,
            )
        facts.entrypoints.append(found)
        kinds[id(node)] = "entrypoint"


def _ref_key(ref: ImportRef) -> tuple[int, int, str, tuple[str, ...]]:
    return (ref.line, ref.level, ref.module, ref.names)


def _import_line(tree: ast.Module, module: str) -> int:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == module for a in node.names):
            return node.lineno
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == module:
            return node.lineno
    return 1


def parse_file(path: str, text: str, role: Role = "runtime", runtime: str | None = None) -> PyFile:
    """Parse and index one file's text, as a file of ``role`` (of ``runtime``).
    Raises SyntaxError (or ValueError) when it does not parse.
    """
    tree = parse_module(text, path)
    lines = text.splitlines()
    walk_role: WalkRole = "test" if role == "test" else "code"
    built = _build(tree, lines, legacy=True, analyze=True, role=walk_role, text=text)
    place = FileRole(role=role, roles=frozenset({role}), runtimes=(runtime,) if runtime else ())
    return PyFile(path, place, syntax=built.syntax, facts=built.facts)


def _parse_error(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        hint = ""
        message = exc.msg or "invalid syntax"
        if "Missing parentheses in call to" in message or "must be parenthesized" in message:
            hint = "; Python 2 code?"
        return f"does not parse as Python 3 (line {exc.lineno}: {message}{hint})"
    return f"does not parse as Python 3 ({type(exc).__name__})"


# ---------------------------------------------------------------------------
# Building the index


@dataclass(frozen=True)
class _Entry:
    path: str
    rel: str
    role: WalkRole
    size: int
    plain: bool = False
    """A regular file, not a symlink (its containment needs no resolving)."""


def is_test_path(rel: str) -> bool:
    """Whether a project-relative path is test code (under ``tests/``, ``test_*.py``, ``*_test.py``, ``conftest.py``)."""
    return _is_test_path(rel)


def _is_test_path(rel: str) -> bool:
    parts = rel.split("/")
    name = parts[-1]
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _entries(project: ProjectFacts, max_files: int, skipped: list[SkippedFile]) -> list[_Entry]:
    root = project.root
    excludes = project.settings.exclude
    found: list[_Entry] = []
    walk = walk_tree(root, root, (".py",), max_files=max_files)
    skipped.extend(SkippedFile(path, reason) for path, reason in walk.skipped)
    for path in walk.files:
        rel = rel_posix(root, path)
        if rel.startswith(_EXCLUDED_TOP) or any(_glob_match(rel, pattern) for pattern in excludes):
            continue
        role: WalkRole = "test" if _is_test_path(rel) else "code"
        try:
            status = path.lstat()
            size, plain = status.st_size, stat.S_ISREG(status.st_mode)
        except OSError:
            size, plain = 0, False
        found.append(_Entry(str(path), rel, role, size, plain))
    return found


def _read_source(root: Path, entry: _Entry) -> str:
    """The file's text. A regular file found by the walk (which never follows a
    symlinked directory) is inside the project, so it is read without resolving its
    path; anything else goes through :func:`~agentcore_readiness.facts.files.read_text`.
    Both refuse FIFOs and devices and apply the same size, binary and encoding checks.
    """
    if not entry.plain:
        return read_text(root, Path(entry.path), SOURCE_MAX_BYTES, count=True).text
    return decode_text(read_file_bytes(Path(entry.path), entry.rel, SOURCE_MAX_BYTES, count=True), entry.rel)


def _analyze_one(root: Path, entry: _Entry, legacy: bool) -> tuple[_Entry, _Built | str]:
    try:
        text = _read_source(root, entry)
    except FileReadError as exc:
        return entry, exc.message
    try:
        tree = parse_module(text, entry.rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return entry, _parse_error(exc)
    try:
        built = _build(
            tree, text.splitlines() if legacy else [], legacy=legacy, analyze=True, role=entry.role, text=text
        )
    except RecursionError:
        return entry, "is nested too deeply to analyse"
    return entry, built


def _analyze_batch(root: str, entries: list[_Entry]) -> list[tuple[str, FileFacts | str]]:
    """Worker: analyse a batch of files; return each file's facts or why it was skipped."""
    results: list[tuple[str, FileFacts | str]] = []
    with paused_gc():
        base = Path(root)
        for entry in entries:
            _, outcome = _analyze_one(base, entry, legacy=False)
            results.append((entry.rel, outcome.facts if isinstance(outcome, _Built) else outcome))
    return results


def _workers() -> int:
    if os.environ.get("AGENTCORE_READINESS_CODE_WORKERS") == "1":
        return 1  # a project worker of a folder review: the cores are busy with other projects
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _batches(entries: list[_Entry], count: int) -> list[list[_Entry]]:
    """Split into ``count`` batches of similar total size (largest files first)."""
    bins: list[list[_Entry]] = [[] for _ in range(count)]
    sizes = [0] * count
    for entry in sorted(entries, key=lambda e: -e.size):
        smallest = sizes.index(min(sizes))
        bins[smallest].append(entry)
        sizes[smallest] += entry.size + 2048
    return [b for b in bins if b]


def _worker_main() -> None:
    """Entry point of a worker process: read ``(root, entries)`` pickled on stdin, write
    the per-file results pickled on stdout.
    """
    import pickle

    root, entries = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - written by our own parent process
    results = _analyze_batch(root, entries)
    sys.stdout.buffer.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


_WORKER_CODE = "import sys; sys.path[:0] = sys.argv[1:]; from agentcore_readiness.facts.code.index import _worker_main; _worker_main()"


def _parallel(root: Path, entries: list[_Entry], workers: int) -> list[tuple[str, FileFacts | str]] | None:
    """Analyse ``entries`` in ``workers`` fresh interpreter processes (plain subprocesses
    with pickled batches on their pipes: nothing of this process, its threads or its
    ``__main__`` is inherited or re-run). ``None`` when workers cannot be started.
    """
    import pickle

    # the directory holding the agentcore_readiness package: one level up per dotted part
    package_root = str(Path(__file__).resolve().parents[len(__name__.split(".")) - 1])
    batches = _batches(entries, workers)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for batch in batches:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed argv
                [sys.executable, "-c", _WORKER_CODE, package_root],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            processes.append(process)
            assert process.stdin is not None
            process.stdin.write(pickle.dumps((str(root), batch), protocol=pickle.HIGHEST_PROTOCOL))
            process.stdin.close()
            process.stdin = None  # communicate() must not flush it again
        results: list[tuple[str, FileFacts | str]] = []
        for process in processes:
            data = _worker_output(process)
            if process.returncode != 0 or not data:
                return None
            results.extend(pickle.loads(data))  # noqa: S301 - written by our own worker process
        return results
    except (OSError, ValueError, pickle.UnpicklingError, EOFError):
        return None
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def _worker_output(process: subprocess.Popen[bytes]) -> bytes:
    """A worker's whole output, waiting in short steps so that a spent budget or a
    cancelled request stops the wait (:class:`~agentcore_readiness.budget.BudgetSpent`;
    the caller kills the workers)."""
    while True:
        try:
            data, _ = process.communicate(timeout=0.2)
            return data or b""
        except subprocess.TimeoutExpired:
            budget.check()


MAX_FILES = 50_000
"""Python files indexed per project at most; the rest is reported as not reviewed."""


def build_code_index(project: ProjectFacts, max_files: int | None = None, *, workers: int | None = None) -> CodeIndex:
    """Index the project's Python files (at most ``max_files``, default :data:`MAX_FILES`):
    sequentially for small projects, in worker processes (``workers``, default: the usable
    cores) for large trees.
    """
    root = project.root
    skipped: list[SkippedFile] = []
    entries = _entries(project, max_files if max_files is not None else MAX_FILES, skipped)
    incomplete = [f"{s.path}: {s.reason}" for s in skipped]
    count = workers if workers is not None else _workers()
    total = sum(e.size for e in entries)
    use_pool = count > 1 and len(entries) >= PARALLEL_MIN_FILES and total >= PARALLEL_MIN_BYTES
    if use_pool:
        entries, over = _within_budget(entries)
        if over:
            incomplete.append(over)
    files: list[PyFile] = []
    by_rel = {e.rel: e for e in entries}
    outcomes: list[tuple[str, FileFacts | str]] | None = None
    if use_pool:
        try:
            outcomes = _parallel(root, entries, count)
        except budget.BudgetSpent as spent:
            incomplete.append(f"{spent.reason}: none of the {len(entries):,} Python files was reviewed")
            return CodeIndex(files=(), skipped=tuple(skipped), incomplete=tuple(incomplete))
    with paused_gc():
        if outcomes is not None:
            for rel, outcome in sorted(outcomes, key=lambda item: item[0]):
                entry = by_rel[rel]
                if isinstance(outcome, str):
                    skipped.append(SkippedFile(rel, outcome))
                else:
                    files.append(PyFile(rel, _UNPLACED, facts=outcome, source=_reader(root, entry)))
        else:
            for done, entry in enumerate(entries):
                try:
                    _, built = _analyze_one(root, entry, legacy=True)
                except budget.BudgetSpent as spent:
                    incomplete.append(f"{spent.reason}: {len(entries) - done:,} Python files were not reviewed")
                    break
                if isinstance(built, str):
                    skipped.append(SkippedFile(entry.rel, built))
                    continue
                place = _TEST if entry.role == "test" else _UNPLACED
                files.append(PyFile(entry.rel, place, syntax=built.syntax, facts=built.facts))
    incomplete.extend(f"{s.path}: {s.reason}" for s in skipped if s.reason.startswith(UNREADABLE))
    runtime_starts = runtime_entries(project)
    places = assign_roles(
        [e.rel for e in entries],
        {f.path: f.facts.signals for f in files},
        runtime_starts,
        test_paths=[e.rel for e in entries if e.role == "test"],
        target_dirs=project.tool_code_locations,
    )
    for py_file in files:
        py_file.place = places[py_file.path]
    skipped = [SkippedFile(s.path, s.reason, places.get(s.path)) for s in skipped]
    return CodeIndex(
        files=tuple(files),
        skipped=tuple(skipped),
        parallel=outcomes is not None,
        entries=tuple(runtime_starts),
        incomplete=tuple(dict.fromkeys(incomplete)),
    )


def _within_budget(entries: list[_Entry]) -> tuple[list[_Entry], str | None]:
    """The entries the request's file and byte budget covers (charged now, since worker
    processes read them outside it), and what was left out."""
    current = budget.current()
    if current is None:
        return entries, None
    for index, entry in enumerate(entries):
        try:
            current.charge(files=1, size=entry.size)
        except budget.BudgetSpent as spent:
            return entries[:index], f"{spent.reason}: {len(entries) - index:,} Python files were not reviewed"
    return entries, None


def _reader(root: Path, entry: _Entry) -> Callable[[], str]:
    def read() -> str:
        return read_text(root, Path(entry.path), SOURCE_MAX_BYTES).text

    return read


def _glob_match(rel: str, pattern: str) -> bool:
    from fnmatch import fnmatch

    pattern = pattern.strip().rstrip("/")
    return fnmatch(rel, pattern) or rel.startswith(pattern + "/") or fnmatch(rel, pattern + "/*")


def code_root(project: ProjectFacts, code_location: str) -> Path:
    return project.root if code_location == "." else project.root / code_location


def _walk_own_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """Nodes of a function's body, not descending into nested functions, classes or lambdas."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)

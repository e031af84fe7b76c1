"""The code index: every Python file of a project parsed once, walked once.

Each code rule queries this index (calls with their resolved names and enclosing
function and loops, function definitions with resolved decorators, imports, string
literals, module-level statements) instead of reading or parsing files itself.

Which files: each runtime's ``codeLocation`` is *agent* code; other Python files of the
project (scripts that invoke a runtime, for example) are *caller* code; files under
``tests/`` or named ``test_*.py`` are *test* code. Virtualenvs, VCS and build
directories, the CDK app and files that leave the project through a symlink are never
read. Huge, binary, undecodable and unparsable files are listed as skipped, with the
reason, and the rest is indexed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from agentcore_readiness.facts.files import SOURCE_MAX_BYTES, FileReadError, read_text, rel_posix, walk_files
from agentcore_readiness.facts.project import ProjectFacts

Role = Literal["agent", "caller", "test"]

_SUPPRESS = re.compile(r"#\s*agentcore-readiness:\s*ignore\[([A-Z0-9,\s]+)\]")
_EXCLUDED_TOP = ("agentcore/cdk/", "agentcore/.cli/", ".bedrock_agentcore/")


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

    @property
    def params(self) -> list[str]:
        args = self.node.args
        return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


@dataclass(frozen=True, eq=False)
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

    @property
    def keywords(self) -> dict[str, ast.expr]:
        return {kw.arg: kw.value for kw in self.node.keywords if kw.arg is not None}

    @property
    def module_level(self) -> bool:
        return self.function is None


@dataclass(frozen=True, eq=False)
class StringLiteral:
    value: str
    line: int
    col: int
    is_docstring: bool
    function: FunctionInfo | None


@dataclass(eq=False)
class PyFile:
    path: str
    """Project-relative, ``/``-separated."""
    role: Role
    runtime: str | None
    tree: ast.Module
    lines: list[str]
    imports: dict[str, str] = field(default_factory=dict)
    """Local name -> fully qualified name (``np`` -> ``numpy``, ``uuid4`` -> ``uuid.uuid4``)."""
    imported_modules: set[str] = field(default_factory=set)
    """Top-level module names imported anywhere in the file."""
    calls: list[CallSite] = field(default_factory=list)
    functions: list[FunctionInfo] = field(default_factory=list)
    strings: list[StringLiteral] = field(default_factory=list)
    suppressions: dict[int, set[str]] = field(default_factory=dict)

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def suppressed(self, rule: str, line: int | None) -> bool:
        return line is not None and rule in self.suppressions.get(line, ())

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


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class CodeIndex:
    files: tuple[PyFile, ...]
    skipped: tuple[SkippedFile, ...]

    def of_role(self, *roles: Role) -> Iterator[PyFile]:
        return (f for f in self.files if f.role in roles)

    def agent_files(self, runtime: str | None = None) -> Iterator[PyFile]:
        return (f for f in self.files if f.role == "agent" and (runtime is None or f.runtime == runtime))

    def calls(self, roles: Iterable[Role] = ("agent", "caller")) -> Iterator[tuple[PyFile, CallSite]]:
        wanted = set(roles)
        for py_file in self.files:
            if py_file.role in wanted:
                for call in py_file.calls:
                    yield py_file, call

    def file(self, path: str) -> PyFile | None:
        return next((f for f in self.files if f.path == path), None)


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


class _Indexer(ast.NodeVisitor):
    def __init__(self, py_file: PyFile) -> None:
        self.file = py_file
        self.function_stack: list[FunctionInfo] = []
        self.class_stack: list[str] = []
        self.loop_stack: list[ast.For | ast.AsyncFor | ast.While] = []
        self.try_depth = 0

    # imports are collected first so calls resolve regardless of order
    def collect_imports(self) -> None:
        for node in ast.walk(self.file.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.file.imported_modules.add(alias.name.split(".")[0])
                    if alias.asname:
                        self.file.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.file.imports.setdefault(top, top)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 0 and module:
                    self.file.imported_modules.add(module.split(".")[0])
                for alias in node.names:
                    local = alias.asname or alias.name
                    qualified = f"{module}.{alias.name}" if module else alias.name
                    if node.level:
                        qualified = "." * node.level + qualified
                    self.file.imports[local] = qualified

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        decorators = tuple(self.file.resolve(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list)
        is_generator = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _walk_own_body(node))
        qual = ".".join([*(f.name for f in self.function_stack), *self.class_stack[-1:], node.name])
        info = FunctionInfo(
            name=node.name,
            qualname=qual,
            node=node,
            decorators=decorators,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            is_generator=is_generator,
            line=node.lineno,
            class_name=self.class_stack[-1] if self.class_stack else None,
        )
        self.file.functions.append(info)
        for default in (*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]):
            self.visit(default)
        saved_loops, saved_try = self.loop_stack, self.try_depth
        self.loop_stack, self.try_depth = [], 0
        self.function_stack.append(info)
        body = node.body
        if body and _is_docstring(body[0]):
            self._string(body[0].value, docstring=True)  # type: ignore[attr-defined]
            body = body[1:]
        for statement in body:
            self.visit(statement)
        self.function_stack.pop()
        self.loop_stack, self.try_depth = saved_loops, saved_try

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for item in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(item)
        self.class_stack.append(node.name)
        body = node.body
        if body and _is_docstring(body[0]):
            self._string(body[0].value, docstring=True)  # type: ignore[attr-defined]
            body = body[1:]
        for statement in body:
            self.visit(statement)
        self.class_stack.pop()

    def _visit_loop(self, node: ast.For | ast.AsyncFor | ast.While) -> None:
        if isinstance(node, ast.While):
            self.visit(node.test)
        else:
            self.visit(node.target)
            self.visit(node.iter)
        self.loop_stack.append(node)
        for statement in node.body:
            self.visit(statement)
        self.loop_stack.pop()
        for statement in node.orelse:
            self.visit(statement)

    visit_For = _visit_loop
    visit_AsyncFor = _visit_loop
    visit_While = _visit_loop

    def visit_Try(self, node: ast.Try) -> None:
        self.try_depth += 1
        for statement in node.body:
            self.visit(statement)
        self.try_depth -= 1
        for handler in node.handlers:
            self.visit(handler)
        for statement in (*node.orelse, *node.finalbody):
            self.visit(statement)

    visit_TryStar = visit_Try  # type: ignore[assignment]

    def visit_Call(self, node: ast.Call) -> None:
        name = self.file.resolve(node.func)
        self.file.calls.append(
            CallSite(
                name=name,
                attr=name.rsplit(".", 1)[-1],
                node=node,
                line=node.lineno,
                col=node.col_offset,
                function=self.function_stack[-1] if self.function_stack else None,
                loops=tuple(self.loop_stack),
                in_try=self.try_depth > 0,
            )
        )
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self._string(node, docstring=False)

    def visit_Module(self, node: ast.Module) -> None:
        body = node.body
        if body and _is_docstring(body[0]):
            self._string(body[0].value, docstring=True)  # type: ignore[attr-defined]
            body = body[1:]
        for statement in body:
            self.visit(statement)

    def _string(self, node: ast.Constant, docstring: bool) -> None:
        self.file.strings.append(
            StringLiteral(
                value=str(node.value),
                line=node.lineno,
                col=node.col_offset,
                is_docstring=docstring,
                function=self.function_stack[-1] if self.function_stack else None,
            )
        )


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _walk_own_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """Nodes of a function's body, not descending into nested functions, classes or lambdas."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def parse_file(path: str, text: str, role: Role, runtime: str | None) -> PyFile:
    """Parse and index one file's text. Raises SyntaxError (or ValueError) when it does not parse."""
    tree = ast.parse(text, filename=path)
    lines = text.splitlines()
    py_file = PyFile(path=path, role=role, runtime=runtime, tree=tree, lines=lines)
    if "agentcore-readiness" in text:
        for number, line in enumerate(lines, start=1):
            match = _SUPPRESS.search(line)
            if match:
                py_file.suppressions[number] = {c.strip() for c in match.group(1).split(",") if c.strip()}
    indexer = _Indexer(py_file)
    indexer.collect_imports()
    indexer.visit(tree)
    return py_file


def _is_test_path(rel: str) -> bool:
    parts = rel.split("/")
    name = parts[-1]
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def build_code_index(project: ProjectFacts, max_files: int = 50_000) -> CodeIndex:
    root = project.root
    locations: list[tuple[str, str]] = sorted(
        ((r.code_location, r.name) for r in project.runtimes if r.code_location is not None),
        key=lambda item: -len(item[0]),
    )
    excludes = project.settings.exclude
    files: list[PyFile] = []
    skipped: list[SkippedFile] = []
    for path in walk_files(root, root, (".py",), max_files=max_files):
        rel = rel_posix(root, path)
        if rel.startswith(_EXCLUDED_TOP) or any(_glob_match(rel, pattern) for pattern in excludes):
            continue
        runtime: str | None = None
        for location, runtime_name in locations:
            if location == "." or rel.startswith(location + "/"):
                runtime = runtime_name
                break
        role: Role = "test" if _is_test_path(rel) else ("agent" if runtime else "caller")
        try:
            text_file = read_text(root, path, SOURCE_MAX_BYTES)
        except FileReadError as exc:
            skipped.append(SkippedFile(rel, exc.message))
            continue
        try:
            files.append(parse_file(rel, text_file.text, role, runtime))
        except SyntaxError as exc:
            skipped.append(SkippedFile(rel, f"does not parse as Python 3 (line {exc.lineno}: {exc.msg})"))
        except (ValueError, RecursionError, MemoryError) as exc:
            skipped.append(SkippedFile(rel, f"does not parse as Python 3 ({type(exc).__name__})"))
    return CodeIndex(files=tuple(files), skipped=tuple(skipped))


def _glob_match(rel: str, pattern: str) -> bool:
    from fnmatch import fnmatch

    pattern = pattern.strip().rstrip("/")
    return fnmatch(rel, pattern) or rel.startswith(pattern + "/") or fnmatch(rel, pattern + "/*")


def code_root(project: ProjectFacts, code_location: str) -> Path:
    return project.root if code_location == "." else project.root / code_location

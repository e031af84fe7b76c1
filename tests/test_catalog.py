"""Every rule code registered in the product has a test that asserts an outcome for it.

The tests are read with ``ast`` (never run), and a code counts as tested only when a
string literal equal to the code reaches an ``assert`` inside a test function:

- the literal is in the asserted expression itself (``assert result.rule == "GW005"``);
- or it flows there through names: ``result = project.results("GW005")["GW005"]`` followed
  by ``assert result.status == "fail"`` (assignments, ``for`` targets and ``with ... as``
  carry the codes of their right-hand side, to a fixed point; names bound at module level,
  such as a table of cases, carry theirs into every function);
- or it is a ``@pytest.mark.parametrize`` value, and the parameter reaches an assert;
- or it is an argument of a call to a function of the same file that asserts
  (``check_exact(project, "GW005", ...)``), followed transitively.

A code mentioned in a comment, a docstring, an assert's message, or a call whose result is
never asserted does not count; nor does a loop over ``load_rules()`` (its codes are not
literals: such tests check the catalog, not what a rule finds). Tests whose expected
outcomes live in data files are not seen: name the code in the test that loads them.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable
from pathlib import Path

from agentcore_readiness.checks.registry import load_rules

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"


def _test_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if FIXTURES not in p.parents and p.name != Path(__file__).name)


Taint = dict[str, frozenset[str]]
"""The rule codes each name may hold."""


class AssertedCodes:
    """The rule codes (from ``codes``) whose outcome some test function of one module asserts."""

    def __init__(self, tree: ast.Module, codes: frozenset[str]) -> None:
        self.codes = codes
        self.functions = {node.name: node for node in _functions(tree)}
        self.module_taint = self._propagate(_bindings(tree.body, nested=False), {})
        self._asserted: dict[str, frozenset[str]] = {}

    def in_tests(self) -> frozenset[str]:
        found: set[str] = set()
        for name in self.functions:
            if name.startswith("test"):
                found |= self.asserted_by(name, frozenset())
        return frozenset(found)

    def asserted_by(self, name: str, visiting: frozenset[str]) -> frozenset[str]:
        if name in self._asserted:
            return self._asserted[name]
        if name in visiting:  # recursion: what the outer visit finds is enough
            return frozenset()
        function = self.functions[name]
        taint = self._propagate(_bindings(function.body, nested=True), {**self.module_taint, **self._params(function)})
        found: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assert):
                found |= self._codes_in(node.test, taint)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.functions:
                inner = self.asserted_by(node.func.id, visiting | {name})
                if self._asserts(node.func.id):
                    found |= self._codes_in_all([*node.args, *(k.value for k in node.keywords)], taint)
                found |= inner
        self._asserted[name] = frozenset(found)
        return self._asserted[name]

    def _asserts(self, name: str) -> bool:
        return any(isinstance(node, ast.Assert) for node in ast.walk(self.functions[name]))

    def _params(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Taint:
        """Parameters fed by ``@pytest.mark.parametrize``: each carries the decorator's codes."""
        taint: Taint = {}
        for decorator in function.decorator_list:
            if isinstance(decorator, ast.Call) and _dotted(decorator.func).endswith("parametrize"):
                codes = self._codes_in_all(decorator.args[1:], self.module_taint)
                for arg in function.args.args:
                    taint[arg.arg] = taint.get(arg.arg, frozenset()) | codes
        return taint

    def _propagate(self, bindings: list[tuple[list[str], ast.AST]], start: Taint) -> Taint:
        taint = dict(start)
        changed = True
        while changed:
            changed = False
            for targets, value in bindings:
                codes = self._codes_in(value, taint)
                for target in targets:
                    if not codes <= taint.get(target, frozenset()):
                        taint[target] = taint.get(target, frozenset()) | codes
                        changed = True
        return taint

    def _codes_in(self, node: ast.AST, taint: Taint) -> frozenset[str]:
        found: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in self.codes:
                found.add(sub.value)
            elif isinstance(sub, ast.Name) and sub.id in taint:
                found |= taint[sub.id]
        return frozenset(found)

    def _codes_in_all(self, nodes: Iterable[ast.AST], taint: Taint) -> frozenset[str]:
        return frozenset().union(*(self._codes_in(node, taint) for node in nodes))


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions and the methods of test classes."""
    found: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(node)
        elif isinstance(node, ast.ClassDef):
            found.extend(n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    return found


def _bindings(body: list[ast.stmt], *, nested: bool) -> list[tuple[list[str], ast.AST]]:
    """(names bound, the expression they are bound from) for every binding in ``body``
    (walked into nested blocks when ``nested``; module level: its own statements only)."""
    nodes: Iterable[ast.AST] = (n for stmt in body for n in ast.walk(stmt)) if nested else body
    found: list[tuple[list[str], ast.AST]] = []
    for node in nodes:
        if isinstance(node, ast.Assign):
            found.append(([n for t in node.targets for n in _names(t)], node.value))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value is not None:
            found.append((_names(node.target), node.value))
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            found.append((_names(node.target), node.iter))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            found.append((_names(node.optional_vars), node.context_expr))
    return found


def _names(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def asserted_codes(source: str, codes: frozenset[str]) -> frozenset[str]:
    return AssertedCodes(ast.parse(source), codes).in_tests()


def test_every_registered_rule_has_a_test_asserting_its_outcome() -> None:
    registered = list(load_rules())  # catalog order
    codes = frozenset(registered)
    tested: set[str] = set()
    for path in _test_files():
        tested |= asserted_codes(path.read_text(encoding="utf-8"), codes)
    missing = [code for code in registered if code not in tested]
    assert not missing, f"rule codes no test asserts an outcome for: {', '.join(missing)}"


def test_only_asserted_codes_count() -> None:
    codes = frozenset({"GW005", "GW006", "RES003", "RES005", "RES006", "SEC001", "PERF001", "CODE001", "NET001"})
    source = textwrap.dedent(
        '''
        import pytest

        CASES = {"RES005": "fail"}
        MENTIONED = "NET001"


        def check(project, code, status):
            assert project.results(code)[code].status == status


        def test_direct(project):
            # GW006 is only named in this comment
            """GW006 in a docstring does not count."""
            result = project.results("GW005")["GW005"]
            assert result.status == "fail", "GW006 in a message does not count"


        def test_unasserted_call(project):
            project.results("RES006")
            assert project.root.exists()


        def test_helper(project):
            check(project, "SEC001", "pass")


        @pytest.mark.parametrize("code", sorted(CASES))
        def test_table(project, code):
            outcome = {r.rule: r.status for r in project.review(code).projects[0].results}
            assert outcome[code] == CASES[code]


        def test_loop(project):
            for code in ("PERF001",):
                status = project.results(code)[code].status
            assert status == "pass"


        def helper_never_called_by_a_test():
            assert "CODE001"
        '''
    )
    assert asserted_codes(source, codes) == {"GW005", "SEC001", "RES005", "PERF001"}

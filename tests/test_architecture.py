"""The layering of the product, checked from its source: every import of every module
(module level, inside functions, under ``TYPE_CHECKING``) read with ``ast``.

* ``analysis/`` is pure: it imports the standard library and other ``analysis`` modules only;
* ``facts/`` gathers what rules read and knows nothing of what reads it (no ``checks``,
  ``tools``, ``server``, ``render``, ``cli``);
* ``checks/`` imports nothing of the engine, the diagnoses, tools, server, render or CLI, and
  ``diagnose/`` nothing of tools, server or CLI;
* no module imports, directly or through others, a module that imports it;
* rule modules read index records: they do not walk syntax trees themselves, and the helper
  modules of ``checks/`` walk them only in the functions of an allow-list that only shrinks.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import agentcore_readiness

PACKAGE = "agentcore_readiness"
SOURCE = Path(agentcore_readiness.__file__).parent


@dataclass(frozen=True)
class Import:
    module: str
    """The product module doing the import."""
    target: str
    """What it imports, as a dotted module name (a product module when it is one)."""
    line: int


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(SOURCE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}


def _imports_of(module: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                # ``from pkg import name``: the submodule when ``name`` is one, else the package
                submodule = f"{source}.{alias.name}"
                yield Import(module, submodule if submodule in modules else source, node.lineno)


@cache
def _all_imports() -> tuple[Import, ...]:
    modules = _modules()
    return tuple(found for module, path in modules.items() for found in _imports_of(module, path, modules))


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for found in _all_imports():
        if found.target in modules and found.target != found.module:
            graph[found.module].add(found.target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def _short(module: str) -> str:
    return module.removeprefix(PACKAGE + ".")


def test_no_import_cycle_among_the_products_modules() -> None:
    cycle = find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(_short(module) for module in cycle or [])


def test_the_cycle_finder_reports_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def _inside(module: str, package: str) -> bool:
    name = f"{PACKAGE}.{package}"
    return module == name or module.startswith(name + ".")


FACTS_MAY_NOT_IMPORT = ("checks", "tools", "server", "render", "cli", "engine", "parallel")


def test_facts_import_nothing_of_what_reads_them() -> None:
    wrong = [
        f"{_short(found.module)}:{found.line} imports {_short(found.target)}"
        for found in _all_imports()
        if _inside(found.module, "facts") and any(_inside(found.target, layer) for layer in FACTS_MAY_NOT_IMPORT)
    ]
    assert wrong == []


HIGHER_LAYERS = {
    "checks": ("engine", "parallel", "diagnose", "tools", "server", "render", "cli"),
    "diagnose": ("tools", "server", "cli"),
}


@pytest.mark.parametrize("layer", sorted(HIGHER_LAYERS))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    wrong = [
        f"{_short(found.module)}:{found.line} imports {_short(found.target)}"
        for found in _all_imports()
        if _inside(found.module, layer) and any(_inside(found.target, higher) for higher in HIGHER_LAYERS[layer])
    ]
    assert wrong == []


def test_analysis_imports_the_standard_library_and_itself_only() -> None:
    wrong = [
        f"{_short(found.module)}:{found.line} imports {found.target}"
        for found in _all_imports()
        if _inside(found.module, "analysis")
        and not _inside(found.target, "analysis")
        and found.target.partition(".")[0] not in sys.stdlib_module_names
        and found.target != "__future__"
    ]
    assert wrong == []


TREE_WALKS = frozenset({"ast.walk", "ast.iter_child_nodes", "ast.NodeVisitor", "ast.NodeTransformer"})
RULE_CODE_NAME = re.compile(r"[a-z]+\d{3}")

# Rule modules that still walk syntax trees themselves. The list may only shrink: each entry
# says why the walk is still there, and a module that stops walking must be taken off it.
WALKING_RULE_MODULES: dict[str, str] = {}


def _rule_modules() -> list[str]:
    """Modules of ``checks/`` holding rule bodies: a function decorated with ``@rule(...)``, or a
    top-level function named after a rule code (``sec001``) that a family module registers."""
    found = []
    for module, path in _modules().items():
        if not _inside(module, "checks"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
            if RULE_CODE_NAME.fullmatch(node.name) or any(
                isinstance(d, ast.Name) and d.id == "rule" for d in decorators
            ):
                found.append(module)
                break
    return found


def _family_packages() -> list[str]:
    """Packages of ``checks/`` that hold a rule family split into modules: their ``__init__``
    imports the modules, which hold the rules."""
    rules = _rule_modules()
    return [
        m
        for m, path in _modules().items()
        if path.name == "__init__.py"
        and _inside(m, "checks")
        and m != f"{PACKAGE}.checks"
        and any(r.startswith(m + ".") for r in rules)
    ]


def _tree_walks(path: Path) -> list[str]:
    """The tree walks a module's code uses: ``ast.walk(...)`` and ``ast.iter_child_nodes(...)``
    calls, ``ast.NodeVisitor`` subclasses (also when imported by name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: f"ast.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "ast"
        for alias in node.names
    }
    uses: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            expressions, line = [node.func], node.lineno
        elif isinstance(node, ast.ClassDef):
            expressions, line = node.bases, node.lineno
        else:
            continue
        for expr in expressions:
            name = ast.unparse(expr)
            name = imported.get(name, name)
            if name in TREE_WALKS:
                uses.append((line, name))
    return [f"{name} (line {line})" for line, name in sorted(uses)]


def test_the_rule_modules_are_found() -> None:
    modules = {_short(module) for module in _rule_modules()}
    assert {
        "checks.sessions.callers",
        "checks.resources.policy_engines",
        "checks.code_rule_bodies",
        "checks.iam",
    } <= modules
    assert "checks.registry" not in modules
    assert {"checks.sessions", "checks.jwt", "checks.resources"} <= {_short(module) for module in _family_packages()}


@pytest.mark.parametrize("module", [_short(module) for module in [*_rule_modules(), *_family_packages()]])
def test_a_rule_module_does_not_walk_syntax_trees(module: str) -> None:
    walks = _tree_walks(_modules()[f"{PACKAGE}.{module}"])
    assert _walking_functions(_modules()[f"{PACKAGE}.{module}"]) == {} or module in WALKING_RULE_MODULES
    if module in WALKING_RULE_MODULES:
        assert walks, f"{module} no longer walks trees: take it off WALKING_RULE_MODULES"
    else:
        assert walks == []


def test_the_walk_check_sees_a_walk(tmp_path: Path) -> None:
    source = tmp_path / "walker.py"
    source.write_text(
        "import ast\nfrom ast import NodeVisitor as V\n\n"
        "class Finder(V):\n    pass\n\n"
        "def calls(tree):\n    return [n for n in ast.walk(tree)] + list(ast.iter_child_nodes(tree))\n",
        encoding="utf-8",
    )
    assert _tree_walks(source) == [
        "ast.NodeVisitor (line 4)",
        "ast.iter_child_nodes (line 8)",
        "ast.walk (line 8)",
    ]


def test_the_allow_list_names_rule_modules_only() -> None:
    assert set(WALKING_RULE_MODULES) <= {_short(module) for module in _rule_modules()}


# The call-flow helpers that walk a body node by node: a helper module reading them walks a tree.
FLOW_WALKS = frozenset({"body_nodes", "function_body_nodes", "calls_in", "first_call"})

# Modules of ``checks/`` that hold no rule but build what rules read (the session and resource
# flows, the import-time search, the tool surface, the memory tracer, the project map, the
# handler model): the functions in them that still walk syntax trees themselves, module by
# module, each with why. The list may only shrink: a function that stops walking must be taken
# off it, and a walk in a function not on it fails.
WALKING_HELPERS: dict[str, dict[str, str]] = {
    "checks.importtime": {
        "_module_uses": "names module-level code reads (no index record); only for a statement found heavy",
    },
}


def _helper_modules() -> list[str]:
    rules = {*_rule_modules(), *_family_packages()}
    return [m for m in _modules() if _inside(m, "checks") and m not in rules]


def _walking_functions(path: Path) -> dict[str, list[str]]:
    """The functions of a module (by qualified name, ``<module>`` for module-level code) that walk
    a syntax tree: :data:`TREE_WALKS` and the call-flow walkers of :data:`FLOW_WALKS`, each with
    the walks it uses."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: f"ast.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "ast"
        for alias in node.names
    }
    found: dict[str, set[str]] = {}

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{where}.{child.name}" if where != "<module>" else child.name
            expressions = (
                [child.func] if isinstance(child, ast.Call) else child.bases if isinstance(child, ast.ClassDef) else []
            )
            for expr in expressions:
                name = ast.unparse(expr)
                name = imported.get(name, name)
                if name in TREE_WALKS or name.rsplit(".", 1)[-1] in FLOW_WALKS:
                    found.setdefault(where if isinstance(child, ast.Call) else inner, set()).add(name)
            visit(child, inner)

    visit(tree, "<module>")
    return {where: sorted(names) for where, names in sorted(found.items())}


def test_the_helper_modules_are_found() -> None:
    modules = {_short(module) for module in _helper_modules()}
    assert {
        "checks.sessionflow",
        "checks.resourceflow",
        "checks.importtime",
        "checks.tool_surface",
        "checks.memory_use",
        "checks.map_builder",
        "checks.runtime_handlers",
    } <= modules
    assert "checks.sessions" not in modules


@pytest.mark.parametrize("module", [_short(module) for module in _helper_modules()])
def test_a_rule_helper_walks_trees_only_where_allowed(module: str) -> None:
    walking = _walking_functions(_modules()[f"{PACKAGE}.{module}"])
    assert sorted(walking) == sorted(WALKING_HELPERS.get(module, {})), (
        f"{module}: the functions that walk trees are {walking}; a new walk reads index records "
        "instead, and a function that no longer walks is taken off WALKING_HELPERS"
    )


def test_the_helper_walk_check_sees_a_walk(tmp_path: Path) -> None:
    source = tmp_path / "helper.py"
    source.write_text(
        "import ast\nfrom x import function_body_nodes\n\n"
        "class Finder:\n    def returns(self, f):\n        return list(function_body_nodes(f))\n\n"
        "def names(tree):\n    return [n for n in ast.walk(tree)]\n\n"
        "def fine(py_file):\n    return py_file.calls\n",
        encoding="utf-8",
    )
    assert _walking_functions(source) == {"Finder.returns": ["function_body_nodes"], "names": ["ast.walk"]}


def test_the_helper_allow_list_names_helper_modules_only() -> None:
    assert set(WALKING_HELPERS) <= {_short(module) for module in _helper_modules()}


def test_the_aws_facts_are_layered_model_client_calls_services_gatherer() -> None:
    layers = ["facts.aws.model", "facts.aws.client", "facts.aws.calls", "facts.aws.services", "facts.aws.gather"]

    def layer(module: str) -> int | None:
        short = _short(module)
        return next((i for i, name in enumerate(layers) if short == name or short.startswith(name + ".")), None)

    upward = [
        f"{_short(found.module)}:{found.line} imports {_short(found.target)}"
        for found in _all_imports()
        if (low := layer(found.module)) is not None and (high := layer(found.target)) is not None and high > low
    ]
    assert upward == []

"""Rules read index records: no rule module walks a syntax tree itself (it imports neither
``ast`` nor the tree walkers), so the work of a walk is done once per file or per index."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from agentcore_readiness import checks
from agentcore_readiness.checks.registry import load_rules

CHECKS = Path(checks.__file__).parent
WALKERS = frozenset(
    {
        "body_nodes",
        "function_body_nodes",
        "calls_in",
        "import_time_statements",
        "parents",
        "ParentMap",
        "bindings",
        "module_bindings",
    }
)
# the modules holding rule bodies: every registering module, and the code rules' bodies
RULE_BODIES = (*checks.RULE_MODULES, "code_rule_bodies")


def _sources(module: str) -> list[Path]:
    """The files of a module of ``checks/``: its ``.py`` file, or every module of a family package."""
    single = CHECKS / f"{module}.py"
    return [single] if single.is_file() else sorted((CHECKS / module).glob("*.py"))


def _imports(module: str) -> set[str]:
    found: set[str] = set()
    sources = _sources(module)
    assert sources, f"no source for checks.{module}"
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.add(node.module or "")
                found.update(f"{node.module}:{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("module", RULE_BODIES)
def test_a_rule_module_does_not_walk_syntax_trees(module: str) -> None:
    imported = _imports(module)
    assert "ast" not in imported
    walkers = {
        name.split(":", 1)[1] for name in imported if name.startswith("agentcore_readiness.facts.code.callflow:")
    }
    assert walkers & WALKERS == set()


def test_the_check_finds_a_module_that_walks_trees() -> None:
    assert "ast" in _imports("sessionflow")
    assert "agentcore_readiness.facts.code.callflow:parents" in _imports("sessionflow")


def test_the_check_reads_the_module_of_every_rule() -> None:
    read = {path.resolve() for module in RULE_BODIES for path in _sources(module)}
    unread = {
        code: rule.check.__module__
        for code, rule in load_rules().items()
        if Path(inspect.getfile(rule.check)).resolve() not in read
    }
    assert unread == {}

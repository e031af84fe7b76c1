"""Rules read index records: no rule module walks a syntax tree itself (it imports neither
``ast`` nor the tree walkers), so the work of a walk is done once per file or per index."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agentcore_readiness import checks

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


def _imports(module: str) -> set[str]:
    tree = ast.parse((CHECKS / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
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

"""The README's generated blocks and every rule's documentation stay in sync with the code."""

from __future__ import annotations

import re
from pathlib import Path

from agentcore_readiness.checklist_items import ITEMS
from agentcore_readiness.checks.registry import load_rules
from agentcore_readiness.docs import render_readme

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ["### What it does", "### Why is this bad?", "### Example", "### Fix", "### References"]


def test_readme_tool_and_rule_tables_match_the_registry() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text == render_readme(text), "run: uv run python -m agentcore_readiness.docs"


def test_every_rule_documents_the_five_sections_in_order() -> None:
    for code, rule in load_rules().items():
        positions = [rule.meta.doc.find(section) for section in SECTIONS]
        assert all(p >= 0 for p in positions), f"{code} lacks a section: {positions}"
        assert positions == sorted(positions), f"{code} sections out of order"


def test_rule_codes_have_the_catalog_shape_and_checklist_keys_exist() -> None:
    for code, rule in load_rules().items():
        assert re.fullmatch(r"[A-Z]+[0-9]{3}", code)
        assert rule.meta.severity in ("critical", "high", "medium", "low", "info")
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.meta.name), code
        for key in rule.meta.checklist:
            assert key in ITEMS, f"{code} names unknown checklist item {key}"

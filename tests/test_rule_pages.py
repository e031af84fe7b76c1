"""docs/rules/<CODE>.md (what SARIF helpUri links to) stays equal to what the registry says."""

from __future__ import annotations

from pathlib import Path

from agentcore_readiness.checks.registry import load_rules
from agentcore_readiness.docs import rule_pages

RULES_DIR = Path(__file__).resolve().parents[1] / "docs" / "rules"


def test_every_rule_has_its_page_and_the_pages_match_the_registry() -> None:
    pages = rule_pages()
    assert set(pages) == {f"{code}.md" for code in load_rules()} | {"README.md"}
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in RULES_DIR.glob("*.md")}
    stale = sorted(name for name in set(pages) | set(on_disk) if pages.get(name) != on_disk.get(name))
    assert stale == [], f"run: uv run python -m agentcore_readiness.docs ({', '.join(stale[:5])})"


def test_a_rule_page_carries_the_catalog_entry_and_the_five_sections() -> None:
    page = (RULES_DIR / "AUTH003.md").read_text(encoding="utf-8")
    assert page.startswith("# AUTH003 `gateway-auth-none`\n\n**Gateway inbound auth is NONE or absent**\n\n")
    assert "- Severity: critical\n- Family: Authentication\n- Needs: project files, read-only AWS API calls\n" in page
    for section in ("### What it does", "### Why is this bad?", "### Example", "### Fix", "### References"):
        assert section in page
    assert "| [AUTH003](AUTH003.md) | `gateway-auth-none` | critical |" in (RULES_DIR / "README.md").read_text()

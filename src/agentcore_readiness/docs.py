"""Generated documentation: the README's tool list and rule table, and one page per rule
under ``docs/rules/`` (what SARIF ``helpUri`` links to), come from the code.

``python -m agentcore_readiness.docs`` rewrites the marked blocks of README.md and the rule
pages; tests keep them equal to what the registry says.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

from agentcore_readiness.checks.registry import load_rules, tool_rules

RULES_START, RULES_END = "<!-- rules:start -->", "<!-- rules:end -->"
TOOLS_START, TOOLS_END = "<!-- tools:start -->", "<!-- tools:end -->"


def rule_table() -> str:
    lines = ["| Code | Name | Severity | Needs | What it checks |", "|---|---|---|---|---|"]
    for code, rule in load_rules().items():
        meta = rule.meta
        lines.append(f"| {code} | `{meta.name}` | {meta.severity} | {', '.join(meta.inputs)} | {meta.title} |")
    lines.append("")
    lines.append(
        "Needs: P project files, C source code, A read-only AWS API calls, T a token or request "
        "headers, X a local measurement."
    )
    return "\n".join(lines)


def tool_table() -> str:
    from agentcore_readiness import tools

    lines = ["| Tool | What it does | Rules it runs |", "|---|---|---|"]
    for module_name in tools.TOOL_MODULES:
        module = importlib.import_module(f"agentcore_readiness.tools.{module_name}")
        for spec in module.TOOLS:
            doc = " ".join((spec.fn.__doc__ or "").split())
            first = re.split(r"(?<=\.)\s", doc, maxsplit=1)[0]
            lines.append(f"| `{spec.name}` | {first} | {tools.rule_span(tool_rules(spec.name))} |")
    return "\n".join(lines)


def _replace(text: str, start: str, end: str, body: str) -> str:
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"README has no {start} … {end} block")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)


def render_readme(text: str) -> str:
    text = _replace(text, RULES_START, RULES_END, rule_table())
    return _replace(text, TOOLS_START, TOOLS_END, tool_table())


def rule_page(code: str) -> str:
    """``docs/rules/<CODE>.md``: the rule's catalog entry and its documentation."""
    meta = load_rules()[code].meta
    lines = [
        f"# {code} `{meta.name}`",
        "",
        f"**{meta.title}**",
        "",
        f"- Severity: {meta.severity}",
        f"- Family: {meta.family}",
        f"- Needs: {', '.join(_INPUTS[i] for i in meta.inputs)}",
    ]
    if meta.checklist:
        lines.append(f"- Checklist items: {', '.join(f'`{key}`' for key in meta.checklist)}")
    lines += [
        "",
        f"Explain it from the command line with `agentcore-readiness explain {code}`; silence one finding on its "
        f"line with `# agentcore-readiness: ignore[{code}] <reason>` or accept it in `[tool.agentcore-readiness]`.",
        "",
        meta.doc.strip(),
        "",
    ]
    return "\n".join(lines)


_INPUTS = {
    "P": "project files",
    "C": "source code",
    "A": "read-only AWS API calls",
    "T": "a token or request headers",
    "X": "a local measurement",
}


def rule_index() -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule registry by `python -m agentcore_readiness.docs`; codes are stable.",
        "",
        "| Code | Name | Severity | What it checks |",
        "|---|---|---|---|",
    ]
    for code, rule in load_rules().items():
        lines.append(f"| [{code}]({code}.md) | `{rule.meta.name}` | {rule.meta.severity} | {rule.meta.title} |")
    return "\n".join(lines) + "\n"


def rule_pages() -> dict[str, str]:
    """File name -> content of every page under ``docs/rules/``."""
    pages = {f"{code}.md": rule_page(code) for code in load_rules()}
    pages["README.md"] = rule_index()
    return pages


def write_rule_pages(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    pages = rule_pages()
    for stale in directory.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (directory / name).write_text(text, encoding="utf-8")


def main() -> int:
    readme = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("README.md")
    updated = render_readme(readme.read_text(encoding="utf-8"))
    readme.write_text(updated, encoding="utf-8")
    write_rule_pages(readme.parent / "docs" / "rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``list_rules`` and ``explain_rule``: the rule catalog."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.checks.registry import load_rules
from agentcore_readiness.engine import InputError
from agentcore_readiness.model import RuleMeta
from agentcore_readiness.render.md import inline
from agentcore_readiness.tools import ToolSpec


class RuleCatalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: list[RuleMeta]


def catalog(family: str | None = None) -> RuleCatalog:
    metas = [r.meta.model_copy(update={"doc": ""}) for r in load_rules().values()]
    if family:
        metas = [m for m in metas if m.family.lower() == family.lower() or m.code.startswith(family.upper())]
    return RuleCatalog(rules=metas)


def explain(code: str) -> RuleMeta:
    rules = load_rules()
    key = code.strip().upper()
    if key not in rules:
        raise InputError(f"unknown rule code {code!r}; list them with list_rules")
    return rules[key].meta


async def list_rules(
    family: Annotated[
        str | None, Field(description="Only this family or code prefix, e.g. 'Sessions' or 'AUTH'")
    ] = None,
) -> RuleCatalog:
    """List every readiness rule: stable code, name, default severity, inputs it needs
    (P project files, C code, A AWS API, T token, X local measurement) and the checklist
    items it feeds.
    """
    return catalog(family)


async def explain_rule(code: Annotated[str, Field(description="Rule code, e.g. AUTH003")]) -> RuleMeta:
    """Explain one rule: what it checks, why it matters, an example, how to fix it and
    references.
    """
    return explain(code)


def catalog_markdown(result: RuleCatalog) -> str:
    lines = ["| Code | Severity | Needs | Rule |", "|---|---|---|---|"]
    lines.extend(
        f"| {m.code} | {m.severity} | {''.join(m.inputs)} | {m.name}: {inline(m.title)} |" for m in result.rules
    )
    lines.append("")
    lines.append("Needs: P project files, C code, A AWS API, T a token, X a local measurement.")
    return "\n".join(lines) + "\n"


def rule_markdown(meta: RuleMeta) -> str:
    """One rule's documentation, as the ``agentcore-readiness://rules/{code}`` resource gives it."""
    checklist = f"; checklist items {', '.join(meta.checklist)}" if meta.checklist else ""
    return (
        f"# {meta.code} {meta.name}\n\n{meta.title}. Severity {meta.severity}; needs {', '.join(meta.inputs)}; "
        f"family {meta.family}{checklist}.\n\n{meta.doc}\n"
    )


TOOLS = [
    ToolSpec(list_rules, "List the readiness rules", text=catalog_markdown),
    ToolSpec(explain_rule, "Explain a readiness rule", text=rule_markdown, text_only=("doc",)),
]

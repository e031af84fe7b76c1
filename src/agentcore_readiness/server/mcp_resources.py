"""MCP resources: the rule catalog, each rule's documentation, the checklist template and
the AgentCore limits table."""

from __future__ import annotations

from typing import Any

SCHEME = "agentcore-readiness://"


def checklist_template() -> str:
    from agentcore_readiness.checklist_items import CHECKLIST

    lines = ["Production Readiness Checklist for <AgentName>", ""]
    for section in CHECKLIST:
        lines.append(section.title)
        lines.extend(f"[ ] {item.text}" for item in section.items)
        lines.append("")
    return "\n".join(lines)


def rule_catalog_json() -> str:
    from agentcore_readiness.tools.rules import catalog

    return catalog().model_dump_json(indent=2)


def rule_markdown(code: str) -> str:
    from agentcore_readiness.tools import rules

    return rules.rule_markdown(rules.explain(code))


def register_resources(server: Any) -> None:
    from agentcore_readiness.limits import limits_markdown

    server.resource(
        SCHEME + "rules",
        name="rules",
        title="Rule catalog",
        mime_type="application/json",
        description="Every readiness rule: code, name, severity, inputs, checklist items.",
    )(rule_catalog_json)

    def rule_doc(code: str) -> str:
        return rule_markdown(code)

    server.resource(
        SCHEME + "rules/{code}",
        name="rule",
        title="Rule documentation",
        mime_type="text/markdown",
        description="One rule's documentation: what it does, why, example, fix, references.",
    )(rule_doc)
    server.resource(
        SCHEME + "checklist",
        name="checklist",
        title="Production readiness checklist template",
        mime_type="text/markdown",
        description="The skill's checklist template, unfilled.",
    )(checklist_template)
    server.resource(
        SCHEME + "limits",
        name="limits",
        title="AgentCore limits",
        mime_type="text/markdown",
        description="AgentCore Runtime, Memory and Gateway limits, the errors they raise and what to do.",
    )(limits_markdown)

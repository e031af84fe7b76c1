"""The skill's workflows as MCP prompt templates: one markdown file each, beside this module.

Each file starts with front matter (name, title, description, arguments, and ``tools``: the
tools it calls, in order) followed by the message text, where ``{argument}`` is replaced by
the argument's value (or "not given").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class PromptArgumentSpec:
    name: str
    description: str
    required: bool


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    title: str
    description: str
    arguments: tuple[PromptArgumentSpec, ...]
    tools: tuple[str, ...]
    body: str

    def render(self, values: dict[str, Any]) -> str:
        filled = {
            arg.name: (str(values[arg.name]) if values.get(arg.name) not in (None, "") else "not given")
            for arg in self.arguments
        }
        text = self.body
        for name, value in filled.items():
            text = text.replace("{" + name + "}", value)
        return text


def _parse(text: str) -> PromptTemplate:
    import yaml

    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    return PromptTemplate(
        name=meta["name"],
        title=meta["title"],
        description=meta["description"],
        arguments=tuple(
            PromptArgumentSpec(a["name"], a.get("description", ""), bool(a.get("required", False)))
            for a in meta.get("arguments", [])
        ),
        tools=tuple(meta.get("tools", [])),
        body=body.strip() + "\n",
    )


@cache
def templates() -> tuple[PromptTemplate, ...]:
    files = sorted((f for f in resources.files(__package__).iterdir() if f.name.endswith(".md")), key=lambda f: f.name)
    return tuple(_parse(f.read_text(encoding="utf-8")) for f in files)


def register_prompts(server: Any, tools: set[str] | None = None) -> None:
    """Register every prompt whose tools are all among ``tools`` (every prompt when ``None``)."""
    from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument

    for template in templates():
        if tools is not None and not set(template.tools) <= tools:
            continue

        def render(_template: PromptTemplate = template, **values: Any) -> str:
            return _template.render(values)

        server.add_prompt(
            Prompt(
                name=template.name,
                title=template.title,
                description=template.description,
                arguments=[
                    PromptArgument(name=a.name, description=a.description, required=a.required)
                    for a in template.arguments
                ],
                fn=render,
                context_kwarg=None,
            )
        )

"""Calling a tool the same way from the MCP server and from ``agentcore-readiness tool``:
its arguments (names checked, values validated), and its answer (structured content and
the markdown text block).
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

import pydantic_core
from pydantic import BaseModel, ConfigDict, create_model

from agentcore_readiness.tools import ToolSpec

CONTEXT_ANNOTATIONS = ("Context",)


def _hints(spec: ToolSpec, context: Any = Any) -> dict[str, Any]:
    """The tool's resolved annotations; ``Context`` (imported by tool modules for type checking
    only) resolves to ``context``."""
    return typing.get_type_hints(spec.fn, localns=dict.fromkeys(CONTEXT_ANNOTATIONS, context), include_extras=True)


def context_parameter(spec: ToolSpec) -> str | None:
    """The name of the parameter that receives the MCP request context, if the tool has one."""
    sentinel = object()
    hints = _hints(spec, sentinel)
    return next((name for name, hint in hints.items() if hint is sentinel), None)


def argument_names(spec: ToolSpec) -> tuple[str, ...]:
    """The arguments a caller may pass, in the tool's order."""
    skip = context_parameter(spec)
    return tuple(name for name in inspect.signature(spec.fn).parameters if name != skip)


def unknown_arguments_message(spec: ToolSpec, given: typing.Iterable[str]) -> str | None:
    """The error for argument names the tool does not take, naming the ones it does; ``None`` when all are known."""
    valid = argument_names(spec)
    unknown = [name for name in given if name not in valid]
    if not unknown:
        return None
    names = ", ".join(repr(name[:60]) for name in unknown[:10])
    return f"unknown argument(s) {names} for {spec.name}; it takes: {', '.join(valid)}"


def arguments_model(spec: ToolSpec) -> type[BaseModel]:
    """A pydantic model of the tool's arguments (the context parameter left out), for validation."""
    hints = _hints(spec)
    fields: dict[str, Any] = {}
    for name, parameter in inspect.signature(spec.fn).parameters.items():
        if name not in argument_names(spec):
            continue
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        fields[name] = (hints[name], default)
    model: type[BaseModel] = create_model(
        f"{spec.name}_arguments", __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=True), **fields
    )
    return model


def structured(spec: ToolSpec, result: BaseModel) -> dict[str, Any]:
    """The structured content: the answer without the fields the text block carries, and without
    nulls or empty lists (an optional field that holds nothing is left out)."""
    return _pruned(result, set(spec.text_only))


def _pruned(model: BaseModel, exclude: set[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if name in (exclude or ()) or value is None:
            continue
        if isinstance(value, list | dict) and not value and not field.is_required():
            continue
        out[field.serialization_alias or field.alias or name] = _pruned_value(value)
    return out


def _pruned_value(value: Any) -> Any:
    """Models are pruned; lists and dicts of models too; free-form data (a JSON Patch, a policy) is kept as it is."""
    if isinstance(value, BaseModel):
        return _pruned(value)
    if isinstance(value, list):
        return [_pruned_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _pruned_value(item) for key, item in value.items()}
    return pydantic_core.to_jsonable_python(value)


CUT_NOTE = (
    "\n\n(This answer was cut at {limit:,} characters: ask for less with `max_findings`, `status`, "
    "`min_severity` or a narrower path.)\n"
)


def text(spec: ToolSpec, result: BaseModel) -> str:
    """The text block: the tool's markdown rendering of the answer, at most ``FIELD_LIMIT`` characters
    (cut at a line, and saying so, when project text makes it longer)."""
    from agentcore_readiness.textsafe import FIELD_LIMIT

    if spec.text is not None:
        rendered = spec.text(result)
    else:
        import json

        rendered = json.dumps(structured(spec, result), ensure_ascii=False)
    if len(rendered) <= FIELD_LIMIT:
        return rendered
    note = CUT_NOTE.format(limit=FIELD_LIMIT)
    head = rendered[: FIELD_LIMIT - len(note)]
    return head[: head.rfind("\n") if "\n" in head else len(head)] + note

"""Lean tool schemas for ``tools/list``: every client reads them on connect, and a coding agent
pays for them in its context.

pydantic's schemas carry a ``title`` on every property, ``anyOf [X, null]`` for every optional
value and defaults the answers never send; the review tools also share one large answer
schema. :func:`lean_tool` keeps what a client needs to call a tool and read its answer (types,
enums, required fields, descriptions, input defaults) and drops the rest. Answers never hold
``null`` (empty and default values are left out), so optional values lose their ``null`` branch.
Output schemas spell out the answer down to the tool's ``schema_depth`` levels (two, three for
``review_project``); below that a value is described by its type only, and the README documents
the report's full shape. Structured content still validates against them.
"""

from __future__ import annotations

from typing import Any

OUTPUT_DEPTH = 3
_DROP = ("title", "examples")
_OUTPUT_DROP = (*_DROP, "description", "default")


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def lean(schema: Any, defs: dict[str, Any], drop: tuple[str, ...] = _DROP, depth: int | None = None) -> Any:
    """``schema`` without the keywords in ``drop``, ``null`` branches and ``default: null``;
    ``$ref`` inlined; deeper than ``depth`` levels (when given) only the type is kept."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return lean({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, defs, drop, depth)
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and any(_is_null(b) for b in branches):
            rest = [b for b in branches if not _is_null(b)]
            others = {k: v for k, v in schema.items() if k != key}
            return lean({**(rest[0] if len(rest) == 1 else {key: rest}), **others}, defs, drop, depth)
    if depth is not None and depth <= 0:
        return {k: v for k, v in schema.items() if k in ("type", "enum")}
    out: dict[str, Any] = {}
    deeper = None if depth is None else depth - 1
    for key, value in schema.items():
        if key in drop or key in ("$defs", "additionalProperties") or (key == "default" and value is None):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: lean(sub, defs, drop, deeper) for name, sub in value.items()}
        elif key == "items" and isinstance(value, dict):
            out[key] = lean(value, defs, drop, deeper)
        elif key in ("anyOf", "oneOf", "allOf") and isinstance(value, list):
            out[key] = [lean(v, defs, drop, depth) for v in value]
        else:
            out[key] = value
    return out


def lean_input(schema: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = lean(schema, schema.get("$defs", {}))
    result["type"] = "object"
    return result


def lean_output(schema: dict[str, Any], text_only: tuple[str, ...] = (), depth: int = 2) -> dict[str, Any]:
    result: dict[str, Any] = lean(schema, schema.get("$defs", {}), _OUTPUT_DROP, depth)
    for name in text_only:
        result.get("properties", {}).pop(name, None)
        if name in result.get("required", []):
            result["required"] = [r for r in result["required"] if r != name]
    result["type"] = "object"
    return result


def lean_tool(tool: Any, text_only: tuple[str, ...] = (), depth: int = 2) -> Any:
    """``tool`` (an MCP ``Tool``) with lean input and output schemas."""
    update: dict[str, Any] = {"input_schema": lean_input(tool.input_schema)}
    if tool.output_schema is not None:
        update["output_schema"] = lean_output(tool.output_schema, text_only, depth)
    return tool.model_copy(update=update)

"""Fix builders shared by the checks: config edits for either layout, with the commands
that apply them.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from agentcore_readiness.facts.project.project_facts import CLI_CONFIG, TOOLKIT_CONFIG, Located, Runtime
from agentcore_readiness.model import FileEdit, Fix

VALIDATE_AND_DEPLOY = "agentcore validate && agentcore deploy"
TOOLKIT_REDEPLOY = "agentcore launch"


@dataclass(frozen=True)
class Move:
    """A value for an edit that moves the object found at ``source`` (a JSON pointer) to the edit's path."""

    source: str


def _op(op: str, path: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Move):
        return {"op": "move", "from": value.source, "path": path}
    return {"op": op, "path": path, "value": value}


def _pretty(value: Any) -> str:
    if isinstance(value, Move):
        return f"the object now at {value.source}"
    return json.dumps(value, separators=(", ", ": "))


def _yaml_path(json_pointer: str) -> str:
    return ".".join(part.replace("~1", "/").replace("~0", "~") for part in json_pointer.split("/") if part)


def config_edit(
    file: str,
    edits: list[tuple[str, Any]],
    summary: str,
    commands: list[str] | None = None,
    op: str = "add",
) -> Fix:
    """A fix that sets values at JSON pointers of ``file`` (agentcore.json or the YAML)."""
    if file == TOOLKIT_CONFIG:
        sets = ", ".join(f"`{_yaml_path(p)}: {_pretty(v)}`" for p, v in edits)
        return Fix(
            summary=f"{summary} In {TOOLKIT_CONFIG} set {sets}, then redeploy.",
            commands=[*(commands or []), TOOLKIT_REDEPLOY],
            patch=[_op(op, p, v) for p, v in edits],
            patch_file=TOOLKIT_CONFIG,
        )
    sets = ", ".join(f"`{p}` to `{_pretty(v)}`" for p, v in edits)
    return Fix(
        summary=f"{summary} In {CLI_CONFIG} set {sets}, then validate and deploy.",
        commands=[*(commands or []), VALIDATE_AND_DEPLOY],
        patch=[_op(op, p, v) for p, v in edits],
        patch_file=CLI_CONFIG,
    )


def runtime_edit(
    runtime: Runtime, logical_edits: list[tuple[str, Any]], summary: str, commands: list[str] | None = None
) -> Fix:
    edits: list[tuple[str, Any]] = [
        (runtime.where.base + runtime.fields.get(field, "/" + field), value) for field, value in logical_edits
    ]
    return config_edit(runtime.where.file, edits, summary, commands)


def located_edit(where: Located, edits: list[tuple[str, Any]], summary: str, commands: list[str] | None = None) -> Fix:
    return config_edit(where.file, [(where.base + suffix, value) for suffix, value in edits], summary, commands)


def jwt_authorizer_template(discovery_url: str | None = None) -> dict[str, Any]:
    return {
        "customJwtAuthorizer": {
            "discoveryUrl": discovery_url or "https://<your-idp>/.well-known/openid-configuration",
            "allowedClients": ["<client-id>"],
        }
    }


def ignore_file_edit(path: str, lines: list[str]) -> list[FileEdit]:
    """The line edit that adds ``lines`` to an ignore file (``.gitignore``, ``.dockerignore``)."""
    return [FileEdit(path=path, add_lines=lines)]


# ---------------------------------------------------------------------------
# Patches that apply: RFC 6902 against the file as it is

_PLACEHOLDER = re.compile(r"<[a-z][a-z0-9 _./-]*>", re.IGNORECASE)


class PatchError(ValueError):
    """A patch that cannot be made valid against the document (a path through a value)."""


def has_placeholder(value: Any) -> bool:
    """Whether a patch value holds a ``<your-value>`` the user must fill in before it can be applied."""
    if isinstance(value, str):
        return bool(_PLACEHOLDER.search(value))
    if isinstance(value, dict):
        return any(has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(has_placeholder(v) for v in value)
    return False


def decode_pointer(ptr: str) -> list[str]:
    if ptr == "":
        return []
    if not ptr.startswith("/"):
        raise PatchError(f"{ptr!r} is not a JSON pointer")
    return [token.replace("~1", "/").replace("~0", "~") for token in ptr.split("/")[1:]]


def encode_pointer(tokens: list[str]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


_MISSING = object()
_APPEND = "-"  # the JSON Pointer token past the end of an array


def _child(container: Any, token: str) -> Any:
    if isinstance(container, dict):
        return container.get(token, _MISSING)
    if isinstance(container, list) and token.isdigit() and int(token) < len(container):
        return container[int(token)]
    return _MISSING


def _resolve(document: Any, tokens: list[str]) -> Any:
    current = document
    for token in tokens:
        current = _child(current, token)
        if current is _MISSING:
            return _MISSING
    return current


def complete_patch(patch: list[dict[str, Any]], document: Any) -> list[dict[str, Any]]:
    """``patch`` made valid RFC 6902 against ``document``, and safe to apply to it alone.

    Missing parent objects are added with the value nested in them; every value that is
    replaced, removed or moved is first checked with a ``test`` op holding its current value,
    and every array element on the way is checked by its ``name``, so the patch fails rather
    than edits the wrong runtime when the file changed since. Raises :class:`PatchError` when a
    path runs through a value that is not an object or array.
    """
    import jsonpatch

    working = document
    completed: list[dict[str, Any]] = []
    guarded: set[str] = set()
    for op in patch:
        steps = _unique(_complete_op(op, working, guarded))
        # Applied to a copy of only the containers on the steps' paths: copying the whole
        # document for each finding's patch made a project's fixes quadratic in its size.
        for step in steps:
            for key in ("from", "path"):
                if key in step:
                    working = _copy_path(working, decode_pointer(str(step[key])))
        try:
            working = jsonpatch.apply_patch(working, copy.deepcopy(steps), in_place=True)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
            raise PatchError(str(exc)) from None
        completed.extend(steps)
    return completed


def _copy_path(document: Any, tokens: list[str]) -> Any:
    """``document`` with every container from the root to the parent of ``tokens`` copied
    (shallowly), so an in-place edit there leaves the original untouched."""
    if not isinstance(document, (dict, list)):
        return document
    root = copy.copy(document)
    current: Any = root
    for token in tokens[:-1]:
        child = _child(current, token)
        if not isinstance(child, (dict, list)):
            break
        child = copy.copy(child)
        if isinstance(current, dict):
            current[token] = child
        else:
            current[int(token)] = child
        current = child
    return root


def _unique(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for step in steps:
        if step["op"] != "test" or step not in kept:
            kept.append(step)
    return kept


def _name_guards(document: Any, tokens: list[str], guarded: set[str]) -> list[dict[str, Any]]:
    guards: list[dict[str, Any]] = []
    current = document
    for depth, token in enumerate(tokens):
        if isinstance(current, list) and token.isdigit() and int(token) < len(current):
            element = current[int(token)]
            name = element.get("name") if isinstance(element, dict) else None
            where = encode_pointer([*tokens[: depth + 1], "name"])
            if isinstance(name, str) and where not in guarded:
                guarded.add(where)
                guards.append({"op": "test", "path": where, "value": name})
        current = _child(current, token)
        if current is _MISSING:
            break
    return guards


def _complete_op(op: dict[str, Any], document: Any, guarded: set[str]) -> list[dict[str, Any]]:
    kind = op.get("op")
    tokens = decode_pointer(str(op.get("path", "")))
    steps = _name_guards(document, tokens[:-1], guarded)
    current = _resolve(document, tokens)
    if kind == "test":
        return [*steps, op]
    if kind == "remove":
        if current is _MISSING:
            raise PatchError(f"nothing to remove at {op['path']}")
        return [*steps, *_value_guard(tokens, current), op]
    if kind == "move":
        source = decode_pointer(str(op["from"]))
        moved = _resolve(document, source)
        if moved is _MISSING:
            raise PatchError(f"nothing to move at {op['from']}")
        steps = [*_name_guards(document, source[:-1], guarded), *steps]
        steps.extend(_value_guard(source, moved))
        if current is not _MISSING:
            steps.extend(_value_guard(tokens, current))
        return [*steps, *_parents(document, tokens), op]
    if kind not in ("add", "replace", "copy"):
        raise PatchError(f"unknown patch operation {kind!r}")
    if kind == "copy":
        return [*steps, *_parents(document, tokens), op]
    value = op.get("value")
    if current is not _MISSING and tokens and tokens[-1] != _APPEND:
        if isinstance(_resolve(document, tokens[:-1]), list):
            return [*steps, {"op": "add", "path": op["path"], "value": value}]
        return [
            *steps,
            {"op": "test", "path": op["path"], "value": current},
            {"op": "replace", "path": op["path"], "value": value},
        ]
    return [*steps, *_nested_add(document, tokens, value)]


_SECRET_PLACES = re.compile(r"env|secret|password|token|credential|key", re.IGNORECASE)


def _value_guard(tokens: list[str], value: Any) -> list[dict[str, Any]]:
    """A ``test`` of the value about to change: its ``name`` for a named object, never a value kept
    where secrets live (environment variables, credentials), where the array-element name guard must do."""
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return [{"op": "test", "path": encode_pointer([*tokens, "name"]), "value": value["name"]}]
    if any(_SECRET_PLACES.search(token) for token in tokens):
        return []
    return [{"op": "test", "path": encode_pointer(tokens), "value": value}]


def _existing_depth(document: Any, tokens: list[str]) -> int:
    current = document
    for depth, token in enumerate(tokens):
        current = _child(current, token)
        if current is _MISSING:
            return depth
    return len(tokens)


def _nested_add(document: Any, tokens: list[str], value: Any) -> list[dict[str, Any]]:
    """One ``add`` at the deepest existing container, with the missing parents (objects, or arrays
    where the next token is ``-`` or ``0``) around ``value``."""
    depth = _existing_depth(document, tokens[:-1])
    container = _resolve(document, tokens[:depth])
    if not isinstance(container, (dict, list)):
        raise PatchError(f"{encode_pointer(tokens[: depth + 1])} cannot be created inside a value")
    if isinstance(container, list) and depth < len(tokens) - 1:
        raise PatchError(f"{encode_pointer(tokens[: depth + 1])} is not an element of the array")
    for key in reversed(tokens[depth + 1 :]):
        value = [value] if key in (_APPEND, "0") else {key: value}
    return [{"op": "add", "path": encode_pointer(tokens[: depth + 1]), "value": value}]


def _parents(document: Any, tokens: list[str]) -> list[dict[str, Any]]:
    """``add`` ops creating the missing parent objects of ``tokens`` (for move and copy)."""
    depth = _existing_depth(document, tokens[:-1])
    return [{"op": "add", "path": encode_pointer(tokens[: d + 1]), "value": {}} for d in range(depth, len(tokens) - 1)]

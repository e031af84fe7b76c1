"""Fix builders shared by the checks: config edits for either layout, with the commands
that apply them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agentcore_readiness.facts.project import CLI_CONFIG, TOOLKIT_CONFIG, Located, Runtime
from agentcore_readiness.model import Fix

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

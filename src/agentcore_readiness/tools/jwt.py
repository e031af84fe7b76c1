"""``diagnose_jwt_403``: the MCP tool over :mod:`agentcore_readiness.diagnose.jwt_403`,
which walks the skill's 403 steps (JWT001-JWT008) for one token; the tool runs that plain,
blocking walk in a worker thread and renders its answer as text."""

from __future__ import annotations

import functools
from typing import Annotated, Literal

import anyio.to_thread
from pydantic import Field

from agentcore_readiness.diagnose.jwt_403 import JwtDiagnosis, run_diagnosis
from agentcore_readiness.render.md import code, inline, prose
from agentcore_readiness.tools import ToolSpec


async def diagnose_jwt_403(
    token: Annotated[
        str | None,
        Field(description="The JWT sent as the Bearer token (it is decoded, never echoed back or logged)"),
    ] = None,
    request_headers: Annotated[
        dict[str, str] | str | None,
        Field(
            description="The failing request's headers: an object of names to values, 'Name: value' lines, a raw "
            "HTTP request or a curl command. Reveals SigV4 headers next to the Bearer token; its Bearer token is "
            "used when token is not given"
        ),
    ] = None,
    discovery_url: Annotated[
        str | None,
        Field(description="The runtime's discoveryUrl, when not read from the project (overrides it)"),
    ] = None,
    path: Annotated[
        str | None,
        Field(description="The project directory (relative: from the client's first root, else the working directory)"),
    ] = None,
    runtime: Annotated[
        str | None,
        Field(description="The runtime's name in the project (needed when it has several), or its ARN"),
    ] = None,
    fetch: Annotated[
        bool,
        Field(description="Fetch the discovery document and JWKS (https, public hosts only); false runs offline"),
    ] = True,
    allowed_clients: Annotated[
        list[str] | None, Field(description="The runtime's allowedClients, when not read from the project")
    ] = None,
    allowed_audience: Annotated[
        list[str] | None, Field(description="The runtime's allowedAudience, when not read from the project")
    ] = None,
    allowed_scopes: Annotated[
        list[str] | None, Field(description="The runtime's allowedScopes, when not read from the project")
    ] = None,
    authorizer_type: Annotated[
        Literal["CUSTOM_JWT", "AWS_IAM"] | None,
        Field(description="The runtime's authorizer type, when not read from the project"),
    ] = None,
) -> JwtDiagnosis:
    """Diagnose "403 with a valid token" on an AgentCore runtime: walks the skill's steps
    in order, one rule each (auth-method mismatch, issuer vs discovery URL,
    allowedClients vs allowedAudience, JWKS reachable with the token's kid, expiry,
    algorithm, signature, scopes and custom claims) and
    returns each step's status and evidence, and a verdict: the first failing step with
    its exact config fix, or "likely service-side" only when every step passes.
    """
    call = functools.partial(
        run_diagnosis,
        token,
        request_headers,
        discovery_url,
        path,
        runtime,
        fetch,
        allowed_clients=allowed_clients,
        allowed_audience=allowed_audience,
        allowed_scopes=allowed_scopes,
        authorizer_type=authorizer_type,
    )
    return await anyio.to_thread.run_sync(call)


_STEP_MARK = {"pass": "x", "fail": " ", "warn": " ", "not_applicable": "-"}


def diagnosis_markdown(diagnosis: JwtDiagnosis) -> str:
    """The verdict, its fix, and each step on one line, for the model to read."""
    verdict = diagnosis.verdict
    runtime = f" on runtime {inline(diagnosis.runtime)}" if diagnosis.runtime else ""
    lines = [
        f"**{verdict.outcome.replace('_', ' ')}**{runtime}: {prose(verdict.summary)}",
        "",
        f"Authorizer {diagnosis.authorizer_type or 'unknown'} from {prose(diagnosis.authorizer_source)}"
        + (f"; discovery URL {code(diagnosis.discovery_url)}" if diagnosis.discovery_url else "")
        + ("" if diagnosis.fetched else "; discovery document and JWKS not fetched")
        + ".",
    ]
    if verdict.fix is not None:
        lines.extend(["", f"Fix: {prose(verdict.fix.summary)}"])
        lines.extend(f"- {code(command)}" for command in verdict.fix.commands)
    lines.extend(["", "Steps:", ""])
    for step in diagnosis.steps:
        mark = _STEP_MARK.get(step.status, "?")
        lines.append(f"- [{mark}] {step.rule} {step.name} {step.status.replace('_', ' ')}: {prose(step.summary)}")
    for note in [*diagnosis.input_problems, *diagnosis.notes]:
        lines.append(f"- note: {prose(note)}")
    return "\n".join(lines) + "\n"


TOOLS = [ToolSpec(diagnose_jwt_403, "Diagnose a JWT 403 on a runtime", open_world=True, text=diagnosis_markdown)]

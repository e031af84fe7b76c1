"""What the JWT 403 diagnosis steps share: reading the diagnosis facts (or the verdict that
ends a step), quoting token values safely, and locating and fixing the runtime's JWT authorizer.
"""

from __future__ import annotations

import json
from typing import Any

from agentcore_readiness.checks.fixes import TOOLKIT_REDEPLOY, VALIDATE_AND_DEPLOY
from agentcore_readiness.checks.registry import Facts, Verdict, not_applicable, unknown
from agentcore_readiness.facts.jwt_input import AuthorizerFacts, DecodedToken, JwtFacts
from agentcore_readiness.facts.project.project_facts import CLI_CONFIG, TOOLKIT_CONFIG
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt

FAMILY = "JWT 403 diagnosis"


def _facts(facts: Facts) -> JwtFacts | None:
    value = facts.extra.get("jwt")
    return value if isinstance(value, JwtFacts) else None


def _missing() -> Verdict:
    return unknown("no token, headers or authorizer were given (this step runs in diagnose_jwt_403)")


def _not_jwt_runtime(jf: JwtFacts) -> Verdict | None:
    auth_type = jf.authorizer.auth_type
    if auth_type in ("AWS_IAM", "NONE"):
        return not_applicable(f"the runtime uses {auth_type}: it validates no JWT")
    return None


def _token_or_verdict(jf: JwtFacts) -> DecodedToken | Verdict:
    if jf.token is not None:
        return jf.token
    if jf.token_problem:
        return unknown(f"the token could not be read: {jf.token_problem}")
    return unknown("no token was given (pass token, or request headers with Authorization: Bearer)")


def _jwt_facts(facts: Facts) -> JwtFacts | Verdict:
    """The diagnosis facts of a runtime that validates JWTs, or the verdict that ends the step."""
    jf = _facts(facts)
    if jf is None:
        return _missing()
    verdict = _not_jwt_runtime(jf)
    return verdict if verdict is not None else jf


def _jwt_token(facts: Facts) -> tuple[JwtFacts, DecodedToken] | Verdict:
    """As :func:`_jwt_facts`, with the decoded token the step needs."""
    jf = _jwt_facts(facts)
    if isinstance(jf, Verdict):
        return jf
    token = _token_or_verdict(jf)
    return token if isinstance(token, Verdict) else (jf, token)


def _q(value: Any, limit: int = 120) -> str:
    """A value from the token or a document, safe to quote."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return excerpt(text, limit)


def _qs(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_q(v, 80) for v in values[:10]) + (", …" if len(values) > 10 else "") + "]"


def _subject(auth: AuthorizerFacts) -> str:
    return auth.runtime_name or "the runtime"


def _authorizer_location(auth: AuthorizerFacts, field: str | None = None) -> Location:
    runtime = auth.runtime
    if runtime is None:
        return Location()
    key = _authorizer_key(auth)
    tokens = [t for t in runtime.fields.get("authorizer", "/authorizerConfiguration").split("/") if t]
    return runtime.where.at(*tokens, key, *([field] if field else []))


def _authorizer_key(auth: AuthorizerFacts) -> str:
    runtime = auth.runtime
    if runtime is not None and runtime.jwt is not None:
        return runtime.jwt.key
    if runtime is not None and runtime.where.file == TOOLKIT_CONFIG:
        return "customJWTAuthorizer"
    return "customJwtAuthorizer"


def _authorizer_fix(auth: AuthorizerFacts, ops: list[tuple[str, str, Any]], summary: str) -> Fix:
    """A fix editing the runtime's JWT authorizer: ``ops`` are (op, field, value) with op
    ``add`` (set) or ``remove``. With a project the JSON Patch targets its file; without,
    the pointers are relative to the runtime's entry in ``agentcore.json``.
    """
    if not ops:
        return Fix(summary=summary)
    runtime = auth.runtime
    key = _authorizer_key(auth)
    if runtime is not None:
        base = runtime.where.base + runtime.fields.get("authorizer", "/authorizerConfiguration") + "/" + key
        file: str | None = runtime.where.file
    else:
        base = "/authorizerConfiguration/" + key
        file = None
    patch: list[dict[str, Any]] = []
    words: list[str] = []
    for op, field, value in ops:
        pointer = f"{base}/{field}"
        if op == "remove":
            patch.append({"op": "remove", "path": pointer})
            words.append(f"remove `{_shown_path(pointer, file)}`")
        else:
            patch.append({"op": "add", "path": pointer, "value": value})
            words.append(f"set `{_shown_path(pointer, file)}` to `{json.dumps(value)}`")
    changes = ", ".join(words)
    if file == TOOLKIT_CONFIG:
        text = f"{summary} In {TOOLKIT_CONFIG} {changes}, then redeploy."
        commands = [TOOLKIT_REDEPLOY]
    elif file == CLI_CONFIG:
        text = f"{summary} In {CLI_CONFIG} {changes}, then validate and deploy."
        commands = [VALIDATE_AND_DEPLOY]
    else:
        text = (
            f"{summary} In {CLI_CONFIG}, in the entry of {_subject(auth)} under `runtimes`, {changes}, "
            "then validate and deploy."
        )
        commands = [VALIDATE_AND_DEPLOY]
    return Fix(summary=text, commands=commands, patch=patch, patch_file=file)


def _shown_path(pointer: str, file: str | None) -> str:
    if file == TOOLKIT_CONFIG:
        return ".".join(p for p in pointer.split("/") if p)
    return pointer


def _discovery_for(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"

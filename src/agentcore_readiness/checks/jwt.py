"""The JWT 403 diagnosis steps (run by diagnose_jwt_403, not by review_project).

Each rule is one step of the skill's "Debugging JWT auth failures" walk, in its order:
the auth-method mismatch first, then issuer, claim type, JWKS, expiry and algorithm,
then the signature and the scope/claim rules AgentCore also enforces. They read
:class:`~agentcore_readiness.facts.jwt_input.JwtFacts` from ``facts.extra["jwt"]``; the
current time is ``facts.now``. Nothing here does I/O: the documents were fetched first,
and the signature check is a computation over the fetched keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from agentcore_readiness.checks.fixes import TOOLKIT_REDEPLOY, VALIDATE_AND_DEPLOY, runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, skipped, unknown
from agentcore_readiness.facts.jwt_input import AuthorizerFacts, DecodedToken, JwtFacts
from agentcore_readiness.facts.oidc import FetchProblem, classify_address
from agentcore_readiness.facts.project.project_facts import CLI_CONFIG, TOOLKIT_CONFIG
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt

FAMILY = "JWT 403 diagnosis"
ASYMMETRIC_ALGS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519"}
)
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")


# ---------------------------------------------------------------------------
# Shared helpers


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


def _duration(seconds: float) -> str:
    seconds = abs(int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _iso(timestamp: float) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{timestamp:g} (out of range)"


def _discovery_for(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def is_url_prefix(issuer: str, url: str) -> bool:
    """Whether ``issuer`` is a URL prefix of ``url``: same scheme, host and port, and the
    issuer's path a leading run of whole path segments of ``url``'s path.
    """
    try:
        a, b = urlsplit(issuer.strip()), urlsplit(url.strip())
        a_port = a.port or (443 if a.scheme.lower() == "https" else 80)
        b_port = b.port or (443 if b.scheme.lower() == "https" else 80)
    except ValueError:
        return False
    if a.scheme.lower() != b.scheme.lower() or (a.hostname or "") != (b.hostname or "") or a_port != b_port:
        return False
    if not a.hostname:
        return False
    prefix = a.path.rstrip("/")
    return not prefix or b.path == prefix or b.path.startswith(prefix + "/")


def _not_public(url: str) -> str | None:
    """Why AgentCore could not fetch ``url`` from the internet, or ``None``."""
    import ipaddress

    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() != "https":
        return "is not https"
    host = (parts.hostname or "").lower()
    if not host:
        return "has no host"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        kind = classify_address(address)
        return None if kind == "public" else f"is on a {kind} address"
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return "is on a local host name"
    return None


def _problem_status(problem: FetchProblem) -> str:
    """A DNS failure here may mean this machine is offline: unknown; anything else fails."""
    return "unknown" if problem.kind == "dns" else "fail"


# ---------------------------------------------------------------------------
# JWT001


@rule(
    "JWT001",
    "auth-method-mismatch",
    "high",
    ("T", "P"),
    "Request auth method does not match the runtime's authorizer",
    family=FAMILY,
    in_review=False,
    tools=("diagnose_jwt_403",),
)
def auth_method_mismatch(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Compares how the request authenticates with how the runtime is configured: a Bearer
    token sent to an `AWS_IAM` runtime, or SigV4 headers (`X-Amz-Date`,
    `X-Amz-Security-Token`, `Authorization: AWS4-HMAC-SHA256`, a presigned URL) sent to a
    `CUSTOM_JWT` runtime, alongside or instead of the Bearer token. Without request
    headers it can only catch the first case.

    ### Why is this bad?
    AgentCore answers 403 "Authorization method mismatch" before looking at the token:
    nothing about the token matters until the request uses the runtime's method.

    ### Example
    A caller builds a boto3 client (which signs every request with SigV4) and adds
    `Authorization: Bearer <jwt>` for a `CUSTOM_JWT` runtime.

    ### Fix
    For `CUSTOM_JWT`, call the invocation URL with a plain HTTPS client and send only
    `Authorization: Bearer <token>`. For `AWS_IAM`, sign with SigV4 (boto3
    `invoke_agent_runtime`) or reconfigure the runtime as `CUSTOM_JWT`.

    ### References
    - agents-harden skill, "Debugging JWT auth failures" ("Authorization method mismatch")
    """
    jf = _facts(facts)
    if jf is None:
        return _missing()
    auth = jf.authorizer
    request = jf.request
    subject = _subject(auth)
    if auth.auth_type == "NONE":
        return not_applicable(f"{subject} accepts unauthenticated calls (AUTH001): no auth method to mismatch")
    if request is None:
        if jf.request_problem:
            return unknown(f"the request headers could not be read: {jf.request_problem}")
        if auth.auth_type == "AWS_IAM" and (jf.token is not None or jf.token_problem):
            _bearer_to_iam(out, jf, "a Bearer token is being sent")
            return None
        if auth.auth_type == "CUSTOM_JWT":
            return skipped(
                "no request headers were given, so SigV4 headers next to the Bearer token could not be "
                "checked (pass request_headers)"
            )
        return unknown("the runtime's authorizer is not known (pass path, or discovery_url for a CUSTOM_JWT runtime)")
    markers = request.sigv4_markers
    sends_token = request.has_bearer or request.token_without_scheme
    shown = ", ".join(request.header_names[:20]) or "none"
    if auth.auth_type == "AWS_IAM":
        if sends_token:
            _bearer_to_iam(out, jf, "the request carries Authorization: Bearer")
        elif markers:
            out.note(f"SigV4-signed request to an AWS_IAM runtime ({'; '.join(markers)})")
        else:
            out.fail(
                f"{subject} uses AWS_IAM but the request is not SigV4-signed (no Authorization: AWS4-HMAC-SHA256)",
                _runtime_location(auth),
                evidence=f"request headers: {shown}",
                subject=auth.runtime_name,
                fix=Fix(
                    summary="Sign the call with SigV4: use the boto3 bedrock-agentcore client (invoke_agent_runtime)."
                ),
            )
        return None
    if auth.auth_type == "CUSTOM_JWT":
        if markers:
            out.fail(
                f"{subject} uses CUSTOM_JWT but the request is also SigV4-signed: {'; '.join(markers)}",
                _runtime_location(auth),
                evidence=f"request headers: {shown}",
                subject=auth.runtime_name,
                fix=Fix(
                    summary="Remove the SigV4 path and send only `Authorization: Bearer <token>`: call the "
                    "runtime's invocation URL with a plain HTTPS client (not a SigV4-signing boto3/botocore "
                    "client), and drop X-Amz-Date, X-Amz-Security-Token and any presigned query parameters."
                ),
            )
        elif request.token_without_scheme:
            out.fail(
                "the Authorization header holds a JWT without the `Bearer ` scheme word",
                evidence=f"request headers: {shown}",
                subject=auth.runtime_name,
                fix=Fix(summary="Send the header as `Authorization: Bearer <token>`."),
            )
        elif not request.has_bearer:
            scheme = request.authorization_scheme
            out.fail(
                f"{subject} uses CUSTOM_JWT but the request has no Authorization: Bearer header"
                + (f" (its Authorization scheme is {scheme})" if scheme else ""),
                evidence=f"request headers: {shown}",
                subject=auth.runtime_name,
                fix=Fix(summary="Send the identity provider's token as `Authorization: Bearer <token>`."),
            )
        else:
            if request.authorization_headers > 1:
                out.warn(
                    f"the request has {request.authorization_headers} Authorization headers; send exactly one",
                    evidence=f"request headers: {shown}",
                    subject=auth.runtime_name,
                )
            if jf.token_differs_from_request:
                out.warn(
                    "the token argument is not the request's Bearer token; the other steps check the token argument",
                    subject=auth.runtime_name,
                )
            out.note(f"Bearer token and no SigV4 headers, to a CUSTOM_JWT runtime (request headers: {shown})")
        return None
    if sends_token and markers:
        out.fail(
            f"the request mixes a Bearer token with SigV4 signing ({'; '.join(markers)}): one of them mismatches "
            "whichever authorizer the runtime has",
            evidence=f"request headers: {shown}",
            fix=Fix(summary="Send one auth method: only the Bearer token (CUSTOM_JWT) or only SigV4 (AWS_IAM)."),
        )
        return None
    return unknown("the runtime's authorizer is not known (pass path, or discovery_url for a CUSTOM_JWT runtime)")


def _runtime_location(auth: AuthorizerFacts) -> Location:
    runtime = auth.runtime
    if runtime is None:
        return Location()
    return runtime.loc("authorizerType") if runtime.authorizer_type else runtime.where.here


def _bearer_to_iam(out: Findings, jf: JwtFacts, how: str) -> None:
    auth = jf.authorizer
    runtime = auth.runtime
    subject = _subject(auth)
    summary = (
        f"Either sign the call with SigV4 (the boto3 bedrock-agentcore client's invoke_agent_runtime), or "
        f"switch {subject} to CUSTOM_JWT for your identity provider."
    )
    fix = Fix(summary=summary)
    token = jf.token
    if runtime is not None and token is not None and token.iss:
        template: dict[str, Any] = {"discoveryUrl": _discovery_for(token.iss)}
        if token.has_aud and token.audiences:
            template["allowedAudience"] = list(token.audiences)
        elif token.client_id:
            template["allowedClients"] = [token.client_id]
        if runtime.where.file == TOOLKIT_CONFIG:
            edits: list[tuple[str, Any]] = [("authorizer", {"customJWTAuthorizer": template})]
        else:
            edits = [("authorizerType", "CUSTOM_JWT"), ("authorizer", {"customJwtAuthorizer": template})]
        fix = runtime_edit(runtime, edits, summary)
    out.fail(
        f"{subject} uses AWS_IAM (SigV4), but {how}: AgentCore answers 403 'Authorization method mismatch'",
        _runtime_location(auth),
        evidence=f"authorizer from {auth.source}",
        subject=auth.runtime_name,
        fix=fix,
    )


# ---------------------------------------------------------------------------
# JWT002


@rule(
    "JWT002",
    "issuer-not-discovery-prefix",
    "high",
    ("T", "P"),
    "Issuer is not a URL prefix of the discovery URL",
    family=FAMILY,
    in_review=False,
    tools=("diagnose_jwt_403",),
)
def issuer_not_discovery_prefix(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Checks that the issuer is a URL prefix of the runtime's discovery URL (same scheme,
    host and port; the issuer's path a leading part of the discovery path). The issuer is
    the discovery document's `issuer` when it was fetched, else the token's `iss`. When
    both are known it also checks that the token's `iss` is exactly the document's
    `issuer`.

    ### Why is this bad?
    AgentCore enforces RFC 8414 §3: a discovery document served from
    `https://qa.example.com` that advertises the issuer `https://example.com` is
    rejected, and every token fails with 403 "Invalid inbound token". PingFederate,
    Paylocity and some Keycloak setups do this.

    ### Example
    `discoveryUrl: https://qa.example.com/.well-known/openid-configuration`, document
    and token issuer `https://example.com`.

    ### Fix
    Serve discovery from the issuer's own origin (an identity-provider setting), or point
    the runtime at `<issuer>/.well-known/openid-configuration`.

    ### References
    - agents-harden skill, "Issuer ↔ discovery URL prefix requirement"; RFC 8414 §3
    """
    jf = _jwt_facts(facts)
    if isinstance(jf, Verdict):
        return jf
    auth = jf.authorizer
    discovery = auth.jwt.discovery_url if auth.jwt else None
    if not discovery:
        return unknown("the runtime's discovery URL is not known (pass path or discovery_url)")
    doc_issuer = jf.oidc.issuer if jf.oidc is not None and not jf.discovery_from_token else None
    token_iss = jf.token.iss if jf.token is not None else None
    if doc_issuer is not None:
        issuer, source = doc_issuer, "the discovery document"
    elif token_iss is not None:
        issuer, source = token_iss, "the token's iss"
    elif jf.token is not None:
        return unknown("the token has no iss claim and the discovery document was not read")
    else:
        return unknown("neither the discovery document nor a token gives the issuer")
    evidence = f"discovery URL {_q(discovery, 300)}; issuer {_q(issuer, 300)} (from {source})"
    if not is_url_prefix(issuer, discovery):
        suggested = _discovery_for(issuer)
        out.fail(
            f"the issuer {_q(issuer)} (from {source}) is not a URL prefix of the discovery URL {_q(discovery)}",
            _authorizer_location(auth, "discoveryUrl"),
            evidence=evidence,
            subject=auth.runtime_name,
            fix=_authorizer_fix(
                auth,
                [("add", "discoveryUrl", suggested)],
                "Serve the discovery document from the issuer's origin (identity-provider setting), or point the "
                "runtime at the discovery URL on the issuer's domain.",
            ),
        )
        return None
    if doc_issuer is not None and token_iss is not None and token_iss != doc_issuer:
        near = token_iss.rstrip("/") == doc_issuer.rstrip("/")
        out.fail(
            f"the token's iss {_q(token_iss)} is not the issuer {_q(doc_issuer)} the discovery document declares"
            + (" (they differ only by a trailing slash, which still fails an exact comparison)" if near else ""),
            _authorizer_location(auth, "discoveryUrl"),
            evidence=evidence,
            subject=auth.runtime_name,
            fix=_authorizer_fix(
                auth,
                [("add", "discoveryUrl", _discovery_for(token_iss))],
                "Use a token from the identity provider this discovery URL describes, or point the runtime at the "
                "token issuer's discovery URL.",
            ),
        )
        return None
    if doc_issuer is not None and token_iss is None and jf.token is not None:
        out.warn("the token has no iss claim: the validator cannot match it to the issuer", evidence=evidence)
        return None
    out.note(evidence + ": prefix holds" + (" and the token's iss matches" if doc_issuer and token_iss else ""))
    return None


# ---------------------------------------------------------------------------
# JWT003


@rule(
    "JWT003",
    "claim-type-mismatch",
    "high",
    ("T", "P"),
    "allowedClients / allowedAudience do not match the token's claims",
    family=FAMILY,
    in_review=False,
    tools=("diagnose_jwt_403",),
)
def claim_type_mismatch(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Matches the token's `client_id` and `aud` claims against the runtime's
    `allowedClients` and `allowedAudience`. A token with `client_id` and no `aud`
    (a Cognito access token) needs `allowedClients`; a token with `aud` (an ID token, most
    other IdPs' access tokens) needs `allowedAudience`; a configured list must contain the
    token's value. A token with both, checked only by `allowedClients`, warns: prefer
    `allowedAudience`.

    ### Why is this bad?
    This is the most common JWT misconfiguration: the runtime validates a claim the token
    does not carry, and every call gets 403 even with a valid token.

    ### Example
    `allowedAudience: ["my-api"]` with a Cognito access token (`client_id`, no `aud`).

    ### Fix
    Set the list that matches the token: `allowedClients: ["<client_id>"]` for tokens
    with `client_id` and no `aud`, `allowedAudience: ["<aud>"]` otherwise; the finding
    carries the exact `agentcore.json` change.

    ### References
    - agents-harden skill, "Choosing allowedClients vs allowedAudience"
    """
    step = _jwt_token(facts)
    if isinstance(step, Verdict):
        return step
    jf, token = step
    auth = jf.authorizer
    if auth.jwt is None or not auth.allowed_known:
        return unknown("the runtime's allowedClients / allowedAudience are not known (pass path or allowed_clients)")
    audience = auth.jwt.allowed_audience
    clients = auth.jwt.allowed_clients
    aud = token.audiences
    client_id = token.client_id
    evidence = (
        f"token: aud {_qs(aud) if token.has_aud else 'absent'}, client_id {_q(client_id) if client_id else 'absent'}; "
        f"runtime: allowedAudience {_qs(audience) if audience else 'unset'}, "
        f"allowedClients {_qs(clients) if clients else 'unset'}"
    )
    subject = auth.runtime_name
    if not audience and not clients:
        out.note(f"{evidence}: the runtime checks neither aud nor client_id (AUTH002 flags that)")
        return None
    if audience:
        if not token.has_aud:
            if client_id:
                ops: list[tuple[str, str, Any]] = [("remove", "allowedAudience", None)]
                if client_id not in clients:
                    ops.append(("add", "allowedClients", [*clients, client_id]))
                out.fail(
                    "the runtime checks allowedAudience but the token has no aud claim; it has client_id "
                    f"{_q(client_id)} (a Cognito access token): configure allowedClients instead",
                    _authorizer_location(auth, "allowedAudience"),
                    evidence=evidence,
                    subject=subject,
                    fix=_authorizer_fix(auth, ops, "Validate the client_id claim the token carries."),
                )
            else:
                out.fail(
                    "the runtime checks allowedAudience but the token has no aud claim",
                    _authorizer_location(auth, "allowedAudience"),
                    evidence=evidence,
                    subject=subject,
                    fix=Fix(
                        summary="Have the identity provider put your API's audience in the token (request the "
                        "token for that audience/resource), or check a claim the token carries."
                    ),
                )
        elif not set(aud) & set(audience):
            out.fail(
                f"the token's aud {_qs(aud)} matches none of allowedAudience {_qs(audience)}",
                _authorizer_location(auth, "allowedAudience"),
                evidence=evidence,
                subject=subject,
                fix=_authorizer_fix(
                    auth,
                    [("add", "allowedAudience", [*audience, aud[0]])] if aud else [],
                    "Allow the audience the token is issued for (or request the token for a configured audience).",
                ),
            )
    if clients:
        if not client_id:
            ops = [("remove", "allowedClients", None)]
            if aud and not set(aud) & set(audience):
                ops.append(("add", "allowedAudience", [*audience, *aud[:1]]))
            out.fail(
                "the runtime checks allowedClients but the token has no client_id claim"
                + (f"; it has aud {_qs(aud)} (an ID-token style): configure allowedAudience instead" if aud else ""),
                _authorizer_location(auth, "allowedClients"),
                evidence=evidence,
                subject=subject,
                fix=_authorizer_fix(auth, ops, "Validate the aud claim the token carries.")
                if aud
                else Fix(summary="Use a token that carries client_id, or check a claim this token carries."),
            )
        elif client_id not in clients:
            out.fail(
                f"the token's client_id {_q(client_id)} is not in allowedClients {_qs(clients)}",
                _authorizer_location(auth, "allowedClients"),
                evidence=evidence,
                subject=subject,
                fix=_authorizer_fix(
                    auth,
                    [("add", "allowedClients", [*clients, client_id])],
                    "Allow the app client that requests the token (or use a token from an allowed client).",
                ),
            )
        elif token.has_aud and not audience:
            out.warn(
                "the token carries both aud and client_id and the runtime checks only allowedClients: prefer "
                "allowedAudience, the standard audience check",
                _authorizer_location(auth, "allowedClients"),
                evidence=evidence,
                subject=subject,
                fix=_authorizer_fix(
                    auth,
                    [("add", "allowedAudience", list(aud[:1]))],
                    "Check the token's audience as well.",
                ),
            )
    out.note(evidence)
    return None


# ---------------------------------------------------------------------------
# JWT004


@rule(
    "JWT004",
    "jwks-unreachable",
    "high",
    ("T",),
    "Discovery document or JWKS unreachable, or lacks the token's key",
    family=FAMILY,
    in_review=False,
    tools=("diagnose_jwt_403",),
)
def jwks_unreachable(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fetches the discovery document, then its `jwks_uri` (https only, on public addresses,
    with timeouts and a size cap), and checks that each is a JSON object (the JWKS with a
    `keys` array), that both URLs are publicly reachable https URLs (not localhost or a
    private address), and that the JWKS has a key with the token's `kid`.

    ### Why is this bad?
    AgentCore fetches the keys from the internet to verify every token. A discovery
    document it cannot read, a `jwks_uri` on a private host, or a JWKS without the key
    that signed the token fails every call with 403.

    ### Example
    The discovery document's `jwks_uri` is `https://idp.internal/keys`, or the token's
    `kid` is from another environment's signing key.

    ### Fix
    Publish the discovery document and JWKS on a public https endpoint; use tokens signed
    by a key the JWKS publishes (a token of the same issuer and environment, after a key
    rotation has propagated).

    ### References
    - agents-harden skill, "Debugging JWT auth failures" (JWKS reachability)
    """
    jf = _jwt_facts(facts)
    if isinstance(jf, Verdict):
        return jf
    oidc = jf.oidc
    if oidc is None:
        reason = jf.not_fetched or "the identity provider was not contacted"
        return skipped(reason) if not jf.fetch_requested else unknown(reason)
    subject = jf.authorizer.runtime_name
    derived = " (derived from the token's iss)" if jf.discovery_from_token else ""
    for problem, what in ((oidc.discovery_problem, "the discovery document"), (oidc.jwks_problem, "the JWKS")):
        if problem is None:
            continue
        text = f"{what} cannot be used: {problem.describe()}"
        if _problem_status(problem) == "unknown":
            return unknown(text + "; if this machine is online, AgentCore likely cannot resolve it either")
        out.fail(
            text,
            _authorizer_location(jf.authorizer, "discoveryUrl"),
            evidence=f"discovery URL {_q(oidc.discovery_url, 300)}{derived}",
            subject=subject,
            fix=Fix(
                summary="Serve the discovery document and the JWKS over public https with HTTP 200 and JSON "
                "bodies (`jwks_uri` in the document, `keys` in the JWKS); check the URL in a browser from "
                "outside your network."
            ),
        )
        return None
    for label, url in (("the discovery URL", oidc.discovery_url), ("the jwks_uri", oidc.jwks_uri)):
        why = _not_public(url) if url else None
        if why:
            out.fail(
                f"{label} {_q(url, 200)} {why}: AgentCore fetches it from the internet",
                _authorizer_location(jf.authorizer, "discoveryUrl") if label == "the discovery URL" else Location(),
                evidence=f"discovery URL {_q(oidc.discovery_url, 300)}{derived}",
                subject=subject,
                fix=Fix(summary="Publish the identity provider's discovery document and JWKS on a public https host."),
            )
    keys = oidc.keys
    kids = [k.get("kid") for k in keys]
    evidence = (
        f"discovery {_q(oidc.discovery_final_url or oidc.discovery_url, 200)}{derived} -> jwks_uri "
        f"{_q(oidc.jwks_final_url or oidc.jwks_uri or '', 200)}: {len(keys)} key(s)"
        + (f", kid {_qs([str(k) for k in kids if k is not None])}" if any(k is not None for k in kids) else "")
    )
    if not keys:
        out.fail("the JWKS has no keys", evidence=evidence, subject=subject)
        return None
    token = jf.token
    if token is not None:
        kid = token.kid
        if kid is not None and kid not in kids:
            out.fail(
                f"the JWKS has no key with the token's kid {_q(kid)}",
                evidence=evidence,
                subject=subject,
                fix=Fix(
                    summary="The token was signed by a key this identity provider does not publish: get the token "
                    "from the issuer and environment the discovery URL points at, or wait for a key rotation to "
                    "reach the JWKS."
                ),
            )
            return None
        if kid is None and len(keys) > 1:
            out.warn(
                f"the token has no kid and the JWKS has {len(keys)} keys: the validator may not pick the right one",
                evidence=evidence,
                subject=subject,
            )
            return None
    out.note(evidence + (f"; the token's kid {_q(token.kid)} is published" if token and token.kid else ""))
    return None


# ---------------------------------------------------------------------------
# JWT005


@rule(
    "JWT005",
    "token-expired",
    "high",
    ("T",),
    "Token expired (or not yet valid)",
    family=FAMILY,
    in_review=False,
    tools=("diagnose_jwt_403",),
)
def token_expired(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Compares the token's `exp` with the time of the diagnosis and says how long ago it
    expired. A `nbf` (not before) in the future warns, as does a token with no `exp`.

    ### Why is this bad?
    An expired token gets 403 however right everything else is; callers that cache
    tokens without refreshing fail once the token's lifetime (often 1 h) has passed.

    ### Example
    `exp` 2 h ago: a token pasted from an earlier session.

    ### Fix
    Request a fresh token, and make the caller refresh before `exp` (or on 401/403). For
    a future `nbf`, check the clocks of the identity provider and the caller.

    ### References
    - agents-harden skill, "Debugging JWT auth failures" (token expired)
    """
    step = _jwt_token(facts)
    if isinstance(step, Verdict):
        return step
    jf, token = step
    now = facts.now.timestamp()
    subject = jf.authorizer.runtime_name
    try:
        exp = token.numeric_date("exp")
    except ValueError:
        out.fail("the token's exp claim is not a number (NumericDate)", subject=subject)
        return None
    if exp is None:
        out.warn("the token has no exp claim: validators usually reject tokens without an expiry", subject=subject)
    elif exp <= now:
        out.fail(
            f"the token expired {_duration(now - exp)} ago (exp {_iso(exp)})",
            evidence=f"exp {_iso(exp)}; now {_iso(now)}",
            subject=subject,
            fix=Fix(
                summary="Request a fresh token from the identity provider, and refresh it in the caller before exp."
            ),
        )
        return None
    try:
        nbf = token.numeric_date("nbf")
    except ValueError:
        out.fail("the token's nbf claim is not a number (NumericDate)", subject=subject)
        return None
    if nbf is not None and nbf > now:
        out.warn(
            f"the token is not valid for another {_duration(nbf - now)} (nbf {_iso(nbf)}): clock skew between the "
            "identity provider and this machine?",
            evidence=f"nbf {_iso(nbf)}; now {_iso(now)}",
            subject=subject,
        )
        return None
    if exp is not None:
        out.note(f"expires in {_duration(exp - now)} (exp {_iso(exp)}; now {_iso(now)})")
    return None


# ---------------------------------------------------------------------------
# JWT006


@rule(
    "JWT006",
    "signing-algorithm-unsupported",
    "medium",
    ("T",),
    "Token signing algorithm unsupported",
    family=FAMILY,
    in_review=False,
    tools=("diagnose_jwt_403",),
)
def signing_algorithm_unsupported(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Reads the token header's `alg`: `RS256` passes; other public-key algorithms (`PS256`,
    `ES256`, `ES384`, `EdDSA`, …) warn; `none` and the shared-secret `HS*` algorithms
    fail, as does a missing or unknown `alg`.

    ### Why is this bad?
    AgentCore verifies tokens with the identity provider's published public keys: an
    unsigned or HMAC-signed token can never verify, and some identity providers sign with
    algorithms that are not universally supported.

    ### Example
    A token whose header is `{"alg": "HS256"}` from a development identity provider.

    ### Fix
    Configure the identity provider (or its app client) to sign access tokens with RS256.

    ### References
    - agents-harden skill, "Debugging JWT auth failures" (signing algorithm support)
    """
    step = _jwt_token(facts)
    if isinstance(step, Verdict):
        return step
    jf, token = step
    alg = token.alg
    subject = jf.authorizer.runtime_name
    fix = Fix(summary="Configure the identity provider to sign the tokens with RS256.")
    if alg is None:
        out.fail("the token header has no alg", evidence="header: " + _q(dict(token.header), 200), subject=subject)
    elif alg.lower() == "none":
        out.fail("the token is unsigned (alg none): it can never verify", evidence="alg none", subject=subject, fix=fix)
    elif alg.upper().startswith("HS"):
        out.fail(
            f"the token is signed with {_q(alg)}, a shared-secret algorithm: AgentCore verifies with the identity "
            "provider's public keys",
            evidence=f"alg {_q(alg)}",
            subject=subject,
            fix=fix,
        )
    elif alg == "RS256":
        out.note("alg RS256")
    elif alg in ASYMMETRIC_ALGS:
        out.warn(
            f"the token is signed with {_q(alg)}: not universally supported; switch to RS256 if compatibility is "
            "the issue",
            evidence=f"alg {_q(alg)}",
            subject=subject,
            fix=fix,
        )
    else:
        out.fail(f"the token's alg {_q(alg)} is not a known JWS algorithm", evidence=f"alg {_q(alg)}", subject=subject)
    return None


# ---------------------------------------------------------------------------
# JWT007


@rule(
    "JWT007",
    "signature-invalid",
    "high",
    ("T",),
    "Token signature does not verify against the JWKS",
    family=FAMILY,
    in_review=False,
    tools=("diagnose_jwt_403",),
)
def signature_invalid(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Verifies the token's signature with the JWKS key of its `kid` (PyJWT), using the
    algorithm of the token header; a key whose type cannot serve that algorithm, or
    whose own `alg` differs, fails too.

    ### Why is this bad?
    A token that does not verify is rejected with 403: it was altered, truncated when
    copied, or signed by a different key that reuses the `kid` (another environment or
    tenant of the identity provider).

    ### Example
    A token from the staging identity provider, whose key shares the `kid` of production.

    ### Fix
    Get the token from the issuer the discovery URL describes and send it unmodified.

    ### References
    - RFC 7515 (JWS); agents-harden skill, "Debugging JWT auth failures"
    """
    step = _jwt_token(facts)
    if isinstance(step, Verdict):
        return step
    jf, token = step
    alg = token.alg
    if alg is None or alg.lower() == "none" or alg.upper().startswith("HS"):
        return skipped(f"a token with alg {_q(alg or 'absent')} cannot be verified with public keys (JWT006)")
    oidc = jf.oidc
    if oidc is None:
        reason = jf.not_fetched or "the identity provider was not contacted"
        return skipped(reason) if not jf.fetch_requested else unknown(reason)
    if not oidc.jwks_ok or not oidc.keys:
        return unknown("the JWKS could not be read (JWT004)")
    kid = token.kid
    if kid is not None:
        candidates = [k for k in oidc.keys if k.get("kid") == kid]
        if not candidates:
            return unknown(f"the JWKS has no key with kid {_q(kid)} (JWT004)")
    else:
        candidates = list(oidc.keys)
    from jwt.algorithms import get_default_algorithms
    from jwt.exceptions import PyJWTError

    algorithms = get_default_algorithms()
    if alg not in algorithms:
        return unknown(f"alg {_q(alg)} is not supported by the verifier")
    algorithm = algorithms[alg]
    subject = jf.authorizer.runtime_name
    unusable: list[str] = []
    for jwk in candidates:
        label = _q(str(jwk.get("kid", "(no kid)")), 80)
        try:
            key = algorithm.from_jwk(dict(jwk))
        except (PyJWTError, ValueError, TypeError, KeyError, AttributeError):
            unusable.append(f"{label} ({_q(str(jwk.get('kty', '?')), 10)})")
            continue
        if algorithm.verify(token.signing_input, key, token.signature):
            declared = jwk.get("alg")
            if isinstance(declared, str) and declared != alg:
                out.fail(
                    f"the signature verifies, but the JWKS key {label} is declared for {_q(declared)} and the token "
                    f"says {_q(alg)}: validators reject the mismatch",
                    evidence=f"kid {label}; key alg {_q(declared)}; token alg {_q(alg)}",
                    subject=subject,
                    fix=Fix(summary="Sign with the algorithm the key is published for (RS256)."),
                )
                return None
            out.note(f"the signature verifies with key {label} ({alg})")
            return None
    if unusable and len(unusable) == len(candidates):
        out.fail(
            f"the JWKS key {', '.join(unusable)} cannot verify a {_q(alg)} signature (wrong key type)",
            evidence=f"token alg {_q(alg)}",
            subject=subject,
            fix=Fix(summary="Publish the key that signs the tokens, of the type the algorithm needs, in the JWKS."),
        )
        return None
    out.fail(
        f"the token's signature does not verify with the JWKS key {_q(kid) if kid else '(any key)'}",
        evidence=f"token alg {_q(alg)}; {len(candidates)} candidate key(s); token fingerprint {token.fingerprint}",
        subject=subject,
        fix=Fix(
            summary="The token was altered or truncated, or signed by another key under the same kid (another "
            "environment or tenant): get a fresh token from the issuer this discovery URL describes and send it "
            "unmodified."
        ),
    )
    return None


# ---------------------------------------------------------------------------
# JWT008


@rule(
    "JWT008",
    "scope-or-claim-mismatch",
    "medium",
    ("T", "P"),
    "Token does not satisfy allowedScopes or customClaims",
    family=FAMILY,
    in_review=False,
    tools=("diagnose_jwt_403",),
)
def scope_or_claim_mismatch(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    When the runtime sets `allowedScopes`, checks that the token's `scope` (or `scp`)
    carries at least one of them. For each `customClaims` rule, checks the named claim:
    `STRING` with `EQUALS` (`matchValueString`), `STRING_ARRAY` with `CONTAINS` (the array
    holds the value) or `CONTAINS_ANY` (the array holds one of `matchValueStringList`).

    ### Why is this bad?
    A token that passes issuer, audience, expiry and signature checks is still refused
    with 403 when it lacks the scope or claim value the runtime requires.

    ### Example
    `allowedScopes: ["agent/invoke"]` with a client-credentials token requested without
    a scope; `customClaims` requiring `department` = `engineering` for a user in `sales`.

    ### Fix
    Request the token with a required scope (grant that scope to the app client), or give
    the user the required claim value; or correct the runtime's rule if it is wrong.

    ### References
    - AgentCore API, `CustomJWTAuthorizerConfiguration` (`allowedScopes`, `customClaims`)
    """
    jf = _jwt_facts(facts)
    if isinstance(jf, Verdict):
        return jf
    auth = jf.authorizer
    if auth.jwt is None or not auth.allowed_known:
        return unknown("the runtime's allowedScopes / customClaims are not known (pass path or allowed_scopes)")
    allowed_scopes = auth.jwt.allowed_scopes
    rules = auth.jwt.custom_claims
    if not allowed_scopes and not rules:
        return not_applicable("the runtime checks no scopes or custom claims")
    token = _token_or_verdict(jf)
    if isinstance(token, Verdict):
        return token
    subject = auth.runtime_name
    if allowed_scopes:
        have = token.scopes
        evidence = f"token scopes {_qs(have) if have else 'none'}; allowedScopes {_qs(allowed_scopes)}"
        if not set(have) & set(allowed_scopes):
            out.fail(
                f"the token carries none of allowedScopes {_qs(allowed_scopes)}",
                _authorizer_location(auth, "allowedScopes"),
                evidence=evidence,
                subject=subject,
                fix=Fix(
                    summary=f"Request the token with scope {_q(allowed_scopes[0])} (grant it to the app client; for "
                    "client credentials pass `scope=` in the token request)."
                ),
            )
        else:
            out.note(evidence)
    for index, claim_rule in enumerate(rules):
        _check_claim_rule(out, auth, token, index, claim_rule)
    return None


def _check_claim_rule(out: Findings, auth: AuthorizerFacts, token: DecodedToken, index: int, spec: Any) -> None:
    subject = auth.runtime_name
    where = _authorizer_location(auth, "customClaims")
    label = f"customClaims[{index}]"
    if not isinstance(spec, Mapping):
        out.warn(f"{label} is not an object; it cannot be evaluated", where, subject=subject)
        return
    name = spec.get("inboundTokenClaimName")
    value_type = spec.get("inboundTokenClaimValueType")
    raw_match = spec.get("authorizingClaimMatchValue")
    match: Mapping[str, Any] = raw_match if isinstance(raw_match, Mapping) else {}
    operator = match.get("claimMatchOperator")
    raw_values = match.get("claimMatchValue")
    values: Mapping[str, Any] = raw_values if isinstance(raw_values, Mapping) else {}
    expected = values.get("matchValueString")
    expected_list = values.get("matchValueStringList")
    if not isinstance(name, str) or value_type not in ("STRING", "STRING_ARRAY") or not isinstance(operator, str):
        out.warn(f"{label} is incomplete (claim name, value type and operator are required)", where, subject=subject)
        return
    shown_name = _q(name, 80)
    if name not in token.claims:
        out.fail(
            f"the token has no {shown_name} claim, which {label} requires",
            where,
            evidence=f"token claims: {_qs(sorted(token.claims))}",
            subject=subject,
            fix=Fix(summary=f"Have the identity provider add the {shown_name} claim to the token."),
        )
        return
    actual = token.claims[name]
    evidence = f"{shown_name} = {_q(actual, 120)}; {label}: {value_type} {operator} {_q(dict(values), 160)}"
    ok: bool
    if value_type == "STRING":
        if not isinstance(actual, str):
            out.fail(f"the token's {shown_name} is not a string ({label} expects STRING)", where, evidence=evidence)
            return
        ok = operator == "EQUALS" and isinstance(expected, str) and actual == expected
    else:
        if not isinstance(actual, list):
            out.fail(
                f"the token's {shown_name} is not an array ({label} expects STRING_ARRAY)", where, evidence=evidence
            )
            return
        present = {v for v in actual if isinstance(v, str)}
        if operator == "CONTAINS":
            needle = expected if isinstance(expected, str) else None
            if needle is None and isinstance(expected_list, list) and expected_list:
                needle = expected_list[0]
            ok = needle in present
        elif operator == "CONTAINS_ANY":
            wanted = set(expected_list) if isinstance(expected_list, list) else {expected}
            ok = bool(present & wanted)
        else:
            ok = isinstance(expected, str) and expected in present
    if ok:
        out.note(evidence + ": satisfied")
        return
    out.fail(
        f"the token's {shown_name} does not satisfy {label} ({value_type} {operator})",
        where,
        evidence=evidence,
        subject=subject,
        fix=Fix(
            summary=f"Give the caller the required {shown_name} value at the identity provider, or correct {label} "
            "if the rule is wrong."
        ),
    )

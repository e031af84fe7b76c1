"""Request auth method against the runtime's authorizer (JWT001)."""

from __future__ import annotations

from typing import Any

from agentcore_readiness.checks.fixes import runtime_edit
from agentcore_readiness.checks.jwt.common import FAMILY, _discovery_for, _facts, _missing, _subject
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, skipped, unknown
from agentcore_readiness.facts.jwt_input import AuthorizerFacts, JwtFacts, RequestAuth
from agentcore_readiness.facts.project.project_facts import TOOLKIT_CONFIG
from agentcore_readiness.model import Fix, Location


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
    if auth.auth_type == "NONE":
        return not_applicable(f"{_subject(auth)} accepts unauthenticated calls (AUTH001): no auth method to mismatch")
    if request is None:
        return _without_request(out, jf)
    shown = ", ".join(request.header_names[:20]) or "none"
    if auth.auth_type == "AWS_IAM":
        _request_to_iam(out, jf, request, shown)
        return None
    if auth.auth_type == "CUSTOM_JWT":
        _request_to_custom_jwt(out, jf, request, shown)
        return None
    markers = request.sigv4_markers
    if (request.has_bearer or request.token_without_scheme) and markers:
        out.fail(
            f"the request mixes a Bearer token with SigV4 signing ({'; '.join(markers)}): one of them mismatches "
            "whichever authorizer the runtime has",
            evidence=f"request headers: {shown}",
            fix=Fix(summary="Send one auth method: only the Bearer token (CUSTOM_JWT) or only SigV4 (AWS_IAM)."),
        )
        return None
    return unknown("the runtime's authorizer is not known (pass path, or discovery_url for a CUSTOM_JWT runtime)")


def _without_request(out: Findings, jf: JwtFacts) -> Verdict | None:
    """The step without request headers: only a token sent to an AWS_IAM runtime can be caught."""
    auth = jf.authorizer
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


def _request_to_iam(out: Findings, jf: JwtFacts, request: RequestAuth, shown: str) -> None:
    """A request to an AWS_IAM runtime: it must be SigV4-signed and carry no Bearer token."""
    auth = jf.authorizer
    markers = request.sigv4_markers
    if request.has_bearer or request.token_without_scheme:
        _bearer_to_iam(out, jf, "the request carries Authorization: Bearer")
    elif markers:
        out.note(f"SigV4-signed request to an AWS_IAM runtime ({'; '.join(markers)})")
    else:
        out.fail(
            f"{_subject(auth)} uses AWS_IAM but the request is not SigV4-signed (no Authorization: AWS4-HMAC-SHA256)",
            _runtime_location(auth),
            evidence=f"request headers: {shown}",
            subject=auth.runtime_name,
            fix=Fix(summary="Sign the call with SigV4: use the boto3 bedrock-agentcore client (invoke_agent_runtime)."),
        )


def _request_to_custom_jwt(out: Findings, jf: JwtFacts, request: RequestAuth, shown: str) -> None:
    """A request to a CUSTOM_JWT runtime: one ``Authorization: Bearer`` header and no SigV4 signing."""
    auth = jf.authorizer
    subject = _subject(auth)
    markers = request.sigv4_markers
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

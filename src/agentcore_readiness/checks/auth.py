"""Inbound authentication of runtimes and gateways."""

from __future__ import annotations

import re
from typing import Any

from agentcore_readiness.checks.fixes import (
    VALIDATE_AND_DEPLOY,
    Move,
    jwt_authorizer_template,
    located_edit,
    runtime_edit,
)
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.aws.model import DeployedView, deployed_gateways, deployed_runtimes
from agentcore_readiness.facts.project.project_facts import CLI_CONFIG, JwtAuthorizer, Located
from agentcore_readiness.model import Fix, Location

DISCOVERY_URL = re.compile(
    r"^https://[^\s?#/]+(?:/[^\s?#]*)?/\.well-known/(?:openid-configuration|oauth-authorization-server)(?:/[^\s?#]*)?$"
)


@rule(
    "AUTH001",
    "runtime-auth-none",
    "critical",
    ("P", "A"),
    "Runtime inbound auth is NONE",
    family="Authentication",
    checklist=("auth.not_none",),
    aws=("runtimes",),
    tools=("check_auth",),
)
def runtime_auth_none(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails when a runtime's inbound authorizer is `NONE`: in `agentcore.json`
    (`runtimes[].authorizerType`), in `.bedrock_agentcore.yaml`
    (`authorizer_configuration: NONE`) or, with AWS access, on the deployed runtime.
    An absent `authorizerType` means `AWS_IAM` and passes.

    ### Why is this bad?
    Anyone who learns the invocation URL can call the agent, spend your model budget
    and reach every tool and credential the agent holds.

    ### Example
    ```json
    {"name": "Agent", "authorizerType": "NONE"}
    ```

    ### Fix
    Set `authorizerType` to `AWS_IAM` (callers sign with SigV4) or `CUSTOM_JWT` with a
    `customJwtAuthorizer`, then `agentcore validate && agentcore deploy`. Change it
    immediately.

    ### References
    - agents-harden skill, "Inbound auth: Control who can call your agent"
    """
    runtimes = facts.project.runtimes
    deployed = deployed_runtimes(facts.aws("runtimes"))
    if not runtimes and not deployed.items and not deployed.unknowns:
        return not_applicable("the project defines no runtimes")
    for runtime_facts, config in deployed.items:
        # The API has no NONE: no customJWTAuthorizer means SigV4 (IAM).
        out.note(f"{runtime_facts.label} (deployed): {config.authorizer}")
    undetermined: list[str] = []
    for runtime in runtimes:
        declared = (runtime.authorizer_type or "").upper()
        if declared and declared not in ("NONE", "AWS_IAM", "CUSTOM_JWT"):
            undetermined.append(
                f"{runtime.name}: authorizer {runtime.authorizer_type!r} is not NONE, AWS_IAM or CUSTOM_JWT"
            )
            continue
        if declared == "NONE":
            out.fail(
                f"runtime {runtime.name!r} accepts unauthenticated calls (authorizerType NONE)",
                runtime.loc("authorizerType"),
                subject=runtime.name,
                fix=runtime_edit(
                    runtime,
                    [("authorizerType", "AWS_IAM")],
                    f"Require authentication on {runtime.name} now: AWS_IAM (SigV4 callers) or CUSTOM_JWT.",
                ),
            )
        else:
            out.note(
                f"{runtime.name}: {runtime.effective_authorizer}" + ("" if runtime.authorizer_type else " (default)")
            )
    if undetermined and not out.items:
        return unknown("; ".join(undetermined) + " (see CFG001)")
    return _aws_unknown(out, deployed)


_PLACEHOLDER_DISCOVERY = "https://<your-idp>/.well-known/openid-configuration"

JwtProblem = tuple[str, str, str, list[tuple[str, Any]]]


def _jwt_problems(jwt: JwtAuthorizer | None, expected_key: str, where_base: str) -> list[JwtProblem]:
    """(level, message, pointer suffix, edits) for a JWT authorizer configuration; pointers are
    relative to the authorizer configuration object."""
    if jwt is None:
        template = {expected_key: jwt_authorizer_template()["customJwtAuthorizer"]}
        return [("fail", "is CUSTOM_JWT but has no customJwtAuthorizer configuration", "", [("", template)])]
    problems: list[JwtProblem] = []
    base = "/" + jwt.key
    if jwt.key != expected_key:
        problems.append(
            (
                "fail",
                f"uses the key {jwt.key!r}; this file's format expects {expected_key!r}, so the authorizer is not read",
                base,
                [("/" + expected_key, Move(where_base + base))],
            )
        )
    if not jwt.discovery_url:
        problems.append(("fail", "has no discoveryUrl", base, [(base + "/discoveryUrl", _PLACEHOLDER_DISCOVERY)]))
    elif not DISCOVERY_URL.match(jwt.discovery_url):
        problems.append(
            (
                "fail",
                f"discoveryUrl {jwt.discovery_url!r} is not an https URL ending in "
                "/.well-known/openid-configuration (or oauth-authorization-server)",
                base + "/discoveryUrl",
                [(base + "/discoveryUrl", _PLACEHOLDER_DISCOVERY)],
            )
        )
    if not jwt.allowed_audience and not jwt.allowed_clients:
        edits: list[tuple[str, Any]] = [(base + "/allowedClients", ["<client-id>"])]
        if jwt.allowed_scopes or jwt.custom_claims:
            message = (
                "checks only scopes or custom claims: any token from the issuer with those passes; add "
                "allowedClients (tokens with client_id) or allowedAudience (tokens with aud)"
            )
            problems.append(("warn", message, base, edits))
        else:
            message = (
                "has neither allowedAudience nor allowedClients: set allowedClients for tokens that carry "
                "client_id (Cognito access tokens) or allowedAudience for tokens that carry aud"
            )
            problems.append(("fail", message, base, edits))
    return problems


def _jwt_rule(
    facts: Facts, out: Findings, subjects: list[tuple[str, str, JwtAuthorizer | None, Located, str]], kind: str
) -> Verdict | None:
    if not subjects:
        return not_applicable(f"no {kind} uses CUSTOM_JWT")
    for name, auth_pointer, jwt, where, file in subjects:
        expected = "customJwtAuthorizer" if file == CLI_CONFIG else "customJWTAuthorizer"
        problems = _jwt_problems(jwt, expected, where.base + auth_pointer)
        for level, message, suffix, edits in problems:
            location: Location = where.at(*[p for p in (auth_pointer + suffix).split("/") if p])
            out.add(
                "fail" if level == "fail" else "warn",
                f"{kind} {name!r} {message}",
                location,
                subject=name,
                fix=located_edit(
                    where,
                    [(auth_pointer + pointer_suffix, value) for pointer_suffix, value in edits],
                    f"Complete the JWT authorizer of {name}: the IdP's discovery URL, and allowedClients "
                    "(tokens with client_id, e.g. Cognito access tokens) or allowedAudience (tokens with aud).",
                ),
            )
        if not problems:
            assert jwt is not None
            allowed = "clients " + ",".join(jwt.allowed_clients) if jwt.allowed_clients else ""
            if jwt.allowed_audience:
                allowed += ("; " if allowed else "") + "audience " + ",".join(jwt.allowed_audience)
            out.note(f"{name}: discovery URL set, {allowed}")
    return None


@rule(
    "AUTH002",
    "runtime-jwt-config-incomplete",
    "high",
    ("P", "A"),
    "Runtime CUSTOM_JWT configuration incomplete",
    family="Authentication",
    checklist=("auth.jwt",),
    aws=("runtimes",),
    tools=("check_auth",),
)
def runtime_jwt_config_incomplete(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each runtime that uses `CUSTOM_JWT`, checks that the authorizer has a valid
    discovery URL (`https://…/.well-known/openid-configuration`) and at least one of
    `allowedAudience` or `allowedClients`. Only scopes or custom claims: warn. It also
    catches the casing trap: `agentcore.json` reads `customJwtAuthorizer`, the API and
    the YAML read `customJWTAuthorizer`.

    ### Why is this bad?
    Without an audience or client check, any token your identity provider issues, for
    any application, is accepted by the agent. A malformed discovery URL fails every
    request with 403.

    ### Example
    ```json
    "authorizerType": "CUSTOM_JWT",
    "authorizerConfiguration": {"customJwtAuthorizer": {"discoveryUrl": "https://idp.example.com"}}
    ```

    ### Fix
    `agentcore add agent … --authorizer-type CUSTOM_JWT --discovery-url <url>/.well-known/openid-configuration
    --allowed-clients <client-id>` (or `--allowed-audience`), or edit
    `authorizerConfiguration.customJwtAuthorizer`, then deploy.

    ### References
    - agents-harden skill, "Choosing allowedClients vs allowedAudience"
    """
    subjects = [
        (r.name, r.fields["authorizer"], r.jwt, r.where, r.where.file)
        for r in facts.project.runtimes
        if r.effective_authorizer.upper() == "CUSTOM_JWT"
    ]
    deployed = _deployed_runtime_jwts(facts, out)
    if not subjects and (out.items or out.notes or deployed.unknowns):
        return _aws_unknown(out, deployed)
    return _jwt_rule(facts, out, subjects, "runtime") or _aws_unknown(out, deployed)


@rule(
    "AUTH003",
    "gateway-auth-none",
    "critical",
    ("P", "A"),
    "Gateway inbound auth is NONE or absent",
    family="Authentication",
    checklist=("auth.not_none", "res.gateway"),
    aws=("gateways",),
    tools=("check_auth",),
)
def gateway_auth_none(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every gateway whose `authorizerType` is `NONE` or absent. The CLI deploys
    an absent `authorizerType` as `NONE`, so `agentcore add gateway` without
    `--authorizer-type` creates an open gateway.

    ### Why is this bad?
    An unauthenticated gateway lets anyone list and call every tool behind it, with the
    outbound credentials the gateway holds: functionally the same as a runtime with no
    authentication.

    ### Example
    ```json
    {"name": "OpenGateway", "authorizerType": "NONE", "targets": []}
    ```

    ### Fix
    Set `authorizerType` to `CUSTOM_JWT` (with `authorizerConfiguration.customJwtAuthorizer`)
    or `AWS_IAM`, or recreate it:
    `agentcore remove gateway --name <gw>` then
    `agentcore add gateway --name <gw> --authorizer-type CUSTOM_JWT --discovery-url <url> --allowed-clients <id>`,
    then `agentcore deploy`.

    ### References
    - agents-harden skill, checklist "Gateway auth configured"; agents-connect skill
    """
    gateways = facts.project.gateways
    deployed = _deployed_gateways_open(facts, out)
    if not gateways and not deployed.items and not deployed.unknowns:
        return not_applicable("the project defines no gateways")
    undetermined: list[str] = []
    for gateway in gateways:
        declared = gateway.authorizer_type
        if declared is not None and declared.upper() not in ("NONE", "AWS_IAM", "CUSTOM_JWT"):
            undetermined.append(f"{gateway.name}: authorizerType {declared!r} is not NONE, AWS_IAM or CUSTOM_JWT")
            continue
        if declared is None or declared.upper() == "NONE":
            why = "authorizerType is NONE" if declared else "authorizerType is absent, which the CLI deploys as NONE"
            out.fail(
                f"gateway {gateway.name!r} accepts unauthenticated calls ({why})",
                gateway.where.at("authorizerType") if declared else gateway.where.here,
                subject=gateway.name,
                fix=located_edit(
                    gateway.where,
                    [("/authorizerType", "CUSTOM_JWT"), ("/authorizerConfiguration", jwt_authorizer_template())],
                    f"Require authentication on gateway {gateway.name}.",
                    commands=[
                        f"agentcore remove gateway --name {gateway.name}",
                        f"agentcore add gateway --name {gateway.name} --authorizer-type CUSTOM_JWT "
                        "--discovery-url https://<your-idp>/.well-known/openid-configuration --allowed-clients <client-id>",
                    ],
                ),
            )
        else:
            out.note(f"{gateway.name}: {declared}")
    if undetermined and not out.items:
        return unknown("; ".join(undetermined) + " (see CFG001)")
    return _aws_unknown(out, deployed)


@rule(
    "AUTH004",
    "gateway-jwt-config-incomplete",
    "high",
    ("P", "A"),
    "Gateway CUSTOM_JWT configuration incomplete",
    family="Authentication",
    checklist=("auth.jwt", "res.gateway"),
    aws=("gateways",),
    tools=("check_auth",),
)
def gateway_jwt_config_incomplete(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    The AUTH002 check for gateways: a `CUSTOM_JWT` gateway needs a valid discovery URL
    and `allowedAudience` or `allowedClients` (only scopes or claims: warn).

    ### Why is this bad?
    A gateway that accepts any token of the issuer exposes every tool behind it to every
    application of that identity provider.

    ### Example
    ```json
    {"name": "Tools", "authorizerType": "CUSTOM_JWT", "authorizerConfiguration": {}}
    ```

    ### Fix
    Complete `authorizerConfiguration.customJwtAuthorizer` (discovery URL, allowed
    clients or audience), then `agentcore deploy`.

    ### References
    - agents-harden skill, "Inbound auth"; agents-connect skill
    """
    subjects = [
        (g.name, "/authorizerConfiguration", g.jwt, g.where, g.where.file)
        for g in facts.project.gateways
        if (g.authorizer_type or "").upper() == "CUSTOM_JWT"
    ]
    deployed = _deployed_gateway_jwts(facts, out)
    if not subjects and (out.items or out.notes or deployed.unknowns):
        return _aws_unknown(out, deployed)
    return _jwt_rule(facts, out, subjects, "gateway") or _aws_unknown(out, deployed)


@rule(
    "AUTH005",
    "gateway-debug-exceptions",
    "medium",
    ("P",),
    "Gateway returns DEBUG exception details",
    family="Authentication",
    checklist=("res.gateway",),
    tools=("check_auth",),
)
def gateway_debug_exceptions(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns when a gateway's `exceptionLevel` is `DEBUG`.

    ### Why is this bad?
    In DEBUG mode the gateway returns internal error details (target responses, stack
    information) to the caller, which helps an attacker map your tools and backends.

    ### Example
    ```json
    {"name": "Tools", "exceptionLevel": "DEBUG"}
    ```

    ### Fix
    Set `exceptionLevel` to `NONE` for production, then `agentcore deploy`.

    ### References
    - agents-harden skill, checklist "Gateway auth configured"
    """
    gateways = facts.project.gateways
    if not gateways:
        return not_applicable("the project defines no gateways")
    for gateway in gateways:
        if (gateway.exception_level or "").upper() == "DEBUG":
            out.warn(
                f"gateway {gateway.name!r} returns DEBUG exception details to callers",
                gateway.where.at("exceptionLevel"),
                subject=gateway.name,
                fix=located_edit(
                    gateway.where,
                    [("/exceptionLevel", "NONE")],
                    f"Stop returning internal error details from {gateway.name}.",
                ),
            )
        else:
            out.note(f"{gateway.name}: exceptionLevel {gateway.exception_level or 'NONE (default)'}")
    return None


# ---------------------------------------------------------------------------
# The deployed side (AWS facts): runtimes from GetAgentRuntime, gateways from GetGateway.


def _aws_unknown(out: Findings, deployed: DeployedView[Any]) -> Verdict | None:
    """``unknown`` when nothing failed but part of the deployed configuration could not be read."""
    if deployed.unknowns and not any(f.level in ("fail", "warn") for f in out.items):
        return unknown("; ".join(deployed.unknowns))
    return None


def _deployed_jwt_findings(out: Findings, kind: str, label: str, jwt: JwtAuthorizer | None, location: Location) -> None:
    problems = _jwt_problems(jwt, jwt.key if jwt is not None else "customJWTAuthorizer", "")
    for level, message, _suffix, _edits in problems:
        out.add(
            "fail" if level == "fail" else "warn",
            f"deployed {kind} {label!r} {message}",
            location,
            subject=label,
            fix=Fix(
                summary=f"Complete the deployed {kind}'s authorizerConfiguration.customJWTAuthorizer (discovery URL, "
                "allowedClients or allowedAudience) in the project that deploys it, then `agentcore deploy`.",
                commands=[VALIDATE_AND_DEPLOY],
            ),
        )
    if not problems and jwt is not None:
        out.note(f"{label} (deployed): CUSTOM_JWT complete")


def _deployed_runtime_jwts(facts: Facts, out: Findings) -> DeployedView[Any]:
    """AUTH002 on deployed runtimes the project does not already declare as CUSTOM_JWT."""
    deployed = deployed_runtimes(facts.aws("runtimes"))
    declared = {r.name for r in facts.project.runtimes if r.effective_authorizer.upper() == "CUSTOM_JWT"}
    for runtime_facts, config in deployed.items:
        if config.jwt is None or runtime_facts.project_runtime in declared:
            continue
        _deployed_jwt_findings(out, "runtime", runtime_facts.label, config.jwt, runtime_facts.location)
    return deployed


def _deployed_gateways_open(facts: Facts, out: Findings) -> DeployedView[Any]:
    """AUTH003 on deployed gateways: NONE fails unless the project already reports the same gateway."""
    deployed = deployed_gateways(facts.aws("gateways"))
    declared = {g.name: (g.authorizer_type or "NONE").upper() for g in facts.project.gateways}
    for gateway in deployed.items:
        authorizer = (gateway.authorizer_type or "").upper()
        if authorizer != "NONE":
            out.note(f"{gateway.label} (deployed): {authorizer or 'unknown'}")
            continue
        in_project = declared.get(gateway.project_gateway or "")
        if in_project == "NONE":
            continue
        drift = f" although the project sets {in_project}: deploy the project" if in_project else ""
        out.fail(
            f"deployed gateway {gateway.label!r} accepts unauthenticated calls (authorizerType NONE){drift}",
            gateway.location,
            subject=gateway.label,
            fix=Fix(
                summary=f"Require authentication on gateway {gateway.label}: CUSTOM_JWT or AWS_IAM, then deploy.",
                commands=[
                    f"agentcore remove gateway --name {gateway.label}",
                    f"agentcore add gateway --name {gateway.label} --authorizer-type CUSTOM_JWT "
                    "--discovery-url https://<your-idp>/.well-known/openid-configuration --allowed-clients <client-id>",
                    "agentcore deploy",
                ],
            ),
        )
    return deployed


def _deployed_gateway_jwts(facts: Facts, out: Findings) -> DeployedView[Any]:
    """AUTH004 on deployed gateways the project does not already declare as CUSTOM_JWT."""
    deployed = deployed_gateways(facts.aws("gateways"))
    declared = {g.name for g in facts.project.gateways if (g.authorizer_type or "").upper() == "CUSTOM_JWT"}
    for gateway in deployed.items:
        if (gateway.authorizer_type or "").upper() != "CUSTOM_JWT" or gateway.project_gateway in declared:
            continue
        _deployed_jwt_findings(out, "gateway", gateway.label, gateway.jwt, gateway.location)
    return deployed


@rule(
    "AUTH006",
    "bearer-to-iam-runtime",
    "high",
    ("C", "P"),
    "Caller sends a Bearer token to an AWS_IAM runtime",
    family="Authentication",
    reads=("caller",),
    tools=("audit_code", "check_auth"),
)
def bearer_to_iam_runtime(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Finds code (caller scripts and agent code) that sends `Authorization: Bearer …` over
    HTTP to an AgentCore runtime endpoint (`https://bedrock-agentcore.<region>.amazonaws.com/runtimes/…/invocations`)
    and fails when the runtime it calls is configured for `AWS_IAM` (the default). The
    runtime is matched by name or ID in the URL; when the URL does not say, every
    runtime of the project is considered (all IAM: fail; some: warn).

    ### Why is this bad?
    An IAM runtime only accepts SigV4-signed requests: every such call fails with
    403 "Authorization method mismatch", usually discovered in production.

    ### Example
    ```python
    requests.post(f"https://bedrock-agentcore.{region}.amazonaws.com/runtimes/{arn}/invocations",
                  headers={"Authorization": f"Bearer {token}"}, json=payload)
    ```

    ### Fix
    Either configure the runtime for `CUSTOM_JWT` (`authorizerType` and
    `authorizerConfiguration.customJwtAuthorizer`, then deploy), or have the caller sign
    with SigV4: `boto3.client("bedrock-agentcore").invoke_agent_runtime(...)`.

    ### References
    - agents-harden skill, "Debugging JWT auth failures" ("Authorization method mismatch")
    """
    from agentcore_readiness.checks.code_rule_bodies import auth006

    return auth006(facts, out)

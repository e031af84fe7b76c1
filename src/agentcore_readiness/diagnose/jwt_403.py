"""The JWT 403 diagnosis: walk the skill's 403 steps (JWT001-JWT008) for one token.

:func:`run_diagnosis` is the plain, blocking function (the CLI calls it); the MCP tool
:func:`agentcore_readiness.tools.jwt.diagnose_jwt_403` runs it in a worker thread.

The runtime's authorizer comes from, in increasing precedence: the project
(``agentcore.json`` ``customJwtAuthorizer`` or the YAML's ``customJWTAuthorizer``), the
AWS API through the optional ``aws_authorizer`` hook, and the arguments.

``aws_authorizer`` hook: a callable ``(runtime_ref, region) -> authorizerConfiguration``
where ``runtime_ref`` is the runtime's ARN (or ID) and ``region`` may be ``None``. It
returns ``GetAgentRuntime``'s ``authorizerConfiguration`` (``{"customJWTAuthorizer":
{...}}``), or ``None`` when the runtime has none (AWS_IAM). It raises
:class:`AuthorizerLookupError` with a short reason when the lookup is not possible (no
credentials, not found, access denied); the diagnosis then uses the project and says
so. It is called when the project records a deployed runtime ARN/ID, or when ``runtime``
is an ARN.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.engine import InputError, resolve_target, run_rule
from agentcore_readiness.facts.jwt_input import (
    AuthorizerFacts,
    DecodedToken,
    JwtFacts,
    RequestAuth,
    RequestInputError,
    TokenInputError,
    decode_token,
    parse_request,
)
from agentcore_readiness.facts.project.project_facts import (
    API_JWT_KEYS,
    JwtAuthorizer,
    ProjectFacts,
    Runtime,
    parse_jwt_authorizer,
)
from agentcore_readiness.log import get_logger
from agentcore_readiness.model import Finding, Fix, RuleResult, Status
from agentcore_readiness.textsafe import excerpt, mask_secret

log = get_logger(__name__)

AUTHORIZER_TYPES = ("CUSTOM_JWT", "AWS_IAM", "NONE")
MAX_ARGUMENT_CHARS = 2048

AwsAuthorizerLookup = Callable[[str, str | None], Mapping[str, Any] | None]
"""``(runtime ARN or ID, region) -> GetAgentRuntime.authorizerConfiguration``; see the module docstring."""


class AuthorizerLookupError(Exception):
    """The AWS lookup of a runtime's authorizer is not possible; the message says why."""


# ---------------------------------------------------------------------------
# Output


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TokenSummary(_Model):
    """What the token says, read without trusting it. Never the token or its signature."""

    source: Literal["argument", "request"]
    length: int
    fingerprint: str = Field(description="First 12 hex digits of the token's SHA-256, to tell tokens apart")
    alg: str | None = None
    kid: str | None = None
    typ: str | None = None
    iss: str | None = None
    aud: list[str] = Field(default_factory=list)
    client_id: str | None = None
    token_use: str | None = None
    sub: str | None = Field(default=None, description="Masked")
    scopes: list[str] = Field(default_factory=list)
    expires_at: str | None = None
    not_before: str | None = None
    issued_at: str | None = None
    claim_names: list[str] = Field(default_factory=list)
    shape: str = Field(description="Which allowed list matches this token's claims")


class RequestSummary(_Model):
    header_names: list[str]
    authorization_scheme: str | None = None
    sigv4_markers: list[str] = Field(default_factory=list)
    request_line: str | None = None


class Step(_Model):
    rule: str
    name: str
    title: str
    status: Status
    summary: str
    evidence: list[str] = Field(default_factory=list)
    fix: Fix | None = None
    findings: list[Finding] = Field(default_factory=list)


class DiagnosisVerdict(_Model):
    outcome: Literal[
        "client_side_failure",
        "token_unreadable",
        "warnings",
        "incomplete",
        "likely_service_side",
        "not_a_jwt_runtime",
    ]
    first_failing_step: str | None = None
    first_warning_step: str | None = None
    summary: str
    fix: Fix | None = None
    not_checked: list[str] = Field(default_factory=list, description="Steps that could not be checked, with why")


class JwtDiagnosis(_Model):
    runtime: str | None = None
    authorizer_type: str | None = Field(default=None, description="CUSTOM_JWT, AWS_IAM, NONE, or null when unknown")
    authorizer_source: str
    discovery_url: str | None = None
    discovery_from_token: bool = Field(default=False, description="The discovery URL was derived from the token's iss")
    fetched: bool = Field(description="Whether the discovery document and JWKS were fetched")
    token: TokenSummary | None = None
    request: RequestSummary | None = None
    input_problems: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    steps: list[Step]
    verdict: DiagnosisVerdict


# ---------------------------------------------------------------------------
# Authorizer sources


def _empty_project() -> ProjectFacts:
    return ProjectFacts(root=Path("."), display_path="", name="", layout="unknown", config_file=None)


def _load_single_project(path: str) -> ProjectFacts:
    from agentcore_readiness.facts.project.project_facts import load_project

    roots = resolve_target(path)
    if len(roots) > 1:
        shown = ", ".join(display for _, display in roots[:10])
        raise InputError(f"{path} holds {len(roots)} projects ({shown}); pass one project directory")
    root, display = roots[0]
    return load_project(root, display)


def _pick_runtime(project: ProjectFacts, name: str | None) -> Runtime:
    runtimes = project.runtimes
    if not runtimes:
        problems = "; ".join(excerpt(e.message, 120) for e in project.config_errors[:3])
        raise InputError(
            f"{project.display_path}: the project defines no runtimes" + (f" ({problems})" if problems else "")
        )
    if name:
        for runtime in runtimes:
            if runtime.name == name:
                return runtime
        for runtime in runtimes:
            if runtime.name.lower() == name.lower():
                return runtime
        names = ", ".join(r.name for r in runtimes)
        raise InputError(f"{project.display_path}: no runtime named {excerpt(name, 80)!r} (runtimes: {names})")
    jwt_runtimes = [r for r in runtimes if r.effective_authorizer.upper() == "CUSTOM_JWT"]
    candidates = jwt_runtimes or list(runtimes)
    if len(candidates) == 1:
        return candidates[0]
    kind = "CUSTOM_JWT runtimes" if jwt_runtimes else "runtimes"
    names = ", ".join(r.name for r in candidates)
    raise InputError(f"{project.display_path} has several {kind} ({names}): pass runtime=<name>")


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 3 and parts[0] == "arn" else None


def _check_strings(name: str, values: Sequence[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise InputError(f"{name} must be a list of strings")
    if len(values) > 100 or any(len(v) > MAX_ARGUMENT_CHARS for v in values):
        raise InputError(f"{name} is too long")
    return tuple(values)


def resolve_authorizer(
    *,
    path: str | None,
    runtime: str | None,
    discovery_url: str | None,
    allowed_clients: Sequence[str] | None,
    allowed_audience: Sequence[str] | None,
    allowed_scopes: Sequence[str] | None,
    custom_claims: Sequence[Mapping[str, Any]] | None,
    authorizer_type: str | None,
    aws_authorizer: AwsAuthorizerLookup | None,
) -> tuple[AuthorizerFacts, ProjectFacts | None]:
    """The runtime's authorizer from the project, the AWS hook and the arguments."""
    draft = _AuthorizerDraft(runtime_name=excerpt(runtime, 120) if runtime else None)
    project = _apply_project(draft, path, runtime) if path else None
    chosen = draft.chosen
    reference = (chosen.deployed_arn or chosen.deployed_id) if chosen else None
    if reference is None and runtime and runtime.startswith("arn:"):
        reference = runtime
    if aws_authorizer is not None and reference:
        _apply_deployed(draft, aws_authorizer, reference)
    if authorizer_type is not None:
        _apply_authorizer_type(draft, authorizer_type)
    overrides = _argument_overrides(discovery_url, allowed_clients, allowed_audience, allowed_scopes, custom_claims)
    if overrides:
        _apply_overrides(draft, overrides)
    authorizer = AuthorizerFacts(
        auth_type=draft.auth_type,
        jwt=draft.jwt,
        source=draft.source,
        runtime_name=draft.runtime_name,
        runtime=draft.chosen,
        allowed_known=draft.allowed_known,
        notes=tuple(draft.notes),
    )
    return authorizer, project


@dataclass
class _AuthorizerDraft:
    """The authorizer while its sources are applied in turn: the project, the AWS API, the arguments."""

    runtime_name: str | None
    chosen: Runtime | None = None
    auth_type: str | None = None
    jwt: JwtAuthorizer | None = None
    source: str = "unknown (no project, AWS lookup or authorizer arguments)"
    allowed_known: bool = False
    notes: list[str] = field(default_factory=list)


def _apply_project(draft: _AuthorizerDraft, path: str, runtime: str | None) -> ProjectFacts:
    """Take the authorizer of the project's runtime (named by ``runtime`` unless that is an ARN)."""
    project = _load_single_project(path)
    chosen = _pick_runtime(project, runtime if runtime and not runtime.startswith("arn:") else None)
    draft.chosen = chosen
    draft.auth_type = chosen.effective_authorizer.upper()
    draft.jwt = chosen.jwt
    draft.source = f"{chosen.where.file} (runtime {chosen.name})"
    draft.allowed_known = True
    draft.runtime_name = chosen.name
    for error in project.config_errors[:3]:
        draft.notes.append(f"{error.source}: {excerpt(error.message, 200)}")
    return project


def _apply_deployed(draft: _AuthorizerDraft, aws_authorizer: AwsAuthorizerLookup, reference: str) -> None:
    """Take the deployed runtime's authorizer from the AWS hook; a lookup that fails is a note."""
    chosen = draft.chosen
    region = (chosen.region if chosen else None) or _region_of(reference)
    try:
        config = aws_authorizer(reference, region)
    except AuthorizerLookupError as exc:
        draft.notes.append(f"the AWS lookup of {excerpt(reference, 200)} was not possible ({excerpt(str(exc), 200)})")
        return
    except Exception as exc:  # noqa: BLE001 - the hook is pluggable code; its failure must not end the diagnosis
        log.warning("aws authorizer lookup failed", error_type=type(exc).__name__)
        draft.notes.append(f"the AWS lookup of {excerpt(reference, 200)} failed ({type(exc).__name__})")
        return
    deployed = parse_jwt_authorizer(config, *API_JWT_KEYS)
    deployed_type = "CUSTOM_JWT" if deployed else "AWS_IAM"
    if chosen is not None and (deployed_type != draft.auth_type or _lists(deployed) != _lists(draft.jwt)):
        draft.notes.append(
            f"the deployed authorizer differs from {chosen.where.file}: the steps use the deployed one; "
            "deploy the project to apply its settings"
        )
    draft.auth_type, draft.jwt, draft.allowed_known = deployed_type, deployed, True
    draft.source = f"AWS GetAgentRuntime ({excerpt(reference, 200)})"


def _apply_authorizer_type(draft: _AuthorizerDraft, authorizer_type: str) -> None:
    wanted = authorizer_type.strip().upper()
    if wanted not in AUTHORIZER_TYPES:
        raise InputError(f"authorizer_type must be one of {', '.join(AUTHORIZER_TYPES)}")
    if draft.auth_type is not None and wanted != draft.auth_type:
        draft.notes.append(
            f"authorizer_type {wanted} from the arguments overrides {draft.auth_type} from {draft.source}"
        )
    draft.auth_type = wanted


def _argument_overrides(
    discovery_url: str | None,
    allowed_clients: Sequence[str] | None,
    allowed_audience: Sequence[str] | None,
    allowed_scopes: Sequence[str] | None,
    custom_claims: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    """The JWT authorizer settings given as arguments, checked, by :class:`JwtAuthorizer` field."""
    overrides: dict[str, Any] = {}
    if discovery_url is not None:
        if not isinstance(discovery_url, str) or len(discovery_url) > MAX_ARGUMENT_CHARS:
            raise InputError(f"discovery_url must be a URL of at most {MAX_ARGUMENT_CHARS} characters")
        overrides["discovery_url"] = discovery_url.strip()
    for name, value in (
        ("allowed_clients", _check_strings("allowed_clients", allowed_clients)),
        ("allowed_audience", _check_strings("allowed_audience", allowed_audience)),
        ("allowed_scopes", _check_strings("allowed_scopes", allowed_scopes)),
    ):
        if value is not None:
            overrides[name] = value
    if custom_claims is not None:
        if not isinstance(custom_claims, Sequence) or not all(isinstance(c, Mapping) for c in custom_claims):
            raise InputError("custom_claims must be a list of objects (inboundTokenClaimName, ...)")
        overrides["custom_claims"] = tuple(custom_claims)
    return overrides


def _apply_overrides(draft: _AuthorizerDraft, overrides: dict[str, Any]) -> None:
    """Lay the arguments' settings over the authorizer (a JWT authorizer when none is known)."""
    base = draft.jwt or JwtAuthorizer(None, (), (), (), (), key="customJwtAuthorizer")
    draft.jwt = replace(base, **overrides)
    if draft.auth_type is None:
        draft.auth_type = "CUSTOM_JWT"
    given = ", ".join(sorted(overrides))
    if draft.source.startswith("unknown"):
        draft.source = "arguments"
        draft.allowed_known = bool(set(overrides) - {"discovery_url"})
    else:
        draft.source += f", with {given} from the arguments"


def _lists(jwt: JwtAuthorizer | None) -> tuple[Any, ...]:
    if jwt is None:
        return ()
    return (jwt.discovery_url, set(jwt.allowed_audience), set(jwt.allowed_clients), set(jwt.allowed_scopes))


# ---------------------------------------------------------------------------
# The diagnosis


def run_diagnosis(
    token: str | bytes | None = None,
    request_headers: str | bytes | Mapping[str, Any] | None = None,
    discovery_url: str | None = None,
    path: str | None = None,
    runtime: str | None = None,
    fetch: bool = True,
    *,
    allowed_clients: Sequence[str] | None = None,
    allowed_audience: Sequence[str] | None = None,
    allowed_scopes: Sequence[str] | None = None,
    custom_claims: Sequence[Mapping[str, Any]] | None = None,
    authorizer_type: str | None = None,
    fetcher: Any = None,
    aws_authorizer: AwsAuthorizerLookup | None = None,
    now: datetime | None = None,
) -> JwtDiagnosis:
    """Run the JWT 403 steps and return each step's status and the verdict.

    ``fetcher`` is an :class:`~agentcore_readiness.facts.oidc.OidcFetcher` (default: from
    the server settings); ``now`` fixes the time the token is judged at (default: now).
    Raises :class:`InputError` for unusable arguments; an unreadable token or request is
    reported in the result, not raised.
    """
    if token is None and request_headers is None:
        raise InputError("give a token, or request headers that carry the Authorization header")
    authorizer, project = resolve_authorizer(
        path=path,
        runtime=runtime,
        discovery_url=discovery_url,
        allowed_clients=allowed_clients,
        allowed_audience=allowed_audience,
        allowed_scopes=allowed_scopes,
        custom_claims=custom_claims,
        authorizer_type=authorizer_type,
        aws_authorizer=aws_authorizer,
    )
    read, problems = _read_token_and_request(authorizer, token, request_headers, fetch)
    jwt_facts = _with_identity_provider(read, fetcher)
    decoded, supplied_by, discovery = jwt_facts.token, jwt_facts.token_source, jwt_facts.discovery_url
    steps = _run_steps(jwt_facts, project, now or datetime.now(UTC))
    log.info(
        "jwt diagnosis",
        token_fingerprint=decoded.fingerprint if decoded else None,
        statuses={s.rule: s.status for s in steps},
    )
    return JwtDiagnosis(
        runtime=authorizer.runtime_name,
        authorizer_type=authorizer.auth_type,
        authorizer_source=authorizer.source,
        discovery_url=excerpt(discovery, 400) if discovery else None,
        discovery_from_token=jwt_facts.discovery_from_token,
        fetched=jwt_facts.oidc is not None,
        token=_token_summary(decoded, supplied_by) if decoded and supplied_by else None,
        request=_request_summary(jwt_facts.request) if jwt_facts.request else None,
        input_problems=problems,
        notes=list(authorizer.notes),
        steps=steps,
        verdict=_verdict(steps, jwt_facts),
    )


def _read_token_and_request(
    authorizer: AuthorizerFacts,
    token: str | bytes | None,
    request_headers: str | bytes | Mapping[str, Any] | None,
    fetch: bool,
) -> tuple[JwtFacts, list[str]]:
    """The token (given, else the request's Bearer token) and the request, read; and what could not be read.

    An unreadable token or request is recorded on the facts and listed, not raised.
    """
    problems: list[str] = []
    decoded: DecodedToken | None = None
    token_problem: str | None = None
    supplied_by: str | None = None
    if token is not None:
        try:
            decoded = decode_token(token)
            supplied_by = "argument"
        except TokenInputError as exc:
            token_problem = str(exc)
            problems.append(token_problem)
    request: RequestAuth | None = None
    request_problem: str | None = None
    if request_headers is not None:
        try:
            request = parse_request(request_headers)
        except RequestInputError as exc:
            request_problem = str(exc)
            problems.append(request_problem)
    differs = False
    if request is not None and request.bearer_token:
        if token is None:
            try:
                decoded = decode_token(request.bearer_token)
                supplied_by = "request"
            except TokenInputError as exc:
                token_problem = f"the request's Bearer token: {exc}"
                problems.append(token_problem)
        elif decoded is not None:
            try:
                differs = decode_token(request.bearer_token).fingerprint != decoded.fingerprint
            except TokenInputError:
                differs = True
    jwt_facts = JwtFacts(
        authorizer=authorizer,
        token=decoded,
        token_source=supplied_by,
        token_problem=token_problem,
        request=request,
        request_problem=request_problem,
        token_differs_from_request=differs,
        fetch_requested=fetch,
    )
    return jwt_facts, problems


def _with_identity_provider(jwt_facts: JwtFacts, fetcher: Any) -> JwtFacts:
    """``jwt_facts`` with the discovery URL (the runtime's, else from the token's ``iss``) and, unless
    there is no reason or leave to, the discovery document and JWKS fetched from it."""
    authorizer, decoded = jwt_facts.authorizer, jwt_facts.token
    oidc = None
    not_fetched: str | None = None
    discovery = authorizer.jwt.discovery_url if authorizer.jwt and authorizer.jwt.discovery_url else None
    from_token = False
    if discovery is None and decoded is not None and decoded.iss and authorizer.auth_type not in ("AWS_IAM", "NONE"):
        discovery = decoded.iss.rstrip("/") + "/.well-known/openid-configuration"
        from_token = True
    if authorizer.auth_type in ("AWS_IAM", "NONE"):
        not_fetched = "the runtime validates no JWT"
    elif not jwt_facts.fetch_requested:
        not_fetched = "fetch=false: the discovery document and the JWKS were not fetched"
    elif discovery is None:
        not_fetched = "no discovery URL is known (pass path or discovery_url, or a token with iss)"
    else:
        from agentcore_readiness.facts.oidc import OidcFetcher, gather_oidc

        if fetcher is None:
            from agentcore_readiness.settings import Settings

            fetcher = OidcFetcher.from_settings(Settings())
        oidc = gather_oidc(discovery, fetcher)
    return replace(
        jwt_facts, discovery_url=discovery, discovery_from_token=from_token, oidc=oidc, not_fetched=not_fetched
    )


def _run_steps(jwt_facts: JwtFacts, project: ProjectFacts | None, now: datetime) -> list[Step]:
    from agentcore_readiness.checks.registry import Facts, load_rules, tool_rules

    facts = Facts(project=project or _empty_project(), now=now, extra={"jwt": jwt_facts})
    rules = [r for code, r in load_rules().items() if code in tool_rules("diagnose_jwt_403")]
    return [_step(rule.meta.code, rule.meta.name, rule.meta.title, run_rule(rule, facts)) for rule in rules]


def _step(code: str, name: str, title: str, result: RuleResult) -> Step:
    deciding = [f for f in result.findings if f.level == result.status]
    if deciding:
        summary = deciding[0].message
        if len(deciding) > 1:
            summary += f" (and {len(deciding) - 1} more)"
    else:
        summary = result.reason or {"pass": "passes", "not_applicable": "does not apply"}.get(result.status, "")
    evidence = [f.evidence for f in result.findings if f.evidence]
    if result.reason and result.reason not in evidence:
        evidence.append(result.reason)
    fix = next((f.fix for f in deciding if f.fix is not None), None)
    return Step(
        rule=code,
        name=name,
        title=title,
        status=result.status,
        summary=summary,
        evidence=list(dict.fromkeys(evidence)),
        fix=fix,
        findings=result.findings,
    )


def _verdict(steps: list[Step], jf: JwtFacts) -> DiagnosisVerdict:
    by_code = {s.rule: s for s in steps}
    auth_type = jf.authorizer.auth_type
    failing = next((s for s in steps if s.status == "fail"), None)
    if failing is not None:
        return DiagnosisVerdict(
            outcome="client_side_failure",
            first_failing_step=failing.rule,
            summary=f"{failing.rule} {failing.name}: {failing.summary}",
            fix=failing.fix,
        )
    if auth_type == "NONE":
        return DiagnosisVerdict(
            outcome="not_a_jwt_runtime",
            summary="the runtime accepts unauthenticated calls (AUTH001): a 403 does not come from its authorizer",
        )
    if auth_type == "AWS_IAM" and by_code.get("JWT001") is not None and by_code["JWT001"].status == "pass":
        return DiagnosisVerdict(
            outcome="not_a_jwt_runtime",
            summary="the runtime uses AWS_IAM and the request is SigV4-signed, so no JWT is involved: a 403 comes "
            "from IAM (the caller needs bedrock-agentcore:InvokeAgentRuntime on the runtime, and no resource "
            "policy may deny it)",
        )
    not_checked = [f"{s.rule}: {s.summary}" for s in steps if s.status in ("unknown", "skipped", "error")]
    if jf.token is None and jf.token_problem:
        return DiagnosisVerdict(
            outcome="token_unreadable",
            summary=f"the token could not be read, so AgentCore rejects it before any claim check: {jf.token_problem}",
            fix=Fix(
                summary="Send the JWT exactly as the identity provider issued it, as `Authorization: Bearer <jwt>`."
            ),
            not_checked=not_checked,
        )
    warning = next((s for s in steps if s.status == "warn"), None)
    if warning is not None:
        return DiagnosisVerdict(
            outcome="warnings",
            first_warning_step=warning.rule,
            summary=f"no step failed; {warning.rule} {warning.name} warns: {warning.summary}",
            fix=warning.fix,
            not_checked=not_checked,
        )
    if not_checked:
        return DiagnosisVerdict(
            outcome="incomplete",
            summary="no step failed, but some could not be checked: " + "; ".join(not_checked),
            not_checked=not_checked,
        )
    return DiagnosisVerdict(
        outcome="likely_service_side",
        summary="all client-side checks pass: likely service-side",
    )


def _iso(token: DecodedToken, claim: str) -> str | None:
    try:
        value = token.numeric_date(claim)
    except ValueError:
        return "not a number"
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return "out of range"


def _token_summary(token: DecodedToken, source: str) -> TokenSummary:
    def short(value: str | None) -> str | None:
        return excerpt(value, 200) if value is not None else None

    client_id = token.client_id
    if token.has_aud and client_id:
        shape = "both aud and client_id: allowedAudience (preferred) or allowedClients"
    elif token.has_aud:
        shape = "aud: matched by allowedAudience"
    elif client_id:
        shape = "client_id and no aud (a Cognito access token): matched by allowedClients"
    else:
        shape = "neither aud nor client_id: neither allowedAudience nor allowedClients can match it"
    sub = token.string_claim("sub")
    return TokenSummary(
        source=source,  # type: ignore[arg-type]
        length=token.length,
        fingerprint=token.fingerprint,
        alg=short(token.alg),
        kid=short(token.kid),
        typ=short(token.typ),
        iss=short(token.iss),
        aud=[excerpt(a, 200) for a in token.audiences[:20]],
        client_id=short(client_id),
        token_use=short(token.string_claim("token_use")),
        sub=mask_secret(sub) if sub else None,
        scopes=[excerpt(s, 120) for s in token.scopes[:50]],
        expires_at=_iso(token, "exp"),
        not_before=_iso(token, "nbf"),
        issued_at=_iso(token, "iat"),
        claim_names=[excerpt(str(name), 60) for name in sorted(token.claims)[:100]],
        shape=shape,
    )


def _request_summary(request: RequestAuth) -> RequestSummary:
    return RequestSummary(
        header_names=list(request.header_names),
        authorization_scheme=request.authorization_scheme,
        sigv4_markers=list(request.sigv4_markers),
        request_line=request.request_line,
    )

"""Discovery document and JWKS: reachable, public, holding the token's key (JWT004)."""

from __future__ import annotations

from urllib.parse import urlsplit

from agentcore_readiness.checks.jwt.common import FAMILY, _authorizer_location, _jwt_facts, _q, _qs
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, rule, skipped, unknown
from agentcore_readiness.facts.jwt_input import JwtFacts
from agentcore_readiness.facts.oidc import FetchProblem, OidcFacts, classify_address
from agentcore_readiness.model import Fix, Location

_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")


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
    _private_urls(out, jf, oidc, derived)
    _published_keys(out, jf, oidc, derived)
    return None


def _private_urls(out: Findings, jf: JwtFacts, oidc: OidcFacts, derived: str) -> None:
    """Fails for the discovery URL and the ``jwks_uri`` where AgentCore cannot fetch them from the internet."""
    for label, url in (("the discovery URL", oidc.discovery_url), ("the jwks_uri", oidc.jwks_uri)):
        why = _not_public(url) if url else None
        if why:
            out.fail(
                f"{label} {_q(url, 200)} {why}: AgentCore fetches it from the internet",
                _authorizer_location(jf.authorizer, "discoveryUrl") if label == "the discovery URL" else Location(),
                evidence=f"discovery URL {_q(oidc.discovery_url, 300)}{derived}",
                subject=jf.authorizer.runtime_name,
                fix=Fix(summary="Publish the identity provider's discovery document and JWKS on a public https host."),
            )


def _published_keys(out: Findings, jf: JwtFacts, oidc: OidcFacts, derived: str) -> None:
    """The keys of the fetched JWKS: there are some, and one has the token's ``kid``."""
    subject = jf.authorizer.runtime_name
    keys = oidc.keys
    kids = [k.get("kid") for k in keys]
    evidence = (
        f"discovery {_q(oidc.discovery_final_url or oidc.discovery_url, 200)}{derived} -> jwks_uri "
        f"{_q(oidc.jwks_final_url or oidc.jwks_uri or '', 200)}: {len(keys)} key(s)"
        + (f", kid {_qs([str(k) for k in kids if k is not None])}" if any(k is not None for k in kids) else "")
    )
    if not keys:
        out.fail("the JWKS has no keys", evidence=evidence, subject=subject)
        return
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
            return
        if kid is None and len(keys) > 1:
            out.warn(
                f"the token has no kid and the JWKS has {len(keys)} keys: the validator may not pick the right one",
                evidence=evidence,
                subject=subject,
            )
            return
    out.note(evidence + (f"; the token's kid {_q(token.kid)} is published" if token and token.kid else ""))

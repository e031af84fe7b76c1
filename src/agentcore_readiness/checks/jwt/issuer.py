"""Issuer against the discovery URL (JWT002)."""

from __future__ import annotations

from urllib.parse import urlsplit

from agentcore_readiness.checks.jwt.common import (
    FAMILY,
    _authorizer_fix,
    _authorizer_location,
    _discovery_for,
    _jwt_facts,
    _q,
)
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, rule, unknown


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

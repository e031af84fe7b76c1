"""Claims the runtime checks: allowedClients / allowedAudience (JWT003), allowedScopes and
customClaims (JWT008).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentcore_readiness.checks.jwt.common import (
    FAMILY,
    _authorizer_fix,
    _authorizer_location,
    _jwt_facts,
    _jwt_token,
    _q,
    _qs,
    _token_or_verdict,
)
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.jwt_input import AuthorizerFacts, DecodedToken
from agentcore_readiness.model import Fix


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
    if not audience and not clients:
        out.note(f"{evidence}: the runtime checks neither aud nor client_id (AUTH002 flags that)")
        return None
    if audience:
        _audience_findings(out, auth, token, evidence)
    if clients:
        _clients_findings(out, auth, token, evidence)
    out.note(evidence)
    return None


def _audience_findings(out: Findings, auth: AuthorizerFacts, token: DecodedToken, evidence: str) -> None:
    """The token against the runtime's allowedAudience (set)."""
    assert auth.jwt is not None
    audience = auth.jwt.allowed_audience
    clients = auth.jwt.allowed_clients
    aud = token.audiences
    client_id = token.client_id
    subject = auth.runtime_name
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


def _clients_findings(out: Findings, auth: AuthorizerFacts, token: DecodedToken, evidence: str) -> None:
    """The token against the runtime's allowedClients (set)."""
    assert auth.jwt is not None
    audience = auth.jwt.allowed_audience
    clients = auth.jwt.allowed_clients
    aud = token.audiences
    client_id = token.client_id
    subject = auth.runtime_name
    if not client_id:
        ops: list[tuple[str, str, Any]] = [("remove", "allowedClients", None)]
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

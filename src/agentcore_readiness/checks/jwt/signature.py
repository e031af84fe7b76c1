"""Signing algorithm (JWT006) and signature (JWT007)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from agentcore_readiness.checks.jwt.common import FAMILY, _jwt_token, _q
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, rule, skipped, unknown
from agentcore_readiness.facts.jwt_input import DecodedToken
from agentcore_readiness.model import Fix

if TYPE_CHECKING:
    from jwt.algorithms import Algorithm

ASYMMETRIC_ALGS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519"}
)


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

    algorithms = get_default_algorithms()
    if alg not in algorithms:
        return unknown(f"alg {_q(alg)} is not supported by the verifier")
    _verify_signature(out, jf.authorizer.runtime_name, token, algorithms[alg], candidates)
    return None


def _verify_signature(
    out: Findings, subject: str | None, token: DecodedToken, algorithm: Algorithm, candidates: list[Mapping[str, Any]]
) -> None:
    """Verifies the token's signature with each candidate JWKS key of the token's algorithm, until one verifies."""
    from jwt.exceptions import PyJWTError

    alg = token.alg
    kid = token.kid
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
                return
            out.note(f"the signature verifies with key {label} ({alg})")
            return
    if unusable and len(unusable) == len(candidates):
        out.fail(
            f"the JWKS key {', '.join(unusable)} cannot verify a {_q(alg)} signature (wrong key type)",
            evidence=f"token alg {_q(alg)}",
            subject=subject,
            fix=Fix(summary="Publish the key that signs the tokens, of the type the algorithm needs, in the JWKS."),
        )
        return
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

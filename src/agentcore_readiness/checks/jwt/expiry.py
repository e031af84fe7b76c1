"""Token lifetime: exp and nbf (JWT005)."""

from __future__ import annotations

from datetime import UTC, datetime

from agentcore_readiness.checks.jwt.common import FAMILY, _jwt_token
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, rule
from agentcore_readiness.model import Fix


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

"""The JWT 403 diagnosis steps (run by diagnose_jwt_403, not by review_project).

Each rule is one step of the skill's "Debugging JWT auth failures" walk, in its order:
the auth-method mismatch first, then issuer, claim type, JWKS, expiry and algorithm,
then the signature and the scope/claim rules AgentCore also enforces. They read
:class:`~agentcore_readiness.facts.jwt_input.JwtFacts` from ``facts.extra["jwt"]``; the
current time is ``facts.now``. Nothing here does I/O: the documents were fetched first,
and the signature check is a computation over the fetched keys.

One module per section of the family; importing this package registers every rule of it.
"""

from agentcore_readiness.checks.jwt import auth_method, claims, expiry, issuer, keys, signature

__all__ = ["auth_method", "claims", "expiry", "issuer", "keys", "signature"]

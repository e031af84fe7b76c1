"""HTTP transport security: who may call the server, and from which Host/Origin.

* A static bearer token (``AGENTCORE_READINESS_TOKEN``), compared in constant time.
* OAuth 2.1 resource-server mode: JWT access tokens of a configured issuer, verified
  against its JWKS (signature, issuer, audience, expiry, scopes) through the SDK's
  token-verifier interface.
* A non-loopback bind is refused unless one of those is configured, or the operator
  states that authentication happens in front of the server (``--trust-proxy-auth``:
  AgentCore Runtime inbound auth, an API gateway).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from agentcore_readiness.settings import Settings

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class InsecureBind(Exception):
    """A non-loopback bind without authentication."""


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings) -> None:
    if is_loopback(settings.host):
        return
    if settings.bearer_token or settings.oauth_issuer or settings.trust_proxy_auth:
        return
    raise InsecureBind(
        f"refusing to serve on {settings.host}: binding beyond loopback requires authentication. Set "
        "AGENTCORE_READINESS_TOKEN (clients send 'Authorization: Bearer <token>'), or --oauth-issuer, or "
        "--trust-proxy-auth when AgentCore Runtime or a gateway authenticates callers in front of this server"
    )


class StaticTokenVerifier:
    """Accepts exactly one shared bearer token."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def verify_token(self, token: str) -> Any:
        from mcp.server.auth.provider import AccessToken

        if hmac.compare_digest(token.encode(), self._token):
            return AccessToken(token="static", client_id="static-token", scopes=[])  # noqa: S106 - a label
        return None


class JwtTokenVerifier:
    """Verifies JWT access tokens of one OIDC/OAuth issuer against its JWKS."""

    def __init__(self, issuer: str, audience: str | None, jwks_uri: str | None = None) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self._jwks_uri = jwks_uri
        self._client: Any = None

    def _jwks_client(self) -> Any:
        import jwt

        if self._client is None:
            uri = self._jwks_uri or self._discover_jwks_uri()
            self._client = jwt.PyJWKClient(uri, cache_keys=True, lifespan=300, timeout=5)
        return self._client

    def _discover_jwks_uri(self) -> str:
        import httpx2

        for suffix in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
            response = httpx2.get(self.issuer + suffix, timeout=5, follow_redirects=False)
            if response.status_code == 200:
                uri = response.json().get("jwks_uri")
                if isinstance(uri, str):
                    return uri
        raise RuntimeError(f"no jwks_uri in the metadata of {self.issuer}")

    async def verify_token(self, token: str) -> Any:
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self._verify, token)

    def _verify(self, token: str) -> Any:
        import jwt
        from mcp.server.auth.provider import AccessToken

        try:
            key = self._jwks_client().get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"],
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "iss"], "verify_aud": self.audience is not None},
            )
        except Exception:  # noqa: BLE001 - any verification failure is a 401, never a crash
            return None
        scope = claims.get("scope") or claims.get("scp") or ""
        scopes = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
        return AccessToken(
            token="jwt",  # noqa: S106 - a label, the token itself is not kept
            client_id=str(claims.get("client_id") or claims.get("azp") or claims.get("sub") or "unknown"),
            scopes=scopes,
            expires_at=int(claims["exp"]) if "exp" in claims else None,
            subject=str(claims["sub"]) if "sub" in claims else None,
        )


def auth_components(settings: Settings) -> tuple[Any, Any]:
    """(AuthSettings, TokenVerifier) for the server, or (None, None) without HTTP auth."""
    if settings.transport != "http" or not (settings.bearer_token or settings.oauth_issuer):
        return None, None
    from mcp.server.auth.settings import AuthSettings

    public = settings.public_url or f"http://{settings.host}:{settings.port}/mcp"
    verifier: Any
    if settings.oauth_issuer:
        verifier = JwtTokenVerifier(settings.oauth_issuer, settings.oauth_audience)
        issuer = settings.oauth_issuer
    else:
        assert settings.bearer_token is not None
        verifier = StaticTokenVerifier(settings.bearer_token)
        issuer = public
    auth = AuthSettings(
        issuer_url=issuer,  # type: ignore[arg-type]
        resource_server_url=public,  # type: ignore[arg-type]
        required_scopes=list(settings.required_scopes) or None,
        validate_token_resource=False,
    )
    return auth, verifier


def transport_security(settings: Settings) -> Any:
    """Host/Origin checks against DNS rebinding: automatic on loopback; on other binds,
    enforced for the hosts and origins the operator lists."""
    from mcp.server.transport_security import TransportSecuritySettings

    if is_loopback(settings.host) and not settings.allowed_hosts:
        return None  # the SDK enables its loopback allowlist itself
    if settings.allowed_hosts or settings.allowed_origins:
        hosts = list(settings.allowed_hosts)
        if is_loopback(settings.host):
            hosts += ["127.0.0.1:*", "localhost:*", "[::1]:*"]
        return TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=hosts,
            allowed_origins=list(settings.allowed_origins),
        )
    return TransportSecuritySettings(enable_dns_rebinding_protection=False)

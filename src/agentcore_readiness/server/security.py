"""HTTP transport security: who may call the server, and from which Host/Origin.

* A static bearer token (``AGENTCORE_READINESS_TOKEN``), compared in constant time.
* OAuth 2.1 resource-server mode: JWT access tokens of a configured issuer, verified
  against its JWKS (signature, issuer, audience, expiry, scopes) through the SDK's
  token-verifier interface; the keys are cached and refetched at most once a minute for
  an unknown key id, so random ``kid`` values cannot make the server hammer the issuer.
* Origin: a browser request (one with an ``Origin`` header) is refused unless it comes
  from this server's own origin or one the operator allowed.
* A non-loopback bind is refused unless one of those is configured, or the operator
  states that authentication happens in front of the server (``--trust-proxy-auth``:
  AgentCore Runtime inbound auth, an API gateway).
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from agentcore_readiness.facts.oidc import AddressPolicy, FetchError, OidcFetcher
from agentcore_readiness.log import get_logger
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


class JwksCache:
    """The signing keys of one issuer, fetched rarely: all of them at most every
    ``lifespan`` seconds, and again for a key id it does not know at most every
    ``min_refresh`` seconds. Tokens with made-up key ids therefore cost no fetch; one
    fetch runs at a time (the others wait for its result instead of starting their own).
    """

    def __init__(
        self,
        fetch_keys: Callable[[], Mapping[str, Any]],
        lifespan: float = 300.0,
        min_refresh: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch_keys = fetch_keys
        self.lifespan = lifespan
        self.min_refresh = min_refresh
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def key(self, kid: str) -> Any | None:
        """The key with this id, or ``None`` (the JWKS could not be read or has no such key)."""
        with self._lock:
            now = self._clock()
            age = None if self._fetched_at is None else now - self._fetched_at
            if age is None or age > self.lifespan or (kid not in self._keys and age >= self.min_refresh):
                self._refresh(now)
            return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        import jwt

        self._fetched_at = now  # failures are rate-limited too
        self.fetches += 1
        try:
            document = self._fetch_keys()
        except Exception as exc:  # noqa: BLE001 - an unreachable IdP means no key, never a crash
            get_logger(__name__).warning("JWKS fetch failed", error_type=type(exc).__name__)
            return
        keys: dict[str, Any] = {}
        listed = document.get("keys") if isinstance(document, Mapping) else None
        for item in listed if isinstance(listed, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("kid"), str):
                continue
            try:
                keys[item["kid"]] = jwt.PyJWK(item)
            except jwt.PyJWTError:
                continue
        self._keys = keys


class JwtTokenVerifier:
    """Verifies JWT access tokens of one OIDC/OAuth issuer against its JWKS.

    The issuer's metadata and keys are fetched through the bounded fetcher (a hard
    deadline on each whole fetch, a size cap, no proxies), and cached (:class:`JwksCache`).
    """

    ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "PS256")

    def __init__(
        self, issuer: str, audience: str | None, jwks_uri: str | None = None, fetcher: OidcFetcher | None = None
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self._jwks_uri = jwks_uri
        # The issuer is the operator's own choice, so a private-network IdP is allowed;
        # cloud metadata addresses stay refused.
        self._fetcher = fetcher or OidcFetcher(
            policy=AddressPolicy(allow_loopback=True, allow_private=True), timeout=5.0, total_timeout=15.0
        )
        self.keys = JwksCache(self._fetch_jwks)

    def _fetch_jwks(self) -> Mapping[str, Any]:
        with self._fetcher.session() as session:
            uri = self._jwks_uri or self._discover_jwks_uri(session)
            value = session.get_json(uri).value
        return value if isinstance(value, Mapping) else {}

    def _discover_jwks_uri(self, session: Any) -> str:
        for suffix in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
            try:
                document = session.get_json(self.issuer + suffix).value
            except FetchError:
                continue
            uri = document.get("jwks_uri") if isinstance(document, Mapping) else None
            if isinstance(uri, str):
                self._jwks_uri = uri
                return uri
        raise FetchError("invalid_document", "no jwks_uri in the issuer's metadata", self.issuer)

    async def verify_token(self, token: str) -> Any:
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self._verify, token)

    def _verify(self, token: str) -> Any:
        import jwt
        from mcp.server.auth.provider import AccessToken

        try:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            if not isinstance(kid, str) or header.get("alg") not in self.ALGORITHMS:
                return None
            key = self.keys.key(kid)
            if key is None:
                return None
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(self.ALGORITHMS),
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


def own_origins(settings: Settings) -> tuple[str, ...]:
    """The origins of this server itself: its bind address and port (every loopback name
    on a loopback bind) and the origin of ``--public-url``."""
    from urllib.parse import urlsplit

    hosts = ["127.0.0.1", "localhost", "[::1]"] if is_loopback(settings.host) else [settings.host]
    found = [f"http://{host}:{settings.port}" for host in hosts]
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        if parts.scheme and parts.netloc:
            found.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(dict.fromkeys(found))


def origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    """Exact match, or a ``scheme://host:*`` entry for any port of that host."""
    origin = origin.rstrip("/")
    for entry in allowed:
        entry = entry.rstrip("/")
        if origin == entry or (
            entry.endswith(":*") and origin.startswith(entry[:-1]) and origin[len(entry) - 1 :].isdigit()
        ):
            return True
    return False


class OriginGuard:
    """ASGI middleware: a request with an ``Origin`` header (a browser) is refused with 403
    unless the origin is this server's own or one the operator allowed (``--allowed-origin``).
    Requests without ``Origin`` (MCP clients, curl) pass. Applies on every bind, so a web
    page on another port of localhost cannot drive a local server."""

    def __init__(self, app: Any, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            origin = next((v for k, v in scope.get("headers", ()) if k == b"origin"), None)
            if origin is not None and not origin_allowed(origin.decode("latin-1"), self.allowed):
                from starlette.responses import Response

                await Response("Origin not allowed", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def transport_security(settings: Settings) -> Any:
    """Host and Origin checks of the SDK against DNS rebinding. Host: the loopback names on
    a loopback bind, plus ``--allowed-host`` (a non-loopback bind without any is not
    checked: a load balancer's name is not known here). Origin: this server's own origins
    and ``--allowed-origin`` (:class:`OriginGuard` refuses the others before the SDK sees
    them, on every bind)."""
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = list(settings.allowed_hosts)
    if is_loopback(settings.host):
        hosts += ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    if not hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[*own_origins(settings), *settings.allowed_origins],
    )

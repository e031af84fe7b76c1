"""Identity-provider facts: the OIDC discovery document and the JWKS, fetched safely.

The URLs come from users (a tool argument, a project file, a token's ``iss``), so every
fetch is treated as untrusted:

* ``https`` only. Plain ``http`` is accepted only when the policy allows loopback or
  private addresses (a local identity provider in tests and development) and only to
  such an address; a redirect never downgrades ``https`` to ``http``.
* The host is resolved once, by a pluggable resolver, and every address it resolves to
  is vetted before any connection: loopback, private, link-local, shared, reserved,
  multicast and unspecified addresses are refused unless the policy allows them, and
  cloud metadata endpoints are always refused. The connection is then made to the vetted
  address itself (the TLS server name and the ``Host`` header stay the URL's host), so a
  DNS answer that changes between the check and the connection (DNS rebinding) cannot
  redirect the request.
* Redirects are followed by hand, at most :data:`MAX_REDIRECTS`, and each target is
  vetted again.
* Each request has connect/read timeouts and an overall deadline; bodies are read as a
  stream and cut at a size cap (after content decoding, so a compressed bomb is bounded).
* No proxy or ``.netrc`` from the environment is used (a proxy would defeat the address
  check) and nothing from the caller is sent: no cookies, no credentials.

Failures are recorded as :class:`FetchProblem` on the facts, never raised to the checks.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from agentcore_readiness.log import get_logger
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    import httpcore2
    import httpx2

    from agentcore_readiness.settings import Settings

log = get_logger(__name__)

MAX_REDIRECTS = 3
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_URL_CHARS = 2048
DEFAULT_TIMEOUT = 5.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, Azure, GCP, OpenStack instance metadata
        "169.254.170.2",  # ECS task metadata and credentials
        "169.254.170.23",  # EKS Pod Identity agent
        "fd00:ec2::254",  # AWS instance metadata over IPv6
        "fd00:ec2::23",  # EKS Pod Identity agent over IPv6
        "100.100.100.200",  # Alibaba Cloud metadata
        "192.0.0.192",  # Oracle Cloud metadata
    )
)
"""Cloud metadata endpoints: refused even when private networks are allowed."""

AddressKind = Literal["public", "loopback", "private", "link-local", "metadata", "unspecified", "multicast", "reserved"]
ProblemKind = Literal[
    "bad_url",
    "blocked",
    "dns",
    "connect",
    "tls",
    "timeout",
    "too_large",
    "too_many_redirects",
    "http_status",
    "not_json",
    "invalid_document",
    "transport",
]

Resolver = Callable[[str, int], Sequence[str]]
"""Resolves a host name and port to IP address strings (``socket.getaddrinfo`` by default)."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


def classify_address(address: IPAddress) -> AddressKind:
    """What kind of destination ``address`` is, for the SSRF guard."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return classify_address(embedded)
    if address in METADATA_ADDRESSES:
        return "metadata"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "private"
    return "public"


@dataclass(frozen=True)
class AddressPolicy:
    """Which non-public destinations identity-provider fetches may reach."""

    allow_loopback: bool = False
    allow_private: bool = False
    """Private, shared and link-local ranges (never the metadata endpoints)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        return cls(allow_loopback=settings.allow_private_network, allow_private=settings.allow_private_network)

    @property
    def relaxed(self) -> bool:
        return self.allow_loopback or self.allow_private

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be contacted, or ``None`` when it may."""
        kind = classify_address(address)
        if kind == "public":
            return None
        if kind == "loopback" and self.allow_loopback:
            return None
        if kind in ("private", "link-local") and self.allow_private:
            return None
        if kind == "metadata":
            return f"{address} is a cloud metadata endpoint"
        if kind in ("unspecified", "multicast", "reserved"):
            return f"{address} is a {kind} address"
        return f"{address} is a {kind} address ({_ALLOW_HINT})"


_ALLOW_HINT = "set AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK=1 on the server to reach a local identity provider"


@dataclass(frozen=True)
class FetchProblem:
    """Why a document could not be fetched or used."""

    kind: ProblemKind
    message: str
    url: str

    def describe(self) -> str:
        return f"{excerpt(self.url, 300)}: {self.message}"


class FetchError(Exception):
    def __init__(self, kind: ProblemKind, message: str, url: str) -> None:
        super().__init__(message)
        self.problem = FetchProblem(kind, message, url)


class _BlockedAddress(Exception):
    """Raised inside the connection layer when a destination is refused."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


class _AddressGuard:
    """Resolves and vets destinations; remembers the vetted addresses per (host, port)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver) -> None:
        self.policy = policy
        self.resolver = resolver
        self._pinned: dict[tuple[str, int], tuple[str, ...]] = {}
        self.deadline: float | None = None
        """When the current fetch must be over (monotonic): every socket operation of it is
        given only the time left, so neither slow headers nor a slow TLS handshake outlast it."""

    def time_left(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` cut to what is left before :attr:`deadline`; ``error`` once it has passed."""
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("the fetch's overall deadline has passed")
        return left if timeout is None else min(timeout, left)

    def vet(self, host: str, port: int) -> tuple[str, ...]:
        """Resolve ``host`` once and return its addresses, every one allowed; raise
        :class:`_BlockedAddress` when any is refused.
        """
        literal = _parse_ip(host)
        if literal is not None:
            candidates: Sequence[str] = [str(literal)]
        else:
            try:
                candidates = list(self.resolver(host, port))
            except (OSError, UnicodeError) as exc:
                raise FetchError("dns", f"{host} could not be resolved ({_os_reason(exc)})", host) from None
            if not candidates:
                raise FetchError("dns", f"{host} resolves to no address", host)
        vetted: list[str] = []
        for candidate in candidates:
            address = _parse_ip(candidate)
            if address is None:
                raise _BlockedAddress(f"{host} resolved to {excerpt(candidate, 60)!r}, which is not an IP address")
            reason = self.policy.refusal(address)
            if reason is not None:
                shown = "" if literal is not None else f"{host} resolves to {address}: "
                raise _BlockedAddress(f"refused: {shown}{reason}")
            if str(address) not in vetted:
                vetted.append(str(address))
        self._pinned[(host.lower(), port)] = tuple(vetted)
        return tuple(vetted)

    def pinned(self, host: str, port: int) -> tuple[str, ...]:
        found = self._pinned.get((host.lower(), port))
        return found if found is not None else self.vet(host, port)


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def _deadline_stream(inner: httpcore2.NetworkStream, guard: _AddressGuard) -> httpcore2.NetworkStream:
    import httpcore2

    class DeadlineStream(httpcore2.NetworkStream):
        """A connection whose every read, write and TLS handshake ends by the fetch's deadline."""

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return inner.read(max_bytes, guard.time_left(timeout, httpcore2.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            inner.write(buffer, guard.time_left(timeout, httpcore2.WriteTimeout))

        def close(self) -> None:
            inner.close()

        def start_tls(
            self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
        ) -> httpcore2.NetworkStream:
            left = guard.time_left(timeout, httpcore2.ConnectTimeout)
            return _deadline_stream(inner.start_tls(ssl_context, server_hostname, left), guard)

        def get_extra_info(self, info: str) -> Any:
            return inner.get_extra_info(info)

    return DeadlineStream()


def _guarded_backend(guard: _AddressGuard) -> httpcore2.NetworkBackend:
    import httpcore2

    class GuardedBackend(httpcore2.NetworkBackend):
        """Connects only to addresses the guard vetted for the requested host."""

        def __init__(self) -> None:
            self._inner = httpcore2.SyncBackend()

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Iterable[Any] | None = None,
        ) -> httpcore2.NetworkStream:
            last: Exception | None = None
            for address in guard.pinned(host, port):
                try:
                    left = guard.time_left(timeout, httpcore2.ConnectTimeout)
                    stream = self._inner.connect_tcp(address, port, left, local_address, socket_options)
                    return _deadline_stream(stream, guard)
                except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                    last = exc
            assert last is not None
            raise last

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
        ) -> httpcore2.NetworkStream:
            raise _BlockedAddress("refused: unix sockets are never used for identity-provider fetches")

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    return GuardedBackend()


def _transport(guard: _AddressGuard, ssl_context: ssl.SSLContext) -> httpx2.BaseTransport:
    import httpcore2
    import httpx2

    class GuardedTransport(httpx2.HTTPTransport):
        """httpx2's transport over a connection pool whose every TCP connection goes
        through the guard (the pool is rebuilt with the guarded network backend).
        """

        def __init__(self) -> None:
            super().__init__(verify=ssl_context, trust_env=False, http1=True, http2=False)
            self._pool = httpcore2.ConnectionPool(
                ssl_context=ssl_context,
                max_connections=4,
                max_keepalive_connections=2,
                http1=True,
                http2=False,
                network_backend=_guarded_backend(guard),
            )

    return GuardedTransport()


@dataclass(frozen=True)
class FetchedJson:
    url: str
    """The URL the document was finally read from (after redirects)."""
    value: Any
    redirects: tuple[str, ...] = ()


class OidcFetcher:
    """Fetches JSON documents from identity providers under the SSRF guard.

    ``resolver`` replaces DNS (tests map host names to loopback or private addresses);
    ``ssl_context`` replaces the default trust store (tests trust their own CA).
    """

    def __init__(
        self,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        total_timeout: float | None = None,
        max_bytes: int = MAX_DOCUMENT_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy or AddressPolicy()
        self.resolver = resolver or system_resolver
        self.timeout = timeout
        self.total_timeout = total_timeout if total_timeout is not None else 3 * timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.ssl_context = ssl_context

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcFetcher:
        return cls(policy=AddressPolicy.from_settings(settings), timeout=settings.http_timeout)

    def session(self) -> FetchSession:
        return FetchSession(self)


class FetchSession:
    """One client (one connection pool) for the documents of one diagnosis."""

    def __init__(self, fetcher: OidcFetcher) -> None:
        import httpx2

        self.fetcher = fetcher
        self.guard = _AddressGuard(fetcher.policy, fetcher.resolver)
        context = fetcher.ssl_context or httpx2.create_ssl_context(trust_env=True)
        self.client = httpx2.Client(
            transport=_transport(self.guard, context),
            timeout=httpx2.Timeout(fetcher.timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"Accept": "application/json", "User-Agent": "agentcore-readiness (JWT 403 diagnosis)"},
        )

    def __enter__(self) -> FetchSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.close()

    def get_json(self, url: str) -> FetchedJson:
        """GET ``url`` and parse a JSON body; raise :class:`FetchError` on any problem."""
        import httpx2

        current = url
        hops: list[str] = []
        previous_scheme: str | None = None
        deadline = time.monotonic() + self.fetcher.total_timeout
        self.guard.deadline = deadline
        while True:
            parsed = self._vet_url(current, previous_scheme)
            try:
                status, headers, body = self._get(parsed, deadline)
            except _BlockedAddress as exc:
                raise FetchError("blocked", exc.message, current) from None
            except httpx2.TimeoutException:
                if time.monotonic() >= deadline:
                    message = f"the response took longer than {self.fetcher.total_timeout:g} s"
                    raise FetchError("timeout", message, current) from None
                raise FetchError("timeout", f"no complete answer within {self.fetcher.timeout:g} s", current) from None
            except httpx2.ConnectError as exc:
                kind: ProblemKind = "tls" if _is_tls_error(exc) else "connect"
                raise FetchError(kind, _connect_reason(exc), current) from None
            except httpx2.TransportError as exc:
                raise FetchError("transport", f"the connection failed ({type(exc).__name__})", current) from None
            if status in (301, 302, 303, 307, 308):
                location = headers.get("location")
                if not location:
                    raise FetchError("http_status", f"HTTP {status} redirect without a Location header", current)
                if len(hops) >= self.fetcher.max_redirects:
                    raise FetchError("too_many_redirects", f"more than {self.fetcher.max_redirects} redirects", url)
                try:
                    target = str(parsed.join(location))
                except httpx2.InvalidURL:
                    raise FetchError("bad_url", "redirects to an invalid URL", current) from None
                hops.append(current)
                previous_scheme = parsed.scheme
                current = target
                continue
            if status != 200:
                raise FetchError("http_status", f"HTTP {status}", current)
            try:
                text = body.decode("utf-8-sig")
                value = json.loads(text)
            except (UnicodeDecodeError, ValueError):
                raise FetchError("not_json", "the response is not JSON", current) from None
            return FetchedJson(url=current, value=value, redirects=tuple(hops))

    def _vet_url(self, url: str, previous_scheme: str | None) -> httpx2.URL:
        import httpx2

        if len(url) > MAX_URL_CHARS:
            raise FetchError("bad_url", f"the URL is longer than {MAX_URL_CHARS} characters", url[:MAX_URL_CHARS])
        try:
            parsed = httpx2.URL(url)
        except (httpx2.InvalidURL, TypeError, ValueError):
            raise FetchError("bad_url", "not a valid URL", url) from None
        if parsed.scheme not in ("https", "http") or not parsed.host:
            raise FetchError("bad_url", "only https URLs are fetched", url)
        if parsed.userinfo:
            raise FetchError("bad_url", "URLs with user names or passwords are not fetched", _without_userinfo(parsed))
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        host = parsed.raw_host.decode("ascii")  # what the connection layer is asked for (IDNA-encoded)
        try:
            addresses = self.guard.vet(host, port)
        except _BlockedAddress as exc:
            raise FetchError("blocked", exc.message, url) from None
        except FetchError as exc:
            raise FetchError(exc.problem.kind, exc.problem.message, url) from None
        if parsed.scheme == "http":
            if previous_scheme == "https":
                raise FetchError("blocked", "refused: a redirect from https to plain http", url)
            local = all(classify_address(ipaddress.ip_address(a)) != "public" for a in addresses)
            if not (self.guard.policy.relaxed and local):
                raise FetchError(
                    "bad_url", "only https URLs are fetched (plain http only to a local identity provider)", url
                )
        return parsed

    def _get(self, url: httpx2.URL, deadline: float) -> tuple[int, Mapping[str, str], bytes]:
        with self.client.stream("GET", url) as response:
            status = response.status_code
            headers = {k.lower(): v for k, v in response.headers.items()}
            if status != 200:
                return status, headers, b""
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.fetcher.max_bytes:
                raise FetchError(
                    "too_large",
                    f"the response is {int(declared):,} bytes; the limit is {self.fetcher.max_bytes:,}",
                    str(url),
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.fetcher.max_bytes:
                    raise FetchError(
                        "too_large", f"the response exceeds the {self.fetcher.max_bytes:,}-byte limit", str(url)
                    )
                if time.monotonic() > deadline:
                    raise FetchError(
                        "timeout", f"the response took longer than {self.fetcher.total_timeout:g} s", str(url)
                    )
                chunks.append(chunk)
            return status, headers, b"".join(chunks)


def _without_userinfo(url: httpx2.URL) -> str:
    return str(url.copy_with(username=None, password=None))


def _is_tls_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return "SSL" in str(exc) or "certificate" in str(exc).lower()


def _connect_reason(exc: BaseException) -> str:
    if _is_tls_error(exc):
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
            return "TLS certificate verification failed"
        return "the TLS handshake failed"
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    return "could not connect"


# ---------------------------------------------------------------------------
# The facts


@dataclass(frozen=True)
class OidcFacts:
    """What the identity provider serves for one discovery URL."""

    discovery_url: str
    discovery: Mapping[str, Any] | None = None
    discovery_final_url: str | None = None
    discovery_problem: FetchProblem | None = None
    issuer: str | None = None
    jwks_uri: str | None = None
    jwks_final_url: str | None = None
    jwks_problem: FetchProblem | None = None
    keys: tuple[Mapping[str, Any], ...] = ()
    redirects: tuple[str, ...] = field(default=())

    @property
    def jwks_ok(self) -> bool:
        return self.discovery_problem is None and self.jwks_problem is None


def gather_oidc(discovery_url: str, fetcher: OidcFetcher) -> OidcFacts:
    """Fetch the discovery document and the JWKS it names; record every problem."""
    with fetcher.session() as session:
        try:
            fetched = session.get_json(discovery_url)
        except FetchError as exc:
            log.info("discovery fetch failed", kind=exc.problem.kind)
            return OidcFacts(discovery_url=discovery_url, discovery_problem=exc.problem)
        doc = fetched.value
        if not isinstance(doc, dict):
            problem = FetchProblem("invalid_document", "the discovery document is not a JSON object", fetched.url)
            return OidcFacts(discovery_url=discovery_url, discovery_problem=problem)
        issuer = doc.get("issuer") if isinstance(doc.get("issuer"), str) else None
        jwks_uri = doc.get("jwks_uri") if isinstance(doc.get("jwks_uri"), str) else None
        base = OidcFacts(
            discovery_url=discovery_url,
            discovery=doc,
            discovery_final_url=fetched.url,
            issuer=issuer,
            jwks_uri=jwks_uri,
            redirects=fetched.redirects,
        )
        if jwks_uri is None:
            problem = FetchProblem("invalid_document", "the discovery document has no jwks_uri", fetched.url)
            return _replace(base, jwks_problem=problem)
        try:
            jwks = session.get_json(jwks_uri)
        except FetchError as exc:
            log.info("jwks fetch failed", kind=exc.problem.kind)
            return _replace(base, jwks_problem=exc.problem)
        value = jwks.value
        keys = value.get("keys") if isinstance(value, dict) else None
        if not isinstance(keys, list):
            problem = FetchProblem("invalid_document", "the JWKS is not a JSON object with a keys array", jwks.url)
            return _replace(base, jwks_final_url=jwks.url, jwks_problem=problem)
        usable = tuple(k for k in keys if isinstance(k, dict))
        return _replace(base, jwks_final_url=jwks.url, keys=usable, redirects=(*fetched.redirects, *jwks.redirects))


def _replace(facts: OidcFacts, **changes: Any) -> OidcFacts:
    from dataclasses import replace

    return replace(facts, **changes)

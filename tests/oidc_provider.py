"""A real OpenID provider on loopback for the JWT tests.

An HTTP(S) server on 127.0.0.1 serves discovery documents, JWKS and whatever routes a
test configures (redirects, oversized or slow bodies), chosen by the request's ``Host``
and path. RSA and EC signing keys and a TLS certificate authority are generated with
``cryptography`` once per test process; tokens are signed with PyJWT. A
:class:`HostMap` resolver maps test host names (``idp.example.com``, …) to loopback or
to any address a test wants, so the SSRF guard and TLS host-name checks run for real.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import ipaddress
import json
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from agentcore_readiness.facts.oidc import AddressPolicy, OidcFetcher

TEST_HOSTS = ("idp.example.com", "qa.example.com", "example.com", "keys.example.com", "other.example.com")
RSA_KID = "rsa-key-1"
EC_KID = "ec-key-1"


# ---------------------------------------------------------------------------
# Key material (generated once per process)


@dataclass(frozen=True)
class Keys:
    rsa: rsa.RSAPrivateKey
    rsa_other: rsa.RSAPrivateKey
    """Never published: signs tokens whose signature must not verify."""
    ec: ec.EllipticCurvePrivateKey

    def private(self, name: str) -> Any:
        return {"rsa": self.rsa, "rsa_other": self.rsa_other, "ec": self.ec}[name]

    def jwk(self, name: str, kid: str, alg: str | None = None) -> dict[str, Any]:
        key = self.private(name)
        if name.startswith("rsa"):
            value: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
            value["alg"] = alg or "RS256"
        else:
            value = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
            value["alg"] = alg or "ES256"
        value["kid"] = kid
        value["use"] = "sig"
        return value

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk("rsa", RSA_KID), self.jwk("ec", EC_KID)]}


@functools.cache
def keys() -> Keys:
    return Keys(
        rsa=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa_other=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec=ec.generate_private_key(ec.SECP256R1()),
    )


@dataclass(frozen=True)
class Tls:
    ca_pem: bytes
    cert_file: Path
    key_file: Path

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.ca_pem.decode("ascii"))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context


_TLS_DIR = tempfile.TemporaryDirectory(prefix="oidc-provider-")


@functools.cache
def tls() -> Tls:
    """A CA and a server certificate for the test host names and 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "agentcore-readiness test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(h) for h in TEST_HOSTS]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, TEST_HOSTS[0])]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory = Path(_TLS_DIR.name)
    cert_file = directory / "server.pem"
    key_file = directory / "server.key"
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Tls(ca_pem=ca.public_bytes(serialization.Encoding.PEM), cert_file=cert_file, key_file=key_file)


# ---------------------------------------------------------------------------
# Resolver


class HostMap:
    """A resolver: host name -> addresses; records every lookup."""

    def __init__(self, mapping: Mapping[str, Sequence[str]] | None = None) -> None:
        self.mapping: dict[str, list[str]] = {h: ["127.0.0.1"] for h in TEST_HOSTS}
        for host, addresses in (mapping or {}).items():
            self.mapping[host] = list(addresses)
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host not in self.mapping:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.mapping[host])


class SequenceResolver(HostMap):
    """Answers from a list of answers, one per lookup (the last one repeats): DNS rebinding."""

    def __init__(self, answers: Sequence[Sequence[str]]) -> None:
        super().__init__()
        self.answers = [list(a) for a in answers]

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        index = min(len(self.calls) - 1, len(self.answers) - 1)
        return self.answers[index]


# ---------------------------------------------------------------------------
# The server


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    send_length: bool = True
    drip: tuple[bytes, float, int] | None = None
    """(chunk, seconds between chunks, count): a slow body."""
    header_drip: tuple[float, int] | None = None
    """(seconds between header lines, count): slow headers, each line within any read timeout."""
    delay: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, provider: OidcProvider) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.provider = provider

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up mid-request (size caps, timeouts, refused TLS) are what several
        # tests do on purpose; anything else still prints.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        provider = self.server.provider
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        path = self.path
        provider.requests.append((host, path))
        route = provider.routes.get((host, path)) or provider.routes.get(("*", path))
        if route is None:
            route = Route(status=404, body=b'{"error": "not found"}')
        if route.delay:
            time.sleep(route.delay)
        self.send_response(route.status)
        if route.header_drip is not None:
            interval, count = route.header_drip
            self.flush_headers()
            try:
                for index in range(count):
                    self.wfile.write(f"X-Slow-{index}: x\r\n".encode())
                    self.wfile.flush()
                    time.sleep(interval)
            except OSError:
                return
        self.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.drip is not None or not route.send_length:
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                if route.drip is not None:
                    chunk, interval, count = route.drip
                    for _ in range(count):
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        time.sleep(interval)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.wfile.write(route.body)


class OidcProvider:
    """A loopback identity provider. Use as a context manager (or call close())."""

    def __init__(self, *, use_tls: bool = True) -> None:
        self.keys = keys()
        self.use_tls = use_tls
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[tuple[str, str]] = []
        self._server = _Server(self)
        if use_tls:
            context = tls().server_context()
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def __enter__(self) -> OidcProvider:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def scheme(self) -> str:
        return "https" if self.use_tls else "http"

    def origin(self, host: str = "idp.example.com") -> str:
        return f"{self.scheme}://{host}:{self.port}"

    def url(self, path: str, host: str = "idp.example.com") -> str:
        return self.origin(host) + path

    # -- routes

    def serve(self, path: str, route: Route, host: str = "*") -> str:
        self.routes[(host, path)] = route
        return self.url(path, host if host != "*" else "idp.example.com")

    def serve_json(self, path: str, value: Any, host: str = "*", status: int = 200) -> str:
        return self.serve(path, Route(status=status, body=json.dumps(value).encode()), host)

    def redirect(self, path: str, location: str, host: str = "*", status: int = 302) -> str:
        return self.serve(path, Route(status=status, headers={"Location": location}), host)

    def standard(
        self,
        host: str = "idp.example.com",
        *,
        issuer: str | None = None,
        discovery_path: str = "/.well-known/openid-configuration",
        jwks_host: str | None = None,
        jwks_path: str = "/jwks.json",
        jwks: Mapping[str, Any] | None = None,
    ) -> str:
        """Serve a discovery document (issuer defaults to the host's origin) and a JWKS;
        return the discovery URL.
        """
        jwks_uri = self.url(jwks_path, jwks_host or host)
        document = {
            "issuer": issuer or self.origin(host),
            "jwks_uri": jwks_uri,
            "authorization_endpoint": self.url("/authorize", host),
            "token_endpoint": self.url("/token", host),
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        }
        self.serve_json(discovery_path, document, host)
        self.serve_json(jwks_path, jwks if jwks is not None else self.keys.jwks(), jwks_host or host)
        return self.url(discovery_path, host)

    # -- tokens

    def sign(
        self,
        claims: Mapping[str, Any],
        *,
        key: str = "rsa",
        alg: str | None = None,
        kid: str | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        algorithm = alg or ("ES256" if key == "ec" else "RS256")
        header = {"kid": kid if kid is not None else (EC_KID if key == "ec" else RSA_KID), **(headers or {})}
        return jwt.encode(dict(claims), self.keys.private(key), algorithm=algorithm, headers=header)

    def fetcher(self, resolver: HostMap | None = None, **kwargs: Any) -> OidcFetcher:
        """A fetcher that trusts this provider's CA, allows loopback and resolves test hosts."""
        policy = kwargs.pop("policy", AddressPolicy(allow_loopback=True))
        return OidcFetcher(
            policy=policy,
            resolver=resolver or HostMap(),
            ssl_context=tls().client_context(),
            timeout=kwargs.pop("timeout", 3.0),
            **kwargs,
        )


def hs256_token(claims: Mapping[str, Any], kid: str = RSA_KID) -> str:
    return jwt.encode(dict(claims), "a-shared-secret-of-at-least-32-bytes!!", algorithm="HS256", headers={"kid": kid})


def unsigned_token(claims: Mapping[str, Any], kid: str = RSA_KID) -> str:
    def part(value: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{part(claims)}."


def segments(token: str) -> Iterable[str]:
    return [s for s in token.split(".") if s]

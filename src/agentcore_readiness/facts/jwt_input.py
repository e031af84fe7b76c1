"""User input for the JWT 403 diagnosis: a token, request headers, and the facts bundle
the JWT steps read.

The token is decoded without trusting it: each segment is checked (base64url, UTF-8,
JSON object) with a message that says which one is wrong, and nothing of the token is
kept except the parsed header and claims, the bytes a signature check needs, its length
and a short SHA-256 fingerprint. The token itself is never stored for display, logged or
echoed back.

Request headers come as a mapping, as ``Name: value`` lines, as a raw HTTP request
(request line, headers, body), or as a ``curl`` command line with ``-H`` options. Only
header names, the authorization scheme and the SigV4 markers are kept; no header value
is echoed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.oidc import OidcFacts
    from agentcore_readiness.facts.project.project_facts import JwtAuthorizer, Runtime

MAX_TOKEN_CHARS = 16 * 1024
"""Far above any real JWT (they fit an HTTP header) and far below anything costly."""
MAX_REQUEST_CHARS = 64 * 1024
MAX_HEADERS = 200

_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=")
_SEGMENTS = ("header", "payload", "signature")


class TokenInputError(ValueError):
    """The token could not be read; the message says why, without quoting it."""


class RequestInputError(ValueError):
    """The request headers could not be read."""


def _as_text(value: str | bytes, what: str, limit: int) -> str:
    be = "are" if what.endswith("s") else "is"
    if isinstance(value, bytes):
        if len(value) > limit:
            raise _error(what, f"{be} {len(value):,} bytes; the limit is {limit:,}")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _error(what, f"{be} not UTF-8 text (invalid byte at offset {exc.start})") from None
    if len(value) > limit:
        raise _error(what, f"{be} {len(value):,} characters; the limit is {limit:,}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _error(what, f"{be} not valid UTF-8 text (an undecodable character at position {exc.start})") from None
    return value


def _error(what: str, message: str) -> ValueError:
    cls = TokenInputError if what == "the token" else RequestInputError
    return cls(f"{what} {message}")


# ---------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True)
class DecodedToken:
    """A JWT's header and claims, read without verification."""

    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    length: int
    fingerprint: str
    """The first 12 hex digits of the token's SHA-256: tells tokens apart without showing one."""
    signing_input: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    @property
    def alg(self) -> str | None:
        value = self.header.get("alg")
        return value if isinstance(value, str) else None

    @property
    def kid(self) -> str | None:
        value = self.header.get("kid")
        return value if isinstance(value, str) else None

    @property
    def typ(self) -> str | None:
        value = self.header.get("typ")
        return value if isinstance(value, str) else None

    def string_claim(self, name: str) -> str | None:
        value = self.claims.get(name)
        return value if isinstance(value, str) else None

    @property
    def iss(self) -> str | None:
        return self.string_claim("iss")

    @property
    def client_id(self) -> str | None:
        return self.string_claim("client_id")

    @property
    def audiences(self) -> tuple[str, ...]:
        """``aud`` as a tuple (a string or a list of strings); empty when absent."""
        value = self.claims.get("aud")
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(v for v in value if isinstance(v, str))
        return ()

    @property
    def has_aud(self) -> bool:
        return "aud" in self.claims

    @property
    def scopes(self) -> tuple[str, ...]:
        """``scope`` (space-separated, RFC 8693/9068) or ``scp`` (string or list)."""
        found: list[str] = []
        for name in ("scope", "scp"):
            value = self.claims.get(name)
            if isinstance(value, str):
                found.extend(value.split())
            elif isinstance(value, list):
                found.extend(v for v in value if isinstance(v, str))
        return tuple(dict.fromkeys(found))

    def numeric_date(self, name: str) -> float | None:
        """A NumericDate claim (``exp``, ``nbf``, ``iat``); ``None`` when absent.

        Raises ``ValueError`` when present but not a number.
        """
        if name not in self.claims:
            return None
        value = self.claims[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} is not a number")
        return float(value)


def _b64url(segment: str, which: str) -> bytes:
    if "=" in segment.rstrip("="):
        raise TokenInputError(f"segment {_SEGMENTS.index(which) + 1} ({which}) is not base64url")
    data = segment.rstrip("=")
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        raise TokenInputError(f"segment {_SEGMENTS.index(which) + 1} ({which}) is not base64url") from None


def _segment_object(segment: str, which: str) -> dict[str, Any]:
    number = _SEGMENTS.index(which) + 1
    if not segment:
        raise TokenInputError(f"segment {number} ({which}) is empty")
    raw = _b64url(segment, which)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TokenInputError(f"segment {number} ({which}) does not decode to UTF-8 text") from None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise TokenInputError(f"segment {number} ({which}) does not decode to JSON") from None
    if not isinstance(value, dict):
        raise TokenInputError(f"segment {number} ({which}) is JSON but not an object")
    return value


def _too_long(size: int, unit: str) -> str:
    return (
        f"the token is {size:,} {unit}; JWTs sent in an Authorization header are a few kilobytes "
        f"(the limit here is {MAX_TOKEN_CHARS:,})"
    )


def decode_token(value: str | bytes) -> DecodedToken:
    """Decode a JWT (optionally prefixed by ``Bearer``) without verifying it.

    Raises :class:`TokenInputError` with a message that names the problem and never
    quotes the token.
    """
    slack = 64  # a "Bearer " prefix and surrounding whitespace
    if len(value) > MAX_TOKEN_CHARS + slack:
        raise TokenInputError(_too_long(len(value), "bytes" if isinstance(value, bytes) else "characters"))
    text = _as_text(value, "the token", MAX_TOKEN_CHARS + slack).strip()
    if text[:7].lower() == "bearer ":
        text = text[7:].strip()
    if not text:
        raise TokenInputError("the token is empty")
    if len(text) > MAX_TOKEN_CHARS:
        raise TokenInputError(_too_long(len(text), "characters"))
    for position, char in enumerate(text):
        if char in _TOKEN_CHARS:
            continue
        if char.isspace():
            raise TokenInputError(
                f"the token contains whitespace at position {position} (a line break or space pasted into it?)"
            )
        if ord(char) > 127:
            raise TokenInputError(f"the token contains a non-ASCII character at position {position}")
        hint = " (standard base64, not base64url?)" if char in "+/" else ""
        raise TokenInputError(
            f"the token contains {char!r} at position {position}; a JWT holds only letters, digits, "
            f"'-', '_' and '.'{hint}"
        )
    parts = text.split(".")
    if len(parts) == 5:
        raise TokenInputError(
            "the token is an encrypted JWT (JWE, 5 segments); AgentCore validates signed JWTs (JWS, 3 segments)"
        )
    if len(parts) != 3:
        hint = (
            "; it looks like an opaque access token: ask the identity provider for a JWT access token "
            "(for example, request it for an API audience)"
            if len(parts) == 1
            else ""
        )
        raise TokenInputError(f"not a JWT: a JWT has 3 segments separated by '.', this one has {len(parts)}{hint}")
    header = _segment_object(parts[0], "header")
    claims = _segment_object(parts[1], "payload")
    signature = _b64url(parts[2], "signature") if parts[2] else b""
    return DecodedToken(
        header=header,
        claims=claims,
        length=len(text),
        fingerprint=hashlib.sha256(text.encode("ascii")).hexdigest()[:12],
        signing_input=f"{parts[0]}.{parts[1]}".encode("ascii"),
        signature=signature,
    )


# ---------------------------------------------------------------------------
# Requests

SIGV4_HEADERS = {"x-amz-date": "X-Amz-Date", "x-amz-security-token": "X-Amz-Security-Token"}
SIGV4_QUERY = ("x-amz-signature", "x-amz-credential", "x-amz-algorithm")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_REQUEST_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)(?:\s+HTTP/\d(?:\.\d)?)?$", re.I)


@dataclass(frozen=True)
class RequestAuth:
    """How a request authenticates: header names, the Authorization scheme, SigV4 markers."""

    header_names: tuple[str, ...]
    authorization_scheme: str | None
    """``Bearer``, ``AWS4-HMAC-SHA256``, another scheme word, or ``None`` when absent."""
    bearer_token: str | None = field(default=None, repr=False)
    token_without_scheme: bool = False
    """The Authorization header holds a JWT with no ``Bearer`` scheme word."""
    sigv4_markers: tuple[str, ...] = ()
    authorization_headers: int = 0
    request_line: str | None = None
    """Method and path (no query string) when a raw request was given."""

    @property
    def has_bearer(self) -> bool:
        return self.authorization_scheme is not None and self.authorization_scheme.lower() == "bearer"


def _headers_from_text(text: str) -> tuple[list[tuple[str, str]], str | None, str | None]:
    """(headers, request line, request target) from lines, a raw request or a curl command."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except (ValueError, RecursionError):
            raise RequestInputError("the request headers look like JSON but do not parse") from None
        if not isinstance(value, dict):
            raise RequestInputError("the request headers JSON must be an object of header names to values")
        return [(str(k), str(v)) for k, v in value.items()], None, None
    if stripped.startswith("curl ") or " -H " in stripped or stripped.startswith("-H "):
        return _headers_from_curl(stripped)
    headers: list[tuple[str, str]] = []
    request_line: str | None = None
    target: str | None = None
    for number, line in enumerate(stripped.splitlines()):
        line = line.rstrip("\r")
        if not line.strip():
            if headers or request_line:
                break  # the body follows
            continue
        if number == 0 or (request_line is None and not headers):
            match = _REQUEST_LINE.match(line.strip())
            if match:
                target = match.group(2)
                request_line = f"{match.group(1).upper()} {target.split('?', 1)[0]}"
                continue
        name, sep, value = line.partition(":")
        if sep and _HEADER_NAME.match(name.strip()):
            headers.append((name.strip(), value.strip()))
    return headers, request_line, target


def _headers_from_curl(command: str) -> tuple[list[tuple[str, str]], str | None, str | None]:
    try:
        words = shlex.split(command.replace("\\\n", " "))
    except ValueError:
        raise RequestInputError("the curl command could not be split into words (unbalanced quotes?)") from None
    headers: list[tuple[str, str]] = []
    target: str | None = None
    method = "GET"
    index = 0
    while index < len(words):
        word = words[index]
        if word in ("-H", "--header") and index + 1 < len(words):
            name, sep, value = words[index + 1].partition(":")
            if sep and _HEADER_NAME.match(name.strip()):
                headers.append((name.strip(), value.strip()))
            index += 2
            continue
        if word in ("-X", "--request") and index + 1 < len(words):
            method = words[index + 1].upper()
            index += 2
            continue
        if word.startswith(("http://", "https://")):
            target = word
        if word in ("-d", "--data", "--data-raw", "--data-binary") and method == "GET":
            method = "POST"
        index += 1
    request_line = None
    if target:
        path = "/" + target.split("://", 1)[1].split("/", 1)[1] if "/" in target.split("://", 1)[1] else "/"
        request_line = f"{method} {path.split('?', 1)[0]}"
    return headers, request_line, target


def parse_request(value: str | bytes | Mapping[str, Any]) -> RequestAuth:
    """Read request headers (see the module docstring for the accepted forms).

    Raises :class:`RequestInputError` with a clear message.
    """
    target: str | None = None
    request_line: str | None = None
    if isinstance(value, Mapping):
        if len(value) > MAX_HEADERS:
            raise RequestInputError(f"the request has {len(value)} headers; the limit is {MAX_HEADERS}")
        pairs = []
        for name, header_value in value.items():
            pairs.append((_as_text(str(name), "a request header name", 1024), str(header_value)))
        for _, header_value in pairs:
            _as_text(header_value, "a request header value", MAX_REQUEST_CHARS)
        headers = pairs
    else:
        text = _as_text(value, "the request headers", MAX_REQUEST_CHARS)
        headers, request_line, target = _headers_from_text(text)
    if len(headers) > MAX_HEADERS:
        raise RequestInputError(f"the request has {len(headers)} headers; the limit is {MAX_HEADERS}")
    if not headers and request_line is None:
        raise RequestInputError(
            "no request headers found: give 'Name: value' lines, a raw HTTP request, a curl command "
            "or an object of header names to values"
        )
    names: list[str] = []
    markers: list[str] = []
    scheme: str | None = None
    bearer: str | None = None
    without_scheme = False
    authorization_count = 0
    for name, header_value in headers:
        lower = name.lower()
        if name not in names:
            names.append(excerpt(name, 80))
        if lower == "authorization":
            authorization_count += 1
            word, _, rest = header_value.strip().partition(" ")
            if word.lower() == "bearer":
                scheme = "Bearer"
                bearer = rest.strip()
            elif word.upper() == "AWS4-HMAC-SHA256":
                scheme = scheme or "AWS4-HMAC-SHA256"
                markers.append("Authorization: AWS4-HMAC-SHA256 (a SigV4 signature)")
            elif word.startswith("eyJ") and not rest:
                without_scheme = True
                bearer = bearer or word
            elif word:
                scheme = scheme or excerpt(word, 40)
        elif lower in SIGV4_HEADERS:
            markers.append(f"{SIGV4_HEADERS[lower]} header")
    if target and "?" in target:
        query = target.split("?", 1)[1].lower()
        for key in SIGV4_QUERY:
            if f"{key}=" in query:
                markers.append(f"{key.title()} query parameter (a presigned SigV4 URL)")
                break
    return RequestAuth(
        header_names=tuple(names),
        authorization_scheme=scheme,
        bearer_token=bearer,
        token_without_scheme=without_scheme and scheme is None,
        sigv4_markers=tuple(dict.fromkeys(markers)),
        authorization_headers=authorization_count,
        request_line=excerpt(request_line, 160) if request_line else None,
    )


# ---------------------------------------------------------------------------
# The facts the JWT steps read


@dataclass(frozen=True)
class AuthorizerFacts:
    """The runtime's inbound authorizer, and where it came from."""

    auth_type: str | None
    """``CUSTOM_JWT``, ``AWS_IAM``, ``NONE``, or ``None`` when not known."""
    jwt: JwtAuthorizer | None
    source: str
    """Where it came from: the project file and runtime, the AWS API, or the arguments."""
    runtime_name: str | None = None
    runtime: Runtime | None = None
    """The project runtime, when it came from a project (fixes edit its config)."""
    allowed_known: bool = True
    """Whether the allowed lists are the runtime's real ones (from a project or the AWS
    API, or given as arguments); ``False`` when only a discovery URL was given."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class JwtFacts:
    """Everything the JWT 403 steps look at (``Facts.extra["jwt"]``)."""

    authorizer: AuthorizerFacts
    token: DecodedToken | None = None
    token_source: str | None = None
    """``argument`` or ``request`` (the Bearer token of the request headers)."""
    token_problem: str | None = None
    request: RequestAuth | None = None
    request_problem: str | None = None
    token_differs_from_request: bool = False
    discovery_url: str | None = None
    """The discovery URL fetched: the runtime's, or derived from the token's ``iss``."""
    discovery_from_token: bool = False
    oidc: OidcFacts | None = None
    fetch_requested: bool = True
    not_fetched: str | None = None
    """Why the identity provider was not contacted (``fetch=false``, no URL)."""

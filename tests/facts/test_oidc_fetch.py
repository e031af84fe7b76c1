"""Discovery and JWKS fetching against a real loopback IdP: the SSRF guard, redirects,
TLS, size caps and timeouts.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator

import pytest

from agentcore_readiness.facts.oidc import AddressPolicy, FetchError, OidcFetcher, gather_oidc
from agentcore_readiness.settings import Settings
from oidc_provider import HostMap, OidcProvider, Route, SequenceResolver, tls

DISCOVERY = "/.well-known/openid-configuration"


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as idp:
        yield idp


@pytest.fixture
def plain_provider() -> Iterator[OidcProvider]:
    with OidcProvider(use_tls=False) as idp:
        yield idp


def strict_fetcher(resolver: HostMap | None = None) -> OidcFetcher:
    """The default policy: public addresses only."""
    return OidcFetcher(resolver=resolver or HostMap(), ssl_context=tls().client_context(), timeout=1.0)


def fetch_error(fetcher: OidcFetcher, url: str) -> FetchError:
    with fetcher.session() as session, pytest.raises(FetchError) as caught:
        session.get_json(url)
    return caught.value


def test_discovery_and_jwks_come_over_tls_from_the_one_vetted_address(provider: OidcProvider) -> None:
    resolver = HostMap()
    facts = gather_oidc(provider.standard(), provider.fetcher(resolver))
    assert facts.discovery_problem is None and facts.jwks_problem is None
    assert facts.issuer == provider.origin()
    assert facts.jwks_uri == provider.url("/jwks.json")
    assert [k["kid"] for k in facts.keys] == ["rsa-key-1", "ec-key-1"]
    assert provider.requests == [("idp.example.com", DISCOVERY), ("idp.example.com", "/jwks.json")]
    # One DNS answer per request: the connection uses the address that was checked.
    assert resolver.calls == ["idp.example.com", "idp.example.com"]


def test_dns_answer_changing_to_a_private_address_is_refused_before_connecting(provider: OidcProvider) -> None:
    # The system resolver knows no idp.example.com: the discovery fetch succeeding proves
    # the connection went to the vetted answer (127.0.0.1), not to a second lookup.
    rebinding = SequenceResolver([["127.0.0.1"], ["10.0.0.1"]])
    facts = gather_oidc(provider.standard(), provider.fetcher(rebinding))
    assert facts.discovery_problem is None
    assert facts.jwks_problem is not None
    assert facts.jwks_problem.kind == "blocked"
    assert facts.jwks_problem.message == (
        "refused: idp.example.com resolves to 10.0.0.1: 10.0.0.1 is a private address "
        "(set AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK=1 on the server to reach a local identity provider)"
    )
    assert provider.requests == [("idp.example.com", DISCOVERY)]


@pytest.mark.parametrize(
    ("url", "resolver", "message"),
    [
        (
            "https://169.254.169.254/latest/meta-data/",
            None,
            r"refused: 169\.254\.169\.254 is a cloud metadata endpoint",
        ),
        ("https://[fd00:ec2::254]/latest/", None, r"refused: fd00:ec2::254 is a cloud metadata endpoint"),
        ("https://10.0.0.1/.well-known/openid-configuration", None, r"refused: 10\.0\.0\.1 is a private address \("),
        (
            "https://localhost/.well-known/openid-configuration",
            "system",
            r"refused: localhost resolves to (127\.0\.0\.1|::1): .* is a loopback address",
        ),
        ("https://127.0.0.1/x", None, r"refused: 127\.0\.0\.1 is a loopback address"),
        ("https://[::ffff:127.0.0.1]/x", None, r"refused: ::ffff:7f00:1 is a loopback address"),
        ("https://0.0.0.0/x", None, r"refused: 0\.0\.0\.0 is a unspecified address"),
        ("https://169.254.10.10/x", None, r"refused: 169\.254\.10\.10 is a link-local address"),
        (
            "https://idp.corp.example/x",
            "private",
            r"refused: idp\.corp\.example resolves to 10\.1\.2\.3: 10\.1\.2\.3 is a private address",
        ),
        (
            "https://cgnat.example/x",
            "shared",
            r"refused: cgnat\.example resolves to 100\.64\.0\.7: 100\.64\.0\.7 is a private address",
        ),
    ],
)
def test_non_public_destinations_are_refused_before_any_connection(
    url: str, resolver: str | None, message: str
) -> None:
    resolvers = {
        None: HostMap(),
        "private": HostMap({"idp.corp.example": ["10.1.2.3"]}),
        "shared": HostMap({"cgnat.example": ["100.64.0.7"]}),
    }
    fetcher = OidcFetcher(timeout=1.0) if resolver == "system" else strict_fetcher(resolvers[resolver])
    error = fetch_error(fetcher, url)
    assert error.problem.kind == "blocked"
    assert re.fullmatch(message + r".*", error.problem.message), error.problem.message


def test_a_hostname_with_one_private_answer_among_public_ones_is_refused() -> None:
    error = fetch_error(
        strict_fetcher(HostMap({"mixed.example": ["93.184.216.34", "192.168.1.5"]})), "https://mixed.example/x"
    )
    assert error.problem.kind == "blocked"
    assert error.problem.message.startswith("refused: mixed.example resolves to 192.168.1.5: 192.168.1.5 is a private")


def test_metadata_endpoint_is_refused_even_when_private_networks_are_allowed() -> None:
    fetcher = OidcFetcher(policy=AddressPolicy(allow_loopback=True, allow_private=True), timeout=1.0)
    error = fetch_error(fetcher, "https://169.254.169.254/latest/meta-data/iam/security-credentials/")
    assert (error.problem.kind, error.problem.message) == (
        "blocked",
        "refused: 169.254.169.254 is a cloud metadata endpoint",
    )


def test_settings_flag_allows_loopback_and_private_and_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK", raising=False)
    assert AddressPolicy.from_settings(Settings()) == AddressPolicy(allow_loopback=False, allow_private=False)
    monkeypatch.setenv("AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK", "1")
    assert AddressPolicy.from_settings(Settings()) == AddressPolicy(allow_loopback=True, allow_private=True)


@pytest.mark.parametrize(
    ("location", "resolver", "message"),
    [
        (
            "https://169.254.169.254/latest/meta-data/",
            HostMap(),
            "refused: 169.254.169.254 is a cloud metadata endpoint",
        ),
        ("https://10.0.0.1/jwks", HostMap(), "refused: 10.0.0.1 is a private address"),
        (
            "https://idp.corp.example/jwks",
            HostMap({"idp.corp.example": ["172.16.0.9"]}),
            "refused: idp.corp.example resolves to 172.16.0.9: 172.16.0.9 is a private address",
        ),
    ],
)
def test_redirect_to_a_refused_address_is_not_followed(
    provider: OidcProvider, location: str, resolver: HostMap, message: str
) -> None:
    start = provider.redirect(DISCOVERY, location)
    facts = gather_oidc(start, provider.fetcher(resolver))
    assert facts.discovery_problem is not None
    assert facts.discovery_problem.kind == "blocked"
    assert facts.discovery_problem.message.startswith(message)
    assert facts.discovery_problem.url == location
    assert provider.requests == [("idp.example.com", DISCOVERY)]


def test_redirects_are_followed_within_the_bound_and_recorded(provider: OidcProvider) -> None:
    target = provider.standard("keys.example.com")
    provider.redirect("/a", provider.url("/b"))
    provider.redirect("/b", target, status=301)
    facts = gather_oidc(provider.url("/a"), provider.fetcher())
    assert facts.discovery_problem is None
    assert facts.discovery_final_url == target
    assert facts.redirects == (provider.url("/a"), provider.url("/b"))


def test_more_than_three_redirects_fail(provider: OidcProvider) -> None:
    for index in range(5):
        provider.redirect(f"/r{index}", provider.url(f"/r{index + 1}"))
    facts = gather_oidc(provider.url("/r0"), provider.fetcher())
    assert facts.discovery_problem is not None
    assert (facts.discovery_problem.kind, facts.discovery_problem.message) == (
        "too_many_redirects",
        "more than 3 redirects",
    )
    assert len(provider.requests) == 4


def test_redirect_from_https_to_http_is_refused(provider: OidcProvider) -> None:
    provider.redirect(DISCOVERY, f"http://idp.example.com:{provider.port}/plain")
    facts = gather_oidc(provider.url(DISCOVERY), provider.fetcher())
    assert facts.discovery_problem is not None
    assert facts.discovery_problem.message == "refused: a redirect from https to plain http"


def test_plain_http_is_refused_by_default(plain_provider: OidcProvider) -> None:
    url = plain_provider.standard()
    error = fetch_error(strict_fetcher(), url)
    assert error.problem.kind == "blocked"  # the loopback address is refused first
    error = fetch_error(strict_fetcher(HostMap({"idp.example.com": ["93.184.216.34"]})), url)
    assert (error.problem.kind, error.problem.message) == (
        "bad_url",
        "only https URLs are fetched (plain http only to a local identity provider)",
    )
    assert plain_provider.requests == []


def test_plain_http_to_a_loopback_idp_is_fetched_when_loopback_is_allowed(plain_provider: OidcProvider) -> None:
    facts = gather_oidc(plain_provider.standard(), plain_provider.fetcher())
    assert facts.discovery_problem is None and facts.jwks_problem is None
    assert len(facts.keys) == 2


@pytest.mark.parametrize(
    ("url", "kind", "message"),
    [
        ("file:///etc/passwd", "bad_url", "only https URLs are fetched"),
        ("ftp://idp.example.com/x", "bad_url", "only https URLs are fetched"),
        ("https://user:secret@idp.example.com/x", "bad_url", "URLs with user names or passwords are not fetched"),
        ("not a url at all", "bad_url", "only https URLs are fetched"),
        ("https://" + "a" * 3000 + ".example", "bad_url", "the URL is longer than 2048 characters"),
        ("https://no-such-host.invalid/x", "dns", "no-such-host.invalid could not be resolved"),
    ],
)
def test_bad_urls_fail_with_a_clear_message(url: str, kind: str, message: str) -> None:
    error = fetch_error(strict_fetcher(), url)
    assert error.problem.kind == kind
    assert error.problem.message.startswith(message)
    assert "secret" not in error.problem.url


def test_tls_certificate_is_checked_against_the_url_host_not_the_address(provider: OidcProvider) -> None:
    provider.standard()
    resolver = HostMap({"unlisted.example.org": ["127.0.0.1"]})
    error = fetch_error(provider.fetcher(resolver), f"https://unlisted.example.org:{provider.port}{DISCOVERY}")
    assert (error.problem.kind, error.problem.message) == ("tls", "TLS certificate verification failed")
    assert provider.requests == []


def test_connection_refused_is_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fetcher = OidcFetcher(policy=AddressPolicy(allow_loopback=True), resolver=HostMap(), timeout=1.0)
    error = fetch_error(fetcher, f"https://idp.example.com:{port}/x")
    assert (error.problem.kind, error.problem.message) == ("connect", "connection refused")


def test_declared_oversized_body_is_refused_before_reading(provider: OidcProvider) -> None:
    provider.serve(DISCOVERY, Route(body=b"[" + b"0," * 3000 + b"0]"))
    error = fetch_error(provider.fetcher(max_bytes=1000), provider.url(DISCOVERY))
    assert (error.problem.kind, error.problem.message) == (
        "too_large",
        "the response is 6,003 bytes; the limit is 1,000",
    )


def test_undeclared_oversized_body_is_cut_while_streaming(provider: OidcProvider) -> None:
    provider.serve(DISCOVERY, Route(body=b"[" + b"0," * 3000 + b"0]", send_length=False))
    error = fetch_error(provider.fetcher(max_bytes=1000), provider.url(DISCOVERY))
    assert (error.problem.kind, error.problem.message) == ("too_large", "the response exceeds the 1,000-byte limit")


def test_a_server_that_does_not_answer_times_out(provider: OidcProvider) -> None:
    provider.serve(DISCOVERY, Route(body=b"{}", delay=1.5))
    error = fetch_error(provider.fetcher(timeout=0.3), provider.url(DISCOVERY))
    assert (error.problem.kind, error.problem.message) == ("timeout", "no complete answer within 0.3 s")


def test_a_body_trickling_in_hits_the_overall_deadline(provider: OidcProvider) -> None:
    provider.serve(DISCOVERY, Route(drip=(b" ", 0.1, 40)))
    error = fetch_error(provider.fetcher(timeout=0.5, total_timeout=0.8), provider.url(DISCOVERY))
    assert (error.problem.kind, error.problem.message) == ("timeout", "the response took longer than 0.8 s")


@pytest.mark.timeout(20)
def test_headers_trickling_in_hit_the_overall_deadline(provider: OidcProvider) -> None:
    """Each header line arrives within the read timeout; the whole fetch still ends on time
    (before, the deadline was only checked while the body streamed: 260 s against 15 s)."""
    provider.serve(DISCOVERY, Route(body=b"{}", header_drip=(0.2, 200)))
    error = fetch_error(provider.fetcher(timeout=0.5, total_timeout=0.8), provider.url(DISCOVERY))
    assert (error.problem.kind, error.problem.message) == ("timeout", "the response took longer than 0.8 s")


@pytest.mark.parametrize(
    ("discovery", "jwks", "where", "kind", "message"),
    [
        (Route(status=404), None, "discovery", "http_status", "HTTP 404"),
        (
            Route(body=b"<html>login</html>", content_type="text/html"),
            None,
            "discovery",
            "not_json",
            "the response is not JSON",
        ),
        (Route(body=b"[1]"), None, "discovery", "invalid_document", "the discovery document is not a JSON object"),
        (Route(body=b'{"issuer": "x"}'), None, "jwks", "invalid_document", "the discovery document has no jwks_uri"),
        (None, Route(status=500), "jwks", "http_status", "HTTP 500"),
        (
            None,
            Route(body=b'{"kty": "RSA"}'),
            "jwks",
            "invalid_document",
            "the JWKS is not a JSON object with a keys array",
        ),
    ],
)
def test_unusable_documents_are_recorded(
    provider: OidcProvider, discovery: Route | None, jwks: Route | None, where: str, kind: str, message: str
) -> None:
    url = provider.standard()
    if discovery is not None:
        provider.serve(DISCOVERY, discovery, host="idp.example.com")
    if jwks is not None:
        provider.serve("/jwks.json", jwks, host="idp.example.com")
    facts = gather_oidc(url, provider.fetcher())
    problem = facts.discovery_problem if where == "discovery" else facts.jwks_problem
    assert problem is not None
    assert (problem.kind, problem.message) == (kind, message)
    if where == "jwks" and discovery is None:
        assert facts.issuer == provider.origin()


def test_json_body_is_parsed_from_a_utf8_bom(provider: OidcProvider) -> None:
    body = "\ufeff".encode() + json.dumps({"issuer": provider.origin(), "jwks_uri": provider.url("/k")}).encode()
    provider.serve(DISCOVERY, Route(body=body))
    provider.serve_json("/k", {"keys": []})
    facts = gather_oidc(provider.url(DISCOVERY), provider.fetcher())
    assert facts.discovery_problem is None and facts.jwks_problem is None
    assert facts.keys == ()

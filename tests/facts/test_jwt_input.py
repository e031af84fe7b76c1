"""Token and request-header input: garbage gets a clear message, never a traceback or an echo."""

from __future__ import annotations

import base64
import json

import pytest

from agentcore_readiness.diagnose.jwt_403 import run_diagnosis
from agentcore_readiness.facts.jwt_input import (
    MAX_TOKEN_CHARS,
    RequestInputError,
    TokenInputError,
    decode_token,
    parse_request,
)
from oidc_provider import OidcProvider


def b64(value: object) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


GOOD_HEADER = b64({"alg": "RS256", "kid": "k"})
GOOD_PAYLOAD = b64({"iss": "https://idp.example.com", "client_id": "c"})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "the token is empty"),
        ("hello", "not a JWT: a JWT has 3 segments separated by '.', this one has 1; it looks like an opaque"),
        ("abc.def", "not a JWT: a JWT has 3 segments separated by '.', this one has 2"),
        ("a.b.c.d.e", "the token is an encrypted JWT (JWE, 5 segments)"),
        ("junk.junk.junk", "segment 1 (header) does not decode to UTF-8 text"),
        (f"{b64(b'not json')}.{GOOD_PAYLOAD}.c2ln", "segment 1 (header) does not decode to JSON"),
        (f"{b64([1, 2])}.{GOOD_PAYLOAD}.c2ln", "segment 1 (header) is JSON but not an object"),
        (f"{GOOD_HEADER}.{b64('a string')}.c2ln", "segment 2 (payload) is JSON but not an object"),
        (f"{GOOD_HEADER}..c2ln", "segment 2 (payload) is empty"),
        (f"{GOOD_HEADER}.a=b.c2ln", "segment 2 (payload) is not base64url"),
        (f"{GOOD_HEADER}.{GOOD_PAYLOAD}.ab+c/", "contains '+' at position"),
        (f"{GOOD_HEADER}.{GOOD_PAYLOAD}\n.c2ln", "the token contains whitespace at position"),
        (f"{GOOD_HEADER}.{GOOD_PAYLOAD}.sig\u00e9", "the token contains a non-ASCII character at position"),
        ("x" * (1024 * 1024), "the token is 1,048,576 characters; JWTs sent in an Authorization header"),
        (b"\xff\xfe\x00garbage", "the token is not UTF-8 text (invalid byte at offset 0)"),
        ("abc\udcff.def.ghi", "the token is not valid UTF-8 text (an undecodable character at position 3)"),
    ],
)
def test_garbage_tokens_get_a_clear_message(value: str | bytes, message: str) -> None:
    with pytest.raises(TokenInputError) as caught:
        decode_token(value)
    assert message in str(caught.value)


def test_token_error_messages_never_quote_the_token() -> None:
    secretish = f"{GOOD_HEADER}.{GOOD_PAYLOAD}.c2lnbmF0dXJl+more"
    with pytest.raises(TokenInputError) as caught:
        decode_token(secretish)
    assert GOOD_PAYLOAD not in str(caught.value)
    assert "c2lnbmF0dXJl" not in str(caught.value)


def test_a_token_of_exactly_the_limit_is_read_and_one_longer_is_refused() -> None:
    for pad in range(8):
        payload = b64({"pad": "x" * pad})
        signature_chars = MAX_TOKEN_CHARS - len(GOOD_HEADER) - len(payload) - 2
        if signature_chars % 4 != 1:  # a base64url length that decodes
            break
    exact = f"{GOOD_HEADER}.{payload}." + "A" * signature_chars
    assert len(exact) == MAX_TOKEN_CHARS
    assert decode_token(exact).length == MAX_TOKEN_CHARS
    with pytest.raises(TokenInputError, match="the limit here is 16,384"):
        decode_token(exact + "AAAA")


def test_bearer_prefix_and_surrounding_space_are_accepted() -> None:
    token = decode_token(f"  Bearer {GOOD_HEADER}.{GOOD_PAYLOAD}.c2ln \n")
    assert token.alg == "RS256"
    assert token.iss == "https://idp.example.com"
    assert token.signature == b"sig"
    assert token.signing_input == f"{GOOD_HEADER}.{GOOD_PAYLOAD}".encode()
    assert "c2ln" not in repr(token)


def test_claims_are_read_with_their_shapes() -> None:
    payload = b64({"aud": ["a", 3, "b"], "scp": ["x", "y"], "scope": "y z", "exp": "soon", "nbf": 10})
    token = decode_token(f"{GOOD_HEADER}.{payload}.c2ln")
    assert token.audiences == ("a", "b")
    assert token.scopes == ("y", "z", "x")
    assert token.numeric_date("nbf") == 10.0
    assert token.numeric_date("iat") is None
    with pytest.raises(ValueError, match="exp is not a number"):
        token.numeric_date("exp")


def test_raw_http_request_is_read_up_to_the_body() -> None:
    raw = (
        "POST /runtimes/arn%3Aaws%3Abedrock-agentcore/invocations?qualifier=DEFAULT HTTP/1.1\r\n"
        "Host: bedrock-agentcore.us-east-1.amazonaws.com\r\n"
        "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\r\n"
        "X-Amz-Date: 20250101T000000Z\r\n"
        "X-Amz-Security-Token: FwoGZXIvYXdzEJr//////////secret\r\n"
        "Content-Type: application/json\r\n"
        "\r\n"
        '{"prompt": "X-Amz-Signature: not a header"}'
    )
    request = parse_request(raw)
    assert request.request_line == "POST /runtimes/arn%3Aaws%3Abedrock-agentcore/invocations"
    assert request.header_names == ("Host", "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "Content-Type")
    assert request.authorization_scheme == "Bearer"
    assert request.bearer_token == "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
    assert request.sigv4_markers == ("X-Amz-Date header", "X-Amz-Security-Token header")
    assert "secret" not in repr(request)
    assert "eyJ" not in repr(request)


def test_curl_command_headers_and_presigned_query_are_read() -> None:
    command = (
        "curl -X POST 'https://bedrock-agentcore.us-east-1.amazonaws.com/runtimes/x/invocations?"
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc' \\\n"
        "  -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIA/2025/us-east-1/bedrock-agentcore/aws4_request' "
        '-H "Content-Type: application/json" -d \'{"prompt": "hi"}\''
    )
    request = parse_request(command)
    assert request.request_line == "POST /runtimes/x/invocations"
    assert request.authorization_scheme == "AWS4-HMAC-SHA256"
    assert request.sigv4_markers == (
        "Authorization: AWS4-HMAC-SHA256 (a SigV4 signature)",
        "X-Amz-Signature query parameter (a presigned SigV4 URL)",
    )


def test_header_mapping_and_token_without_scheme() -> None:
    request = parse_request({"authorization": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"})
    assert request.authorization_scheme is None
    assert request.token_without_scheme is True
    assert request.bearer_token == "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("just some words", "no request headers found"),
        ('{"Authorization": ', "the request headers look like JSON but do not parse"),
        ("[1, 2]", "no request headers found"),
        ("curl -H 'Authorization: Bearer x", "the curl command could not be split into words"),
        (b"Authorization: Bearer \xff\xfe", "the request headers are not UTF-8 text (invalid byte at offset 22)"),
        ("Authorization: " + "x" * 70_000, "the request headers are 70,015 characters; the limit is 65,536"),
        ({f"X-H{i}": "v" for i in range(201)}, "the request has 201 headers; the limit is 200"),
    ],
)
def test_garbage_request_headers_get_a_clear_message(value: object, message: str) -> None:
    with pytest.raises(RequestInputError) as caught:
        parse_request(value)  # type: ignore[arg-type]
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "garbage",
    ["not-a-jwt", "junk.junk.junk", "x" * (1024 * 1024), b"\xc3\x28.\xa0\xa1.\xe2\x28\xa1"],
    ids=["not-a-jwt", "three-junk-segments", "one-megabyte", "non-utf8"],
)
def test_diagnosis_of_garbage_token_reports_it_without_traceback(garbage: str | bytes) -> None:
    with OidcProvider() as provider:
        discovery = provider.standard()
        result = run_diagnosis(
            garbage,
            discovery_url=discovery,
            allowed_clients=["app"],
            fetcher=provider.fetcher(),
        )
    assert result.verdict.outcome == "token_unreadable"
    assert result.verdict.summary.startswith("the token could not be read, so AgentCore rejects it")
    assert result.token is None
    assert len(result.input_problems) == 1
    statuses = {s.rule: s.status for s in result.steps}
    assert statuses == {
        "JWT001": "skipped",
        "JWT002": "pass",
        "JWT003": "unknown",
        "JWT004": "pass",
        "JWT005": "unknown",
        "JWT006": "unknown",
        "JWT007": "unknown",
        "JWT008": "not_applicable",
    }
    dumped = result.model_dump_json()
    if isinstance(garbage, str):
        assert garbage[:40] not in dumped
    assert len(dumped) < 20_000

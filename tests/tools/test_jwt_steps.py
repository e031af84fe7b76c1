"""diagnose_jwt_403's steps against a real loopback identity provider: one case per step
failing alone, each with the exact statuses of every step and the verdict.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from agentcore_readiness.diagnose.jwt_403 import JwtDiagnosis, run_diagnosis
from oidc_provider import EC_KID, RSA_KID, OidcProvider, Route, hs256_token, segments, unsigned_token

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
T = int(NOW.timestamp())
CLIENT = "7abc1defg2hij3klm4nop5qrs"

PASSING = {
    "JWT001": "pass",
    "JWT002": "pass",
    "JWT003": "pass",
    "JWT004": "pass",
    "JWT005": "pass",
    "JWT006": "pass",
    "JWT007": "pass",
    "JWT008": "not_applicable",
}


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with OidcProvider() as provider:
        yield provider


def access_claims(idp: OidcProvider, **overrides: Any) -> dict[str, Any]:
    """A Cognito-style access token: client_id and no aud."""
    claims: dict[str, Any] = {
        "iss": idp.origin(),
        "sub": "5f1c2d3e-user",
        "client_id": CLIENT,
        "token_use": "access",
        "scope": "agent/invoke openid",
        "iat": T - 60,
        "exp": T + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def diagnose(idp: OidcProvider, token: str, *, headers: Any = "bearer", **kwargs: Any) -> JwtDiagnosis:
    if headers == "bearer":
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    kwargs.setdefault("fetcher", idp.fetcher())
    if "path" not in kwargs:
        kwargs.setdefault("discovery_url", idp.url("/.well-known/openid-configuration"))
        kwargs.setdefault("allowed_clients", [CLIENT])
    result = run_diagnosis(token, headers, now=NOW, **kwargs)
    dumped = result.model_dump_json()
    for segment in segments(token):
        if len(segment) > 8:
            assert segment not in dumped, "the output must never contain the token"
    return result


def statuses(result: JwtDiagnosis) -> dict[str, str]:
    return {step.rule: step.status for step in result.steps}


def step(result: JwtDiagnosis, code: str) -> Any:
    return next(s for s in result.steps if s.rule == code)


def with_(**changes: str) -> dict[str, str]:
    return {**PASSING, **changes}


def test_valid_token_passes_every_step_and_only_then_blames_the_service(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp)))
    assert statuses(result) == PASSING
    assert result.verdict.outcome == "likely_service_side"
    assert result.verdict.summary == "all client-side checks pass: likely service-side"
    assert result.verdict.first_failing_step is None
    assert step(result, "JWT007").summary == "the signature verifies with key rsa-key-1 (RS256)"
    assert step(result, "JWT005").summary == "expires in 1 h (exp 2026-03-01T13:00:00Z; now 2026-03-01T12:00:00Z)"
    token = result.token
    assert token is not None
    assert (token.source, token.alg, token.kid, token.iss, token.client_id, token.aud) == (
        "argument",
        "RS256",
        RSA_KID,
        idp.origin(),
        CLIENT,
        [],
    )
    assert token.scopes == ["agent/invoke", "openid"]
    assert token.expires_at == "2026-03-01T13:00:00Z"
    assert token.sub == "5f1c…(13 chars)"
    assert token.shape == "client_id and no aud (a Cognito access token): matched by allowedClients"


def test_ec_signed_token_verifies_and_warns_only_about_the_algorithm(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp), key="ec"))
    assert statuses(result) == with_(JWT006="warn")
    assert step(result, "JWT007").summary == f"the signature verifies with key {EC_KID} (ES256)"
    assert result.verdict.outcome == "warnings"
    assert result.verdict.first_warning_step == "JWT006"
    assert result.verdict.summary == (
        "no step failed; JWT006 signing-algorithm-unsupported warns: the token is signed with ES256: not "
        "universally supported; switch to RS256 if compatibility is the issue"
    )


# -- JWT001


def test_sigv4_headers_next_to_the_bearer_token_fail_jwt001_alone(idp: OidcProvider) -> None:
    idp.standard()
    token = idp.sign(access_claims(idp))
    headers = (
        "POST /runtimes/arn/invocations HTTP/1.1\n"
        "Host: bedrock-agentcore.us-east-1.amazonaws.com\n"
        f"Authorization: Bearer {token}\n"
        "X-Amz-Date: 20260301T120000Z\n"
        "X-Amz-Security-Token: IQoJb3JpZ2luX2VjEXAMPLEONLY\n"
    )
    result = diagnose(idp, token, headers=headers)
    assert statuses(result) == with_(JWT001="fail")
    assert result.verdict.outcome == "client_side_failure"
    assert result.verdict.first_failing_step == "JWT001"
    assert step(result, "JWT001").summary == (
        "the runtime uses CUSTOM_JWT but the request is also SigV4-signed: X-Amz-Date header; "
        "X-Amz-Security-Token header"
    )
    assert result.verdict.fix is not None
    assert result.verdict.fix.summary.startswith("Remove the SigV4 path and send only `Authorization: Bearer <token>`")
    assert "IQoJb3JpZ2luX2VjEXAMPLEONLY" not in result.model_dump_json()


def test_token_without_bearer_scheme_fails_jwt001(idp: OidcProvider) -> None:
    idp.standard()
    token = idp.sign(access_claims(idp))
    result = diagnose(idp, token, headers={"Authorization": token})
    assert statuses(result) == with_(JWT001="fail")
    assert step(result, "JWT001").summary == "the Authorization header holds a JWT without the `Bearer ` scheme word"


def test_without_request_headers_jwt001_is_skipped_and_the_verdict_is_incomplete(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp)), headers=None)
    assert statuses(result) == with_(JWT001="skipped")
    assert result.verdict.outcome == "incomplete"
    assert result.verdict.not_checked == [
        "JWT001: no request headers were given, so SigV4 headers next to the Bearer token could not be checked "
        "(pass request_headers)"
    ]


def test_bearer_token_to_an_iam_runtime_fails_jwt001_and_the_jwt_walk_does_not_apply(
    idp: OidcProvider, project: Any
) -> None:
    project.agentcore()  # one runtime, no authorizerType: AWS_IAM
    token = idp.sign(access_claims(idp))
    result = diagnose(idp, token, path=str(project.root))
    assert statuses(result) == {
        "JWT001": "fail",
        **{f"JWT00{n}": "not_applicable" for n in range(2, 9)},
    }
    assert result.authorizer_type == "AWS_IAM"
    assert result.fetched is False
    assert idp.requests == []
    first = step(result, "JWT001")
    assert first.summary == (
        "Agent uses AWS_IAM (SigV4), but the request carries Authorization: Bearer: AgentCore answers 403 "
        "'Authorization method mismatch'"
    )
    assert first.fix.patch == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {"op": "add", "path": "/runtimes/0/authorizerType", "value": "CUSTOM_JWT"},
        {
            "op": "add",
            "path": "/runtimes/0/authorizerConfiguration",
            "value": {
                "customJwtAuthorizer": {
                    "discoveryUrl": idp.origin() + "/.well-known/openid-configuration",
                    "allowedClients": [CLIENT],
                }
            },
        },
    ]
    assert first.fix.patch_file == "agentcore/agentcore.json"


def test_sigv4_request_to_an_iam_runtime_points_at_iam_permissions(project: Any) -> None:
    project.agentcore()
    result = run_diagnosis(
        request_headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x", "X-Amz-Date": "x"},
        path=str(project.root),
        now=NOW,
    )
    assert statuses(result)["JWT001"] == "pass"
    assert result.verdict.outcome == "not_a_jwt_runtime"
    assert "bedrock-agentcore:InvokeAgentRuntime" in result.verdict.summary


# -- JWT002


def test_issuer_on_the_parent_domain_of_the_discovery_host_fails_jwt002_alone(idp: OidcProvider) -> None:
    issuer = idp.origin("example.com")
    discovery = idp.standard("qa.example.com", issuer=issuer)
    result = diagnose(idp, idp.sign(access_claims(idp, iss=issuer)), discovery_url=discovery)
    assert statuses(result) == with_(JWT002="fail")
    second = step(result, "JWT002")
    assert second.summary == (
        f"the issuer {issuer} (from the discovery document) is not a URL prefix of the discovery URL {discovery}"
    )
    assert second.fix.patch == [
        {
            "op": "add",
            "path": "/authorizerConfiguration/customJwtAuthorizer/discoveryUrl",
            "value": issuer + "/.well-known/openid-configuration",
        }
    ]
    assert result.verdict.first_failing_step == "JWT002"


def test_offline_issuer_check_uses_the_tokens_iss(idp: OidcProvider) -> None:
    discovery = f"https://qa.example.com:{idp.port}/.well-known/openid-configuration"
    token = idp.sign(access_claims(idp, iss=idp.origin("example.com")))
    result = diagnose(idp, token, discovery_url=discovery, fetch=False)
    assert statuses(result) == with_(JWT002="fail", JWT004="skipped", JWT007="skipped")
    assert "(from the token's iss)" in step(result, "JWT002").summary
    assert idp.requests == []


def test_token_from_another_issuer_than_the_discovery_document_fails_jwt002(idp: OidcProvider) -> None:
    idp.standard()
    token = idp.sign(access_claims(idp, iss=idp.origin() + "/"))
    result = diagnose(idp, token)
    assert statuses(result) == with_(JWT002="fail")
    assert step(result, "JWT002").summary == (
        f"the token's iss {idp.origin()}/ is not the issuer {idp.origin()} the discovery document declares "
        "(they differ only by a trailing slash, which still fails an exact comparison)"
    )


# -- JWT003


def _jwt_project(project: Any, idp: OidcProvider, **authorizer: Any) -> None:
    from conftest import runtime

    project.agentcore(
        runtimes=[
            runtime(
                authorizerType="CUSTOM_JWT",
                authorizerConfiguration={
                    "customJwtAuthorizer": {
                        "discoveryUrl": idp.url("/.well-known/openid-configuration"),
                        **authorizer,
                    }
                },
            )
        ]
    )


def _line(project: Any, needle: str) -> int:
    lines = (project.root / "agentcore/agentcore.json").read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if needle in text)


def test_cognito_access_token_against_allowed_audience_fails_jwt003_with_the_allowed_clients_change(
    idp: OidcProvider, project: Any
) -> None:
    idp.standard()
    _jwt_project(project, idp, allowedAudience=["my-api"])
    result = diagnose(idp, idp.sign(access_claims(idp)), path=str(project.root))
    assert statuses(result) == with_(JWT003="fail")
    third = step(result, "JWT003")
    assert third.summary == (
        "the runtime checks allowedAudience but the token has no aud claim; it has client_id "
        f"{CLIENT} (a Cognito access token): configure allowedClients instead"
    )
    finding = third.findings[0]
    assert (finding.location.path, finding.location.line) == (
        "agentcore/agentcore.json",
        _line(project, '"allowedAudience"'),
    )
    base = "/runtimes/0/authorizerConfiguration/customJwtAuthorizer"
    assert third.fix.patch == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {"op": "test", "path": f"{base}/allowedAudience", "value": ["my-api"]},
        {"op": "remove", "path": f"{base}/allowedAudience"},
        {"op": "add", "path": f"{base}/allowedClients", "value": [CLIENT]},
    ]
    assert third.fix.patch_file == "agentcore/agentcore.json"
    assert third.fix.commands == ["agentcore validate && agentcore deploy"]
    assert result.verdict.fix == third.fix
    assert result.authorizer_source == "agentcore/agentcore.json (runtime Agent)"


def test_id_token_against_allowed_clients_fails_jwt003_with_the_allowed_audience_change(idp: OidcProvider) -> None:
    idp.standard()
    token = idp.sign(access_claims(idp, client_id=None, token_use="id", aud=CLIENT, scope=None))
    result = diagnose(idp, token)
    assert statuses(result) == with_(JWT003="fail")
    third = step(result, "JWT003")
    assert third.summary == (
        f"the runtime checks allowedClients but the token has no client_id claim; it has aud [{CLIENT}] "
        "(an ID-token style): configure allowedAudience instead"
    )
    assert third.fix.patch == [
        {"op": "remove", "path": "/authorizerConfiguration/customJwtAuthorizer/allowedClients"},
        {"op": "add", "path": "/authorizerConfiguration/customJwtAuthorizer/allowedAudience", "value": [CLIENT]},
    ]
    assert result.token is not None and result.token.shape == "aud: matched by allowedAudience"


def test_client_id_missing_from_allowed_clients_fails_jwt003(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp)), allowed_clients=["other-client"])
    assert statuses(result) == with_(JWT003="fail")
    assert step(result, "JWT003").fix.patch == [
        {
            "op": "add",
            "path": "/authorizerConfiguration/customJwtAuthorizer/allowedClients",
            "value": ["other-client", CLIENT],
        }
    ]


def test_token_with_aud_and_client_id_checked_only_by_clients_warns(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp, aud="my-api")))
    assert statuses(result) == with_(JWT003="warn")
    assert step(result, "JWT003").summary.startswith("the token carries both aud and client_id")


def test_audience_mismatch_fails_jwt003(idp: OidcProvider) -> None:
    idp.standard()
    token = idp.sign(access_claims(idp, client_id=None, aud=["api-a", "api-b"]))
    result = diagnose(idp, token, allowed_clients=None, allowed_audience=["api-c"])
    assert statuses(result) == with_(JWT003="fail")
    assert step(result, "JWT003").summary == "the token's aud [api-a, api-b] matches none of allowedAudience [api-c]"


# -- JWT004


def test_unknown_kid_fails_jwt004_alone(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp), kid="rotated-away"))
    assert statuses(result) == with_(JWT004="fail", JWT007="unknown")
    assert step(result, "JWT004").summary == "the JWKS has no key with the token's kid rotated-away"
    assert step(result, "JWT007").summary == "the JWKS has no key with kid rotated-away (JWT004)"
    assert result.verdict.first_failing_step == "JWT004"


@pytest.mark.parametrize(
    ("route_path", "route", "summary"),
    [
        ("/jwks.json", Route(status=404), "the JWKS cannot be used: {jwks}: HTTP 404"),
        (
            "/jwks.json",
            Route(body=b'{"keys": "none"}'),
            "the JWKS cannot be used: {jwks}: the JWKS is not a JSON object with a keys array",
        ),
        (
            "/.well-known/openid-configuration",
            Route(body=b"<html/>"),
            "the discovery document cannot be used: {discovery}: the response is not JSON",
        ),
    ],
)
def test_unusable_discovery_or_jwks_fails_jwt004_alone(
    idp: OidcProvider, route_path: str, route: Route, summary: str
) -> None:
    discovery = idp.standard()
    idp.serve(route_path, route, host="idp.example.com")
    result = diagnose(idp, idp.sign(access_claims(idp)))
    expected = with_(JWT004="fail", JWT007="unknown")
    assert statuses(result) == expected
    assert step(result, "JWT004").summary == summary.format(jwks=idp.url("/jwks.json"), discovery=discovery)


def test_jwks_uri_on_a_private_host_fails_jwt004(idp: OidcProvider) -> None:
    discovery = idp.serve_json(
        "/.well-known/openid-configuration",
        {"issuer": idp.origin(), "jwks_uri": "https://10.20.30.40/keys"},
        host="idp.example.com",
    )
    result = diagnose(idp, idp.sign(access_claims(idp)), discovery_url=discovery)
    assert statuses(result) == with_(JWT004="fail", JWT007="unknown")
    assert step(result, "JWT004").summary == (
        "the JWKS cannot be used: https://10.20.30.40/keys: refused: 10.20.30.40 is a private address "
        "(set AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK=1 on the server to reach a local identity provider)"
    )


def test_unresolvable_discovery_host_is_unknown_not_fail(idp: OidcProvider) -> None:
    token = idp.sign(access_claims(idp, iss="https://gone.example.net"))
    result = diagnose(idp, token, discovery_url="https://gone.example.net/.well-known/openid-configuration")
    assert statuses(result) == with_(JWT004="unknown", JWT007="unknown")
    assert step(result, "JWT004").summary.startswith(
        "the discovery document cannot be used: https://gone.example.net/.well-known/openid-configuration: "
        "gone.example.net could not be resolved"
    )
    assert result.verdict.outcome == "incomplete"


# -- JWT005


def test_expired_token_fails_jwt005_alone_and_says_how_long_ago(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp, iat=T - 9000, exp=T - 5400)))
    assert statuses(result) == with_(JWT005="fail")
    assert step(result, "JWT005").summary == "the token expired 1 h 30 min ago (exp 2026-03-01T10:30:00Z)"
    assert result.verdict.summary == (
        "JWT005 token-expired: the token expired 1 h 30 min ago (exp 2026-03-01T10:30:00Z)"
    )


def test_future_not_before_warns(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp, nbf=T + 300)))
    assert statuses(result) == with_(JWT005="warn")
    assert step(result, "JWT005").summary.startswith("the token is not valid for another 5 min")


# -- JWT006


def test_hs256_token_fails_jwt006_alone(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, hs256_token(access_claims(idp)))
    assert statuses(result) == with_(JWT006="fail", JWT007="skipped")
    assert step(result, "JWT006").summary == (
        "the token is signed with HS256, a shared-secret algorithm: AgentCore verifies with the identity "
        "provider's public keys"
    )
    assert step(result, "JWT007").summary == "a token with alg HS256 cannot be verified with public keys (JWT006)"


def test_unsigned_none_token_fails_jwt006_alone(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, unsigned_token(access_claims(idp)))
    assert statuses(result) == with_(JWT006="fail", JWT007="skipped")
    assert step(result, "JWT006").summary == "the token is unsigned (alg none): it can never verify"
    assert result.verdict.first_failing_step == "JWT006"


# -- JWT007


def test_signature_from_another_key_under_the_published_kid_fails_jwt007_alone(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp), key="rsa_other", kid=RSA_KID))
    assert statuses(result) == with_(JWT007="fail")
    assert step(result, "JWT007").summary == f"the token's signature does not verify with the JWKS key {RSA_KID}"
    assert result.verdict.first_failing_step == "JWT007"


def test_tampered_payload_fails_jwt007(idp: OidcProvider) -> None:
    idp.standard()
    genuine = idp.sign(access_claims(idp))
    forged_payload = idp.sign(access_claims(idp, sub="admin")).split(".")[1]
    header, _, signature = genuine.split(".")
    result = diagnose(idp, f"{header}.{forged_payload}.{signature}")
    assert statuses(result) == with_(JWT007="fail")


def test_rsa_token_whose_kid_names_an_ec_key_fails_jwt007(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp), kid=EC_KID))
    assert statuses(result) == with_(JWT007="fail")
    assert (
        step(result, "JWT007").summary == "the JWKS key ec-key-1 (EC) cannot verify a RS256 signature (wrong key type)"
    )


# -- JWT008


def test_missing_scope_fails_jwt008_alone(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp, scope="openid")), allowed_scopes=["agent/invoke"])
    assert statuses(result) == with_(JWT008="fail")
    assert step(result, "JWT008").summary == "the token carries none of allowedScopes [agent/invoke]"


def test_scope_present_passes_jwt008(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp)), allowed_scopes=["agent/invoke", "agent/admin"])
    assert statuses(result) == with_(JWT008="pass")
    assert result.verdict.outcome == "likely_service_side"


def _claim(name: str, value_type: str, operator: str, **value: Any) -> dict[str, Any]:
    return {
        "inboundTokenClaimName": name,
        "inboundTokenClaimValueType": value_type,
        "authorizingClaimMatchValue": {"claimMatchOperator": operator, "claimMatchValue": value},
    }


CLAIM_RULES = [
    _claim("department", "STRING", "EQUALS", matchValueString="engineering"),
    _claim("groups", "STRING_ARRAY", "CONTAINS", matchValueString="agents"),
    _claim("roles", "STRING_ARRAY", "CONTAINS_ANY", matchValueStringList=["reader", "writer"]),
]


def test_custom_claims_that_match_pass_jwt008(idp: OidcProvider, project: Any) -> None:
    idp.standard()
    _jwt_project(project, idp, allowedClients=[CLIENT], customClaims=CLAIM_RULES)
    token = idp.sign(access_claims(idp, department="engineering", groups=["staff", "agents"], roles=["writer"]))
    result = diagnose(idp, token, path=str(project.root))
    assert statuses(result) == with_(JWT008="pass")


@pytest.mark.parametrize(
    ("claims", "summary"),
    [
        (
            {"groups": ["agents"], "roles": ["reader"]},
            "the token has no department claim, which customClaims[0] requires",
        ),
        (
            {"department": "sales", "groups": ["agents"], "roles": ["reader"]},
            "the token's department does not satisfy customClaims[0] (STRING EQUALS)",
        ),
        (
            {"department": "engineering", "groups": ["staff"], "roles": ["reader"]},
            "the token's groups does not satisfy customClaims[1] (STRING_ARRAY CONTAINS)",
        ),
        (
            {"department": "engineering", "groups": "agents", "roles": ["reader"]},
            "the token's groups is not an array (customClaims[1] expects STRING_ARRAY)",
        ),
        (
            {"department": "engineering", "groups": ["agents"], "roles": ["admin"]},
            "the token's roles does not satisfy customClaims[2] (STRING_ARRAY CONTAINS_ANY)",
        ),
    ],
)
def test_custom_claim_mismatch_fails_jwt008_alone(
    idp: OidcProvider, project: Any, claims: dict[str, Any], summary: str
) -> None:
    idp.standard()
    _jwt_project(project, idp, allowedClients=[CLIENT], customClaims=CLAIM_RULES)
    result = diagnose(idp, idp.sign(access_claims(idp, **claims)), path=str(project.root))
    assert statuses(result) == with_(JWT008="fail")
    assert step(result, "JWT008").summary == summary
    finding = step(result, "JWT008").findings[0]
    assert (finding.location.path, finding.location.line) == (
        "agentcore/agentcore.json",
        _line(project, '"customClaims"'),
    )


# -- offline


def test_fetch_false_runs_the_offline_steps_and_names_those_not_checked(idp: OidcProvider) -> None:
    idp.standard()
    result = diagnose(idp, idp.sign(access_claims(idp)), fetch=False)
    assert statuses(result) == with_(JWT004="skipped", JWT007="skipped")
    assert idp.requests == []
    assert result.fetched is False
    assert result.verdict.outcome == "incomplete"
    assert result.verdict.not_checked == [
        "JWT004: fetch=false: the discovery document and the JWKS were not fetched",
        "JWT007: fetch=false: the discovery document and the JWKS were not fetched",
    ]

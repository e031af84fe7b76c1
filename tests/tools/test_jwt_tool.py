"""diagnose_jwt_403 as a tool: authorizer sources (agentcore.json, YAML, AWS hook,
arguments), input errors, no token in logs or output, and the MCP surface.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from agentcore_readiness.diagnose.jwt_403 import AuthorizerLookupError, run_diagnosis
from agentcore_readiness.engine import InputError
from agentcore_readiness.server.app import build_server
from agentcore_readiness.settings import Settings
from conftest import ProjectBuilder, runtime
from oidc_provider import OidcProvider, segments

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
T = int(NOW.timestamp())
CLIENT = "app-client-1"
ARN = "arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/agent-AbC123"


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with OidcProvider() as provider:
        yield provider


def claims(idp: OidcProvider, **overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"iss": idp.origin(), "client_id": CLIENT, "exp": T + 600, "iat": T - 60}
    value.update(overrides)
    return {k: v for k, v in value.items() if v is not None}


def statuses(result: Any) -> dict[str, str]:
    return {s.rule: s.status for s in result.steps}


def jwt_runtime(name: str, idp: OidcProvider, **authorizer: Any) -> dict[str, Any]:
    return runtime(
        name,
        authorizerType="CUSTOM_JWT",
        authorizerConfiguration={
            "customJwtAuthorizer": {"discoveryUrl": idp.url("/.well-known/openid-configuration"), **authorizer}
        },
    )


def test_yaml_custom_jwt_authorizer_is_read_and_the_fix_edits_the_yaml(
    idp: OidcProvider, project: ProjectBuilder
) -> None:
    idp.standard()
    discovery = idp.url("/.well-known/openid-configuration")
    project.write(
        ".bedrock_agentcore.yaml",
        textwrap.dedent(
            f"""\
            default_agent: support
            agents:
              support:
                name: support
                entrypoint: app.py
                deployment_type: direct_code_deploy
                aws:
                  region: us-east-1
                  account: "123456789012"
                authorizer_configuration:
                  customJWTAuthorizer:
                    discoveryUrl: {discovery}
                    allowedAudience:
                      - my-api
            """
        ),
    )
    token = idp.sign(claims(idp))
    result = run_diagnosis(
        token, {"Authorization": f"Bearer {token}"}, path=str(project.root), fetcher=idp.fetcher(), now=NOW
    )
    assert result.authorizer_source == ".bedrock_agentcore.yaml (runtime support)"
    assert statuses(result)["JWT003"] == "fail"
    fix = result.verdict.fix
    assert fix is not None
    assert fix.patch_file == ".bedrock_agentcore.yaml"
    assert fix.patch == [
        {
            "op": "test",
            "path": "/agents/support/authorizer_configuration/customJWTAuthorizer/allowedAudience",
            "value": ["my-api"],
        },
        {"op": "remove", "path": "/agents/support/authorizer_configuration/customJWTAuthorizer/allowedAudience"},
        {
            "op": "add",
            "path": "/agents/support/authorizer_configuration/customJWTAuthorizer/allowedClients",
            "value": [CLIENT],
        },
    ]
    assert "agents.support.authorizer_configuration.customJWTAuthorizer.allowedClients" in fix.summary
    assert fix.commands == ["agentcore launch"]
    finding = result.steps[2].findings[0]
    assert (finding.location.path, finding.location.line) == (".bedrock_agentcore.yaml", 14)  # the list's line


def test_several_custom_jwt_runtimes_need_a_runtime_name(idp: OidcProvider, project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            jwt_runtime("Web", idp, allowedClients=[CLIENT]),
            jwt_runtime("Mobile", idp, allowedClients=["mobile"]),
            runtime("Batch"),
        ]
    )
    token = idp.sign(claims(idp))
    with pytest.raises(InputError) as caught:
        run_diagnosis(token, path=str(project.root), fetch=False, now=NOW)
    assert str(caught.value) == f"{project.root} has several CUSTOM_JWT runtimes (Web, Mobile): pass runtime=<name>"
    result = run_diagnosis(token, path=str(project.root), runtime="Mobile", fetch=False, now=NOW)
    assert result.runtime == "Mobile"
    assert statuses(result)["JWT003"] == "fail"
    with pytest.raises(InputError, match=r"no runtime named 'Nope' \(runtimes: Web, Mobile, Batch\)"):
        run_diagnosis(token, path=str(project.root), runtime="Nope", fetch=False)


def test_single_custom_jwt_runtime_is_chosen_among_iam_ones(idp: OidcProvider, project: ProjectBuilder) -> None:
    idp.standard()
    project.agentcore(runtimes=[runtime("Batch"), jwt_runtime("Web", idp, allowedClients=[CLIENT])])
    token = idp.sign(claims(idp))
    result = run_diagnosis(
        token, {"Authorization": f"Bearer {token}"}, path=str(project.root), fetcher=idp.fetcher(), now=NOW
    )
    assert result.runtime == "Web"
    assert result.verdict.outcome == "likely_service_side"


def test_aws_hook_supplies_the_deployed_authorizer(idp: OidcProvider) -> None:
    idp.standard()
    calls: list[tuple[str, str | None]] = []

    def lookup(reference: str, region: str | None) -> dict[str, Any]:
        calls.append((reference, region))
        return {
            "customJWTAuthorizer": {
                "discoveryUrl": idp.url("/.well-known/openid-configuration"),
                "allowedClients": [CLIENT],
            }
        }

    token = idp.sign(claims(idp))
    result = run_diagnosis(
        token,
        {"Authorization": f"Bearer {token}"},
        runtime=ARN,
        aws_authorizer=lookup,
        fetcher=idp.fetcher(),
        now=NOW,
    )
    assert calls == [(ARN, "eu-west-1")]
    assert result.authorizer_source == f"AWS GetAgentRuntime ({ARN})"
    assert result.verdict.outcome == "likely_service_side"


def test_deployed_authorizer_wins_over_the_project_and_the_difference_is_noted(
    idp: OidcProvider, project: ProjectBuilder
) -> None:
    idp.standard()
    project.agentcore(runtimes=[jwt_runtime("Agent", idp, allowedClients=[CLIENT])])
    project.json(
        "agentcore/.cli/deployed-state.json",
        {
            "targets": {
                "default": {"resources": {"runtimes": {"Agent": {"runtimeArn": ARN, "runtimeId": "agent-AbC123"}}}}
            }
        },
    )
    token = idp.sign(claims(idp))
    result = run_diagnosis(
        token,
        {"Authorization": f"Bearer {token}"},
        path=str(project.root),
        aws_authorizer=lambda ref, region: None,  # deployed without an authorizer: AWS_IAM
        fetcher=idp.fetcher(),
        now=NOW,
    )
    assert result.authorizer_type == "AWS_IAM"
    assert result.notes == [
        "the deployed authorizer differs from agentcore/agentcore.json: the steps use the deployed one; "
        "deploy the project to apply its settings"
    ]
    assert statuses(result)["JWT001"] == "fail"


def test_aws_hook_that_cannot_look_up_falls_back_to_the_arguments(idp: OidcProvider) -> None:
    idp.standard()

    def no_credentials(reference: str, region: str | None) -> None:
        raise AuthorizerLookupError("no AWS credentials")

    token = idp.sign(claims(idp))
    result = run_diagnosis(
        token,
        {"Authorization": f"Bearer {token}"},
        runtime=ARN,
        discovery_url=idp.url("/.well-known/openid-configuration"),
        allowed_clients=[CLIENT],
        aws_authorizer=no_credentials,
        fetcher=idp.fetcher(),
        now=NOW,
    )
    assert result.notes == [f"the AWS lookup of {ARN} was not possible (no AWS credentials)"]
    assert result.authorizer_source == "arguments"
    assert result.verdict.outcome == "likely_service_side"


def test_token_alone_derives_the_discovery_url_from_iss_and_verifies_the_signature(idp: OidcProvider) -> None:
    idp.standard()
    token = idp.sign(claims(idp))
    result = run_diagnosis(token, {"Authorization": f"Bearer {token}"}, fetcher=idp.fetcher(), now=NOW)
    assert result.discovery_from_token is True
    assert result.discovery_url == idp.url("/.well-known/openid-configuration")
    assert statuses(result) == {
        "JWT001": "unknown",
        "JWT002": "unknown",
        "JWT003": "unknown",
        "JWT004": "pass",
        "JWT005": "pass",
        "JWT006": "pass",
        "JWT007": "pass",
        "JWT008": "unknown",
    }
    assert result.verdict.outcome == "incomplete"


def test_bearer_token_is_taken_from_the_request_when_no_token_is_given(idp: OidcProvider) -> None:
    idp.standard()
    token = idp.sign(claims(idp))
    raw = f"POST /invocations HTTP/1.1\nHost: x\nAuthorization: Bearer {token}\n\n{{}}"
    result = run_diagnosis(
        request_headers=raw,
        discovery_url=idp.url("/.well-known/openid-configuration"),
        allowed_clients=[CLIENT],
        fetcher=idp.fetcher(),
        now=NOW,
    )
    assert result.token is not None and result.token.source == "request"
    assert result.request is not None and result.request.request_line == "POST /invocations"
    assert result.verdict.outcome == "likely_service_side"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give a token, or request headers that carry the Authorization header"),
        ({"token": "x", "authorizer_type": "OPEN"}, "authorizer_type must be one of CUSTOM_JWT, AWS_IAM, NONE"),
        ({"token": "x", "allowed_clients": "abc"}, "allowed_clients must be a list of strings"),
        ({"token": "x", "discovery_url": "https://x/" + "a" * 3000}, "discovery_url must be a URL of at most 2048"),
        ({"token": "x", "path": "/no/such/dir"}, "/no/such/dir: no such file or directory"),
    ],
)
def test_unusable_arguments_raise_a_clear_input_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as caught:
        run_diagnosis(**kwargs)
    assert message in str(caught.value)


LOGGING_RUN = """
import sys
sys.path.insert(0, sys.argv[1])
from oidc_provider import OidcProvider
from agentcore_readiness.diagnose.jwt_403 import run_diagnosis
with OidcProvider() as idp:
    idp.standard()
    claims = {"iss": idp.origin(), "client_id": "c", "exp": 4_000_000_000}
    token = idp.sign(claims)
    print(token)
    for kid in ("rsa-key-1", "unknown-kid"):
        run_diagnosis(
            idp.sign(claims, kid=kid),
            {"Authorization": "Bearer " + token, "X-Amz-Security-Token": "SESSIONTOKENVALUE"},
            discovery_url=idp.url("/.well-known/openid-configuration"),
            allowed_clients=["c"],
            fetcher=idp.fetcher(),
        )
    run_diagnosis("Bearer " + token + "garbage!", discovery_url="https://10.0.0.1/.well-known/openid-configuration")
"""


def test_the_token_never_appears_in_logs_at_debug_level() -> None:
    tests_dir = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "AGENTCORE_READINESS_LOG_LEVEL": "DEBUG"}
    done = subprocess.run(
        [sys.executable, "-c", LOGGING_RUN, tests_dir], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    token = done.stdout.strip()
    logs = done.stderr
    events = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert [e["event"] for e in events] == ["jwt diagnosis", "jwt diagnosis", "discovery fetch failed", "jwt diagnosis"]
    assert events[2]["kind"] == "blocked"
    for segment in segments(token):
        assert segment not in logs
    assert "SESSIONTOKENVALUE" not in logs


# -- MCP surface


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_mcp_tool_diagnoses_a_loopback_idp_when_private_networks_are_allowed(
    monkeypatch: pytest.MonkeyPatch, project: ProjectBuilder
) -> None:
    monkeypatch.setenv("AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK", "1")
    with OidcProvider(use_tls=False) as idp:
        discovery = idp.standard("127.0.0.1")
        project.agentcore(
            runtimes=[
                runtime(
                    authorizerType="CUSTOM_JWT",
                    authorizerConfiguration={
                        "customJwtAuthorizer": {"discoveryUrl": discovery, "allowedAudience": ["my-api"]}
                    },
                )
            ]
        )
        token = idp.sign({"iss": idp.origin("127.0.0.1"), "client_id": CLIENT, "exp": 4_000_000_000})
        async with Client(build_server(Settings(roots=(str(project.root),)))) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            result = await client.call_tool(
                "diagnose_jwt_403",
                {"token": token, "request_headers": f"Authorization: Bearer {token}", "path": str(project.root)},
            )
        requests = list(idp.requests)
    spec = tools["diagnose_jwt_403"]
    assert spec.annotations is not None
    assert (spec.annotations.read_only_hint, spec.annotations.open_world_hint) == (True, True)
    assert spec.output_schema is not None
    assert result.is_error is False
    data = result.structured_content
    assert data is not None
    assert {s["rule"]: s["status"] for s in data["steps"]} == {
        "JWT001": "pass",
        "JWT002": "pass",
        "JWT003": "fail",
        "JWT004": "fail",
        "JWT005": "pass",
        "JWT006": "pass",
        "JWT007": "pass",
        "JWT008": "not_applicable",
    }
    assert data["verdict"]["first_failing_step"] == "JWT003"
    assert data["verdict"]["fix"]["patch"] == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {
            "op": "test",
            "path": "/runtimes/0/authorizerConfiguration/customJwtAuthorizer/allowedAudience",
            "value": ["my-api"],
        },
        {"op": "remove", "path": "/runtimes/0/authorizerConfiguration/customJwtAuthorizer/allowedAudience"},
        {
            "op": "add",
            "path": "/runtimes/0/authorizerConfiguration/customJwtAuthorizer/allowedClients",
            "value": [CLIENT],
        },
    ]
    jwks_step = next(s for s in data["steps"] if s["rule"] == "JWT004")
    assert jwks_step["summary"] == (
        f"the discovery URL {discovery} is not https: AgentCore fetches it from the internet (and 1 more)"
    )
    assert requests == [("127.0.0.1", "/.well-known/openid-configuration"), ("127.0.0.1", "/jwks.json")]
    text = json.dumps(data)
    for segment in segments(token):
        assert segment not in text


@pytest.mark.anyio
async def test_mcp_tool_refuses_the_loopback_idp_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK", raising=False)
    with OidcProvider(use_tls=False) as idp:
        discovery = idp.standard("127.0.0.1")
        token = idp.sign({"iss": idp.origin("127.0.0.1"), "client_id": CLIENT, "exp": 4_000_000_000})
        async with Client(build_server()) as client:
            result = await client.call_tool(
                "diagnose_jwt_403", {"token": token, "discovery_url": discovery, "allowed_clients": [CLIENT]}
            )
        requests = list(idp.requests)
    assert requests == []
    data = result.structured_content
    assert data is not None
    jwks_step = next(s for s in data["steps"] if s["rule"] == "JWT004")
    assert jwks_step["status"] == "fail"
    assert jwks_step["summary"].startswith(
        f"the discovery document cannot be used: {discovery}: refused: 127.0.0.1 is a loopback address"
    )


@pytest.mark.anyio
async def test_mcp_tool_reports_bad_arguments_as_a_tool_error() -> None:
    async with Client(build_server()) as client:
        result = await client.call_tool("diagnose_jwt_403", {"fetch": False})
    assert result.is_error is True
    assert "give a token, or request headers" in result.content[0].text  # type: ignore[union-attr]

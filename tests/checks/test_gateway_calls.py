"""GW001-GW004: every direct outbound call in agent code classified by the skill's decision
table, with the row that applied and the `agentcore add gateway-target` command."""

from __future__ import annotations

from agentcore_readiness.analysis.file_facts import HttpCall
from agentcore_readiness.checks.code_rule_bodies import classify
from conftest import ProjectBuilder, findings_of, gateway

TOOLS = "app/Agent/tools/remote.py"
MCP = "app/Agent/mcp_client/client.py"


def line_of(builder: ProjectBuilder, rel: str, needle: str, occurrence: int = 1) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    return hits[occurrence - 1]


REMOTE = """
import os

import boto3
import httpx
import requests

WEATHER_API = "https://api.weather.example.com/v1"
ORDERS = httpx.Client(base_url="https://orders.example.net")


def forecast(city: str) -> dict:
    return requests.get(f"{WEATHER_API}/forecast/{city}", timeout=10).json()


def order(order_id: str) -> dict:
    return ORDERS.get(f"/orders/{order_id}").json()


def report(key: str) -> bytes:
    return httpx.get(f"https://reports.s3.us-east-1.amazonaws.com/{key}").content


def prices() -> dict:
    return requests.post("https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/prices", json={}).json()


def local_sidecar() -> dict:
    return requests.get("http://localhost:8081/health").json()


def dynamic(url: str) -> dict:
    with httpx.Client() as client:
        return client.get(url).json()
"""

MCP_CLIENTS = """
import os

from langchain_mcp_adapters.client import MultiServerMCPClient
from mcp.client.streamable_http import streamablehttp_client
from strands.tools.mcp.mcp_client import MCPClient

SEARCH_ENDPOINT = "https://mcp.search.example.com/mcp"


def search_client():
    return MCPClient(lambda: streamablehttp_client(SEARCH_ENDPOINT))


def docs_client():
    return MultiServerMCPClient({"docs": {"transport": "streamable_http", "url": "https://docs.example.org/mcp"}})


def gateway_client():
    url = os.environ["AGENTCORE_GATEWAY_TOOLS_URL"]
    return MCPClient(lambda: streamablehttp_client(url))
"""

A2A_ENV = """
import os

import httpx
from a2a.client import A2ACardResolver

SPECIALIST_URL = os.getenv("SPECIALIST_A2A_URL")


async def ask_specialist(message: str) -> str:
    headers = {"Authorization": f"Bearer {os.environ['SPECIALIST_TOKEN']}"}
    async with httpx.AsyncClient(timeout=300, headers=headers) as http_client:
        resolver = A2ACardResolver(httpx_client=http_client, base_url=SPECIALIST_URL)
        return await resolver.get_agent_card()
"""

A2A_DECORATED = """
import os

import httpx
from a2a.client import A2ACardResolver
from bedrock_agentcore.identity.auth import requires_access_token

SPECIALIST_URL = os.getenv("SPECIALIST_A2A_URL")


@requires_access_token(provider_name="SpecialistA2A", scopes=["a2a.invoke"], auth_flow="M2M")
async def ask_specialist(message: str, *, access_token: str) -> str:
    headers = {"Authorization": f"Bearer {access_token}"}
    async with httpx.AsyncClient(timeout=300, headers=headers) as http_client:
        resolver = A2ACardResolver(httpx_client=http_client, base_url=SPECIALIST_URL)
        return await resolver.get_agent_card()
"""

STREAM_ENV = """
import os

import websockets


async def listen():
    token = os.getenv("FEED_API_KEY")
    async with websockets.connect("wss://feed.example.com/live", additional_headers={"X-Api-Key": token}) as ws:
        return await ws.recv()
"""


def test_rest_calls_are_gw001_with_the_openapi_or_api_gateway_command(project: ProjectBuilder) -> None:
    project.agentcore(agentCoreGateways=[gateway("ToolsGw")])
    project.entrypoint("tools.remote")
    project.write(TOOLS, REMOTE)
    result = project.results("GW001")["GW001"]
    assert result.status == "warn"
    assert findings_of(result) == [
        ("warn", TOOLS, line_of(project, TOOLS, "requests.get(f")),
        ("warn", TOOLS, line_of(project, TOOLS, "ORDERS.get(")),
        ("warn", TOOLS, line_of(project, TOOLS, "requests.post(")),
        ("warn", TOOLS, line_of(project, TOOLS, "client.get(url)")),
    ]
    weather = result.findings[0]
    assert weather.message == (
        "direct call requests.get() to https://api.weather.example.com/v1/forecast/{…}: "
        "skill row “External REST API used as a tool” (a REST call)"
    )
    assert weather.fix is not None
    assert weather.fix.commands == [
        "agentcore add credential --name WeatherApiKey --type api-key",
        "agentcore add gateway-target --type open-api-schema --name WeatherApi --schema <openapi-spec.json> "
        "--gateway ToolsGw --outbound-auth api-key --credential-name WeatherApiKey",
        "agentcore validate && agentcore deploy",
    ]
    assert result.findings[1].message.startswith(
        "direct call httpx.Client.get() to https://orders.example.net/orders/{…}"
    )
    api_gateway = result.findings[2].fix
    assert api_gateway is not None
    assert api_gateway.commands[0] == (
        "agentcore add gateway-target --type api-gateway --name RemoteApi --rest-api-id abc123defg --stage prod "
        "--gateway ToolsGw"
    )
    assert "a URL not resolved statically" in result.findings[3].message


def test_aws_endpoints_over_http_are_gw003(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint("tools.remote")
    project.write(TOOLS, REMOTE)
    result = project.results("GW003")["GW003"]
    assert findings_of(result) == [("fail", TOOLS, line_of(project, TOOLS, "httpx.get("))]
    assert "skill row “AWS service over HTTP” (the AWS endpoint reports.s3.us-east-1.amazonaws.com)" in (
        result.findings[0].message
    )
    assert result.findings[0].fix is not None
    assert result.findings[0].fix.summary.startswith("Call the service with boto3 (boto3.client('s3'))")


def test_mcp_clients_on_literal_urls_are_gw002_and_the_gateway_passes(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint("mcp_client.client")
    project.write(MCP, MCP_CLIENTS)
    result = project.results("GW002")["GW002"]
    assert findings_of(result) == [
        ("warn", MCP, line_of(project, MCP, "streamablehttp_client(SEARCH_ENDPOINT)")),
        ("warn", MCP, line_of(project, MCP, "MultiServerMCPClient({")),
    ]
    first = result.findings[0]
    assert first.message == (
        "direct call streamablehttp_client() to https://mcp.search.example.com/mcp (constant SEARCH_ENDPOINT): "
        "skill row “MCP server called directly” (an MCP client built on a literal remote URL)"
    )
    assert first.fix is not None
    assert first.fix.commands == [
        "agentcore add gateway --name DemoGateway --authorizer-type CUSTOM_JWT --discovery-url "
        "https://<your-idp>/.well-known/openid-configuration --allowed-clients <client-id>",
        "agentcore add gateway-target --type mcp-server --name SearchMcp --endpoint https://mcp.search.example.com/mcp "
        "--gateway DemoGateway",
        "agentcore validate && agentcore deploy",
    ]
    assert "AGENTCORE_GATEWAY_DEMOGATEWAY_URL" in first.fix.summary


def test_a2a_and_streaming_with_env_credentials_are_gw004(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint("a2a_env", "stream")
    project.write("app/Agent/a2a_env.py", A2A_ENV)
    project.write("app/Agent/stream.py", STREAM_ENV)
    result = project.results("GW004")["GW004"]
    assert findings_of(result) == [
        ("fail", "app/Agent/a2a_env.py", line_of(project, "app/Agent/a2a_env.py", "A2ACardResolver(httpx")),
        ("fail", "app/Agent/stream.py", line_of(project, "app/Agent/stream.py", "websockets.connect(")),
    ]
    assert "row “Another agent over A2A”: allowed" in result.findings[0].message
    assert "environment variable SPECIALIST_TOKEN" in result.findings[0].message
    assert "row “Streaming service (SSE, WebSocket, WebRTC)”: allowed" in result.findings[1].message
    fix = result.findings[0].fix
    assert fix is not None and fix.commands[0].startswith("agentcore add credential --name RemoteA2A --type oauth")


def test_a2a_with_requires_access_token_passes(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint("a2a_ok")
    project.write("app/Agent/a2a_ok.py", A2A_DECORATED)
    result = project.results("GW004", "GW001")
    assert result["GW004"].status == "pass"
    assert (
        result["GW004"].reason is not None and "may stay direct; auth: @requires_access_token" in result["GW004"].reason
    )
    assert result["GW001"].status == "pass"


def test_no_direct_calls_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "def add(a, b):\n    return a + b\n")
    for code in ("GW001", "GW002", "GW003", "GW004"):
        assert project.results(code)[code].status == "pass"


def test_suppressed_hot_path_with_reason_is_counted(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint("tools.remote")
    project.write(
        TOOLS,
        "import requests\n\ndef quote():\n"
        '    return requests.get("https://quotes.example.com/q")  '
        "# agentcore-readiness: ignore[GW001] latency hot path, p99 measured at 40 ms\n",
    )
    result = project.results("GW001")["GW001"]
    assert (result.status, result.findings, result.suppressed) == ("pass", [], 1)


def test_decision_table_rows() -> None:
    def call(kind: str, url: str | None, env: str | None = None) -> HttpCall:
        return HttpCall(1, kind, "c", url, "literal", env, "none", "", False, None)

    rows = {
        "rest": classify(call("http", "https://api.example.com/x")),
        "mcp-path": classify(call("http", "https://tools.example.com/mcp")),
        "aws": classify(call("http", "https://dynamodb.us-east-1.amazonaws.com/")),
        "runtime": classify(call("http", "https://bedrock-agentcore.us-east-1.amazonaws.com/runtimes/x/invocations")),
        "agent-card": classify(call("http", "https://agents.example.com/.well-known/agent.json")),
        "gateway": classify(call("mcp", "{…}", "AGENTCORE_GATEWAY_TOOLS_URL")),
        "local": classify(call("http", "http://127.0.0.1:9000/x")),
        "sse": classify(call("sse", "https://feed.example.com/events")),
    }
    assert {k: (r.code, r.row) if r else None for k, r in rows.items()} == {
        "rest": ("GW001", "External REST API used as a tool"),
        "mcp-path": ("GW002", "MCP server called directly"),
        "aws": ("GW003", "AWS service over HTTP"),
        "runtime": ("GW004", "Another agent over A2A"),
        "agent-card": ("GW004", "Another agent over A2A"),
        "gateway": ("", "AgentCore Gateway"),
        "local": None,
        "sse": ("GW004", "Streaming service (SSE, WebSocket, WebRTC)"),
    }


def test_calls_that_are_not_tools_have_no_rule() -> None:
    def call(url: str | None, client: str = "requests.get", source: str = "literal", auth: str = "none") -> HttpCall:
        return HttpCall(1, "http", client, url, source, None, auth, "", False, None)

    gateway_url = "https://orders-gw-7k2.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp"
    rows = {
        "gateway-literal": classify(call(gateway_url, "httpx.post")),
        "gateway-parameter": classify(call("{…}", "requests.post", "parameter gateway_url")),
        "token": classify(call("https://auth.example.com/oauth2/token", "requests.post")),
        "token-body": classify(call("{…}", "requests.post", "unresolved"), "oauth-token"),
        "discovery": classify(call("https://idp.example.com/.well-known/openid-configuration")),
        "telemetry": classify(call("{…}/api/public/ingestion", "httpx.post")),
        "dataset": classify(call("https://raw.example.org/data/{…}/teams.csv"), "bare"),
        "dataset-with-key": classify(call("https://data.example.org/v1/teams.csv", auth="env"), "bare"),
        "json-api-with-params": classify(call("https://events.example.org/v2/events.json")),
        "api": classify(call("https://api.example.org/v1/teams")),
        "a2a-jsonrpc": classify(call("https://agents.example.org/", "httpx.post"), "a2a"),
        "mcp-jsonrpc": classify(call("https://tools.example.org/rpc", "httpx.post"), "mcp"),
    }
    assert {k: (r.code, r.why) if r else None for k, r in rows.items()} == {
        "gateway-literal": ("", "the project's gateway: the recommended path for tools"),
        "gateway-parameter": ("", "the project's gateway: the recommended path for tools"),
        "token": ("", "an OAuth token or OIDC discovery request (identity plumbing)"),
        "token-body": ("", "an OAuth token or OIDC discovery request (identity plumbing)"),
        "discovery": ("", "an OAuth token or OIDC discovery request (identity plumbing)"),
        "telemetry": ("", "telemetry export"),
        "dataset": ("", "an unauthenticated download of a static file"),
        "dataset-with-key": ("GW001", "a REST call"),
        "json-api-with-params": ("GW001", "a REST call"),
        "api": ("GW001", "a REST call"),
        "a2a-jsonrpc": ("GW004", "an A2A JSON-RPC call"),
        "mcp-jsonrpc": ("GW002", "an MCP client built on a literal remote URL"),
    }

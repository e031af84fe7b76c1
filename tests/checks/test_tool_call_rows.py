"""GW001-GW004 over ``tests/fixtures/tool_calls``: which direct calls are tool calls. The
project's gateway (a literal gateway URL, or one from the environment) is the recommended
path; an OAuth token request, telemetry export and a static-file download are not tools;
an A2A JSON-RPC ``message/send`` is the A2A row (GW004), not a REST tool (GW001).
"""

from __future__ import annotations

from collections.abc import Callable

from conftest import ProjectBuilder, findings_of

ROOT = "app/Concierge"


def test_tool_rows(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("tool_calls")
    results = project.results("GW001", "GW002", "GW003", "GW004")
    assert findings_of(results["GW001"]) == [("warn", f"{ROOT}/weather.py", 7)]
    assert findings_of(results["GW002"]) == [("warn", f"{ROOT}/tools.py", 15)]
    assert results["GW003"].status == "pass"
    assert findings_of(results["GW004"]) == [("fail", f"{ROOT}/peer.py", 17)]
    assert (
        results["GW004"]
        .findings[0]
        .message.startswith(
            "httpx.post() to https://peer-agent.example.org/a2a (constant PEER) stays direct (row “Another agent over "
            "A2A”: allowed) but authenticates with environment variable PEER_AGENT_TOKEN"
        )
    )


def test_calls_that_are_not_tools_are_explained(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("tool_calls")
    project.write(f"{ROOT}/weather.py", "def forecast(city):\n    return {'city': city}\n")
    tools = (project.root / ROOT / "tools.py").read_text()
    project.write(
        f"{ROOT}/tools.py", tools.replace("docs = MCPClient(lambda: streamablehttp_client(DOCS))", "docs = None")
    )
    results = project.results("GW001", "GW002")
    assert (results["GW001"].status, results["GW002"].status) == ("pass", "pass")
    reason = results["GW001"].reason or ""
    for note in (
        f"{ROOT}/auth.py:10 requests.post() to the URL in environment variable IDP_TOKEN_URL: an OAuth token or OIDC discovery "
        "request (identity plumbing), not a direct tool call",
        f"{ROOT}/fixtures.py:7 requests.get() to https://raw.example.org/football/data/seasons/{{…}}/fixtures.csv: "
        "an unauthenticated download of a static file, not a direct tool call",
        f"{ROOT}/telemetry.py:9 httpx.post() to {{…}}/api/public/ingestion: telemetry export, not a direct tool call",
        f"{ROOT}/tools.py:13 streamablehttp_client() to https://concierge-gw-4k2.gateway.bedrock-agentcore."
        "us-east-1.amazonaws.com/mcp (constant GATEWAY): the project's gateway: the recommended path for tools",
        f"{ROOT}/tools.py:14 streamablehttp_client() to the URL in environment variable CONCIERGE_GATEWAY_URL: the "
        "project's gateway: the recommended path for tools",
    ):
        assert note in reason, note

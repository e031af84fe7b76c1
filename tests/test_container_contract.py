"""The Docker image's contract, tested by running the image's own command outside Docker:
stdio by default (``docker run -i``), and the AgentCore Runtime MCP contract over HTTP
(0.0.0.0, port 8000 in the container, path /mcp, stateless) configured by environment."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

REPO = Path(__file__).resolve().parents[1]
ENTRYPOINT = str(Path(sys.executable).parent / "agentcore-readiness")
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "agentcore-runtime", "version": "0"},
    },
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _dockerfile() -> list[tuple[str, str]]:
    lines = (REPO / "Dockerfile").read_text().splitlines()
    return [(m.group(1), m.group(2)) for line in lines if (m := re.match(r"^([A-Z]+)\s+(.*)$", line))]


def test_dockerfile_is_multi_stage_non_root_and_serves_by_default() -> None:
    instructions = _dockerfile()
    assert [args.split()[0] for kw, args in instructions if kw == "FROM"] == ["python:3.12-slim", "python:3.12-slim"]
    assert ("USER", "readiness") in instructions
    assert ("ENTRYPOINT", '["agentcore-readiness"]') in instructions
    assert instructions[-1] == ("CMD", '["serve"]')
    assert ("EXPOSE", "8000") in instructions


def test_image_command_speaks_stdio_by_default() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTCORE_READINESS_")}
    process = subprocess.Popen(
        [ENTRYPOINT, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
        process.stdin.flush()
        response = json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert response["result"]["serverInfo"]["name"] == "agentcore-readiness"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_agentcore_runtime_mcp_contract_stateless_http() -> None:
    port = _free_port()
    env = {
        **os.environ,
        "AGENTCORE_READINESS_TRANSPORT": "http",
        "AGENTCORE_READINESS_HOST": "0.0.0.0",
        "AGENTCORE_READINESS_PORT": str(port),
        "AGENTCORE_READINESS_STATELESS": "1",
        "AGENTCORE_READINESS_TRUST_PROXY_AUTH": "1",
        "AGENTCORE_READINESS_ROOTS": str(REPO / "examples"),
    }
    process = subprocess.Popen([ENTRYPOINT, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx2.get(base + "/ping", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.05)
        ping = httpx2.get(base + "/ping", timeout=5)
        init = httpx2.post(base + "/mcp", json=INITIALIZE, headers=HEADERS, timeout=10)
        call = httpx2.post(
            base + "/mcp",
            json={
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {
                    "name": "check_auth",
                    "arguments": {"path": str(REPO / "examples" / "support-desk"), "detail": "full"},
                },
            },
            headers={**HEADERS, "Mcp-Protocol-Version": "2025-11-25"},
            timeout=30,
        )
        outside = httpx2.post(
            base + "/mcp",
            json={
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "check_auth", "arguments": {"path": "/etc"}},
            },
            headers={**HEADERS, "Mcp-Protocol-Version": "2025-11-25"},
            timeout=30,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert ping.json() == {"status": "Healthy"}
    assert init.status_code == 200 and init.json()["result"]["serverInfo"]["name"] == "agentcore-readiness"
    assert call.status_code == 200
    result = call.json()["result"]
    assert result["isError"] is False
    statuses = {r["rule"]: r["status"] for r in result["structuredContent"]["projects"][0]["results"]}
    assert statuses["AUTH003"] == "fail"
    assert outside.json()["result"]["isError"] is True
    assert "outside the directories this server may read" in outside.json()["result"]["content"][0]["text"]

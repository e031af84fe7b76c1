"""The HTTP server under abuse: slow and excess connections, foreign origins, random JWT key
ids, and clients that hang up mid-review.

Before: a few hundred connections trickling their headers made /health time out and logged
tens of MB of tracebacks, any ``Origin: http://localhost:<port>`` was accepted, every token
with an unknown ``kid`` triggered a JWKS fetch, and a client that hung up did not stop the
review it had started.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from agentcore_readiness.budget import Budget
from agentcore_readiness.server import app
from agentcore_readiness.server.connections import connection_limits
from agentcore_readiness.server.security import JwksCache, JwtTokenVerifier
from agentcore_readiness.settings import Settings
from conftest import REPO, ProjectBuilder
from oidc_provider import OidcProvider

pytestmark = pytest.mark.timeout(60)

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def low_descriptor_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


class Served:
    def __init__(self, *serve_args: str, descriptors_256: bool = False) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        command = ["serve", "--transport", "http", "--port", str(self.port), *serve_args]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agentcore_readiness.cli", *command],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            preexec_fn=low_descriptor_limit if descriptors_256 else None,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx2.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx2.HTTPError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.process.kill()
        raise RuntimeError("server did not start")

    def stop(self) -> bytes:
        """Stop the server; its log (stderr)."""
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.seek(0)
        err = self.log.read()
        self.log.close()
        return err

    def trickling(self, count: int) -> list[socket.socket]:
        """Connections that start a request and never finish its headers."""
        opened = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            opened.append(sock)
        return opened


def still_open(sockets: list[socket.socket]) -> int:
    alive = 0
    for sock in sockets:
        sock.settimeout(0.05)
        try:
            if sock.recv(1024) == b"":
                continue
        except TimeoutError:
            alive += 1
            continue
        except OSError:
            continue
        # it answered (408 or 503): it is being closed
    return alive


def test_a_flood_of_slow_connections_does_not_starve_the_server() -> None:
    server = Served("--read-timeout", "1", descriptors_256=True)
    sockets: list[socket.socket] = []
    try:
        sockets = server.trickling(400)
        health = httpx2.get(server.url + "/health", timeout=5)
        assert health.status_code == 200
        time.sleep(2)  # past the read timeout
        assert still_open(sockets) == 0
    finally:
        for sock in sockets:
            sock.close()
        err = server.stop()
    assert len(err) < 4096, err[-2000:]


def test_slow_connections_get_408_after_the_read_timeout() -> None:
    server = Served("--read-timeout", "1")
    try:
        [sock] = server.trickling(1)
        sock.settimeout(5)
        started = time.monotonic()
        answer = sock.recv(1024)
        waited = time.monotonic() - started
        sock.close()
    finally:
        server.stop()
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert 0.5 < waited < 4


def test_at_the_connection_limit_the_longest_waiting_connection_makes_room() -> None:
    server = Served("--max-connections", "8", "--read-timeout", "30")
    sockets: list[socket.socket] = []
    try:
        sockets = server.trickling(20)
        health = httpx2.get(server.url + "/health", timeout=5)
        assert health.status_code == 200
        # the 12 oldest were replaced; the newest (at most 8, less the one /health used) wait on
        assert still_open(sockets[:12]) == 0
        assert 6 <= still_open(sockets[12:]) <= 8
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def test_connection_limits_leave_room_for_the_review_itself() -> None:
    assert connection_limits(256, 256).max_connections == 80
    assert connection_limits(256, 1024).max_connections == 256
    assert connection_limits(256, None).max_connections == 256
    assert connection_limits(256, 256).backlog == 32


@pytest.fixture(scope="module")
def local_server() -> Iterator[Served]:
    server = Served("--allowed-origin", "https://app.example.com")
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        (None, 200),
        ("self-127", 200),
        ("self-localhost", 200),
        ("https://app.example.com", 200),
        ("http://localhost:1", 403),
        ("http://127.0.0.1:1", 403),
        ("http://evil.example", 403),
        ("null", 403),
    ],
)
def test_only_the_servers_own_and_allowed_origins_are_accepted(
    local_server: Served, origin: str | None, status: int
) -> None:
    headers = dict(HEADERS)
    if origin == "self-127":
        headers["Origin"] = f"http://127.0.0.1:{local_server.port}"
    elif origin == "self-localhost":
        headers["Origin"] = f"http://localhost:{local_server.port}"
    elif origin is not None:
        headers["Origin"] = origin
    response = httpx2.post(local_server.url + "/mcp", json=INITIALIZE, headers=headers, timeout=10)
    assert response.status_code == status


# --- JWKS ------------------------------------------------------------------------------------


def test_random_key_ids_do_not_each_fetch_the_jwks() -> None:
    with OidcProvider() as idp:
        idp.standard()
        verifier = JwtTokenVerifier(idp.origin(), "api://mcp", fetcher=idp.fetcher())
        claims = {"iss": idp.origin(), "aud": "api://mcp", "client_id": "c1", "exp": int(time.time()) + 600}
        for _ in range(200):
            assert verifier._verify(idp.sign(claims, kid=uuid.uuid4().hex)) is None
        accepted = verifier._verify(idp.sign(claims))
        jwks_fetches = [path for _, path in idp.requests if path == "/jwks.json"]
    assert accepted is not None and accepted.client_id == "c1"
    assert len(jwks_fetches) == 1
    assert verifier.keys.fetches == 1


def test_the_jwks_cache_refreshes_rarely_and_rate_limits_failures() -> None:
    now = [1000.0]
    documents: list[Any] = [RuntimeError("down"), {"keys": []}, {"keys": []}]

    def fetch() -> Any:
        answer = documents.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    cache = JwksCache(fetch, lifespan=300, min_refresh=60, clock=lambda: now[0])
    assert cache.key("a") is None  # the first fetch fails
    assert cache.key("b") is None  # within a minute: no new fetch
    assert cache.fetches == 1
    now[0] += 61
    assert cache.key("c") is None  # unknown kid after a minute: one fetch
    now[0] += 30
    assert cache.key("d") is None
    assert cache.fetches == 2
    now[0] += 301
    assert cache.key("e") is None  # stale: refreshed
    assert cache.fetches == 3


# --- a client that hangs up --------------------------------------------------------------------


@pytest.mark.parametrize("stateless", [True, False])
def test_a_client_that_hangs_up_stops_its_review(
    project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch, stateless: bool
) -> None:
    import uvicorn

    total = 120
    project.agentcore()
    body = "".join(f"def f{i}(payload):\n    return payload.get('k{i}')\n" for i in range(400))
    for index in range(total):
        project.write(f"app/Agent/m{index:03}.py", body)
    budgets: list[Budget] = []
    original = app.request_budget

    def remember(settings: Settings) -> Any:
        made = original(settings)
        budgets.append(made)
        return made

    monkeypatch.setattr(app, "request_budget", remember)
    port = free_port()
    settings = Settings(transport="http", port=port, stateless_http=stateless, roots=(str(project.root.parent),))
    server = uvicorn.Server(uvicorn.Config(app.http_app(settings), port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        headers = dict(HEADERS)
        with httpx2.Client(timeout=30) as client:
            while not server.started:
                time.sleep(0.02)
            if not stateless:
                opened = client.post(url, json=INITIALIZE, headers=headers)
                headers["mcp-session-id"] = opened.headers["mcp-session-id"]
                client.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
        call = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "review_project", "arguments": {"path": str(project.root), "select": ["SEC001"]}},
        }
        payload = json.dumps(call).encode()
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{lines}Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            deadline = time.monotonic() + 30
            while not budgets or budgets[-1].files < 10:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        limits = budgets[-1]
        deadline = time.monotonic() + 30
        while limits.spent is None and time.monotonic() < deadline:
            time.sleep(0.05)
        seen = limits.files
        time.sleep(0.5)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert limits.spent == "the request was cancelled by the client (or the client disconnected)"
    assert limits.files == seen < total

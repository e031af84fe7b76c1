"""Server and CLI settings, from arguments and the environment.

Environment variables (all optional):

* ``AGENTCORE_READINESS_LOG_LEVEL``: DEBUG, INFO, WARNING (default), ERROR.
* ``AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK``: ``1`` lets identity-provider fetches
  reach loopback and private addresses (for a local IdP in tests and development).
* ``AGENTCORE_READINESS_HTTP_TIMEOUT``: seconds for each identity-provider request (default 5).
* ``AGENTCORE_READINESS_TOKEN``: HTTP transport: the bearer token clients must send.
* ``AGENTCORE_READINESS_TRUST_PROXY_AUTH``: ``1`` when authentication happens in front of the
  server (AgentCore Runtime, an API gateway), which allows a non-loopback bind without a token.
* ``AGENTCORE_READINESS_MAX_PROJECTS`` / ``AGENTCORE_READINESS_MAX_FILES``: how many projects, and
  files in them, one review may take on (default 20 and 20,000).
* ``AGENTCORE_READINESS_ALLOW_MEASURE_IMPORTS``: ``1`` lets clients ask for import timing
  (PERF007), which runs the reviewed project's code; off by default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from agentcore_readiness.scope import ScopeLimits


def _env_bool(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    transport: str = "stdio"
    host: str = "127.0.0.1"
    port: int = 8000
    stateless_http: bool = False
    roots: tuple[str, ...] = ()
    allow_private_network: bool = field(default_factory=lambda: _env_bool("AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK"))
    http_timeout: float = field(
        default_factory=lambda: float(os.environ.get("AGENTCORE_READINESS_HTTP_TIMEOUT", "5") or 5)
    )
    log_level: str | None = None
    bearer_token: str | None = field(default_factory=lambda: os.environ.get("AGENTCORE_READINESS_TOKEN") or None)
    """HTTP only: a shared secret clients send as ``Authorization: Bearer <token>``."""
    oauth_issuer: str | None = None
    """HTTP only: an OAuth/OIDC issuer whose JWT access tokens the server accepts."""
    oauth_audience: str | None = None
    required_scopes: tuple[str, ...] = ()
    trust_proxy_auth: bool = field(default_factory=lambda: _env_bool("AGENTCORE_READINESS_TRUST_PROXY_AUTH"))
    """HTTP only: authentication is enforced in front of this server (AgentCore Runtime inbound auth,
    an API gateway), so a non-loopback bind without our own auth is allowed."""
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_request_bytes: int = 1_048_576
    public_url: str | None = None
    """HTTP only: the URL clients use to reach this server (the OAuth resource identifier)."""
    tools: tuple[str, ...] = ()
    """Expose only these tools (with those of ``toolsets``); every tool when both are empty."""
    toolsets: tuple[str, ...] = ()
    """Expose the tools of these toolsets (``tools.TOOLSETS``; ``all`` is every tool)."""
    max_projects: int = field(default_factory=lambda: ScopeLimits.from_env().max_projects)
    """Projects one tool call may review (``scope``)."""
    max_files: int = field(default_factory=lambda: ScopeLimits.from_env().max_files)
    """Files the projects of one tool call may hold (``scope``)."""
    allow_measure_imports: bool = field(default_factory=lambda: _env_bool("AGENTCORE_READINESS_ALLOW_MEASURE_IMPORTS"))
    """Whether a tool call may time the import of a project's entrypoint (PERF007), which runs
    the project's own code. A client's ``measure_imports=true`` alone never switches it on."""
    request_seconds: float = 120.0
    """Time limit of one tool call's review work; what was not reviewed is reported as such."""
    request_max_files: int = 100_000
    request_max_bytes: int = 512 * 1024 * 1024
    read_timeout: float = 10.0
    """HTTP only: seconds a connection may take to deliver a whole request (headers and
    body) before it gets 408 and is closed."""
    max_connections: int = 256
    """HTTP only: open connections at once; more are answered 503 and closed."""

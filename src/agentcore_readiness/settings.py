"""Server and CLI settings, from arguments and the environment.

Environment variables (all optional):

* ``AGENTCORE_READINESS_LOG_LEVEL``: DEBUG, INFO, WARNING (default), ERROR.
* ``AGENTCORE_READINESS_ALLOW_PRIVATE_NETWORK``: ``1`` lets identity-provider fetches
  reach loopback and private addresses (for a local IdP in tests and development).
* ``AGENTCORE_READINESS_HTTP_TIMEOUT``: seconds for each identity-provider request (default 5).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


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

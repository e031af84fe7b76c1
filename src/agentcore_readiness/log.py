"""Logging: structlog to stderr only (stdout carries the stdio transport).

JSON lines when stderr is not a terminal (production, containers), readable lines in a
terminal. Never log a token, a secret or a whole policy document.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

_CONFIGURED = False


class _CurrentStderr:
    """Whatever ``sys.stderr`` is at the time of writing: a stream replaced after the
    loggers were configured (test capture, a redirected CLI) is never written when closed."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure(level: str | None = None) -> None:
    global _CONFIGURED
    import structlog

    level_name = (level or os.environ.get("AGENTCORE_READINESS_LOG_LEVEL") or "WARNING").upper()
    numeric = getattr(logging, level_name, logging.WARNING)
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False) if sys.stderr.isatty() else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    _CONFIGURED = True


def get_logger(name: str) -> Any:
    import structlog

    if not _CONFIGURED:
        configure()
    return structlog.get_logger(name)

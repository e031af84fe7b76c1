"""Logging: structlog to stderr only (stdout carries the stdio transport).

JSON lines when stderr is not a terminal (production, containers), readable lines in a
terminal. Never log a token, a secret or a whole policy document.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

_LEVEL: str | None = None
_APPLIED = False


class _CurrentStderr:
    """Whatever ``sys.stderr`` is at the time of writing: a stream replaced after the
    loggers were configured (test capture, a redirected CLI) is never written when closed."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure(level: str | None = None) -> None:
    """Set the level (``level``, else ``AGENTCORE_READINESS_LOG_LEVEL``, else ``WARNING``).

    structlog itself is imported and set up when the first message is logged: importing it
    costs 0.05-0.2 s (more where ``rich`` is installed), which a review that logs nothing
    should not pay in every process. Once it is set up, a new level applies at once.
    """
    global _LEVEL, _APPLIED
    _LEVEL = level
    was_applied, _APPLIED = _APPLIED, False
    if was_applied:
        _apply()


def _threshold() -> int:
    level_name = (_LEVEL or os.environ.get("AGENTCORE_READINESS_LOG_LEVEL") or "WARNING").upper()
    numeric = getattr(logging, level_name, logging.WARNING)
    return numeric if isinstance(numeric, int) else logging.WARNING


_METHOD_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
}


def _dropped(*args: Any, **kwargs: Any) -> None:
    """A message below the level: dropped, as structlog's filtering logger drops it."""


def _apply() -> None:
    global _APPLIED
    import structlog

    numeric = _threshold()
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
    _APPLIED = True


class _Logger:
    """A module's logger: structlog's, fetched (and structlog set up) on the first message."""

    __slots__ = ("_bound", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._bound: Any = None

    def __getattr__(self, method: str) -> Any:
        bound = self._bound
        if bound is None:
            level = _METHOD_LEVELS.get(method)
            if level is not None and level < _threshold():
                return _dropped
            import structlog

            if not _APPLIED:
                _apply()
            bound = self._bound = structlog.get_logger(self._name)
        return getattr(bound, method)


def get_logger(name: str) -> Any:
    return _Logger(name)

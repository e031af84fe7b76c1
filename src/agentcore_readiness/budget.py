"""The work budget of one request: time, files and bytes read, cancellation, and
whether the project's own code may run (import timing).

Every tool call (and every CLI review) runs under a :class:`Budget`. The file reader
charges each file and its bytes, walks and the engine check the clock between steps,
and the MCP server cancels the budget when the client cancels the request or hangs up.
When the budget is spent, :class:`BudgetSpent` stops the work where it is; the engine
turns that into results that say what was not reviewed (``unknown``, never ``pass``).

The budget is carried in a context variable, so the worker threads a tool call runs in
(``anyio.to_thread``) see the budget of their own request only.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

DEFAULT_SECONDS = 300.0
DEFAULT_MAX_FILES = 100_000
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024


class BudgetSpent(Exception):
    """The request's budget is spent (or the request was cancelled): stop the work."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Budget:
    """Limits of one request. Thread-safe enough for its use: counters only grow, and
    the first reason recorded wins."""

    seconds: float | None = DEFAULT_SECONDS
    max_files: int | None = DEFAULT_MAX_FILES
    max_bytes: int | None = DEFAULT_MAX_BYTES
    allow_project_code: bool = True
    """Whether import timing (PERF007) may run the project's code: on for the CLI, where
    the user is the operator; on a server only when its operator enables it."""
    started: float = field(default_factory=time.monotonic)
    files: int = 0
    bytes: int = 0
    _stopped: str | None = None
    _cancelled: threading.Event = field(default_factory=threading.Event)

    @property
    def deadline(self) -> float | None:
        return None if self.seconds is None else self.started + self.seconds

    def remaining_seconds(self) -> float | None:
        deadline = self.deadline
        return None if deadline is None else max(0.0, deadline - time.monotonic())

    @property
    def spent(self) -> str | None:
        """Why the work stopped, or ``None`` while the budget holds."""
        if self._stopped is None:
            self._check_clock()
        return self._stopped

    def cancel(self, reason: str) -> None:
        """Stop the work from outside (the client cancelled or disconnected)."""
        if self._stopped is None:
            self._stopped = reason
        self._cancelled.set()

    def _check_clock(self) -> None:
        deadline = self.deadline
        if deadline is not None and time.monotonic() > deadline and self._stopped is None:
            self._stopped = f"the request's {self.seconds:g}-second time limit was reached"

    def check(self) -> None:
        """Raise :class:`BudgetSpent` when time is up or the request was cancelled."""
        reason = self.spent
        if reason is not None:
            raise BudgetSpent(reason)

    def charge(self, files: int = 0, size: int = 0) -> None:
        """Account for reading ``files`` files of ``size`` bytes; raise when over a limit."""
        self.check()
        # A read limit stops further reads only: what was read is still reviewed.
        if self.max_files is not None and self.files + files > self.max_files:
            raise BudgetSpent(f"the request's {self.max_files:,}-file limit was reached")
        if self.max_bytes is not None and self.bytes + size > self.max_bytes:
            raise BudgetSpent(f"the request's {self.max_bytes:,}-byte read limit was reached")
        self.files += files
        self.bytes += size

    def wait_cancelled(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, waking early on cancellation; True when cancelled."""
        return self._cancelled.wait(timeout)


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("request_budget", default=None)


def current() -> Budget | None:
    return _CURRENT.get()


@contextmanager
def request_budget(budget: Budget) -> Iterator[Budget]:
    """Run the enclosed work (and the threads it starts through anyio) under ``budget``."""
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def spent() -> str | None:
    """Why the current request's work stopped, or ``None`` while it may go on."""
    budget = _CURRENT.get()
    return budget.spent if budget is not None else None


def remaining_seconds() -> float | None:
    budget = _CURRENT.get()
    return budget.remaining_seconds() if budget is not None else None


def project_code_allowed() -> bool:
    budget = _CURRENT.get()
    return budget is None or budget.allow_project_code


def check() -> None:
    """:meth:`Budget.check` of the current request, if any."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.check()


def charge(files: int = 0, size: int = 0) -> None:
    """:meth:`Budget.charge` of the current request, if any."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.charge(files, size)

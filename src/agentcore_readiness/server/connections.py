"""HTTP connection guards: a read deadline per request and a cap on open connections.

uvicorn closes idle keep-alive connections, but once a client has started a request it
waits for the rest for ever: a few hundred connections that trickle their headers hold
every file descriptor and the server stops answering, ``/health`` included. The protocol
built here adds, per server:

* a read deadline: a connection must deliver each request in full (headers and body)
  within ``read_timeout`` seconds of starting it (or of connecting); otherwise it gets
  ``408`` and is closed;
* a connection cap: at ``max_connections`` open connections, a new connection replaces
  the one that has waited longest without delivering a complete request (a trickling or
  idle client); when every connection is busy with a request in progress, the new one gets
  ``503`` and is closed. Nothing is logged per connection, so a flood cannot fill the logs.

:class:`DisconnectWatch` tells a tool call that its client hung up (the SDK's JSON and
SSE responses do not notice until they write), so the review it started stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
_BUSY_RESPONSE = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"


RESERVED_DESCRIPTORS = 64
"""File descriptors kept free of connections: the review's own files, pipes and workers."""


def descriptor_limit() -> int | None:
    """The process's file-descriptor limit, raised to its hard maximum first."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != hard and soft != resource.RLIM_INFINITY:
            with contextlib.suppress(OSError, ValueError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
                soft = hard
    except (ImportError, OSError, ValueError):
        return None
    return None if soft == resource.RLIM_INFINITY or soft <= 0 else int(soft)


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int
    backlog: int
    """Connections accepted in one go before the cap is applied (and the listen backlog)."""


def connection_limits(configured: int, descriptors: int | None) -> ConnectionLimits:
    """``configured`` connections at most, and never so many that a burst of accepts
    (``backlog`` at a time) could run the process out of file descriptors."""
    if descriptors is None:
        return ConnectionLimits(configured, 128)
    backlog = min(128, max(16, descriptors // 8))
    room = (descriptors - backlog - RESERVED_DESCRIPTORS) // 2
    return ConnectionLimits(max(8, min(configured, room)), backlog)


class _QuietAcceptErrors(logging.Filter):
    """asyncio logs a traceback for every failed accept() when descriptors run out (tens of
    MB a minute under a flood): keep one line every ten seconds."""

    def __init__(self) -> None:
        super().__init__()
        self._last = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        if "out of system resource" not in record.getMessage():
            return True
        now = time.monotonic()
        if now - self._last < 10:
            return False
        self._last = now
        record.exc_info = None
        record.msg, record.args = (
            "socket.accept() failed: out of file descriptors (further ones not logged for 10 s)",
            (),
        )
        return True


def quiet_accept_errors() -> None:
    logging.getLogger("asyncio").addFilter(_QuietAcceptErrors())


def guarded_protocol(read_timeout: float, max_connections: int) -> type[asyncio.Protocol]:
    """An HTTP/1.1 protocol class for uvicorn (``http=``) with these limits, sharing one
    registry of waiting connections among all connections of the server."""
    waiting: OrderedDict[int, GuardedH11Protocol] = OrderedDict()
    limit = max_connections

    class _Bound(GuardedH11Protocol):
        pass

    _Bound.read_timeout = read_timeout
    _Bound.max_connections = limit
    _Bound.waiting = waiting
    return _Bound


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a read deadline and a connection cap (see the module)."""

    read_timeout: float = 10.0
    max_connections: int = 256
    waiting: OrderedDict[int, GuardedH11Protocol]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_since = 0.0

    # -- connection lifetime
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections and not self._evict_oldest_waiting():
            self._refuse(_BUSY_RESPONSE)
            return
        self._start_waiting()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._start_waiting()  # the next request of a kept-alive connection begins
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._stop_waiting()  # the request is in: the app may take its time

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._start_waiting()  # idle between requests: replaceable when the server is full

    # -- waiting for a request
    def _start_waiting(self) -> None:
        self._stop_waiting()
        self._waiting_since = time.monotonic()
        self.waiting[id(self)] = self
        self._deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)

    def _stop_waiting(self) -> None:
        self.waiting.pop(id(self), None)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _read_timed_out(self) -> None:
        self._deadline = None
        self._refuse(_TIMEOUT_RESPONSE if self.cycle is None or self.cycle.response_complete else b"")

    def _evict_oldest_waiting(self) -> bool:
        for key, other in list(self.waiting.items()):
            if other is self:
                continue
            self.waiting.pop(key, None)
            other._refuse(_TIMEOUT_RESPONSE)
            return True
        return False

    def _refuse(self, response: bytes) -> None:
        self._stop_waiting()
        if self.transport is None or self.transport.is_closing():
            return
        with contextlib.suppress(OSError, RuntimeError):
            if response and self.conn.our_state in (h11.IDLE, h11.DONE):
                self.transport.write(response)
        self.transport.close()


DISCONNECTED = "agentcore_readiness.disconnected"
"""ASGI scope key of the event set when the client of this HTTP request hangs up."""


class DisconnectWatch:
    """ASGI middleware: once a POST's body has been read, keep listening for the client's
    ``http.disconnect`` and set the event at ``scope[DISCONNECTED]``; the MCP tool boundary
    cancels the budget of the call that request carried."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        import anyio

        gone = anyio.Event()
        body_read = anyio.Event()
        scope[DISCONNECTED] = gone

        async def receive_and_note() -> Any:
            message = await receive()
            if message.get("type") == "http.disconnect":
                gone.set()
            elif message.get("type") == "http.request" and not message.get("more_body", False):
                body_read.set()
            return message

        async def watch() -> None:
            await body_read.wait()
            while (await receive()).get("type") != "http.disconnect":
                pass
            gone.set()

        async with anyio.create_task_group() as group:
            group.start_soon(watch)
            try:
                await self.app(scope, receive_and_note, send)
            finally:
                group.cancel_scope.cancel()

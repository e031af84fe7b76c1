"""Log messages to the MCP client about a tool call: what could not be read, which rules crashed.

The client chooses how much it hears. On handshake-era protocol versions it sends
``logging/setLevel`` once per connection (the default here is ``warning``); from 2026-07-28 on
it opts in per request, and the SDK drops what the request did not ask for. Nothing here
carries a token or a file's content: only locations, rule codes and counts, already cleaned.
Logs for operators go to stderr through structlog, never through this channel.
"""

from __future__ import annotations

import warnings
from typing import Any, get_args

from mcp_types import LoggingLevel as Level
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

LEVELS: tuple[Level, ...] = get_args(Level)
"""Severity-ascending, as the protocol declares them."""
DEFAULT_LEVEL: Level = "warning"
LOGGER_NAME = "agentcore-readiness"
_STATE_KEY = "agentcore_readiness.log_level"
MAX_MESSAGES = 50


def _connection_state(session: Any) -> dict[str, Any] | None:
    """The connection-scoped scratch state of the SDK (survives across requests on one connection)."""
    connection = getattr(session, "_connection", None)
    state = getattr(connection, "state", None)
    return state if isinstance(state, dict) else None


def set_level(session: Any, level: Level) -> None:
    state = _connection_state(session)
    if state is not None:
        state[_STATE_KEY] = level


def level_of(session: Any) -> Level:
    """The lowest level to send. From 2026-07-28 each request's opt-in decides, and the SDK
    filters by it; before, the connection's ``logging/setLevel`` (or the default) does.
    """
    if getattr(session, "protocol_version", None) in MODERN_PROTOCOL_VERSIONS:
        return LEVELS[0]
    state = _connection_state(session)
    value = state.get(_STATE_KEY) if state is not None else None
    return value if value in LEVELS else DEFAULT_LEVEL


def messages_for(result: Any) -> list[tuple[Level, str]]:
    """What a tool result tells the client beyond its content: unreadable inputs, crashed rules, a summary."""
    messages: list[tuple[Level, str]] = []
    for report in _reports_in(result):
        messages.extend(_report_messages(report))
    return messages


def _reports_in(result: Any) -> list[Any]:
    """The review answers a tool result is or holds (one level down: audits wrap one)."""
    from pydantic import BaseModel

    from agentcore_readiness.model import Report
    from agentcore_readiness.tools.answer_shape import ReviewResult

    reviews = (Report, ReviewResult)
    if isinstance(result, reviews):
        return [result]
    if isinstance(result, BaseModel):
        return [value for value in vars(result).values() if isinstance(value, reviews)]
    return []


def _crashed(project: Any) -> list[tuple[str, str | None]]:
    """(rule, reason) of the rules that crashed: from every result, or from the answer's reason lines."""
    if getattr(project, "results", None):
        return [(r.rule, r.reason) for r in project.results if r.status == "error"]
    return [
        (rule, line.reason) for line in getattr(project, "reasons", ()) if line.status == "error" for rule in line.rules
    ]


def _report_messages(report: Any) -> list[tuple[Level, str]]:
    messages: list[tuple[Level, str]] = []
    for error in report.errors:
        messages.append(("warning", f"{error.source}: {error.message}"))
    for project in report.projects:
        for error in project.fact_errors:
            where = error.location.path or error.location.arn or error.source
            messages.append(("warning", f"{project.path}: {where} could not be read: {error.message}"))
        for rule, reason in _crashed(project):
            messages.append(("error", f"{project.path}: rule {rule} crashed: {reason}"))
        summary = project.summary
        messages.append(
            (
                "info",
                f"{project.path}: {summary.fail} fail, {summary.warn} warn, {summary.unknown} unknown, "
                f"{summary.skipped} skipped, {summary.error} error; {summary.findings} findings",
            )
        )
    return messages


async def send(ctx: Any, result: Any) -> None:
    """Send ``result``'s messages at or above the connection's level; never fails the tool call."""
    from agentcore_readiness.textsafe import clean_text

    try:
        session = ctx.request_context.session
        request_id = ctx.request_id
    except Exception:  # noqa: BLE001 - no session (in-process call without a client): nothing to send
        return
    threshold = LEVELS.index(level_of(session))
    selected = [(level, text) for level, text in messages_for(result) if LEVELS.index(level) >= threshold]
    try:
        for level, text in selected[:MAX_MESSAGES]:
            await _log(session, level, clean_text(text, 1000), request_id)
        if len(selected) > MAX_MESSAGES:
            await _log(session, "notice", f"{len(selected) - MAX_MESSAGES} more messages not sent", request_id)
    except Exception as exc:  # noqa: BLE001 - a client gone or without a back-channel does not fail the call
        from agentcore_readiness.log import get_logger

        get_logger(__name__).debug("client log not delivered", error_type=type(exc).__name__)


def _log(session: Any, level: Level, text: str, request_id: Any) -> Any:
    """The SDK's send, without its deprecation warning (the warning is raised when the call is made)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the capability is deprecated from 2026-07-28; older clients use it
        return session.send_log_message(level=level, data=text, logger=LOGGER_NAME, related_request_id=request_id)


def register(server: Any) -> None:
    """Answer ``logging/setLevel`` (handshake-era clients) and advertise the logging capability."""
    from mcp_types import EmptyResult, SetLevelRequestParams

    async def on_set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
        set_level(ctx.session, params.level)
        return EmptyResult()

    server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, on_set_level)

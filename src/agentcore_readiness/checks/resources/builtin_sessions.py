"""Code Interpreter and Browser sessions the runtimes' code starts and never stops (RES007)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.checks.resourceflow import (
    API_SESSIONS,
    CLIENT_CLASSES,
    CONTEXT_SESSIONS,
    STRANDS_WRAPPERS,
    client_start,
    in_with_block,
    wrapper_use,
)
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CallSite, PyFile


@rule(
    "RES007",
    "builtin-session-not-stopped",
    "low",
    ("C",),
    "Code Interpreter / Browser session not stopped",
    family="Resources",
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def builtin_session_not_stopped(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns where a Code Interpreter or Browser session is started and nothing ends it:
    `code_session(...)` / `browser_session(...)` not used as a `with` context manager,
    `CodeInterpreter(...).start()` / `BrowserClient(...).start()` with no `.stop()` on the
    same object, `start_code_interpreter_session` / `start_browser_session` in a file
    that never calls the matching `stop_*_session`, and the strands_tools wrappers made
    per call: `AgentCoreCodeInterpreter(...)` without a `session_name` (it keeps its
    sessions unless `persist_sessions=False` and `cleanup_platform()`), and
    `AgentCoreBrowser(...)` without `close_platform()`. A wrapper made once at module
    level is noted, not reported.

    ### Why is this bad?
    Built-in tool sessions count against concurrent-session quotas until they time out.
    Orphaned sessions from earlier runs cause `ServiceQuotaExceededException` for new ones.

    ### Example
    ```python
    client = CodeInterpreter(REGION)
    client.start()
    client.invoke("executeCode", {"code": code, "language": "python"})
    ```

    ### Fix
    Use the context manager (`with code_session(REGION) as client: ...`) or call
    `client.stop()` in a `finally` block.

    ### References
    - agents-harden `references/limits.md`, "Code Interpreter / Browser session limits"
    """
    if facts.code is None:
        return unknown("the code index was not built")
    started = False
    for py_file in facts.code.of_role("runtime"):
        if _file_sessions(out, py_file):
            started = True
    if not started:
        return not_applicable("no Code Interpreter or Browser session is started")
    return None


def _file_sessions(out: Findings, py_file: PyFile) -> bool:
    """Reports the built-in tool sessions one file starts, stopped or not; whether it starts any."""
    started = False
    file_attrs = {c.attr for c in py_file.calls}
    makes_client = not file_attrs.isdisjoint(CLIENT_CLASSES)
    for call in py_file.calls:
        if call.attr in CONTEXT_SESSIONS and ("bedrock_agentcore" in call.name or call.name == call.attr):
            started = True
            if in_with_block(py_file, call):
                out.note(f"{py_file.path}:{call.line}: {call.attr} used as a context manager")
                continue
            out.warn(
                f"{CONTEXT_SESSIONS[call.attr]} session from {call.attr}() at {py_file.path}:{call.line} is "
                "not used in a `with` block: it is never stopped",
                Location(path=py_file.path, line=call.line),
                fix=Fix(summary=f"Use `with {call.attr}(region) as client:` so the session stops when done."),
            )
        elif call.attr in API_SESSIONS:
            started = True
            stop, tool = API_SESSIONS[call.attr]
            if stop in file_attrs:
                out.note(f"{py_file.path}:{call.line}: {tool} session stopped with {stop}")
                continue
            out.warn(
                f"{tool} session started at {py_file.path}:{call.line} and {py_file.path} never calls {stop}",
                Location(path=py_file.path, line=call.line),
                fix=Fix(summary=f"Call `{stop}(...)` with the same identifiers in a `finally` block."),
            )
        elif call.attr in STRANDS_WRAPPERS and call.name.startswith("strands_tools."):
            started = True
            _strands_wrapper(out, py_file, call)
        elif call.attr == "start" and makes_client:
            start = client_start(py_file, call)
            if start is None:
                continue
            started = True
            if start.stopped:
                out.note(f"{py_file.path}:{call.line}: {start.kind} session stopped")
                continue
            receiver = excerpt(start.receiver, 40)
            out.warn(
                f"{start.kind} session started with `{receiver}.start()` at {py_file.path}:{call.line} "
                "and never stopped",
                Location(path=py_file.path, line=call.line),
                fix=Fix(
                    summary=f"Call `{receiver}.stop()` in a `finally` block, or use the "
                    "context manager (`code_session` / `browser_session`)."
                ),
            )
    return started


def _strands_wrapper(out: Findings, py_file: PyFile, call: CallSite) -> None:
    """The strands_tools wrappers start sessions when the model first uses them. A wrapper made
    once per process keeps one set of sessions; one made per call leaves a session behind each
    time unless it is cleaned up: ``AgentCoreCodeInterpreter`` keeps its sessions by default
    (``persist_sessions=True``; a ``session_name`` such as the runtime session ID reuses one per
    conversation), ``AgentCoreBrowser`` stops them in ``close_platform()``.
    """
    tool = STRANDS_WRAPPERS[call.attr]
    where = f"{py_file.path}:{call.line}"
    if call.function is None:
        out.note(f"{where}: one {call.attr} for the process; its sessions end when closed or at their timeout")
        return
    use = wrapper_use(py_file, call)
    holder, cleaned = use.holder, use.cleaned
    if call.attr == "AgentCoreCodeInterpreter":
        if "session_name" in call.keywords:
            out.note(f"{where}: {call.attr} reuses the session named by session_name")
            return
        if cleaned and use.persist_off:
            out.note(f"{where}: {call.attr} sessions cleaned up (persist_sessions=False)")
            return
        why = (
            "keeps each session it starts (persist_sessions defaults to True) and, without a session_name, starts "
            "a new one for every wrapper"
        )
        fix = (
            "Create the wrapper once per runtime session with `session_name=context.session_id`, or pass "
            "`persist_sessions=False` and call `cleanup_platform()` in a `finally` block."
        )
    else:
        if cleaned:
            out.note(f"{where}: {call.attr} sessions closed with close_platform()")
            return
        why = "keeps the browser sessions it starts open until close_platform() or their session_timeout (3600 s)"
        fix = f"Call `{holder or 'browser'}.close_platform()` in a `finally` block when the call is done."
    out.warn(
        f"{tool} wrapper {call.attr}() made in {call.function.name}() at {where} {why}: each call leaves "
        "sessions running against the concurrent-session quota",
        Location(path=py_file.path, line=call.line),
        fix=Fix(summary=fix),
    )

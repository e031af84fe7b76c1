"""What the resource rules follow in agent code: Memory ``create_event`` calls that write
the whole conversation or go through a client without retries (RES004), and Code
Interpreter / Browser sessions and whether anything ends them (RES007).

Pure: works on the parsed trees the code index holds; the rules in
:mod:`agentcore_readiness.checks.resources` read the records these functions return.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcore_readiness.facts.code.callflow import latest_binding, literal_str, parents, source_of
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CallSite, FunctionInfo, PyFile


# ---------------------------------------------------------------------------
# Memory events (RES004)

_HISTORY_WORDS = ("messages", "history", "conversation", "turns", "chat_log", "transcript")


def _recent_only(expr: ast.AST) -> bool:
    """``history[-1]``, ``messages[-2:]``: only the latest items."""
    if isinstance(expr, ast.Subscript):
        index = expr.slice
        if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
            return True
        if isinstance(index, ast.Slice) and isinstance(index.lower, ast.UnaryOp):
            return True
    return False


def _history_like(py_file: PyFile, expr: ast.AST, function: FunctionInfo | None) -> str | None:
    """The text of ``expr`` when it is a whole conversation (a history list), else None."""
    if _recent_only(expr):
        return None
    if isinstance(expr, ast.Name) and function is not None:
        binding, _ = latest_binding(function.node, py_file.tree, expr.id, getattr(expr, "lineno", 0))
        if binding is not None and binding.value is not None and binding.kind == "assign":
            value = binding.value
            if _recent_only(value):
                return None
            if isinstance(value, (ast.List, ast.Tuple)) and len(value.elts) <= 2:
                return None
    text = source_of(py_file, expr)
    if isinstance(expr, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in expr.elts):
        return None
    lowered = text.lower()
    if any(word in lowered for word in _HISTORY_WORDS):
        return excerpt(text, 80)
    return None


def _retries_off(py_file: PyFile, call: CallSite) -> str | None:
    """How the client ``call`` writes through turns retries off, if it does (a boto3 client of
    this file with ``retries={"max_attempts": 0}``). Any other client retries throttling with
    backoff by botocore's default, and a retry decorator or loop around the call adds to that.
    """
    from agentcore_readiness.checks.sessionflow import retry_config

    if not isinstance(call.node.func, ast.Attribute):
        return None
    receiver = source_of(py_file, call.node.func.value).rsplit(".", 1)[-1]
    for site in py_file.calls:
        if site.attr != "client" or not site.node.args or literal_str(site.node.args[0]) != "bedrock-agentcore":
            continue
        parent = parents(py_file).parent(site.node)
        targets = parent.targets if isinstance(parent, ast.Assign) else []
        names = {t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in targets}
        if receiver in names:
            config = retry_config(py_file, site.keywords.get("config"), site.function)
            return config.detail if config.state == "off" else None
    return None


def event_problems(py_file: PyFile, call: CallSite) -> list[str]:
    """What is wrong with one ``create_event`` call: the whole conversation written, one event
    per stored message, or a client that does not retry."""
    problems: list[str] = []
    messages = call.keywords.get("messages") or call.keywords.get("payload")
    if messages is None and len(call.node.args) >= 4:
        messages = call.node.args[3]
    history = _history_like(py_file, messages, call.function) if messages is not None else None
    if history is not None:
        problems.append(f"writes the whole conversation (`{history}`) on every turn")
    else:
        loops = parents(py_file).loops(call.node, call.function.node if call.function else None)
        for loop in loops:
            iterated = getattr(loop, "iter", None)
            if iterated is not None and any(w in source_of(py_file, iterated).lower() for w in _HISTORY_WORDS):
                problems.append(
                    f"writes one event per stored message (loop over `{excerpt(source_of(py_file, iterated), 60)}`)"
                )
                break
    retries_off = _retries_off(py_file, call)
    if retries_off is not None:
        problems.append(f"goes through a client with {retries_off}: a throttled write loses the turn")
    return problems


# ---------------------------------------------------------------------------
# Built-in tool sessions (RES007)

CONTEXT_SESSIONS = {"code_session": "Code Interpreter", "browser_session": "Browser"}
CLIENT_CLASSES = {"CodeInterpreter": "Code Interpreter", "BrowserClient": "Browser"}
API_SESSIONS = {
    "start_code_interpreter_session": ("stop_code_interpreter_session", "Code Interpreter"),
    "start_browser_session": ("stop_browser_session", "Browser"),
}
STRANDS_WRAPPERS = {"AgentCoreCodeInterpreter": "Code Interpreter", "AgentCoreBrowser": "Browser"}


def in_with_block(py_file: PyFile, call: CallSite) -> bool:
    """Whether the call is the context expression of a ``with`` item."""
    return isinstance(parents(py_file).parent(call.node), ast.withitem)


@dataclass(frozen=True)
class ClientStart:
    """``<client>.start()`` on a Code Interpreter or Browser client made in this file."""

    kind: str
    receiver: str
    stopped: bool
    """A ``<client>.stop()`` on the same receiver in the same function."""


def client_start(py_file: PyFile, call: CallSite) -> ClientStart | None:
    """The built-in tool client a ``.start()`` call starts, if it is one."""
    if not isinstance(call.node.func, ast.Attribute):
        return None
    receiver = call.node.func.value
    kind = _client_kind(py_file, receiver, call)
    if kind is None:
        return None
    receiver_text = source_of(py_file, receiver)
    stopped = any(
        c.attr == "stop"
        and isinstance(c.node.func, ast.Attribute)
        and source_of(py_file, c.node.func.value) == receiver_text
        and (c.function is call.function)
        for c in py_file.calls
    )
    return ClientStart(kind, receiver_text, stopped)


@dataclass(frozen=True)
class WrapperUse:
    """A strands_tools ``AgentCoreCodeInterpreter`` / ``AgentCoreBrowser`` made in a function."""

    holder: str | None
    """The name it is assigned to."""
    cleaned: bool
    """``cleanup_platform()`` / ``close_platform()`` called on it in the same function."""
    persist_off: bool
    """``persist_sessions=False``."""


def wrapper_use(py_file: PyFile, call: CallSite) -> WrapperUse:
    holder = _assigned_name(py_file, call)
    cleanups = ("cleanup_platform", "cleanup", "close_platform")
    cleaned = holder is not None and any(
        c.attr in cleanups
        and c.function is call.function
        and isinstance(c.node.func, ast.Attribute)
        and source_of(py_file, c.node.func.value) == holder
        for c in py_file.calls
    )
    persist = call.keywords.get("persist_sessions")
    return WrapperUse(holder, cleaned, isinstance(persist, ast.Constant) and persist.value is False)


def _assigned_name(py_file: PyFile, call: CallSite) -> str | None:
    parent = parents(py_file).parent(call.node)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        return source_of(py_file, parent.targets[0])
    return None


def _client_kind(py_file: PyFile, receiver: ast.expr, call: CallSite) -> str | None:
    """Code Interpreter / Browser when ``receiver`` holds a built-in tool client."""
    value: ast.AST | None = receiver
    if isinstance(receiver, ast.Name):
        binding, _ = latest_binding(call.function.node if call.function else None, py_file.tree, receiver.id, call.line)
        value = binding.value if binding is not None else None
    elif isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name) and receiver.value.id == "self":
        value = None
        for store in py_file.stores:  # the file's last assignment to an attribute of that name
            if isinstance(store.target, ast.Attribute) and store.target.attr == receiver.attr:
                value = store.value
    if isinstance(value, ast.Call):
        name = py_file.resolve(value.func)
        attr = name.rsplit(".", 1)[-1]
        if attr in CLIENT_CLASSES and ("bedrock_agentcore" in name or name == attr):
            return CLIENT_CLASSES[attr]
    return None

"""Blocking work on a runtime's event loop (SESS014).

An ``async`` request handler (``@app.entrypoint``, a ``POST /invocations`` route, a
websocket handler, an MCP tool, an A2A executor) or an ``async`` tool runs on the server's
event loop. A synchronous call that waits (a Strands ``agent(prompt)``, a LangChain or
LangGraph ``.invoke()``, a boto3 call, ``requests``, ``time.sleep``, a subprocess) stops
that loop until it returns: streams stop, other requests wait and ``/ping`` goes
unanswered. Handing the call to a thread (``asyncio.to_thread``, ``run_in_executor``) or
using the async API (``await agent.invoke_async()``, ``agent.stream_async()``,
``ainvoke()``) keeps the loop free. A synchronous ``def`` handler is fine: the SDK runs it
in a worker thread.

The walk follows the handler into the functions of the project it awaits (still on the
loop) and the synchronous functions it calls (whose blocking work then blocks the loop).

Pure: works on the code index and the project facts.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcore_readiness.checks.aws_calls import AwsClients
from agentcore_readiness.checks.runtime_handlers import is_tool
from agentcore_readiness.facts.code.callflow import CodeMap, Target, latest_binding, parents

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CallSite, FunctionInfo, PyFile

BLOCKING_FUNCTIONS: dict[str, str] = {
    "time.sleep": "time.sleep()",
    "urllib.request.urlopen": "urllib.request.urlopen()",
    "subprocess.run": "a subprocess",
    "subprocess.call": "a subprocess",
    "subprocess.check_call": "a subprocess",
    "subprocess.check_output": "a subprocess",
    "os.system": "a subprocess",
    "socket.create_connection": "a socket connection",
}
_BLOCKING_MODULES = ("requests.", "urllib3.", "httpx.")
_HTTPX_ASYNC = ("httpx.AsyncClient", "aiohttp", "httpx.AsyncHTTPTransport")
_SYNC_AGENT_METHODS = {
    "invoke": "a synchronous invoke()",
    "batch": "a synchronous batch()",
    "kickoff": "CrewAI kickoff()",
    "run_sync": "run_sync()",
    "structured_output": "a synchronous structured_output()",
    "chat": "a synchronous chat()",
    "query": "a synchronous query()",
}
_AGENT_FRAMEWORKS = ("langchain", "langgraph", "langchain_core", "langchain_aws", "crewai", "llama_index", "agents")
_STRANDS_AGENTS = frozenset({"strands.Agent", "strands.agent.Agent", "strands.agent.agent.Agent"})
_THREAD_HANDOFF = frozenset(
    {"to_thread", "run_in_executor", "run_sync", "run_in_threadpool", "submit", "start_soon", "create_task"}
)


@dataclass(frozen=True)
class BlockingCall:
    """A call that blocks the event loop of an async function."""

    file: PyFile
    line: int
    what: str
    """What blocks: ``the Strands agent call agent(prompt)``, ``boto3 dynamodb:GetItem`` …"""
    chain: tuple[Target, ...]
    """From the async handler to the function whose call blocks."""


class BlockingFinder:
    MAX_DEPTH = 3
    """Levels of awaited async functions followed from a handler."""
    MAX_SYNC_DEPTH = 6
    """Levels of synchronous functions followed from a call made on the loop."""
    MAX_EXPLORED = 300
    """Functions one synchronous search may visit: a bound on the work, whatever the call graph."""

    def __init__(self, cmap: CodeMap) -> None:
        self.cmap = cmap
        self.aws = AwsClients(cmap)

    def in_async(self, start: Target) -> list[BlockingCall]:
        """Blocking calls that run on the loop while ``start`` (an async function) runs."""
        found: dict[tuple[str, int], BlockingCall] = {}
        self._walk_async(start, (start,), found, set())
        return sorted(found.values(), key=lambda b: (b.file.path, b.line))

    def _walk_async(
        self,
        target: Target,
        chain: tuple[Target, ...],
        found: dict[tuple[str, int], BlockingCall],
        seen: set[Target],
    ) -> None:
        if target in seen or len(chain) > self.MAX_DEPTH + 1:
            return
        seen.add(target)
        py_file, function = target.file, target.function
        for call in _own_calls(py_file, function):
            if _awaited(py_file, call.node):
                callee = self.cmap.resolve(py_file, call.node, function)
                if callee is not None and callee.function.is_async:
                    self._walk_async(callee, (*chain, callee), found, seen)
                continue
            what = self.blocking(py_file, call, function)
            if what is not None:
                found.setdefault((py_file.path, call.line), BlockingCall(py_file, call.line, what, chain))
                continue
            callee = self.cmap.resolve(py_file, call.node, function)
            if callee is None or callee.function.is_async or callee in chain:
                continue
            inner = self._blocking_in_sync(callee, (callee,), set())
            if inner is not None:
                where, what, sync_chain = inner
                text = f"{callee.function.qualname}(), which runs {what} at {where.file.path}:{where.line}"
                found.setdefault((py_file.path, call.line), BlockingCall(py_file, call.line, text, chain + sync_chain))

    def _blocking_in_sync(
        self, target: Target, chain: tuple[Target, ...], seen: set[Target]
    ) -> tuple[BlockingCall, str, tuple[Target, ...]] | None:
        """The nearest blocking call a synchronous function makes, itself or through the
        synchronous functions it calls (breadth first, so the shortest chain is shown)."""
        frontier = [(target, chain)]
        while frontier:
            next_frontier: list[tuple[Target, tuple[Target, ...]]] = []
            for current, path in frontier:
                if current in seen or len(seen) > self.MAX_EXPLORED:
                    continue
                seen.add(current)
                py_file, function = current.file, current.function
                for call in _own_calls(py_file, function):
                    what = self.blocking(py_file, call, function)
                    if what is not None:
                        return BlockingCall(py_file, call.line, what, path), what, path
                    callee = self.cmap.resolve(py_file, call.node, function)
                    if callee is not None and not callee.function.is_async and len(path) < self.MAX_SYNC_DEPTH:
                        next_frontier.append((callee, (*path, callee)))
            frontier = next_frontier
        return None

    def blocking(self, py_file: PyFile, call: CallSite, function: FunctionInfo) -> str | None:
        """What ``call`` waits on synchronously, if it does."""
        name = call.name
        if name in BLOCKING_FUNCTIONS:
            return BLOCKING_FUNCTIONS[name]
        if name.startswith(_BLOCKING_MODULES) and call.attr in (
            "get",
            "post",
            "put",
            "patch",
            "delete",
            "head",
            "request",
            "urlopen",
            "stream",
        ):
            return f"{name}()"
        http = self._sync_http(py_file, call)
        if http is not None:
            return http
        aws = self.aws.call(py_file, call.node, function)
        if aws is not None:
            return f"the boto3 call {aws.label}"
        if self._strands_agent_call(py_file, call, function):
            return f"the Strands agent call `{_text(py_file, call.node)}`"
        method = _SYNC_AGENT_METHODS.get(call.attr)
        if (
            method is not None
            and isinstance(call.node.func, ast.Attribute)
            and any(m in py_file.imported_modules for m in _AGENT_FRAMEWORKS)
            and (call.attr in ("invoke", "batch", "kickoff", "run_sync") or _agent_like(call.node.func.value))
        ):
            return f"{method} `{_text(py_file, call.node)}`"
        return None

    def _sync_http(self, py_file: PyFile, call: CallSite) -> str | None:
        for http in py_file.facts.http_calls:
            if http.line == call.line and http.kind == "http" and not http.client.startswith(_HTTPX_ASYNC):
                return f"the HTTP call {http.client}()"
        return None

    def _strands_agent_call(self, py_file: PyFile, call: CallSite, function: FunctionInfo) -> bool:
        """``agent(prompt)`` on a Strands ``Agent`` (by its binding, or a factory returning one)."""
        if "strands" not in py_file.imported_modules:
            return False
        func = call.node.func
        if isinstance(func, ast.Call):
            return self._makes_agent(py_file, func, function, 0)
        if self.cmap.resolve(py_file, call.node, function) is not None:
            return False  # a function of the project: what it does is followed on its own
        if isinstance(func, ast.Name):
            node = function.node
            binding, where = latest_binding(node, py_file.tree, func.id, call.line)
            if binding is not None and isinstance(binding.value, ast.Call):
                scope = function if where == "local" else None
                if self._makes_agent(py_file, binding.value, scope, 0):
                    return True
            if where == "param":
                return "agent" in func.id.lower()
            return False
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            return "agent" in func.attr.lower()
        return False

    def _makes_agent(self, py_file: PyFile, call: ast.Call, function: FunctionInfo | None, depth: int) -> bool:
        """Whether ``call`` returns a Strands ``Agent``: it builds one, or it is a function of
        the project that returns one it builds (directly, or kept in a cache)."""
        if py_file.resolve(call.func) in _STRANDS_AGENTS:
            return True
        if depth > 2:
            return False
        target = self.cmap.resolve(py_file, call, function)
        if target is None:
            return False
        builds = any(target.file.resolve(c.node.func) in _STRANDS_AGENTS for c in target.file.calls_of(target.function))
        for node in target.function.returns:
            if node.value is None:
                continue
            if isinstance(node.value, ast.Call) and self._makes_agent(
                target.file, node.value, target.function, depth + 1
            ):
                return True
            if builds and isinstance(node.value, (ast.Name, ast.Subscript)):
                return True
        return False


def _agent_like(expr: ast.expr) -> bool:
    name = expr.attr if isinstance(expr, ast.Attribute) else expr.id if isinstance(expr, ast.Name) else ""
    return any(word in name.lower() for word in ("agent", "graph", "chain", "crew", "llm", "model", "engine"))


def _text(py_file: PyFile, call: ast.Call) -> str:
    from agentcore_readiness.facts.code.callflow import source_of
    from agentcore_readiness.textsafe import excerpt

    return excerpt(" ".join(source_of(py_file, call).split()), 60)


def _own_calls(py_file: PyFile, function: FunctionInfo) -> list[CallSite]:
    """The function's own calls, in order, leaving out those inside a lambda (run later,
    often in a thread) and those handed to a thread."""
    pm = parents(py_file)
    found: list[CallSite] = []
    for call in py_file.calls:
        if call.function is not function:
            continue
        if any(isinstance(a, ast.Lambda) for a, _ in pm.path(call.node, function.node)):
            continue
        parent = pm.parent(call.node)
        if isinstance(parent, ast.Call) and parent.func is not call.node:
            handoff = parent.func.attr if isinstance(parent.func, ast.Attribute) else ""
            if handoff in _THREAD_HANDOFF:
                continue
        found.append(call)
    return sorted(found, key=lambda c: (c.line, c.col))


def _awaited(py_file: PyFile, call: ast.Call) -> bool:
    pm = parents(py_file)
    parent = pm.parent(call)
    if isinstance(parent, ast.Await):
        return True
    # `async for x in f()` / `async with f()`: the loop awaits each step
    if isinstance(parent, ast.AsyncFor) and parent.iter is call:
        return True
    return isinstance(parent, ast.withitem) and isinstance(pm.parent(parent), ast.AsyncWith)


def async_starts(handlers: list[Target], tools: list[Target]) -> list[Target]:
    """The async functions to check: async request handlers and async tools."""
    found: list[Target] = []
    for target in [*handlers, *tools]:
        if target.function.is_async and target not in found:
            found.append(target)
    return found


def runtime_async_tools(py_file: PyFile) -> list[Target]:
    return [Target(py_file, f) for f in py_file.functions if f.is_async and is_tool(f)]

"""Which functions of a file serve a runtime's requests, as real projects write them.

* ``@app.entrypoint`` on a ``BedrockAgentCoreApp`` (HTTP protocol). The SDK keeps one
  handler per app: when several functions are decorated, only the last one is served.
* A web application's ``POST /invocations`` route (FastAPI, Starlette, Flask, Quart: a
  Container runtime written without the SDK) and ``@app.websocket`` handlers.
* The tools of a FastMCP server (MCP protocol): each ``@mcp.tool`` is a request handler.
* ``execute`` of an A2A ``AgentExecutor`` subclass (A2A protocol).

Pure: works on one file's tree and its resolved names, in the code index's walk.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Resolver = Callable[[ast.expr], str]
T = TypeVar("T")

INVOCATIONS_PATH = "/invocations"
_MCP_SERVERS = ("FastMCP", "MCPServer")
_REQUEST_TYPES = ("Request", "HTTPConnection")
_PLAIN_BODY_TYPES = frozenset({"dict", "Dict", "typing.Dict", "typing.Any", "Any", "object", "list", "str", "bytes"})

HANDLER_KINDS_BY_PROTOCOL: dict[str, tuple[str, ...]] = {
    "HTTP": ("entrypoint", "http", "websocket"),
    "MCP": ("mcp_tool",),
    "A2A": ("a2a",),
}
"""The request handlers each runtime protocol serves."""


KIND_WORDS = {
    "entrypoint": "entrypoint",
    "http": "POST /invocations handler",
    "websocket": "websocket handler",
    "mcp_tool": "MCP tool",
    "a2a": "A2A executor",
}


@dataclass(frozen=True)
class HandlerSpec:
    """How one function serves requests."""

    kind: str
    """``entrypoint``, ``http``, ``websocket``, ``mcp_tool`` or ``a2a``."""
    app: str | None
    """The object it is registered on (``app``, ``mcp``)."""
    payload: str | None = None
    """The variable holding the request body, when it is not the first parameter."""
    body_model: str | None = None
    """The class a web framework parses and validates the body into (a typed parameter)."""


@dataclass(frozen=True)
class DefinedFunction:
    """What the walk knows of one function definition."""

    node: FunctionNode
    qualname: str
    class_name: str | None
    decorators: tuple[str, ...]
    """Resolved names of the decorators, in the order of ``node.decorator_list``."""


def _constructed_by(value: ast.expr | None, resolve: Resolver, suffixes: tuple[str, ...]) -> bool:
    if not isinstance(value, ast.Call):
        return False
    name = resolve(value.func)
    return name.rsplit(".", 1)[-1] in suffixes


def _literal(expr: ast.expr | None) -> str | None:
    return expr.value if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None


def _route_path(call: ast.Call) -> str | None:
    if call.args:
        return _literal(call.args[0])
    for keyword in call.keywords:
        if keyword.arg in ("path", "rule"):
            return _literal(keyword.value)
    return None


def _methods(call: ast.Call) -> set[str] | None:
    for keyword in call.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, (ast.List, ast.Tuple, ast.Set)):
            return {str(_literal(e) or "").upper() for e in keyword.value.elts}
    return None


def _serves_invocations(decorator: ast.expr, name: str) -> bool:
    """``@app.post("/invocations")`` or ``@app.route("/invocations", methods=["POST"])``."""
    if not isinstance(decorator, ast.Call) or _route_path(decorator) != INVOCATIONS_PATH:
        return False
    verb = name.rsplit(".", 1)[-1]
    if verb == "post":
        return True
    if verb in ("route", "api_route", "api_route_handler"):
        methods = _methods(decorator)
        return methods is not None and "POST" in methods
    return False


def _http_body(function: FunctionNode, resolve: Resolver) -> tuple[str | None, str | None]:
    """The request body of a web route: the variable holding ``await request.json()``, or a
    parameter the framework parses (a typed model: validated as a whole; a ``dict``: not)."""
    args = function.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    for param in params:
        annotation = resolve(param.annotation) if param.annotation is not None else ""
        untyped_request = param.annotation is None and param.arg in ("request", "req")
        if annotation.rsplit(".", 1)[-1] in _REQUEST_TYPES or untyped_request:
            return _json_of(function, param.arg), None
    flask_body = _global_request_json(function, resolve)
    if flask_body is not None:
        return flask_body, None
    for param in params:
        if param.annotation is None or param.arg in ("self", "background_tasks", "context"):
            continue
        typed = param.annotation
        base = typed.value if isinstance(typed, ast.Subscript) else typed
        name = resolve(base)
        if name in _PLAIN_BODY_TYPES or name.rsplit(".", 1)[-1] in _PLAIN_BODY_TYPES:
            return param.arg, None
        if name.rsplit(".", 1)[-1][:1].isupper():
            return None, name
    return None, None


def _json_of(function: FunctionNode, request: str) -> str | None:
    """``body = await request.json()`` -> ``body``."""
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            continue
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in ("json", "get_json")
            and isinstance(value.func.value, ast.Name)
            and value.func.value.id == request
        ):
            return node.targets[0].id
    return None


def _global_request_json(function: FunctionNode, resolve: Resolver) -> str | None:
    """Flask and Quart: ``body = request.get_json()`` on the framework's global request."""
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            continue
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if isinstance(value, ast.Call):
            value = value.func
        if (
            isinstance(value, ast.Attribute)
            and value.attr in ("get_json", "json")
            and resolve(value.value) in ("flask.request", "quart.request")
        ):
            return node.targets[0].id
    return None


def _executor_classes(tree: ast.Module, resolve: Resolver) -> set[str]:
    return {
        statement.name
        for statement in tree.body
        if isinstance(statement, ast.ClassDef)
        and any(resolve(base).rsplit(".", 1)[-1] == "AgentExecutor" for base in statement.bases)
    }


def _registered_routes(tree: ast.Module, resolve: Resolver) -> dict[str, str]:
    """Functions routed to ``POST /invocations`` outside a decorator: Starlette's
    ``Route("/invocations", endpoint)`` and ``app.add_api_route("/invocations", endpoint, ...)``
    -> {function name: app}."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _route_path(node) != INVOCATIONS_PATH:
            continue
        name = resolve(node.func)
        verb = name.rsplit(".", 1)[-1]
        if verb not in ("Route", "add_api_route", "add_route", "add_url_rule"):
            continue
        methods = _methods(node)
        if methods is not None and "POST" not in methods:
            continue
        endpoint = node.args[1] if len(node.args) > 1 else None
        for keyword in node.keywords:
            if keyword.arg in ("endpoint", "view_func", "route"):
                endpoint = keyword.value
        if isinstance(endpoint, ast.Name):
            found[endpoint.id] = name.rsplit(".", 1)[0] if "." in name else "app"
    return found


def find_handlers(
    tree: ast.Module,
    text: str,
    functions: Iterable[DefinedFunction],
    module_values: dict[str, ast.expr],
    resolve: Resolver,
) -> list[tuple[DefinedFunction, HandlerSpec]]:
    """The request handlers defined in one file, in source order."""
    functions = list(functions)
    executors = _executor_classes(tree, resolve) if "AgentExecutor" in text else set()
    routes = _registered_routes(tree, resolve) if INVOCATIONS_PATH in text else {}
    found: list[tuple[DefinedFunction, HandlerSpec]] = []
    for function in functions:
        spec = _spec_of(function, module_values, resolve, executors, routes)
        if spec is not None:
            found.append((function, spec))
    return found


def _spec_of(
    function: DefinedFunction,
    module_values: dict[str, ast.expr],
    resolve: Resolver,
    executors: set[str],
    routes: dict[str, str],
) -> HandlerSpec | None:
    if function.class_name in executors and function.node.name == "execute":
        return HandlerSpec("a2a", function.class_name)
    if function.class_name is None and function.node.name in routes:
        payload, model = _http_body(function.node, resolve)
        return HandlerSpec("http", routes[function.node.name], payload, model)
    for decorator, name in zip(function.node.decorator_list, function.decorators, strict=True):
        receiver, _, verb = name.rpartition(".")
        if not receiver:
            continue
        if verb == "entrypoint":
            return HandlerSpec("entrypoint", receiver)
        if verb == "websocket":
            return HandlerSpec("websocket", receiver)
        if _serves_invocations(decorator, name):
            payload, model = _http_body(function.node, resolve)
            return HandlerSpec("http", receiver, payload, model)
        if verb == "tool" and _constructed_by(module_values.get(receiver), resolve, _MCP_SERVERS):
            return HandlerSpec("mcp_tool", receiver)
    return None


def served(
    handlers: Iterable[T], kind_of: Callable[[T], str], app_of: Callable[[T], str | None], line_of: Callable[[T], int]
) -> tuple[list[T], list[list[T]]]:
    """The handlers a runtime serves, and the groups of ``@app.entrypoint`` functions of
    one app of which only the last one is served (``BedrockAgentCoreApp.entrypoint`` keeps
    one handler: each decoration replaces the previous one). Each group lists the dead
    functions followed by the live one."""
    live: list[T] = []
    groups: dict[str | None, list[T]] = {}
    for handler in handlers:
        if kind_of(handler) == "entrypoint":
            groups.setdefault(app_of(handler), []).append(handler)
        else:
            live.append(handler)
    replaced: list[list[T]] = []
    for group in groups.values():
        group.sort(key=line_of)
        live.append(group[-1])
        if len(group) > 1:
            replaced.append(group)
    live.sort(key=line_of)
    return live, replaced

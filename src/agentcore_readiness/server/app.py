"""``build_server``: the MCP server, built from the tool, prompt and resource modules.

Nothing happens at import time. Every tool call passes one boundary: the paths it names
must be inside the allowed roots, bad input becomes a tool error with a clear message,
and everything returned is cleaned (invisible and control characters removed, secrets
masked, length capped) so a scanned project cannot inject instructions into the model
reading the result.
"""

from __future__ import annotations

import functools
import inspect
import re
import time
import typing
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from agentcore_readiness import __version__
from agentcore_readiness.scope import ScopeLimits
from agentcore_readiness.settings import Settings

INSTRUCTIONS = """\
agentcore-readiness reviews AWS Bedrock AgentCore agent projects for production readiness.
Every tool is read-only; paths are project directories (holding agentcore/agentcore.json or
.bedrock_agentcore.yaml), relative to your first root. Review answers list the fail and warn
findings most severe first (rule code, severity, file:line or ARN, fix), `max_findings` at a
time: call again with the `offset` they give for the rest; `detail="full"` gives everything.
Which tool for which question:
- "Is my agent ready for production?" -> review_project (every rule); the filled-in checklist -> render_checklist.
- "Who can call my agent?" -> check_auth; "403 with a valid token" -> diagnose_jwt_403.
- "Are the IAM permissions too broad?" -> check_iam_scope; "who can run shell commands?" -> check_shell_access.
- "Why so many microVMs, which session settings?" -> audit_sessions; "a maxVms or throttling error" -> diagnose_quota_error.
- "Why is cold start slow?" -> audit_cold_start; "is tracing, log retention, eval set up?" -> check_observability.
- "Is the agent's code safe (errors, validation, secrets, direct HTTP)?" -> audit_code.
- "What does rule X mean?" -> explain_rule or the resource agentcore-readiness://rules/{code}; the catalog -> list_rules.
- "Where must I read to decide what the review left open?" -> map_project (each runtime, file:line per item).
The prompts walk the skill's workflows step by step.
"""


def _client_roots_supported(ctx: Any) -> bool:
    try:
        capabilities = ctx.client_capabilities
        version = ctx.protocol_version or ""
    except Exception:  # noqa: BLE001 - no session details (in-process, stateless): no client roots
        return False
    return bool(capabilities is not None and capabilities.roots is not None and version < "2026")


async def _client_roots(ctx: Any) -> tuple[Path, ...]:
    """The directories the client offers as roots (none when it offers none or cannot answer)."""
    from agentcore_readiness.roots import root_paths

    if ctx is None or not _client_roots_supported(ctx):
        return ()
    import anyio

    try:
        with anyio.fail_after(5), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # roots are deprecated from 2026-07-28; older clients use them
            result = await ctx.session.list_roots()
    except Exception as exc:  # noqa: BLE001 - a client that cannot answer roots/list leaves the server's roots
        from agentcore_readiness.log import get_logger

        get_logger(__name__).info("client roots unavailable", error_type=type(exc).__name__)
        return ()
    return root_paths([str(root.uri) for root in result.roots])


async def boundary_for_call(server_roots: tuple[Path, ...], ctx: Any) -> tuple[tuple[Path, ...], Path]:
    """The directories a call may read and the one its relative paths start from.

    The server's roots, narrowed to the client's when it offers roots (never widened);
    relative paths start at the client's first root, else the working directory.
    """
    from agentcore_readiness.roots import narrow

    offered = await _client_roots(ctx)
    if not offered:
        return server_roots, Path.cwd()
    allowed = narrow(server_roots, offered)
    return allowed, allowed[0] if allowed else Path.cwd()


def resolve_path_arguments(kwargs: dict[str, Any], base: Path) -> None:
    """``path`` made absolute against ``base`` (an empty one is an error); absolute ``policy_files``
    checked against the roots (relative ones are read from inside the project)."""
    from agentcore_readiness import scope
    from agentcore_readiness.engine import InputError
    from agentcore_readiness.roots import check_path

    for value in (kwargs.get("path"), *(kwargs.get("policy_files") or ())):
        if isinstance(value, str) and "\x00" in value:
            raise InputError(f"{value!r}: a path cannot contain a NUL byte")
    path = kwargs.get("path")
    if isinstance(path, str):
        scope.check_not_empty(path)
        expanded = Path(path).expanduser()
        kwargs["path"] = str(expanded if expanded.is_absolute() else base / expanded)
        check_path(kwargs["path"])
    for item in kwargs.get("policy_files") or ():
        if isinstance(item, str) and Path(item).expanduser().is_absolute():
            check_path(item)


def _boundary(spec: Any, settings: Settings, server_roots: tuple[Path, ...]) -> Callable[..., Awaitable[Any]]:
    """Wrap a tool: roots and scope, InputError -> tool error, cleaned output as structured
    content plus a markdown text block."""
    from mcp.server.mcpserver import Context
    from mcp_types import CallToolResult

    from agentcore_readiness.tools import calling

    fn = spec.fn
    # Tool modules may import Context only for type checking: resolve it here.
    hints = typing.get_type_hints(fn, localns={"Context": Context}, include_extras=True)
    signature = inspect.signature(fn)
    output_model = hints["return"]
    hints["return"] = typing.Annotated[CallToolResult, output_model]
    signature = signature.replace(
        parameters=[p.replace(annotation=hints.get(n, p.annotation)) for n, p in signature.parameters.items()],
        return_annotation=hints["return"],
    )
    own_ctx = calling.context_parameter(spec)
    limits = ScopeLimits(settings.max_projects, settings.max_files)

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        from mcp.server.mcpserver.exceptions import ToolError
        from mcp_types import TextContent

        from agentcore_readiness import budget
        from agentcore_readiness.engine import InputError
        from agentcore_readiness.roots import OutsideRoots, allowed_roots
        from agentcore_readiness.scope import ScopeError, scope_limits
        from agentcore_readiness.textsafe import clean_text, sanitize_model

        ctx = kwargs.get(own_ctx) if own_ctx else kwargs.pop("mcp_context", None)
        allowed, base = await boundary_for_call(server_roots, ctx)
        call_budget = request_budget(settings)
        try:
            with allowed_roots(allowed), scope_limits(limits), budget.request_budget(call_budget):
                resolve_path_arguments(kwargs, base)
                result = await stop_on_cancel(functools.partial(fn, *args, **kwargs), call_budget, _hang_up_event(ctx))
        except (InputError, OutsideRoots, ScopeError) as exc:
            raise ToolError(clean_text(str(exc), 2000)) from None
        if call_budget.bytes >= LARGE_REVIEW_BYTES or time.monotonic() - _last_release[0] >= RELEASE_EVERY_SECONDS:
            import anyio.to_thread

            await anyio.to_thread.run_sync(release_freed_memory)
        cleaned = sanitize_model(result)
        if ctx is not None:
            from agentcore_readiness.server import client_log

            await client_log.send(ctx, cleaned)
        return CallToolResult(
            content=[TextContent(type="text", text=calling.text(spec, cleaned))],
            structured_content=calling.structured(spec, cleaned),
        )

    if own_ctx is None:
        parameters = [
            *signature.parameters.values(),
            inspect.Parameter("mcp_context", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Context),
        ]
        signature = signature.replace(parameters=parameters)
        hints["mcp_context"] = Context
    wrapper.__signature__ = signature  # type: ignore[attr-defined]
    wrapper.__annotations__ = hints
    return wrapper


LARGE_REVIEW_BYTES = 1024 * 1024
"""After a call that read this much, freed memory is handed back to the system."""
RELEASE_EVERY_SECONDS = 10.0
"""... and after any call, at most this often (many small reviews free memory too)."""
_last_release = [0.0]


def release_freed_memory() -> None:
    """Return the memory a large review freed to the operating system (glibc keeps freed
    heap pages, per thread arena, for reuse: a long-running server would otherwise stay at
    the size of its largest review). A no-op where ``malloc_trim`` does not exist."""
    import ctypes
    import ctypes.util

    _last_release[0] = time.monotonic()
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def request_budget(settings: Settings) -> Any:
    """The budget of one tool call, from the server's settings."""
    from agentcore_readiness.budget import Budget

    return Budget(
        seconds=settings.request_seconds,
        max_files=settings.request_max_files,
        max_bytes=settings.request_max_bytes,
        allow_project_code=settings.allow_measure_imports,
    )


def _hang_up_event(ctx: Any) -> Any:
    """The event :class:`~agentcore_readiness.server.connections.DisconnectWatch` sets when
    the HTTP client that sent this call hangs up; ``None`` off HTTP."""
    from agentcore_readiness.server.connections import DISCONNECTED

    try:
        scope = ctx.request_context.request.scope
    except Exception:  # noqa: BLE001 - no HTTP request behind this call (stdio, in memory)
        return None
    return scope.get(DISCONNECTED) if isinstance(scope, dict) else None


async def stop_on_cancel(call: Callable[[], Awaitable[Any]], limits: Any, hung_up: Any = None) -> Any:
    """Await ``call()``; when the request is cancelled (the client sent
    ``notifications/cancelled``) or the HTTP client hangs up (``hung_up`` is set), cancel
    its budget at once, so that the worker thread doing the review stops at its next step
    instead of running on."""
    import anyio

    done = False
    result: Any = None

    async def watch() -> None:
        try:
            if hung_up is not None:
                await hung_up.wait()
            else:
                await anyio.sleep_forever()
        finally:
            if not done:
                limits.cancel("the request was cancelled by the client (or the client disconnected)")

    error: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(watch)
        try:
            result = await call()
        except Exception as exc:  # noqa: BLE001 - re-raised as itself below, not as an exception group
            error = exc
        finally:
            done = True
            group.cancel_scope.cancel()
    if error is not None:
        raise error
    return result


def _server_class() -> Any:
    """MCPServer that refuses unknown tool arguments and lists lean schemas."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from agentcore_readiness.server.schemas import lean_tool

    class ReadinessServer(MCPServer):  # type: ignore[misc]
        argument_errors: dict[str, Callable[[Any], str | None]]
        specs: dict[str, Any]
        _listed: list[Any] | None = None

        async def list_tools(self) -> list[Any]:
            if self._listed is None:
                tools = await super().list_tools()
                # The rule list in each description comes from the registry: loaded here, at the
                # first listing, not at start-up (the server answers ``initialize`` without it).
                self._listed = [
                    lean_tool(tool, self.specs[tool.name].text_only, self.specs[tool.name].schema_depth).model_copy(
                        update={"description": self.specs[tool.name].description()}
                    )
                    for tool in tools
                ]
            return self._listed

        async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
            check = self.argument_errors.get(name)
            problem = check(arguments or {}) if check is not None else None
            if problem is not None:
                from agentcore_readiness.textsafe import clean_text

                raise ToolError(f"Error executing tool {name}: {clean_text(problem, 2000)}")
            return await super().call_tool(name, arguments, context)

    return ReadinessServer


def build_server(settings: Settings | None = None) -> Any:
    from mcp_types import ToolAnnotations

    from agentcore_readiness import tools
    from agentcore_readiness.roots import root_paths
    from agentcore_readiness.server import security

    settings = settings or Settings()
    exposed = tools.chosen_tools(settings.tools, settings.toolsets)
    specs = tools.all_specs()
    server_roots = root_paths(settings.roots) if settings.roots else (Path.cwd().resolve(),)
    auth, verifier = security.auth_components(settings)
    server = _server_class()(
        name="agentcore-readiness",
        title="AgentCore production readiness",
        version=__version__,
        instructions=instructions(set(exposed)),
        log_level=(settings.log_level or "WARNING").upper(),
        auth=auth,
        token_verifier=verifier,
    )
    server.argument_errors = {}
    server.specs = {}
    for name in exposed:
        spec = specs[name]
        server.add_tool(
            _boundary(spec, settings, server_roots),
            name=spec.name,
            title=spec.title,
            description=inspect.cleandoc(spec.fn.__doc__ or ""),
            annotations=ToolAnnotations(
                read_only_hint=True,
                destructive_hint=False,
                idempotent_hint=True,
                open_world_hint=spec.open_world,
            ),
            structured_output=True,
        )
        server.argument_errors[name] = functools.partial(_unknown_arguments, spec)
        server.specs[name] = spec
    from agentcore_readiness.prompts import register_prompts
    from agentcore_readiness.server import client_log
    from agentcore_readiness.server.mcp_resources import register_resources

    register_prompts(server, set(exposed))
    register_resources(server)
    client_log.register(server)
    _register_completions(server)
    _register_routes(server)
    return server


def _unknown_arguments(spec: Any, arguments: dict[str, Any]) -> str | None:
    from agentcore_readiness.tools import calling

    return calling.unknown_arguments_message(spec, arguments)


def instructions(exposed: set[str]) -> str:
    """The server instructions, naming only the tools this server exposes."""
    from agentcore_readiness.prompts import templates

    offers_prompts = any(set(template.tools) <= exposed for template in templates())
    kept = []
    for line in INSTRUCTIONS.splitlines():
        if line.startswith("The prompts") and not offers_prompts:
            continue
        if line.startswith("- ") and not _tool_names(line) <= exposed:
            line = _keep_exposed(line, exposed)
            if not line:
                continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def _keep_exposed(line: str, exposed: set[str]) -> str:
    """An instruction line without its clauses (``;``-separated) about tools this server hides."""
    clauses = [clause.strip() for clause in line[2:].rstrip(".").split(";")]
    kept = [clause for clause in clauses if _tool_names(clause) <= exposed]
    return "- " + "; ".join(kept) + "." if kept else ""


def _tool_names(text: str) -> set[str]:
    from agentcore_readiness.tools import all_specs

    return set(re.findall(r"\b[a-z]+_[a-z0-9_]+\b", text)) & set(all_specs())


def completion_values(argument: str, prefix: str) -> list[str]:
    """Values the client may offer for a prompt or resource-template argument."""
    from agentcore_readiness.checks.registry import WORKLOADS, load_rules

    if argument == "workload":
        candidates: list[str] = list(WORKLOADS)
    elif argument == "code":
        candidates = list(load_rules())
    elif argument == "measure_imports":
        candidates = ["yes", "no"]
    else:
        return []
    return [value for value in candidates if value.lower().startswith(prefix.lower())]


def _register_completions(server: Any) -> None:
    @server.completion()  # type: ignore[untyped-decorator]
    async def complete(ref: Any, argument: Any, context: Any) -> Any:
        from mcp_types import Completion

        values = completion_values(argument.name, argument.value or "")
        return Completion(values=values[:100], total=len(values), has_more=len(values) > 100)


def _register_routes(server: Any) -> None:
    @server.custom_route("/health", methods=["GET"])  # type: ignore[untyped-decorator]
    async def health(request: Any) -> Any:
        from starlette.responses import JSONResponse

        return JSONResponse({"status": "ok", "version": __version__})

    @server.custom_route("/ping", methods=["GET"])  # type: ignore[untyped-decorator]
    async def ping(request: Any) -> Any:
        from starlette.responses import JSONResponse

        return JSONResponse({"status": "Healthy"})


def http_app(settings: Settings) -> Any:
    """The Starlette app of the streamable HTTP transport, as ``serve --transport http`` runs it."""
    from agentcore_readiness.server import security

    server = build_server(settings)
    app = server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=settings.stateless_http,
        json_response=settings.stateless_http,
        max_request_body_size=settings.max_request_bytes,
        transport_security=security.transport_security(settings),
        host=settings.host,
    )
    from agentcore_readiness.server.connections import DisconnectWatch

    app.add_middleware(DisconnectWatch)
    app.add_middleware(security.OriginGuard, allowed=(*security.own_origins(settings), *settings.allowed_origins))
    return app


def run(settings: Settings) -> None:
    from agentcore_readiness.server import security

    if settings.transport == "stdio":
        build_server(settings).run("stdio")
        return
    security.check_bind(settings)
    import uvicorn

    from agentcore_readiness.server import connections

    limits = connections.connection_limits(settings.max_connections, connections.descriptor_limit())
    connections.quiet_accept_errors()
    uvicorn.run(
        http_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=(settings.log_level or "warning").lower(),
        h11_max_incomplete_event_size=settings.max_request_bytes,
        http=connections.guarded_protocol(settings.read_timeout, limits.max_connections),
        backlog=limits.backlog,
    )

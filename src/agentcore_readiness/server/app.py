"""``build_server``: the MCP server, built from the tool, prompt and resource modules.

Nothing happens at import time. Every tool call passes one boundary: the paths it names
must be inside the allowed roots, bad input becomes a tool error with a clear message,
and everything returned is cleaned (invisible and control characters removed, secrets
masked, length capped) so a scanned project cannot inject instructions into the model
reading the result.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import typing
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from agentcore_readiness import __version__
from agentcore_readiness.settings import Settings

INSTRUCTIONS = """\
agentcore-readiness reviews AWS Bedrock AgentCore agent projects for production readiness.
Every tool is read-only; paths are project directories (holding agentcore/agentcore.json or
.bedrock_agentcore.yaml). Findings carry a rule code, severity, file:line or ARN, evidence and a fix.
Which tool for which question:
- "Is my agent ready for production?" -> review_project (every rule), then render_checklist.
- "Who can call my agent?" -> check_auth; "403 with a valid token" -> diagnose_jwt_403.
- "Are the IAM permissions too broad?" -> check_iam_scope; "who can run shell commands?" -> check_shell_access.
- "Why so many microVMs / maxVms errors / which session settings?" -> audit_sessions, diagnose_quota_error.
- "Why is cold start slow?" -> audit_cold_start. "Is tracing/log retention/eval set up?" -> check_observability.
- "Is the agent's code safe (errors, validation, secrets, direct HTTP)?" -> audit_code.
- "What does rule X mean?" -> explain_rule; the catalog: list_rules or the resource agentcore-readiness://rules.
The prompts (production_readiness_review, debug_jwt_403, ...) walk the skill's workflows step by step.
"""

PATH_ARGUMENTS = ("path", "policy_files")


def _client_roots_supported(ctx: Any) -> bool:
    try:
        capabilities = ctx.client_capabilities
        version = ctx.protocol_version or ""
    except Exception:  # noqa: BLE001 - no session details (in-process, stateless): no client roots
        return False
    return bool(capabilities is not None and capabilities.roots is not None and version < "2026")


async def _roots_for_call(settings: Settings, ctx: Any) -> tuple[Path, ...] | None:
    from agentcore_readiness.roots import root_paths

    if settings.roots:
        return root_paths(settings.roots)
    if ctx is not None and _client_roots_supported(ctx):
        import anyio

        try:
            with anyio.fail_after(5), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # roots are deprecated from 2026-07-28; older clients use them
                result = await ctx.session.list_roots()
            offered = root_paths([str(root.uri) for root in result.roots])
            if offered:  # an empty list sets no boundary: the transport's default applies
                return offered
        except Exception as exc:  # noqa: BLE001 - a client that cannot answer roots/list leaves the default
            from agentcore_readiness.log import get_logger

            get_logger(__name__).info("client roots unavailable", error_type=type(exc).__name__)
    if settings.transport == "http":
        return (Path.cwd().resolve(),)
    return None


def _boundary(fn: Callable[..., Awaitable[Any]], settings: Settings) -> Callable[..., Awaitable[Any]]:
    """Wrap a tool: roots check, InputError -> tool error, cleaned output."""
    from mcp.server.mcpserver import Context

    # Tool modules may import Context only for type checking: resolve it here.
    hints = typing.get_type_hints(fn, localns={"Context": Context}, include_extras=True)
    signature = inspect.signature(fn)
    signature = signature.replace(
        parameters=[p.replace(annotation=hints.get(n, p.annotation)) for n, p in signature.parameters.items()],
        return_annotation=hints.get("return", signature.return_annotation),
    )
    own_ctx = next((name for name, p in signature.parameters.items() if p.annotation is Context), None)

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        from mcp.server.mcpserver.exceptions import ToolError
        from pydantic import BaseModel

        from agentcore_readiness import budget
        from agentcore_readiness.engine import InputError
        from agentcore_readiness.roots import OutsideRoots, allowed_roots, check_path
        from agentcore_readiness.textsafe import clean_text, sanitize_model

        ctx = kwargs.get(own_ctx) if own_ctx else kwargs.pop("mcp_context", None)
        roots = await _roots_for_call(settings, ctx)
        limits = request_budget(settings)
        try:
            with allowed_roots(roots), budget.request_budget(limits):
                for name in PATH_ARGUMENTS:
                    value = kwargs.get(name)
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str) and item:
                            if "\x00" in item:
                                raise InputError(f"{item!r}: a path cannot contain a NUL byte")
                            check_path(item)
                result = await stop_on_cancel(functools.partial(fn, *args, **kwargs), limits, _hang_up_event(ctx))
        except (InputError, OutsideRoots) as exc:
            raise ToolError(clean_text(str(exc), 2000)) from None
        if limits.bytes >= LARGE_REVIEW_BYTES:
            import anyio.to_thread

            await anyio.to_thread.run_sync(release_freed_memory)
        if not isinstance(result, BaseModel):
            return result
        cleaned = sanitize_model(result)
        if ctx is not None:
            from agentcore_readiness.server import client_log

            await client_log.send(ctx, cleaned)
        return cleaned

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


LARGE_REVIEW_BYTES = 16 * 1024 * 1024
"""After a call that read this much, freed memory is handed back to the system."""


def release_freed_memory() -> None:
    """Return the memory a large review freed to the operating system (glibc keeps freed
    heap pages, per thread arena, for reuse: a long-running server would otherwise stay at
    the size of its largest review). A no-op where ``malloc_trim`` does not exist."""
    import ctypes
    import ctypes.util

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


def build_server(settings: Settings | None = None) -> Any:
    from mcp.server.mcpserver import MCPServer
    from mcp_types import ToolAnnotations

    from agentcore_readiness import tools
    from agentcore_readiness.server import security

    settings = settings or Settings()
    auth, verifier = security.auth_components(settings)
    server = MCPServer(
        name="agentcore-readiness",
        title="AgentCore production readiness",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level=(settings.log_level or "WARNING").upper(),  # type: ignore[arg-type]
        auth=auth,
        token_verifier=verifier,
    )
    for module_name in tools.TOOL_MODULES:
        module = importlib.import_module(f"agentcore_readiness.tools.{module_name}")
        for spec in module.TOOLS:
            server.add_tool(
                _boundary(spec.fn, settings),
                name=spec.name,
                title=spec.title,
                description=inspect.cleandoc(spec.fn.__doc__ or ""),
                annotations=ToolAnnotations(
                    title=spec.title,
                    read_only_hint=True,
                    destructive_hint=False,
                    idempotent_hint=True,
                    open_world_hint=spec.open_world,
                ),
                structured_output=True,
            )
    from agentcore_readiness.prompts import register_prompts
    from agentcore_readiness.server import client_log
    from agentcore_readiness.server.resources import register_resources

    register_prompts(server)
    register_resources(server)
    client_log.register(server)
    _register_completions(server)
    _register_routes(server)
    return server


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

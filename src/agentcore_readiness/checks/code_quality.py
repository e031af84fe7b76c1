"""Code quality: error handling and input validation in the agent's own code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore_readiness.analysis import file_facts as analysis
from agentcore_readiness.analysis.file_facts import FieldRead, HandlerIssue
from agentcore_readiness.analysis.request_handlers import KIND_WORDS
from agentcore_readiness.checks.code_rule_helpers import code_files, emit, note_skipped, where, without_code
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.checks.runtime_handlers import (
    Handler,
    Replaced,
    RuntimePaths,
    chain_text,
    delegated_guard,
    handler_model,
    payload_reads,
    runtime_paths,
)
from agentcore_readiness.model import Fix

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import PyFile

_WRAP_FIX = """Wrap the whole body; log the full error internally and return a safe message:

    @app.entrypoint
    def {name}(payload, context):
        try:
            ...  # the agent logic
        except Exception:
            app.logger.exception("invocation failed")
            return {{"error": "An error occurred. Please try again."}}
"""
_WRAP_STREAM_FIX = """Wrap the iteration too, and end the stream with a safe error event:

    @app.entrypoint
    async def {name}(payload, context):
        try:
            async for event in agent.stream_async(prompt):
                yield event
        except Exception:
            app.logger.exception("invocation failed")
            yield {{"error": "An error occurred. Please try again."}}
"""


def _handlers(facts: Facts) -> list[Handler]:
    return handler_model(facts).handlers


def _no_entrypoint(facts: Facts) -> Verdict | None:
    missing = without_code(facts, "runtime")
    if missing is not None:
        return missing
    model = handler_model(facts)
    if not model.handlers:
        which = ", ".join(f"{name} ({protocol})" for name, protocol in model.protocols.items())
        return not_applicable(
            f"no request handler written in the code of {which}: no @app.entrypoint, POST /invocations route, "
            "websocket handler, MCP tool or A2A AgentExecutor (an A2A server the SDK builds, such as serve_a2a, "
            "has none of its own; tools are checked by CODE004)"
        )
    return None


def _kind_word(handler: Handler) -> str:
    return KIND_WORDS.get(handler.entry.kind, handler.entry.kind)


@rule(
    "CODE001",
    "entrypoint-unguarded",
    "medium",
    ("C",),
    "Entrypoint not wrapped in error handling",
    family="Code quality",
    checklist=("code.errors",),
    reads=("runtime",),
    tools=("audit_code",),
)
def entrypoint_unguarded(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Checks that every request handler of a runtime runs its work inside `try` with an
    `except Exception` handler that logs the traceback (`logger.exception(...)` or
    `exc_info=True`; a handler that only sends `traceback.format_exc()` to the caller does
    not log it). Request handlers follow the runtime's protocol: for HTTP the
    `@app.entrypoint` function (of several on one app, the SDK serves only the last: the
    others are reported once, for information, as dead code), a web app's
    `POST /invocations` route and websocket handlers; for MCP each `@mcp.tool`; for A2A an
    `AgentExecutor.execute`. Docstrings, logging and simple assignments or checks may stay
    outside. No try at all, or a handler that does not log the traceback: fail; only part
    of the body wrapped (for streaming handlers, the iteration that yields too): warn. A
    handler that only hands the work to one function, in its own file or another module of
    the runtime, is judged by that function.

    ### Why is this bad?
    An unhandled exception reaches the runtime SDK (or the MCP server), which answers with
    the exception's text: internal details go to the caller, and without the traceback in
    the logs the failure cannot be diagnosed.

    ### Example
    ```python
    @app.entrypoint
    def invoke(payload, context):
        return {"response": str(agent(payload["prompt"]))}
    ```

    ### Fix
    ```python
    @app.entrypoint
    def invoke(payload, context):
        try:
            return {"response": str(agent(payload["prompt"]))}
        except Exception:
            app.logger.exception("invocation failed")
            return {"error": "An error occurred. Please try again."}
    ```

    ### References
    - agents-harden skill, "Error handling: Fail gracefully"
    """
    verdict = _no_entrypoint(facts)
    if verdict is not None:
        return verdict
    model = handler_model(facts)
    for handler in model.handlers:
        _judge_guard(facts, out, handler)
    for replaced in model.replaced:
        _report_replaced(out, replaced)
    for name, protocol in model.protocols.items():
        if not any(name in h.file.runtimes for h in model.handlers):
            out.note(f"runtime {name} ({protocol}): no request handler found in its code")
    note_skipped(facts, out)
    return None


def _judge_guard(facts: Facts, out: Findings, handler: Handler) -> None:
    entry, py_file = handler.entry, handler.file
    template = _WRAP_STREAM_FIX if entry.is_generator else _WRAP_FIX
    fix = Fix(summary=template.format(name=entry.name))
    label = handler.label
    if entry.guard == "unwrapped" and entry.handoff is not None:
        delegated = delegated_guard(facts, handler)
        if delegated is not None:
            guard, target = delegated.guard, delegated.target
            if guard.status == "wrapped":
                out.note(
                    f"{py_file.path}:{entry.line} {entry.name}(): the work runs in {target.label}, which is wrapped"
                )
                return
            where = f"{label} hands its work to {target.label}"
            if guard.status == "no_traceback":
                emit(out, "fail", target.file, guard.line, f"{where}: {guard.detail}", fix=fix)
            elif guard.status == "partial":
                emit(
                    out,
                    "warn",
                    target.file,
                    guard.line,
                    f"{where}, which is only partly wrapped: {guard.detail}",
                    fix=fix,
                )
            else:
                emit(
                    out,
                    "fail",
                    py_file,
                    entry.line,
                    f"{where}; neither has a try/except around the agent logic",
                    fix=fix,
                )
            return
    if entry.guard == "unwrapped":
        emit(out, "fail", py_file, entry.line, f"{label} has {entry.guard_detail}", fix=fix)
    elif entry.guard == "no_traceback":
        emit(out, "fail", py_file, entry.guard_line, f"{label}: {entry.guard_detail}", fix=fix)
    elif entry.guard == "partial":
        emit(out, "warn", py_file, entry.guard_line, f"{label} is only partly wrapped: {entry.guard_detail}", fix=fix)
    else:
        out.note(f"{py_file.path}:{entry.line} {entry.name}(): {entry.guard_detail}")


def _report_replaced(out: Findings, replaced: Replaced) -> None:
    """One finding for an app whose ``@app.entrypoint`` is used several times."""
    dead = ", ".join(f"{e.name}() (line {e.line})" for e in replaced.dead)
    app = replaced.app or "app"
    emit(
        out,
        "info",
        replaced.file,
        replaced.dead[0].line,
        f"@{app}.entrypoint is used on {len(replaced.dead) + 1} functions: BedrockAgentCoreApp serves only the "
        f"last one, {replaced.live.name}() (line {replaced.live.line}); {dead} never run through the runtime "
        "(dead code, not checked by the code rules)",
        fix=Fix(
            summary=f"Keep one @{app}.entrypoint and dispatch inside it (for example on a payload field such as "
            '"action"), or remove the functions that are never served.'
        ),
    )


@rule(
    "CODE002",
    "exception-swallowed",
    "medium",
    ("C",),
    "Exception swallowed without logging",
    family="Code quality",
    checklist=("code.errors",),
    reads=("runtime",),
    tools=("audit_code",),
)
def exception_swallowed(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails on every `except:`, `except Exception:` or `except BaseException:` in the
    runtime's code whose body only passes, continues or returns `None`: nothing logged,
    nothing re-raised. Left alone: narrow handlers (`except KeyError: pass`); deliberate
    best-effort paths, where nothing the caller needs can be lost: in `__del__`, a `try`
    that only releases resources (`close`, `shutdown`, `cancel`, ...), only records
    telemetry (metrics, traces; or any handler in telemetry code), only parses or converts
    values at hand with no I/O (a parse fallback), or only imports an optional
    dependency; and functions nothing in the runtime's code calls (code only a script or
    a backend uses). A swallowed I/O failure stays a finding, fallback or not.

    ### Why is this bad?
    The failure disappears: the agent carries on with missing data, the caller gets a
    wrong answer, and the logs and traces show nothing to debug.

    ### Example
    ```python
    try:
        save_memory(event)
    except Exception:
        pass
    ```

    ### Fix
    Log it (`logger.exception("saving memory failed")`) and re-raise or return an
    explicit error, or catch only the exception you expect.

    ### References
    - agents-harden skill, "Error handling: Fail gracefully" ("bare except blocks that swallow errors")
    """
    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    paths: RuntimePaths | None = None
    swallowed = 0
    left_alone: list[str] = []
    for py_file in code_files(facts, "runtime"):
        for issue in py_file.facts.handler_issues:
            if issue.kind != "swallow":
                continue
            where_in = f" in {issue.function}()" if issue.function else ""
            excuse = issue.excuse or _telemetry_module(py_file)
            if excuse is None:
                paths = paths or runtime_paths(facts)
                excuse = paths.called(py_file, issue.function)
            if excuse is not None:
                left_alone.append(f"{py_file.path}:{issue.line} ({excuse})")
                continue
            swallowed += 1
            emit(
                out,
                "fail",
                py_file,
                issue.line,
                f"{issue.detail}{where_in}: the error is neither logged nor re-raised",
                fix=Fix(
                    summary='Log the error (`logger.exception("…")`) and re-raise or return an explicit error; '
                    "or catch only the exception you expect."
                ),
            )
    if not swallowed:
        out.note(f"no swallowed exceptions in {len(code_files(facts, 'runtime'))} runtime file(s)")
    if left_alone:
        out.note(f"{len(left_alone)} broad except(s) that only pass left alone: {_some(left_alone)}")
    note_skipped(facts, out)
    return None


def _some(items: list[str], shown: int = 3) -> str:
    more = f"; and {len(items) - shown} more" if len(items) > shown else ""
    return "; ".join(items[:shown]) + more


def _telemetry_module(py_file: PyFile) -> str | None:
    stem = py_file.path.rsplit("/", 1)[-1].removesuffix(".py")
    if analysis.telemetry_name(stem):
        return f"in {py_file.path}, which records telemetry: observability must not break the work it observes"
    return None


@rule(
    "CODE003",
    "error-details-leaked",
    "high",
    ("C",),
    "Exception details returned to the caller",
    family="Code quality",
    checklist=("code.errors",),
    reads=("runtime",),
    tools=("audit_code",),
)
def error_details_leaked(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Finds `except` handlers in the runtime's code that return or yield `str(e)`,
    `repr(e)`, `e.args`, the exception object, `traceback.format_exc()` or an f-string
    or %-format of the exception, directly or through a variable assigned in the handler.
    In a request handler (an MCP runtime's tools included): fail. In an agent's tool
    (Strands, LangChain), whose result goes to the model rather than the caller: info.
    In another function, the value is followed up its callers across the runtime's
    modules (through variables, containers and the dict keys read from it): fail when a
    request handler returns it, nothing when no caller passes it on (it is only
    logged or tested, or nothing in the runtime calls the function), warn when the
    function is used in a way not followed (a callback). `type(e).__name__` alone is
    allowed, and so is the message of a validation error (`ValueError`, `SyntaxError`,
    `json.JSONDecodeError`, pydantic's `ValidationError`) raised while parsing the
    caller's input with no I/O: it describes the input, not the system.

    ### Why is this bad?
    Exception text carries internals: file paths, SQL, hostnames, account IDs, request
    parameters and sometimes secrets. Returned to the caller, it helps an attacker map
    the system.

    ### Example
    ```python
    except Exception as e:
        return {"error": str(e)}
    ```

    ### Fix
    ```python
    except Exception:
        logger.exception("invocation failed")
        return {"error": "An error occurred. Please try again."}
    ```

    ### References
    - agents-harden skill, "Error handling: Fail gracefully"
    """
    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    paths: RuntimePaths | None = None
    left_alone: list[str] = []
    for py_file in code_files(facts, "runtime"):
        for issue in py_file.facts.handler_issues:
            if issue.kind != "leak":
                continue
            if issue.excuse is not None:
                left_alone.append(f"{py_file.path}:{issue.line} ({issue.excuse})")
                continue
            paths = paths or runtime_paths(facts)
            why = _leak_path(out, paths, py_file, issue)
            if why is not None:
                left_alone.append(f"{py_file.path}:{issue.line} ({why})")
    if not out.items:
        out.note("no except handler returns exception details to the runtime's caller")
    if left_alone:
        out.note(f"{len(left_alone)} handler(s) returning exception text left alone: {_some(left_alone)}")
    note_skipped(facts, out)
    return None


_LEAK_FIX = Fix(
    summary='Log the exception with `logger.exception("…")` and return a fixed message such as '
    '{"error": "An error occurred. Please try again."}.'
)


def _leak_path(out: Findings, paths: RuntimePaths, py_file: PyFile, issue: HandlerIssue) -> str | None:
    """Report a leak that reaches the runtime's caller (or may); else say why it does not."""
    target = paths.target(py_file, issue.function)
    if target is not None and paths.exposed(target):
        handler = next(
            (h for h in paths.model.handlers if h.file is py_file and h.entry.qualname == issue.function), None
        )
        kind = _kind_word(handler) if handler is not None else "tool"
        message = f"the except handler on line {issue.handler_line} of {kind} {issue.function}() {issue.detail}"
        emit(out, "fail", py_file, issue.line, message, fix=_LEAK_FIX)
        return None
    if target is None:
        if issue.function is None:
            return "module-level code: nothing returns it to a caller"
        emit(
            out,
            "warn",
            py_file,
            issue.line,
            f"the except handler on line {issue.handler_line} of {issue.function}() {issue.detail} (it may reach "
            "the caller through the functions that use it)",
            fix=_LEAK_FIX,
        )
        return None
    if paths.dead(target):
        return f"{issue.function}() is an @app.entrypoint the SDK replaced with a later one"
    if paths.to_model(target):
        out.info(
            f"the except handler on line {issue.handler_line} of tool {issue.function}() {issue.detail}: the text "
            "goes to the model (as the agent framework does for a tool that raises), which may repeat it to the "
            "user; a short message about what failed serves the model as well",
            where(py_file, issue.line),
            fix=_LEAK_FIX,
        )
        return None
    route = paths.follower.route(target, issue.leak_keys)
    if route.status != "reaches":
        to_model = paths.model_follower.route(target, issue.leak_keys)
        if to_model.status == "reaches":
            out.info(
                f"the except handler on line {issue.handler_line} of {issue.function}() {issue.detail}, and tool "
                f"{to_model.chain[-1].function.qualname}() returns it: the text goes to the model, which may "
                "repeat it to the user",
                where(py_file, issue.line),
                fix=_LEAK_FIX,
            )
            return None
    if route.status == "reaches":
        handler_target = route.chain[-1]
        via = chain_text(route.chain[1:])
        emit(
            out,
            "fail",
            py_file,
            issue.line,
            f"the except handler on line {issue.handler_line} of {issue.function}() {issue.detail}, and it reaches "
            f"the runtime's caller: {via} returns it",
            fix=_LEAK_FIX,
            evidence=f"{handler_target.function.qualname}() is a request handler of the runtime",
        )
        return None
    if route.status == "unknown":
        emit(
            out,
            "warn",
            py_file,
            issue.line,
            f"the except handler on line {issue.handler_line} of {issue.function}() {issue.detail} (it may reach "
            f"the caller through the functions that use it: {route.why})",
            fix=_LEAK_FIX,
        )
        return None
    return route.why


@rule(
    "CODE004",
    "tool-unguarded",
    "low",
    ("C",),
    "Tool does I/O without error handling",
    family="Code quality",
    checklist=("code.errors",),
    reads=("runtime",),
    tools=("audit_code",),
)
def tool_unguarded(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For every tool function in agent code (Strands or LangChain `@tool`, an MCP server's
    `@mcp.tool()`, OpenAI Agents `@function_tool`), warns when it does I/O (HTTP,
    boto3, a database, files, subprocesses, or a client built at module level) outside
    any `try`. The tools of an MCP runtime are its request handlers: CODE001 checks them.

    ### Why is this bad?
    A tool that raises aborts the agent loop or returns a stack trace to the model; a
    caught error lets the tool report a clear failure the model can act on.

    ### Example
    ```python
    @tool
    def get_order(order_id: str) -> dict:
        return requests.get(f"{API}/orders/{order_id}", timeout=10).json()
    ```

    ### Fix
    Catch the expected errors, log them, and return a short error the model can use:
    `except requests.RequestException: logger.exception("order lookup failed"); return {"error": "order service unavailable"}`.

    ### References
    - agents-harden skill, "Error handling" ("missing error handling in tool call code")
    """
    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    tools = sum(len(f.facts.tools) for f in code_files(facts, "runtime"))
    if not tools:
        return not_applicable("no tool functions (@tool, @mcp.tool) in the agent code")
    served = {(h.file.path, h.entry.name) for h in _handlers(facts) if h.entry.kind == "mcp_tool"}
    for py_file in code_files(facts, "runtime"):
        for issue in py_file.facts.tool_issues:
            if (py_file.path, issue.tool) in served:
                continue
            emit(
                out,
                "warn",
                py_file,
                issue.io_line,
                f"tool {issue.tool}() calls {issue.io_call}() outside any try/except",
                fix=Fix(
                    summary=f"In {issue.tool}(), wrap the I/O in try/except, log the error with "
                    "logger.exception(...) and return a short error the model can act on."
                ),
            )
    if served:
        out.note(
            f"{len(served)} MCP tool(s) are request handlers of an MCP runtime: CODE001 checks their error handling"
        )
    if not out.items and tools > len(served):
        out.note(f"{tools - len(served)} tool function(s): none does unguarded I/O")
    return None


def _field_checks(reads: list[tuple[PyFile, FieldRead]]) -> dict[str, tuple[set[str], PyFile, int]]:
    """Per field: the union of its checks and its first read."""
    merged: dict[str, tuple[set[str], PyFile, int]] = {}
    for py_file, read in reads:
        if read.field in merged:
            merged[read.field][0].update(read.checks)
        else:
            merged[read.field] = (set(read.checks), py_file, read.line)
    return merged


_PAYLOAD_KINDS = ("entrypoint", "http")


def _memory_identity_lines(facts: Facts) -> set[tuple[str, int]]:
    """Payload reads RES009 reports as a memory actor or session ID (CODE007 stays silent there)."""
    from agentcore_readiness.checks.memory_use import identity_problems, memory_use

    if facts.code is None:
        return set()
    use = memory_use(facts)
    return {(p.source.path, p.source.line) for p in identity_problems(facts, use) if p.source.kind == "payload"}


def _validation_rule(
    facts: Facts,
    out: Findings,
    *,
    wanted: str,
    select: str,
    message: str,
    fix: str,
) -> Verdict | None:
    verdict = _no_entrypoint(facts)
    if verdict is not None:
        return verdict
    handlers = [h for h in _handlers(facts) if h.entry.kind in _PAYLOAD_KINDS]
    reported_elsewhere = _memory_identity_lines(facts) if select == "identifier" else set()
    if not handlers:
        return not_applicable(
            "no request handler takes a JSON payload (MCP tools get arguments the MCP server checks against their "
            "type annotations; websocket and A2A handlers read messages of their protocol)"
        )
    for handler in handlers:
        entry = handler.entry
        if entry.payload is None and entry.whole_validated is None:
            out.note(f"{entry.name}() takes no payload")
            continue
        reads = payload_reads(facts, handler)
        if reads.whole_validated and reads.model is None:
            out.note(f"{entry.name}(): payload validated as a whole ({reads.whole_validated})")
            continue
        merged = _field_checks(reads.reads)
        chosen = {
            name: value
            for name, value in merged.items()
            if (select == "all")
            or (select == "prompt" and analysis.PROMPT_FIELDS.match(name))
            or (select == "identifier" and analysis.IDENTIFIER_FIELDS.match(name))
        }
        missing = {
            name: value
            for name, value in chosen.items()
            if wanted not in value[0] and (value[1].path, value[2]) not in reported_elsewhere
        }
        if not missing and reads.whole_validated:
            out.note(f"{entry.name}(): payload validated as a whole ({reads.whole_validated})")
            continue
        if not chosen:
            out.note(f"{entry.name}(): no such payload field read")
            continue
        if not missing:
            out.note(f"{entry.name}(): {', '.join(sorted(chosen))} checked")
            continue
        first = min(missing.values(), key=lambda v: (v[1].path != handler.file.path, v[2]))
        names = ", ".join(repr(n) for n in sorted(missing))
        text = message.format(kind=_kind_word(handler), entry=entry.name, fields=names)
        if reads.model is not None:
            text += f" (it validates the payload with {reads.model}, which does not check this)"
        emit(out, "warn", first[1], first[2], text, fix=Fix(summary=fix.format(entry=entry.name, fields=names)))
    return None


@rule(
    "CODE005",
    "payload-unvalidated",
    "medium",
    ("C",),
    "Payload fields used without validation",
    family="Code quality",
    checklist=("code.validation",),
    reads=("runtime",),
    tools=("audit_code",),
)
def payload_unvalidated(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows the payload of each request handler that takes JSON (`@app.entrypoint`, a
    web app's `POST /invocations` route) into the functions it is handed to, in the same
    file and in the runtime's other modules, and warns for each field read with
    `payload.get("x")` or `payload["x"]` whose value never meets a type check:
    `isinstance`, `type(...)`, `int()`/`float()`, a pydantic model (`Model(**payload)`,
    `model_validate`, a typed route parameter), `jsonschema.validate`. A function the
    value is passed to counts by the checks it makes, not by its name.

    ### Why is this bad?
    Callers send arbitrary JSON. A list where a string is expected turns into a crash
    deep in the agent, or into a prompt the model was never meant to see.

    ### Example
    ```python
    prompt = payload.get("prompt")
    result = agent(prompt)
    ```

    ### Fix
    ```python
    prompt = payload.get("prompt", "")
    if not isinstance(prompt, str) or not prompt:
        return {"error": "Missing or invalid 'prompt' field"}
    ```
    or validate the whole payload with a pydantic model.

    ### References
    - agents-harden skill, "Input validation and rate limiting"
    """
    return _validation_rule(
        facts,
        out,
        wanted="type",
        select="all",
        message="{kind} {entry}() uses payload field(s) {fields} without a type check or model validation",
        fix="Check the type of {fields} before use (isinstance, or a pydantic model for the whole payload) and "
        "return a 400-style error when it is wrong.",
    )


@rule(
    "CODE006",
    "prompt-length-unbounded",
    "medium",
    ("C",),
    "Prompt has no length limit",
    family="Code quality",
    checklist=("code.validation",),
    reads=("runtime",),
    tools=("audit_code",),
)
def prompt_length_unbounded(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns when a prompt-like payload field (`prompt`, `input`, `message(s)`, `query`,
    `question`, `text`, `content`, …) reaches the agent without a length limit: no
    `len(x) > N` check, no truncation `x[:N]` (a slice inside a log or `print` call only
    shortens the log line), no model field with `max_length`; checks in the functions of
    other modules the value is handed to count.

    ### Why is this bad?
    An unbounded prompt lets one caller "token-bomb" the model: long requests cost
    money, hit the model's context limit and slow every other request.

    ### Example
    ```python
    prompt = payload.get("prompt", "")
    if not isinstance(prompt, str):
        raise ValueError("prompt must be a string")
    return agent(prompt)
    ```

    ### Fix
    ```python
    if len(prompt) > 10_000:
        return {"error": "Prompt exceeds maximum length (10,000 characters)"}
    ```

    ### References
    - agents-harden skill, "Input validation and rate limiting"
    """
    return _validation_rule(
        facts,
        out,
        wanted="length",
        select="prompt",
        message="{kind} {entry}() passes payload field(s) {fields} on without a length limit",
        fix="Reject oversized input before the model call, e.g. `if len(prompt) > 10_000: return "
        '{{"error": "Prompt exceeds maximum length (10,000 characters)"}}` (for a list of messages, bound the '
        "count and each message's length).",
    )


@rule(
    "CODE007",
    "identifier-unvalidated",
    "medium",
    ("C",),
    "User-provided identifier used without a format check",
    family="Code quality",
    checklist=("code.validation",),
    reads=("runtime",),
    tools=("audit_code",),
)
def identifier_unvalidated(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns when an identifier from the payload (`actor_id`, `session_id`, `user_id`,
    `userId`, `tenant_id`, …) is used without a format check: a regular expression
    (`re.fullmatch`), `uuid.UUID(x)`, `str.isalnum()`, an allowlist (`x in ALLOWED`) or
    a model field with a `pattern`, here or in a function of another module the value is
    handed to. `context.session_id` (set by the runtime) is not payload data. A field that
    becomes a memory actor or session ID is RES009's finding (taking the ID from the payload
    is the defect there): CODE007 stays silent on that line.

    ### Why is this bad?
    These values end up in memory namespaces, keys and paths: an unchecked
    `actor_id` such as `../other-user` or `*` can read or write another user's memory.

    ### Example
    ```python
    actor_id = payload.get("userId", "default-user")
    memory.retrieve_memories(namespace=f"/users/{actor_id}/facts", query=prompt)
    ```

    ### Fix
    ```python
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", actor_id):
        return {"error": "invalid userId"}
    ```
    Better, take the user from the verified JWT rather than the payload.

    ### References
    - agents-harden skill, "Input validation and rate limiting"
    """
    return _validation_rule(
        facts,
        out,
        wanted="format",
        select="identifier",
        message="{kind} {entry}() uses identifier field(s) {fields} from the payload without a format check",
        fix='Check {fields} against a strict pattern, e.g. `re.fullmatch(r"[A-Za-z0-9_-]{{1,64}}", value)`, '
        "or derive the user from the verified token instead of the payload.",
    )


@rule(
    "CODE008",
    "rate-limit-in-agent",
    "info",
    ("C",),
    "Rate limiting implemented inside the agent",
    family="Code quality",
    reads=("runtime",),
    tools=("audit_code",),
)
def rate_limit_in_agent(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Reports rate limiting implemented in agent code: rate-limit libraries (`slowapi`,
    `limits`, `ratelimit`, `pyrate_limiter`, `aiolimiter`, …) and functions, classes or
    decorators named like a rate limiter, throttle or token bucket. Informational.

    ### Why is this bad?
    Each runtime session runs in its own microVM: an in-process counter sees only one
    session, so per-user or per-tenant limits there do not hold. The runtime already
    limits invocations (25 TPS per agent by default). Limits on the agent's own
    outbound calls are fine.

    ### Example
    ```python
    limiter = Limiter(key_func=lambda request: request.headers["X-User"])
    ```

    ### Fix
    Enforce per-user and per-tenant limits in the calling application or in API
    Gateway (usage plans) before the request reaches the agent.

    ### References
    - agents-harden skill, "Input validation and rate limiting"; `references/limits.md`
    """
    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    for py_file in code_files(facts, "runtime"):
        for evidence in py_file.facts.rate_limits:
            what = {
                "import": f"imports the rate-limit library {evidence.detail}",
                "class": f"defines {evidence.detail}",
                "function": f"defines {evidence.detail}()",
                "decorator": f"uses {evidence.detail}",
            }[evidence.kind]
            emit(
                out,
                "info",
                py_file,
                evidence.line,
                f"agent code {what}: per-user limits belong in the caller or API Gateway (fine if it only "
                "limits the agent's own outbound calls)",
                fix=Fix(
                    summary="Move per-user or per-tenant rate limiting to the calling application or API Gateway "
                    "usage plans; the runtime already caps invocations per agent."
                ),
            )
    if not out.items:
        out.note("no rate limiting in agent code")
    return None

"""Code quality: error handling and input validation in the agent's own code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcore_readiness.checks import code_analysis as analysis
from agentcore_readiness.checks.code_analysis import EntrypointFacts, FieldRead
from agentcore_readiness.checks.code_support import (
    code_files,
    emit,
    function_node,
    module_files,
    note_skipped,
    without_code,
)
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.model import Fix

if TYPE_CHECKING:
    from agentcore_readiness.facts.code import PyFile

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


def _entrypoints(facts: Facts) -> Iterator[tuple[PyFile, EntrypointFacts]]:
    for py_file in code_files(facts, "runtime"):
        for entrypoint in py_file.facts.entrypoints:
            yield py_file, entrypoint


def _no_entrypoint(facts: Facts) -> Verdict | None:
    missing = without_code(facts, "runtime")
    if missing is not None:
        return missing
    if not any(True for _ in _entrypoints(facts)):
        return not_applicable(
            "no @app.entrypoint function in the agent code (A2A and MCP servers have none; their tools are "
            "checked by CODE004)"
        )
    return None


@rule(
    "CODE001",
    "entrypoint-unguarded",
    "medium",
    ("C",),
    "Entrypoint not wrapped in error handling",
    family="Code quality",
    checklist=("code.errors",),
    reads=("runtime",),
)
def entrypoint_unguarded(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Checks that the body of every `@app.entrypoint` function (apart from its docstring,
    logging and simple assignments or checks) runs inside `try` with an
    `except Exception` handler that logs the traceback (`logger.exception(...)` or
    `exc_info=True`). For streaming entrypoints the iteration that yields must be inside
    it too. No try at all, or a handler that does not log the traceback: fail; only part
    of the body wrapped: warn. An entrypoint that only hands the work to one function
    of the same file is judged by that function.

    ### Why is this bad?
    An unhandled exception reaches the runtime SDK, which answers with the exception's
    text: internal details go to the caller, and without the traceback in the logs the
    failure cannot be diagnosed.

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
    for py_file, entry in _entrypoints(facts):
        template = _WRAP_STREAM_FIX if entry.is_generator else _WRAP_FIX
        fix = Fix(summary=template.format(name=entry.name))
        kind = "streaming entrypoint" if entry.is_generator else "entrypoint"
        if entry.guard == "unwrapped":
            emit(out, "fail", py_file, entry.line, f"{kind} {entry.name}() has {entry.guard_detail}", fix=fix)
        elif entry.guard == "no_traceback":
            emit(out, "fail", py_file, entry.guard_line, f"{kind} {entry.name}(): {entry.guard_detail}", fix=fix)
        elif entry.guard == "partial":
            emit(
                out,
                "warn",
                py_file,
                entry.guard_line,
                f"{kind} {entry.name}() is only partly wrapped: {entry.guard_detail}",
                fix=fix,
            )
        else:
            out.note(f"{py_file.path}:{entry.line} {entry.name}(): {entry.guard_detail}")
    note_skipped(facts, out)
    return None


@rule(
    "CODE002",
    "exception-swallowed",
    "medium",
    ("C",),
    "Exception swallowed without logging",
    family="Code quality",
    checklist=("code.errors",),
    reads=("runtime",),
)
def exception_swallowed(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails on every `except:`, `except Exception:` or `except BaseException:` in agent
    code whose body only passes, continues or returns `None`: nothing logged, nothing
    re-raised. Narrow handlers (`except KeyError: pass`) are left alone.

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
    handlers = 0
    for py_file in code_files(facts, "runtime"):
        for issue in py_file.facts.handler_issues:
            if issue.kind != "swallow":
                continue
            handlers += 1
            where_in = f" in {issue.function}()" if issue.function else ""
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
    if not handlers:
        out.note(f"no swallowed exceptions in {len(code_files(facts, 'runtime'))} runtime file(s)")
    note_skipped(facts, out)
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
)
def error_details_leaked(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Finds `except` handlers in agent code that return or yield `str(e)`, `repr(e)`,
    `e.args`, the exception object, `traceback.format_exc()` or an f-string or
    %-format of the exception, directly or through a variable assigned in the handler.
    In an entrypoint or a tool (whose results reach the model and the user): fail; in
    other functions: warn (the value may still reach the caller). `type(e).__name__`
    alone is allowed.

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
    for py_file in code_files(facts, "runtime"):
        for issue in py_file.facts.handler_issues:
            if issue.kind != "leak":
                continue
            exposed = issue.context in ("entrypoint", "tool")
            where_in = f"{issue.context} {issue.function}()" if exposed else f"{issue.function or 'module'}()"
            emit(
                out,
                "fail" if exposed else "warn",
                py_file,
                issue.line,
                f"the except handler on line {issue.handler_line} of {where_in} {issue.detail}"
                + ("" if exposed else " (it may reach the caller through the functions that use it)"),
                fix=Fix(
                    summary='Log the exception with `logger.exception("…")` and return a fixed message such as '
                    '{"error": "An error occurred. Please try again."}.'
                ),
            )
    if not out.items:
        out.note("no except handler returns exception details")
    note_skipped(facts, out)
    return None


@rule(
    "CODE004",
    "tool-unguarded",
    "low",
    ("C",),
    "Tool does I/O without error handling",
    family="Code quality",
    checklist=("code.errors",),
    reads=("runtime",),
)
def tool_unguarded(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For every tool function in agent code (Strands or LangChain `@tool`, an MCP server's
    `@mcp.tool()`, OpenAI Agents `@function_tool`), warns when it does I/O (HTTP,
    boto3, a database, files, subprocesses, or a client built at module level) outside
    any `try`.

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
    for py_file in code_files(facts, "runtime"):
        for issue in py_file.facts.tool_issues:
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
    if not out.items:
        out.note(f"{tools} tool function(s): none does unguarded I/O")
    return None


def _fields(facts: Facts, py_file: PyFile, entry: EntrypointFacts) -> list[tuple[PyFile, FieldRead]]:
    """The entrypoint's payload reads, following the payload into other modules."""
    found: list[tuple[PyFile, FieldRead]] = [(py_file, f) for f in entry.fields]
    if facts.code is None:
        return found
    for delegation in entry.delegations:
        for target, name in module_files(facts.code, py_file, delegation.target):
            node = function_node(target, name)
            if node is None:
                continue
            reads, _ = analysis.payload_fields_of(node, delegation.param_index, target.analysis_context())
            found.extend((target, f) for f in reads)
    return found


def _field_checks(reads: list[tuple[PyFile, FieldRead]]) -> dict[str, tuple[set[str], PyFile, int]]:
    """Per field: the union of its checks and its first read."""
    merged: dict[str, tuple[set[str], PyFile, int]] = {}
    for py_file, read in reads:
        if read.field in merged:
            merged[read.field][0].update(read.checks)
        else:
            merged[read.field] = (set(read.checks), py_file, read.line)
    return merged


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
    for py_file, entry in _entrypoints(facts):
        if entry.payload is None:
            out.note(f"{entry.name}() takes no payload")
            continue
        if entry.whole_validated:
            out.note(f"{entry.name}(): payload validated as a whole ({entry.whole_validated})")
            continue
        merged = _field_checks(_fields(facts, py_file, entry))
        chosen = {
            name: value
            for name, value in merged.items()
            if (select == "all")
            or (select == "prompt" and analysis.PROMPT_FIELDS.match(name))
            or (select == "identifier" and analysis.IDENTIFIER_FIELDS.match(name))
        }
        missing = {name: value for name, value in chosen.items() if wanted not in value[0]}
        if not chosen:
            out.note(f"{entry.name}(): no such payload field read")
            continue
        if not missing:
            out.note(f"{entry.name}(): {', '.join(sorted(chosen))} checked")
            continue
        first = min(missing.values(), key=lambda v: (v[1].path != py_file.path, v[2]))
        names = ", ".join(repr(n) for n in sorted(missing))
        emit(
            out,
            "warn",
            first[1],
            first[2],
            message.format(entry=entry.name, fields=names),
            fix=Fix(summary=fix.format(entry=entry.name, fields=names)),
        )
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
)
def payload_unvalidated(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows the entrypoint's payload (into helper functions of the same file and
    modules of the same runtime) and warns for each field read with `payload.get("x")`
    or `payload["x"]` whose value never meets a type check: `isinstance`, `type(...)`,
    `int()`/`float()`, a pydantic model (`Model(**payload)`, `model_validate`),
    `jsonschema.validate` or a function named like a validator.

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
        message="entrypoint {entry}() uses payload field(s) {fields} without a type check or model validation",
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
)
def prompt_length_unbounded(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns when a prompt-like payload field (`prompt`, `input`, `message(s)`, `query`,
    `question`, `text`, `content`, …) reaches the agent without a length limit: no
    `len(x) > N` check, no slicing `x[:N]`, no validator or model with `max_length`.

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
        message="entrypoint {entry}() passes payload field(s) {fields} on without a length limit",
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
)
def identifier_unvalidated(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns when an identifier from the payload (`actor_id`, `session_id`, `user_id`,
    `userId`, `tenant_id`, …) is used without a format check: a regular expression
    (`re.fullmatch`), `uuid.UUID(x)`, `str.isalnum()`, an allowlist (`x in ALLOWED`) or
    a validator. `context.session_id` (set by the runtime) is not payload data.

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
        message="entrypoint {entry}() uses identifier field(s) {fields} from the payload without a format check",
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

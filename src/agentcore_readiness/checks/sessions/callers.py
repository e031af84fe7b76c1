"""Caller code: how runtimes are invoked (SESS001-SESS005, SESS012)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.checks.sessionflow import (
    CALLER_ROLES,
    DEFAULT_RETRIES,
    RUNTIME_SESSION_HEADER,
    SESSION_ID_MIN,
    STOP,
    client_retries,
    client_service,
    invokes,
    session_headers,
    session_literals,
    session_origins,
)
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CallSite, CodeIndex, PyFile, StringLiteral


def _code(facts: Facts) -> CodeIndex:
    """The code index of a rule that reads code (the engine opens such a rule as unknown without one)."""
    assert facts.code is not None
    return facts.code


@rule(
    "SESS001",
    "session-id-per-request",
    "high",
    ("C",),
    "Session ID made per request",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def session_id_per_request(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows the `runtimeSessionId` of every `invoke_agent_runtime` call in caller code (and
    in agents that invoke other runtimes) back to where it is made. It fails when the ID is
    made by `uuid.uuid4()`, `secrets.token_*()` (or a helper that always returns one) in
    the function that invokes, or inside the loop body that invokes. An ID that arrives
    as a parameter, lives on an object or in a per-conversation store, is made only when
    missing, or is made once before the loop passes.

    ### Why is this bad?
    A new session ID means a new microVM: every request pays a cold start (20–30 s is
    typical) and leaves an idle VM behind until the idle timeout reclaims it. At modest
    traffic that is the usual cause of `ServiceQuotaExceededException: maxVms limit exceeded`.

    ### Example
    ```python
    def ask(prompt):
        return client.invoke_agent_runtime(
            agentRuntimeArn=ARN, runtimeSessionId=str(uuid.uuid4()), payload=json.dumps({"prompt": prompt})
        )
    ```

    ### Fix
    Make one ID per conversation, batch or user interaction and pass it in:
    ```python
    def ask(prompt, session_id):  # session_id kept with the conversation, >= 33 characters
        return client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=session_id, payload=...)
    ```

    ### References
    - agents-harden skill, "Session reuse is the highest-leverage optimization", "Session lifecycle management"
    """
    origins = session_origins(_code(facts), facts.project)
    if not origins:
        return not_applicable("no invoke_agent_runtime call in caller or agent code")
    for py_file, call, origin in origins:
        where = f"{py_file.path}:{call.line}"
        if origin.kind == "per-request":
            message = (
                f"the runtimeSessionId of the invoke at {where} is new on every request: {origin.how}; "
                "each call starts a new microVM"
            )
            out.add(
                "warn" if origin.doubt else "fail",
                message + (f" (a warning: {origin.doubt})" if origin.doubt else ""),
                Location(path=py_file.path, line=origin.line),
                evidence=excerpt(py_file.line_text(origin.line).strip()),
                fix=Fix(
                    summary="Make the session ID once per conversation, batch or user interaction (at least 33 "
                    'characters, e.g. f"{conversation_id}-{uuid.uuid4()}" stored with the conversation) and pass '
                    "it to the function that invokes; inside a loop, make it before the loop.",
                ),
            )
        else:
            out.note(f"{where}: {origin.how}")
    return None


SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
"""``RUNTIME_SESSION_HEADER`` as botocore spells it, for messages."""
_AGENTCORE_HEADER = "x-amzn-bedrock-agentcore-"
_CUSTOM_HEADER = "x-amzn-bedrock-agentcore-runtime-custom-"


def _misnamed(py_file: PyFile) -> list[StringLiteral]:
    """Header names of a runtime invocation that look like the session header and are not it
    (``X-Amzn-Bedrock-AgentCore-Session-Id``); custom headers (``...-Runtime-Custom-*``) are
    the caller's own."""
    if not any(kind == "http" for kind, _ in py_file.facts.signals.invokes):
        return []
    return [
        literal
        for literal in py_file.strings
        if not literal.is_docstring
        and (name := literal.value.lower()).startswith(_AGENTCORE_HEADER)
        and "session" in name
        and not name.startswith(_CUSTOM_HEADER)
        and name != RUNTIME_SESSION_HEADER
        and " " not in name
    ]


@rule(
    "SESS002",
    "session-id-omitted",
    "high",
    ("C",),
    "invoke_agent_runtime without runtimeSessionId",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def session_id_omitted(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every `invoke_agent_runtime` call in caller code (or in an agent that invokes
    another runtime) that passes no `runtimeSessionId`, and for caller code that invokes a
    runtime over HTTPS with the session ID in a header AgentCore does not read (such as
    `X-Amzn-Bedrock-AgentCore-Session-Id`; the header is
    `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id`).

    ### Why is this bad?
    The parameter is optional, so the code works, and nobody sees the cost: boto3 fills it
    with a fresh UUID on every call (it is an idempotency-style token), so every call lands
    on a brand-new microVM: a cold start each time and one more idle VM counted against
    `maxVms` until the idle timeout reclaims it.

    ### Example
    ```python
    client.invoke_agent_runtime(agentRuntimeArn=ARN, payload=json.dumps({"prompt": prompt}))
    ```

    ### Fix
    Pass the conversation's session ID (33-256 characters) on every call:
    `client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=session_id, payload=...)`.

    ### References
    - botocore `bedrock-agentcore` `InvokeAgentRuntime` (`runtimeSessionId`, idempotency token, 33-256 characters)
    - agents-harden skill, "Session lifecycle management"
    """
    calls = invokes(_code(facts))
    assert facts.code is not None
    misnamed = [(py_file, literal) for py_file in facts.code.of_role(*CALLER_ROLES) for literal in _misnamed(py_file)]
    if not calls and not misnamed:
        return not_applicable("no invoke_agent_runtime call in caller or agent code")
    for py_file, literal in misnamed:
        out.fail(
            f"{py_file.path}:{literal.line} sends the session ID in `{literal.value}`, a header AgentCore does not "
            f"read: the runtime session header is `{SESSION_HEADER}`, so every request starts a new session "
            "(a new microVM, no conversation kept)",
            Location(path=py_file.path, line=literal.line),
            evidence=excerpt(py_file.line_text(literal.line).strip()),
            fix=Fix(summary=f"Rename the header to `{SESSION_HEADER}` (33-256 characters, one per conversation)."),
        )
    for py_file, call in calls:
        keywords = call.keywords
        if "runtimeSessionId" in keywords:
            out.note(f"{py_file.path}:{call.line} passes runtimeSessionId")
        elif call.has_splat:
            out.note(f"{py_file.path}:{call.line} passes **kwargs (not followed)")
        else:
            out.fail(
                f"invoke_agent_runtime at {py_file.path}:{call.line} passes no runtimeSessionId: boto3 makes a new "
                "one for every call, so every call starts a new microVM",
                Location(path=py_file.path, line=call.line),
                evidence=excerpt(py_file.line_text(call.line).strip()),
                fix=Fix(
                    summary="Pass the conversation's session ID: add `runtimeSessionId=session_id` (33-256 "
                    "characters, one per conversation or job) to the call.",
                ),
            )
    return None


@rule(
    "SESS003",
    "both-session-ids",
    "medium",
    ("C",),
    "Both runtimeSessionId and mcpSessionId passed",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def both_session_ids(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails when one `invoke_agent_runtime` call passes both `runtimeSessionId` and
    `mcpSessionId`, or one set of request headers carries both
    `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id` and `Mcp-Session-Id`.

    ### Why is this bad?
    Passing both can bind two separate microVMs to one logical session: double the cold
    starts and double the VMs counted against `maxVms`.

    ### Example
    ```python
    client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=sid, mcpSessionId=sid, payload=body)
    ```

    ### Fix
    Pass one identifier: `runtimeSessionId` (or, for MCP clients that manage
    `Mcp-Session-Id` themselves, only that one).

    ### References
    - agents-harden skill, "Session lifecycle management" (Don't pass both)
    """
    assert facts.code is not None
    seen = False
    for py_file, call in invokes(_code(facts)):
        seen = True
        keywords = call.keywords
        if "runtimeSessionId" in keywords and "mcpSessionId" in keywords:
            out.fail(
                f"invoke_agent_runtime at {py_file.path}:{call.line} passes both runtimeSessionId and mcpSessionId",
                Location(path=py_file.path, line=call.line),
                evidence=excerpt(py_file.line_text(call.line).strip()),
                fix=Fix(summary="Remove `mcpSessionId` from the call and keep `runtimeSessionId`."),
            )
        else:
            out.note(f"{py_file.path}:{call.line}: one session identifier")
    for py_file in facts.code.of_role(*CALLER_ROLES):
        for use in session_headers(py_file):
            seen = True
            if len(use.keys) < 2:
                continue
            if use.base is None:
                out.fail(
                    f"the headers at {use.path}:{use.line} carry both "
                    "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id and Mcp-Session-Id",
                    Location(path=use.path, line=use.line),
                    fix=Fix(summary="Send one session header: drop `Mcp-Session-Id` or the runtime session header."),
                )
            else:
                out.fail(
                    f"`{use.base}` at {use.path}:{use.line} gets both the runtime session header and Mcp-Session-Id",
                    Location(path=use.path, line=use.line),
                    fix=Fix(summary=f"Set one session header on `{use.base}`."),
                )
    if not seen:
        return not_applicable("no invoke_agent_runtime call or session header in caller or agent code")
    return None


@rule(
    "SESS004",
    "session-never-stopped",
    "medium",
    ("C",),
    "Per-job sessions never stopped",
    family="Sessions",
    checklist=("perf.stop",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def session_never_stopped(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each `invoke_agent_runtime` call whose session ID the code makes itself
    (per request, per job or per run: `uuid4()`, `secrets.token_*()`) when the project's
    caller and agent code never calls `stop_runtime_session`.

    ### Why is this bad?
    A session whose work is done keeps its microVM until `idleRuntimeSessionTimeout`
    (default 15 minutes). Jobs that end without `StopRuntimeSession` pile up idle VMs
    that count against `maxVms`.

    ### Example
    ```python
    for job in jobs:
        sid = f"job-{job.id}-{uuid.uuid4()}"
        client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=sid, payload=job.body)
    ```

    ### Fix
    Stop the session when the job is done (the caller needs
    `bedrock-agentcore:StopRuntimeSession`):
    ```python
    try:
        client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=sid, payload=job.body)
    finally:
        client.stop_runtime_session(agentRuntimeArn=ARN, runtimeSessionId=sid)
    ```

    ### References
    - agents-harden skill, "Call StopRuntimeSession when the work is done"; limits.md, maxVms triage
    """
    assert facts.code is not None
    origins = session_origins(_code(facts), facts.project)
    if not origins:
        return not_applicable("no invoke_agent_runtime call in caller or agent code")
    stops = [(f, c) for f, c in facts.code.calls(CALLER_ROLES) if c.attr == STOP]
    owned = [(f, c, o) for f, c, o in origins if o.generated]
    if not owned:
        out.note("no invoke makes its own session ID (IDs come from the conversation)")
        return None
    if stops:
        first_file, first = stops[0]
        out.note(f"stop_runtime_session called at {first_file.path}:{first.line}")
        return None
    for py_file, call, origin in owned:
        out.warn(
            f"the invoke at {py_file.path}:{call.line} uses a session made by the code ({origin.kind}: "
            f"{origin.how}) and no code calls stop_runtime_session: each finished session keeps its microVM "
            "until the idle timeout",
            Location(path=py_file.path, line=call.line),
            fix=Fix(
                summary="Call `stop_runtime_session(agentRuntimeArn=..., runtimeSessionId=...)` in a `finally` once "
                "the job or conversation is done; grant the caller bedrock-agentcore:StopRuntimeSession.",
            ),
        )
    return None


@rule(
    "SESS005",
    "session-id-too-short",
    "medium",
    ("C",),
    "Literal session ID shorter than 33 characters",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller", "runtime"),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def session_id_too_short(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every literal session ID shorter than 33 characters given as
    `runtimeSessionId` (also through a variable or module constant), in the
    `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id` header (caller code), or as the
    `session_id` of a Memory call (`create_event`, `list_events`, `AgentCoreMemoryConfig`,
    …, in caller or agent code) when the memory extracts long-term records. A short Memory
    session ID is only noted when every memory the project declares is short-term only.

    ### Why is this bad?
    `InvokeAgentRuntime` rejects runtime session IDs under 33 characters
    (`ValidationException`). `CreateEvent` accepts Memory session IDs of 1-100
    characters, but long-term memory silently skips extraction for session IDs under
    33 characters, so recall never works and nothing says why.

    ### Example
    ```python
    client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId="session-123", payload=body)
    ```

    ### Fix
    Use IDs of 33-256 characters, e.g. `f"{user_id}-{uuid.uuid4()}"` or `uuid.uuid4().hex + "-session"`.

    ### References
    - botocore `bedrock-agentcore` `SessionType` (min 33, max 256); agents-debug skill (LTM session IDs)
    """
    literals = session_literals(_code(facts), facts.project, ("caller", "runtime"))
    if not literals and not invokes(_code(facts)):
        return not_applicable("no session ID is passed in caller or agent code")
    long_term = _long_term_memory(facts)
    for found in literals:
        where = f"{found.py_file.path}:{found.line}"
        if len(found.literal) >= SESSION_ID_MIN:
            out.note(f"{where}: literal session ID of {len(found.literal)} characters")
            continue
        shown = f"session ID {excerpt(found.literal, 60)!r} ({len(found.literal)} characters, used in {found.used})"
        if not found.memory:
            why = f"InvokeAgentRuntime rejects runtime session IDs under {SESSION_ID_MIN} characters (ValidationException)"
        elif long_term is None:
            out.note(f"{where}: {shown}; the project's memories keep short-term events only, which accept it")
            continue
        else:
            why = (
                "CreateEvent accepts it (1-100 characters), but long-term memory silently skips extraction for "
                f"session IDs under {SESSION_ID_MIN} characters ({long_term}): nothing is ever recalled"
            )
        out.fail(
            f"{shown} is shorter than {SESSION_ID_MIN}: {why}",
            Location(path=found.py_file.path, line=found.line),
            fix=Fix(
                summary=f"Use a session ID of at least {SESSION_ID_MIN} characters, e.g. "
                'f"{user_id}-{uuid.uuid4()}".',
            ),
        )
    if not literals:
        out.note("no literal session IDs")
    return None


def _long_term_memory(facts: Facts) -> str | None:
    """Why the project's memory extracts long-term records (its strategies), or ``None`` when every
    memory it declares is short-term only. A memory declared elsewhere may have strategies.
    """
    memories = facts.project.memories
    if not memories:
        return "if the memory has long-term strategies"
    for memory in memories:
        if memory.strategies:
            return f"memory {memory.name} has {', '.join(s.type for s in memory.strategies)}"
        if memory.mode and memory.mode.upper() == "STM_AND_LTM":
            return f"memory {memory.name} is STM_AND_LTM"
    return None


@rule(
    "SESS012",
    "invoke-without-retries",
    "low",
    ("C",),
    "bedrock-agentcore client without a retry config",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def invoke_without_retries(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Looks at the retry configuration of each `boto3.client("bedrock-agentcore")` (or
    `session.client(...)`) in a file that calls `invoke_agent_runtime`, and at the
    caller's shape. A long-lived service (a web backend, a Lambda, a queue worker) gets:

    - a warning when its client turns retries off (`retries={"max_attempts": 0}`):
      a throttled invocation fails at once;
    - a note (an `info` finding) when it relies on botocore's default retries: those
      already retry `ThrottlingException` and 429 with exponential backoff (standard mode,
      3 attempts, in current botocore; legacy mode, 5 attempts, in older releases), but
      without client-side rate limiting and with a budget not sized for bursts.

    An explicit `standard` or `adaptive` mode, a retry decorator (tenacity, backoff) on
    every invoke of the file, and one-shot scripts (one invocation per run, where a retry
    budget for bursts does not apply and turning retries off for a long non-idempotent job
    is a choice) pass, with the reason.

    ### Why is this bad?
    `InvokeAgentRuntime` is rate limited (25 TPS per agent by default): a service whose
    traffic comes in bursts can exhaust a small retry budget, and then throttles become
    user-facing errors; quota increase requests get refused without client retries.

    ### Example
    ```python
    client = boto3.client("bedrock-agentcore", config=Config(retries={"max_attempts": 0}))
    ```

    ### Fix
    ```python
    from botocore.config import Config
    client = boto3.client("bedrock-agentcore", region_name="us-east-1",
                          config=Config(retries={"mode": "adaptive", "max_attempts": 10}))
    ```

    ### References
    - agents-harden `references/limits.md`, "Invocation rate"; botocore `retries` configuration
    """
    assert facts.code is not None
    clients = []
    for py_file, call in facts.code.calls(CALLER_ROLES):
        if call.attr != "client":
            continue
        service = client_service(call)
        if service == "bedrock-agentcore":
            clients.append((py_file, call))
    if not clients:
        return not_applicable("no bedrock-agentcore client in caller code")
    for py_file, call in clients:
        _client_retries(out, py_file, call)
    return None


def _client_retries(out: Findings, py_file: PyFile, call: CallSite) -> None:
    where = f"{py_file.path}:{call.line}"
    retries = client_retries(py_file, call)
    if not retries.invokes:
        out.note(f"{where}: this client invokes no runtime")
        return
    config = retries.config
    if config.state in ("explicit", "unresolved"):
        out.note(f"{where}: {config.detail}")
        return
    if retries.decorated:
        out.note(f"{where}: every invoke retries through a decorator")
        return
    if py_file.place.shape == "one_shot":
        out.note(f"{where}: {config.detail} in a one-shot script (one invocation per run)")
        return
    fix = Fix(
        summary="Size the retries for bursts: add "
        '`config=Config(retries={"mode": "adaptive", "max_attempts": 10})` '
        "(`from botocore.config import Config`) to the client call; adaptive mode also rate-limits the client.",
    )
    location = Location(path=py_file.path, line=call.line)
    evidence = retries.evidence
    if config.state == "off":
        out.warn(
            f"bedrock-agentcore client at {where} has {config.detail}: in a long-lived service a throttled "
            "invocation (ThrottlingException, 429) fails at once instead of being retried with backoff",
            location,
            evidence=evidence,
            fix=fix,
        )
        return
    out.info(
        f"bedrock-agentcore client at {where} has {config.detail}: it relies on {DEFAULT_RETRIES}; for bursts "
        "against the 25 TPS invocation quota, adaptive mode adds client-side rate limiting and a larger "
        "max_attempts gives the budget",
        location,
        evidence=evidence,
        fix=fix,
        severity="info",
    )

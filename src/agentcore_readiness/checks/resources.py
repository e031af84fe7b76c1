"""Resources: memory strategies and events, policy engines, built-in tool sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore_readiness.checks.fixes import located_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.checks.resourceflow import (
    API_SESSIONS,
    CLIENT_CLASSES,
    CONTEXT_SESSIONS,
    STRANDS_WRAPPERS,
    client_start,
    event_problems,
    in_with_block,
    wrapper_use,
)
from agentcore_readiness.checks.runtime_handlers import runtime_protocol
from agentcore_readiness.model import FindingLevel, Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.checks.memory_use import IdentityProblem, MemoryCall
    from agentcore_readiness.facts.code.index import CallSite, PyFile
    from agentcore_readiness.facts.code.roles import Role
    from agentcore_readiness.facts.project.project_facts import Memory, MemoryStrategy


_NON_TEST_ROLES: tuple[Role, ...] = (
    "runtime",
    "caller",
    "target",
    "backend",
    "infra",
    "maintenance",
    "local_copy",
    "other",
)


@rule(
    "RES001",
    "memory-without-strategies",
    "low",
    ("P", "C"),
    "Memory with short-term memory only",
    family="Resources",
    checklist=("res.memory",),
    reads=_NON_TEST_ROLES,
    tools=("audit_code",),
)
def memory_without_strategies(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each memory with no long-term strategies (`strategies: []` in
    `agentcore.json`, `mode: STM_ONLY` in the YAML) that a runtime's code uses: it keeps
    the events of a session but extracts nothing that a later session can recall.

    Not reported: a YAML memory with `was_created_by_toolkit: false` (an existing memory
    the agent was pointed at: its strategies are not in the file); a memory whose
    strategies the project's code adds (`create_memory_and_wait(strategies=…)`,
    `add_semantic_strategy(…)`, …); a memory of an MCP server runtime. A memory that no
    runtime's code uses (no Memory client, session manager, event or record call, or
    memory ID read such as `MEMORY_<NAME>_ID`) is an `info` finding: declared, but not used.

    ### Why is this bad?
    Users expect the agent to remember preferences and facts across conversations; with
    short-term memory only, every new session starts from nothing. If that is the intent,
    this finding can be ignored.

    ### Example
    ```json
    {"name": "AgentMemory", "eventExpiryDuration": 30, "strategies": []}
    ```

    ### Fix
    Add the strategies the use case needs (`SEMANTIC` for facts, `USER_PREFERENCE`,
    `SUMMARIZATION`, `EPISODIC` with reflection templates), e.g. recreate with
    `agentcore add memory --name <name> --strategies SEMANTIC,USER_PREFERENCE`, then deploy.

    ### References
    - agents-harden skill, checklist "Memory strategies appropriate for use case"; agents-build `references/memory.md`
    """
    memories = facts.project.memories
    if not memories:
        return not_applicable("the project defines no memory")
    usage = _MemoryUsage(facts)
    unknowns: list[str] = []
    for memory in memories:
        short_term_only = (memory.mode == "STM_ONLY") if memory.mode else not memory.strategies
        if not short_term_only:
            kinds = ", ".join(s.type for s in memory.strategies) or memory.mode or ""
            out.note(f"{memory.name}: {kinds}")
            continue
        why_not = _not_short_term_only(facts, memory, usage)
        if why_not is not None:
            out.note(f"{memory.name}: {why_not}")
            continue
        users = _memory_users(facts, memory, usage)
        location = memory.where.at("mode") if memory.mode else memory.where.at("strategies")
        if users is None:
            unknowns.append(
                f"memory {memory.name} is short-term only, but whether the code uses it is unknown "
                f"({_unread_runtimes(facts, memory)})"
            )
            continue
        if not users:
            unused = f"runtime {memory.agent}'s code never uses it" if memory.agent else "no runtime's code uses it"
            out.info(
                f"memory {memory.name!r} is declared but {unused} (no Memory client, session manager, event or "
                "record call, or memory ID read): remove it, or wire it in",
                location,
                subject=memory.name,
                severity="info",
                fix=_unused_memory_fix(memory),
            )
            continue
        out.warn(
            f"memory {memory.name!r} is short-term only (used by {', '.join(users)}): nothing is recalled across "
            "sessions",
            location,
            subject=memory.name,
            evidence="; ".join(usage.runtimes[u] for u in users),
            fix=_long_term_fix(memory),
        )
    if unknowns and not any(f.level == "warn" for f in out.items):
        return unknown("; ".join(unknowns))
    return None


def _unread_runtimes(facts: Facts, memory: Memory) -> str:
    if facts.code is None:
        return "the code was not read"
    missing = [
        f"runtime {e.name}: {e.missing}"
        for e in facts.code.entries
        if (memory.agent is None or e.name == memory.agent) and e.entry_file is None
    ]
    return "; ".join(missing) or "no runtime's code is in this checkout"


def _unused_memory_fix(memory: Memory) -> Fix:
    """Advice only: whether the memory should go or be wired in is the owner's call, not a patch."""
    if memory.mode:
        return Fix(
            summary=f"Set `memory.mode: NO_MEMORY` for {memory.agent or 'the agent'} in .bedrock_agentcore.yaml if "
            f"it is not meant to remember, or give its code a Memory session manager on {memory.name}."
        )
    return Fix(
        summary=f"Remove {memory.name} if the agent is not meant to remember, or give the agent a Memory session "
        "manager (or MemoryClient) on this memory.",
        commands=[f"agentcore remove memory --name {memory.name}"],
    )


def _long_term_fix(memory: Memory) -> Fix:
    if memory.mode:
        return located_edit(
            memory.where,
            [("/mode", "STM_AND_LTM")],
            f"Turn on long-term memory for {memory.name} if users expect recall.",
        )
    return located_edit(
        memory.where,
        [
            (
                "/strategies",
                [
                    {"type": "SEMANTIC", "namespaceTemplates": ["/users/{actorId}/facts"]},
                    {"type": "USER_PREFERENCE", "namespaceTemplates": ["/users/{actorId}/preferences"]},
                ],
            )
        ],
        f"Add long-term strategies to {memory.name} if users expect recall across sessions.",
    )


_MEMORY_CALLS = frozenset(
    {
        "create_event",
        "list_events",
        "get_event",
        "get_last_k_turns",
        "retrieve_memories",
        "retrieve_memory_records",
        "list_memory_records",
        "save_conversation",
        "save_turn",
        "create_memory_session",
    }
)
_MEMORY_NAMES = ("MemoryClient", "MemorySessionManager", "AgentCoreMemory", "bedrock_agentcore.memory")
_STRATEGY_CREATORS = frozenset({"create_memory", "create_memory_and_wait", "create_or_get_memory"})


class _MemoryUsage:
    """How the project's code uses memory, computed on first need."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._runtimes: dict[str, str] | None = None
        self._strategies: tuple[str | None] | None = None

    @property
    def runtimes(self) -> dict[str, str]:
        """Runtime name -> where its code first uses memory."""
        if self._runtimes is None:
            self._runtimes = {}
            if self.facts.code is not None:
                for py_file in self.facts.code.of_role("runtime"):
                    use = _uses_memory(py_file)
                    for runtime in py_file.runtimes if use is not None else ():
                        self._runtimes.setdefault(runtime, use)  # type: ignore[arg-type]
        return self._runtimes

    @property
    def strategies_in_code(self) -> str | None:
        """Where the project's code adds long-term strategies to a memory."""
        if self._strategies is None:
            found = None
            if self.facts.code is not None:
                for py_file in self.facts.code.facts_of(*_NON_TEST_ROLES):
                    if _may_manage_memory(py_file) and (found := _strategies_added(py_file)) is not None:
                        break
            self._strategies = (found,)
        return self._strategies[0]


def _uses_memory(py_file: PyFile) -> str | None:
    for qualified in py_file.imports.values():
        if any(name in qualified for name in _MEMORY_NAMES) or qualified.startswith("langgraph_checkpoint_aws"):
            return f"{py_file.path} imports {qualified}"
    for call in py_file.calls:
        if call.attr in _MEMORY_CALLS:
            return f"{py_file.path}:{call.line} calls {call.attr}"
        if call.attr in ("getenv", "get"):
            name = call.str_arg(0) or ""
            if "MEMORY" in name.upper() and name.upper().endswith("_ID"):
                return f"{py_file.path}:{call.line} reads {name}"
    return None


def _may_manage_memory(py_file: PyFile) -> bool:
    """Whether a file can create memories (cheap, from its imports: no reparse for the others)."""
    return "boto3" in py_file.imported_modules or any(
        "bedrock_agentcore" in q and ("memory" in q.lower() or "Memory" in q) for q in py_file.imports.values()
    )


def _strategies_added(py_file: PyFile) -> str | None:
    for call in py_file.calls:
        adds = call.attr.startswith(("add_", "update_memory_strateg")) and "strateg" in call.attr
        creates = call.attr in _STRATEGY_CREATORS and any(call.non_empty(k) for k in ("strategies", "memoryStrategies"))
        if adds or creates:
            return f"{py_file.path}:{call.line} ({call.attr})"
    return None


def _not_short_term_only(facts: Facts, memory: Memory, usage: _MemoryUsage) -> str | None:
    """Why a memory recorded as short-term only may not be."""
    if memory.created_by_toolkit is False:
        return (
            "an existing memory the agent was pointed at (was_created_by_toolkit: false): its strategies are not "
            "recorded in this file"
        )
    if usage.strategies_in_code is not None:
        return f"the project's code adds long-term strategies at {usage.strategies_in_code}"
    if memory.agent is not None and runtime_protocol(facts, memory.agent) == "MCP":
        return f"it belongs to the MCP server runtime {memory.agent}, which serves tools, not conversations"
    return None


def _memory_users(facts: Facts, memory: Memory, usage: _MemoryUsage) -> list[str] | None:
    """The runtimes whose code uses memory (``None`` when no code could be read)."""
    if facts.code is None:
        return None
    candidates = [r for r in facts.project.runtimes if memory.agent is None or r.name == memory.agent]
    entries = [facts.code.entry(r.name) for r in candidates]
    if not candidates or any(e is None or e.entry_file is None for e in entries):
        return None  # a runtime's code is not in this checkout: its use of memory is unknown
    return [r.name for r in candidates if r.name in usage.runtimes]


@rule(
    "RES003",
    "episodic-without-reflection",
    "high",
    ("P",),
    "EPISODIC strategy without reflection templates",
    family="Resources",
    checklist=("res.memory",),
)
def episodic_without_reflection(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for each `EPISODIC` memory strategy without `reflectionNamespaceTemplates`.

    ### Why is this bad?
    Episodic memory needs a namespace for its reflections; without it the memory fails
    to create (schema error) or never produces reflections.

    ### Example
    ```json
    {"type": "EPISODIC", "namespaceTemplates": ["/episodes/{actorId}/{sessionId}"]}
    ```

    ### Fix
    Add `"reflectionNamespaceTemplates": ["/episodes/{actorId}"]` to the strategy, then deploy.

    ### References
    - AgentCore CLI schema (memory strategies)
    """
    episodic = [(m, s) for m in facts.project.memories for s in m.strategies if s.type.upper() == "EPISODIC"]
    if not episodic:
        return not_applicable("no EPISODIC memory strategy")
    for memory, strategy in episodic:
        if not strategy.has_reflection_templates:
            out.fail(
                f"memory {memory.name!r}: EPISODIC strategy has no reflectionNamespaceTemplates",
                strategy.where.here,
                subject=memory.name,
                fix=located_edit(
                    strategy.where,
                    [("/reflectionNamespaceTemplates", ["/episodes/{actorId}"])],
                    "Give the episodic strategy a reflection namespace.",
                ),
            )
        else:
            out.note(f"{memory.name}: EPISODIC has reflection templates")
    return None


@rule(
    "RES005",
    "policy-engine-log-only",
    "medium",
    ("P",),
    "Policy engine only logging",
    family="Resources",
    checklist=("res.policy",),
)
def policy_engine_log_only(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns when a gateway attaches its policy engine in `LOG_ONLY` mode, or a policy's
    `enforcementMode` is `LOG_ONLY`.

    ### Why is this bad?
    LOG_ONLY records what a policy would deny but allows it: the tool restrictions you
    wrote are not enforced. It is right for a trial period, not for production.

    ### Example
    ```json
    "policyEngineConfiguration": {"policyEngineName": "ToolPolicy", "mode": "LOG_ONLY"}
    ```

    ### Fix
    Switch to `ENFORCE` (`agentcore add policy-engine … --attach-mode ENFORCE`, or edit
    `policyEngineConfiguration.mode` and the policies' `enforcementMode: ACTIVE`), then deploy.

    ### References
    - agents-connect skill, `references/policy.md`
    """
    project = facts.project
    attached = [g for g in project.gateways if g.policy_engine_name]
    if not project.policy_engines and not attached:
        return not_applicable("the project defines no policy engines")
    for gateway in attached:
        if (gateway.policy_engine_mode or "").upper() == "LOG_ONLY":
            out.warn(
                f"gateway {gateway.name!r} attaches policy engine {gateway.policy_engine_name!r} in LOG_ONLY mode: "
                "denials are logged, not enforced",
                gateway.where.at("policyEngineConfiguration", "mode"),
                subject=gateway.name,
                fix=located_edit(
                    gateway.where,
                    [("/policyEngineConfiguration/mode", "ENFORCE")],
                    f"Enforce the policy engine on {gateway.name}.",
                ),
            )
        else:
            out.note(f"{gateway.name}: {gateway.policy_engine_name} {gateway.policy_engine_mode}")
    for engine in project.policy_engines:
        for policy in engine.policies:
            if (policy.enforcement_mode or "").upper() == "LOG_ONLY":
                out.warn(
                    f"policy {policy.name!r} of engine {engine.name!r} is LOG_ONLY: it is not enforced",
                    policy.where.at("enforcementMode"),
                    subject=engine.name,
                    fix=located_edit(policy.where, [("/enforcementMode", "ACTIVE")], f"Enforce policy {policy.name}."),
                )
    return None


@rule(
    "RES006",
    "policy-engine-unattached",
    "medium",
    ("P",),
    "Policy engine attached to no gateway",
    family="Resources",
    checklist=("res.policy",),
)
def policy_engine_unattached(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for each policy engine that no gateway attaches
    (`agentCoreGateways[].policyEngineConfiguration.policyEngineName`), and for each
    gateway that names a policy engine the project does not define.

    ### Why is this bad?
    An unattached engine restricts nothing: its policies look like protection in review
    while every tool stays callable.

    ### Example
    `policyEngines: [{"name": "ToolPolicy", …}]` and no gateway with `policyEngineConfiguration`.

    ### Fix
    Attach it: `agentcore add policy-engine --name <engine> --attach-to-gateways <gateway>
    --attach-mode ENFORCE`, or set the gateway's `policyEngineConfiguration`, then deploy.
    A gateway naming an engine the project does not define: add that engine
    (`agentcore add policy-engine --name <engine> --attach-to-gateways <gateway>
    --attach-mode ENFORCE`), or correct `policyEngineName` to an engine that exists.

    ### References
    - agents-connect skill, `references/policy.md`
    """
    project = facts.project
    if not project.policy_engines:
        return not_applicable("the project defines no policy engines")
    attached = {g.policy_engine_name for g in project.gateways if g.policy_engine_name}
    defined = {e.name for e in project.policy_engines}
    for engine in project.policy_engines:
        if engine.name not in attached:
            first_gateway = project.gateways[0].name if project.gateways else "<gateway>"
            out.fail(
                f"policy engine {engine.name!r} is attached to no gateway: its policies restrict nothing",
                engine.where.here,
                subject=engine.name,
                fix=Fix(
                    summary=f"Attach {engine.name} to the gateway whose tools it should restrict.",
                    commands=[
                        f"agentcore remove policy-engine --name {engine.name}",
                        f"agentcore add policy-engine --name {engine.name} --attach-to-gateways {first_gateway} "
                        "--attach-mode ENFORCE",
                        "agentcore deploy",
                    ],
                ),
            )
        else:
            out.note(f"{engine.name}: attached")
    for gateway in project.gateways:
        if gateway.policy_engine_name and gateway.policy_engine_name not in defined:
            out.fail(
                f"gateway {gateway.name!r} attaches policy engine {gateway.policy_engine_name!r}, which the project "
                "does not define",
                gateway.where.at("policyEngineConfiguration", "policyEngineName"),
                subject=gateway.name,
                fix=Fix(
                    summary=f"Define policy engine {gateway.policy_engine_name} with the policies {gateway.name} "
                    "should enforce, or name one of the engines the project defines"
                    + (f" ({', '.join(sorted(defined))})." if defined else "."),
                    commands=[
                        f"agentcore add policy-engine --name {gateway.policy_engine_name} "
                        f"--attach-to-gateways {gateway.name} --attach-mode ENFORCE",
                        "agentcore deploy",
                    ],
                ),
            )
    return None


# ---------------------------------------------------------------------------
# Code: memory events and built-in tool sessions (RES004, RES007)


@rule(
    "RES004",
    "memory-event-per-turn",
    "low",
    ("C",),
    "Memory events written per turn with the full history, or without retries",
    family="Resources",
    checklist=("res.memory",),
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def memory_event_per_turn(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each Memory `create_event` call in agent code that writes the whole
    conversation (a `messages`/`history` list rather than the latest turn, or one event
    per stored message in a loop over the history), or that goes through a boto3 client
    whose retries are turned off (`retries={"max_attempts": 0}`). Any other client,
    `MemoryClient` included, retries `ThrottlingException` with exponential backoff by
    botocore's default, so no retry decorator is needed for that.

    ### Why is this bad?
    `CreateEvent` is rate limited (10 TPS by default) and long-term extraction is
    metered in tokens: rewriting the full history every turn multiplies both and stores
    duplicates that the extraction strategies then process again. A client without
    retries loses the turn on the first throttle.

    ### Example
    ```python
    memory.create_event(memory_id=MEMORY_ID, actor_id=user, session_id=sid, messages=agent.messages)
    ```

    ### Fix
    Write only the new turn (`messages=[(prompt, "USER"), (answer, "ASSISTANT")]`), through
    a client that retries throttling (the default, or `Config(retries={"mode": "adaptive"})`
    for bursts).

    ### References
    - agents-harden `references/limits.md`, "Memory operation rates"
    """
    if facts.code is None:
        return unknown("the code index was not built")
    calls = [(f, c) for f, c in facts.code.calls(("runtime",)) if c.attr == "create_event"]
    if not calls:
        return not_applicable("no Memory create_event call")
    for py_file, call in calls:
        problems = event_problems(py_file, call)
        if problems:
            out.warn(
                f"create_event at {py_file.path}:{call.line} " + " and ".join(problems),
                Location(path=py_file.path, line=call.line),
                evidence=excerpt(py_file.line_text(call.line).strip()),
                fix=Fix(
                    summary="Write only the new turn (the user message and the answer) once per turn, through a "
                    'client that retries throttling (botocore\'s default, or `Config(retries={"mode": "adaptive"})` '
                    "for bursts)."
                ),
            )
        else:
            out.note(f"{py_file.path}:{call.line}: writes the latest turn; the client retries throttling")
    return None


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
    if not started:
        return not_applicable("no Code Interpreter or Browser session is started")
    return None


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


@rule(
    "RES002",
    "memory-not-active",
    "high",
    ("A", "P"),
    "Memory not ACTIVE",
    family="Resources",
    checklist=("res.memory",),
    aws=("memories",),
)
def memory_not_active(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Reads the status of each deployed memory of the project (`GetMemory`, from the IDs in
    `agentcore/.cli/deployed-state.json` or the YAML's `memory_id`; every memory of the
    region in a fleet review) and fails when it is not `ACTIVE` (`CREATING`, `UPDATING`,
    `FAILED`, `DELETING`).

    ### Why is this bad?
    The agent's memory calls fail while the memory is not ACTIVE: invocations return 424
    (failed dependency) or lose the conversation history. A FAILED memory never recovers
    by itself.

    ### Example
    `GetMemory` returns `"status": "FAILED"`.

    ### Fix
    Wait for CREATING/UPDATING to finish; for FAILED read `failureReason`
    (`aws bedrock-agentcore-control get-memory --memory-id <id>`), fix the cause
    (strategy configuration, KMS key, role), then recreate it with `agentcore deploy`.

    ### References
    - agents-debug skill (424 errors); agents-harden skill, checklist "Memory"
    """
    from agentcore_readiness.checks.registry import skipped
    from agentcore_readiness.facts.aws.model import AwsFacts

    state = facts.aws("memories")
    if not isinstance(state, AwsFacts):
        return skipped(state) if facts.project.memories else not_applicable("the project defines no memory")
    if state.memories.error is not None:
        return unknown(f"memories: {state.memories.error.describe()}")
    memories = state.memories.value or ()
    if not memories:
        if facts.project.memories:
            return unknown(
                "the project's memories were not found deployed (no memoryId in agentcore/.cli/deployed-state.json "
                "and no memory of that name in the region)"
            )
        return not_applicable("the project defines no memory")
    unknowns: list[str] = []
    for memory in memories:
        if memory.status.error is not None:
            unknowns.append(f"{memory.name}: {memory.status.error.describe()}")
            continue
        status = (memory.status.value or "").upper()
        if status == "ACTIVE":
            out.note(f"{memory.name}: ACTIVE")
            continue
        out.fail(
            f"memory {memory.name} is {status or 'in an unknown state'}, not ACTIVE: the agent's memory calls fail",
            Location(arn=memory.arn or f"memory/{memory.id}", region=memory.region),
            subject=memory.name,
            fix=Fix(
                summary="Find out why and recreate or wait: FAILED memories carry a failureReason.",
                commands=[f"aws bedrock-agentcore-control get-memory --memory-id {memory.id} --region {memory.region}"],
            ),
        )
    if unknowns and not out.items:
        return unknown("; ".join(unknowns))
    return None


def _strategy_text(strategy: MemoryStrategy) -> str:
    return strategy.type + (f" ({', '.join(strategy.namespaces)})" if strategy.namespaces else "")


def _calls_text(calls: list[MemoryCall], limit: int = 3) -> str:
    shown = ", ".join(f"{c.api} at {c.path}:{c.line}" for c in calls[:limit])
    return shown + (f" and {len(calls) - limit} more" if len(calls) > limit else "")


_RETRIEVE_FIX = (
    "Read the records back where the agent needs them: with the Strands session manager, "
    "`AgentCoreMemoryConfig(..., retrieval_config={{{example}: RetrievalConfig(top_k=5)}})`; with the "
    "MemoryClient, `retrieve_memories(memory_id=..., namespace={example}, query=prompt)`. Or drop the strategies "
    "nothing needs (`agentcore remove memory` / edit `strategies`), so no extraction is paid for."
)


@rule(
    "RES008",
    "memory-strategy-unread",
    "low",
    ("P", "C"),
    "Memory strategy whose records are never retrieved",
    family="Resources",
    checklist=("res.memory",),
    reads=("runtime",),
    tools=("audit_code",),
)
def memory_strategy_unread(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each memory with long-term strategies (`strategies[]` in `agentcore.json`,
    `mode: STM_AND_LTM` in the YAML) that the runtimes' code writes events to
    (`create_event`, `save_turn`, `add_turns`, the Strands `AgentCoreMemorySessionManager`,
    the LangGraph `AgentCoreMemorySaver`), looks for the code that reads the extracted
    records back: `retrieve_memories`, `retrieve_memory_records`, `list_memory_records`,
    `search_long_term_memories`, a session manager's `retrieval_config`, the memory tool
    provider. Fails when nothing retrieves long-term records; warns for each strategy
    whose namespace no retrieval covers (`/users/{actorId}/facts` against the namespaces
    the code reads). A memory the code never uses is left alone (nothing is extracted).

    ### Why is this bad?
    Every event written is processed by each long-term strategy: extraction is billed and
    the records pile up, but an agent that never retrieves them answers as if it had no
    long-term memory. Either the recall was forgotten, or the strategy is cost without use.

    ### Example
    ```json
    "strategies": [{"type": "SEMANTIC", "namespaceTemplates": ["/users/{actorId}/facts"]}]
    ```
    ```python
    AgentCoreMemoryConfig(memory_id=MEMORY_ID, session_id=sid, actor_id=user)  # no retrieval_config
    ```

    ### Fix
    ```python
    AgentCoreMemoryConfig(
        memory_id=MEMORY_ID, session_id=sid, actor_id=user,
        retrieval_config={"/users/{actorId}/facts": RetrievalConfig(top_k=5, relevance_score=0.3)},
    )
    ```
    or remove the strategies nothing reads.

    ### References
    - agents-harden skill, checklist "Memory strategies appropriate for use case"; agents-build `references/memory.md`
    """
    from agentcore_readiness.checks.code_rule_helpers import without_code
    from agentcore_readiness.checks.memory_use import LTM_TOOLKIT_MODES, memory_use, strategies_read

    long_term = [m for m in facts.project.memories if m.strategies or (m.mode or "") in LTM_TOOLKIT_MODES]
    if not long_term:
        return not_applicable("no memory declares long-term strategies")
    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    use = memory_use(facts)
    if not any(c.op in ("write", "session") for m in long_term for c in use.of_memory(m.name)):
        names = ", ".join(m.name for m in long_term)
        return not_applicable(f"the runtimes' code writes no events to {names}, so no long-term record is extracted")
    for memory in long_term:
        calls = list(use.of_memory(memory.name))
        writes = [c for c in calls if c.op in ("write", "session")]
        reads = [c for c in calls if c.namespaces or c.op == "read"]
        if not writes:
            out.note(f"{memory.name}: the runtimes' code writes no events to it, so nothing is extracted")
            continue
        if not memory.strategies:
            if not reads:
                out.fail(
                    f"memory {memory.name!r} is {memory.mode}: the toolkit's long-term strategies extract records from "
                    f"the events the code writes ({_calls_text(writes)}), but no code retrieves them",
                    memory.where.at("mode"),
                    subject=memory.name,
                    fix=Fix(summary=_RETRIEVE_FIX.format(example='"/users/{actorId}/facts"')),
                )
            else:
                out.note(f"{memory.name}: retrieved at {_calls_text(reads)}")
            continue
        _, unread = strategies_read(memory, reads)
        if not unread:
            out.note(f"{memory.name}: every strategy is retrieved ({_calls_text(reads)})")
            continue
        strategies = [memory.strategies[i] for i in unread]
        names = "; ".join(_strategy_text(s) for s in strategies)
        example = f'"{strategies[0].namespaces[0]}"' if strategies[0].namespaces else '"/users/{actorId}/facts"'
        if not reads:
            message = (
                f"memory {memory.name!r} extracts long-term records ({names}) from the events the code writes "
                f"({_calls_text(writes)}), but no code retrieves them: extraction is paid for and never used"
            )
            out.fail(
                message,
                strategies[0].where.here,
                subject=memory.name,
                fix=Fix(summary=_RETRIEVE_FIX.format(example=example)),
            )
            continue
        used = sorted({n for c in reads for n in c.namespaces})
        for strategy in strategies:
            out.warn(
                f"memory {memory.name!r} strategy {_strategy_text(strategy)} is never retrieved: the code reads only "
                f"{', '.join(used)} ({_calls_text(reads)})",
                strategy.where.here,
                subject=memory.name,
                fix=Fix(
                    summary=_RETRIEVE_FIX.format(
                        example=f'"{strategy.namespaces[0]}"' if strategy.namespaces else example
                    )
                ),
            )
    return None


@rule(
    "RES009",
    "memory-identity-unbound",
    "high",
    ("C",),
    "Memory actor or session ID not bound to the verified caller",
    family="Resources",
    checklist=("res.memory",),
    reads=("runtime",),
    tools=("audit_code",),
)
def memory_identity_unbound(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows the actor ID and session ID of every memory call in the runtimes' code
    (`create_event`, `retrieve_memories`, `list_events`, `create_memory_session`, the
    Strands `AgentCoreMemoryConfig`, LangGraph's `configurable.actor_id`, an actor inside
    a retrieval namespace) back through the functions and modules that pass them, to where
    they come from. Fails where the actor ID is a field of the request payload or a
    request header the caller chooses (a warning under IAM auth, where only trusted
    callers invoke), a placeholder constant (`"default-user"`, `"customer_001"`), or falls
    back to a constant when its source is missing; warns where the session ID is a
    placeholder constant. The finding is at the line the ID comes from. A JWT claim (the
    runtime's authorizer checked the token), the `…-Runtime-User-Id` header AgentCore sets
    and `context.session_id` are the verified identity. Where this rule reports a payload
    field, CODE007 does not report the same line again.

    ### Why is this bad?
    Memory records are partitioned by actor (and events by session). An actor ID the caller
    picks lets anyone read another user's facts and preferences by sending their ID; a
    constant or a fallback puts every user into one memory, so one user's data shows up
    in another user's answers.

    ### Example
    ```python
    actor_id = payload.get("user_id", "default-user")
    memory.create_event(memory_id=MEMORY_ID, actor_id=actor_id, session_id=context.session_id, messages=turns)
    ```

    ### Fix
    Take the actor from the verified token (the runtime's CUSTOM_JWT authorizer has
    checked it; read its `sub` claim from the `Authorization` header in
    `context.request_headers`), and reject the request when there is none:
    ```python
    claims = jwt.decode(token, options={"verify_signature": False})  # verified by the runtime
    actor_id = claims["sub"]
    ```

    ### References
    - agents-harden skill, "Memory"; agents-build `references/memory.md` (actor and session IDs)
    """
    from agentcore_readiness.checks.code_rule_helpers import emit, without_code
    from agentcore_readiness.checks.memory_use import identity_problems, memory_use

    verdict = without_code(facts, "runtime")
    if verdict is not None:
        # a memory created outside the project could still be used: only the code can tell
        return not_applicable("the project defines no memory") if not facts.project.memories else verdict
    assert facts.code is not None
    use = memory_use(facts)
    if not use.calls:
        return not_applicable("no AgentCore Memory call in the runtimes' code")
    by_line: dict[tuple[str, int], list[IdentityProblem]] = {}
    for problem in identity_problems(facts, use):
        by_line.setdefault((problem.source.path, problem.source.line), []).append(problem)
    for (path, line), problems in sorted(by_line.items()):
        py_file = facts.code.file(path)
        if py_file is None:
            continue
        level: FindingLevel = "fail" if any(p.level == "fail" for p in problems) else "warn"
        message = "; ".join(dict.fromkeys(p.why for p in problems))
        emit(
            out,
            level,
            py_file,
            line,
            message,
            evidence="memory call(s): " + ", ".join(dict.fromkeys(f"{p.call.path}:{p.call.line}" for p in problems)),
            fix=Fix(
                summary="Derive the memory actor from the verified caller identity (a claim of the JWT the "
                "runtime's authorizer checked, e.g. `sub`), never from the payload, a custom header or a default; "
                "reject the request when it is missing. Use `context.session_id` as the session."
            ),
        )
    if not by_line:
        shown = ", ".join(f"{c.api} at {c.path}:{c.line}" for c in use.calls[:3])
        out.note(f"memory IDs of {shown}: verified, generated or not followed to a caller-chosen value")
    return None

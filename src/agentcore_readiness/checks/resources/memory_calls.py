"""How the runtimes' code calls memory: events per turn (RES004), long-term records read back
(RES008), actor and session IDs bound to the verified caller (RES009).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.checks.resourceflow import event_problems
from agentcore_readiness.model import FindingLevel, Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.checks.memory_use import IdentityProblem, MemoryCall
    from agentcore_readiness.facts.project.project_facts import Memory, MemoryStrategy


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
    from agentcore_readiness.checks.memory_use import LTM_TOOLKIT_MODES, memory_use

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
        _memory_records_read(out, memory, list(use.of_memory(memory.name)))
    return None


def _memory_records_read(out: Findings, memory: Memory, calls: list[MemoryCall]) -> None:
    """Whether the code retrieves what the long-term strategies of one memory extract from its events."""
    from agentcore_readiness.checks.memory_use import strategies_read

    writes = [c for c in calls if c.op in ("write", "session")]
    reads = [c for c in calls if c.namespaces or c.op == "read"]
    if not writes:
        out.note(f"{memory.name}: the runtimes' code writes no events to it, so nothing is extracted")
        return
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
        return
    _, unread = strategies_read(memory, reads)
    if not unread:
        out.note(f"{memory.name}: every strategy is retrieved ({_calls_text(reads)})")
        return
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
        return
    used = sorted({n for c in reads for n in c.namespaces})
    for strategy in strategies:
        out.warn(
            f"memory {memory.name!r} strategy {_strategy_text(strategy)} is never retrieved: the code reads only "
            f"{', '.join(used)} ({_calls_text(reads)})",
            strategy.where.here,
            subject=memory.name,
            fix=Fix(
                summary=_RETRIEVE_FIX.format(example=f'"{strategy.namespaces[0]}"' if strategy.namespaces else example)
            ),
        )


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

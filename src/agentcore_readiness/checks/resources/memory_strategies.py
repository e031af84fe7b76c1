"""Declared memory strategies: short-term only (RES001), EPISODIC without reflection (RES003)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore_readiness.checks.fixes import located_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.checks.runtime_handlers import runtime_protocol
from agentcore_readiness.facts.code.roles import NON_TEST_ROLES
from agentcore_readiness.model import Fix

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import PyFile
    from agentcore_readiness.facts.project.project_facts import Memory


@rule(
    "RES001",
    "memory-without-strategies",
    "low",
    ("P", "C"),
    "Memory with short-term memory only",
    family="Resources",
    checklist=("res.memory",),
    reads=NON_TEST_ROLES,
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
                for py_file in self.facts.code.facts_of(*NON_TEST_ROLES):
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

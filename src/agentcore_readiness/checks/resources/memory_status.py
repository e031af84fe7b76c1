"""Deployed memories: ACTIVE (RES002)."""

from __future__ import annotations

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.model import Fix, Location


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

"""Resources: memory strategies and policy engines."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import located_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.model import Fix


@rule(
    "RES001",
    "memory-without-strategies",
    "low",
    ("P",),
    "Memory with short-term memory only",
    family="Resources",
    checklist=("res.memory",),
)
def memory_without_strategies(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each memory with no long-term strategies (`strategies: []` in
    `agentcore.json`, `mode: STM_ONLY` in the YAML): it keeps the events of a session
    but extracts nothing that a later session can recall.

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
    for memory in memories:
        short_term_only = (memory.mode == "STM_ONLY") if memory.mode else not memory.strategies
        if short_term_only:
            out.warn(
                f"memory {memory.name!r} is short-term only: nothing is recalled across sessions",
                memory.where.at("mode") if memory.mode else memory.where.at("strategies"),
                subject=memory.name,
                fix=(
                    located_edit(
                        memory.where,
                        [("/mode", "STM_AND_LTM")],
                        f"Turn on long-term memory for {memory.name} if users expect recall.",
                    )
                    if memory.mode
                    else located_edit(
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
                ),
            )
        else:
            kinds = ", ".join(s.type for s in memory.strategies) or memory.mode or ""
            out.note(f"{memory.name}: {kinds}")
    return None


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
    ("P", "A"),
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
            )
    return None

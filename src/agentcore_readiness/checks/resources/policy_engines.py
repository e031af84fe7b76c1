"""Policy engines: enforced (RES005) and attached to a gateway (RES006)."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import located_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.model import Fix


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

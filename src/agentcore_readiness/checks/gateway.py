"""The tool surface: gateways and their targets."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import located_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.model import Fix

MAX_TARGETS = 100
MAX_TOOLS = 1000
NEAR = 0.8


@rule(
    "GW005",
    "gateway-target-limit",
    "medium",
    ("P", "A"),
    "Gateway near its target or tool limit",
    family="Tool surface",
    checklist=("res.gateway",),
)
def gateway_target_limit(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Counts each gateway's targets (limit 100) and each target's tool definitions
    (limit 1,000). At 80% of a limit: warn; above it: fail.

    ### Why is this bad?
    At the limit, `agentcore deploy` fails with `ValidationException: Too many targets for
    gateway`, usually in the middle of a release.

    ### Example
    A gateway with 85 targets.

    ### Fix
    Consolidate tools into fewer targets, split the gateway, or request a quota increase
    (both limits are adjustable) before you reach the limit.

    ### References
    - agents-harden skill, `references/limits.md` (gateway limits)
    """
    gateways = facts.project.gateways
    if not gateways:
        return not_applicable("the project defines no gateways")
    for gateway in gateways:
        count = len(gateway.targets)
        split = Fix(
            summary="Consolidate targets or split the gateway; request an increase of 'Targets per gateway' "
            "in Service Quotas if the design needs more.",
            commands=[
                "aws service-quotas list-service-quotas --service-code bedrock-agentcore "
                "--query \"Quotas[?contains(QuotaName, 'target')]\""
            ],
        )
        if count > MAX_TARGETS:
            out.fail(
                f"gateway {gateway.name!r} has {count} targets, over the limit of {MAX_TARGETS}",
                gateway.where.at("targets"),
                subject=gateway.name,
                fix=split,
            )
        elif count >= MAX_TARGETS * NEAR:
            out.warn(
                f"gateway {gateway.name!r} has {count} of {MAX_TARGETS} targets",
                gateway.where.at("targets"),
                subject=gateway.name,
                fix=split,
            )
        for target in gateway.targets:
            tools = target.tool_count
            if tools > MAX_TOOLS:
                out.fail(
                    f"target {target.name!r} of {gateway.name!r} has {tools} tools, over the limit of {MAX_TOOLS}",
                    target.where.at("toolDefinitions"),
                    subject=gateway.name,
                )
            elif tools >= MAX_TOOLS * NEAR:
                out.warn(
                    f"target {target.name!r} of {gateway.name!r} has {tools} of {MAX_TOOLS} tools",
                    target.where.at("toolDefinitions"),
                    subject=gateway.name,
                )
        out.note(f"{gateway.name}: {count} target(s)")
    return None


_OUTBOUND_OK = {"OAUTH", "API_KEY"}


@rule(
    "GW006",
    "openapi-target-without-outbound-auth",
    "high",
    ("P",),
    "OpenAPI target without outbound auth",
    family="Tool surface",
    checklist=("res.gateway",),
)
def openapi_target_without_outbound_auth(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for each `openApiSchema` gateway target without OAuth or API-key outbound
    authentication (`outboundAuth.type` `OAUTH` or `API_KEY`).

    ### Why is this bad?
    The gateway requires outbound auth for OpenAPI targets: such a target fails to deploy
    or calls the API unauthenticated, and the usual workaround, a key in the agent's
    code or environment, is worse.

    ### Example
    ```json
    {"name": "Orders", "targetType": "openApiSchema"}
    ```

    ### Fix
    Register the API's credential and attach it:
    `agentcore add credential --name <name> --api-key <key>` then
    `agentcore add gateway-target … --type open-api-schema --outbound-auth api-key --credential-name <name>`.

    ### References
    - agents-harden skill, checklist "Gateway auth configured"; agents-connect skill
    """
    targets = [(g, t) for g in facts.project.gateways for t in g.targets if (t.target_type or "") == "openApiSchema"]
    if not targets:
        return not_applicable("no openApiSchema gateway targets")
    for gateway, target in targets:
        auth = (target.outbound_auth_type or "").upper()
        if auth not in _OUTBOUND_OK:
            shown = f"outboundAuth.type {auth}" if auth else "no outboundAuth"
            out.fail(
                f"OpenAPI target {target.name!r} of gateway {gateway.name!r} has {shown}: OAuth or API-key "
                "outbound auth is required",
                target.where.at("outboundAuth") if auth else target.where.here,
                subject=gateway.name,
                fix=located_edit(
                    target.where,
                    [("/outboundAuth", {"type": "API_KEY", "credentialName": "<credential-name>"})],
                    f"Give target {target.name} a registered credential.",
                    commands=[f"agentcore add credential --name {target.name}Key --api-key <key>"],
                ),
            )
        else:
            out.note(f"{gateway.name}/{target.name}: {auth}")
    return None

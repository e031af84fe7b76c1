"""Shell access: who can call InvokeAgentRuntimeCommand, and how commands are built."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from agentcore_readiness.checks.iam import project_policies
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, rule, skipped, unknown
from agentcore_readiness.facts.aws.model import AwsFacts
from agentcore_readiness.facts.project_policies import CDK_OUT
from agentcore_readiness.iam_policy import SourcedPolicy, evaluate, has_wildcard, render_policy, wildcard_match
from agentcore_readiness.model import Fix, Location

COMMAND = "bedrock-agentcore:InvokeAgentRuntimeCommand"
INVOKE = "bedrock-agentcore:InvokeAgentRuntime"
ALERT_RULE = "AgentCoreCommandExecution"
ALERT_PATTERN = {
    "source": ["aws.bedrock-agentcore"],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventName": ["InvokeAgentRuntimeCommand"]},
}
ALERT_COMMANDS = [
    f"aws events put-rule --name {ALERT_RULE} --event-pattern '{json.dumps(ALERT_PATTERN, separators=(',', ':'))}' "
    "--state ENABLED",
    f"aws events put-targets --rule {ALERT_RULE} --targets Id=security-alerts,Arn=<sns-topic-arn>",
]


@dataclass
class PolicyUniverse:
    """Every policy the shell-access rules can see, with who holds each."""

    policies: list[SourcedPolicy] = field(default_factory=list)
    holders: dict[str, list[str]] = field(default_factory=dict)
    unknowns: list[str] = field(default_factory=list)
    skip_reason: str = ""
    aws_read: bool = False


def _key(policy: SourcedPolicy) -> str:
    if policy.arn and policy.kind in ("customer-managed", "aws-managed"):
        return policy.arn
    return f"{policy.kind}:{policy.holder}:{policy.name}:{policy.location.path or policy.location.arn}"


def policy_universe(facts: Facts) -> PolicyUniverse:
    universe = PolicyUniverse()
    seen: set[str] = set()

    def add(policy: SourcedPolicy, holder: str | None) -> None:
        key = _key(policy)
        if holder:
            universe.holders.setdefault(key, [])
            if holder not in universe.holders[key]:
                universe.holders[key].append(holder)
        if key not in seen:
            seen.add(key)
            universe.policies.append(policy)

    aws_reason: str | None = None
    state = facts.aws("account_iam")
    if isinstance(state, AwsFacts):
        account = state.account_iam
        if account.error is not None:
            universe.unknowns.append(f"account IAM: {account.error.describe()}")
        elif account.value is not None:
            universe.aws_read = True
            for policy in account.value.customer_policies:
                add(policy, None)
            for principal in account.value.principals:
                for policy in principal.policies:
                    add(policy, f"{principal.kind} {principal.name}")
            if account.value.unread_policies:
                universe.unknowns.append(
                    "attached AWS-managed policies not read: " + ", ".join(account.value.unread_policies)
                )
    else:
        aws_reason = state
    policies = project_policies(facts)
    if policies is not None:
        for policy in policies.all_policies:
            add(policy, policy.holder)
    if not universe.policies and not universe.unknowns:
        offline = (
            f"the project has no policy documents (additionalPolicies JSON files, {CDK_OUT}/*.template.json); "
            "give policy documents to check_iam_scope or check_shell_access to review them offline"
        )
        universe.skip_reason = f"{aws_reason}; {offline}" if aws_reason else offline
    return universe


def _holders_text(universe: PolicyUniverse, policy: SourcedPolicy) -> str:
    holders = universe.holders.get(_key(policy), [])
    if not holders:
        return "attached to no principal" if policy.kind == "customer-managed" else ""
    shown = ", ".join(holders[:5]) + (f" and {len(holders) - 5} more" if len(holders) > 5 else "")
    return f"held by {shown}"


def _location(policy: SourcedPolicy, statement_index: int) -> Location:
    statement = policy.document.statements[statement_index]
    return policy.location_of(statement)


def _universe_rule(facts: Facts, out: Findings, universe: PolicyUniverse) -> Verdict | None:
    if not out.items and universe.unknowns:
        return unknown("; ".join(universe.unknowns))
    if not out.items:
        out.note(f"{len(universe.policies)} polic{'y' if len(universe.policies) == 1 else 'ies'} reviewed")
    return None


def command_policy_template(region: str | None, account: str | None, runtime: str | None) -> dict[str, Any]:
    return render_policy(
        [
            {
                "Sid": "ShellAccessToOneRuntime",
                "Effect": "Allow",
                "Action": COMMAND,
                "Resource": f"arn:aws:bedrock-agentcore:{region or '<region>'}:{account or '<account-id>'}:"
                f"runtime/{runtime or '<runtime-name>'}-*",
            }
        ]
    )


def _template_args(facts: Facts) -> tuple[str | None, str | None, str | None]:
    read = facts.aws("account_iam")
    state = read if isinstance(read, AwsFacts) else None
    policies = project_policies(facts)
    region = (state.region if state else None) or (policies.region if policies else None)
    account = (state.account_id if state else None) or (policies.account if policies else None)
    runtime = f"{facts.project.name}_{facts.project.runtimes[0].name}" if facts.project.runtimes else None
    return region, account, runtime


def _policy_fix(policy: SourcedPolicy, summary: str, document: dict[str, Any]) -> Fix:
    if policy.kind == "customer-managed" and policy.arn:
        commands = [
            f"aws iam create-policy-version --policy-arn {policy.arn} --policy-document file://policy.json --set-as-default"
        ]
    elif policy.kind == "inline" and policy.holder and policy.arn and ":role/" in policy.arn:
        commands = [
            f"aws iam put-role-policy --role-name {policy.holder} --policy-name {policy.name} "
            "--policy-document file://policy.json"
        ]
    elif policy.kind == "aws-managed" and policy.arn:
        commands = [f"aws iam list-entities-for-policy --policy-arn {policy.arn}  # detach it from these principals"]
    else:
        commands = ["agentcore validate && agentcore deploy"]
    return Fix(summary=summary, commands=commands, policy=document)


@rule(
    "CMD001",
    "command-permission-wildcard",
    "high",
    ("A", "P"),
    "Shell access granted through a wildcard action",
    family="Shell access",
    checklist=("shell.holders",),
    aws=("account_iam",),
    policies=True,
    tools=("check_shell_access",),
)
def command_permission_wildcard(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every policy that grants `bedrock-agentcore:InvokeAgentRuntimeCommand`
    through a wildcard action (`bedrock-agentcore:*`, `bedrock-agentcore:Invoke*`, `*`,
    or a `NotAction` that does not exclude it) rather than by name. AWS-managed policies
    (which you cannot edit) warn, naming who holds them. With AWS access it reads every
    customer-managed policy, every inline policy and the AWS-managed policies attached
    to a principal; offline it reads the project's policy documents.

    ### Why is this bad?
    `InvokeAgentRuntimeCommand` runs arbitrary shell commands inside a live microVM with
    the runtime's execution role. A wildcard hands that to everyone who was meant to
    only invoke or manage agents, and nobody reviewing the policy sees it.

    ### Example
    ```json
    {"Effect": "Allow", "Action": "bedrock-agentcore:*", "Resource": "*"}
    ```

    ### Fix
    List the actions each principal needs by name, and grant
    `InvokeAgentRuntimeCommand` in its own policy, to the few identities that need a
    shell, on `runtime/<runtime-name>-*`.

    ### References
    - agents-harden skill, "Shell Access: Scope InvokeAgentRuntimeCommand separately"
    """
    universe = policy_universe(facts)
    if not universe.policies and not universe.unknowns:
        return skipped(universe.skip_reason)
    region, account, runtime = _template_args(facts)
    for match in evaluate(universe.policies, COMMAND).allows:
        pattern = match.pattern
        if pattern != "NotAction" and not has_wildcard(pattern):
            continue
        policy = match.policy
        holders = _holders_text(universe, policy)
        out.add(
            "warn" if policy.kind == "aws-managed" else "fail",
            f"{policy.describe} grants {COMMAND} (shell access) through {pattern}"
            + (f"; {holders}" if holders else ""),
            _location(policy, match.statement.index),
            subject=policy.name,
            evidence=f"{match.statement.label}: {match.statement.effect} {pattern}"
            + (f" if {match.statement.condition_text()}" if match.statement.conditional else ""),
            fix=_policy_fix(
                policy,
                "Name the actions this policy needs instead of the wildcard, and grant shell access in a separate "
                "policy like this one to the identities that need it.",
                command_policy_template(region, account, runtime),
            ),
        )
    return _universe_rule(facts, out, universe)


@rule(
    "CMD002",
    "command-permission-holders",
    "info",
    ("A",),
    "Principals that can run shell commands in runtimes",
    family="Shell access",
    checklist=("shell.holders",),
    aws=("account_iam",),
    tools=("check_shell_access",),
)
def command_permission_holders(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Lists every IAM user, role and group of the account whose policies (inline,
    attached, and for users those of their groups) allow
    `bedrock-agentcore:InvokeAgentRuntimeCommand`, with the policy and statement that
    grant it, for a human to confirm. An unconditional Deny removes a principal from
    the list; conditions are shown.

    ### Why is this bad?
    Each of these identities can open a shell in your agents' microVMs and act with the
    runtime's execution role. The list should be short and every entry deliberate.

    ### Example
    `role DeployPipeline via BedrockAgentCoreFullAccess (aws-managed), statement 0: Allow via bedrock-agentcore:*`

    ### Fix
    Remove the permission from every principal that does not need a shell; see CMD001
    and CMD004 to narrow the rest.

    ### References
    - agents-harden skill, "Check which principals have the permission"
    """
    state = facts.aws_gathered("account_iam")
    if state.account_iam.error is not None:
        return unknown(f"account IAM: {state.account_iam.error.describe()}")
    account = state.account_iam.value
    if account is None:
        return unknown("account IAM was not read")
    for principal in holders_of_shell_access(state):
        decision = evaluate(principal.policies, COMMAND)
        grants = "; ".join(
            f"{m.policy.name} ({m.policy.kind}) {m.statement.label} via {m.pattern}"
            + (" with conditions" if m.statement.conditional else "")
            for m in decision.allows
        )
        out.info(
            f"{principal.kind} {principal.name} can run shell commands in runtimes ({grants})",
            Location(arn=principal.arn),
            subject=principal.name,
            evidence="\n".join(decision.evidence),
        )
    if not out.items:
        out.note(f"no principal of the {len(account.principals)} read can call {COMMAND}")
    if account.unread_policies and not out.items:
        return unknown("attached AWS-managed policies not read: " + ", ".join(account.unread_policies))
    return None


def holders_of_shell_access(aws: AwsFacts) -> list[Any]:
    """The principals of the account allowed to call InvokeAgentRuntimeCommand."""
    account = aws.account_iam.value
    if account is None:
        return []
    return [p for p in account.principals if evaluate(p.policies, COMMAND).allowed]


@rule(
    "CMD003",
    "command-shares-invoke-policy",
    "medium",
    ("A", "P"),
    "Shell access shares a policy with invoke access",
    family="Shell access",
    checklist=("shell.separate",),
    aws=("account_iam",),
    policies=True,
    tools=("check_shell_access",),
)
def command_shares_invoke_policy(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every policy document that allows both `InvokeAgentRuntime` and
    `InvokeAgentRuntimeCommand` (directly or through wildcards), as the CDK's
    `grantInvokeAll()` does. AWS-managed policies, which cannot be split, warn.

    ### Why is this bad?
    Whoever is given the policy to call the agent also gets a shell in it. Invoking and
    running commands have very different blast radii and must be granted separately.

    ### Example
    ```json
    {"Effect": "Allow", "Action": ["bedrock-agentcore:InvokeAgentRuntime", "bedrock-agentcore:InvokeAgentRuntimeCommand"], "Resource": "*"}
    ```

    ### Fix
    Split the policy: one for `InvokeAgentRuntime` (callers), one for
    `InvokeAgentRuntimeCommand` (operators), attached to different identities.

    ### References
    - agents-harden skill, "Separate IAM policy for command callers"
    """
    universe = policy_universe(facts)
    if not universe.policies and not universe.unknowns:
        return skipped(universe.skip_reason)
    region, account, runtime = _template_args(facts)
    for policy in universe.policies:
        command = evaluate([policy], COMMAND, "*")
        invoke = evaluate([policy], INVOKE, "*")
        if not command.allows or not invoke.allows:
            continue
        first = command.allows[0]
        holders = _holders_text(universe, policy)
        out.add(
            "warn" if policy.kind == "aws-managed" else "fail",
            f"{policy.describe} grants both InvokeAgentRuntime and InvokeAgentRuntimeCommand"
            + (f"; {holders}" if holders else ""),
            _location(policy, first.statement.index),
            subject=policy.name,
            evidence="; ".join(
                f"{m.statement.label} covers {a.split(':')[1]} via {m.pattern}"
                for a, d in ((INVOKE, invoke), (COMMAND, command))
                for m in d.allows[:1]
            ),
            fix=_policy_fix(
                policy,
                "Keep InvokeAgentRuntime in this policy and move shell access to a separate policy (below) for the "
                "identities that need it.",
                command_policy_template(region, account, runtime),
            ),
        )
    return _universe_rule(facts, out, universe)


def _runtime_resource_wildcard(pattern: str) -> bool:
    if pattern == "*":
        return True
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return has_wildcard(pattern)
    if not wildcard_match(parts[2], "bedrock-agentcore"):
        return False
    kind, _, name = parts[5].partition("/")
    return not name.strip("*") or (has_wildcard(kind) and not name)


@rule(
    "CMD004",
    "command-resource-wildcard",
    "medium",
    ("A", "P"),
    "Shell access on every runtime",
    family="Shell access",
    checklist=("shell.holders",),
    aws=("account_iam",),
    policies=True,
    tools=("check_shell_access",),
)
def command_resource_wildcard(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every Allow of `InvokeAgentRuntimeCommand` on `*`, on `…:runtime/*`, or
    through a `NotResource` (AWS-managed policies, which cannot be narrowed, warn).

    ### Why is this bad?
    Shell access to one agent for debugging becomes shell access to every agent of the
    account, present and future.

    ### Example
    ```json
    {"Effect": "Allow", "Action": "bedrock-agentcore:InvokeAgentRuntimeCommand", "Resource": "*"}
    ```

    ### Fix
    Scope the resource to the runtime:
    `arn:aws:bedrock-agentcore:<region>:<account>:runtime/<runtime-name>-*`.

    ### References
    - agents-harden skill, "Separate IAM policy for command callers"
    """
    universe = policy_universe(facts)
    if not universe.policies and not universe.unknowns:
        return skipped(universe.skip_reason)
    region, account, runtime = _template_args(facts)
    for match in evaluate(universe.policies, COMMAND).allows:
        statement = match.statement
        if statement.not_resources is not None:
            wide = "every resource but " + ", ".join(statement.not_resources)
        else:
            wide_patterns = [p for p in statement.resources or ("*",) if _runtime_resource_wildcard(p)]
            if not wide_patterns:
                continue
            wide = ", ".join(wide_patterns)
        policy = match.policy
        holders = _holders_text(universe, policy)
        out.add(
            "warn" if policy.kind == "aws-managed" else "fail",
            f"{policy.describe} grants shell access on {wide}: every runtime of the account"
            + (f"; {holders}" if holders else ""),
            _location(policy, statement.index),
            subject=policy.name,
            evidence=f"{statement.label}: Allow via {match.pattern}",
            fix=_policy_fix(
                policy,
                "Scope InvokeAgentRuntimeCommand to the runtime that needs it.",
                command_policy_template(region, account, runtime),
            ),
        )
    return _universe_rule(facts, out, universe)


def _alerts_on_command(pattern_text: str | None) -> bool:
    if not pattern_text:
        return False
    try:
        pattern = json.loads(pattern_text)
    except ValueError:
        return False
    if not isinstance(pattern, dict):
        return False

    def values(node: Any) -> list[str]:
        if isinstance(node, list):
            return [v for v in node if isinstance(v, str)]
        if isinstance(node, str):
            return [node]
        return []

    detail = pattern.get("detail")
    events = values(detail.get("eventName")) if isinstance(detail, dict) else []
    return (
        "aws.bedrock-agentcore" in values(pattern.get("source"))
        and "AWS API Call via CloudTrail" in values(pattern.get("detail-type"))
        and "InvokeAgentRuntimeCommand" in events
    )


@rule(
    "CMD005",
    "command-alert-missing",
    "medium",
    ("A",),
    "No alert on InvokeAgentRuntimeCommand",
    family="Shell access",
    checklist=("shell.alert",),
    aws=("alerts",),
    tools=("check_shell_access",),
)
def command_alert_missing(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    In each region with a reviewed runtime, looks for an ENABLED EventBridge rule whose
    pattern matches the CloudTrail event of `InvokeAgentRuntimeCommand` (`source`
    `aws.bedrock-agentcore`, `detail-type` `AWS API Call via CloudTrail`,
    `detail.eventName` containing `InvokeAgentRuntimeCommand`) and that has at least
    one target. None: fail. A rule but no CloudTrail trail logging in the region: warn
    (the rule never fires without a trail).

    ### Why is this bad?
    A shell command in a production agent is the highest-impact action on it. Without an
    alert, nobody learns that someone opened a shell until the damage is found.

    ### Example
    A region with AgentCore runtimes and no EventBridge rule on the event.

    ### Fix
    ```
    aws events put-rule --name AgentCoreCommandExecution --event-pattern '{"source":["aws.bedrock-agentcore"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["InvokeAgentRuntimeCommand"]}}' --state ENABLED
    aws events put-targets --rule AgentCoreCommandExecution --targets Id=security-alerts,Arn=<sns-topic-arn>
    ```

    ### References
    - agents-harden skill, "Enable CloudTrail alerting"
    """
    state = facts.aws_gathered("alerts")
    unknowns: list[str] = []
    for region_name in sorted(state.regions):
        region = state.regions[region_name]
        # CloudTrail events reach the default event bus: that is where the rule belongs.
        where = Location(
            arn=f"arn:aws:events:{region_name}:{state.account_id or '*'}:event-bus/default", region=region_name
        )
        if region.event_rules.error is not None:
            unknowns.append(f"{region_name}: {region.event_rules.error.describe()}")
            continue
        rules = region.event_rules.value or ()
        matching = [r for r in rules if _alerts_on_command(r.event_pattern)]
        alerting = [r for r in matching if r.state.upper() == "ENABLED" and r.target_count > 0]
        if not alerting:
            why = (
                "rule(s) "
                + ", ".join(f"{r.name} ({r.state.lower()}, {r.target_count} target(s))" for r in matching)
                + " do not alert"
                if matching
                else "no EventBridge rule matches the CloudTrail event"
            )
            out.fail(
                f"{region_name}: nobody is alerted when InvokeAgentRuntimeCommand is called ({why})",
                where,
                subject=region_name,
                fix=Fix(summary="Alert your security team on every shell command.", commands=list(ALERT_COMMANDS)),
            )
            continue
        trails = region.trails
        if trails.error is not None:
            out.note(f"{region_name}: rule {alerting[0].name}; CloudTrail not read ({trails.error.describe()})")
            continue
        logging = [t for t in trails.value or () if t.is_logging]
        if not logging:
            out.warn(
                f"{region_name}: rule {alerting[0].name} matches InvokeAgentRuntimeCommand but no CloudTrail trail is "
                "logging, so it never fires",
                where,
                subject=region_name,
                fix=Fix(
                    summary="Log management events with a trail (multi-region).",
                    commands=[
                        "aws cloudtrail create-trail --name management-events --s3-bucket-name <bucket> "
                        "--is-multi-region-trail",
                        "aws cloudtrail start-logging --name management-events",
                    ],
                ),
            )
        else:
            out.note(f"{region_name}: rule {alerting[0].name}, trail {logging[0].name} logging")
    if not out.items and unknowns:
        return unknown("; ".join(unknowns))
    return None


@rule(
    "CMD006",
    "command-injection",
    "critical",
    ("C",),
    "Shell command built from request data",
    family="Shell access",
    checklist=("shell.injection",),
    reads=("caller",),
    tools=("audit_code", "check_shell_access"),
)
def command_injection(facts: Facts, out: Findings) -> Verdict | None:
    r"""### What it does
    For every `invoke_agent_runtime_command` call (agent or caller code), follows the
    command (`body={"command": …}`, or the mistaken `command=` keyword) back through the
    function's assignments and module constants, and decides:

    - a literal (or built only from literals): pass;
    - validated: every variable part quoted with `shlex.quote`, or checked before the
      call by an `if`/`assert` that rejects the value (a pattern such as
      `[;&|`$<>\\\n]`, an allowlist `x not in ALLOWED`, or a function named like a
      validator): pass;
    - built from request data (a parameter of the function, `payload[…]`,
      `request.…`, `input()`, `sys.argv`) with no such check: fail;
    - built from something else that cannot be followed (another module's function,
      an environment variable): warn.

    ### Why is this bad?
    `InvokeAgentRuntimeCommand` runs the string as a shell command inside the live
    microVM with the runtime's execution role. `ls {path}` with `path = "x; curl … | sh"`
    gives the caller the role's credentials.

    ### Example
    ```python
    def run(path: str):
        client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body={"command": f"ls {path}"})
    ```

    ### Fix
    ```python
    body={"command": f"ls {shlex.quote(path)}"}
    ```
    or reject metacharacters first: `if re.search(r"[;&|`$<>\\\n]", path): raise ValueError("invalid path")`.

    ### References
    - agents-harden skill, "Shell Access" (validate commands built from user input)
    - agents-build skill, `references/integrate.md` ("Running shell commands")
    """
    from agentcore_readiness.checks.code_rule_bodies import cmd006

    return cmd006(facts, out)

"""IAM: the execution role's permissions, trust policy and the runtime resource policy.

The rules read the deployed execution role when AWS facts are available (inline and
attached policies, trust policy) and, offline, the policy documents of the project:
``additionalPolicies`` files, the CDK app's synthesised CloudFormation templates and
documents given to ``check_iam_scope``. When the deployed role of every runtime was
read, the project's own copies are not evaluated again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, skipped, unknown
from agentcore_readiness.facts.aws.model import AwsFacts
from agentcore_readiness.facts.project_policies import CDK_OUT, MODEL_ID, ModelRef, ProjectPolicies
from agentcore_readiness.iam_policy import (
    SourcedPolicy,
    Statement,
    allowing_statements,
    denied_everywhere,
    has_wildcard,
    render_policy,
    wildcard_match,
)
from agentcore_readiness.model import Fix, Location

if TYPE_CHECKING:
    from agentcore_readiness.facts.project.project_facts import Runtime

BEDROCK_INVOKE = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
ECR_PULL = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
AGENTCORE_SERVICE = "bedrock-agentcore.amazonaws.com"
BROAD_MANAGED = {
    "AdministratorAccess": "full access to every AWS service",
    "PowerUserAccess": "full access to every service except IAM and Organizations",
    "BedrockAgentCoreFullAccess": "every AgentCore action on every resource, shell access included",
}
# Regions a cross-region inference profile routes to, by its prefix. ``global.`` profiles
# route to any commercial region, hence ``*`` in the region (never in the model).
PROFILE_REGIONS: dict[str, tuple[str, ...]] = {
    "global": ("*",),
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
    "us-gov": ("us-gov-east-1", "us-gov-west-1"),
    "eu": (
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
    ),
    "apac": (
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
    ),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
    "ca": ("ca-central-1", "ca-west-1"),
}


def project_policies(facts: Facts) -> ProjectPolicies | None:
    return facts.policies


@dataclass(frozen=True)
class RoleView:
    """The permission policies of one execution role, from AWS or from the project."""

    subject: str
    source: Literal["aws", "project"]
    policies: tuple[SourcedPolicy, ...]
    location: Location
    role_name: str | None = None
    role_arn: str | None = None
    managed: tuple[tuple[str, Location], ...] = ()
    region: str | None = None
    account: str | None = None
    container: bool = False
    repository: str | None = None


@dataclass
class RoleViews:
    views: list[RoleView] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    skip_reason: str = ""


def _no_documents(aws_reason: str | None) -> str:
    offline = (
        f"the project has no execution-role policy documents (additionalPolicies JSON files, {CDK_OUT}/*.template.json); "
        "give policy documents to check_iam_scope to review them offline"
    )
    return f"{aws_reason}; {offline}" if aws_reason else offline


def _container_repository(uri: str | None) -> str | None:
    if not uri or "/" not in uri:
        return None
    repository = uri.split("/", 1)[1]
    return repository.split("@", 1)[0].rsplit(":", 1)[0]


def execution_roles(facts: Facts, group: str = "roles") -> RoleViews:
    """Every execution role the review can see, with what could not be read."""
    result = RoleViews()
    aws_reason: str | None = None
    state = facts.aws(group)
    project_runtimes = {r.name: r for r in facts.project.runtimes}
    covered: set[str] = set()
    if isinstance(state, AwsFacts):
        covered = _account_roles(state, project_runtimes, result)
    else:
        aws_reason = state
    _project_roles(facts, project_runtimes, covered, result)
    if not result.views and not result.unknowns:
        result.skip_reason = _no_documents(aws_reason)
    return result


def _account_roles(state: AwsFacts, project_runtimes: dict[str, Runtime], result: RoleViews) -> set[str]:
    """The execution roles of the account's runtimes, read from IAM; returns the project's
    runtimes they cover."""
    covered: set[str] = set()
    if state.runtimes.error is not None:
        result.unknowns.append(f"runtimes: {state.runtimes.error.describe()}")
    by_role: dict[str, list[Any]] = {}
    for runtime in state.runtimes.value or ():
        config = runtime.config
        if config.error is not None:
            result.unknowns.append(f"runtime {runtime.label}: {config.error.describe()}")
            continue
        if config.value is not None and config.value.role_arn:
            by_role.setdefault(config.value.role_arn, []).append(runtime)
    for arn, runtimes in by_role.items():
        role = state.roles.get(arn)
        labels = ", ".join(sorted({r.label for r in runtimes}))
        if role is None:
            result.unknowns.append(f"execution role {arn} of {labels} was not read")
            continue
        policies = role.permission_policies()
        if policies.error is not None:
            result.unknowns.append(f"execution role {role.name} of {labels}: {policies.error.describe()}")
            continue
        configs = [r.config.value for r in runtimes if r.config.value is not None]
        container = any(c.is_container for c in configs) or any(
            project_runtimes[r.project_runtime].is_container for r in runtimes if r.project_runtime in project_runtimes
        )
        result.views.append(
            RoleView(
                subject=f"execution role {role.name} (runtime {labels})",
                source="aws",
                policies=policies.value or (),
                location=role.location,
                role_name=role.name,
                role_arn=arn,
                managed=tuple((m, Location(arn=m)) for m in role.attached_arns),
                region=runtimes[0].region,
                account=state.account_id,
                container=container,
                repository=next((_container_repository(c.container_uri) for c in configs if c.container_uri), None),
            )
        )
        covered.update(r.project_runtime for r in runtimes if r.project_runtime)
    return covered


def _project_roles(facts: Facts, project_runtimes: dict[str, Runtime], covered: set[str], result: RoleViews) -> None:
    """The execution-role policies the project declares (templates, policy files), unless the
    account's roles cover every runtime; the policies given to the tool always."""
    policies_of_project = project_policies(facts)
    if policies_of_project is None:
        return
    all_covered = bool(project_runtimes) and set(project_runtimes) <= covered
    declared = () if all_covered else policies_of_project.permission
    managed = () if all_covered else policies_of_project.managed
    holders: dict[str | None, list[SourcedPolicy]] = {}
    for policy in declared:
        holders.setdefault(policy.holder, []).append(policy)
    if policies_of_project.given:
        holders.setdefault("the policies given to the tool", []).extend(policies_of_project.given)
    managed_by_holder: dict[str | None, list[tuple[str, Location]]] = {}
    for ref in managed:
        managed_by_holder.setdefault(ref.holder, []).append((ref.arn, ref.location))
    container_any = any(r.is_container for r in facts.project.runtimes)
    for holder in sorted(set(holders) | set(managed_by_holder), key=lambda h: h or ""):
        held = tuple(holders.get(holder, ()))
        runtime_of = project_runtimes.get(holder or "")
        location = held[0].location if held else managed_by_holder[holder][0][1]
        result.views.append(
            RoleView(
                subject=f"runtime {holder}" if runtime_of else (holder or "the project's execution role"),
                source="project",
                policies=held,
                location=location,
                managed=tuple(managed_by_holder.get(holder, ())),
                region=policies_of_project.region,
                account=policies_of_project.account,
                container=runtime_of.is_container if runtime_of else container_any,
                repository=policies_of_project.container_repositories.get(holder or "")
                or next(iter(policies_of_project.container_repositories.values()), None),
            )
        )


def role_rule(facts: Facts, out: Findings, check: Callable[[RoleView, Findings], None]) -> Verdict | None:
    roles = execution_roles(facts)
    if not roles.views and not roles.unknowns:
        return skipped(roles.skip_reason)
    for view in roles.views:
        before = len(out.items)
        check(view, out)
        if len(out.items) == before:
            out.note(
                f"{view.subject}: no finding ({len(view.policies)} polic{'y' if len(view.policies) == 1 else 'ies'})"
            )
    if not out.items and roles.unknowns:
        return unknown("; ".join(roles.unknowns))
    return None


def _arn_parts(pattern: str) -> list[str] | None:
    parts = pattern.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def model_segment_wildcard(pattern: str) -> bool:
    """Whether a Bedrock resource pattern leaves the model (or profile) open."""
    if pattern == "*":
        return True
    parts = _arn_parts(pattern)
    if parts is None:
        return has_wildcard(pattern)
    if not wildcard_match(parts[2], "bedrock"):
        return False
    resource = parts[5]
    kind, _, model = resource.partition("/")
    return has_wildcard(kind) or has_wildcard(model) or not model


def _statement_resources(statement: Statement) -> tuple[str, ...]:
    return statement.resources if statement.resources is not None else ("*",)


def _evidence(policy: SourcedPolicy, statement: Statement, pattern: str) -> str:
    text = f"{policy.describe}, {statement.label}: {statement.effect} via {pattern}"
    if statement.not_resources is not None:
        text += " on every resource except " + ", ".join(statement.not_resources)
    if statement.conditional:
        text += f"; conditions {statement.condition_text()}"
    return text


def scoped_bedrock_policy(model_ids: tuple[ModelRef, ...], region: str | None, account: str | None) -> dict[str, Any]:
    """The recommended policy: each model's inference profile and the foundation model in
    every region the profile routes to."""
    resources: list[str] = []
    home = region or "*"
    for ref in model_ids:
        value = ref.model_id
        if value.startswith("arn:"):
            resources.append(value)
            continue
        match = MODEL_ID.match(value)
        if match is None:
            continue
        geo, model = match.group("geo"), match.group("model")
        if geo:
            resources.append(f"arn:aws:bedrock:{home}:{account or '*'}:inference-profile/{value}")
            resources.extend(f"arn:aws:bedrock:{r}::foundation-model/{model}" for r in PROFILE_REGIONS.get(geo, ("*",)))
        else:
            resources.append(f"arn:aws:bedrock:{home}::foundation-model/{model}")
    if not resources:
        resources = [f"arn:aws:bedrock:{region or '<region>'}::foundation-model/<model-id>"]
    unique = list(dict.fromkeys(resources))
    return render_policy(
        [
            {
                "Sid": "InvokeTheAgentsModels",
                "Effect": "Allow",
                "Action": list(BEDROCK_INVOKE),
                "Resource": unique,
            }
        ]
    )


def _role_fix(view: RoleView, summary: str, policy: dict[str, Any], policy_name: str, file_name: str) -> Fix:
    if view.source == "aws" and view.role_name:
        commands = [
            f"aws iam put-role-policy --role-name {view.role_name} --policy-name {policy_name} "
            f"--policy-document file://{file_name}",
            f"aws iam list-role-policies --role-name {view.role_name}  # then remove or narrow the broad statement",
        ]
        text = (
            f"{summary} Save the policy below as {file_name} and attach it to {view.role_name}, then remove the "
            "broad statement. For a role the AgentCore CLI created, set `executionRoleArn` in agentcore.json to a "
            "role you manage with this policy (the CDK-generated role always carries the broad grant), then "
            "`agentcore deploy`."
        )
        return Fix(summary=text, commands=commands, policy=policy)
    return Fix(
        summary=f"{summary} Replace the broad statement with the policy below (or use it in the role you set as "
        "`executionRoleArn`), then `agentcore deploy`.",
        commands=["agentcore validate && agentcore deploy"],
        policy=policy,
    )


@rule(
    "IAM001",
    "bedrock-model-wildcard",
    "high",
    ("A", "P", "C"),
    "Execution role may invoke any Bedrock model",
    family="IAM",
    checklist=("iam.bedrock",),
    reads=("runtime",),
    aws=("runtimes", "roles"),
    policies=True,
    tools=("audit_code", "check_iam_scope"),
)
def bedrock_model_wildcard(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails when an Allow statement of the execution role covers `bedrock:InvokeModel` or
    `bedrock:InvokeModelWithResponseStream` (also through `bedrock:*`, `bedrock:Invoke*`
    or `*`) on a resource whose model part is a wildcard: `*`,
    `arn:aws:bedrock:*::foundation-model/*`, `…:inference-profile/*`, or a `NotResource`.
    It reads the deployed role (inline and attached policies) with AWS access, and the
    project's policy documents offline. Conditions are shown as evidence; an explicit
    Deny that covers the same resources cancels the finding.

    Offline, it also warns where the runtimes' code builds an agent or model client that
    names no model (a Strands `Agent()` without `model=`, a `BedrockModel()` without
    `model_id=`): "model not pinned: the role cannot be scoped", with the framework's
    default model named.

    ### Why is this bad?
    A prompt injection or a compromised dependency can then call any model in the
    account, including the most expensive ones, and the bill or the data exposure is
    not bounded by what the agent needs. The role the AgentCore CLI creates grants
    exactly this (`foundation-model/*` and `inference-profile/*`). An agent that relies on
    its framework's default model cannot be given a scoped role at all: the default
    changes with the SDK version and the region.

    ### Example
    ```json
    {"Effect": "Allow", "Action": ["bedrock:InvokeModel"], "Resource": "arn:aws:bedrock:*::foundation-model/*"}
    ```

    ### Fix
    Use the policy in the finding: it lists the model IDs found in the project's code
    and configuration, with the inference-profile ARN and the foundation-model ARN in
    every region a `global.`/`us.`/`eu.`/`apac.` profile routes to. Attach it to a role
    you manage (`executionRoleArn`) and drop the broad grant. Pin the model first where
    the code relies on a default: `Agent(model=BedrockModel(model_id="..."))`.

    ### References
    - agents-harden skill, "IAM: Scope down permissions"
    - agents-debug skill, cross-region inference profiles
    """
    policies = project_policies(facts)
    model_ids = policies.model_ids if policies else ()
    _unpinned_models(facts, out)

    def check(view: RoleView, findings: Findings) -> None:
        seen: set[tuple[int, int, str]] = set()
        for action in BEDROCK_INVOKE:
            for match in allowing_statements(view.policies, action):
                statement = match.statement
                for pattern in _statement_resources(statement):
                    if statement.not_resources is None and not model_segment_wildcard(pattern):
                        continue
                    if denied_everywhere(view.policies, action, pattern):
                        continue
                    key = (id(match.policy), statement.index, pattern)
                    if key in seen:
                        continue
                    seen.add(key)
                    shown = (
                        "every resource but " + ", ".join(statement.not_resources)
                        if statement.not_resources
                        else pattern
                    )
                    found = ", ".join(r.model_id for r in model_ids) or "none found in the code"
                    findings.fail(
                        f"{action} is allowed on {shown} by {view.subject}: any model, not just the agent's ({found})",
                        match.policy.location_of(statement),
                        subject=view.subject,
                        evidence=_evidence(match.policy, statement, match.pattern),
                        fix=_role_fix(
                            view,
                            "Scope Bedrock access to the models the agent uses.",
                            scoped_bedrock_policy(model_ids, view.region, view.account),
                            "ScopedBedrockModels",
                            "scoped-bedrock-policy.json",
                        ),
                    )

    return role_rule(facts, out, check)


def _unpinned_models(facts: Facts, out: Findings) -> None:
    """IAM001 offline: agents and model clients built without a model ID."""
    if facts.code is None:
        return
    from agentcore_readiness.checks.model_use import STRANDS_DEFAULT_MODEL, runtime_models

    for use in runtime_models(facts.code, facts.project):
        if use.pinned:
            continue
        out.warn(
            f"model not pinned: the role cannot be scoped: {use.framework} {use.built_with} names no model, so the "
            f"agent calls {use.default}",
            Location(path=use.path, line=use.line),
            severity="medium",
            fix=Fix(
                summary="Name the model the agent uses, e.g. "
                f'`Agent(model=BedrockModel(model_id="{STRANDS_DEFAULT_MODEL}"))` (today\'s default), then scope '
                "the execution role to it (check_iam_scope gives the policy)."
            ),
        )


def _repository_wildcard(pattern: str) -> bool:
    if pattern == "*":
        return True
    parts = _arn_parts(pattern)
    if parts is None:
        return has_wildcard(pattern)
    if not wildcard_match(parts[2], "ecr"):
        return False
    kind, _, name = parts[5].partition("/")
    return not name or name.strip("*") == "" or (has_wildcard(kind) and not name)


@rule(
    "IAM002",
    "ecr-repository-wildcard",
    "medium",
    ("A", "P"),
    "Execution role may pull from any ECR repository",
    family="IAM",
    checklist=("iam.ecr",),
    aws=("runtimes", "roles"),
    policies=True,
    tools=("check_iam_scope",),
)
def ecr_repository_wildcard(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For Container builds, fails when the execution role allows `ecr:BatchGetImage` or
    `ecr:GetDownloadUrlForLayer` on `*` or on `repository/*`. `ecr:GetAuthorizationToken`
    on `*` is fine: that action cannot be scoped to a resource.

    ### Why is this bad?
    The role can then pull every image in the account: a compromised agent reads other
    teams' images, with whatever secrets were baked into them.

    ### Example
    ```json
    {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "*"}
    ```

    ### Fix
    Scope the statement to the agent's repository:
    `arn:aws:ecr:<region>:<account>:repository/<project>/<agent>` (the CLI's naming, in
    lower case).

    ### References
    - agents-harden skill, "ECR access: Scope to your specific repository"
    """
    containers = [r for r in facts.project.runtimes if r.is_container]
    state = facts.aws("roles")
    if isinstance(state, AwsFacts):
        deployed_container = any(
            r.config.value is not None and r.config.value.is_container for r in state.runtimes.value or ()
        )
    else:
        deployed_container = False
    if not containers and not deployed_container:
        return not_applicable("no runtime uses a Container build (CodeZip runtimes pull no image)")

    def check(view: RoleView, findings: Findings) -> None:
        if not view.container:
            return
        seen: set[tuple[int, int, str]] = set()
        for action in ECR_PULL:
            for match in allowing_statements(view.policies, action):
                statement = match.statement
                for pattern in _statement_resources(statement):
                    if statement.not_resources is None and not _repository_wildcard(pattern):
                        continue
                    key = (id(match.policy), statement.index, pattern)
                    if key in seen:
                        continue
                    seen.add(key)
                    repository = view.repository or "<project>/<agent>"
                    scoped = render_policy(
                        [
                            {
                                "Effect": "Allow",
                                "Action": list(ECR_PULL),
                                "Resource": f"arn:aws:ecr:{view.region or '<region>'}:{view.account or '<account-id>'}:"
                                f"repository/{repository}",
                            },
                            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                        ]
                    )
                    findings.fail(
                        f"{action} is allowed on {pattern} by {view.subject}: every image in the account",
                        match.policy.location_of(statement),
                        subject=view.subject,
                        evidence=_evidence(match.policy, statement, match.pattern),
                        fix=_role_fix(
                            view, "Pull only the agent's repository.", scoped, "ScopedEcrPull", "ecr-pull-policy.json"
                        ),
                    )

    return role_rule(facts, out, check)


def _trust_views(
    facts: Facts,
) -> tuple[list[tuple[str, SourcedPolicy, str | None, Literal["aws", "project"]]], list[str], str]:
    views: list[tuple[str, SourcedPolicy, str | None, Literal["aws", "project"]]] = []
    unknowns: list[str] = []
    covered: set[str] = set()
    aws_reason: str | None = None
    state = facts.aws("roles")
    if isinstance(state, AwsFacts):
        if state.runtimes.error is not None:
            unknowns.append(f"runtimes: {state.runtimes.error.describe()}")
        seen: set[str] = set()
        for runtime in state.runtimes.value or ():
            if runtime.config.error is not None:
                unknowns.append(f"runtime {runtime.label}: {runtime.config.error.describe()}")
                continue
            arn = runtime.config.value.role_arn if runtime.config.value else None
            if not arn or arn in seen:
                continue
            seen.add(arn)
            role = state.roles.get(arn)
            if role is None or role.trust.error is not None or role.trust.value is None:
                why = role.trust.error.describe() if role and role.trust.error else "not read"
                unknowns.append(f"trust policy of {arn}: {why}")
                continue
            views.append((f"execution role {role.name}", role.trust.value, role.name, "aws"))
            if runtime.project_runtime:
                covered.add(runtime.project_runtime)
    else:
        aws_reason = state
    policies = project_policies(facts)
    if policies is not None:
        all_covered = bool(facts.project.runtimes) and {r.name for r in facts.project.runtimes} <= covered
        for policy in policies.trust:
            if all_covered and policy.kind == "template":
                continue
            views.append((f"trust policy {policy.name}", policy, None, "project"))
    skip = "" if views or unknowns else _no_documents(aws_reason)
    return views, unknowns, skip


def trust_policy_template(account: str | None, region: str | None) -> dict[str, Any]:
    account_id = account or "<account-id>"
    return render_policy(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": AGENTCORE_SERVICE},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:{region or '<region>'}:{account_id}:*"},
                },
            }
        ]
    )


def _scoping_value(statement: Statement, key: str) -> bool:
    entry = statement.condition_keys().get(key)
    return entry is not None and any(v and v != "*" for v in entry[2])


@rule(
    "IAM003",
    "trust-policy-unscoped",
    "high",
    ("A", "P"),
    "Execution role trust policy not scoped to the account",
    family="IAM",
    checklist=("iam.trust",),
    aws=("runtimes", "roles"),
    policies=True,
    tools=("check_iam_scope",),
)
def trust_policy_unscoped(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For every statement of the execution role's trust policy that lets
    `bedrock-agentcore.amazonaws.com` assume the role, checks for an
    `aws:SourceAccount` condition and an `aws:SourceArn` condition
    (`arn:aws:bedrock-agentcore:<region>:<account>:*`). Neither: fail. Only one: warn.

    ### Why is this bad?
    Without them the AgentCore service may assume the role on behalf of any account's
    runtime that names it (the confused-deputy problem). The role the AgentCore CLI
    creates has no condition.

    ### Example
    ```json
    {"Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ```

    ### Fix
    Add both conditions (the finding carries the document):
    `aws iam update-assume-role-policy --role-name <role> --policy-document file://trust-policy.json`.

    ### References
    - agents-harden skill, "Trust policy: Verify the execution role's trust policy is scoped to your account"
    """
    views, unknowns, skip = _trust_views(facts)
    if not views and not unknowns:
        return skipped(skip)
    read = facts.aws("roles")
    state = read if isinstance(read, AwsFacts) else None
    policies = project_policies(facts)
    account = (state.account_id if state else None) or (policies.account if policies else None)
    region = (state.region if state else None) or (policies.region if policies else None)
    for subject, policy, role_name, source in views:
        relevant = [
            s
            for s in policy.document.statements
            if s.effect == "Allow"
            and AGENTCORE_SERVICE in s.principal_values("Service")
            and s.covers_action("sts:AssumeRole")
        ]
        if not relevant:
            out.note(f"{subject}: does not trust {AGENTCORE_SERVICE}")
            continue
        for statement in relevant:
            has_account = _scoping_value(statement, "aws:sourceaccount")
            has_arn = _scoping_value(statement, "aws:sourcearn")
            if has_account and has_arn:
                out.note(f"{subject}: {statement.label} scoped by aws:SourceAccount and aws:SourceArn")
                continue
            missing = " and ".join(
                n for n, ok in (("aws:SourceAccount", has_account), ("aws:SourceArn", has_arn)) if not ok
            )
            commands = (
                [
                    f"aws iam update-assume-role-policy --role-name {role_name} --policy-document file://trust-policy.json"
                ]
                if source == "aws" and role_name
                else ["agentcore validate && agentcore deploy"]
            )
            out.add(
                "fail" if not has_account and not has_arn else "warn",
                f"{subject} lets {AGENTCORE_SERVICE} assume it without {missing}: any account's runtime could use it",
                policy.location_of(statement),
                subject=subject,
                evidence=f"{policy.describe}, {statement.label}"
                + (f"; conditions {statement.condition_text()}" if statement.conditional else "; no condition"),
                fix=Fix(
                    summary="Scope the trust policy to your account and its AgentCore runtimes (save the document as "
                    "trust-policy.json).",
                    commands=commands,
                    policy=trust_policy_template(account, region),
                ),
            )
    if not out.items and unknowns:
        return unknown("; ".join(unknowns))
    return None


@rule(
    "IAM004",
    "runtime-resource-policy-open",
    "high",
    ("A",),
    "Runtime resource policy open to everyone",
    family="IAM",
    aws=("runtimes", "resource_policies"),
    tools=("check_iam_scope",),
)
def runtime_resource_policy_open(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Reads each deployed runtime's resource-based policy (`GetResourcePolicy`) and fails
    on an Allow statement whose principal is `"*"` (or `{"AWS": "*"}`) with no
    condition. A runtime without a resource policy passes (it is optional).

    ### Why is this bad?
    A public Allow lets principals of any AWS account invoke the runtime if its
    authorizer accepts them, and it overrides the intent of your identity policies.

    ### Example
    ```json
    {"Effect": "Allow", "Principal": "*", "Action": "bedrock-agentcore:InvokeAgentRuntime", "Resource": "*"}
    ```

    ### Fix
    Name the principals, or add an `aws:PrincipalAccount` / `aws:SourceVpce` condition:
    `aws bedrock-agentcore-control put-resource-policy --resource-arn <runtime-arn>
    --policy file://runtime-policy.json` (there is no "PutAgentRuntimeResourcePolicy").

    ### References
    - agents-harden skill, "Runtime resource-based policies"; AgentCore `PutResourcePolicy` API
    """
    state = facts.aws_gathered("resource_policies")
    if state.runtimes.error is not None:
        return unknown(f"runtimes: {state.runtimes.error.describe()}")
    runtimes = state.runtimes.value or ()
    if not runtimes:
        return not_applicable("no deployed runtime was found (deploy first, or name runtimes with --runtime-arn)")
    unknowns: list[str] = []
    for runtime in runtimes:
        failure = runtime.config.error or runtime.resource_policy.error
        if failure is not None:
            unknowns.append(f"{runtime.label}: {failure.describe()}")
            continue
        policy = runtime.resource_policy.value
        if policy is None:
            out.note(f"{runtime.label}: no resource policy")
            continue
        open_statements = [
            s for s in policy.document.statements if s.effect == "Allow" and s.is_public() and not s.conditional
        ]
        for statement in open_statements:
            out.fail(
                f'runtime {runtime.label}\'s resource policy allows everyone (Principal "*") with no condition',
                runtime.location,
                subject=runtime.label,
                evidence=f"{statement.label}: actions {', '.join(statement.actions or ('NotAction',))}",
                fix=Fix(
                    summary="Name the principals that may invoke the runtime, or add an aws:PrincipalAccount "
                    "condition, and put the policy back.",
                    commands=[
                        f"aws bedrock-agentcore-control put-resource-policy --resource-arn {runtime.arn} "
                        "--policy file://runtime-policy.json"
                    ],
                    policy=render_policy(
                        [
                            {
                                "Effect": "Allow",
                                "Principal": {
                                    "AWS": f"arn:aws:iam::{state.account_id or '<account-id>'}:role/<caller-role>"
                                },
                                "Action": "bedrock-agentcore:InvokeAgentRuntime",
                                "Resource": runtime.arn,
                            }
                        ]
                    ),
                ),
            )
        if not open_statements:
            out.note(f"{runtime.label}: resource policy names its principals or has conditions")
    if not out.items and unknowns:
        return unknown("; ".join(unknowns))
    return None


def _managed_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


@rule(
    "IAM005",
    "execution-role-overprivileged",
    "critical",
    ("A", "P"),
    "Execution role with administrator-level permissions",
    family="IAM",
    aws=("runtimes", "roles"),
    policies=True,
    tools=("check_iam_scope",),
)
def execution_role_overprivileged(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails when the execution role allows `Action: "*"` on `Resource: "*"` (or an Allow
    with `NotAction` on every resource), or has AdministratorAccess, PowerUserAccess or
    BedrockAgentCoreFullAccess attached.

    ### Why is this bad?
    The execution role's credentials are inside the runtime: anyone who can make the
    agent run code (a prompt injection, a malicious tool, shell access through
    `InvokeAgentRuntimeCommand`) gets administrator rights over the account.

    ### Example
    An execution role with `arn:aws:iam::aws:policy/AdministratorAccess` attached.

    ### Fix
    Detach the broad policy (`aws iam detach-role-policy --role-name <role> --policy-arn <arn>`)
    and grant only what the agent calls: Bedrock models, its memory, its logs.

    ### References
    - agents-harden skill, "IAM: Scope down permissions"
    """

    def check(view: RoleView, findings: Findings) -> None:
        for arn, location in view.managed:
            name = _managed_name(arn)
            if name in BROAD_MANAGED and ":iam::aws:policy/" in arn:
                commands = (
                    [f"aws iam detach-role-policy --role-name {view.role_name} --policy-arn {arn}"]
                    if view.source == "aws" and view.role_name
                    else ["agentcore validate && agentcore deploy"]
                )
                findings.fail(
                    f"{view.subject} has {name} attached: {BROAD_MANAGED[name]}",
                    location,
                    subject=view.subject,
                    evidence=arn,
                    fix=Fix(
                        summary=f"Detach {name} (remove it from additionalPolicies or the template) and grant only "
                        "the actions the agent calls.",
                        commands=commands,
                    ),
                )
        for policy in view.policies:
            for statement in policy.document.statements:
                if statement.effect != "Allow":
                    continue
                everything = statement.actions is not None and any(a.strip() in ("*", "*:*") for a in statement.actions)
                not_action = statement.not_actions is not None
                on_all = statement.not_resources is not None or "*" in (statement.resources or ())
                if not on_all or not (everything or not_action):
                    continue
                what = "Every action" if everything else "Every action except " + ", ".join(statement.not_actions or ())
                findings.add(
                    "warn" if statement.conditional else "fail",
                    f"{what} is allowed on every resource by {view.subject}",
                    policy.location_of(statement),
                    subject=view.subject,
                    evidence=_evidence(policy, statement, "*" if everything else "NotAction"),
                    fix=Fix(
                        summary="Replace the statement with the actions and resources the agent uses "
                        "(Bedrock models, its memory, logs and traces).",
                        commands=(
                            [f"aws iam list-role-policies --role-name {view.role_name}"]
                            if view.source == "aws" and view.role_name
                            else ["agentcore validate && agentcore deploy"]
                        ),
                    ),
                )

    return role_rule(facts, out, check)

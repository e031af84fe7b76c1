"""IAM: execution roles (trust, inline and attached policies, each managed policy read once)
and the account's principals for the shell-access rules."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    CallFailed,
    sourced,
)
from agentcore_readiness.facts.aws.model import (
    AccountIam,
    Fetched,
    Principal,
    RoleFacts,
)
from agentcore_readiness.iam_policy import SourcedPolicy
from agentcore_readiness.model import Location


def role_facts(aws: AwsCalls, arn: str) -> RoleFacts:
    return aws.memo(("role", arn), lambda: _read_role(aws, arn))


def _read_role(aws: AwsCalls, arn: str) -> RoleFacts:
    name = arn.rsplit("/", 1)[-1]
    location = Location(arn=arn)

    def trust() -> SourcedPolicy:
        role = aws.call("iam", aws.region, "GetRole", RoleName=name).get("Role", {})
        return sourced(
            role.get("AssumeRolePolicyDocument"), f"trust policy of {name}", "trust", location, arn, holder=name
        )

    def inline() -> tuple[SourcedPolicy, ...]:
        names = [
            policy_name
            for page in aws.pages("iam", aws.region, "ListRolePolicies", RoleName=name)
            for policy_name in page.get("PolicyNames", [])
        ]
        found = []
        for policy_name in names:
            response = aws.call("iam", aws.region, "GetRolePolicy", RoleName=name, PolicyName=policy_name)
            found.append(
                sourced(response.get("PolicyDocument"), str(policy_name), "inline", location, arn, holder=name)
            )
        return tuple(found)

    attached_arns: list[str] = []

    def attached() -> tuple[SourcedPolicy, ...]:
        for page in aws.pages("iam", aws.region, "ListAttachedRolePolicies", RoleName=name):
            attached_arns.extend(str(p.get("PolicyArn")) for p in page.get("AttachedPolicies", []))
        return tuple(_managed_policy(aws, policy_arn, holder=name) for policy_arn in attached_arns)

    return RoleFacts(
        arn=arn,
        name=name,
        trust=aws.attempt(trust, "iam", "GetRole"),
        inline=aws.attempt(inline, "iam", "GetRolePolicy"),
        attached=aws.attempt(attached, "iam", "GetPolicyVersion"),
        attached_arns=tuple(attached_arns),
    )


def _managed_policy(aws: AwsCalls, arn: str, holder: str | None = None) -> SourcedPolicy:
    policy = aws.memo(("policy", arn), lambda: _read_managed_policy(aws, arn))
    return replace(policy, holder=holder) if holder else policy


def _read_managed_policy(aws: AwsCalls, arn: str) -> SourcedPolicy:
    meta = aws.call("iam", aws.region, "GetPolicy", PolicyArn=arn).get("Policy", {})
    version = str(meta.get("DefaultVersionId") or "v1")
    document = (
        aws.call("iam", aws.region, "GetPolicyVersion", PolicyArn=arn, VersionId=version)
        .get("PolicyVersion", {})
        .get("Document")
    )
    kind = "aws-managed" if ":iam::aws:policy/" in arn else "customer-managed"
    return sourced(document, str(meta.get("PolicyName") or arn.rsplit("/", 1)[-1]), kind, Location(arn=arn), arn)


def account_iam_facts(aws: AwsCalls) -> Fetched[AccountIam]:
    return aws.attempt(partial(_read_account_iam, aws), "iam", "GetAccountAuthorizationDetails")


def _read_account_iam(aws: AwsCalls) -> AccountIam:
    users, roles, groups, local = _authorization_details(aws)
    customer = _customer_policies(local)
    managed, unread = _managed_policies(aws, (*users, *roles, *groups), customer)
    attachments: dict[str, list[str]] = {}
    principals = _principals(users, roles, groups, managed, attachments)
    return AccountIam(
        principals=tuple(principals),
        customer_policies=tuple(customer.values()),
        attachments={k: tuple(v) for k, v in attachments.items()},
        unread_policies=tuple(unread),
    )


_Details = list[dict[str, Any]]


def _authorization_details(aws: AwsCalls) -> tuple[_Details, _Details, _Details, _Details]:
    """The account's users, roles, groups and customer-managed policies, every page read."""
    users: _Details = []
    roles: _Details = []
    groups: _Details = []
    local: _Details = []
    for page in aws.pages(
        "iam",
        aws.region,
        "GetAccountAuthorizationDetails",
        Filter=["User", "Role", "Group", "LocalManagedPolicy"],
    ):
        users.extend(page.get("UserDetailList", []))
        roles.extend(page.get("RoleDetailList", []))
        groups.extend(page.get("GroupDetailList", []))
        local.extend(page.get("Policies", []))
    return users, roles, groups, local


def _customer_policies(local: _Details) -> dict[str, SourcedPolicy]:
    """The default version of each customer-managed policy, by ARN; one that cannot be read is left out."""
    customer: dict[str, SourcedPolicy] = {}
    for item in local:
        arn = str(item.get("Arn"))
        document = next(
            (v.get("Document") for v in item.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None
        )
        if document is None:
            continue
        try:
            customer[arn] = sourced(
                document,
                str(item.get("PolicyName") or arn.rsplit("/", 1)[-1]),
                "customer-managed",
                Location(arn=arn),
                arn,
            )
        except CallFailed:
            continue
    return customer


def _managed_policies(
    aws: AwsCalls, details: tuple[dict[str, Any], ...], customer: dict[str, SourcedPolicy]
) -> tuple[dict[str, SourcedPolicy], list[str]]:
    """Every policy attached to a principal, by ARN (the AWS-managed ones read concurrently), and those unread."""
    aws_managed = sorted(
        {
            str(p.get("PolicyArn"))
            for detail in details
            for p in detail.get("AttachedManagedPolicies", [])
            if str(p.get("PolicyArn")) not in customer
        }
    )
    fetched = aws.run_all(
        [partial(aws.attempt, partial(_managed_policy, aws, arn), "iam", "GetPolicyVersion") for arn in aws_managed]
    )
    managed: dict[str, SourcedPolicy] = dict(customer)
    unread: list[str] = []
    for arn, result in zip(aws_managed, fetched, strict=True):
        if result.value is not None:
            managed[arn] = result.value
        else:
            unread.append(arn)
    return managed, unread


def _principals(
    users: _Details,
    roles: _Details,
    groups: _Details,
    managed: dict[str, SourcedPolicy],
    attachments: dict[str, list[str]],
) -> list[Principal]:
    """The groups, roles and users with their policies (a user's include its groups'); fills ``attachments``."""
    group_policies: dict[str, list[SourcedPolicy]] = {}
    principals: list[Principal] = []
    for detail in groups:
        arn, name, policies = _principal_policies(detail, "group", "GroupPolicyList", managed, attachments)
        group_policies[name] = policies
        principals.append(Principal(arn=arn, kind="group", name=name, policies=tuple(policies)))
    for detail in roles:
        arn, name, policies = _principal_policies(detail, "role", "RolePolicyList", managed, attachments)
        principals.append(Principal(arn=arn, kind="role", name=name, policies=tuple(policies)))
    for detail in users:
        arn, name, policies = _principal_policies(detail, "user", "UserPolicyList", managed, attachments)
        for group in detail.get("GroupList", []):
            policies.extend(group_policies.get(str(group), []))
        principals.append(Principal(arn=arn, kind="user", name=name, policies=tuple(policies)))
    return principals


def _principal_policies(
    detail: dict[str, Any],
    kind: str,
    inline_key: str,
    managed: dict[str, SourcedPolicy],
    attachments: dict[str, list[str]],
) -> tuple[str, str, list[SourcedPolicy]]:
    """A principal's ARN, name, and inline and attached policies; records its attachments in ``attachments``."""
    arn = str(detail.get("Arn"))
    name = str(detail.get(f"{kind.capitalize()}Name") or arn.rsplit("/", 1)[-1])
    policies: list[SourcedPolicy] = []
    for inline in detail.get(inline_key, []):
        try:
            policies.append(
                sourced(
                    inline.get("PolicyDocument"),
                    str(inline.get("PolicyName")),
                    "inline",
                    Location(arn=arn),
                    arn,
                    holder=name,
                )
            )
        except CallFailed:
            continue
    for attached in detail.get("AttachedManagedPolicies", []):
        policy_arn = str(attached.get("PolicyArn"))
        attachments.setdefault(policy_arn, []).append(arn)
        if policy_arn in managed:
            policies.append(replace(managed[policy_arn], holder=name))
    return arn, name, policies

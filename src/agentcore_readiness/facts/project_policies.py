"""IAM policy documents and model IDs from the project itself, for the offline IAM rules.

A user without AWS access gets the same IAM and shell-access rules over:

* the JSON files that runtimes name in ``additionalPolicies`` (ARNs there are kept as
  references: AdministratorAccess is recognisable by name);
* CloudFormation templates synthesised by the CLI's CDK app
  (``agentcore/cdk/cdk.out/*.template.json``) or given by the user: roles with their
  trust policy, inline policies and managed-policy ARNs, and ``AWS::IAM::Policy`` /
  ``AWS::IAM::ManagedPolicy`` resources attached to them;
* policy documents given to the tool as JSON text or as files: a policy document, a
  template, or the output of ``aws iam get-role`` / ``get-policy-version`` /
  ``get-role-policy``.

It also finds the Bedrock model IDs the agent uses (string literals in agent code,
runtime environment variable values) so IAM001 can propose a scoped policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcore_readiness.facts.files import FileReadError, read_text, rel_posix
from agentcore_readiness.facts.jsonloc import JsonLoadError, LocatedJson, loads_located, pointer
from agentcore_readiness.iam_policy import PolicyKind, PolicyParseError, SourcedPolicy, parse_policy
from agentcore_readiness.model import FactError, Location

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CodeIndex
    from agentcore_readiness.facts.project.project_facts import ProjectFacts

AGENTCORE_SERVICE = "bedrock-agentcore.amazonaws.com"
CDK_OUT = "agentcore/cdk/cdk.out"
MAX_TEMPLATES = 20

_GEOS = "global|us|eu|apac|jp|au|ca|us-gov"
_PROVIDERS = (
    "anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|twelvelabs|stability|moonshot|"
    "google|minimax|nvidia|luma"
)
MODEL_ID = re.compile(
    rf"^(?:(?P<geo>{_GEOS})\.)?(?P<model>(?:{_PROVIDERS})\.[A-Za-z0-9][A-Za-z0-9._:-]*-[A-Za-z0-9._:-]+)$"
)
MODEL_ARN = re.compile(
    r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:"
    r"(?:foundation-model|inference-profile|application-inference-profile)/[A-Za-z0-9._:/-]+$"
)


@dataclass(frozen=True)
class PolicyInput:
    """A policy given to the tool: JSON text, or a file path (relative to the project root)."""

    text: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class ModelRef:
    model_id: str
    """As written: ``global.anthropic.claude-…``, ``anthropic.claude-…`` or a Bedrock ARN."""
    path: str
    line: int | None


@dataclass(frozen=True)
class ManagedPolicyRef:
    arn: str
    holder: str
    """The runtime or role it is attached to."""
    location: Location


@dataclass(frozen=True)
class ProjectPolicies:
    permission: tuple[SourcedPolicy, ...] = ()
    """Permission policies of execution roles (template roles trusting AgentCore, additionalPolicies files)."""
    trust: tuple[SourcedPolicy, ...] = ()
    """Trust policies of execution roles."""
    other: tuple[SourcedPolicy, ...] = ()
    """Other policies in templates (for the shell-access rules)."""
    given: tuple[SourcedPolicy, ...] = ()
    """Permission policies the user gave to the tool (text or files)."""
    managed: tuple[ManagedPolicyRef, ...] = ()
    model_ids: tuple[ModelRef, ...] = ()
    errors: tuple[FactError, ...] = ()
    sources: tuple[str, ...] = ()
    """What was read, for the rules' notes."""
    region: str | None = None
    account: str | None = None
    container_repositories: Mapping[str, str] = field(default_factory=dict)

    @property
    def execution_policies(self) -> tuple[SourcedPolicy, ...]:
        return (*self.permission, *self.given)

    @property
    def all_policies(self) -> tuple[SourcedPolicy, ...]:
        return (*self.permission, *self.other, *self.given)


class _Collector:
    def __init__(self, project: ProjectFacts) -> None:
        self.project = project
        self.root = project.root
        self.permission: list[SourcedPolicy] = []
        self.trust: list[SourcedPolicy] = []
        self.other: list[SourcedPolicy] = []
        self.given: list[SourcedPolicy] = []
        self.managed: list[ManagedPolicyRef] = []
        self.errors: list[FactError] = []
        self.sources: list[str] = []
        self.region: str | None = None
        self.account: str | None = None
        for target in project.aws_targets:
            self.region = self.region or (target.get("region") if isinstance(target.get("region"), str) else None)
            self.account = self.account or (target.get("account") if isinstance(target.get("account"), str) else None)
        for runtime in project.runtimes:
            self.region = self.region or runtime.region
            self.account = self.account or runtime.account

    def error(self, source: str, message: str, line: int | None = None, ptr: str | None = None) -> None:
        self.errors.append(
            FactError(
                source=source, message=message, location=Location(path=source, line=line, pointer=ptr), fact="iam"
            )
        )

    def read_json(self, rel: str) -> LocatedJson | None:
        path = self.root / rel
        try:
            text_file = read_text(self.root, path)
        except FileReadError as exc:
            self.error(exc.rel_path, exc.message, exc.line)
            return None
        try:
            return loads_located(text_file.text)
        except JsonLoadError as exc:
            self.error(rel, exc.message, exc.line)
            return None

    def policy(
        self,
        value: Any,
        name: str,
        kind: PolicyKind,
        location: Location,
        doc: LocatedJson | None,
        base: str,
        holder: str | None = None,
    ) -> SourcedPolicy | None:
        try:
            document = parse_policy(value if isinstance(value, (str, Mapping)) else {})
        except PolicyParseError as exc:
            self.error(location.path or "policy", f"{name}: {exc}", location.line, location.pointer)
            return None
        lines: tuple[int | None, ...] = ()
        if doc is not None and isinstance(value, Mapping):
            statements = value.get("Statement")
            if isinstance(statements, list):
                lines = tuple(doc.line_of(f"{base}/Statement/{i}") for i in range(len(statements)))
            else:
                lines = (doc.line_of(f"{base}/Statement"),)
        return SourcedPolicy(
            name=name, kind=kind, document=document, location=location, holder=holder, statement_lines=lines
        )

    # -- additionalPolicies

    def additional_policies(self) -> None:
        for runtime in self.project.runtimes:
            for index, entry in enumerate(runtime.additional_policies):
                where = runtime.where.at("additionalPolicies", index)
                if entry.startswith("arn:"):
                    self.managed.append(ManagedPolicyRef(entry, runtime.name, where))
                    continue
                rel = self._relative(entry, runtime.code_location)
                if rel is None:
                    self.error(
                        where.path or "agentcore.json",
                        f"additionalPolicies entry {entry!r} does not exist",
                        where.line,
                        where.pointer,
                    )
                    continue
                doc = self.read_json(rel)
                if doc is None:
                    continue
                self.sources.append(rel)
                policy = self.policy(doc.value, rel, "file", Location(path=rel, line=1), doc, "", holder=runtime.name)
                if policy is not None:
                    self.permission.append(policy)

    def _relative(self, entry: str, code_location: str | None) -> str | None:
        candidates = []
        if code_location and code_location != ".":
            candidates.append(f"{code_location}/{entry}")
        candidates.append(entry)
        for candidate in candidates:
            path = (self.root / candidate).resolve()
            if path.is_file() and path.is_relative_to(self.root):
                return rel_posix(self.root, path)
        return None

    # -- CloudFormation templates

    def templates(self) -> None:
        directory = self.root / CDK_OUT
        if not directory.is_dir():
            return
        try:
            found = sorted(p for p in directory.glob("*.template.json") if p.is_file())
        except OSError:
            return
        for path in found[:MAX_TEMPLATES]:
            rel = rel_posix(self.root, path)
            doc = self.read_json(rel)
            if doc is not None:
                self.template(doc, rel, given=False)

    def template(self, doc: LocatedJson, rel: str, given: bool) -> None:
        resources = doc.value.get("Resources") if isinstance(doc.value, Mapping) else None
        if not isinstance(resources, Mapping):
            return
        self.sources.append(rel)
        template = _Template(
            doc,
            rel,
            resources,
            _Renderer(self.region, self.account),
            [k for k, v in resources.items() if isinstance(v, Mapping) and v.get("Type") == "AWS::IAM::Role"],
            _runtime_roles(resources),
        )
        self._trust_policies(template)
        self._role_policies(template)
        self._policy_resources(template, given)

    def _trust_policies(self, template: _Template) -> None:
        """The roles' trust policies; a role AgentCore may assume joins the execution roles."""
        doc, rel, resources, render = template.doc, template.rel, template.resources, template.render
        for logical_id in template.role_ids:
            props = resources[logical_id].get("Properties")
            if not isinstance(props, Mapping):
                continue
            trust_value = render.value(props.get("AssumeRolePolicyDocument"))
            base = pointer("Resources", logical_id, "Properties")
            trust = self.policy(
                trust_value,
                f"{logical_id} trust policy",
                "template",
                Location(
                    path=rel,
                    line=doc.line_of(base + "/AssumeRolePolicyDocument"),
                    pointer=base + "/AssumeRolePolicyDocument",
                ),
                doc,
                base + "/AssumeRolePolicyDocument",
                holder=logical_id,
            )
            if trust is not None and _trusts_agentcore(trust):
                template.execution_roles.add(logical_id)
                self.trust.append(trust)

    def _role_policies(self, template: _Template) -> None:
        """The roles' inline policies, and the managed policies of the execution roles."""
        doc, rel, resources, render = template.doc, template.rel, template.resources, template.render
        execution_roles = template.execution_roles
        for logical_id in template.role_ids:
            props = resources[logical_id].get("Properties")
            if not isinstance(props, Mapping):
                continue
            sink = self.permission if logical_id in execution_roles else self.other
            base = pointer("Resources", logical_id, "Properties")
            for index, inline in enumerate(props.get("Policies") or []):
                if not isinstance(inline, Mapping):
                    continue
                ptr = f"{base}/Policies/{index}/PolicyDocument"
                policy = self.policy(
                    render.value(inline.get("PolicyDocument")),
                    str(inline.get("PolicyName") or f"{logical_id} policy {index}"),
                    "template",
                    Location(path=rel, line=doc.line_of(ptr), pointer=ptr),
                    doc,
                    ptr,
                    holder=logical_id,
                )
                if policy is not None:
                    sink.append(policy)
            for index, managed in enumerate(props.get("ManagedPolicyArns") or []):
                arn = render.text(managed)
                if logical_id in execution_roles:
                    ptr = f"{base}/ManagedPolicyArns/{index}"
                    self.managed.append(
                        ManagedPolicyRef(arn, logical_id, Location(path=rel, line=doc.line_of(ptr), pointer=ptr))
                    )

    def _policy_resources(self, template: _Template, given: bool) -> None:
        """``AWS::IAM::Policy`` and ``AWS::IAM::ManagedPolicy`` resources, by the roles they attach to
        (a policy given on its own, attached to none, counts as the execution role's)."""
        doc, rel, resources, render = template.doc, template.rel, template.resources, template.render
        execution_roles = template.execution_roles
        for logical_id, resource in resources.items():
            if not isinstance(resource, Mapping) or resource.get("Type") not in (
                "AWS::IAM::Policy",
                "AWS::IAM::ManagedPolicy",
            ):
                continue
            props = resource.get("Properties")
            if not isinstance(props, Mapping):
                continue
            attached_to = [render.ref_target(r) for r in props.get("Roles") or []]
            ptr = pointer("Resources", logical_id, "Properties", "PolicyDocument")
            holder = next((r for r in attached_to if r in execution_roles), attached_to[0] if attached_to else None)
            policy = self.policy(
                render.value(props.get("PolicyDocument")),
                str(props.get("PolicyName") or props.get("ManagedPolicyName") or logical_id),
                "template",
                Location(path=rel, line=doc.line_of(ptr), pointer=ptr),
                doc,
                ptr,
                holder=holder,
            )
            if policy is None:
                continue
            if any(r in execution_roles for r in attached_to) or (given and not attached_to):
                self.permission.append(policy)
            else:
                self.other.append(policy)

    # -- documents given to the tool

    def given_input(self, item: PolicyInput, index: int) -> None:
        if item.path is not None:
            rel = self._given_path(item.path)
            if rel is None:
                return
            doc = self.read_json(rel)
            label = rel
            location = Location(path=rel, line=1)
        else:
            text = item.text or ""
            label = f"<policies[{index}]>"
            location = Location(path=label, line=1)
            try:
                doc = loads_located(text.strip())
            except JsonLoadError as exc:
                self.error(label, exc.message, exc.line)
                return
        if doc is None:
            return
        self.sources.append(label)
        value = doc.value
        if isinstance(value, Mapping) and isinstance(value.get("Resources"), Mapping):
            self.template(doc, label, given=True)
            return
        base = ""
        for wrapper, inner in (("Role", "AssumeRolePolicyDocument"), ("PolicyVersion", "Document")):
            if isinstance(value, Mapping) and isinstance(value.get(wrapper), Mapping) and inner in value[wrapper]:
                base = pointer(wrapper, inner)
                value = value[wrapper][inner]
                break
        else:
            if isinstance(value, Mapping) and "PolicyDocument" in value and "Statement" not in value:
                base = "/PolicyDocument"
                value = value["PolicyDocument"]
        policy = self.policy(value, label, "text" if item.path is None else "file", location, doc, base)
        if policy is None:
            return
        if _trusts_agentcore(policy) or _is_trust_policy(policy):
            self.trust.append(policy)
        else:
            self.given.append(policy)

    def _given_path(self, given: str) -> str | None:
        path = Path(given).expanduser()
        path = path if path.is_absolute() else self.root / path
        try:
            resolved = path.resolve()
        except OSError as exc:
            self.error(given, f"cannot be read ({exc})")
            return None
        if not resolved.is_relative_to(self.root):
            self.error(
                given, f"is outside the project {self.project.display_path}: give policy files inside the project"
            )
            return None
        if not resolved.is_file():
            self.error(given, "no such file")
            return None
        return rel_posix(self.root, resolved)


@dataclass
class _Template:
    """A CloudFormation template being read: its document, where it is, its resources, how its
    values render, its IAM roles and which of them are execution roles (grows as trust
    policies are read)."""

    doc: LocatedJson
    rel: str
    resources: Mapping[str, Any]
    render: _Renderer
    role_ids: list[str]
    execution_roles: set[str]


class _Renderer:
    """Turns CloudFormation intrinsic functions into strings good enough for pattern checks."""

    def __init__(self, region: str | None, account: str | None) -> None:
        self.pseudo = {
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::Region": region or "${AWS::Region}",
            "AWS::AccountId": account or "${AWS::AccountId}",
        }

    def ref_target(self, value: Any) -> str:
        if isinstance(value, Mapping) and "Ref" in value:
            return str(value["Ref"])
        return self.text(value)

    def text(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, Mapping) and len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                return self.pseudo.get(str(argument), "${" + str(argument) + "}")
            if function == "Fn::GetAtt":
                parts = argument if isinstance(argument, list) else str(argument).split(".", 1)
                return "${" + ".".join(str(p) for p in parts) + "}"
            if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
                separator, items = argument
                if isinstance(items, list):
                    return str(separator).join(self.text(i) for i in items)
            if function == "Fn::Sub":
                template = argument[0] if isinstance(argument, list) and argument else argument
                text = str(template)
                for name, replacement in self.pseudo.items():
                    text = text.replace("${" + name + "}", replacement)
                return text
            if function == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
                items = argument[1]
                if isinstance(items, list) and isinstance(argument[0], int) and 0 <= argument[0] < len(items):
                    return self.text(items[argument[0]])
        return "${unresolved}"

    def value(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref")):
                return self.text(value)
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


def _runtime_roles(resources: Mapping[str, Any]) -> set[str]:
    """The logical IDs of the roles the template's runtimes run as (``RoleArn: {Fn::GetAtt: [id, Arn]}``)."""
    execution_roles: set[str] = set()
    for resource in resources.values():
        if not isinstance(resource, Mapping):
            continue
        props = resource.get("Properties")
        if resource.get("Type") == "AWS::BedrockAgentCore::Runtime" and isinstance(props, Mapping):
            role = props.get("RoleArn")
            if isinstance(role, Mapping) and "Fn::GetAtt" in role:
                target = role["Fn::GetAtt"]
                if isinstance(target, list) and target:
                    execution_roles.add(str(target[0]))
    return execution_roles


def _trusts_agentcore(policy: SourcedPolicy) -> bool:
    return any(
        s.effect == "Allow" and AGENTCORE_SERVICE in s.principal_values("Service") for s in policy.document.statements
    )


def _is_trust_policy(policy: SourcedPolicy) -> bool:
    return any(s.principals is not None and s.covers_action("sts:AssumeRole") for s in policy.document.statements)


def find_model_ids(project: ProjectFacts, code: CodeIndex | None) -> tuple[ModelRef, ...]:
    """Bedrock model IDs and model ARNs the project uses: code literals and env var values."""
    found: dict[str, ModelRef] = {}
    if code is not None:
        for py_file in code.of_role("runtime", "infra"):
            for literal in py_file.strings:
                value = literal.value.strip()
                if literal.is_docstring or len(value) > 200:
                    continue
                if MODEL_ID.match(value) or MODEL_ARN.match(value):
                    found.setdefault(value, ModelRef(value, py_file.path, literal.line))
    for runtime in project.runtimes:
        for env in runtime.env_vars:
            value = (env.value or "").strip()
            if value and (MODEL_ID.match(value) or MODEL_ARN.match(value)):
                found.setdefault(value, ModelRef(value, env.location.path or "", env.location.line))
    return tuple(found.values())


def gather_project_policies(
    project: ProjectFacts, code: CodeIndex | None, given: Sequence[PolicyInput] = ()
) -> ProjectPolicies:
    """Read the project's policy documents and the documents given by the user."""
    collector = _Collector(project)
    collector.additional_policies()
    collector.templates()
    for index, item in enumerate(given):
        collector.given_input(item, index)
    if code is None:
        from agentcore_readiness.facts.code.index import build_code_index

        code = build_code_index(project)
    repositories = {
        runtime.name: f"{project.name}/{runtime.name}".lower() for runtime in project.runtimes if runtime.is_container
    }
    return ProjectPolicies(
        permission=tuple(collector.permission),
        trust=tuple(collector.trust),
        other=tuple(collector.other),
        given=tuple(collector.given),
        managed=tuple(collector.managed),
        model_ids=find_model_ids(project, code),
        errors=tuple(collector.errors),
        sources=tuple(collector.sources),
        region=collector.region,
        account=collector.account,
        container_repositories=repositories,
    )

"""AWS facts: what the read-only API calls found, as frozen, typed data.

Importing this module imports no boto3: the data types are plain dataclasses. The reading
is in :mod:`agentcore_readiness.facts.aws.gather` (over the read-only clients of
:mod:`agentcore_readiness.facts.aws.client`), which imports boto3 only when it runs.

Every fetched fact is a :class:`Fetched`: a value, or the error that stopped it
(AccessDenied naming the missing permission, NotFound, throttling, a timeout). A rule
that needs a fact which failed reports ``unknown`` with that error; a rule whose facts
were not gathered at all (no ``--aws``, no credentials) reports ``skipped``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from agentcore_readiness.iam_policy import PolicyDocument, SourcedPolicy
from agentcore_readiness.model import FactError, Location

if TYPE_CHECKING:
    from agentcore_readiness.facts.project.project_facts import JwtAuthorizer

T = TypeVar("T")

FailureKind = Literal["access_denied", "not_found", "throttled", "unreachable", "invalid", "refused", "error"]

AWS_GROUPS: frozenset[str] = frozenset(
    {
        "runtimes",
        "roles",
        "resource_policies",
        "logs",
        "vpc",
        "evals",
        "gateways",
        "lambda",
        "memories",
        "account_iam",
        "alerts",
        "xray",
    }
)
"""The groups of AWS facts the gatherer fetches together. Rules declare the groups they read
(``@rule(aws=...)``); a review fetches the union of its rules' groups."""


@dataclass(frozen=True)
class AwsFailure:
    """Why one fact could not be read."""

    kind: FailureKind
    action: str
    """The IAM action of the failed call (``iam:GetRole``)."""
    code: str
    message: str

    def describe(self) -> str:
        if self.kind == "access_denied":
            return f"AccessDenied on {self.action}: the reviewing identity lacks the permission {self.action}"
        if self.kind == "not_found":
            return f"{self.action} found nothing ({self.code})"
        if self.kind == "throttled":
            return f"{self.action} was throttled after retries ({self.code})"
        if self.kind == "unreachable":
            return f"{self.action} could not reach AWS: {self.message}"
        return f"{self.action} failed: {self.code}: {self.message}"


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """A fact read from AWS: ``value`` when it was read, ``error`` when it was not."""

    value: T | None = None
    error: AwsFailure | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# ---------------------------------------------------------------------------
# Runtimes


@dataclass(frozen=True)
class RuntimeConfig:
    """The deployed configuration, from ``GetAgentRuntime``."""

    name: str
    role_arn: str | None
    status: str | None
    network_mode: str | None
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    jwt: JwtAuthorizer | None
    """``authorizerConfiguration.customJWTAuthorizer``; ``None`` means the runtime uses IAM (SigV4)."""
    idle_timeout: int | None
    max_lifetime: int | None
    env_var_names: tuple[str, ...]
    """Names only: values are never kept."""
    platform_version: str | None
    container_uri: str | None
    protocol: str | None

    @property
    def authorizer(self) -> str:
        return "CUSTOM_JWT" if self.jwt is not None else "AWS_IAM"

    @property
    def is_container(self) -> bool:
        return self.container_uri is not None


@dataclass(frozen=True)
class LogGroup:
    name: str
    retention_days: int | None


@dataclass(frozen=True)
class Subnet:
    id: str
    vpc_id: str | None
    availability_zone: str | None
    availability_zone_id: str | None


@dataclass(frozen=True)
class Route:
    destination: str
    target: str
    """``nat-…``, ``igw-…``, ``local``, ``vpce-…``, ``tgw-…`` ..."""


@dataclass(frozen=True)
class SecurityGroupEgress:
    group_id: str
    protocol: str
    from_port: int | None
    to_port: int | None
    destinations: tuple[str, ...]

    def allows_https(self) -> bool:
        if self.protocol == "-1":
            return True
        if self.protocol not in ("tcp", "6"):
            return False
        low = self.from_port if self.from_port is not None else 0
        high = self.to_port if self.to_port is not None else 65535
        return low <= 443 <= high


@dataclass(frozen=True)
class VpcFacts:
    subnets: tuple[Subnet, ...]
    routes: Mapping[str, tuple[Route, ...]]
    """Subnet ID -> routes of its route table (the main table when none is associated)."""
    endpoints: tuple[str, ...]
    """Service names of the VPC's endpoints (``com.amazonaws.us-east-1.ecr.api``)."""
    egress: tuple[SecurityGroupEgress, ...]
    security_groups_found: tuple[str, ...]


@dataclass(frozen=True)
class DeployedRuntime:
    arn: str
    id: str
    region: str
    name: str | None
    """The deployed runtime name (``<project>_<agent>`` for CLI projects)."""
    project_runtime: str | None
    """The project's runtime this one was matched to; ``None`` in fleet or ARN mode without a match."""
    config: Fetched[RuntimeConfig]
    resource_policy: Fetched[SourcedPolicy | None] = field(default_factory=Fetched)
    """``None`` value: the runtime has no resource policy."""
    log_groups: Fetched[tuple[LogGroup, ...]] = field(default_factory=Fetched)
    network: Fetched[VpcFacts] | None = None
    """Only for VPC runtimes."""

    @property
    def label(self) -> str:
        return self.project_runtime or self.name or self.id

    @property
    def location(self) -> Location:
        return Location(arn=self.arn, region=self.region)


# ---------------------------------------------------------------------------
# IAM


@dataclass(frozen=True)
class RoleFacts:
    arn: str
    name: str
    trust: Fetched[SourcedPolicy]
    inline: Fetched[tuple[SourcedPolicy, ...]]
    attached: Fetched[tuple[SourcedPolicy, ...]]
    attached_arns: tuple[str, ...] = ()

    @property
    def location(self) -> Location:
        return Location(arn=self.arn)

    def permission_policies(self) -> Fetched[tuple[SourcedPolicy, ...]]:
        """Inline and attached policies together; the first error when either failed."""
        if self.inline.error is not None:
            return Fetched(error=self.inline.error)
        if self.attached.error is not None:
            return Fetched(error=self.attached.error)
        return Fetched((*(self.inline.value or ()), *(self.attached.value or ())))


@dataclass(frozen=True)
class Principal:
    arn: str
    kind: Literal["user", "role", "group"]
    name: str
    policies: tuple[SourcedPolicy, ...]
    """Inline and attached (customer- and AWS-managed) policies, and for users those of their groups."""


@dataclass(frozen=True)
class AccountIam:
    """Every principal and customer-managed policy of the account (``GetAccountAuthorizationDetails``)."""

    principals: tuple[Principal, ...]
    customer_policies: tuple[SourcedPolicy, ...]
    attachments: Mapping[str, tuple[str, ...]]
    """Managed policy ARN -> ARNs of the principals it is attached to."""
    unread_policies: tuple[str, ...] = ()
    """Attached AWS-managed policies whose document could not be read."""


# ---------------------------------------------------------------------------
# Region-wide facts


@dataclass(frozen=True)
class EventRule:
    name: str
    arn: str
    state: str
    event_pattern: str | None
    target_count: int


@dataclass(frozen=True)
class Trail:
    name: str
    arn: str
    home_region: str | None
    multi_region: bool
    is_logging: bool | None


@dataclass(frozen=True)
class OnlineEvaluation:
    id: str
    name: str
    status: str | None
    execution_status: str | None
    service_names: tuple[str, ...]
    log_groups: tuple[str, ...]


@dataclass(frozen=True)
class DeployedGatewayTarget:
    id: str
    name: str
    lambda_arn: str | None


@dataclass(frozen=True)
class DeployedGateway:
    id: str
    arn: str | None
    name: str
    region: str
    project_gateway: str | None
    authorizer_type: str | None
    jwt: JwtAuthorizer | None
    targets: Fetched[tuple[DeployedGatewayTarget, ...]] = field(default_factory=Fetched)

    @property
    def label(self) -> str:
        return self.project_gateway or self.name

    @property
    def location(self) -> Location:
        return Location(arn=self.arn or f"gateway/{self.id}", region=self.region)


@dataclass(frozen=True)
class DeployedMemory:
    id: str
    arn: str | None
    name: str
    region: str
    project_memory: str | None
    status: Fetched[str]


@dataclass(frozen=True)
class RegionFacts:
    region: str
    event_rules: Fetched[tuple[EventRule, ...]] = field(default_factory=Fetched)
    trails: Fetched[tuple[Trail, ...]] = field(default_factory=Fetched)
    trace_destination: Fetched[str] = field(default_factory=Fetched)
    online_evaluations: Fetched[tuple[OnlineEvaluation, ...]] = field(default_factory=Fetched)


@dataclass(frozen=True)
class AwsFacts:
    """Everything the read-only AWS review found for one project (or one fleet)."""

    region: str
    account_id: str | None
    mode: Literal["project", "arns", "fleet"]
    groups: frozenset[str]
    """The fact groups that were gathered (see :data:`AWS_GROUPS`)."""
    runtimes: Fetched[tuple[DeployedRuntime, ...]]
    roles: Mapping[str, RoleFacts] = field(default_factory=dict)
    regions: Mapping[str, RegionFacts] = field(default_factory=dict)
    gateways: Fetched[tuple[DeployedGateway, ...]] = field(default_factory=Fetched)
    memories: Fetched[tuple[DeployedMemory, ...]] = field(default_factory=Fetched)
    account_iam: Fetched[AccountIam] = field(default_factory=Fetched)
    provisioned_concurrency: Mapping[str, Fetched[int]] = field(default_factory=dict)
    """Lambda function ARN -> number of provisioned-concurrency configs."""
    api_calls: int = 0
    """API calls made for this review (a retried call counts once)."""
    api_calls_by_operation: Mapping[str, int] = field(default_factory=dict)
    """``service.Operation`` -> calls."""
    unmatched_project_runtimes: tuple[str, ...] = ()
    """Project runtimes with no deployed runtime (not in deployed-state.json)."""

    def runtime_for(self, project_runtime: str) -> DeployedRuntime | None:
        for deployed in self.runtimes.value or ():
            if deployed.project_runtime == project_runtime:
                return deployed
        return None

    def region_facts(self, region: str | None = None) -> RegionFacts:
        return self.regions.get(region or self.region) or RegionFacts(region or self.region)

    def fact_errors(self) -> list[FactError]:
        """Every failed fetch, for the report's list of what could not be read."""
        errors: list[tuple[str, AwsFailure, Location]] = []

        def add(what: str, fetched: Fetched[Any] | None, location: Location | None = None) -> None:
            if fetched is not None and fetched.error is not None and fetched.error.kind != "not_found":
                errors.append((what, fetched.error, location or Location(region=self.region)))

        add("runtimes", self.runtimes)
        for runtime in self.runtimes.value or ():
            add(f"runtime {runtime.label}", runtime.config, runtime.location)
            add(f"resource policy of {runtime.label}", runtime.resource_policy, runtime.location)
            add(f"log groups of {runtime.label}", runtime.log_groups, runtime.location)
            add(f"VPC of {runtime.label}", runtime.network, runtime.location)
        for role in self.roles.values():
            add(f"trust policy of {role.name}", role.trust, role.location)
            add(f"inline policies of {role.name}", role.inline, role.location)
            add(f"attached policies of {role.name}", role.attached, role.location)
        for region in self.regions.values():
            where = Location(region=region.region)
            add("EventBridge rules", region.event_rules, where)
            add("CloudTrail trails", region.trails, where)
            add("X-Ray trace destination", region.trace_destination, where)
            add("online evaluation configs", region.online_evaluations, where)
        add("gateways", self.gateways)
        for gateway in self.gateways.value or ():
            add(f"targets of gateway {gateway.label}", gateway.targets, gateway.location)
        add("memories", self.memories)
        for memory in self.memories.value or ():
            add(f"memory {memory.name}", memory.status, Location(arn=memory.arn, region=memory.region))
        add("account IAM", self.account_iam)
        for function_arn, fetched in self.provisioned_concurrency.items():
            add(f"provisioned concurrency of {function_arn}", fetched, Location(arn=function_arn))
        seen: set[tuple[str, str]] = set()
        result: list[FactError] = []
        for what, failure, location in errors:
            key = (what, failure.action)
            if key in seen:
                continue
            seen.add(key)
            result.append(
                FactError(source="aws", message=f"{what}: {failure.describe()}", location=location, fact="aws")
            )
        return result


# ---------------------------------------------------------------------------
# Helpers for the rules


AWS_NOT_REQUESTED = "AWS checks were not requested (run with --aws, or pass aws=true)"


def aws_state(aws: object, unavailable: str | None, group: str) -> AwsFacts | str:
    """The AWS facts when ``group`` was gathered, else the reason it is unavailable."""
    if isinstance(aws, AwsFacts):
        if group in aws.groups:
            return aws
        return f"the {group} facts were not gathered for this review"
    return unavailable or AWS_NOT_REQUESTED


@dataclass(frozen=True)
class DeployedView(Generic[T]):
    """The deployed resources a rule can use, what could not be read, and why AWS facts are
    missing altogether (``unavailable``)."""

    items: tuple[T, ...] = ()
    unknowns: tuple[str, ...] = ()
    unavailable: str | None = None


def deployed_runtimes(state: AwsFacts | str) -> DeployedView[tuple[DeployedRuntime, RuntimeConfig]]:
    """Deployed runtimes whose configuration was read, with a reason for each that was not
    (``state``: the AWS facts of a group that holds the runtimes, or why they are missing)."""
    if not isinstance(state, AwsFacts):
        return DeployedView(unavailable=state)
    unknowns: list[str] = []
    if state.runtimes.error is not None:
        unknowns.append(f"runtimes: {state.runtimes.error.describe()}")
    items: list[tuple[DeployedRuntime, RuntimeConfig]] = []
    for runtime in state.runtimes.value or ():
        if runtime.config.value is None:
            why = runtime.config.error.describe() if runtime.config.error else "not read"
            unknowns.append(f"deployed runtime {runtime.label}: {why}")
        else:
            items.append((runtime, runtime.config.value))
    return DeployedView(tuple(items), tuple(unknowns))


def deployed_gateways(state: AwsFacts | str) -> DeployedView[DeployedGateway]:
    if not isinstance(state, AwsFacts):
        return DeployedView(unavailable=state)
    if state.gateways.error is not None:
        return DeployedView(unknowns=(f"gateways: {state.gateways.error.describe()}",))
    return DeployedView(tuple(state.gateways.value or ()))


def failed(*fetched: Fetched[Any] | None) -> AwsFailure | None:
    """The first error among ``fetched``."""
    for item in fetched:
        if item is not None and item.error is not None:
            return item.error
    return None


def trust_policy_document(policy: SourcedPolicy | None) -> PolicyDocument | None:
    return policy.document if policy is not None else None


# ---------------------------------------------------------------------------
# Runtime ARNs

_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


@dataclass(frozen=True)
class RuntimeArn:
    arn: str
    region: str
    account: str
    runtime_id: str | None
    """``None`` when the ARN does not carry the runtime ID (it is then looked up by listing)."""


def parse_runtime_arn(arn: str) -> RuntimeArn:
    """Split an AgentCore runtime ARN; ``ValueError`` with a clear message when it is not one."""
    parts = arn.strip().split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "bedrock-agentcore":
        raise ValueError(
            f"{arn!r} is not an AgentCore runtime ARN "
            "(arn:aws:bedrock-agentcore:<region>:<account>:runtime/<runtime-id>)"
        )
    region, account, resource = parts[3], parts[4], parts[5]
    if not _REGION.match(region):
        raise ValueError(f"{arn!r}: {region!r} is not an AWS region")
    if not (len(account) == 12 and account.isdigit()):
        raise ValueError(f"{arn!r}: {account!r} is not a 12-digit account ID")
    kind, _, rest = resource.partition("/")
    if not rest:
        raise ValueError(f"{arn!r}: the resource part must be runtime/<runtime-id>")
    runtime_id = rest.split("/", 1)[0] if kind == "runtime" else None
    return RuntimeArn(arn=arn.strip(), region=region, account=account, runtime_id=runtime_id)


# ---------------------------------------------------------------------------
# Entry point


@dataclass(frozen=True)
class AwsReviewOptions:
    """How to reach AWS for one review: the tool's or CLI's choices (never credentials)."""

    region: str | None = None
    runtime_arns: tuple[str, ...] = ()
    all_runtimes: bool = False
    groups: frozenset[str] = AWS_GROUPS
    max_concurrency: int = 8
    progress: Callable[[int, int], None] | None = None
    """Called with (done, total) as the scan advances; from a worker thread."""


def validate_region(region: str) -> str:
    """The region, stripped; ``ValueError`` when it does not look like one."""
    value = region.strip()
    if not _REGION.match(value):
        raise ValueError(f"{region!r} is not an AWS region (for example us-east-1)")
    return value

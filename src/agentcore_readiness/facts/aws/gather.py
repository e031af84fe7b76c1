"""The AWS gatherer: read-only calls, run concurrently under a limit, each result memoised.

Imports boto3 only when an AWS review runs. The scan runs in phases:
first the runtimes' configurations and the region-wide facts, then what depends on a
runtime's configuration (its execution role, resource policy, log groups and VPC), then
the Lambda functions behind gateway targets. Every call goes through the read-only
clients of :mod:`agentcore_readiness.facts.aws.client`; every failure is kept on the fact it stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from agentcore_readiness.facts.aws.client import ReadOnlyClients, classify, client_observers, resolve_region
from agentcore_readiness.facts.aws.model import (
    AccountIam,
    AwsFacts,
    AwsFailure,
    AwsReviewOptions,
    DeployedGateway,
    DeployedGatewayTarget,
    DeployedMemory,
    DeployedRuntime,
    EventRule,
    Fetched,
    LogGroup,
    OnlineEvaluation,
    Principal,
    RegionFacts,
    RoleFacts,
    Route,
    RuntimeConfig,
    SecurityGroupEgress,
    Subnet,
    Trail,
    VpcFacts,
    parse_runtime_arn,
)
from agentcore_readiness.facts.project.project_facts import JwtAuthorizer, ProjectFacts
from agentcore_readiness.iam_policy import PolicyParseError, SourcedPolicy, parse_policy
from agentcore_readiness.log import get_logger
from agentcore_readiness.model import Location

log = get_logger(__name__)

T = TypeVar("T")

NO_CREDENTIALS = (
    "no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
    "or run `aws sso login` / `aws configure`); the AWS rules were skipped"
)
NO_REGION = "no AWS region: pass --region (region=...) or set AWS_REGION; the AWS rules were skipped"
MAX_PAGES = 50
RUNTIME_LOG_PREFIX = "/aws/bedrock-agentcore/runtimes/"


class _CallFailed(Exception):
    def __init__(self, failure: AwsFailure) -> None:
        super().__init__(failure.describe())
        self.failure = failure


@dataclass(frozen=True)
class _Target:
    """A runtime to review: where it is and which project runtime it belongs to."""

    arn: str | None
    id: str | None
    region: str
    project_runtime: str | None
    name: str | None = None


def aws_callback(options: AwsReviewOptions) -> Callable[[ProjectFacts], tuple[AwsFacts | None, str | None]]:
    """The engine's per-project AWS gatherer for ``options``."""

    def gather(project: ProjectFacts) -> tuple[AwsFacts | None, str | None]:
        if not options.groups:
            return None, "no AWS-backed rule was selected"
        return gather_aws_facts(project, options)

    return gather


def gather_aws_facts(project: Any, options: AwsReviewOptions) -> tuple[AwsFacts | None, str | None]:
    """Read the project's deployed state from AWS: ``(facts, None)`` or ``(None, why not)``.

    Never raises for AWS trouble: missing credentials or region give a reason, failed
    calls are recorded on their facts.
    """
    import boto3

    try:
        session = boto3.Session()
        credentials = session.get_credentials()
    except Exception as exc:  # noqa: BLE001 - a broken profile is a reason to skip, not a crash
        return (
            None,
            f"the AWS configuration could not be loaded ({type(exc).__name__}: {exc}); the AWS rules were skipped",
        )
    if credentials is None:
        return None, NO_CREDENTIALS
    region = options.region or _project_region(project) or resolve_region(None, session)
    if region is None and options.runtime_arns:
        region = parse_runtime_arn(options.runtime_arns[0]).region
    if region is None:
        return None, NO_REGION
    observers = list(client_observers)

    def on_client(service: str, client_region: str, client: Any) -> None:
        for observer in observers:
            observer(service, client_region, client)

    clients = ReadOnlyClients(session, max_pool=options.max_concurrency + 4, on_client=on_client)
    gatherer = _Gatherer(clients, options, project, region)
    try:
        return gatherer.run()
    finally:
        gatherer.close()


def _project_region(project: Any) -> str | None:
    if project is None:
        return None
    for target in getattr(project, "aws_targets", ()) or ():
        region = target.get("region")
        if isinstance(region, str) and region:
            return region
    for runtime in getattr(project, "runtimes", ()) or ():
        if runtime.region:
            return str(runtime.region)
        if runtime.deployed_arn:
            try:
                return parse_runtime_arn(runtime.deployed_arn).region
            except ValueError:
                continue
    return None


def _deployed_resources(project: Any, key: str) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    state = getattr(project, "deployed_state", None)
    if not isinstance(state, Mapping):
        return found
    targets = state.get("targets")
    if not isinstance(targets, Mapping):
        return found
    for target in targets.values():
        resources = target.get("resources") if isinstance(target, Mapping) else None
        section = resources.get(key) if isinstance(resources, Mapping) else None
        if isinstance(section, Mapping):
            for name, value in section.items():
                if isinstance(value, Mapping):
                    found.setdefault(str(name), value)
    return found


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _i(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


class _Gatherer:
    def __init__(self, clients: ReadOnlyClients, options: AwsReviewOptions, project: Any, region: str) -> None:
        self.clients = clients
        self.options = options
        self.project = project
        self.region = region
        self.groups = options.groups
        self.pool = ThreadPoolExecutor(max_workers=max(1, options.max_concurrency), thread_name_prefix="aws-facts")
        self._memo: dict[tuple[str, ...], Future[Any]] = {}
        self._memo_lock = threading.Lock()
        self._progress_lock = threading.Lock()
        self._done = 0
        self._total = 0
        self.account_id: str | None = None

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    # -- plumbing

    def call(self, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
        try:
            return self.clients.call(service, region, operation, **params)
        except Exception as exc:  # noqa: BLE001 - every failure becomes the fact's error
            raise _CallFailed(classify(service, operation, exc)) from None

    def pages(self, service: str, region: str, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        from botocore import xform_name

        client = self.clients.client(service, region)
        name = xform_name(operation)
        if not client.can_paginate(name):
            yield self.call(service, region, operation, **params)
            return
        paginator = client.get_paginator(name)
        try:
            for number, page in enumerate(paginator.paginate(**params)):
                if number >= MAX_PAGES:
                    log.warning("pagination capped", operation=operation, pages=MAX_PAGES)
                    return
                yield page
        except _CallFailed:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _CallFailed(classify(service, operation, exc)) from None

    def attempt(self, fn: Callable[[], T], service: str = "", operation: str = "") -> Fetched[T]:
        try:
            return Fetched(fn())
        except _CallFailed as failed:
            return Fetched(error=failed.failure)
        except Exception as exc:
            log.warning("aws fact failed", operation=operation, error_type=type(exc).__name__, exc_info=True)
            return Fetched(error=AwsFailure("error", f"{service}:{operation}", type(exc).__name__, str(exc)[:200]))

    def memo(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        with self._memo_lock:
            future = self._memo.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._memo[key] = future
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
                raise
        result: T = future.result()
        return result

    def _progress(self, done: int = 0, total: int = 0) -> None:
        callback = self.options.progress
        with self._progress_lock:
            self._done += done
            self._total += total
            snapshot = (self._done, self._total)
        if callback is not None and done:
            try:
                callback(*snapshot)
            except Exception:
                log.debug("progress callback failed", exc_info=True)

    def run_all(self, tasks: list[Callable[[], Any]]) -> list[Any]:
        """Run ``tasks`` in the pool; results in order. Tasks never raise (they return Fetched)."""
        self._progress(total=len(tasks))

        def tracked(task: Callable[[], Any]) -> Any:
            try:
                return task()
            finally:
                self._progress(done=1)

        futures = [self.pool.submit(tracked, task) for task in tasks]
        return [f.result() for f in futures]

    # -- the scan

    def run(self) -> tuple[AwsFacts | None, str | None]:
        identity = self.attempt(lambda: self.call("sts", self.region, "GetCallerIdentity"), "sts", "GetCallerIdentity")
        if identity.error is not None and identity.error.kind in ("invalid", "unreachable"):
            why = "were rejected" if identity.error.kind == "invalid" else "could not be checked"
            return None, (
                f"the AWS credentials {why} ({identity.error.code}: {identity.error.message}); "
                "the AWS rules were skipped"
            )
        if identity.value is not None:
            self.account_id = _s(identity.value.get("Account"))

        targets, unmatched, listing = self._targets()
        needs_runtimes = bool(self.groups & {"runtimes", "roles", "resource_policies", "logs", "vpc", "evals"})
        regions = sorted({self.region, *(t.region for t in targets)})

        # Phase 1: runtime configurations and region-wide facts.
        runtime_tasks = [partial(self._runtime, t) for t in targets] if needs_runtimes else []
        region_tasks: list[Callable[[], Any]] = []
        region_keys: list[tuple[str, str]] = []
        for region in regions:
            for group, fn in (
                ("alerts", self._event_rules),
                ("alerts", self._trails),
                ("xray", self._trace_destination),
                ("evals", self._online_evaluations),
            ):
                if group in self.groups:
                    region_tasks.append(partial(fn, region))
                    region_keys.append((region, fn.__name__))
        other: list[Callable[[], Any]] = []
        if "gateways" in self.groups:
            other.append(self._gateways)
        if "memories" in self.groups:
            other.append(self._memories)
        if "account_iam" in self.groups:
            other.append(self._account_iam)
        results = self.run_all([*runtime_tasks, *region_tasks, *other])
        runtimes: list[DeployedRuntime] = list(results[: len(runtime_tasks)])
        region_results = results[len(runtime_tasks) : len(runtime_tasks) + len(region_tasks)]
        rest = iter(results[len(runtime_tasks) + len(region_tasks) :])
        gateways: Fetched[tuple[DeployedGateway, ...]] = next(rest) if "gateways" in self.groups else Fetched(())
        memories: Fetched[tuple[DeployedMemory, ...]] = next(rest) if "memories" in self.groups else Fetched(())
        account_iam: Fetched[AccountIam] = next(rest) if "account_iam" in self.groups else Fetched()

        region_values: dict[str, dict[str, Any]] = {r: {} for r in regions}
        for (region, name), value in zip(region_keys, region_results, strict=True):
            region_values[region][name] = value
        region_facts = {
            region: RegionFacts(
                region=region,
                event_rules=values.get("_event_rules", Fetched()),
                trails=values.get("_trails", Fetched()),
                trace_destination=values.get("_trace_destination", Fetched()),
                online_evaluations=values.get("_online_evaluations", Fetched()),
            )
            for region, values in region_values.items()
        }

        # Phase 2: what depends on each runtime's configuration.
        role_arns = sorted(
            {r.config.value.role_arn for r in runtimes if r.config.value is not None and r.config.value.role_arn}
        )
        phase2: list[Callable[[], Any]] = []
        if "roles" in self.groups:
            phase2.extend(partial(self._role, arn) for arn in role_arns)
        detail_tasks = [partial(self._runtime_details, r) for r in runtimes]
        phase2.extend(detail_tasks)
        lambda_arns = self._lambda_arns(gateways) if "lambda" in self.groups else []
        phase2.extend(partial(self._provisioned_concurrency, arn) for arn in lambda_arns)
        results2 = self.run_all(phase2)
        role_count = len(role_arns) if "roles" in self.groups else 0
        roles = {role.arn: role for role in results2[:role_count]}
        runtimes = list(results2[role_count : role_count + len(detail_tasks)])
        concurrency = dict(zip(lambda_arns, results2[role_count + len(detail_tasks) :], strict=True))

        runtime_fetch: Fetched[tuple[DeployedRuntime, ...]] = (
            Fetched(error=listing.error) if listing is not None and listing.error else Fetched(tuple(runtimes))
        )
        return (
            AwsFacts(
                region=self.region,
                account_id=self.account_id,
                mode="fleet" if self.options.all_runtimes else ("arns" if self.options.runtime_arns else "project"),
                groups=frozenset(self.groups),
                runtimes=runtime_fetch,
                roles=roles,
                regions=region_facts,
                gateways=gateways,
                memories=memories,
                account_iam=account_iam,
                provisioned_concurrency=concurrency,
                api_calls=self.clients.total_calls,
                api_calls_by_operation=dict(sorted(self.clients.calls.items())),
                unmatched_project_runtimes=tuple(unmatched),
            ),
            None,
        )

    # -- which runtimes

    def _targets(self) -> tuple[list[_Target], list[str], Fetched[Any] | None]:
        project_runtimes = list(getattr(self.project, "runtimes", ()) or ())
        project_name = getattr(self.project, "name", None)
        deployed = _deployed_resources(self.project, "runtimes")
        by_arn: dict[str, str] = {}
        by_id: dict[str, str] = {}
        by_name: dict[str, str] = {}
        targets: list[_Target] = []
        unmatched: list[str] = []
        for runtime in project_runtimes:
            arn = runtime.deployed_arn or _s(deployed.get(runtime.name, {}).get("runtimeArn"))
            runtime_id = runtime.deployed_id or _s(deployed.get(runtime.name, {}).get("runtimeId"))
            by_name[runtime.name] = runtime.name
            if project_name:
                by_name[f"{project_name}_{runtime.name}"] = runtime.name
            if arn:
                by_arn[_strip_version(arn)] = runtime.name
            if runtime_id:
                by_id[runtime_id] = runtime.name
            if not (self.options.runtime_arns or self.options.all_runtimes):
                if arn or runtime_id:
                    region = self.region
                    if arn:
                        try:
                            parsed = parse_runtime_arn(arn)
                            region = parsed.region
                            runtime_id = runtime_id or parsed.runtime_id
                        except ValueError:
                            pass
                    targets.append(_Target(arn, runtime_id, region, runtime.name))
                else:
                    unmatched.append(runtime.name)

        def match(arn: str | None, runtime_id: str | None, name: str | None) -> str | None:
            if arn and _strip_version(arn) in by_arn:
                return by_arn[_strip_version(arn)]
            if runtime_id and runtime_id in by_id:
                return by_id[runtime_id]
            if name and name in by_name:
                return by_name[name]
            return None

        listing: Fetched[Any] | None = None
        listed: dict[str, list[dict[str, Any]]] = {}

        def list_region(region: str) -> list[dict[str, Any]]:
            if region not in listed:
                fetched = self.attempt(
                    lambda: [
                        item
                        for page in self.pages("bedrock-agentcore-control", region, "ListAgentRuntimes")
                        for item in page.get("agentRuntimes", [])
                    ],
                    "bedrock-agentcore",
                    "ListAgentRuntimes",
                )
                nonlocal listing
                if fetched.error is not None:
                    listing = fetched
                listed[region] = fetched.value or []
            return listed[region]

        if self.options.runtime_arns:
            for arn in self.options.runtime_arns:
                parsed = parse_runtime_arn(arn)
                runtime_id = parsed.runtime_id
                name = None
                if runtime_id is None:
                    for item in list_region(parsed.region):
                        if _strip_version(str(item.get("agentRuntimeArn", ""))) == _strip_version(arn):
                            runtime_id = _s(item.get("agentRuntimeId"))
                            name = _s(item.get("agentRuntimeName"))
                targets.append(_Target(arn, runtime_id, parsed.region, match(arn, runtime_id, name), name))
        if self.options.all_runtimes:
            known = {_strip_version(t.arn) for t in targets if t.arn}
            for item in list_region(self.region):
                arn = _s(item.get("agentRuntimeArn"))
                if arn and _strip_version(arn) in known:
                    continue
                runtime_id = _s(item.get("agentRuntimeId"))
                name = _s(item.get("agentRuntimeName"))
                targets.append(_Target(arn, runtime_id, self.region, match(arn, runtime_id, name), name))
        if self.options.runtime_arns or self.options.all_runtimes:
            matched = {t.project_runtime for t in targets}
            unmatched = [r.name for r in project_runtimes if r.name not in matched]
        return targets, unmatched, listing

    # -- runtimes

    def _runtime(self, target: _Target) -> DeployedRuntime:
        if target.id is None:
            config: Fetched[RuntimeConfig] = Fetched(
                error=AwsFailure(
                    "not_found",
                    "bedrock-agentcore:ListAgentRuntimes",
                    "ResourceNotFoundException",
                    f"no runtime with ARN {target.arn} in {target.region}",
                )
            )
            return DeployedRuntime(
                arn=target.arn or "", id="", region=target.region, name=target.name,
                project_runtime=target.project_runtime, config=config,
            )  # fmt: skip
        response = self.attempt(
            lambda: self.call("bedrock-agentcore-control", target.region, "GetAgentRuntime", agentRuntimeId=target.id),
            "bedrock-agentcore",
            "GetAgentRuntime",
        )
        arn = target.arn
        name = target.name
        if response.value is not None:
            arn = _s(response.value.get("agentRuntimeArn")) or arn
            name = _s(response.value.get("agentRuntimeName")) or name
        return DeployedRuntime(
            arn=arn or f"runtime/{target.id}",
            id=target.id,
            region=target.region,
            name=name,
            project_runtime=target.project_runtime,
            config=Fetched(_runtime_config(response.value))
            if response.value is not None
            else Fetched(error=response.error),
        )

    def _runtime_details(self, runtime: DeployedRuntime) -> DeployedRuntime:
        config = runtime.config.value
        if config is None:
            return runtime
        updates: dict[str, Any] = {}
        if "resource_policies" in self.groups:
            updates["resource_policy"] = self.attempt(
                lambda: self._resource_policy(runtime), "bedrock-agentcore", "GetResourcePolicy"
            )
        if "logs" in self.groups:
            updates["log_groups"] = self.attempt(lambda: self._log_groups(runtime), "logs", "DescribeLogGroups")
        if "vpc" in self.groups and (config.network_mode or "").upper() == "VPC":
            updates["network"] = self.attempt(lambda: self._vpc(runtime.region, config), "ec2", "DescribeSubnets")
        return replace(runtime, **updates)

    def _resource_policy(self, runtime: DeployedRuntime) -> SourcedPolicy | None:
        try:
            response = self.call(
                "bedrock-agentcore-control", runtime.region, "GetResourcePolicy", resourceArn=runtime.arn
            )
        except _CallFailed as failed:
            if failed.failure.kind == "not_found":
                return None
            raise
        text = _s(response.get("policy"))
        if text is None:
            return None
        return _sourced(
            text,
            f"resource policy of {runtime.label}",
            "resource",
            Location(arn=runtime.arn, region=runtime.region),
            runtime.arn,
        )

    def _log_groups(self, runtime: DeployedRuntime) -> tuple[LogGroup, ...]:
        prefix = f"{RUNTIME_LOG_PREFIX}{runtime.id}-"
        return tuple(
            LogGroup(name=str(group.get("logGroupName")), retention_days=_i(group.get("retentionInDays")))
            for page in self.pages("logs", runtime.region, "DescribeLogGroups", logGroupNamePrefix=prefix)
            for group in page.get("logGroups", [])
        )

    def _vpc(self, region: str, config: RuntimeConfig) -> VpcFacts:
        key = ("vpc", region, *sorted(config.subnets), "|", *sorted(config.security_groups))
        return self.memo(key, lambda: self._read_vpc(region, config))

    def _read_vpc(self, region: str, config: RuntimeConfig) -> VpcFacts:
        subnets: list[Subnet] = []
        if config.subnets:
            for page in self.pages("ec2", region, "DescribeSubnets", SubnetIds=list(config.subnets)):
                for item in page.get("Subnets", []):
                    subnets.append(
                        Subnet(
                            id=str(item.get("SubnetId")),
                            vpc_id=_s(item.get("VpcId")),
                            availability_zone=_s(item.get("AvailabilityZone")),
                            availability_zone_id=_s(item.get("AvailabilityZoneId")),
                        )
                    )
        vpc_ids = sorted({s.vpc_id for s in subnets if s.vpc_id})
        routes: dict[str, tuple[Route, ...]] = {}
        endpoints: list[str] = []
        if vpc_ids:
            tables = [
                table
                for page in self.pages(
                    "ec2", region, "DescribeRouteTables", Filters=[{"Name": "vpc-id", "Values": vpc_ids}]
                )
                for table in page.get("RouteTables", [])
            ]
            main: dict[str, tuple[Route, ...]] = {}
            for table in tables:
                table_routes = tuple(_route(r) for r in table.get("Routes", []))
                for association in table.get("Associations", []):
                    if association.get("Main"):
                        main[str(table.get("VpcId"))] = table_routes
                    subnet_id = _s(association.get("SubnetId"))
                    if subnet_id:
                        routes[subnet_id] = table_routes
            for subnet in subnets:
                if subnet.id not in routes and subnet.vpc_id in main:
                    routes[subnet.id] = main[subnet.vpc_id]
            endpoints = [
                str(endpoint.get("ServiceName"))
                for page in self.pages(
                    "ec2", region, "DescribeVpcEndpoints", Filters=[{"Name": "vpc-id", "Values": vpc_ids}]
                )
                for endpoint in page.get("VpcEndpoints", [])
                if endpoint.get("State", "available") in ("available", "Available", "pending", "pendingAcceptance")
            ]
        egress: list[SecurityGroupEgress] = []
        found_groups: list[str] = []
        if config.security_groups:
            for page in self.pages("ec2", region, "DescribeSecurityGroups", GroupIds=list(config.security_groups)):
                for group in page.get("SecurityGroups", []):
                    group_id = str(group.get("GroupId"))
                    found_groups.append(group_id)
                    for permission in group.get("IpPermissionsEgress", []):
                        destinations = tuple(
                            [str(r.get("CidrIp")) for r in permission.get("IpRanges", [])]
                            + [str(r.get("CidrIpv6")) for r in permission.get("Ipv6Ranges", [])]
                            + [str(r.get("PrefixListId")) for r in permission.get("PrefixListIds", [])]
                            + [str(r.get("GroupId")) for r in permission.get("UserIdGroupPairs", [])]
                        )
                        egress.append(
                            SecurityGroupEgress(
                                group_id=group_id,
                                protocol=str(permission.get("IpProtocol", "-1")),
                                from_port=_i(permission.get("FromPort")),
                                to_port=_i(permission.get("ToPort")),
                                destinations=destinations,
                            )
                        )
        return VpcFacts(
            subnets=tuple(subnets),
            routes=routes,
            endpoints=tuple(sorted(set(endpoints))),
            egress=tuple(egress),
            security_groups_found=tuple(found_groups),
        )

    # -- IAM

    def _role(self, arn: str) -> RoleFacts:
        return self.memo(("role", arn), lambda: self._read_role(arn))

    def _read_role(self, arn: str) -> RoleFacts:
        name = arn.rsplit("/", 1)[-1]
        location = Location(arn=arn)

        def trust() -> SourcedPolicy:
            role = self.call("iam", self.region, "GetRole", RoleName=name).get("Role", {})
            return _sourced(
                role.get("AssumeRolePolicyDocument"), f"trust policy of {name}", "trust", location, arn, holder=name
            )

        def inline() -> tuple[SourcedPolicy, ...]:
            names = [
                policy_name
                for page in self.pages("iam", self.region, "ListRolePolicies", RoleName=name)
                for policy_name in page.get("PolicyNames", [])
            ]
            found = []
            for policy_name in names:
                response = self.call("iam", self.region, "GetRolePolicy", RoleName=name, PolicyName=policy_name)
                found.append(
                    _sourced(response.get("PolicyDocument"), str(policy_name), "inline", location, arn, holder=name)
                )
            return tuple(found)

        attached_arns: list[str] = []

        def attached() -> tuple[SourcedPolicy, ...]:
            for page in self.pages("iam", self.region, "ListAttachedRolePolicies", RoleName=name):
                attached_arns.extend(str(p.get("PolicyArn")) for p in page.get("AttachedPolicies", []))
            return tuple(self._managed_policy(policy_arn, holder=name) for policy_arn in attached_arns)

        return RoleFacts(
            arn=arn,
            name=name,
            trust=self.attempt(trust, "iam", "GetRole"),
            inline=self.attempt(inline, "iam", "GetRolePolicy"),
            attached=self.attempt(attached, "iam", "GetPolicyVersion"),
            attached_arns=tuple(attached_arns),
        )

    def _managed_policy(self, arn: str, holder: str | None = None) -> SourcedPolicy:
        policy = self.memo(("policy", arn), lambda: self._read_managed_policy(arn))
        return replace(policy, holder=holder) if holder else policy

    def _read_managed_policy(self, arn: str) -> SourcedPolicy:
        meta = self.call("iam", self.region, "GetPolicy", PolicyArn=arn).get("Policy", {})
        version = str(meta.get("DefaultVersionId") or "v1")
        document = (
            self.call("iam", self.region, "GetPolicyVersion", PolicyArn=arn, VersionId=version)
            .get("PolicyVersion", {})
            .get("Document")
        )
        kind = "aws-managed" if ":iam::aws:policy/" in arn else "customer-managed"
        return _sourced(document, str(meta.get("PolicyName") or arn.rsplit("/", 1)[-1]), kind, Location(arn=arn), arn)

    def _account_iam(self) -> Fetched[AccountIam]:
        return self.attempt(self._read_account_iam, "iam", "GetAccountAuthorizationDetails")

    def _read_account_iam(self) -> AccountIam:
        users: list[dict[str, Any]] = []
        roles: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        local: list[dict[str, Any]] = []
        for page in self.pages(
            "iam",
            self.region,
            "GetAccountAuthorizationDetails",
            Filter=["User", "Role", "Group", "LocalManagedPolicy"],
        ):
            users.extend(page.get("UserDetailList", []))
            roles.extend(page.get("RoleDetailList", []))
            groups.extend(page.get("GroupDetailList", []))
            local.extend(page.get("Policies", []))
        customer: dict[str, SourcedPolicy] = {}
        for item in local:
            arn = str(item.get("Arn"))
            document = next(
                (v.get("Document") for v in item.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None
            )
            if document is None:
                continue
            try:
                customer[arn] = _sourced(
                    document,
                    str(item.get("PolicyName") or arn.rsplit("/", 1)[-1]),
                    "customer-managed",
                    Location(arn=arn),
                    arn,
                )
            except _CallFailed:
                continue
        aws_managed = sorted(
            {
                str(p.get("PolicyArn"))
                for detail in (*users, *roles, *groups)
                for p in detail.get("AttachedManagedPolicies", [])
                if str(p.get("PolicyArn")) not in customer
            }
        )
        fetched = self.run_all(
            [
                partial(self.attempt, partial(self._managed_policy, arn), "iam", "GetPolicyVersion")
                for arn in aws_managed
            ]
        )
        managed: dict[str, SourcedPolicy] = dict(customer)
        unread: list[str] = []
        for arn, result in zip(aws_managed, fetched, strict=True):
            if result.value is not None:
                managed[arn] = result.value
            else:
                unread.append(arn)
        attachments: dict[str, list[str]] = {}
        group_policies: dict[str, list[SourcedPolicy]] = {}

        def collect(detail: dict[str, Any], kind: str, inline_key: str) -> tuple[str, str, list[SourcedPolicy]]:
            arn = str(detail.get("Arn"))
            name = str(detail.get(f"{kind.capitalize()}Name") or arn.rsplit("/", 1)[-1])
            policies: list[SourcedPolicy] = []
            for inline in detail.get(inline_key, []):
                try:
                    policies.append(
                        _sourced(
                            inline.get("PolicyDocument"),
                            str(inline.get("PolicyName")),
                            "inline",
                            Location(arn=arn),
                            arn,
                            holder=name,
                        )
                    )
                except _CallFailed:
                    continue
            for attached in detail.get("AttachedManagedPolicies", []):
                policy_arn = str(attached.get("PolicyArn"))
                attachments.setdefault(policy_arn, []).append(arn)
                if policy_arn in managed:
                    policies.append(replace(managed[policy_arn], holder=name))
            return arn, name, policies

        principals: list[Principal] = []
        for detail in groups:
            arn, name, policies = collect(detail, "group", "GroupPolicyList")
            group_policies[name] = policies
            principals.append(Principal(arn=arn, kind="group", name=name, policies=tuple(policies)))
        for detail in roles:
            arn, name, policies = collect(detail, "role", "RolePolicyList")
            principals.append(Principal(arn=arn, kind="role", name=name, policies=tuple(policies)))
        for detail in users:
            arn, name, policies = collect(detail, "user", "UserPolicyList")
            for group in detail.get("GroupList", []):
                policies.extend(group_policies.get(str(group), []))
            principals.append(Principal(arn=arn, kind="user", name=name, policies=tuple(policies)))
        return AccountIam(
            principals=tuple(principals),
            customer_policies=tuple(customer.values()),
            attachments={k: tuple(v) for k, v in attachments.items()},
            unread_policies=tuple(unread),
        )

    # -- region-wide facts

    def _event_rules(self, region: str) -> Fetched[tuple[EventRule, ...]]:
        def read() -> tuple[EventRule, ...]:
            rules: list[EventRule] = []
            for page in self.pages("events", region, "ListRules"):
                for item in page.get("Rules", []):
                    pattern = _s(item.get("EventPattern"))
                    count = 0
                    if pattern and "InvokeAgentRuntimeCommand" in pattern:
                        count = sum(
                            len(target_page.get("Targets", []))
                            for target_page in self.pages(
                                "events", region, "ListTargetsByRule", Rule=str(item.get("Name"))
                            )
                        )
                    rules.append(
                        EventRule(
                            name=str(item.get("Name")),
                            arn=str(item.get("Arn")),
                            state=str(item.get("State", "")),
                            event_pattern=pattern,
                            target_count=count,
                        )
                    )
            return tuple(rules)

        return self.attempt(read, "events", "ListRules")

    def _trails(self, region: str) -> Fetched[tuple[Trail, ...]]:
        def read() -> tuple[Trail, ...]:
            trails: list[Trail] = []
            for item in self.call("cloudtrail", region, "DescribeTrails", includeShadowTrails=True).get(
                "trailList", []
            ):
                arn = str(item.get("TrailARN") or item.get("Name"))
                home = _s(item.get("HomeRegion")) or region
                status = self.attempt(partial(self.call, "cloudtrail", home, "GetTrailStatus", Name=arn))
                logging = status.value.get("IsLogging") if status.value is not None else None
                trails.append(
                    Trail(
                        name=str(item.get("Name")),
                        arn=arn,
                        home_region=home,
                        multi_region=bool(item.get("IsMultiRegionTrail")),
                        is_logging=logging if isinstance(logging, bool) else None,
                    )
                )
            return tuple(trails)

        return self.attempt(read, "cloudtrail", "DescribeTrails")

    def _trace_destination(self, region: str) -> Fetched[str]:
        return self.attempt(
            lambda: str(self.call("xray", region, "GetTraceSegmentDestination").get("Destination") or "XRay"),
            "xray",
            "GetTraceSegmentDestination",
        )

    def _online_evaluations(self, region: str) -> Fetched[tuple[OnlineEvaluation, ...]]:
        def read() -> tuple[OnlineEvaluation, ...]:
            summaries = [
                item
                for page in self.pages("bedrock-agentcore-control", region, "ListOnlineEvaluationConfigs")
                for item in page.get("onlineEvaluationConfigs", [])
            ]
            found: list[OnlineEvaluation] = []
            for item in summaries:
                config_id = str(item.get("onlineEvaluationConfigId"))
                detail = self.call(
                    "bedrock-agentcore-control", region, "GetOnlineEvaluationConfig", onlineEvaluationConfigId=config_id
                )
                logs = detail.get("dataSourceConfig", {}).get("cloudWatchLogs", {})
                found.append(
                    OnlineEvaluation(
                        id=config_id,
                        name=str(item.get("onlineEvaluationConfigName")),
                        status=_s(detail.get("status")) or _s(item.get("status")),
                        execution_status=_s(detail.get("executionStatus")) or _s(item.get("executionStatus")),
                        service_names=_strs(logs.get("serviceNames")),
                        log_groups=_strs(logs.get("logGroupNames")) + _strs(logs.get("logGroupNamePrefixes")),
                    )
                )
            return tuple(found)

        return self.attempt(read, "bedrock-agentcore", "ListOnlineEvaluationConfigs")

    # -- gateways, memories, Lambda

    def _gateways(self) -> Fetched[tuple[DeployedGateway, ...]]:
        return self.attempt(self._read_gateways, "bedrock-agentcore", "ListGateways")

    def _read_gateways(self) -> tuple[DeployedGateway, ...]:
        project_gateways = [g.name for g in getattr(self.project, "gateways", ()) or ()]
        project_name = getattr(self.project, "name", None)
        deployed = _deployed_resources(self.project, "gateways")
        wanted: list[tuple[str, str | None]] = []
        for name in project_gateways:
            gateway_id = _s(deployed.get(name, {}).get("gatewayId"))
            if gateway_id:
                wanted.append((gateway_id, name))
        fleet = self.options.all_runtimes or self.options.runtime_arns
        if fleet or len(wanted) < len(project_gateways):
            known = {gateway_id for gateway_id, _ in wanted}
            names = {n: n for n in project_gateways}
            if project_name:
                names.update({f"{project_name}{sep}{n}".lower(): n for n in project_gateways for sep in ("_", "-")})
            names.update({n.lower(): n for n in project_gateways})
            for page in self.pages("bedrock-agentcore-control", self.region, "ListGateways"):
                for item in page.get("items", []):
                    gateway_id = str(item.get("gatewayId"))
                    if gateway_id in known:
                        continue
                    project_gateway = names.get(str(item.get("name", "")).lower())
                    if project_gateway is not None or fleet:
                        wanted.append((gateway_id, project_gateway))
                        known.add(gateway_id)
        gateways: list[DeployedGateway] = []
        for gateway_id, project_gateway in wanted:
            detail = self.call("bedrock-agentcore-control", self.region, "GetGateway", gatewayIdentifier=gateway_id)
            gateway = DeployedGateway(
                id=gateway_id,
                arn=_s(detail.get("gatewayArn")),
                name=str(detail.get("name") or gateway_id),
                region=self.region,
                project_gateway=project_gateway,
                authorizer_type=_s(detail.get("authorizerType")),
                jwt=jwt_from_api(detail.get("authorizerConfiguration")),
            )
            if "lambda" in self.groups:
                gateway = replace(
                    gateway,
                    targets=self.attempt(
                        partial(self._gateway_targets, gateway_id), "bedrock-agentcore", "ListGatewayTargets"
                    ),
                )
            gateways.append(gateway)
        return tuple(gateways)

    def _gateway_targets(self, gateway_id: str) -> tuple[DeployedGatewayTarget, ...]:
        targets: list[DeployedGatewayTarget] = []
        for page in self.pages(
            "bedrock-agentcore-control", self.region, "ListGatewayTargets", gatewayIdentifier=gateway_id
        ):
            for item in page.get("items", []):
                target_id = str(item.get("targetId"))
                detail = self.call(
                    "bedrock-agentcore-control",
                    self.region,
                    "GetGatewayTarget",
                    gatewayIdentifier=gateway_id,
                    targetId=target_id,
                )
                lambda_arn = _s(detail.get("targetConfiguration", {}).get("mcp", {}).get("lambda", {}).get("lambdaArn"))
                targets.append(
                    DeployedGatewayTarget(
                        id=target_id, name=str(detail.get("name") or target_id), lambda_arn=lambda_arn
                    )
                )
        return tuple(targets)

    def _lambda_arns(self, gateways: Fetched[tuple[DeployedGateway, ...]]) -> list[str]:
        arns: set[str] = set()
        for gateway in getattr(self.project, "gateways", ()) or ():
            for target in gateway.targets:
                if target.lambda_arn and target.lambda_arn.startswith("arn:"):
                    arns.add(target.lambda_arn)
        for deployed in gateways.value or ():
            for target in deployed.targets.value or ():
                if target.lambda_arn:
                    arns.add(target.lambda_arn)
        return sorted(arns)

    def _provisioned_concurrency(self, function_arn: str) -> Fetched[int]:
        region = function_arn.split(":")[3] if function_arn.count(":") >= 6 else self.region
        return self.attempt(
            lambda: sum(
                len(page.get("ProvisionedConcurrencyConfigs", []))
                for page in self.pages("lambda", region, "ListProvisionedConcurrencyConfigs", FunctionName=function_arn)
            ),
            "lambda",
            "ListProvisionedConcurrencyConfigs",
        )

    def _memories(self) -> Fetched[tuple[DeployedMemory, ...]]:
        return self.attempt(self._read_memories, "bedrock-agentcore", "ListMemories")

    def _memory_status(self, memory_id: str) -> str:
        response = self.call("bedrock-agentcore-control", self.region, "GetMemory", memoryId=memory_id)
        return str(response.get("memory", {}).get("status"))

    def _read_memories(self) -> tuple[DeployedMemory, ...]:
        project_memories = list(getattr(self.project, "memories", ()) or ())
        project_name = getattr(self.project, "name", None)
        deployed = _deployed_resources(self.project, "memories")
        found: list[DeployedMemory] = []
        missing: list[str] = []
        for memory in project_memories:
            memory_id = memory.deployed_id or _s(deployed.get(memory.name, {}).get("memoryId"))
            if memory_id is None:
                missing.append(memory.name)
                continue
            status = self.attempt(partial(self._memory_status, memory_id), "bedrock-agentcore", "GetMemory")
            found.append(
                DeployedMemory(
                    id=memory_id,
                    arn=_s(deployed.get(memory.name, {}).get("memoryArn")),
                    name=memory.name,
                    region=self.region,
                    project_memory=memory.name,
                    status=status,
                )
            )
        fleet = self.options.all_runtimes or self.options.runtime_arns
        if missing or fleet:
            names = {m.lower(): m for m in missing}
            if project_name:
                names.update({f"{project_name}_{m}".lower(): m for m in missing})
            known = {m.id for m in found}
            for page in self.pages("bedrock-agentcore-control", self.region, "ListMemories"):
                for item in page.get("memories", []):
                    memory_id = str(item.get("id"))
                    if memory_id in known:
                        continue
                    name = str(item.get("name") or memory_id.rsplit("-", 1)[0])
                    project_memory = names.get(name.lower()) or next(
                        (v for k, v in names.items() if memory_id.lower().startswith(k + "-")), None
                    )
                    if project_memory is None and not fleet:
                        continue
                    found.append(
                        DeployedMemory(
                            id=memory_id,
                            arn=_s(item.get("arn")),
                            name=project_memory or name,
                            region=self.region,
                            project_memory=project_memory,
                            status=Fetched(str(item.get("status"))),
                        )
                    )
        return tuple(found)


def _strip_version(arn: str) -> str:
    """A runtime ARN without a trailing ``:<version>`` qualifier."""
    head, _, tail = arn.rpartition(":")
    return head if tail.isdigit() and head.count(":") >= 5 else arn


def _route(raw: Mapping[str, Any]) -> Route:
    destination = str(
        raw.get("DestinationCidrBlock")
        or raw.get("DestinationIpv6CidrBlock")
        or raw.get("DestinationPrefixListId")
        or ""
    )
    target = str(
        raw.get("NatGatewayId")
        or raw.get("GatewayId")
        or raw.get("TransitGatewayId")
        or raw.get("NetworkInterfaceId")
        or raw.get("VpcPeeringConnectionId")
        or raw.get("InstanceId")
        or ""
    )
    return Route(destination=destination, target=target)


def jwt_from_api(config: Any) -> JwtAuthorizer | None:
    """``authorizerConfiguration.customJWTAuthorizer`` of a runtime or gateway; ``None`` when absent."""
    if not isinstance(config, Mapping):
        return None
    for key in ("customJWTAuthorizer", "customJwtAuthorizer"):
        raw = config.get(key)
        if isinstance(raw, Mapping):
            return JwtAuthorizer(
                discovery_url=_s(raw.get("discoveryUrl")),
                allowed_audience=_strs(raw.get("allowedAudience")),
                allowed_clients=_strs(raw.get("allowedClients")),
                allowed_scopes=_strs(raw.get("allowedScopes")),
                custom_claims=tuple(c for c in raw.get("customClaims") or () if isinstance(c, Mapping)),
                key=key,
            )
    return None


def _runtime_config(raw: Mapping[str, Any]) -> RuntimeConfig:
    network = raw.get("networkConfiguration") or {}
    mode_config = network.get("networkModeConfig") or {}
    lifecycle = raw.get("lifecycleConfiguration") or {}
    artifact = raw.get("agentRuntimeArtifact") or {}
    env = raw.get("environmentVariables") or {}
    return RuntimeConfig(
        name=str(raw.get("agentRuntimeName") or raw.get("agentRuntimeId")),
        role_arn=_s(raw.get("roleArn")),
        status=_s(raw.get("status")),
        network_mode=_s(network.get("networkMode")),
        subnets=_strs(mode_config.get("subnets")),
        security_groups=_strs(mode_config.get("securityGroups")),
        jwt=jwt_from_api(raw.get("authorizerConfiguration")),
        idle_timeout=_i(lifecycle.get("idleRuntimeSessionTimeout")),
        max_lifetime=_i(lifecycle.get("maxLifetime")),
        env_var_names=tuple(sorted(str(k) for k in env)) if isinstance(env, Mapping) else (),
        platform_version=_s(raw.get("platformVersion")),
        container_uri=_s((artifact.get("containerConfiguration") or {}).get("containerUri")),
        protocol=_s((raw.get("protocolConfiguration") or {}).get("serverProtocol")),
    )


def _sourced(
    document: Any,
    name: str,
    kind: Any,
    location: Location,
    arn: str | None,
    holder: str | None = None,
) -> SourcedPolicy:
    if isinstance(document, (str, Mapping)):
        try:
            parsed = parse_policy(document)
        except PolicyParseError as exc:
            raise _CallFailed(
                AwsFailure("error", "iam:GetPolicyVersion", "MalformedPolicyDocument", f"{name}: {exc}")
            ) from None
        return SourcedPolicy(name=name, kind=kind, document=parsed, location=location, arn=arn, holder=holder)
    raise _CallFailed(AwsFailure("error", "iam:GetPolicyVersion", "MalformedPolicyDocument", f"{name}: no document"))

"""Runtimes (Bedrock AgentCore control plane): which runtimes to review, their
configurations, and what depends on a configuration (resource policy, log groups, VPC)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    CallFailed,
    deployed_resources,
    jwt_from_api,
    opt_int,
    opt_str,
    sourced,
    str_tuple,
)
from agentcore_readiness.facts.aws.model import (
    AwsFailure,
    DeployedRuntime,
    Fetched,
    RuntimeConfig,
    parse_runtime_arn,
)
from agentcore_readiness.facts.aws.services.logs import runtime_log_groups
from agentcore_readiness.facts.aws.services.vpc import vpc_facts
from agentcore_readiness.iam_policy import SourcedPolicy
from agentcore_readiness.model import Location


@dataclass(frozen=True)
class RuntimeTarget:
    """A runtime to review: where it is and which project runtime it belongs to."""

    arn: str | None
    id: str | None
    region: str
    project_runtime: str | None
    name: str | None = None


def runtime_targets(aws: AwsCalls) -> tuple[list[RuntimeTarget], list[str], Fetched[Any] | None]:
    """The runtimes to review, the project runtimes none of them is, and a failed runtime listing (else None).

    Without ``--runtime-arn`` or ``--all-runtimes`` these are the project's deployed runtimes.
    """
    project_runtimes = list(getattr(aws.project, "runtimes", ()) or ())
    deployed = deployed_resources(aws.project, "runtimes")
    if not (aws.options.runtime_arns or aws.options.all_runtimes):
        targets, unmatched = _project_targets(aws, project_runtimes, deployed)
        return targets, unmatched, None  # nothing was listed
    known = _ProjectRuntimes.index(aws, project_runtimes, deployed)
    listings = _RuntimeListings(aws)
    targets = [_arn_target(arn, listings, known) for arn in aws.options.runtime_arns]
    if aws.options.all_runtimes:
        targets.extend(_fleet_targets(aws, listings, known, targets))
    matched = {t.project_runtime for t in targets}
    unmatched = [r.name for r in project_runtimes if r.name not in matched]
    return targets, unmatched, listings.failed


def _deployed_ids(runtime: Any, deployed: Mapping[str, Mapping[str, Any]]) -> tuple[str | None, str | None]:
    """A project runtime's deployed ARN and id: its own, else those of the project's deployed state."""
    arn = runtime.deployed_arn or opt_str(deployed.get(runtime.name, {}).get("runtimeArn"))
    runtime_id = runtime.deployed_id or opt_str(deployed.get(runtime.name, {}).get("runtimeId"))
    return arn, runtime_id


@dataclass(frozen=True)
class _ProjectRuntimes:
    """The project's runtime names by deployed ARN (unversioned), id and name, to match deployed runtimes to."""

    by_arn: dict[str, str]
    by_id: dict[str, str]
    by_name: dict[str, str]

    @classmethod
    def index(
        cls, aws: AwsCalls, project_runtimes: list[Any], deployed: Mapping[str, Mapping[str, Any]]
    ) -> _ProjectRuntimes:
        project_name = getattr(aws.project, "name", None)
        known = cls({}, {}, {})
        for runtime in project_runtimes:
            arn, runtime_id = _deployed_ids(runtime, deployed)
            known.by_name[runtime.name] = runtime.name
            if project_name:
                known.by_name[f"{project_name}_{runtime.name}"] = runtime.name
            if arn:
                known.by_arn[_strip_version(arn)] = runtime.name
            if runtime_id:
                known.by_id[runtime_id] = runtime.name
        return known

    def match(self, arn: str | None, runtime_id: str | None, name: str | None) -> str | None:
        if arn and _strip_version(arn) in self.by_arn:
            return self.by_arn[_strip_version(arn)]
        if runtime_id and runtime_id in self.by_id:
            return self.by_id[runtime_id]
        if name and name in self.by_name:
            return self.by_name[name]
        return None


class _RuntimeListings:
    """ListAgentRuntimes of each region, read once; ``failed`` is the last listing that failed."""

    def __init__(self, aws: AwsCalls) -> None:
        self.aws = aws
        self.failed: Fetched[Any] | None = None
        self.listed: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, region: str) -> list[dict[str, Any]]:
        if region not in self.listed:
            aws = self.aws
            fetched = aws.attempt(
                lambda: [
                    item
                    for page in aws.pages("bedrock-agentcore-control", region, "ListAgentRuntimes")
                    for item in page.get("agentRuntimes", [])
                ],
                "bedrock-agentcore",
                "ListAgentRuntimes",
            )
            if fetched.error is not None:
                self.failed = fetched
            self.listed[region] = fetched.value or []
        return self.listed[region]


def _project_targets(
    aws: AwsCalls, project_runtimes: list[Any], deployed: Mapping[str, Mapping[str, Any]]
) -> tuple[list[RuntimeTarget], list[str]]:
    """The project's runtimes that were deployed, and the names of those that were not."""
    targets: list[RuntimeTarget] = []
    unmatched: list[str] = []
    for runtime in project_runtimes:
        arn, runtime_id = _deployed_ids(runtime, deployed)
        if arn or runtime_id:
            region = aws.region
            if arn:
                try:
                    parsed = parse_runtime_arn(arn)
                    region = parsed.region
                    runtime_id = runtime_id or parsed.runtime_id
                except ValueError:
                    pass
            targets.append(RuntimeTarget(arn, runtime_id, region, runtime.name))
        else:
            unmatched.append(runtime.name)
    return targets, unmatched


def _arn_target(arn: str, listings: _RuntimeListings, known: _ProjectRuntimes) -> RuntimeTarget:
    """A runtime named by ``--runtime-arn``; its id and name come from its region's listing when the ARN lacks them."""
    parsed = parse_runtime_arn(arn)
    runtime_id = parsed.runtime_id
    name = None
    if runtime_id is None:
        for item in listings(parsed.region):
            if _strip_version(str(item.get("agentRuntimeArn", ""))) == _strip_version(arn):
                runtime_id = opt_str(item.get("agentRuntimeId"))
                name = opt_str(item.get("agentRuntimeName"))
    return RuntimeTarget(arn, runtime_id, parsed.region, known.match(arn, runtime_id, name), name)


def _fleet_targets(
    aws: AwsCalls, listings: _RuntimeListings, known: _ProjectRuntimes, targets: list[RuntimeTarget]
) -> list[RuntimeTarget]:
    """Every runtime of the region (``--all-runtimes``) not already among ``targets``."""
    seen = {_strip_version(t.arn) for t in targets if t.arn}
    fleet: list[RuntimeTarget] = []
    for item in listings(aws.region):
        arn = opt_str(item.get("agentRuntimeArn"))
        if arn and _strip_version(arn) in seen:
            continue
        runtime_id = opt_str(item.get("agentRuntimeId"))
        name = opt_str(item.get("agentRuntimeName"))
        fleet.append(RuntimeTarget(arn, runtime_id, aws.region, known.match(arn, runtime_id, name), name))
    return fleet


def deployed_runtime(aws: AwsCalls, target: RuntimeTarget) -> DeployedRuntime:
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
    response = aws.attempt(
        lambda: aws.call("bedrock-agentcore-control", target.region, "GetAgentRuntime", agentRuntimeId=target.id),
        "bedrock-agentcore",
        "GetAgentRuntime",
    )
    arn = target.arn
    name = target.name
    if response.value is not None:
        arn = opt_str(response.value.get("agentRuntimeArn")) or arn
        name = opt_str(response.value.get("agentRuntimeName")) or name
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


def with_runtime_details(aws: AwsCalls, runtime: DeployedRuntime) -> DeployedRuntime:
    config = runtime.config.value
    if config is None:
        return runtime
    updates: dict[str, Any] = {}
    if "resource_policies" in aws.groups:
        updates["resource_policy"] = aws.attempt(
            lambda: runtime_resource_policy(aws, runtime), "bedrock-agentcore", "GetResourcePolicy"
        )
    if "logs" in aws.groups:
        updates["log_groups"] = aws.attempt(lambda: runtime_log_groups(aws, runtime), "logs", "DescribeLogGroups")
    if "vpc" in aws.groups and (config.network_mode or "").upper() == "VPC":
        updates["network"] = aws.attempt(lambda: vpc_facts(aws, runtime.region, config), "ec2", "DescribeSubnets")
    return replace(runtime, **updates)


def runtime_resource_policy(aws: AwsCalls, runtime: DeployedRuntime) -> SourcedPolicy | None:
    try:
        response = aws.call("bedrock-agentcore-control", runtime.region, "GetResourcePolicy", resourceArn=runtime.arn)
    except CallFailed as failed:
        if failed.failure.kind == "not_found":
            return None
        raise
    text = opt_str(response.get("policy"))
    if text is None:
        return None
    return sourced(
        text,
        f"resource policy of {runtime.label}",
        "resource",
        Location(arn=runtime.arn, region=runtime.region),
        runtime.arn,
    )


def _strip_version(arn: str) -> str:
    """A runtime ARN without a trailing ``:<version>`` qualifier."""
    head, _, tail = arn.rpartition(":")
    return head if tail.isdigit() and head.count(":") >= 5 else arn


def _runtime_config(raw: Mapping[str, Any]) -> RuntimeConfig:
    network = raw.get("networkConfiguration") or {}
    mode_config = network.get("networkModeConfig") or {}
    lifecycle = raw.get("lifecycleConfiguration") or {}
    artifact = raw.get("agentRuntimeArtifact") or {}
    env = raw.get("environmentVariables") or {}
    return RuntimeConfig(
        name=str(raw.get("agentRuntimeName") or raw.get("agentRuntimeId")),
        role_arn=opt_str(raw.get("roleArn")),
        status=opt_str(raw.get("status")),
        network_mode=opt_str(network.get("networkMode")),
        subnets=str_tuple(mode_config.get("subnets")),
        security_groups=str_tuple(mode_config.get("securityGroups")),
        jwt=jwt_from_api(raw.get("authorizerConfiguration")),
        idle_timeout=opt_int(lifecycle.get("idleRuntimeSessionTimeout")),
        max_lifetime=opt_int(lifecycle.get("maxLifetime")),
        env_var_names=tuple(sorted(str(k) for k in env)) if isinstance(env, Mapping) else (),
        platform_version=opt_str(raw.get("platformVersion")),
        container_uri=opt_str((artifact.get("containerConfiguration") or {}).get("containerUri")),
        protocol=opt_str((raw.get("protocolConfiguration") or {}).get("serverProtocol")),
    )

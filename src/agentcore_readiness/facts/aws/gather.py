"""The AWS gatherer: read-only calls, run concurrently under a limit, each result memoised.

Imports boto3 only when an AWS review runs. The scan runs in phases:
first the runtimes' configurations and the region-wide facts, then what depends on a
runtime's configuration (its execution role, resource policy, log groups and VPC), then
the Lambda functions behind gateway targets. This module keeps that order and puts the
results together; what each AWS service is asked is in :mod:`agentcore_readiness.facts.aws.services`,
over the calls, budget and error recording of :mod:`agentcore_readiness.facts.aws.calls`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from agentcore_readiness.facts.aws.calls import AwsCalls, opt_str
from agentcore_readiness.facts.aws.client import ReadOnlyClients, client_observers, resolve_region
from agentcore_readiness.facts.aws.model import (
    AccountIam,
    AwsFacts,
    AwsReviewOptions,
    DeployedGateway,
    DeployedMemory,
    DeployedRuntime,
    Fetched,
    RegionFacts,
    RoleFacts,
    parse_runtime_arn,
)
from agentcore_readiness.facts.aws.services.cloudtrail import trails
from agentcore_readiness.facts.aws.services.evaluations import online_evaluations
from agentcore_readiness.facts.aws.services.events import event_rules
from agentcore_readiness.facts.aws.services.gateways import gateway_facts
from agentcore_readiness.facts.aws.services.iam import account_iam_facts, role_facts
from agentcore_readiness.facts.aws.services.lambda_functions import gateway_lambda_arns, provisioned_concurrency
from agentcore_readiness.facts.aws.services.memories import memory_facts
from agentcore_readiness.facts.aws.services.runtimes import (
    RuntimeTarget,
    deployed_runtime,
    runtime_targets,
    with_runtime_details,
)
from agentcore_readiness.facts.aws.services.xray import trace_destination
from agentcore_readiness.facts.project.project_facts import ProjectFacts

NO_CREDENTIALS = (
    "no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
    "or run `aws sso login` / `aws configure`); the AWS rules were skipped"
)
NO_REGION = "no AWS region: pass --region (region=...) or set AWS_REGION; the AWS rules were skipped"


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


# The region-wide reads, each with the check group that needs it.
_REGION_READS: tuple[tuple[str, Callable[[AwsCalls, str], Fetched[Any]]], ...] = (
    ("alerts", event_rules),
    ("alerts", trails),
    ("xray", trace_destination),
    ("evals", online_evaluations),
)


@dataclass(frozen=True)
class _Configurations:
    """What the first phase read: the runtimes' configurations and the region- and account-wide facts."""

    runtimes: list[DeployedRuntime]
    regions: dict[str, RegionFacts]
    gateways: Fetched[tuple[DeployedGateway, ...]]
    memories: Fetched[tuple[DeployedMemory, ...]]
    account_iam: Fetched[AccountIam]


class _Gatherer(AwsCalls):
    """One review's AWS scan: the phases in order, each phase's reads run concurrently."""

    def run(self) -> tuple[AwsFacts | None, str | None]:
        refused = self._check_credentials()
        if refused is not None:
            return None, refused
        targets, unmatched, listing = runtime_targets(self)
        # Phase 1: runtime configurations and region-wide facts.
        configurations = self._read_configurations(targets)
        # Phase 2: what depends on each runtime's configuration.
        roles, runtimes, concurrency = self._read_dependents(configurations.runtimes, configurations.gateways)

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
                regions=configurations.regions,
                gateways=configurations.gateways,
                memories=configurations.memories,
                account_iam=configurations.account_iam,
                provisioned_concurrency=concurrency,
                api_calls=self.clients.total_calls,
                api_calls_by_operation=dict(sorted(self.clients.calls.items())),
                unmatched_project_runtimes=tuple(unmatched),
            ),
            None,
        )

    def _check_credentials(self) -> str | None:
        """Why the review cannot go on when the credentials were rejected or could not be checked, else None.

        Records the account the credentials belong to.
        """
        identity = self.attempt(lambda: self.call("sts", self.region, "GetCallerIdentity"), "sts", "GetCallerIdentity")
        if identity.error is not None and identity.error.kind in ("invalid", "unreachable"):
            why = "were rejected" if identity.error.kind == "invalid" else "could not be checked"
            return (
                f"the AWS credentials {why} ({identity.error.code}: {identity.error.message}); "
                "the AWS rules were skipped"
            )
        if identity.value is not None:
            self.account_id = opt_str(identity.value.get("Account"))
        return None

    def _read_configurations(self, targets: list[RuntimeTarget]) -> _Configurations:
        needs_runtimes = bool(self.groups & {"runtimes", "roles", "resource_policies", "logs", "vpc", "evals"})
        regions = sorted({self.region, *(t.region for t in targets)})
        runtime_tasks = [partial(deployed_runtime, self, t) for t in targets] if needs_runtimes else []
        region_tasks, region_keys = self._region_tasks(regions)
        other: list[Callable[[], Any]] = []
        if "gateways" in self.groups:
            other.append(partial(gateway_facts, self))
        if "memories" in self.groups:
            other.append(partial(memory_facts, self))
        if "account_iam" in self.groups:
            other.append(partial(account_iam_facts, self))
        results = self.run_all([*runtime_tasks, *region_tasks, *other])
        region_results = results[len(runtime_tasks) : len(runtime_tasks) + len(region_tasks)]
        rest = iter(results[len(runtime_tasks) + len(region_tasks) :])
        return _Configurations(
            runtimes=list(results[: len(runtime_tasks)]),
            regions=_region_facts(regions, region_keys, region_results),
            gateways=next(rest) if "gateways" in self.groups else Fetched(()),
            memories=next(rest) if "memories" in self.groups else Fetched(()),
            account_iam=next(rest) if "account_iam" in self.groups else Fetched(),
        )

    def _region_tasks(self, regions: list[str]) -> tuple[list[Callable[[], Any]], list[tuple[str, str]]]:
        """The selected region-wide reads of every region, and the (region, read name) of each."""
        tasks: list[Callable[[], Any]] = []
        keys: list[tuple[str, str]] = []
        for region in regions:
            for group, fn in _REGION_READS:
                if group in self.groups:
                    tasks.append(partial(fn, self, region))
                    keys.append((region, fn.__name__))
        return tasks, keys

    def _read_dependents(
        self, runtimes: list[DeployedRuntime], gateways: Fetched[tuple[DeployedGateway, ...]]
    ) -> tuple[dict[str, RoleFacts], list[DeployedRuntime], dict[str, Fetched[int]]]:
        """The execution roles, the runtimes with their details, and the gateway Lambdas' concurrency."""
        role_arns = sorted(
            {r.config.value.role_arn for r in runtimes if r.config.value is not None and r.config.value.role_arn}
        )
        phase2: list[Callable[[], Any]] = []
        if "roles" in self.groups:
            phase2.extend(partial(role_facts, self, arn) for arn in role_arns)
        detail_tasks = [partial(with_runtime_details, self, r) for r in runtimes]
        phase2.extend(detail_tasks)
        lambda_arns = gateway_lambda_arns(self, gateways) if "lambda" in self.groups else []
        phase2.extend(partial(provisioned_concurrency, self, arn) for arn in lambda_arns)
        results2 = self.run_all(phase2)
        role_count = len(role_arns) if "roles" in self.groups else 0
        roles = {role.arn: role for role in results2[:role_count]}
        detailed = list(results2[role_count : role_count + len(detail_tasks)])
        concurrency = dict(zip(lambda_arns, results2[role_count + len(detail_tasks) :], strict=True))
        return roles, detailed, concurrency


def _region_facts(regions: list[str], keys: list[tuple[str, str]], results: list[Any]) -> dict[str, RegionFacts]:
    """Each region's facts from the results of :meth:`_Gatherer._region_tasks`; a read not run is empty."""
    region_values: dict[str, dict[str, Any]] = {r: {} for r in regions}
    for (region, name), value in zip(keys, results, strict=True):
        region_values[region][name] = value
    return {
        region: RegionFacts(
            region=region,
            event_rules=values.get("event_rules", Fetched()),
            trails=values.get("trails", Fetched()),
            trace_destination=values.get("trace_destination", Fetched()),
            online_evaluations=values.get("online_evaluations", Fetched()),
        )
        for region, values in region_values.items()
    }

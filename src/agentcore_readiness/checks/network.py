"""Network: VPC placement of runtimes."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, skipped, unknown
from agentcore_readiness.facts.aws.model import DeployedRuntime, DeployedView, VpcFacts, deployed_runtimes
from agentcore_readiness.model import Fix


@rule(
    "NET002",
    "vpc-single-az",
    "medium",
    ("P", "A"),
    "VPC runtime in a single subnet or AZ",
    family="Network",
    aws=("runtimes", "vpc"),
)
def vpc_single_az(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each runtime in `VPC` network mode, checks that it has subnets and security
    groups, and at least two subnets. With AWS access it also checks that the subnets
    are in different Availability Zones.

    ### Why is this bad?
    One subnet means one Availability Zone: an AZ outage takes the agent down, and
    AgentCore may not support that AZ at all, which fails the deployment.

    ### Example
    ```json
    "networkMode": "VPC", "networkConfig": {"subnets": ["subnet-0123456789abcdef0"], "securityGroups": ["sg-…"]}
    ```

    ### Fix
    Add a private subnet in a second supported AZ: `networkConfig.subnets` (or
    `agentcore add agent … --network-mode VPC --subnets subnet-a,subnet-b`), then deploy.

    ### References
    - agents-build skill, `references/vpc.md`
    """
    vpc = [r for r in facts.project.runtimes if (r.network_mode or "").upper() == "VPC"]
    deployed = _deployed_vpc(facts)
    if not vpc and not deployed.items and not deployed.unknowns:
        return not_applicable("no runtime uses VPC network mode")
    _deployed_single_az(facts, out, deployed)
    for runtime in vpc:
        if not runtime.subnets or not runtime.security_groups:
            missing = " and ".join(
                n for n, v in (("subnets", runtime.subnets), ("security groups", runtime.security_groups)) if not v
            )
            out.fail(
                f"runtime {runtime.name!r} uses VPC mode without {missing}",
                runtime.loc("networkMode"),
                subject=runtime.name,
                fix=runtime_edit(
                    runtime,
                    [("subnets", ["subnet-<az-a>", "subnet-<az-b>"])],
                    f"Give {runtime.name} private subnets in two AZs and a security group.",
                ),
            )
        elif len(set(runtime.subnets)) < 2:
            out.warn(
                f"runtime {runtime.name!r} runs in one subnet ({runtime.subnets[0]}): one Availability Zone",
                runtime.loc("subnets"),
                subject=runtime.name,
                fix=runtime_edit(
                    runtime,
                    [("subnets", [runtime.subnets[0], "subnet-<second-az>"])],
                    f"Add a subnet in a second supported AZ to {runtime.name}.",
                ),
            )
        else:
            out.note(f"{runtime.name}: {len(set(runtime.subnets))} subnets (AZs checked with AWS access)")
    if deployed.unknowns and not out.items:
        return unknown("; ".join(deployed.unknowns))
    return None


# ---------------------------------------------------------------------------
# The deployed VPC (EC2 subnets, route tables, endpoints, security groups)

ENDPOINT_SERVICES = ("logs", "monitoring", "sts", "s3")
CONTAINER_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr")


def _deployed_vpc(facts: Facts) -> DeployedView[tuple[DeployedRuntime, VpcFacts, bool]]:
    """Deployed VPC runtimes with their network facts (and whether they run a container)."""
    view = deployed_runtimes(facts.aws("vpc"))
    items: list[tuple[DeployedRuntime, VpcFacts, bool]] = []
    unknowns = list(view.unknowns)
    for runtime, config in view.items:
        if (config.network_mode or "").upper() != "VPC" or runtime.network is None:
            continue
        if runtime.network.value is None:
            why = runtime.network.error.describe() if runtime.network.error else "not read"
            unknowns.append(f"VPC of {runtime.label}: {why}")
            continue
        items.append((runtime, runtime.network.value, config.is_container))
    return DeployedView(tuple(items), tuple(unknowns), view.unavailable)


def _deployed_single_az(
    facts: Facts, out: Findings, deployed: DeployedView[tuple[DeployedRuntime, VpcFacts, bool]]
) -> None:
    # Runtimes the project part already warned about (VPC mode with fewer than two subnets).
    single_subnet = {
        r.name for r in facts.project.runtimes if (r.network_mode or "").upper() == "VPC" and len(set(r.subnets)) < 2
    }
    for runtime, network, _container in deployed.items:
        zones = sorted({s.availability_zone_id or s.availability_zone or s.id for s in network.subnets})
        if len(zones) >= 2:
            out.note(f"{runtime.label} (deployed): subnets in {len(zones)} AZs ({', '.join(zones)})")
        elif runtime.project_runtime not in single_subnet:
            shown = zones[0] if zones else "no subnet found"
            out.warn(
                f"deployed runtime {runtime.label}'s subnets are all in one Availability Zone ({shown})",
                runtime.location,
                subject=runtime.label,
                evidence=", ".join(f"{s.id}: {s.availability_zone_id or s.availability_zone}" for s in network.subnets),
                fix=Fix(
                    summary="Add a private subnet in a second supported AZ to the runtime's networkConfig, then deploy.",
                    commands=["agentcore deploy"],
                ),
            )


@rule(
    "NET003",
    "vpc-egress-incomplete",
    "medium",
    ("A",),
    "VPC runtime cannot reach AWS services",
    family="Network",
    aws=("runtimes", "vpc"),
)
def vpc_egress_incomplete(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each deployed runtime in VPC mode, reads its subnets' route tables, the VPC's
    endpoints and its security groups. Fails when no subnet routes `0.0.0.0/0` through a
    NAT gateway and an endpoint the runtime needs is missing (`logs`, `monitoring`,
    `sts`, `s3`, and `ecr.api`/`ecr.dkr` for Container builds), or when no security-group
    egress rule allows TCP 443.

    ### Why is this bad?
    The runtime cannot pull its image or code, write logs, get credentials or call
    Bedrock: deployments hang or invocations time out with no error in the agent's logs.
    Public subnets do not help, since the runtime's network interfaces get no public IP.

    ### Example
    A private subnet whose route table has only the `local` route, and a VPC with no
    `com.amazonaws.<region>.logs` endpoint.

    ### Fix
    Route `0.0.0.0/0` through a NAT gateway, or create the interface endpoints
    (`aws ec2 create-vpc-endpoint --vpc-id <vpc> --service-name com.amazonaws.<region>.logs
    --vpc-endpoint-type Interface --subnet-ids … --security-group-ids …`) and the S3 gateway
    endpoint; allow egress on 443.

    ### References
    - agents-build skill, `references/vpc.md`
    """
    deployed = _deployed_vpc(facts)
    if deployed.unavailable is not None:
        return skipped(deployed.unavailable)
    if not deployed.items and not deployed.unknowns:
        return not_applicable("no deployed runtime uses VPC network mode")
    for runtime, network, container in deployed.items:
        region = runtime.region
        routes = [route for subnet in network.subnets for route in network.routes.get(subnet.id, ())]
        default_routes = [r for r in routes if r.destination in ("0.0.0.0/0", "::/0")]
        has_nat = any(r.target.startswith(("nat-", "tgw-", "eni-", "pcx-")) for r in default_routes)
        needed = ENDPOINT_SERVICES + (CONTAINER_ENDPOINT_SERVICES if container else ())
        # com.amazonaws.<region>.<service>
        present = {e.split(".", 3)[3] for e in network.endpoints if e.count(".") >= 3}
        missing = [service for service in needed if service not in present]
        vpc_id = next((s.vpc_id for s in network.subnets if s.vpc_id), "<vpc-id>")
        if not has_nat and missing:
            public = any(r.target.startswith("igw-") for r in default_routes)
            why = (
                "its default route goes to an internet gateway, which the runtime cannot use"
                if public
                else "no NAT route"
            )
            out.fail(
                f"deployed runtime {runtime.label}: {why}, and VPC endpoints are missing for {', '.join(missing)}",
                runtime.location,
                subject=runtime.label,
                evidence="routes: " + (", ".join(f"{r.destination}->{r.target}" for r in routes) or "none"),
                fix=Fix(
                    summary="Give the runtime's subnets a NAT route, or create the missing VPC endpoints.",
                    commands=[
                        f"aws ec2 create-vpc-endpoint --vpc-id {vpc_id} --service-name com.amazonaws.{region}.{service} "
                        + (
                            "--vpc-endpoint-type Gateway --route-table-ids <route-table-id>"
                            if service == "s3"
                            else "--vpc-endpoint-type Interface --subnet-ids <subnet-ids> --security-group-ids <sg-id>"
                        )
                        for service in missing
                    ],
                ),
            )
        if network.egress and not any(rule_.allows_https() for rule_ in network.egress):
            out.fail(
                f"deployed runtime {runtime.label}: no security-group egress rule allows TCP 443",
                runtime.location,
                subject=runtime.label,
                evidence=", ".join(f"{e.group_id} {e.protocol} {e.from_port}-{e.to_port}" for e in network.egress),
                fix=Fix(
                    summary="Allow HTTPS egress from the runtime's security group.",
                    commands=[
                        f"aws ec2 authorize-security-group-egress --group-id {network.egress[0].group_id} "
                        "--protocol tcp --port 443 --cidr 0.0.0.0/0"
                    ],
                ),
            )
        elif not network.egress and network.security_groups_found:
            out.fail(
                f"deployed runtime {runtime.label}: its security groups allow no egress at all",
                runtime.location,
                subject=runtime.label,
                fix=Fix(
                    summary="Allow HTTPS egress from the runtime's security group.",
                    commands=[
                        f"aws ec2 authorize-security-group-egress --group-id {network.security_groups_found[0]} "
                        "--protocol tcp --port 443 --cidr 0.0.0.0/0"
                    ],
                ),
            )
        if not [f for f in out.items if f.subject == runtime.label]:
            out.note(f"{runtime.label}: " + ("NAT route" if has_nat else "VPC endpoints present") + ", egress 443")
    if deployed.unknowns and not out.items:
        return unknown("; ".join(deployed.unknowns))
    return None


@rule(
    "NET001",
    "private-resource-on-public-network",
    "high",
    ("C", "P"),
    "Private resource reached from a PUBLIC runtime",
    family="Network",
    reads=("runtime",),
    tools=("audit_code",),
)
def private_resource_on_public_network(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Looks in each runtime's agent code for private resources and checks the runtime's
    `networkMode`. A private address in a URL or host string (`*.rds.amazonaws.com`,
    ElastiCache, DocumentDB, Redshift, OpenSearch, Neptune and MemoryDB endpoints, RFC 1918
    addresses, `*.internal`, `*.local`, `*.corp`) fails when the runtime is not in
    `VPC` mode; a database or broker driver (`psycopg`, `pymysql`, `asyncpg`, `redis`,
    `pymongo`, `pika`, a non-SQLite `create_engine`, …) warns, since the server could
    also be public (in a file whose private host is already reported, the host is the
    finding).

    A host counts where the code connects to it or configures a client with it: a call
    argument (`requests.get(url)`, `connect(host=…)`, an `os.getenv` default), a value given
    to a configuration name (`DB_HOST = …`, `{"endpoint": …}`), or a constant a call
    receives. Identifiers are not connections: JSON-Schema `$id`/`$schema`/`$ref`, XML
    namespaces, strings compared or searched for, log messages. A public OpenSearch domain
    endpoint (`search-*.es.amazonaws.com`) is not private; its VPC form (`vpc-*`) is.

    ### Why is this bad?
    A `PUBLIC` runtime has no route into your VPC: connections to private resources
    time out at run time, after a successful deploy.

    ### Example
    ```python
    engine = create_engine("postgresql://app@orders.cluster-abc.us-east-1.rds.amazonaws.com/orders")
    ```
    with `"networkMode": "PUBLIC"`.

    ### Fix
    Set `networkMode` to `VPC` with `networkConfig` (private subnets in two AZs, security
    groups, and `vpcId` for Container builds), or `agentcore add agent … --network-mode VPC
    --subnets … --security-groups …`, then deploy; add NAT or VPC endpoints for the AWS
    APIs the agent calls.

    ### References
    - agents-harden skill, "Network: VPC for private resources"; agents-build skill, `references/vpc.md`
    """
    from agentcore_readiness.checks.code_rule_bodies import net001

    return net001(facts, out)

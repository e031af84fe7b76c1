"""EC2: a VPC runtime's subnets, route tables, VPC endpoints and security-group egress
(read once per distinct network configuration)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    opt_int,
    opt_str,
)
from agentcore_readiness.facts.aws.model import (
    Route,
    RuntimeConfig,
    SecurityGroupEgress,
    Subnet,
    VpcFacts,
)


def vpc_facts(aws: AwsCalls, region: str, config: RuntimeConfig) -> VpcFacts:
    key = ("vpc", region, *sorted(config.subnets), "|", *sorted(config.security_groups))
    return aws.memo(key, lambda: _read_vpc(aws, region, config))


def _read_vpc(aws: AwsCalls, region: str, config: RuntimeConfig) -> VpcFacts:
    subnets: list[Subnet] = []
    if config.subnets:
        for page in aws.pages("ec2", region, "DescribeSubnets", SubnetIds=list(config.subnets)):
            for item in page.get("Subnets", []):
                subnets.append(
                    Subnet(
                        id=str(item.get("SubnetId")),
                        vpc_id=opt_str(item.get("VpcId")),
                        availability_zone=opt_str(item.get("AvailabilityZone")),
                        availability_zone_id=opt_str(item.get("AvailabilityZoneId")),
                    )
                )
    vpc_ids = sorted({s.vpc_id for s in subnets if s.vpc_id})
    routes: dict[str, tuple[Route, ...]] = {}
    endpoints: list[str] = []
    if vpc_ids:
        tables = [
            table
            for page in aws.pages("ec2", region, "DescribeRouteTables", Filters=[{"Name": "vpc-id", "Values": vpc_ids}])
            for table in page.get("RouteTables", [])
        ]
        main: dict[str, tuple[Route, ...]] = {}
        for table in tables:
            table_routes = tuple(_route(r) for r in table.get("Routes", []))
            for association in table.get("Associations", []):
                if association.get("Main"):
                    main[str(table.get("VpcId"))] = table_routes
                subnet_id = opt_str(association.get("SubnetId"))
                if subnet_id:
                    routes[subnet_id] = table_routes
        for subnet in subnets:
            if subnet.id not in routes and subnet.vpc_id in main:
                routes[subnet.id] = main[subnet.vpc_id]
        endpoints = [
            str(endpoint.get("ServiceName"))
            for page in aws.pages(
                "ec2", region, "DescribeVpcEndpoints", Filters=[{"Name": "vpc-id", "Values": vpc_ids}]
            )
            for endpoint in page.get("VpcEndpoints", [])
            if endpoint.get("State", "available") in ("available", "Available", "pending", "pendingAcceptance")
        ]
    egress: list[SecurityGroupEgress] = []
    found_groups: list[str] = []
    if config.security_groups:
        for page in aws.pages("ec2", region, "DescribeSecurityGroups", GroupIds=list(config.security_groups)):
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
                            from_port=opt_int(permission.get("FromPort")),
                            to_port=opt_int(permission.get("ToPort")),
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

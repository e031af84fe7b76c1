"""Network: VPC placement of runtimes."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule


@rule("NET002", "vpc-single-az", "medium", ("P", "A"), "VPC runtime in a single subnet or AZ", family="Network")
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
    if not vpc:
        return not_applicable("no runtime uses VPC network mode")
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
    return None

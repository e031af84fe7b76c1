"""AgentCore Memory (Bedrock AgentCore control plane): the project's memories and their status."""

from __future__ import annotations

from functools import partial

from agentcore_readiness.facts.aws.calls import (
    AwsCalls,
    deployed_resources,
    opt_str,
)
from agentcore_readiness.facts.aws.model import (
    DeployedMemory,
    Fetched,
)


def memory_facts(aws: AwsCalls) -> Fetched[tuple[DeployedMemory, ...]]:
    return aws.attempt(partial(_read_memories, aws), "bedrock-agentcore", "ListMemories")


def _memory_status(aws: AwsCalls, memory_id: str) -> str:
    response = aws.call("bedrock-agentcore-control", aws.region, "GetMemory", memoryId=memory_id)
    return str(response.get("memory", {}).get("status"))


def _read_memories(aws: AwsCalls) -> tuple[DeployedMemory, ...]:
    project_memories = list(getattr(aws.project, "memories", ()) or ())
    project_name = getattr(aws.project, "name", None)
    deployed = deployed_resources(aws.project, "memories")
    found: list[DeployedMemory] = []
    missing: list[str] = []
    for memory in project_memories:
        memory_id = memory.deployed_id or opt_str(deployed.get(memory.name, {}).get("memoryId"))
        if memory_id is None:
            missing.append(memory.name)
            continue
        status = aws.attempt(partial(_memory_status, aws, memory_id), "bedrock-agentcore", "GetMemory")
        found.append(
            DeployedMemory(
                id=memory_id,
                arn=opt_str(deployed.get(memory.name, {}).get("memoryArn")),
                name=memory.name,
                region=aws.region,
                project_memory=memory.name,
                status=status,
            )
        )
    fleet = aws.options.all_runtimes or aws.options.runtime_arns
    if missing or fleet:
        names = {m.lower(): m for m in missing}
        if project_name:
            names.update({f"{project_name}_{m}".lower(): m for m in missing})
        known = {m.id for m in found}
        for page in aws.pages("bedrock-agentcore-control", aws.region, "ListMemories"):
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
                        arn=opt_str(item.get("arn")),
                        name=project_memory or name,
                        region=aws.region,
                        project_memory=project_memory,
                        status=Fetched(str(item.get("status"))),
                    )
                )
    return tuple(found)

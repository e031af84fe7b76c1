"""Facts about the AgentCore APIs and botocore that the session and resource rules state:
Memory session IDs (SESS005), retries (SESS012, RES004), memory strategies (RES001, RES003)
and built-in tool sessions (RES007). Each defect with the near miss that must stay silent.
"""

from __future__ import annotations

from typing import Any

from conftest import ProjectBuilder, findings_of

MAIN = "app/Agent/main.py"


def memory(name: str = "ChatMemory", strategies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"name": name, "eventExpiryDuration": 30, "strategies": strategies or []}


SEMANTIC = {"type": "SEMANTIC", "namespaceTemplates": ["/users/{actorId}/facts"]}

MEMORY_AGENT = """
from bedrock_agentcore.memory import MemoryClient
from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()
memory = MemoryClient(region_name="us-east-1")


@app.entrypoint
def invoke(payload):
    prompt = str(payload.get("prompt", ""))[:2000]
    memory.create_event(memory_id="mem-1", actor_id="user-1", session_id="chat-1", messages=[(prompt, "USER")])
    return {"ok": True}
"""


def test_short_memory_session_id_fails_only_for_long_term_memory(project: ProjectBuilder) -> None:
    project.agentcore(memories=[memory(strategies=[SEMANTIC])])
    project.write(MAIN, MEMORY_AGENT)
    result = project.results("SESS005")["SESS005"]
    assert findings_of(result) == [("fail", MAIN, 11)]
    assert result.findings[0].message == (
        "session ID 'chat-1' (6 characters, used in create_event(session_id=…) at line 11) is shorter than 33: "
        "CreateEvent accepts it (1-100 characters), but long-term memory silently skips extraction for session IDs "
        "under 33 characters (memory ChatMemory has SEMANTIC): nothing is ever recalled"
    )


def test_short_memory_session_id_is_fine_for_short_term_memory(project: ProjectBuilder) -> None:
    project.agentcore(memories=[memory()])
    project.write(MAIN, MEMORY_AGENT)
    result = project.results("SESS005")["SESS005"]
    assert (result.status, result.findings) == ("pass", [])
    assert (
        f"{MAIN}:11: session ID 'chat-1' (6 characters, used in create_event(session_id=…) at line 11); the "
        "project's memories keep short-term events only, which accept it" in (result.reason or "")
    )


def test_short_runtime_session_id_is_rejected_by_the_api(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint()
    project.write(
        "scripts/ask.py",
        'import boto3\n\nboto3.client("bedrock-agentcore").invoke_agent_runtime(\n'
        '    agentRuntimeArn="arn", runtimeSessionId="run-1", payload=b"{}"\n)\n',
    )
    result = project.results("SESS005")["SESS005"]
    assert findings_of(result) == [("fail", "scripts/ask.py", 4)]
    assert result.findings[0].message.endswith(
        "is shorter than 33: InvokeAgentRuntime rejects runtime session IDs under 33 characters (ValidationException)"
    )

"""Facts about the AgentCore APIs and botocore that the session and resource rules state:
Memory session IDs (SESS005), retries (SESS012, RES004), memory strategies (RES001, RES003)
and built-in tool sessions (RES007). Each defect with the near miss that must stay silent.
"""

from __future__ import annotations

from collections.abc import Callable
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


# --- RES001: short-term only, for memories the code uses ---------------------------------------


def test_toolkit_memories(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("toolkit_memories")
    result = project.results("RES001")["RES001"]
    assert [(f.level, f.location.path, f.location.line) for f in result.findings] == [
        ("warn", ".bedrock_agentcore.yaml", 16),  # chat writes and reads events of an STM_ONLY memory
        ("info", ".bedrock_agentcore.yaml", 67),  # greeter never touches its memory
    ]
    assert result.findings[0].message == (
        "memory 'chat_mem' is short-term only (used by chat): nothing is recalled across sessions"
    )
    assert result.findings[1].message.startswith(
        "memory 'greeter_mem' is declared but runtime greeter's code never uses it ("
    )
    # lookup is an MCP server; support's memory was created outside the toolkit (strategies unknown here)
    project.write("chat.py", "def invoke(payload):\n    return payload\n")
    quiet = project.results("RES001")["RES001"]
    assert [(f.level, f.location.line) for f in quiet.findings] == [("info", 16), ("info", 67)]
    assert quiet.reason == (
        "lookup_mem: it belongs to the MCP server runtime lookup, which serves tools, not conversations; "
        "shared_support_memory: an existing memory the agent was pointed at (was_created_by_toolkit: false): its "
        "strategies are not recorded in this file"
    )


def test_strategies_added_in_code_are_long_term(project: ProjectBuilder) -> None:
    project.agentcore(memories=[memory()])
    project.write(MAIN, MEMORY_AGENT)
    result = project.results("RES001")["RES001"]
    assert findings_of(result) == [("warn", "agentcore/agentcore.json", result.findings[0].location.line)]
    assert result.findings[0].message == (
        "memory 'ChatMemory' is short-term only (used by Agent): nothing is recalled across sessions"
    )
    project.write(
        "scripts/setup_memory.py",
        """
        from bedrock_agentcore.memory import MemoryClient

        if __name__ == "__main__":
            MemoryClient().add_semantic_strategy_and_wait(memory_id="mem-1", name="facts", namespaces=["/facts"])
        """,
    )
    result = project.results("RES001")["RES001"]
    assert (result.status, result.findings) == ("pass", [])
    assert result.reason == (
        "ChatMemory: the project's code adds long-term strategies at scripts/setup_memory.py:4 "
        "(add_semantic_strategy_and_wait)"
    )


# --- RES003: reflectionNamespaces is the v1 name of reflectionNamespaceTemplates ----------------


def test_episodic_reflection_under_either_name(project: ProjectBuilder) -> None:
    episodic = {"type": "EPISODIC", "namespaceTemplates": ["/episodes/{actorId}/{sessionId}"]}
    project.agentcore(
        memories=[
            memory("Current", [{**episodic, "reflectionNamespaceTemplates": ["/episodes/{actorId}"]}]),
            memory("Legacy", [{**episodic, "reflectionNamespaces": ["/episodes/{actorId}"]}]),
            memory("Missing", [episodic]),
        ]
    )
    project.entrypoint()
    result = project.results("RES003")["RES003"]
    assert [(f.level, f.location.pointer) for f in result.findings] == [("fail", "/memories/2/strategies/0")]
    assert result.findings[0].message == "memory 'Missing': EPISODIC strategy has no reflectionNamespaceTemplates"


# --- RES007: the strands_tools Code Interpreter and Browser wrappers start sessions --------------

WRAPPERS = """
from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent
from strands_tools.browser import AgentCoreBrowser
from strands_tools.code_interpreter import AgentCoreCodeInterpreter

app = BedrockAgentCoreApp()
shared_browser = AgentCoreBrowser(region="us-east-1")


@app.entrypoint
def invoke(payload, context):
    scratch = AgentCoreCodeInterpreter(region="us-east-1")
    per_conversation = AgentCoreCodeInterpreter(region="us-east-1", session_name=context.session_id)
    browser = AgentCoreBrowser(region="us-east-1")
    closed = AgentCoreBrowser(region="us-east-1")
    try:
        tools = [scratch.code_interpreter, per_conversation.code_interpreter, browser.browser, closed.browser]
        return {"answer": str(Agent(tools=[*tools, shared_browser.browser])(str(payload.get("prompt", ""))[:2000]))}
    finally:
        closed.close_platform()
"""


def test_strands_tool_wrappers_are_sessions(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, WRAPPERS)
    result = project.results("RES007")["RES007"]
    assert findings_of(result) == [("warn", MAIN, 12), ("warn", MAIN, 14)]
    assert result.findings[0].message == (
        f"Code Interpreter wrapper AgentCoreCodeInterpreter() made in invoke() at {MAIN}:12 keeps each session it "
        "starts (persist_sessions defaults to True) and, without a session_name, starts a new one for every wrapper: "
        "each call leaves sessions running against the concurrent-session quota"
    )
    assert result.findings[1].message.startswith(f"Browser wrapper AgentCoreBrowser() made in invoke() at {MAIN}:14")


def test_a_memory_no_runtime_uses_is_an_info_note(project: ProjectBuilder) -> None:
    project.agentcore(memories=[memory()])
    project.entrypoint()
    result = project.results("RES001")["RES001"]
    assert result.status == "pass"
    assert [(f.level, f.message) for f in result.findings] == [
        (
            "info",
            "memory 'ChatMemory' is declared but no runtime's code uses it (no Memory client, session manager, event "
            "or record call, or memory ID read): remove it, or wire it in",
        )
    ]

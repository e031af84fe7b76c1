"""The rules built on the project map (SESS014, RES008, RES009, SEC006, GW008, IAM001 offline),
on fixture projects shaped like real ones: each defect, and beside it the near miss that must
stay silent. Every finding is asserted with its rule, level, file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.model import RuleResult
from conftest import ProjectBuilder, findings_of, gateway, runtime

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HELPDESK = "helpdesk_platform"
FLEET = "fleet_toolkit"
CONFIG = "agentcore/agentcore.json"
YAML = ".bedrock_agentcore.yaml"
NEW_RULES = ("SESS014", "RES008", "RES009", "SEC006", "GW008", "IAM001", "CODE007")


def results(fixture: str) -> dict[str, RuleResult]:
    report = review(ReviewRequest(target=str(FIXTURES / fixture), select=NEW_RULES))
    assert len(report.projects) == 1
    return {r.rule: r for r in report.projects[0].results}


def line_of(fixture: str, rel: str, needle: str) -> int:
    lines = (FIXTURES / fixture / rel).read_text(encoding="utf-8").splitlines()
    hits = [number for number, text in enumerate(lines, 1) if needle in text]
    assert len(hits) == 1, f"{needle!r} is not unique in {rel}"
    return hits[0]


@pytest.fixture(scope="module")
def helpdesk() -> dict[str, RuleResult]:
    return results(HELPDESK)


@pytest.fixture(scope="module")
def fleet() -> dict[str, RuleResult]:
    return results(FLEET)


CONCIERGE = "app/Concierge/main.py"
LEDGER = "app/Ledger/server.py"


# --- SESS014 -------------------------------------------------------------------------------------


def test_blocking_agent_call_in_an_async_entrypoint_fails_where_it_is_made(helpdesk: dict[str, RuleResult]) -> None:
    """Concierge's async entrypoint calls the Strands agent synchronously; Ledger hands its
    blocking work to a thread and Catalog's async MCP tool awaits everything: both stay silent."""
    result = helpdesk["SESS014"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", CONCIERGE, line_of(HELPDESK, CONCIERGE, "result = agent(prompt)"))]
    assert result.findings[0].message == (
        "async entrypoint invoke() runs the Strands agent call `agent(prompt)` on the event loop: while it runs, "
        "streamed events stop, other requests wait and /ping goes unanswered"
    )


def test_a_plain_def_entrypoint_runs_in_a_thread_and_is_not_checked(fleet: dict[str, RuleResult]) -> None:
    result = fleet["SESS014"]
    assert (result.status, result.findings) == ("not_applicable", [])


def test_blocking_work_in_a_sync_helper_is_reported_at_the_call_in_async_code(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        "app/Agent/main.py",
        """
        import asyncio

        import requests
        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        from pipeline import enrich

        app = BedrockAgentCoreApp()


        @app.entrypoint
        async def invoke(payload):
            facts = enrich(payload.get("city", ""))
            weather = await asyncio.to_thread(requests.get, "https://weather.example.com/today", timeout=5)
            return {"facts": facts, "weather": weather.json()}
        """,
    )
    project.write(
        "app/Agent/pipeline.py",
        """
        import requests


        def enrich(city):
            return requests.get(f"https://facts.example.com/{city}", timeout=5).json()
        """,
    )
    result = project.results("SESS014")["SESS014"]
    assert findings_of(result) == [("fail", "app/Agent/main.py", 13)]
    assert result.findings[0].message.startswith(
        "async entrypoint invoke() runs enrich(), which runs the HTTP call requests.get() at app/Agent/pipeline.py:5 on "
        "the event loop"
    )
    assert result.findings[0].evidence == (
        "called through invoke() (app/Agent/main.py:12) → enrich() (app/Agent/pipeline.py:4)"
    )


def test_async_steps_a_websocket_server_dispatches_to_are_checked_but_startup_hooks_and_dead_code_are_not(
    project: ProjectBuilder,
) -> None:
    """A hand-written FastAPI container: the websocket handler dispatches tool calls through a
    registry (no direct call to follow); the async search tool posts with requests on the loop.
    The startup hook's blocking read runs before anything is served, and an async helper
    nothing calls never runs: both stay silent."""
    project.agentcore(runtimes=[runtime(build="Container", entrypoint="server.py")])
    project.write("app/Agent/Dockerfile", 'FROM python:3.12-slim\nCOPY . .\nCMD ["python", "-m", "server"]\n')
    project.write(
        "app/Agent/server.py",
        """
        import boto3
        import uvicorn
        from fastapi import FastAPI, WebSocket

        from tools import REGISTRY

        app = FastAPI()


        @app.on_event("startup")
        async def load_settings():
            app.state.settings = boto3.client("ssm").get_parameter(Name="/voice/settings")["Parameter"]["Value"]


        @app.get("/ping")
        async def ping():
            return {"status": "Healthy"}


        @app.websocket("/ws")
        async def calls(websocket: WebSocket):
            await websocket.accept()
            async for message in websocket.iter_json():
                handler = REGISTRY[message["tool"]]
                await websocket.send_json(await handler(**message["arguments"]))


        async def legacy_lookup(query):
            return boto3.client("dynamodb").get_item(TableName="legacy", Key={"q": {"S": query}})


        if __name__ == "__main__":
            uvicorn.run(app, host="0.0.0.0", port=8080)
        """,
    )
    project.write(
        "app/Agent/tools.py",
        """
        import requests


        async def web_search(query: str) -> dict:
            return requests.post("https://search.example.com/v1", json={"q": query}, timeout=10).json()


        REGISTRY = {"web_search": web_search}
        """,
    )
    result = project.results("SESS014")["SESS014"]
    assert findings_of(result) == [("fail", "app/Agent/tools.py", 5)]
    assert result.findings[0].message.startswith(
        "async function web_search() runs the HTTP call requests.post() on the event loop"
    )


def test_async_apis_and_thread_handoffs_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        "app/Agent/main.py",
        """
        import asyncio

        from bedrock_agentcore.runtime import BedrockAgentCoreApp
        from strands import Agent

        app = BedrockAgentCoreApp()
        agent = Agent(model="us.anthropic.claude-sonnet-4-20250514-v1:0")


        @app.entrypoint
        async def invoke(payload):
            draft = await agent.invoke_async(payload.get("prompt", ""))
            checked = await asyncio.to_thread(agent, f"Check this answer: {draft}")
            async for event in agent.stream_async("Summarise"):
                yield event
            yield {"checked": str(checked)}
        """,
    )
    result = project.results("SESS014")["SESS014"]
    assert (result.status, result.findings) == ("pass", [])
    assert result.reason == "app/Agent/main.py:11 async streaming entrypoint invoke(): nothing blocks the event loop"


# --- RES008 --------------------------------------------------------------------------------------


def test_strategies_whose_namespace_no_retrieval_covers_warn(helpdesk: dict[str, RuleResult]) -> None:
    """The session manager retrieves /users/{actor}/facts (SEMANTIC, silent); the preferences and
    summaries strategies extract records nothing reads."""
    result = helpdesk["RES008"]
    assert result.status == "warn"
    # each finding is at the strategy's object in agentcore.json (the line before its "type")
    assert findings_of(result) == [
        ("warn", CONFIG, line_of(HELPDESK, CONFIG, '"USER_PREFERENCE"') - 1),
        ("warn", CONFIG, line_of(HELPDESK, CONFIG, '"SUMMARIZATION"') - 1),
    ]
    assert result.findings[0].message == (
        "memory 'HelpdeskMemory' strategy USER_PREFERENCE (/users/{actorId}/preferences) is never retrieved: the code "
        "reads only /users/{…}/facts (AgentCoreMemoryConfig at app/Concierge/memory/session.py:13)"
    )


def test_toolkit_long_term_memory_written_but_never_read_fails(fleet: dict[str, RuleResult]) -> None:
    result = fleet["RES008"]
    assert findings_of(result) == [("fail", YAML, line_of(FLEET, YAML, "mode: STM_AND_LTM"))]
    assert result.findings[0].message == (
        "memory 'fleet_assistant_mem' is STM_AND_LTM: the toolkit's long-term strategies extract records from the "
        "events the code writes (create_event at agent/assistant.py:26), but no code retrieves them"
    )


def test_every_strategy_retrieved_passes_and_an_unused_memory_does_not_apply(project: ProjectBuilder) -> None:
    """The summaries are read through a thread (`asyncio.to_thread(client.retrieve_memories, ...)`):
    a retrieval all the same."""
    strategies = [
        {"type": "SEMANTIC", "namespaceTemplates": ["/users/{actorId}/facts"]},
        {"type": "SUMMARIZATION", "namespaceTemplates": ["/summaries/{actorId}/{sessionId}"]},
    ]
    project.agentcore(memories=[{"name": "Mem", "eventExpiryDuration": 30, "strategies": strategies}])
    project.entrypoint()
    assert project.results("RES008")["RES008"].status == "not_applicable"
    project.write(
        "app/Agent/memory.py",
        """
        import asyncio
        import os

        from bedrock_agentcore.memory import MemoryClient

        client = MemoryClient()
        MEMORY_ID = os.environ["MEMORY_MEM_ID"]


        def remember(actor_id, session_id, turns):
            client.create_event(memory_id=MEMORY_ID, actor_id=actor_id, session_id=session_id, messages=turns)


        async def recall(actor_id, session_id, query):
            facts = client.retrieve_memories(memory_id=MEMORY_ID, namespace=f"/users/{actor_id}/facts", query=query)
            summary = await asyncio.to_thread(
                client.retrieve_memories, memory_id=MEMORY_ID, namespace=f"/summaries/{actor_id}/{session_id}",
                query=query,
            )
            return facts + summary
        """,
    )
    project.entrypoint("memory")
    result = project.results("RES008")["RES008"]
    assert (result.status, result.findings) == ("pass", [])


# --- RES009 and CODE007 --------------------------------------------------------------------------


def test_memory_actor_from_a_caller_chosen_header_or_the_payload_is_reported_where_it_is_read(
    helpdesk: dict[str, RuleResult],
) -> None:
    """Concierge takes the actor from the verified `sub` claim (silent) but falls back to a custom
    header with a default (fail: a JWT runtime); Ledger takes it from the payload (warn: IAM)."""
    result = helpdesk["RES009"]
    header_line = line_of(HELPDESK, CONCIERGE, "X-Amzn-Bedrock-AgentCore-Runtime-Custom-User-Id")
    payload_line = line_of(HELPDESK, LEDGER, 'customer_id = body.get("customer_id")')
    assert findings_of(result) == [("fail", CONCIERGE, header_line), ("warn", LEDGER, payload_line)]
    assert result.findings[0].message == (
        "the memory actor ID of AgentCoreMemoryConfig at app/Concierge/memory/session.py:13 is the request header "
        "'X-Amzn-Bedrock-AgentCore-Runtime-Custom-User-Id': a request header is whatever the caller sends, so a "
        "caller can read and write another user's memory; when it is missing, every caller shares the actor "
        "'anonymous'"
    )
    assert result.findings[1].evidence == "memory call(s): app/Ledger/server.py:29"


def test_code007_stays_silent_on_the_line_res009_reports(helpdesk: dict[str, RuleResult]) -> None:
    result = helpdesk["CODE007"]
    assert findings_of(result) == [("warn", LEDGER, line_of(HELPDESK, LEDGER, 'account_id = body.get("account_id")'))]
    assert "'account_id'" in result.findings[0].message and "customer_id" not in result.findings[0].message


def test_a_constant_actor_shared_by_every_caller_fails(fleet: dict[str, RuleResult]) -> None:
    result = fleet["RES009"]
    assert findings_of(result) == [
        ("fail", "agent/assistant.py", line_of(FLEET, "agent/assistant.py", "DISPATCHER = "))
    ]
    assert result.findings[0].message == (
        "the memory actor ID of create_event at agent/assistant.py:26 is the literal 'default-user': the same for "
        "every caller, so all users read and write one memory"
    )


def test_actor_from_the_verified_token_passes(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(authorizerType="CUSTOM_JWT")])
    project.write(
        "app/Agent/main.py",
        """
        import jwt
        from bedrock_agentcore.memory import MemoryClient
        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        app = BedrockAgentCoreApp()
        memory = MemoryClient()


        @app.entrypoint
        def invoke(payload, context):
            token = context.request_headers["Authorization"].removeprefix("Bearer ")
            claims = jwt.decode(token, options={"verify_signature": False})
            memory.create_event(
                memory_id="mem-1", actor_id=claims["sub"], session_id=context.session_id, messages=[("hi", "USER")]
            )
            return {"ok": True}
        """,
    )
    result = project.results("RES009")["RES009"]
    assert (result.status, result.findings) == ("pass", [])


# --- SEC006 --------------------------------------------------------------------------------------


def test_gateway_target_naming_an_undeclared_credential_fails(helpdesk: dict[str, RuleResult]) -> None:
    """Tickets names TicketingOAuth, which nobody declares; StatusPage's StatusPageKey is declared."""
    result = helpdesk["SEC006"]
    assert findings_of(result) == [("fail", CONFIG, line_of(HELPDESK, CONFIG, '"credentialName": "TicketingOAuth"'))]
    finding = result.findings[0]
    assert finding.location.pointer == "/agentCoreGateways/0/targets/1/outboundAuth/credentialName"
    assert finding.message == (
        "gateway OpsTools target Tickets refers to the credential provider 'TicketingOAuth', which the project does "
        "not declare"
    )
    assert finding.fix is not None and finding.fix.commands[0].startswith(
        "agentcore add credential --name TicketingOAuth --type oauth"
    )


def test_runtime_env_var_naming_a_provider_is_a_reference_and_case_matters(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[runtime(envVars=[{"name": "GITHUB_CREDENTIAL_PROVIDER", "value": "github"}])],
        credentials=[{"authorizerType": "OAuthCredentialProvider", "name": "GitHub"}],
    )
    result = project.results("SEC006")["SEC006"]
    config_lines = (project.root / CONFIG).read_text().splitlines()
    value_line = next(n for n, text in enumerate(config_lines, 1) if '"value": "github"' in text)
    assert findings_of(result) == [("fail", CONFIG, value_line)]
    assert result.findings[0].message == (
        "runtime Agent env var GITHUB_CREDENTIAL_PROVIDER refers to the credential provider 'github', which the "
        "project does not declare (declared as 'GitHub': names are case-sensitive)"
    )


def test_no_reference_does_not_apply(fleet: dict[str, RuleResult]) -> None:
    assert fleet["SEC006"].status == "not_applicable"


# --- GW008 ---------------------------------------------------------------------------------------


def test_tools_that_delete_with_no_guard_fail_and_read_only_or_confirmed_ones_stay_silent(
    helpdesk: dict[str, RuleResult],
) -> None:
    """cancel_order deletes an order; the Refunds Lambda target deletes and writes behind a gateway
    whose policy engine only logs. lookup_order only reads; Catalog's retire_image asks the person
    (an MCP elicitation) before it deletes."""
    result = helpdesk["GW008"]
    orders = "app/Concierge/tools/orders.py"
    assert findings_of(result) == [
        ("fail", orders, line_of(HELPDESK, orders, "def cancel_order")),
        ("fail", CONFIG, line_of(HELPDESK, CONFIG, '"name": "Refunds"') - 1),
    ]
    assert result.findings[0].message == (
        "Strands @tool cancel_order of runtime Concierge deletes data, runs commands or passes any operation through "
        "(dynamodb:DeleteItem (app/Concierge/tools/orders.py:18)) and the model may call it with no policy engine or "
        "approval step in between"
    )
    assert result.findings[1].message == (
        "gateway OpsTools target Refunds changes data (dynamodb:DeleteItem (lambdas/refunds/handler.py:10), "
        "dynamodb:PutItem (lambdas/refunds/handler.py:11)) and its policy engine RefundRules is in LOG_ONLY mode"
    )


def test_a_tool_that_only_writes_warns_and_a_fixed_command_stays_silent(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        "app/Agent/main.py",
        """
        import subprocess

        import requests
        from bedrock_agentcore.runtime import BedrockAgentCoreApp
        from strands import Agent, tool

        app = BedrockAgentCoreApp()


        @tool
        def open_ticket(summary: str) -> str:
            return requests.post("https://tickets.example.com/api/tickets", json={"summary": summary}, timeout=10).text


        @tool
        def cli_version() -> str:
            return subprocess.run(["aws", "--version"], capture_output=True, text=True, timeout=10).stdout


        @app.entrypoint
        def invoke(payload):
            agent = Agent(model="us.amazon.nova-pro-v1:0", tools=[open_ticket, cli_version])
            return {"answer": str(agent(payload["prompt"]))}
        """,
    )
    result = project.results("GW008")["GW008"]
    # cli_version runs the same fixed command every time: not a change the model controls
    assert findings_of(result) == [("warn", "app/Agent/main.py", 11)]
    assert result.findings[0].message.startswith(
        "Strands @tool open_ticket of runtime Agent changes data (POST tickets.example.com (app/Agent/main.py:12))"
    )


def test_a_function_under_the_files_own_passthrough_tool_decorator_is_not_a_tool(project: ProjectBuilder) -> None:
    """``def tool(func): return func`` written "for when strands is not available": no framework
    makes the decorated functions tools, so neither GW008 nor the map lists them; a Strands
    ``@tool`` in the same runtime still is one."""
    project.agentcore()
    project.write(
        "app/Agent/fleet_tools.py",
        """
        import requests


        def tool(func):
            \"\"\"Passthrough decorator when strands is not available\"\"\"
            return func


        @tool
        def book_vehicle(vin: str) -> str:
            return requests.post("https://fleet.example.com/bookings", json={"vin": vin}, timeout=10).text
        """,
    )
    project.write(
        "app/Agent/main.py",
        """
        import requests
        from bedrock_agentcore.runtime import BedrockAgentCoreApp
        from strands import Agent, tool

        from fleet_tools import book_vehicle

        app = BedrockAgentCoreApp()


        @tool
        def open_ticket(summary: str) -> str:
            return requests.post("https://tickets.example.com/api/tickets", json={"summary": summary}, timeout=10).text


        @app.entrypoint
        def invoke(payload):
            agent = Agent(tools=[open_ticket, book_vehicle])
            return {"answer": str(agent(payload["prompt"]))}
        """,
    )
    result = project.results("GW008")["GW008"]
    lines = (project.root / "app/Agent/main.py").read_text().splitlines()
    assert findings_of(result) == [
        ("warn", "app/Agent/main.py", lines.index("def open_ticket(summary: str) -> str:") + 1)
    ]
    assert result.findings[0].message.startswith("Strands @tool open_ticket of runtime Agent changes data")


def test_an_approval_hook_or_an_enforcing_policy_engine_passes(project: ProjectBuilder) -> None:
    project.agentcore(
        agentCoreGateways=[
            gateway(
                "Ops",
                targets=[
                    {
                        "name": "Purge",
                        "targetType": "lambdaFunctionArn",
                        "compute": {
                            "host": "Lambda",
                            "implementation": {"language": "Python", "path": "lambdas/purge", "handler": "h.handler"},
                        },
                        "toolDefinitions": [
                            {"name": "purge", "description": "Purge", "inputSchema": {"type": "object"}}
                        ],
                    }
                ],
                policyEngineConfiguration={"policyEngineName": "Guard", "mode": "ENFORCE"},
            )
        ],
        policyEngines=[
            {
                "name": "Guard",
                "policies": [
                    {
                        "name": "Admins",
                        "statement": "permit(principal, action, resource);",
                        "validationMode": "FAIL_ON_ANY_FINDINGS",
                    }
                ],
            }
        ],
    )
    project.write(
        "lambdas/purge/h.py",
        """
        import boto3

        table = boto3.client("dynamodb")


        def handler(event, context):
            table.delete_item(TableName="cache", Key={"id": {"S": event["id"]}})
        """,
    )
    project.write(
        "app/Agent/main.py",
        """
        import boto3
        from bedrock_agentcore.runtime import BedrockAgentCoreApp
        from strands import Agent, tool
        from strands.hooks import BeforeToolCallEvent

        app = BedrockAgentCoreApp()
        ec2 = boto3.client("ec2")


        @tool
        def stop_instance(instance_id: str) -> str:
            ec2.stop_instances(InstanceIds=[instance_id])
            return "stopping"


        def ask_operator(event: BeforeToolCallEvent) -> None:
            if event.tool_use["name"] == "stop_instance" and not event.invocation_state.get("approved"):
                event.cancel_tool = "an operator must approve stopping an instance"


        @app.entrypoint
        def invoke(payload):
            agent = Agent(model="us.amazon.nova-pro-v1:0", tools=[stop_instance])
            agent.hooks.add_callback(BeforeToolCallEvent, ask_operator)
            return {"answer": str(agent(payload["prompt"]))}
        """,
    )
    result = project.results("GW008")["GW008"]
    assert (result.status, result.findings) == ("pass", [])
    assert result.reason == (
        "stop_instance() changes data; approval step: a hook cancels the tool call (cancel_tool) (app/Agent/main.py:18)"
        "; gateway Ops target Purge changes data; policy engine Guard enforces"
    )


# --- IAM001 offline ------------------------------------------------------------------------------


def test_agent_without_a_model_is_not_pinned_and_the_wildcard_grant_still_fails(
    helpdesk: dict[str, RuleResult],
) -> None:
    """Concierge builds Agent() with no model; Ledger's BedrockModel names its model through an
    environment variable the configuration sets (silent)."""
    result = helpdesk["IAM001"]
    assert findings_of(result) == [
        ("warn", CONCIERGE, line_of(HELPDESK, CONCIERGE, "return Agent(")),
        ("fail", "policies/concierge.json", line_of(HELPDESK, "policies/concierge.json", '"Sid": "Models"') - 1),
    ]
    warning = result.findings[0]
    assert warning.severity == "medium"
    assert warning.message == (
        "model not pinned: the role cannot be scoped: Strands Agent() names no model, so the agent calls the Strands "
        "default model us.anthropic.claude-sonnet-4-20250514-v1:0 (the eu./apac. profile by region; it changes with "
        "the SDK version)"
    )
    assert "us.amazon.nova-pro-v1:0" in result.findings[1].message


def test_model_not_pinned_is_reported_offline_without_policy_documents(fleet: dict[str, RuleResult]) -> None:
    result = fleet["IAM001"]
    assert result.status == "warn"
    assert findings_of(result) == [
        ("warn", "agent/assistant.py", line_of(FLEET, "agent/assistant.py", "agent = Agent("))
    ]


def test_a_model_passed_through_keyword_arguments_is_not_a_default(project: ProjectBuilder) -> None:
    """`BedrockModel(**settings)` names its model in the dict; a model ID read at run time is the
    deployment's choice, not the framework's default: neither is reported as not pinned."""
    project.agentcore()
    project.write(
        "app/Agent/main.py",
        """
        import os

        from bedrock_agentcore.runtime import BedrockAgentCoreApp
        from strands import Agent
        from strands.models import BedrockModel

        app = BedrockAgentCoreApp()


        def pick_model(name):
            return {"fast": "us.amazon.nova-micro-v1:0"}.get(name, os.environ["FALLBACK_MODEL"])


        @app.entrypoint
        def invoke(payload):
            settings = {"model_id": pick_model(payload.get("tier", "fast")), "max_tokens": 4000}
            agent = Agent(model=BedrockModel(**settings))
            return {"answer": str(agent(payload["prompt"]))}
        """,
    )
    result = project.results("IAM001")["IAM001"]
    assert (result.status, result.findings) == ("skipped", [])

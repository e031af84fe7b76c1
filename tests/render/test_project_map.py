"""The project map (`map_project`, `agentcore-readiness map`): its items point at the right lines
of fixture projects shaped like real ones, its text stays within a model's budget, and the
checklist's undecided items list the places of the map to read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from agentcore_readiness.checks.map_builder import MapResult, ProjectMap
from agentcore_readiness.cli import main
from agentcore_readiness.render.filled_checklist import checklist_for_report
from agentcore_readiness.server.app import build_server
from agentcore_readiness.textsafe import sanitize_model
from agentcore_readiness.tools.map import build_maps, map_text
from agentcore_readiness.tools.review import run_review

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HELPDESK = FIXTURES / "helpdesk_platform"
FLEET = FIXTURES / "fleet_toolkit"
CONCIERGE = "app/Concierge/main.py"
ORDERS = "app/Concierge/tools/orders.py"
LEDGER = "app/Ledger/server.py"
CATALOG = "app/Catalog/server.py"
CONFIG = "agentcore/agentcore.json"
TOKEN_BUDGET = 2_000


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    hits = [number for number, text in enumerate(lines, 1) if needle in text]
    assert len(hits) == 1, f"{needle!r} is not unique in {rel}"
    return hits[0]


def file_lines(root: Path, rel: str) -> int:
    return len((root / rel).read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module")
def helpdesk() -> ProjectMap:
    result = build_maps(str(HELPDESK))
    assert [m.project for m in result.maps] == ["Helpdesk"]
    return result.maps[0]


@pytest.fixture(scope="module")
def fleet() -> ProjectMap:
    return build_maps(str(FLEET)).maps[0]


def test_each_runtime_has_its_protocol_handlers_and_modules(helpdesk: ProjectMap) -> None:
    assert [(r.name, r.protocol, r.build, r.authorizer) for r in helpdesk.runtimes] == [
        ("Concierge", "HTTP", "CodeZip", "CUSTOM_JWT"),
        ("Ledger", "HTTP", "Container", "AWS_IAM"),
        ("Catalog", "MCP", "CodeZip", "AWS_IAM"),
    ]
    concierge, ledger, catalog = helpdesk.runtimes
    assert [(h.kind, h.name, h.path, h.line, h.is_async) for h in concierge.handlers] == [
        ("entrypoint", "invoke", CONCIERGE, line_of(HELPDESK, CONCIERGE, "async def invoke"), True)
    ]
    assert [(h.kind, h.name, h.line) for h in ledger.handlers] == [
        ("http", "invocations", line_of(HELPDESK, LEDGER, "async def invocations"))
    ]
    assert [(h.kind, h.name, h.is_async) for h in catalog.handlers] == [
        ("mcp_tool", "list_images", False),
        ("mcp_tool", "retire_image", True),
    ]
    assert [(m.path, m.lines, m.reached) for m in concierge.modules] == [
        (CONCIERGE, file_lines(HELPDESK, CONCIERGE), "the entrypoint"),
        (
            "app/Concierge/memory/session.py",
            file_lines(HELPDESK, "app/Concierge/memory/session.py"),
            f"imported at {CONCIERGE}:{line_of(HELPDESK, CONCIERGE, 'from memory.session')}",
        ),
        (
            ORDERS,
            file_lines(HELPDESK, ORDERS),
            f"imported at {CONCIERGE}:{line_of(HELPDESK, CONCIERGE, 'from tools.orders')}",
        ),
        (
            "app/Concierge/memory/__init__.py",
            1,
            f"imported at {CONCIERGE}:{line_of(HELPDESK, CONCIERGE, 'from memory.session')}",
        ),
        (
            "app/Concierge/tools/__init__.py",
            1,
            f"imported at {CONCIERGE}:{line_of(HELPDESK, CONCIERGE, 'from tools.orders')}",
        ),
    ]
    assert (concierge.modules_total, concierge.lines_total) == (5, sum(m.lines for m in concierge.modules))
    assert (concierge.unreached, ledger.unreached) == (["app/Concierge/scripts/seed_orders.py"], [])


def test_tools_list_what_they_touch_with_the_operation_class(helpdesk: ProjectMap) -> None:
    concierge, _, catalog = helpdesk.runtimes

    def shown(runtime_index: int) -> list[tuple[str, str, str, int, bool, list[tuple[str, str, str, bool, int]]]]:
        return [
            (
                t.name,
                t.kind,
                t.path,
                t.line,
                t.changes_data,
                [(e.kind, e.detail, e.access, e.destructive, e.line) for e in t.effects],
            )
            for t in helpdesk.runtimes[runtime_index].tools
        ]

    assert shown(0) == [
        (
            "lookup_order",
            "Strands @tool",
            ORDERS,
            line_of(HELPDESK, ORDERS, "def lookup_order"),
            False,
            [("aws", "dynamodb:GetItem", "read-only", False, line_of(HELPDESK, ORDERS, "orders.get_item"))],
        ),
        (
            "cancel_order",
            "Strands @tool",
            ORDERS,
            line_of(HELPDESK, ORDERS, "def cancel_order"),
            True,
            [("aws", "dynamodb:DeleteItem", "mutating", True, line_of(HELPDESK, ORDERS, "orders.delete_item"))],
        ),
    ]
    assert shown(2) == [
        (
            "list_images",
            "MCP tool",
            CATALOG,
            line_of(HELPDESK, CATALOG, "def list_images"),
            False,
            [("aws", "s3:ListObjectsV2", "read-only", False, line_of(HELPDESK, CATALOG, "images.list_objects_v2"))],
        ),
        (
            "retire_image",
            "MCP tool",
            CATALOG,
            line_of(HELPDESK, CATALOG, "async def retire_image"),
            True,
            [("aws", "s3:DeleteObject", "mutating", True, line_of(HELPDESK, CATALOG, "images.delete_object"))],
        ),
    ]
    assert [(p.path, p.line, p.what) for p in catalog.approvals] == [
        (CATALOG, line_of(HELPDESK, CATALOG, "ctx.elicit"), "asks the user (MCP elicitation)")
    ]
    assert concierge.approvals == []


def test_models_name_the_id_or_the_framework_default(helpdesk: ProjectMap) -> None:
    concierge, ledger, catalog = helpdesk.runtimes
    assert [(m.built_with, m.model_id, m.source, m.path, m.line) for m in concierge.models] == [
        ("Agent()", None, "framework default", CONCIERGE, line_of(HELPDESK, CONCIERGE, "return Agent("))
    ]
    assert concierge.models[0].default is not None
    assert concierge.models[0].default.startswith(
        "the Strands default model us.anthropic.claude-sonnet-4-20250514-v1:0"
    )
    assert [(m.model_id, m.source, m.line) for m in ledger.models] == [
        ("us.amazon.nova-pro-v1:0", "env LEDGER_MODEL_ID", line_of(HELPDESK, LEDGER, "BedrockModel(model_id="))
    ]
    assert catalog.models == []


def test_memory_calls_say_where_actor_and_session_ids_come_from(helpdesk: ProjectMap) -> None:
    concierge, ledger, _ = helpdesk.runtimes
    session_py = "app/Concierge/memory/session.py"
    [call] = concierge.memory
    assert (call.op, call.api, call.path, call.line, call.namespaces) == (
        "session",
        "AgentCoreMemoryConfig",
        session_py,
        line_of(HELPDESK, session_py, "AgentCoreMemoryConfig("),
        ["/users/{…}/facts"],
    )
    assert [(s.kind, s.path, s.line, s.fallback) for s in call.actor] == [
        ("verified", CONCIERGE, line_of(HELPDESK, CONCIERGE, 'claims.get("sub")'), None),
        ("header", CONCIERGE, line_of(HELPDESK, CONCIERGE, "Custom-User-Id"), "anonymous"),
    ]
    assert [(s.kind, s.line) for s in call.session] == [
        ("verified", line_of(HELPDESK, CONCIERGE, "context.session_id"))
    ]
    [write] = ledger.memory
    assert (write.op, write.api, write.line) == (
        "write",
        "create_event",
        line_of(HELPDESK, LEDGER, "memory.create_event("),
    )
    assert [(s.kind, s.detail, s.line) for s in write.actor] == [
        ("payload", "the payload field 'customer_id'", line_of(HELPDESK, LEDGER, 'body.get("customer_id")'))
    ]
    assert [(s.kind, s.line, s.fallback) for s in write.session] == [
        ("verified", line_of(HELPDESK, LEDGER, "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"), None)
    ]
    [memory] = helpdesk.memories
    assert [(s.type, s.retrieved) for s in memory.strategies] == [
        ("SEMANTIC", True),
        ("USER_PREFERENCE", False),
        ("SUMMARIZATION", False),
    ]
    assert memory.used_by == [f"{session_py}:{call.line}", f"{LEDGER}:{write.line}"]


def test_identity_inputs_sessions_and_callers(helpdesk: ProjectMap) -> None:
    concierge, ledger, catalog = helpdesk.runtimes
    allow_line = line_of(HELPDESK, CONFIG, '"requestHeaderAllowlist"')
    assert [(i.kind, i.name, i.path, i.line) for i in concierge.identity] == [
        ("header", "Authorization", CONCIERGE, line_of(HELPDESK, CONCIERGE, 'headers.get("Authorization"')),
        ("jwt_claim", "sub", CONCIERGE, line_of(HELPDESK, CONCIERGE, 'claims.get("sub")')),
        (
            "header",
            "X-Amzn-Bedrock-AgentCore-Runtime-Custom-User-Id",
            CONCIERGE,
            line_of(HELPDESK, CONCIERGE, "Custom-User-Id"),
        ),
        ("allowed_header", "Authorization", CONFIG, allow_line),
        ("allowed_header", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-User-Id", CONFIG, allow_line),
    ]
    assert [(p.path, p.line, p.what) for p in concierge.sessions] == [
        (CONCIERGE, line_of(HELPDESK, CONCIERGE, "context.session_id"), "context.session_id")
    ]
    assert [(c.path, c.line, c.shape, c.how, c.runtime) for c in concierge.invoked_by] == [
        ("web/chat_backend.py", line_of(HELPDESK, "web/chat_backend.py", "ENDPOINT = "), "service", "http", "Concierge")
    ]
    nightly = "scripts/nightly_statements.py"
    assert [(c.path, c.line, c.shape, c.how, c.session) for c in ledger.invoked_by] == [
        (
            nightly,
            line_of(HELPDESK, nightly, "client.invoke_agent_runtime("),
            "one_shot",
            "invoke_agent_runtime",
            "per-job: `session_id` is made by uuid.uuid4() once, before the loop at line "
            f"{line_of(HELPDESK, nightly, 'for customer in customers')}",
        ),
    ]
    assert catalog.invoked_by == [] and helpdesk.callers == []


def test_gateways_iam_and_tests(helpdesk: ProjectMap) -> None:
    [gateway] = helpdesk.gateways
    assert (gateway.name, gateway.policy_engine, gateway.policy_mode, gateway.enforcing) == (
        "OpsTools",
        "RefundRules",
        "LOG_ONLY",
        False,
    )
    assert [(t.name, t.credential, t.declared) for t in gateway.targets] == [
        ("Refunds", None, None),
        ("Tickets", "TicketingOAuth", False),
        ("StatusPage", "StatusPageKey", True),
    ]
    policy = "policies/concierge.json"
    assert [(s.effect, s.actions, s.resources, s.path, s.line) for s in helpdesk.iam] == [
        (
            "Allow",
            ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            ["arn:aws:bedrock:*::foundation-model/*"],
            policy,
            line_of(HELPDESK, policy, '"Sid": "Models"') - 1,
        ),
        (
            "Allow",
            ["dynamodb:GetItem", "dynamodb:DeleteItem"],
            ["arn:aws:dynamodb:us-east-1:111122223333:table/helpdesk-orders"],
            policy,
            line_of(HELPDESK, policy, '"Sid": "Orders"') - 1,
        ),
    ]
    assert helpdesk.tests == ["tests/test_orders.py"]


def test_toolkit_project_with_paths_from_another_machine_is_mapped(fleet: ProjectMap) -> None:
    """The YAML's entrypoint and source_path are /home/ec2-user/... on the author's machine: the
    map finds the code in this checkout, its CDK role statements and the dispatcher script."""
    [runtime] = fleet.runtimes
    assert runtime.missing is None
    assert [m.path for m in runtime.modules] == ["agent/assistant.py", "agent/fleet_tools.py"]
    assert [(t.name, t.changes_data) for t in runtime.tools] == [("find_vehicle", False), ("retire_vehicle", True)]
    [memory_call] = runtime.memory
    assert [(s.kind, s.detail, s.line) for s in memory_call.actor] == [
        ("constant", "the literal 'default-user'", line_of(FLEET, "agent/assistant.py", "DISPATCHER = "))
    ]
    [memory] = fleet.memories
    assert (memory.mode, memory.long_term_read) == ("STM_AND_LTM", False)
    assert [(s.source, s.actions, s.resources, s.line) for s in fleet.iam] == [
        (
            "CDK Role trust",
            ["sts:AssumeRole"],
            ["bedrock-agentcore.amazonaws.com"],
            line_of(FLEET, "infra/stack.py", "iam.Role("),
        ),
        (
            "CDK PolicyStatement",
            ["bedrock:InvokeModel"],
            ["*"],
            line_of(FLEET, "infra/stack.py", '"bedrock:InvokeModel"'),
        ),
        (
            "CDK PolicyStatement",
            ["dynamodb:GetItem", "dynamodb:DeleteItem"],
            ["arn:aws:dynamodb:us-west-2:111122223333:table/fleet-vehicles"],
            line_of(FLEET, "infra/stack.py", "            iam.PolicyStatement("),
        ),
    ]
    assert [(c.path, c.shape, c.runtime) for c in runtime.invoked_by] == [
        ("dispatch/ask.py", "one_shot", "fleet_assistant")
    ]


def test_text_is_compact_and_every_item_has_a_line(helpdesk: ProjectMap) -> None:
    text = map_text(MapResult(maps=[helpdesk]))
    assert len(text) / 4 <= TOKEN_BUDGET
    assert (
        f"- tools: lookup_order (Strands @tool) {ORDERS}:10 — dynamodb:GetItem [read-only] {ORDERS}:12; "
        f"cancel_order (Strands @tool) {ORDERS}:16 — dynamodb:DeleteItem [deletes] {ORDERS}:18\n"
    ) in text
    assert "- approval steps: asks the user (MCP elicitation) app/Catalog/server.py:26\n" in text
    assert "## Gateways\n- OpsTools inbound CUSTOM_JWT, policy engine RefundRules LOG_ONLY (not enforcing)" in text
    assert "Tickets openApiSchema credential TicketingOAuth (undeclared)" in text


def test_cli_map_prints_the_text_and_the_json(capsys: pytest.CaptureFixture[str], helpdesk: ProjectMap) -> None:
    assert main(["map", str(HELPDESK)]) == 0
    assert capsys.readouterr().out == map_text(sanitize_model(MapResult(maps=[helpdesk])))
    assert main(["map", str(HELPDESK), "--format", "json"]) == 0
    parsed = MapResult.model_validate(json.loads(capsys.readouterr().out))
    assert parsed.maps[0] == sanitize_model(helpdesk)
    assert main(["map", str(HELPDESK / "nowhere")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_mcp_tool_answers_the_compact_text_and_the_whole_structured_map() -> None:
    async with Client(build_server()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        result = await client.call_tool("map_project", {"path": str(HELPDESK)})
        missing = await client.call_tool("map_project", {"path": str(HELPDESK / "nowhere")})
    tool = tools["map_project"]
    assert tool.output_schema is not None and "maps" in tool.output_schema["properties"]
    assert tool.annotations is not None and tool.annotations.read_only_hint is True
    assert result.is_error is False
    expected = sanitize_model(build_maps(str(HELPDESK)))
    assert result.content[0].text == map_text(expected)  # type: ignore[union-attr]
    assert MapResult.model_validate(result.structured_content) == expected
    assert missing.is_error is True
    assert missing.content[0].text.endswith("nowhere: no such file or directory")  # type: ignore[union-attr]


def test_undecided_checklist_items_list_the_places_to_read() -> None:
    report = run_review(str(FLEET))
    [checklist] = checklist_for_report(report).checklists
    items = {item.key: item for section in checklist.sections for item in section.items}
    trust = items["iam.trust"]
    assert trust.mark == "?"
    assert [(p.path, p.line, p.what) for p in trust.look_at] == [
        ("infra/stack.py", line_of(FLEET, "infra/stack.py", "iam.Role("), "IAM trust: sts:AssumeRole"),
        (
            ".bedrock_agentcore.yaml",
            line_of(FLEET, ".bedrock_agentcore.yaml", "execution_role: arn"),
            "execution role",
        ),
    ]
    memory_test = items["test.memory"]
    assert (memory_test.mark, [(p.path, p.line) for p in memory_test.look_at]) == (
        "?",
        [("agent/assistant.py", line_of(FLEET, "agent/assistant.py", "memory.create_event("))],
    )
    decided = items["res.memory"]
    assert (decided.mark, decided.look_at) == (" ", [])
    markdown = checklist_for_report(report).markdown
    assert (
        "- [?] Trust policy scoped to your account ID (IAM003 skipped: reason A)\n"
        f"  - read: `infra/stack.py:{trust.look_at[0].line}` IAM trust: sts:AssumeRole; "
        f"`.bedrock_agentcore.yaml:{trust.look_at[1].line}` execution role\n"
    ) in markdown


def test_unreadable_code_is_a_note_of_the_map_not_a_crash(tmp_path: Path) -> None:
    from conftest import ProjectBuilder

    project = ProjectBuilder(tmp_path / "broken")
    project.agentcore()
    project.write("app/Agent/main.py", "def invoke(payload:\n    return {}\n")
    project.write("app/Agent/helpers.py", b"\x00\x01binary")
    [broken] = build_maps(str(project.root)).maps
    [runtime] = broken.runtimes
    assert (runtime.handlers, runtime.tools, runtime.modules) == ([], [], [])
    assert broken.notes == [
        "app/Agent/helpers.py: is a binary file (contains NUL bytes); not read",
        "app/Agent/main.py: does not parse as Python 3 (line 1: '(' was never closed)",
    ]
    text = map_text(MapResult(maps=[broken]))
    assert "- serves: no request handler found\n" in text
    assert "## Not seen\n- app/Agent/helpers.py: is a binary file (contains NUL bytes); not read\n" in text

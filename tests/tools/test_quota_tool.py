"""diagnose_quota_error: each error of the skill's table maps to its quota, ambiguous and unknown
errors say so without guessing, the triage is ticked from the project's own rule results, and the
increase request is filled with what the project knows."""

from __future__ import annotations

import pytest

from agentcore_readiness.diagnose.quota import KNOWN_ERRORS, diagnose
from agentcore_readiness.engine import InputError
from conftest import ProjectBuilder

ARN = "arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/Demo_Agent-AbC123"


@pytest.mark.parametrize(
    ("error", "key", "quota"),
    [
        (
            "An error occurred (ThrottlingException) when calling the InvokeAgentRuntime operation: Rate exceeded",
            "invocation-rate",
            "Invocation rate",
        ),
        ("ThrottlingException: Rate exceeded", "invocation-rate", "Invocation rate"),
        (
            "HTTP 429 Too Many Requests from InvokeAgentRuntimeWithWebSocketStream",
            "invocation-rate",
            "Invocation rate",
        ),
        (
            "botocore.errorfactory.ServiceQuotaExceededException: An error occurred (ServiceQuotaExceededException) "
            "when calling the InvokeAgentRuntime operation: maxVms limit exceeded",
            "max-vms",
            "Active session workloads per account (maxVms)",
        ),
        ("HTTP 429 Too Many Requests: new session creation rate exceeded", "new-sessions", "New sessions created rate"),
        (
            "An error occurred (ThrottlingException) when calling the CreateEvent operation (reached max retries: 4)",
            "memory",
            "Memory operation rates",
        ),
        (
            "ValidationException: Too many targets for gateway ToolsGateway",
            "gateway",
            "Gateway target count or request rate",
        ),
        (
            "ServiceQuotaExceededException: concurrent Code Interpreter sessions limit reached",
            "builtin-tools",
            "Built-in tool sessions (Code Interpreter / Browser)",
        ),
        (
            "ServiceQuotaExceededException: Browser session quota exceeded",
            "builtin-tools",
            "Built-in tool sessions (Code Interpreter / Browser)",
        ),
    ],
)
def test_each_error_of_the_table_maps_to_its_quota(error: str, key: str, quota: str) -> None:
    diagnosis = diagnose(error)
    assert diagnosis.status == "matched"
    assert diagnosis.quota is not None
    assert (diagnosis.quota.key, diagnosis.quota.quota) == (key, quota)
    assert diagnosis.justification is not None
    assert f"Quota name: {diagnosis.quota.service_quotas_name or quota}" in diagnosis.justification
    assert diagnosis.fix_first and all(item.state == "manual" for item in diagnosis.fix_first)
    assert diagnosis.pre_request_triage[0].state == "done"


@pytest.mark.parametrize(
    ("error", "candidates"),
    [
        ("HTTP 429 Too Many Requests", ["invocation-rate", "new-sessions"]),
        ("ServiceQuotaExceededException", ["max-vms", "builtin-tools"]),
        ("ThrottlingException", ["invocation-rate", "memory", "gateway"]),
    ],
)
def test_errors_that_fit_several_quotas_are_ambiguous_with_the_candidates(error: str, candidates: list[str]) -> None:
    diagnosis = diagnose(error)
    assert diagnosis.status == "ambiguous"
    assert diagnosis.quota is None and diagnosis.justification is None
    assert [c.key for c in diagnosis.candidates] == candidates
    assert "give the operation that failed" in diagnosis.explanation


def test_an_unknown_error_says_so_and_lists_the_known_ones() -> None:
    diagnosis = diagnose("botocore.exceptions.ClientError: AccessDeniedException: not authorized to perform x")
    assert diagnosis.status == "unknown"
    assert diagnosis.quota is None and diagnosis.candidates == [] and diagnosis.justification is None
    assert diagnosis.fix_first == [] and diagnosis.pre_request_triage == []
    assert "this tool does not guess" in diagnosis.explanation
    assert diagnosis.known_errors == KNOWN_ERRORS
    assert "ServiceQuotaExceededException: maxVms limit exceeded → Active session workloads per account (maxVms)" in (
        diagnosis.known_errors
    )
    for known in KNOWN_ERRORS:
        assert f"- {known}" in diagnosis.markdown


def test_empty_error_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match="error_text is empty"):
        diagnose("   ")


def test_a_secret_in_the_error_text_is_not_echoed() -> None:
    diagnosis = diagnose("ThrottlingException: Rate exceeded (key AKIAABCDEFGHIJKLMNOP)")
    assert "AKIAABCDEFGHIJKLMNOP" not in diagnosis.error
    assert "AKIAABCDEFGHIJKLMNOP" not in diagnosis.markdown


MAX_VMS = "ServiceQuotaExceededException: maxVms limit exceeded"


def leaky_project(builder: ProjectBuilder) -> None:
    builder.agentcore()
    builder.json("agentcore/aws-targets.json", [{"name": "default", "account": "123456789012", "region": "eu-west-1"}])
    builder.json(
        "agentcore/.cli/deployed-state.json",
        {
            "targets": {
                "default": {"resources": {"runtimes": {"Agent": {"runtimeArn": ARN, "runtimeId": "Demo_Agent-AbC123"}}}}
            }
        },
    )
    builder.write("app/Agent/main.py", "def handler(payload):\n    return payload\n")
    builder.write(
        "backend/chat.py",
        """
        import uuid
        import boto3
        import fastapi

        client = boto3.client("bedrock-agentcore")

        def ask(prompt):
            return client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=str(uuid.uuid4()), payload=prompt)
        """,
    )


def test_max_vms_triage_is_ticked_from_the_projects_session_results(project: ProjectBuilder) -> None:
    leaky_project(project)
    diagnosis = diagnose(MAX_VMS, str(project.root))
    assert diagnosis.project == str(project.root)
    steps = [(i.step, i.state, i.rules) for i in diagnosis.fix_first]
    assert steps == [
        (1, "open", ["SESS004"]),
        (2, "open", ["SESS001", "SESS002", "SESS003"]),
        (3, "open", ["SESS006"]),
        (4, "manual", []),
    ]
    assert diagnosis.fix_first[0].evidence == [
        "SESS004 warn: backend/chat.py:8: the invoke at backend/chat.py:8 uses a session made by the code "
        "(per-request: made by uuid.uuid4() in the call itself in ask(), the function that invokes, so every call "
        "of it) and no code calls stop_runtime_session: each finished session keeps its microVM until the idle "
        "timeout"
    ]
    assert diagnosis.fix_first[1].evidence[0].startswith("SESS001 fail: backend/chat.py:8: ")
    triage = {i.step: i.state for i in diagnosis.pre_request_triage}
    assert triage == {
        1: "done",
        2: "done",  # botocore's default retries back off on throttling (SESS012 passes a one-shot script)
        3: "open",
        4: "open",
        5: "open",
        6: "not_applicable",
        7: "manual",
        8: "manual",
    }


def test_the_justification_is_filled_with_what_the_project_knows(project: ProjectBuilder) -> None:
    leaky_project(project)
    diagnosis = diagnose(MAX_VMS, str(project.root))
    fields = {f.name: (f.value, f.known) for f in diagnosis.justification_fields}
    assert fields["Account ID"] == ("123456789012", True)
    assert fields["Region(s)"] == ("eu-west-1", True)
    assert fields["Quota name"] == ("Active session workloads per account", True)
    assert fields["Agent Runtime ID(s)"] == (ARN, True)
    assert fields["Requested value"] == ("<N>", False)
    assert diagnosis.justification is not None
    assert diagnosis.justification.startswith(
        "Account ID: 123456789012\nRegion(s): eu-west-1\nQuota name: Active session workloads per account\n"
    )
    assert f"Agent Runtime ID(s): {ARN}\n" in diagnosis.justification
    assert any("--region eu-west-1" in step for step in diagnosis.request_steps)


def test_a_tidy_project_ticks_the_boxes(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            {
                "name": "Agent",
                "build": "CodeZip",
                "entrypoint": "main.py",
                "codeLocation": "app/Agent/",
                "runtimeVersion": "PYTHON_3_12",
                "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 120, "maxLifetime": 1800},
            }
        ]
    )
    project.write("app/Agent/main.py", "def handler(payload):\n    return payload\n")
    project.write(
        "scripts/chat.py",
        """
        import boto3
        from botocore.config import Config

        client = boto3.client("bedrock-agentcore", config=Config(retries={"mode": "adaptive"}))

        def ask(prompt, session_id):
            try:
                return client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=session_id, payload=prompt)
            finally:
                client.stop_runtime_session(agentRuntimeArn="arn", runtimeSessionId=session_id)
        """,
    )
    diagnosis = diagnose(MAX_VMS, str(project.root))
    assert [i.state for i in diagnosis.fix_first] == ["done", "done", "done", "manual"]
    assert {i.step: i.state for i in diagnosis.pre_request_triage}[2] == "done"
    fields = {f.name: f for f in diagnosis.justification_fields}
    assert fields["Account ID"].known is False
    assert fields["Agent Runtime ID(s)"].value == "<agentRuntimeId or ARN> (not deployed yet: Agent)"


def test_with_a_workload_the_idle_step_uses_sess009(project: ProjectBuilder) -> None:
    leaky_project(project)
    project.write("pyproject.toml", '[tool.agentcore-readiness]\nworkload = "request-reply"\n')
    diagnosis = diagnose(MAX_VMS, str(project.root))
    assert diagnosis.fix_first[2].rules == ["SESS009"]
    assert diagnosis.fix_first[2].state == "open"


def test_a_bad_path_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        diagnose(MAX_VMS, "/definitely/not/here")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_tools_answer_through_the_mcp_client(project: ProjectBuilder) -> None:
    from mcp import Client

    from conftest import memory_server

    leaky_project(project)
    async with Client(memory_server(project.root)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name in ("diagnose_quota_error", "audit_sessions", "audit_cold_start"):
            assert tools[name].output_schema is not None, name
            assert tools[name].annotations is not None and tools[name].annotations.read_only_hint is True
            assert tools[name].annotations.open_world_hint is False
        quota = await client.call_tool("diagnose_quota_error", {"error_text": MAX_VMS, "path": str(project.root)})
        sessions = await client.call_tool("audit_sessions", {"path": str(project.root), "workload": "request-reply"})
        unknown = await client.call_tool("diagnose_quota_error", {"error_text": "KeyError: 'x'"})
        empty = await client.call_tool("diagnose_quota_error", {"error_text": ""})
    assert quota.structured_content is not None
    assert quota.structured_content["quota"]["key"] == "max-vms"
    assert quota.structured_content["fix_first"][0]["state"] == "open"
    assert sessions.structured_content is not None
    assert sessions.structured_content["proposals"][0]["proposed_idle_timeout"] == 120
    assert unknown.structured_content is not None and unknown.structured_content["status"] == "unknown"
    assert empty.is_error is True

"""SESS001-SESS005 and SESS012 over caller code written here: exact rule, level, file and line,
both the failing and the passing way. The default caller is a chat backend (a long-lived
service: a new session per call is per message); one-shot scripts have tests of their own."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from conftest import ProjectBuilder, findings_of

SCRIPT = "backend/chat_api.py"
ONE_SHOT = "scripts/run_job.py"


def line_of(builder: ProjectBuilder, rel: str, needle: str, occurrence: int = 1) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    return hits[occurrence - 1]


def caller(builder: ProjectBuilder, code: str, rel: str = SCRIPT) -> None:
    """Write the runtime and a caller at ``rel``; the default caller is a FastAPI chat backend."""
    builder.agentcore()
    builder.write("app/Agent/main.py", "def handler(payload):\n    return payload\n")
    framework = "\nimport fastapi  # noqa: E402 - the chat backend's web framework\n" if rel == SCRIPT else ""
    builder.write(rel, textwrap.dedent(code).lstrip("\n") + framework)


# --- SESS002: runtimeSessionId omitted ---------------------------------------------------------


def test_misnamed_session_header_over_http_fails_and_the_right_one_and_custom_headers_stay_silent(
    fixture_project: Callable[[str], ProjectBuilder],
) -> None:
    """tests/fixtures/concierge_monorepo: backend/voice_bridge.py posts to the runtime with
    ``X-Amzn-Bedrock-AgentCore-Session-Id`` (not a header AgentCore reads: every request is a
    new session); backend/stream_client.py sends the real header and a custom one."""
    project = fixture_project("concierge_monorepo")
    result = project.results("SESS002")["SESS002"]
    bridge = "backend/voice_bridge.py"
    assert result.status == "fail"
    assert findings_of(result) == [("fail", bridge, line_of(project, bridge, '"X-Amzn-Bedrock-AgentCore-Session-Id"'))]
    assert "`X-Amzn-Bedrock-AgentCore-Session-Id`, a header AgentCore does not read" in result.findings[0].message
    assert result.findings[0].fix is not None
    assert "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id" in result.findings[0].fix.summary


def test_invoke_without_session_id_fails_at_the_call(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import json
        import boto3

        client = boto3.client("bedrock-agentcore")

        def ask(prompt):
            return client.invoke_agent_runtime(
                agentRuntimeArn="arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a",
                payload=json.dumps({"prompt": prompt}),
            )
        """,
    )
    result = project.results("SESS002")["SESS002"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", SCRIPT, line_of(project, SCRIPT, "invoke_agent_runtime("))]
    assert "boto3 makes a new one for every call" in result.findings[0].message
    assert result.findings[0].severity == "high"


def test_invoke_with_session_id_passes_and_says_so(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        def ask(client, prompt, session_id):
            return client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=session_id, payload=prompt)
        """,
    )
    result = project.results("SESS002")["SESS002"]
    assert result.status == "pass"
    assert result.reason == f"{SCRIPT}:2 passes runtimeSessionId"


def test_no_invoke_anywhere_is_not_applicable(project: ProjectBuilder) -> None:
    caller(project, "print('hello')\n")
    results = project.results("SESS001", "SESS002", "SESS004")
    assert {r.status for r in results.values()} == {"not_applicable"}


def test_invokes_in_tests_are_not_caller_code(project: ProjectBuilder) -> None:
    caller(project, "client.invoke_agent_runtime(agentRuntimeArn='a', payload='{}')\n", rel="tests/test_call.py")
    assert project.results("SESS002")["SESS002"].status == "not_applicable"


# --- SESS001: per request vs per conversation --------------------------------------------------


def test_uuid_in_the_invoking_function_is_per_request(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import uuid

        def ask(client, prompt):
            return client.invoke_agent_runtime(
                agentRuntimeArn="arn",
                runtimeSessionId=str(uuid.uuid4()),
                payload=prompt,
            )
        """,
    )
    result = project.results("SESS001")["SESS001"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", SCRIPT, line_of(project, SCRIPT, "uuid.uuid4()"))]
    assert "every call of it" in result.findings[0].message


def test_uuid_assigned_inside_the_loop_is_per_request(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        from uuid import uuid4

        def run(client, prompts):
            for prompt in prompts:
                sid = f"batch-item-{uuid4()}-{len(prompt)}"
                client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, payload=prompt)
        """,
    )
    result = project.results("SESS001")["SESS001"]
    assert findings_of(result) == [("fail", SCRIPT, line_of(project, SCRIPT, "sid = "))]
    assert f"inside the loop (line {line_of(project, SCRIPT, 'for prompt')}) that invokes" in result.findings[0].message


def test_uuid_made_before_the_loop_is_one_session_per_batch(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import uuid

        def run(client, prompts):
            sid = uuid.uuid4().hex + "-batch-session-0001"
            for prompt in prompts:
                client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, payload=prompt)
        """,
    )
    result = project.results("SESS001")["SESS001"]
    assert result.status == "pass"
    assert f"once, before the loop at line {line_of(project, SCRIPT, 'for prompt')}" in (result.reason or "")


def test_parameter_attribute_and_cache_are_per_conversation(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import secrets

        SESSIONS = {}

        def from_parameter(client, prompt, session_id):
            client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=session_id, payload=prompt)

        class Chat:
            def send(self, client, prompt):
                client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=self.session_id, payload=prompt)

        def from_cache(client, user, prompt):
            sid = SESSIONS.get(user)
            if sid is None:
                sid = secrets.token_hex(24)
                SESSIONS[user] = sid
            client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, payload=prompt)

        def from_setdefault(client, user, prompt):
            sid = SESSIONS.setdefault(user, secrets.token_urlsafe(32))
            client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, payload=prompt)
        """,
    )
    result = project.results("SESS001")["SESS001"]
    assert result.status == "pass"
    reason = result.reason or ""
    assert "from the parameter `session_id` (per conversation)" in reason
    assert "from the attribute self.session_id" in reason
    assert "only when missing" in reason
    assert "per-conversation store" in reason


def test_helper_that_always_makes_a_new_id_is_followed(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import uuid

        def new_session_id():
            value = str(uuid.uuid4())
            return value

        def ask(client, prompt):
            client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=new_session_id(), payload=prompt)
        """,
    )
    result = project.results("SESS001")["SESS001"]
    assert findings_of(result) == [("fail", SCRIPT, line_of(project, SCRIPT, "runtimeSessionId=new_session_id()"))]
    assert "new_session_id(), which makes a new ID on every call" in result.findings[0].message


def test_module_level_script_with_one_invoke_is_one_session_per_run(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import uuid
        import boto3

        SESSION = str(uuid.uuid4())
        boto3.client("bedrock-agentcore").invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=SESSION, payload="{}")
        """,
    )
    assert project.results("SESS001")["SESS001"].status == "pass"


def test_suppression_comment_drops_the_finding(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import uuid

        def ask(client, prompt):
            sid = str(uuid.uuid4())  # agentcore-readiness: ignore[SESS001] one-shot health probe
            client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, payload=prompt)
        """,
    )
    result = project.results("SESS001")["SESS001"]
    assert result.status == "pass"
    assert result.suppressed == 1


# --- SESS003: both session ids -----------------------------------------------------------------


def test_both_runtime_and_mcp_session_ids_fail(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        def ask(client, sid, body):
            client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, mcpSessionId=sid, payload=body)
            client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, payload=body)

        HEADERS = {
            "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "a" * 40,
            "Mcp-Session-Id": "b" * 40,
        }

        def headers_for(sid):
            headers = {}
            headers["x-amzn-bedrock-agentcore-runtime-session-id"] = sid
            headers["Mcp-Session-Id"] = sid
            return headers
        """,
    )
    result = project.results("SESS003")["SESS003"]
    assert sorted(findings_of(result), key=lambda f: f[2] or 0) == [
        ("fail", SCRIPT, line_of(project, SCRIPT, "mcpSessionId=sid")),
        ("fail", SCRIPT, line_of(project, SCRIPT, "HEADERS = {")),
        ("fail", SCRIPT, line_of(project, SCRIPT, 'headers["Mcp-Session-Id"]')),
    ]


def test_one_session_id_passes(project: ProjectBuilder) -> None:
    caller(
        project, "def ask(c, sid):\n    c.invoke_agent_runtime(agentRuntimeArn='a', runtimeSessionId=sid, payload='')\n"
    )
    assert project.results("SESS003")["SESS003"].status == "pass"


# --- SESS004: per-job sessions never stopped ---------------------------------------------------


BATCH = """
import uuid

def run(client, jobs):
    for job in jobs:
        sid = f"job-{uuid.uuid4()}-{job}"
        client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, payload=job)
"""


def test_generated_sessions_without_stop_warn_at_the_invoke(project: ProjectBuilder) -> None:
    caller(project, BATCH)
    result = project.results("SESS004")["SESS004"]
    assert result.status == "warn"
    assert findings_of(result) == [("warn", SCRIPT, line_of(project, SCRIPT, "invoke_agent_runtime("))]


def test_stop_runtime_session_anywhere_in_caller_code_passes(project: ProjectBuilder) -> None:
    caller(project, BATCH)
    project.write(
        "scripts/cleanup.py",
        "def done(client, sid):\n    client.stop_runtime_session(agentRuntimeArn='a', runtimeSessionId=sid)\n",
    )
    result = project.results("SESS004")["SESS004"]
    assert result.status == "pass"
    assert result.reason == "stop_runtime_session called at scripts/cleanup.py:2"


def test_conversation_ids_need_no_stop(project: ProjectBuilder) -> None:
    caller(
        project, "def ask(c, sid):\n    c.invoke_agent_runtime(agentRuntimeArn='a', runtimeSessionId=sid, payload='')\n"
    )
    result = project.results("SESS004")["SESS004"]
    assert result.status == "pass"
    assert "IDs come from the conversation" in (result.reason or "")


# --- SESS005: short literal session ids --------------------------------------------------------


def test_short_literal_session_ids_fail_where_written(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        from bedrock_agentcore.memory import MemoryClient

        DEFAULT_SESSION = "session-123"

        def ask(client, prompt):
            client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=DEFAULT_SESSION, payload=prompt)

        def remember(memory, prompt):
            memory.create_event(memory_id="m", actor_id="u", session_id="short", messages=[(prompt, "USER")])

        def raw(prompt):
            return {"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "abc"}

        def good(client, prompt):
            client.invoke_agent_runtime(
                agentRuntimeArn="arn", runtimeSessionId="a-session-id-that-is-long-enough-1234", payload=prompt
            )
        """,
    )
    result = project.results("SESS005")["SESS005"]
    assert sorted(findings_of(result), key=lambda f: f[2] or 0) == [
        ("fail", SCRIPT, line_of(project, SCRIPT, 'DEFAULT_SESSION = "session-123"')),
        ("fail", SCRIPT, line_of(project, SCRIPT, 'session_id="short"')),
        ("fail", SCRIPT, line_of(project, SCRIPT, '"abc"')),
    ]
    messages = sorted(f.message for f in result.findings)
    assert messages[0].startswith("session ID 'abc' (3 characters")
    assert "session ID 'session-123' (11 characters" in " ".join(messages)


def test_long_literal_passes(project: ProjectBuilder) -> None:
    caller(
        project,
        "def ask(c):\n    c.invoke_agent_runtime(agentRuntimeArn='a', runtimeSessionId='x' * 0 + 'y' * 40, payload='')\n"
        "def ok(c):\n    c.invoke_agent_runtime(agentRuntimeArn='a', runtimeSessionId='0123456789012345678901234567890123', payload='')\n",
    )
    result = project.results("SESS005")["SESS005"]
    assert result.status == "pass"
    assert f"{SCRIPT}:4: literal session ID of 34 characters" in (result.reason or "")


# --- SESS012: retries on the invoking client ---------------------------------------------------


LAMBDA = "lambdas/proxy/handler.py"


def test_service_clients_retry_budget(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import json

        import boto3
        from botocore.config import Config

        plain = boto3.client("bedrock-agentcore", region_name="us-east-1")
        no_retries = boto3.client("bedrock-agentcore", config=Config(retries={"max_attempts": 0}))
        RETRIES = Config(retries={"mode": "adaptive", "max_attempts": 10})
        good = boto3.client("bedrock-agentcore", config=RETRIES)
        control = boto3.client("bedrock-agentcore-control")


        def handler(event, context):
            body = json.dumps({"prompt": event["prompt"]})
            arn, session = event["arn"], event["session"]
            first = plain.invoke_agent_runtime(agentRuntimeArn=arn, runtimeSessionId=session, payload=body)
            second = no_retries.invoke_agent_runtime(agentRuntimeArn=arn, runtimeSessionId=session, payload=body)
            third = good.invoke_agent_runtime(agentRuntimeArn=arn, runtimeSessionId=session, payload=body)
            return [first, second, third]
        """,
        LAMBDA,
    )
    result = project.results("SESS012")["SESS012"]
    assert [(f.level, f.location.path, f.location.line) for f in result.findings] == [
        ("info", LAMBDA, line_of(project, LAMBDA, "plain =")),
        ("warn", LAMBDA, line_of(project, LAMBDA, "no_retries =")),
    ]
    assert result.findings[0].message == (
        f"bedrock-agentcore client at {LAMBDA}:6 has no config: it relies on botocore's default retries "
        "(standard mode in current botocore: 3 attempts; legacy mode, 5 attempts, in older releases), which retry "
        "ThrottlingException and 429 with exponential backoff; for bursts against the 25 TPS invocation quota, "
        "adaptive mode adds client-side rate limiting and a larger max_attempts gives the budget"
    )
    assert result.findings[1].message.startswith(
        f'bedrock-agentcore client at {LAMBDA}:7 has retries turned off ({{"max_attempts": 0}}): in a long-lived '
        "service a throttled invocation (ThrottlingException, 429) fails at once"
    )
    assert "without backoff" not in " ".join(f.message for f in result.findings)
    fix = result.findings[1].fix
    assert fix is not None and '"mode": "adaptive"' in fix.summary


def test_one_shot_scripts_and_clients_that_do_not_invoke_pass(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import boto3
        from botocore.config import Config

        job = boto3.client("bedrock-agentcore", config=Config(retries={"max_attempts": 0}))
        evaluator = boto3.client("bedrock-agentcore")


        def run(arn, session, body):
            return job.invoke_agent_runtime(agentRuntimeArn=arn, runtimeSessionId=session, payload=body)


        if __name__ == "__main__":
            run("arn", "s" * 40, b"{}")
        """,
        ONE_SHOT,
    )
    project.write(
        "scripts/evaluate.py",
        'import boto3\n\nclient = boto3.client("bedrock-agentcore")\nprint(client.evaluate(evaluatorId="e"))\n',
    )
    result = project.results("SESS012")["SESS012"]
    assert (result.status, result.findings) == ("pass", [])
    # scripts/evaluate.py only evaluates: it is not caller code, so SESS012 does not read it
    assert result.reason == (
        f'{ONE_SHOT}:4: retries turned off ({{"max_attempts": 0}}) in a one-shot script (one invocation per run); '
        f"{ONE_SHOT}:5: this client invokes no runtime"
    )


def test_no_agentcore_client_is_not_applicable(project: ProjectBuilder) -> None:
    caller(project, "import boto3\ns3 = boto3.client('s3')\n")
    assert project.results("SESS012")["SESS012"].status == "not_applicable"


def test_only_retrying_clients_pass(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import boto3
        from botocore.config import Config

        client = boto3.client("bedrock-agentcore", config=Config(retries={"mode": "standard", "max_attempts": 5}))
        client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId="s" * 40, payload=b"{}")
        """,
    )
    result = project.results("SESS012")["SESS012"]
    assert result.status == "pass"
    assert result.reason == f"{SCRIPT}:4: retries mode 'standard', 6 attempts"


# --- the caller's shape: one-shot scripts, prompt loops, services, unknown -----------------------

ASK = """
import sys
import uuid

import boto3

client = boto3.client("bedrock-agentcore")


def ask(question):
    return client.invoke_agent_runtime(
        agentRuntimeArn="arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a",
        runtimeSessionId=str(uuid.uuid4()),
        payload=question,
    )
"""


def test_one_shot_script_makes_a_session_per_run_which_is_right_but_must_stop_it(project: ProjectBuilder) -> None:
    caller(project, ASK + '\nif __name__ == "__main__":\n    print(ask(" ".join(sys.argv[1:])))\n', rel=ONE_SHOT)
    results = project.results("SESS001", "SESS004")
    assert (results["SESS001"].status, results["SESS001"].findings) == ("pass", [])
    invoke = line_of(project, ONE_SHOT, "invoke_agent_runtime(")
    assert results["SESS001"].reason == (
        f"{ONE_SHOT}:{invoke}: made by uuid.uuid4() in the call itself in ask(), once per run of this one-shot script"
    )
    assert findings_of(results["SESS004"]) == [("warn", ONE_SHOT, line_of(project, ONE_SHOT, "invoke_agent_runtime("))]
    assert "per-job: made by uuid.uuid4()" in results["SESS004"].findings[0].message
    assert results["SESS004"].findings[0].role == "caller code (one-shot script)"


def test_prompt_loop_in_a_script_is_a_chat_and_a_session_per_message_fails(project: ProjectBuilder) -> None:
    loop = '\nif __name__ == "__main__":\n    while True:\n        print(ask(input("> ")))\n'
    caller(project, ASK + loop, rel=ONE_SHOT)
    result = project.results("SESS001")["SESS001"]
    assert findings_of(result) == [("fail", ONE_SHOT, line_of(project, ONE_SHOT, "uuid.uuid4()"))]
    loop_line = line_of(project, ONE_SHOT, "while True:")
    assert f"called for every message of the prompt loop at line {loop_line}" in result.findings[0].message


def test_batch_loop_in_a_script_is_one_session_per_job(project: ProjectBuilder) -> None:
    caller(
        project,
        """
        import json
        import uuid

        import boto3

        client = boto3.client("bedrock-agentcore")

        if __name__ == "__main__":
            for job in json.load(open("jobs.json")):
                sid = f"job-{job['id']}-{uuid.uuid4()}"
                client.invoke_agent_runtime(agentRuntimeArn="arn", runtimeSessionId=sid, payload=json.dumps(job))
        """,
        rel=ONE_SHOT,
    )
    results = project.results("SESS001", "SESS004")
    assert results["SESS001"].status == "pass"
    assert "for each job of the loop at line" in (results["SESS001"].reason or "")
    assert findings_of(results["SESS004"]) == [("warn", ONE_SHOT, line_of(project, ONE_SHOT, "invoke_agent_runtime("))]


def test_client_module_used_by_a_web_backend_is_a_service(project: ProjectBuilder) -> None:
    caller(project, ASK, rel="backend/agent_client.py")
    project.write(
        "backend/api.py",
        """
        from fastapi import FastAPI

        from agent_client import ask

        app = FastAPI()


        @app.post("/chat")
        def chat(message: str) -> str:
            return ask(message)
        """,
    )
    result = project.results("SESS001")["SESS001"]
    rel = "backend/agent_client.py"
    assert findings_of(result) == [("fail", rel, line_of(project, rel, "uuid.uuid4()"))]
    assert result.findings[0].role == "caller code (long-lived service)"


def test_caller_of_unknown_shape_is_a_warning_that_says_why(project: ProjectBuilder) -> None:
    caller(project, ASK, rel="lib/agent_client.py")
    result = project.results("SESS001")["SESS001"]
    rel = "lib/agent_client.py"
    assert findings_of(result) == [("warn", rel, line_of(project, rel, "uuid.uuid4()"))]
    assert "whether each call is a chat message or a whole job could not be told" in result.findings[0].message

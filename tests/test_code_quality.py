"""CODE001-CODE008 over agent code written here: each rule failing and passing, with the
exact file and line of every finding."""

from __future__ import annotations

import textwrap

from conftest import ProjectBuilder, findings_of

MAIN = "app/Agent/main.py"
TOOLS = "app/Agent/tools/orders.py"


def line_of(builder: ProjectBuilder, rel: str, needle: str, occurrence: int = 1) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    return hits[occurrence - 1]


def agent(builder: ProjectBuilder, main: str, **files: str) -> None:
    """The runtime ``Agent``: ``main`` as its entrypoint, which imports the other ``files`` (so they
    are its code: a module nothing imports is not).
    """
    builder.agentcore()
    imports = [rel.removeprefix("app/Agent/").removesuffix(".py").replace("/", ".") for rel in files]
    tail = "".join(f"\nimport {module}  # noqa: E402\n" for module in imports if "/" not in module)
    builder.write(MAIN, textwrap.dedent(main).lstrip("\n") + tail)
    for rel, text in files.items():
        builder.write(rel, text)


HEADER = """
from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent

app = BedrockAgentCoreApp()
agent = Agent()
"""

GUARDED = (
    HEADER
    + """
@app.entrypoint
def invoke(payload, context):
    \"\"\"Answer one prompt.\"\"\"
    prompt = payload.get("prompt", "")
    if not isinstance(prompt, str) or len(prompt) > 10_000:
        return {"error": "invalid prompt"}
    try:
        return {"result": str(agent(prompt))}
    except Exception:
        app.logger.exception("invocation failed")
        return {"error": "An error occurred. Please try again."}
"""
)


# --- CODE001 -----------------------------------------------------------------------------------


def test_entrypoint_without_try_fails_at_its_def_line(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
@app.entrypoint
def invoke(payload, context):
    return {"result": str(agent(payload["prompt"]))}
""",
    )
    result = project.results("CODE001")["CODE001"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", MAIN, line_of(project, MAIN, "def invoke"))]
    assert result.findings[0].message == "entrypoint invoke() has no try/except around the agent logic"


def test_entrypoint_wrapped_with_logger_exception_passes(project: ProjectBuilder) -> None:
    agent(project, GUARDED)
    result = project.results("CODE001")["CODE001"]
    assert result.status == "pass"
    assert result.findings == []
    assert (
        result.reason
        == f"{MAIN}:{line_of(project, MAIN, 'def invoke')} invoke(): wrapped in try/except that logs the traceback"
    )


def test_handler_that_logs_without_traceback_fails_at_the_except_line(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
@app.entrypoint
def invoke(payload, context):
    try:
        return {"result": str(agent(payload.get("prompt")))}
    except Exception as e:
        app.logger.error(f"failed: {e}")
        return {"error": "An error occurred"}
""",
    )
    result = project.results("CODE001")["CODE001"]
    assert findings_of(result) == [("fail", MAIN, line_of(project, MAIN, "except Exception"))]
    assert "logs without the traceback" in result.findings[0].message


def test_streaming_entrypoint_iterating_outside_the_try_warns_partly_wrapped(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
@app.entrypoint
async def invoke(payload, context):
    try:
        stream = agent.stream_async(payload.get("prompt"))
    except Exception:
        app.logger.exception("could not start")
        raise
    async for event in stream:
        yield event
""",
    )
    result = project.results("CODE001")["CODE001"]
    assert result.status == "warn"
    assert findings_of(result) == [("warn", MAIN, line_of(project, MAIN, "async for event"))]
    assert result.findings[0].message.startswith("streaming entrypoint invoke() is only partly wrapped")


def test_entrypoint_delegating_to_a_wrapped_function_passes(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
def handle(payload):
    try:
        return {"result": str(agent(payload["prompt"]))}
    except Exception:
        app.logger.error("failed", exc_info=True)
        return {"error": "An error occurred"}

@app.entrypoint
def invoke(payload, context):
    return handle(payload)
""",
    )
    result = project.results("CODE001")["CODE001"]
    assert result.status == "pass"


def test_no_entrypoint_is_not_applicable(project: ProjectBuilder) -> None:
    agent(project, "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x')\n")
    assert project.results("CODE001")["CODE001"].status == "not_applicable"


# --- CODE002 -----------------------------------------------------------------------------------


def test_broad_except_that_only_passes_fails_and_narrow_or_logged_ones_pass(project: ProjectBuilder) -> None:
    agent(
        project,
        GUARDED,
        **{
            TOOLS: """
            import logging
            logger = logging.getLogger(__name__)

            def save(event):
                try:
                    store(event)
                except Exception:
                    pass

            def load(key):
                try:
                    return cache[key]
                except KeyError:
                    pass

            def flush():
                for item in queue:
                    try:
                        send(item)
                    except:
                        continue

            def logged():
                try:
                    send(1)
                except Exception:
                    logger.warning("send failed", exc_info=True)
            """
        },
    )
    result = project.results("CODE002")["CODE002"]
    assert result.status == "fail"
    assert findings_of(result) == [
        ("fail", TOOLS, line_of(project, TOOLS, "except Exception:")),
        ("fail", TOOLS, line_of(project, TOOLS, "except:")),
    ]
    assert result.findings[0].message == (
        "`except Exception:` whose body only passes in save(): the error is neither logged nor re-raised"
    )


def test_no_swallowed_exception_passes(project: ProjectBuilder) -> None:
    agent(project, GUARDED)
    assert project.results("CODE002")["CODE002"].status == "pass"


# --- CODE003 -----------------------------------------------------------------------------------


def test_str_of_exception_returned_from_an_entrypoint_fails(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
import traceback

@app.entrypoint
def invoke(payload, context):
    try:
        return {"result": str(agent(payload["prompt"]))}
    except ValueError as e:
        return {"error": str(e)}
    except Exception as exc:
        detail = traceback.format_exc()
        app.logger.exception("failed")
        return {"error": "failed", "detail": detail}
""",
    )
    result = project.results("CODE003")["CODE003"]
    assert result.status == "fail"
    assert findings_of(result) == [
        ("fail", MAIN, line_of(project, MAIN, 'return {"error": str(e)}')),
        ("fail", MAIN, line_of(project, MAIN, '"detail": detail')),
    ]
    assert result.findings[0].message.endswith("of entrypoint invoke() returns str(e) to the caller")
    assert "traceback.format_exc()" in result.findings[1].message


def test_fstring_of_exception_in_a_helper_warns(project: ProjectBuilder) -> None:
    agent(
        project,
        GUARDED,
        **{
            TOOLS: """
            def lookup(order_id):
                try:
                    return fetch(order_id)
                except Exception as err:
                    return f"lookup failed: {err}"
            """
        },
    )
    result = project.results("CODE003")["CODE003"]
    assert result.status == "warn"
    assert findings_of(result) == [("warn", TOOLS, line_of(project, TOOLS, 'return f"lookup'))]


def test_safe_message_after_logger_exception_passes(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
@app.entrypoint
def invoke(payload, context):
    try:
        return {"result": str(agent(payload["prompt"]))}
    except Exception as e:
        app.logger.exception("failed: %s", type(e).__name__)
        return {"error": "An error occurred", "kind": type(e).__name__}
""",
    )
    result = project.results("CODE003", "CODE002")
    assert result["CODE003"].status == "pass"
    assert result["CODE002"].status == "pass"


# --- CODE004 -----------------------------------------------------------------------------------


def test_tool_doing_http_outside_try_warns_and_guarded_tool_passes(project: ProjectBuilder) -> None:
    agent(
        project,
        GUARDED,
        **{
            TOOLS: """
            import boto3
            import requests
            from strands import tool

            s3 = boto3.client("s3")

            @tool
            def get_order(order_id: str) -> dict:
                \"\"\"Fetch an order.\"\"\"
                return requests.get(f"https://orders.example.com/{order_id}", timeout=5).json()

            @tool
            def read_report(key: str) -> bytes:
                return s3.get_object(Bucket="reports", Key=key)["Body"].read()

            @tool
            def safe_order(order_id: str) -> dict:
                try:
                    return requests.get(f"https://orders.example.com/{order_id}", timeout=5).json()
                except requests.RequestException:
                    return {"error": "order service unavailable"}

            @tool
            def add(a: int, b: int) -> int:
                return a + b
            """
        },
    )
    result = project.results("CODE004")["CODE004"]
    assert result.status == "warn"
    assert findings_of(result) == [
        ("warn", TOOLS, line_of(project, TOOLS, "return requests.get", 1)),
        ("warn", TOOLS, line_of(project, TOOLS, "s3.get_object")),
    ]
    assert result.findings[0].message == "tool get_order() calls requests.get() outside any try/except"
    assert result.findings[1].message == "tool read_report() calls s3.get_object() outside any try/except"


def test_mcp_tools_without_io_pass(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        from mcp.server.fastmcp import FastMCP

        mcp = FastMCP("Tools")

        @mcp.tool()
        def add(a: int, b: int) -> int:
            return a + b
        """,
    )
    result = project.results("CODE004")["CODE004"]
    assert result.status == "pass"
    assert result.reason == "1 tool function(s): none does unguarded I/O"


# --- CODE005, CODE006, CODE007 -------------------------------------------------------------


def test_payload_field_used_without_type_check_warns(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
@app.entrypoint
def invoke(payload, context):
    try:
        prompt = payload.get("prompt")
        return {"result": str(agent(prompt, limit=payload["limit"]))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
    )
    result = project.results("CODE005")["CODE005"]
    assert result.status == "warn"
    assert findings_of(result) == [("warn", MAIN, line_of(project, MAIN, 'prompt = payload.get("prompt")'))]
    assert result.findings[0].message == (
        "entrypoint invoke() uses payload field(s) 'limit', 'prompt' without a type check or model validation"
    )


def test_checks_in_a_helper_of_another_module_count(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
from handlers.input import extract

@app.entrypoint
def invoke(payload, context):
    try:
        return {"result": str(agent(extract(payload)))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
        **{
            "app/Agent/handlers/input.py": """
            def extract(body):
                prompt = body.get("prompt", "")
                if not isinstance(prompt, str):
                    raise ValueError("prompt must be a string")
                if len(prompt) > 8000:
                    raise ValueError("prompt too long")
                return prompt
            """
        },
    )
    results = project.results("CODE005", "CODE006")
    assert results["CODE005"].status == "pass"
    assert results["CODE006"].status == "pass"
    assert results["CODE006"].reason == "invoke(): prompt checked"


def test_prompt_without_length_limit_warns_at_its_read(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
def _extract(payload):
    prompt = payload.get("prompt", "")
    if not isinstance(prompt, str):
        raise ValueError("prompt must be a string")
    return prompt

@app.entrypoint
def invoke(payload, context):
    try:
        return {"result": str(agent(_extract(payload)))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
    )
    results = project.results("CODE005", "CODE006")
    assert results["CODE005"].status == "pass"
    assert results["CODE006"].status == "warn"
    assert findings_of(results["CODE006"]) == [("warn", MAIN, line_of(project, MAIN, 'prompt = payload.get("prompt"'))]
    assert results["CODE006"].findings[0].message == (
        "entrypoint invoke() passes payload field(s) 'prompt' on without a length limit"
    )


def test_length_checked_after_the_helper_returns_counts(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
def _extract(payload):
    prompt = payload.get("prompt", "")
    if not isinstance(prompt, str):
        raise ValueError("prompt must be a string")
    return prompt

@app.entrypoint
def invoke(payload, context):
    prompt = _extract(payload)
    if len(prompt) > 10_000:
        return {"error": "too long"}
    try:
        return {"result": str(agent(prompt))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
    )
    assert project.results("CODE006")["CODE006"].status == "pass"


def test_pydantic_validation_of_the_whole_payload_passes(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
from pydantic import BaseModel, Field

class Request(BaseModel):
    prompt: str = Field(max_length=10_000)
    user_id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")

@app.entrypoint
def invoke(payload, context):
    try:
        request = Request.model_validate(payload)
        return {"result": str(agent(request.prompt))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
    )
    results = project.results("CODE005", "CODE006", "CODE007")
    assert {code: r.status for code, r in results.items()} == {"CODE005": "pass", "CODE006": "pass", "CODE007": "pass"}
    assert results["CODE005"].reason == (
        f"invoke(): payload validated as a whole (Request.model_validate() on line "
        f"{line_of(project, MAIN, 'model_validate')})"
    )


def test_user_id_from_payload_without_format_check_warns_and_regex_passes(make_project) -> None:  # type: ignore[no-untyped-def]
    unchecked = make_project("unchecked")
    agent(
        unchecked,
        HEADER
        + """
@app.entrypoint
def invoke(payload, context):
    actor_id = payload.get("userId", "default-user")
    if not isinstance(actor_id, str):
        return {"error": "bad user"}
    try:
        return {"result": str(agent(f"memories of {actor_id}"))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
    )
    result = unchecked.results("CODE007")["CODE007"]
    assert result.status == "warn"
    assert findings_of(result) == [("warn", MAIN, line_of(unchecked, MAIN, "actor_id = payload.get"))]
    assert "'userId'" in result.findings[0].message

    checked = make_project("checked")
    agent(
        checked,
        HEADER
        + """
import re

@app.entrypoint
def invoke(payload, context):
    actor_id = payload.get("userId", "default-user")
    if not isinstance(actor_id, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", actor_id):
        return {"error": "bad user"}
    try:
        return {"result": str(agent(f"memories of {actor_id}"))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
    )
    assert checked.results("CODE007")["CODE007"].status == "pass"


# --- CODE008 -----------------------------------------------------------------------------------


def test_rate_limiter_in_agent_code_is_reported_for_information(project: ProjectBuilder) -> None:
    agent(
        project,
        GUARDED,
        **{
            TOOLS: """
            from aiolimiter import AsyncLimiter

            class PerUserRateLimiter:
                def allow(self, user):
                    return True
            """
        },
    )
    result = project.results("CODE008")["CODE008"]
    assert result.status == "pass"
    assert [(f.level, f.location.path, f.location.line) for f in result.findings] == [
        ("info", TOOLS, line_of(project, TOOLS, "from aiolimiter")),
        ("info", TOOLS, line_of(project, TOOLS, "class PerUserRateLimiter")),
    ]
    assert result.findings[0].severity == "info"


def test_no_rate_limiting_passes(project: ProjectBuilder) -> None:
    agent(project, GUARDED)
    result = project.results("CODE008")["CODE008"]
    assert (result.status, result.findings, result.reason) == ("pass", [], "no rate limiting in agent code")

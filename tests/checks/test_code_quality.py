"""CODE001-CODE008 over agent code written here: each rule failing and passing, with the
exact file and line of every finding."""

from __future__ import annotations

import textwrap

from conftest import ProjectBuilder, findings_of, runtime

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


CALLS_ORDERS = (
    HEADER
    + """
from tools import orders

@app.entrypoint
def invoke(payload, context):
    try:
        orders.save(payload)
        orders.flush()
        orders.logged()
        return {"result": orders.load(payload.get("key"))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
"""
)


def test_broad_except_that_only_passes_fails_and_narrow_or_logged_ones_pass(project: ProjectBuilder) -> None:
    agent(
        project,
        CALLS_ORDERS,
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


def test_best_effort_swallows_and_code_the_runtime_never_calls_are_left_alone(project: ProjectBuilder) -> None:
    """Releasing a resource, __del__, recording telemetry, a parse fallback and an optional
    import are deliberate; a function no runtime code calls is not the runtime's behaviour."""
    agent(
        project,
        HEADER
        + """
from tools import orders

@app.entrypoint
def invoke(payload, context):
    try:
        client = orders.Client()
        orders.record_metric("calls")
        when = orders.parse_when(payload.get("when", ""))
        client.close()
        return {"when": when}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
        **{
            TOOLS: """
            from datetime import datetime

            import boto3

            orjson = None
            try:
                import orjson
            except Exception:
                pass

            cloudwatch = boto3.client("cloudwatch")

            class Client:
                def __init__(self):
                    self.http = boto3.client("s3")

                def close(self):
                    try:
                        self.http.close()
                    except Exception:
                        pass

                def __del__(self):
                    try:
                        self.close()
                    except Exception:
                        pass

            def record_metric(name):
                try:
                    cloudwatch.put_metric_data(Namespace="Agent", MetricData=[{"MetricName": name, "Value": 1}])
                except Exception:
                    pass

            def parse_when(text):
                try:
                    return datetime.fromisoformat(text)
                except Exception:
                    pass
                try:
                    return datetime.strptime(text, "%d/%m/%Y")
                except Exception:
                    return None

            def purge_all():
                try:
                    boto3.client("s3").delete_bucket(Bucket="orders")
                except Exception:
                    pass
            """
        },
    )
    result = project.results("CODE002")["CODE002"]
    assert (result.status, result.findings) == ("pass", [])
    lines = [
        n for n, text in enumerate((project.root / TOOLS).read_text().splitlines(), 1) if "except Exception:" in text
    ]
    assert result.reason == (
        "no swallowed exceptions in 2 runtime file(s); 7 broad except(s) that only pass left alone: "
        f"{TOOLS}:{lines[0]} (the try only imports an optional dependency); "
        f"{TOOLS}:{lines[1]} (the try only releases resources (close, shutdown, cancel ...): the work is already "
        f"done); {TOOLS}:{lines[2]} (in __del__, where Python ignores exceptions anyway); and 4 more"
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


def test_exception_text_a_helper_returns_is_followed_to_the_caller(project: ProjectBuilder) -> None:
    """lookup() returns the text and the tool returns lookup()'s value: it reaches the model and
    the user. ping()'s text is only logged by its caller; audit() is never called."""
    agent(
        project,
        GUARDED,
        **{
            TOOLS: """
            import logging
            from strands import tool

            logger = logging.getLogger(__name__)

            def lookup(order_id):
                try:
                    return fetch(order_id)
                except Exception as err:
                    return f"lookup failed: {err}"

            def ping():
                try:
                    return fetch("health")
                except Exception as err:
                    return f"unhealthy: {err}"

            def audit():
                try:
                    return fetch("audit")
                except Exception as err:
                    return {"error": str(err)}

            @tool
            def get_order(order_id: str) -> str:
                status = ping()
                logger.info("orders service: %s", status)
                return lookup(order_id)
            """
        },
    )
    result = project.results("CODE003")["CODE003"]
    leak_line = line_of(project, TOOLS, 'return f"lookup')
    # a Strands tool's result goes to the model, not to the caller: information only
    assert (result.status, [(f.level, f.location.path, f.location.line) for f in result.findings]) == (
        "pass",
        [("info", TOOLS, leak_line)],
    )
    assert result.findings[0].message == (
        f"the except handler on line {leak_line - 1} of lookup() returns an f-string of err to the caller, and tool "
        "get_order() returns it: the text goes to the model, which may repeat it to the user"
    )


def test_exception_text_a_helper_returns_fails_when_the_entrypoint_returns_it(project: ProjectBuilder) -> None:
    main = (
        HEADER
        + """
from tools import orders

@app.entrypoint
def invoke(payload, context):
    try:
        return {"status": orders.lookup(str(payload.get("id", ""))[:40])}
    except Exception:
        app.logger.exception("failed")
        return {"error": "An error occurred"}
"""
    )
    agent(project, main, **{TOOLS: LOOKUP})
    result = project.results("CODE003")["CODE003"]
    leak_line = line_of(project, TOOLS, 'return f"lookup')
    assert findings_of(result) == [("fail", TOOLS, leak_line)]
    assert result.findings[0].message == (
        f"the except handler on line {leak_line - 1} of lookup() returns an f-string of err to the caller, and it "
        f"reaches the runtime's caller: invoke() ({MAIN}:{line_of(project, MAIN, 'def invoke')}) returns it"
    )


LOOKUP = """
def lookup(order_id):
    try:
        return fetch(order_id)
    except Exception as err:
        return f"lookup failed: {err}"
"""


def test_exception_text_of_a_helper_used_as_a_callback_may_reach_the_caller(project: ProjectBuilder) -> None:
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

            HANDLERS = {"lookup": lookup}
            """
        },
    )
    result = project.results("CODE003")["CODE003"]
    assert result.status == "warn"
    assert findings_of(result) == [("warn", TOOLS, line_of(project, TOOLS, 'return f"lookup'))]
    assert result.findings[0].message.endswith(
        f"(it may reach the caller through the functions that use it: lookup is used other than by a call "
        f"({TOOLS}:{line_of(project, TOOLS, 'HANDLERS = ')}))"
    )


def test_validation_error_about_the_callers_input_is_feedback_not_a_leak(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
import json

@app.entrypoint
def invoke(payload, context):
    try:
        options = json.loads(payload.get("options", "{}"))
    except json.JSONDecodeError as e:
        return {"error": f"options is not valid JSON: {e}"}
    try:
        return {"result": str(agent(str(options)))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
    )
    result = project.results("CODE003")["CODE003"]
    assert (result.status, result.findings) == ("pass", [])
    assert result.reason == (
        "no except handler returns exception details to the runtime's caller; 1 handler(s) returning exception "
        f"text left alone: {MAIN}:{line_of(project, MAIN, 'not valid JSON')} (input-validation feedback: "
        "JSONDecodeError from parsing or validating the input describes the input)"
    )


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
    assert result.reason == "1 MCP tool(s) are request handlers of an MCP runtime: CODE001 checks their error handling"


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


# --- request handlers as projects write them, and work followed across modules ----------------


def test_handler_that_only_returns_format_exc_does_not_log(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
import traceback

@app.entrypoint
def invoke(payload, context):
    try:
        return {"result": str(agent(payload["prompt"]))}
    except Exception:
        return {"error": "failed", "trace": traceback.format_exc()}
""",
    )
    result = project.results("CODE001")["CODE001"]
    handler_line = line_of(project, MAIN, "except Exception:")
    assert findings_of(result) == [("fail", MAIN, handler_line)]
    assert result.findings[0].message == (
        f"entrypoint invoke(): the except handler on line {handler_line} sends traceback.format_exc() to the caller "
        "instead of logging it"
    )


def test_formatted_traceback_written_to_the_log_counts_as_logging(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
import traceback

@app.entrypoint
def invoke(payload, context):
    try:
        return {"result": str(agent(payload["prompt"]))}
    except Exception:
        details = traceback.format_exc()
        app.logger.error("invocation failed: %s", details)
        return {"error": "failed"}
""",
    )
    assert project.results("CODE001")["CODE001"].status == "pass"


def test_slice_inside_a_print_is_not_a_length_limit_and_a_truncation_is(make_project) -> None:  # type: ignore[no-untyped-def]
    body = """
@app.entrypoint
def invoke(payload, context):
    prompt = payload.get("prompt", "")
    if not isinstance(prompt, str):
        return {"error": "prompt must be a string"}
    print(f"prompt: {prompt[:100]}")
    {limit}
    try:
        return {"result": str(agent(prompt))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
"""
    printed = make_project("printed")
    agent(printed, HEADER + body.replace("{limit}", "pass"))
    result = printed.results("CODE006")["CODE006"]
    assert findings_of(result) == [("warn", MAIN, line_of(printed, MAIN, 'prompt = payload.get("prompt"'))]

    truncated = make_project("truncated")
    agent(truncated, HEADER + body.replace("{limit}", "prompt = prompt[:10_000]"))
    assert truncated.results("CODE006")["CODE006"].status == "pass"


def test_a_function_is_credited_by_what_it_checks_not_by_its_name(make_project) -> None:  # type: ignore[no-untyped-def]
    entrypoint = """
@app.entrypoint
def invoke(payload, context):
    prompt = payload.get("prompt", "")
    {call}(prompt)
    try:
        return {"result": str(agent(prompt))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
"""
    named = make_project("named")
    agent(
        named,
        HEADER
        + """
def validate_prompt(text):
    app.logger.info("prompt received")
"""
        + entrypoint.replace("{call}", "validate_prompt"),
    )
    result = named.results("CODE005")["CODE005"]
    assert findings_of(result) == [("warn", MAIN, line_of(named, MAIN, 'prompt = payload.get("prompt"'))]

    checking = make_project("checking")
    agent(
        checking,
        HEADER
        + """
from guards import prepare
"""
        + entrypoint.replace("{call}", "prepare"),
        **{
            "app/Agent/guards.py": """
            def prepare(text):
                if not isinstance(text, str) or len(text) > 4000:
                    raise ValueError("prompt must be a string of at most 4000 characters")
            """
        },
    )
    results = checking.results("CODE005", "CODE006")
    assert {code: r.status for code, r in results.items()} == {"CODE005": "pass", "CODE006": "pass"}


def test_model_without_a_length_limit_on_the_prompt_warns_at_the_field(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
from models import Question

@app.entrypoint
def invoke(payload, context):
    try:
        question = Question.model_validate(payload)
        return {"result": str(agent(question.prompt))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
        **{
            "app/Agent/models.py": """
            from pydantic import BaseModel, Field

            class Question(BaseModel):
                prompt: str
                user_id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
            """
        },
    )
    results = project.results("CODE005", "CODE006", "CODE007")
    assert results["CODE005"].status == "pass"
    assert results["CODE007"].status == "pass"
    model = "app/Agent/models.py"
    assert findings_of(results["CODE006"]) == [("warn", model, line_of(project, model, "prompt: str"))]
    assert results["CODE006"].findings[0].message == (
        "entrypoint invoke() passes payload field(s) 'prompt' on without a length limit (it validates the payload "
        f"with Question ({model}:{line_of(project, model, 'class Question')}), which does not check this)"
    )


def test_starlette_invocations_route_reads_a_json_body(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def invocations(request):
            body = await request.json()
            return JSONResponse({"echo": body.get("prompt")})

        async def ping(request):
            return JSONResponse({"status": "Healthy"})

        app = Starlette(routes=[Route("/invocations", invocations, methods=["POST"]), Route("/ping", ping)])
        """,
    )
    results = project.results("CODE001", "CODE005")
    assert findings_of(results["CODE001"]) == [("fail", MAIN, line_of(project, MAIN, "async def invocations"))]
    assert results["CODE001"].findings[0].message == (
        "POST /invocations handler invocations() has no try/except around the agent logic"
    )
    assert findings_of(results["CODE005"]) == [("warn", MAIN, line_of(project, MAIN, 'body.get("prompt")'))]


def test_fastapi_route_with_a_typed_body_is_validated_by_the_framework(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import logging

        from fastapi import FastAPI
        from pydantic import BaseModel, Field

        logger = logging.getLogger(__name__)
        app = FastAPI()

        class Invocation(BaseModel):
            prompt: str = Field(max_length=8000)

        @app.post("/invocations")
        def invocations(body: Invocation):
            try:
                return {"result": body.prompt.upper()}
            except Exception:
                logger.exception("failed")
                return {"error": "failed"}
        """,
    )
    results = project.results("CODE001", "CODE005", "CODE006")
    assert {code: r.status for code, r in results.items()} == {"CODE001": "pass", "CODE005": "pass", "CODE006": "pass"}
    assert results["CODE005"].reason == (
        "invocations(): payload validated as a whole (the web framework parses the body into Invocation)"
    )


def test_websocket_handler_of_the_sdk_app_is_a_request_handler(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
@app.websocket
async def on_message(websocket, context):
    await websocket.accept()
    async for message in websocket.iter_text():
        await websocket.send_text(str(agent(message)))
""",
    )
    result = project.results("CODE001")["CODE001"]
    assert findings_of(result) == [("fail", MAIN, line_of(project, MAIN, "async def on_message"))]
    assert result.findings[0].message == "websocket handler on_message() has no try/except around the agent logic"


def test_a2a_executor_is_the_request_handler_of_an_a2a_runtime(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(protocol="A2A")])
    project.write(
        MAIN,
        """
        import logging

        from a2a.server.agent_execution import AgentExecutor
        from a2a.server.apps import A2AStarletteApplication

        logger = logging.getLogger(__name__)

        class Executor(AgentExecutor):
            async def execute(self, context, event_queue):
                await event_queue.enqueue_event(answer(context.get_user_input()))

            async def cancel(self, context, event_queue):
                raise NotImplementedError

        def answer(text):
            return text.upper()
        """,
    )
    results = project.results("CODE001", "CODE005")
    assert findings_of(results["CODE001"]) == [("fail", MAIN, line_of(project, MAIN, "async def execute"))]
    assert results["CODE001"].findings[0].message == "A2A executor execute() has no try/except around the agent logic"
    assert results["CODE005"].status == "not_applicable"


def test_work_handed_to_another_module_is_judged_there(make_project) -> None:  # type: ignore[no-untyped-def]
    main = (
        HEADER
        + """
from flows import run

@app.entrypoint
def invoke(payload, context):
    return run(payload)
"""
    )
    unguarded = make_project("unguarded")
    agent(unguarded, main, **{"app/Agent/flows.py": "def run(payload):\n    return {'result': summarise(payload)}\n"})
    result = unguarded.results("CODE001")["CODE001"]
    assert findings_of(result) == [("fail", MAIN, line_of(unguarded, MAIN, "def invoke"))]
    assert result.findings[0].message == (
        "entrypoint invoke() hands its work to run() (app/Agent/flows.py:1); neither has a try/except around the "
        "agent logic"
    )

    silent = make_project("silent")
    agent(
        silent,
        main,
        **{
            "app/Agent/flows.py": """
            def run(payload):
                try:
                    return {"result": summarise(payload)}
                except Exception:
                    return {"error": "failed"}
            """
        },
    )
    result = silent.results("CODE001")["CODE001"]
    flows = "app/Agent/flows.py"
    assert findings_of(result) == [("fail", flows, line_of(silent, flows, "except Exception"))]
    assert result.findings[0].message == (
        f"entrypoint invoke() hands its work to run() ({flows}:1): the except handler on line "
        f"{line_of(silent, flows, 'except Exception')} does not log the error"
    )


def test_streaming_entrypoint_replaced_by_a_later_one_is_not_served(project: ProjectBuilder) -> None:
    agent(
        project,
        HEADER
        + """
import time

@app.entrypoint
async def stream(payload, context):
    time.sleep(120)
    yield {"done": True}

@app.entrypoint
def invoke(payload, context):
    try:
        return {"result": str(agent(payload.get("prompt")))}
    except Exception:
        app.logger.exception("failed")
        return {"error": "failed"}
""",
    )
    result = project.results("SESS013")["SESS013"]
    assert (result.status, result.reason) == ("not_applicable", "no streaming (generator) entrypoint in agent code")


def test_flask_invocations_route_reads_the_global_request(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import logging

        from flask import Flask, jsonify, request

        logger = logging.getLogger(__name__)
        app = Flask(__name__)

        @app.route("/invocations", methods=["POST"])
        def invocations():
            body = request.get_json()
            try:
                return jsonify({"echo": body["message"].upper()})
            except Exception:
                logger.exception("failed")
                return jsonify({"error": "failed"}), 500

        @app.route("/invocations-preview", methods=["POST"])
        def preview():
            return jsonify(request.get_json())
        """,
    )
    results = project.results("CODE001", "CODE005", "CODE006")
    assert findings_of(results["CODE001"]) == [("warn", MAIN, line_of(project, MAIN, "body = request.get_json()"))]
    assert findings_of(results["CODE005"]) == [("warn", MAIN, line_of(project, MAIN, 'body["message"]'))]
    assert findings_of(results["CODE006"]) == [("warn", MAIN, line_of(project, MAIN, 'body["message"]'))]
    assert results["CODE006"].findings[0].message == (
        "POST /invocations handler invocations() passes payload field(s) 'message' on without a length limit"
    )


def test_recursive_helper_returning_exception_text_is_followed_without_looping(project: ProjectBuilder) -> None:
    agent(
        project,
        GUARDED,
        **{
            TOOLS: """
            from strands import tool

            def fetch_page(url, depth=0):
                try:
                    return download(url)
                except Exception as err:
                    if depth < 3:
                        return fetch_page(url, depth + 1)
                    return {"error": repr(err)}

            @tool
            def read(url: str) -> dict:
                page = fetch_page(url)
                return {"page": page}
            """
        },
    )
    result = project.results("CODE003")["CODE003"]
    assert [(f.level, f.location.path, f.location.line) for f in result.findings] == [
        ("info", TOOLS, line_of(project, TOOLS, 'return {"error": repr(err)}'))
    ]

"""The code rules on projects shaped like real ones (tests/fixtures/code_*): request handlers
as each protocol writes them, work followed into the runtime's other modules, and the
near misses that must stay silent. Every finding is asserted with its rule, file, line and
status."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.model import RuleResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def results(fixture: str, *select: str) -> dict[str, RuleResult]:
    report = review(ReviewRequest(target=str(FIXTURES / fixture), select=select))
    assert len(report.projects) == 1
    return {r.rule: r for r in report.projects[0].results}


def line_of(fixture: str, rel: str, needle: str) -> int:
    lines = (FIXTURES / fixture / rel).read_text(encoding="utf-8").splitlines()
    hits = [number for number, text in enumerate(lines, 1) if needle in text]
    assert len(hits) == 1, f"{needle!r} is not unique in {rel}"
    return hits[0]


def findings(result: RuleResult) -> list[tuple[str, str | None, int | None]]:
    return [(f.level, f.location.path, f.location.line) for f in result.findings]


# --- a Container runtime served by FastAPI, its work in other modules --------------------------

API = "code_container_fastapi"
SERVER = "app/Api/server.py"
ORDERS = "app/Api/orders.py"


@pytest.fixture(scope="module")
def api() -> dict[str, RuleResult]:
    return results(API, "CODE001", "CODE002", "CODE003", "CODE005", "CODE006", "CODE007")


def test_post_invocations_route_is_the_request_handler_and_is_guarded(api: dict[str, RuleResult]) -> None:
    result = api["CODE001"]
    assert (result.status, result.findings) == ("pass", [])
    assert result.reason == (
        f"{SERVER}:{line_of(API, SERVER, 'async def invocations')} invocations(): wrapped in try/except that logs "
        "the traceback"
    )


def test_validation_in_a_helper_module_counts_for_every_field(api: dict[str, RuleResult]) -> None:
    assert {code: api[code].status for code in ("CODE005", "CODE006", "CODE007")} == {
        "CODE005": "pass",
        "CODE006": "pass",
        "CODE007": "pass",
    }
    assert api["CODE005"].reason == "invocations(): customer_id, question checked"
    assert api["CODE006"].reason == "invocations(): question checked"
    assert api["CODE007"].reason == "invocations(): customer_id checked"


def test_only_the_lost_write_is_a_swallowed_exception(api: dict[str, RuleResult]) -> None:
    """The S3 write that silently fails is reported; the metric that may not be recorded,
    the connection closed in close() and __del__, the date parse that falls back to the next
    format and the function only a maintenance script calls are left alone."""
    result = api["CODE002"]
    handler_line = line_of(API, ORDERS, 's3.put_object(Bucket="questions"') + 1
    assert result.status == "fail"
    assert findings(result) == [("fail", ORDERS, handler_line)]
    assert result.findings[0].message == (
        "`except Exception:` whose body only passes in archive_question(): the error is neither logged nor re-raised"
    )


def test_exception_text_reaching_the_caller_through_a_helper_fails(api: dict[str, RuleResult]) -> None:
    """lookup_order() returns the text in a dict the route returns; table_state() returns it
    too, but its caller only logs it."""
    result = api["CODE003"]
    handler_line = line_of(API, ORDERS, "item = dynamodb.get_item") + 1
    assert result.status == "fail"
    assert findings(result) == [("fail", ORDERS, line_of(API, ORDERS, 'return {"error": f"order lookup failed'))]
    assert result.findings[0].message == (
        f"the except handler on line {handler_line} of lookup_order() returns an f-string of exc to the caller, "
        f"and it reaches the runtime's caller: invocations() ({SERVER}:{line_of(API, SERVER, 'async def invocations')}) "
        "returns it"
    )


# --- an MCP runtime: each tool is a request handler ------------------------------------------

MCP = "code_mcp_server"
TOOLS = "app/Inventory/main.py"


def test_each_mcp_tool_is_judged_as_a_request_handler() -> None:
    found = results(MCP, "CODE001", "CODE003", "CODE004", "CODE005", "OBS004")
    assert found["CODE001"].status == "fail"
    assert findings(found["CODE001"]) == [
        ("fail", TOOLS, line_of(MCP, TOOLS, "def read_report")),
        ("fail", TOOLS, line_of(MCP, TOOLS, 's3.delete_object(Bucket="reports"') + 2),
    ]
    except_line = line_of(MCP, TOOLS, 'return "deleted"') + 1
    assert [f.message for f in found["CODE001"].findings] == [
        "MCP tool read_report() has no try/except around the agent logic",
        f"MCP tool delete_report(): the except handler on line {except_line} does not log the error",
    ]
    assert findings(found["CODE003"]) == [("fail", TOOLS, line_of(MCP, TOOLS, 'return f"delete failed'))]
    assert found["CODE003"].findings[0].message.startswith("the except handler on line ")
    assert (
        "of MCP tool delete_report() returns an f-string of exc to the caller" in found["CODE003"].findings[0].message
    )
    # the unguarded S3 read is CODE001's finding, not CODE004's a second time
    assert (found["CODE004"].status, found["CODE004"].findings) == ("pass", [])
    assert found["CODE004"].reason == (
        "4 MCP tool(s) are request handlers of an MCP runtime: CODE001 checks their error handling"
    )
    assert found["CODE005"].status == "not_applicable"
    assert found["OBS004"].status == "not_applicable"
    assert found["OBS004"].reason == "every runtime is an MCP tool server: online evaluation scores agent answers"


# --- several @app.entrypoint on one app: only the last is served -------------------------------

TWO = "code_two_entrypoints"
MAIN = "app/Agent/main.py"


def test_replaced_entrypoints_are_one_info_finding_and_not_checked() -> None:
    found = results(TWO, "CODE001", "CODE002", "CODE003", "CODE005", "CODE006")
    code001 = found["CODE001"]
    assert code001.status == "pass"
    assert findings(code001) == [("info", MAIN, line_of(TWO, MAIN, "def summarise"))]
    assert code001.findings[0].message == (
        f"@app.entrypoint is used on 3 functions: BedrockAgentCoreApp serves only the last one, invoke() (line "
        f"{line_of(TWO, MAIN, 'def invoke')}); summarise() (line {line_of(TWO, MAIN, 'def summarise')}), "
        f"plan_budget() (line {line_of(TWO, MAIN, 'def plan_budget')}) never run through the runtime (dead code, "
        "not checked by the code rules)"
    )
    # summarise() returns str(e) and plan_budget() reads an unchecked field: neither is served
    assert (found["CODE003"].status, found["CODE003"].findings) == ("pass", [])
    leak_line = line_of(TWO, MAIN, 'return {"error": str(e)}')
    assert found["CODE003"].reason == (
        "no except handler returns exception details to the runtime's caller; 1 handler(s) returning exception "
        f"text left alone: {MAIN}:{leak_line} (summarise() is an @app.entrypoint the SDK replaced with a later one)"
    )
    assert (found["CODE005"].status, found["CODE005"].reason) == ("pass", "invoke(): prompt checked")
    assert (found["CODE006"].status, found["CODE006"].reason) == ("pass", "invoke(): prompt checked")


# --- an entrypoint that hands everything to a package under src/ ---------------------------

DELEGATED = "code_delegated_entrypoint"


def test_work_and_checks_delegated_to_another_package_are_credited() -> None:
    found = results(DELEGATED, "CODE001", "CODE005", "CODE006", "CODE007")
    pipeline = "app/Research/src/research/pipeline.py"
    assert (found["CODE001"].status, found["CODE001"].findings) == ("pass", [])
    assert found["CODE001"].reason == (
        f"app/Research/main.py:{line_of(DELEGATED, 'app/Research/main.py', 'async def invoke')} invoke(): the work "
        f"runs in run_research() ({pipeline}:{line_of(DELEGATED, pipeline, 'async def run_research')}), which is "
        "wrapped"
    )
    assert {code: r.status for code, r in found.items()} == {
        "CODE001": "pass",
        "CODE005": "pass",
        "CODE006": "pass",
        "CODE007": "pass",
    }
    assert found["CODE006"].reason == "invoke(): question checked"
    assert found["CODE007"].reason == "invoke(): user_id checked"

"""NET001 (private resources from PUBLIC runtimes) and TEST001/TEST002 (the agent's tests)."""

from __future__ import annotations

from collections.abc import Callable

from conftest import ProjectBuilder, findings_of, runtime

DB = "app/Agent/store.py"
CONFIG = "agentcore/agentcore.json"


def line_of(builder: ProjectBuilder, rel: str, needle: str, occurrence: int = 1) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    return hits[occurrence - 1]


STORE = '''
"""Orders store. See docs at http://wiki.corp.internal/orders (a docstring, not a connection)."""
import psycopg

DSN = "postgresql://app@orders.cluster-abc123.us-east-1.rds.amazonaws.com:5432/orders"
CACHE = "10.0.12.7:6379"
VERSION = "10.1.2.3"


def connect():
    return psycopg.connect(DSN)
'''


def test_private_hosts_fail_and_drivers_warn_on_a_public_runtime(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint("store", "reports")
    project.write(DB, STORE)
    project.write(
        "app/Agent/reports.py", "import pymysql\n\n\ndef open_db(host):\n    return pymysql.connect(host=host)\n"
    )
    result = project.results("NET001")["NET001"]
    assert result.status == "fail"
    # the driver of a file whose private host is known is that host's finding, not a second one
    assert findings_of(result) == [
        ("warn", "app/Agent/reports.py", 1),
        ("fail", DB, line_of(project, DB, "DSN =")),
        ("fail", DB, line_of(project, DB, "CACHE =")),
    ]
    by_line = {f.location.line: f for f in result.findings}
    assert by_line[line_of(project, DB, "DSN =")].message == (
        "agent code reaches the private host orders.cluster-abc123.us-east-1.rds.amazonaws.com but runtime "
        "'Agent' uses PUBLIC network mode: it cannot reach private addresses"
    )
    fix = by_line[line_of(project, DB, "DSN =")].fix
    assert fix is not None and fix.patch is not None
    assert fix.patch[:3] == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {"op": "test", "path": "/runtimes/0/networkMode", "value": "PUBLIC"},
        {"op": "replace", "path": "/runtimes/0/networkMode", "value": "VPC"},
    ]


def test_vpc_runtime_passes(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                networkMode="VPC",
                networkConfig={"subnets": ["subnet-0a", "subnet-0b"], "securityGroups": ["sg-0a"]},
            )
        ]
    )
    project.entrypoint("store")
    project.write(DB, STORE)
    result = project.results("NET001")["NET001"]
    assert (result.status, result.findings) == ("pass", [])


def test_public_code_without_private_resources_passes(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint("store")
    project.write(DB, 'import sqlite3\nDB = sqlite3.connect("orders.db")\nURL = "https://api.example.com"\n')
    result = project.results("NET001")["NET001"]
    assert (result.status, result.findings) == ("pass", [])


# --- TEST001 / TEST002 -------------------------------------------------------------------------


def test_no_tests_warns_at_the_runtime_code_location(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "print('hi')\n")
    results = project.results("TEST001", "TEST002")
    assert findings_of(results["TEST001"]) == [("warn", CONFIG, line_of(project, CONFIG, '"codeLocation"'))]
    assert results["TEST002"].status == "not_applicable"


def test_tests_with_a_failing_tool_pass_both_rules(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "print('hi')\n")
    project.write(
        "tests/test_agent.py",
        """
        from unittest.mock import Mock

        def test_tool_timeout_returns_safe_error():
            tool = Mock(side_effect=TimeoutError("slow"))
            assert handle(tool) == {"error": "An error occurred"}
        """,
    )
    results = project.results("TEST001", "TEST002")
    assert (results["TEST001"].status, results["TEST001"].reason) == (
        "pass",
        "Agent: 1 test file(s), e.g. tests/test_agent.py; whether the inputs are production-representative is "
        "for you to confirm",
    )
    assert results["TEST002"].status == "pass"
    assert (
        results["TEST002"].reason
        == "tests/test_agent.py:4 injects a failure (a mock with side_effect raising an exception)"
    )


def test_happy_path_only_tests_warn(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "print('hi')\n")
    project.write("app/Agent/tests/test_main.py", "def test_answer():\n    assert 1 + 1 == 2\n")
    results = project.results("TEST001", "TEST002")
    assert results["TEST001"].status == "pass"
    assert findings_of(results["TEST002"]) == [("warn", "app/Agent/tests/test_main.py", 1)]


def test_a_project_without_runtimes_has_no_agent_tests_to_judge(
    fixture_project: Callable[[str], ProjectBuilder],
) -> None:
    # a gateway in front of a backend: a happy-path backend test and a smoke script named *_test.py
    project = fixture_project("gateway_only")
    results = project.results("TEST001", "TEST002")
    assert {code: (r.status, r.reason, r.findings) for code, r in results.items()} == {
        "TEST001": ("not_applicable", "the project defines no runtimes", []),
        "TEST002": ("not_applicable", "the project defines no runtimes", []),
    }


def test_client_error_stubs_and_raising_fakes_count(make_project) -> None:  # type: ignore[no-untyped-def]
    stubbed = make_project("stubbed")
    stubbed.agentcore()
    stubbed.write(
        "tests/test_memory.py",
        """
        from botocore.stub import Stubber

        def test_memory_throttled(client):
            with Stubber(client) as stub:
                stub.add_client_error("create_event", "ThrottlingException")
        """,
    )
    assert stubbed.results("TEST002")["TEST002"].reason == (
        "tests/test_memory.py:5 injects a failure (botocore Stubber.add_client_error)"
    )
    faked = make_project("faked")
    faked.agentcore()
    faked.write(
        "tests/test_model.py",
        """
        class BrokenModel:
            def __call__(self, prompt):
                raise RuntimeError("model unavailable")

        def test_model_failure():
            assert run(BrokenModel()) == "sorry"
        """,
    )
    assert faked.results("TEST002")["TEST002"].reason == "tests/test_model.py:3 injects a failure (a fake that raises)"

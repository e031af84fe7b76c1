"""Without AWS access the AWS rules say why; with one call denied, only the rules that
need that fact are unknown, and the report names the missing permission."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agentcore_readiness.checks.registry import load_rules
from agentcore_readiness.tools.review import run_review
from aws.conftest import (
    Account,
    Scenario,
    cli_default_role_policy,
    create_log_group,
    create_role,
    create_runtime,
    deployed_project,
    open_account,
)
from conftest import ProjectBuilder

Use = Callable[[Account | None], None]
AWS_ONLY = sorted(code for code, rule in load_rules().items() if rule.meta.inputs == ["A"])
# AWS rules that read the project only to tell they do not apply to it
AWS_ONLY = sorted([*AWS_ONLY, "GW007", "RES002"])


def test_the_catalog_has_the_aws_only_rules() -> None:
    assert AWS_ONLY == ["CMD002", "CMD005", "GW007", "IAM004", "NET003", "OBS003", "OBS005", "RES002"]


def test_without_aws_requested_every_aws_rule_is_skipped_with_the_reason(project: ProjectBuilder) -> None:
    project.agentcore(memories=[{"name": "Memory", "eventExpiryDuration": 30, "strategies": []}])
    report = run_review(str(project.root), AWS_ONLY)
    statuses = {r.rule: (r.status, r.reason) for r in report.projects[0].results}
    reason = "AWS checks were not requested (run with --aws, or pass aws=true)"
    expected = {code: ("skipped", reason) for code in AWS_ONLY}
    expected["GW007"] = ("not_applicable", "no gateway target is a Lambda function")
    assert statuses == expected


def test_with_aws_but_no_credentials_every_aws_rule_is_skipped(project: ProjectBuilder, use_account: Use) -> None:
    use_account(None)
    project.agentcore(memories=[{"name": "Memory", "eventExpiryDuration": 30, "strategies": []}])
    report = run_review(str(project.root), [*AWS_ONLY, "IAM001", "IAM003"], aws=True)
    results = {r.rule: r for r in report.projects[0].results}
    for code in [*AWS_ONLY, "IAM001", "IAM003"]:
        if code == "GW007":
            continue
        assert results[code].status == "skipped", code
        assert (results[code].reason or "").startswith("no AWS credentials found"), code
    assert "give policy documents to check_iam_scope" in (results["IAM001"].reason or "")


@pytest.fixture(scope="session")
def denied_account(moto_endpoint: str) -> Scenario:
    account = open_account(moto_endpoint, "666666666666")
    role = create_role(account, "DeniedRole", scoped_trust=False, inline=cli_default_role_policy(account.id))
    agent = create_runtime(account, "Demo_Agent", role)
    create_log_group(account, agent, retention=None)
    return Scenario(account, {"Agent": agent}, {"role": role})


class _DenyingLogs(BaseHTTPRequestHandler):
    """CloudWatch Logs as AWS answers an identity without logs:DescribeLogGroups."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps(
            {
                "__type": "AccessDeniedException",
                "message": "User: arn:aws:iam::666666666666:user/reviewer is not authorized to perform: "
                "logs:DescribeLogGroups because no identity-based policy allows the logs:DescribeLogGroups action",
            }
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-ErrorType", "AccessDeniedException")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def logs_denied(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A real HTTP endpoint for CloudWatch Logs (through botocore's service-specific
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS) that denies every call; other services stay on moto."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DenyingLogs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def test_access_denied_on_one_call_makes_only_its_rules_unknown(
    project: ProjectBuilder, denied_account: Scenario, use_account: Use, logs_denied: None
) -> None:
    use_account(denied_account.account)
    deployed_project(project, denied_account)
    report = run_review(str(project.root), ["IAM001", "IAM003", "OBS003", "AUTH001", "SESS008"], aws=True)
    results = {r.rule: r for r in report.projects[0].results}
    assert {code: r.status for code, r in results.items()} == {
        "IAM001": "fail",
        "IAM003": "fail",
        "OBS003": "unknown",
        "AUTH001": "pass",
        "SESS008": "pass",
    }
    assert results["OBS003"].reason == (
        "Agent: AccessDenied on logs:DescribeLogGroups: the reviewing identity lacks the permission logs:DescribeLogGroups"
    )
    assert [e.message for e in report.projects[0].fact_errors if e.fact == "aws"] == [
        "log groups of Agent: AccessDenied on logs:DescribeLogGroups: the reviewing identity lacks the permission "
        "logs:DescribeLogGroups"
    ]


PROBE = r"""
import json, sys
from agentcore_readiness.cli import main
code = main(["check", sys.argv[1], "--format", "json", "--select", "IAM,CMD,OBS003", "-o", sys.argv[2]])
print(json.dumps({"code": code, "aws_modules": sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore"))}))
"""


def test_a_review_without_aws_imports_no_boto3(project: ProjectBuilder, tmp_path: object) -> None:
    project.agentcore()
    out = project.root / "report.json"
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(project.root), str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(completed.stdout)
    assert outcome["aws_modules"] == []
    statuses = {r["rule"]: r["status"] for r in json.loads(out.read_text())["projects"][0]["results"]}
    assert statuses["OBS003"] == "skipped"
    assert statuses["IAM001"] == "skipped"

"""Throttled calls are retried with backoff, and a retried call counts once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from agentcore_readiness.facts.aws.gather import gather_aws_facts
from agentcore_readiness.facts.aws.model import AwsReviewOptions
from agentcore_readiness.facts.project.project_facts import load_project
from aws.conftest import Account, Scenario, deployed_project
from conftest import ProjectBuilder

Use = Callable[[Account | None], None]


class _ThrottlingLogs(BaseHTTPRequestHandler):
    """CloudWatch Logs that throttles the first request, then answers."""

    requests: ClassVar[list[str]] = []
    log_group = ""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).requests.append(self.headers.get("X-Amz-Target", ""))
        if len(type(self).requests) <= 1:
            status, body = 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
        else:
            status, body = 200, {"logGroups": [{"logGroupName": type(self).log_group, "retentionInDays": 7}]}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def throttling_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_ThrottlingLogs]]:
    _ThrottlingLogs.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ThrottlingLogs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield _ThrottlingLogs
    finally:
        server.shutdown()
        server.server_close()


def test_throttled_call_is_retried_and_succeeds(
    project: ProjectBuilder, hardened_account: Scenario, use_account: Use, throttling_logs: type[_ThrottlingLogs]
) -> None:
    use_account(hardened_account.account)
    deployed_project(project, hardened_account)
    agent = hardened_account.runtimes["Agent"]
    throttling_logs.log_group = f"/aws/bedrock-agentcore/runtimes/{agent.id}-DEFAULT"
    facts, _ = gather_aws_facts(load_project(project.root), AwsReviewOptions(groups=frozenset({"runtimes", "logs"})))
    assert facts is not None
    runtime = (facts.runtimes.value or ())[0]
    assert runtime.log_groups.error is None
    assert [(g.name, g.retention_days) for g in runtime.log_groups.value or ()] == [(throttling_logs.log_group, 7)]
    assert throttling_logs.requests == ["Logs_20140328.DescribeLogGroups"] * 2
    assert facts.api_calls_by_operation["cloudwatch-logs.DescribeLogGroups"] == 1

"""An offline review imports no boto3 and opens no network connection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[:2]))
    raise OSError("network disabled for this test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from agentcore_readiness.tools.review import run_review
from agentcore_readiness.render.sarif import render_sarif
from agentcore_readiness.render.filled_checklist import checklist_for_report
report = run_review(sys.argv[1])
render_sarif(report)
checklist_for_report(report)
print(json.dumps({
    "attempts": attempts,
    "aws_modules": sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "httpx2", "httpx")),
    "statuses": {r.rule: r.status for r in report.projects[0].results},
}))
"""


def test_offline_review_imports_no_aws_sdk_and_opens_no_connection() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO / "examples" / "support-desk")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(completed.stdout)
    assert outcome["attempts"] == []
    assert outcome["aws_modules"] == []
    assert outcome["statuses"]["AUTH003"] == "fail"

"""Renderers: the checklist marks and the JSON output contract (SARIF: test_sarif.py)."""

from __future__ import annotations

import json

from agentcore_readiness.render.checklist import checklist_for_report
from agentcore_readiness.render.json import render_json
from conftest import ProjectBuilder, gateway, runtime


def failing_project(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                authorizerType="NONE", lifecycleConfiguration={"idleRuntimeSessionTimeout": 120, "maxLifetime": 3600}
            )
        ],
        agentCoreGateways=[gateway("Open", authorizerType="NONE")],
    )


def test_checklist_marks_follow_rule_statuses(project: ProjectBuilder) -> None:
    failing_project(project)
    result = checklist_for_report(project.review())
    checklist = result.checklists[0]
    marks = {item.key: item.mark for section in checklist.sections for item in section.items}
    assert marks["auth.not_none"] == " "
    assert marks["auth.jwt"] == "-"
    assert marks["obs.xray"] == "x"
    assert marks["res.memory"] == "-"
    assert marks["test.memory"] == "?"
    markdown = result.markdown
    assert markdown.startswith("Production Readiness Checklist for Demo\n\nIAM\n")
    assert (
        "[ ] Inbound auth is AWS_IAM or CUSTOM_JWT (not NONE)\n    - FAIL AUTH001 (critical) runtime 'Agent'"
        in markdown
    )
    assert "[x] X-Ray tracing enabled (auto-configured)\n" in markdown
    sections = [line for line in markdown.splitlines() if line and not line.startswith(("[", " "))]
    assert sections[1:9] == [
        "IAM",
        "Authentication",
        "Shell Access (if using InvokeAgentRuntimeCommand)",
        "Code quality",
        "Observability",
        "Performance",
        "Resources",
        "Testing",
    ]


def test_json_keeps_the_output_contract(project: ProjectBuilder) -> None:
    failing_project(project)
    data = json.loads(render_json(project.review()))
    project_entry = data["projects"][0]
    assert project_entry["path"] == str(project.root)
    result = next(r for r in project_entry["results"] if r["rule"] == "AUTH001")
    assert result["status"] == "fail"
    finding = result["findings"][0]
    assert {k: finding[k] for k in ("rule", "severity", "message")} == {
        "rule": "AUTH001",
        "severity": "critical",
        "message": "runtime 'Agent' accepts unauthenticated calls (authorizerType NONE)",
    }
    assert finding["location"]["path"] == "agentcore/agentcore.json"
    assert isinstance(finding["location"]["line"], int)

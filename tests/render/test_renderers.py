"""Renderers: the checklist marks and the JSON output contract (SARIF: test_sarif.py)."""

from __future__ import annotations

import json

from agentcore_readiness.render.filled_checklist import checklist_for_report
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
    assert [(f.rule, f.severity, f.level) for f in checklist.fix_first] == [
        ("AUTH001", "critical", "fail"),
        ("AUTH003", "critical", "fail"),
        ("OBS004", "medium", "fail"),
        ("TEST001", "low", "warn"),
    ]
    markdown = result.markdown
    assert markdown.startswith("# Production readiness of Demo\n")
    assert (
        "## Fix first\n\n1. **critical** fail AUTH001 `agentcore/agentcore.json:15 (/runtimes/0/authorizerType)`: "
        "runtime 'Agent' accepts unauthenticated calls (authorizerType NONE)\n"
        "   - Fix: Require authentication on Agent now: AWS_IAM (SigV4 callers) or CUSTOM_JWT. In "
        '`agentcore/agentcore.json` set `/runtimes/0/authorizerType` to `"AWS_IAM"`, then validate and deploy.\n'
        "   - `agentcore validate && agentcore deploy`\n"
    ) in markdown
    assert "- [ ] Inbound auth is AWS_IAM or CUSTOM_JWT (not NONE) (AUTH001, AUTH003: findings 1, 2)\n" in markdown
    assert "- [x] X-Ray tracing enabled (auto-configured) (OBS001, OBS002)\n" in markdown
    assert (
        "- [-] If CUSTOM_JWT: discovery URL, audience, and client IDs configured (AUTH002 not applicable: no runtime "
        "uses CUSTOM_JWT; AUTH004 not applicable: no gateway uses CUSTOM_JWT)\n"
    ) in markdown
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert headings == [
        "# Production readiness of Demo",
        "## Fix first",
        "## Production Readiness Checklist for Demo",
        "### IAM",
        "### Authentication",
        "### Shell Access (if using InvokeAgentRuntimeCommand)",
        "### Code quality",
        "### Observability",
        "### Performance",
        "### Resources",
        "### Testing",
        "### Also checked",
        "### Reasons",
    ]


def test_a_reason_several_rules_share_is_written_once(project: ProjectBuilder) -> None:
    failing_project(project)
    markdown = checklist_for_report(project.review()).markdown
    not_requested = "AWS checks were not requested (run with `--aws`, or pass `aws=true`)"
    assert markdown.count(not_requested + " (") == 1  # alone, under Reasons, with its rules
    reasons = markdown.split("### Reasons\n\n", 1)[1].splitlines()
    letter = next(line for line in reasons if line.endswith(")") and f"** {not_requested} (" in line)
    assert letter.startswith("- **C.** ")
    assert letter.endswith("(CMD002, CMD005, OBS003, IAM004, OBS005, NET003)")
    assert "- [?] CloudWatch log retention policy set (OBS003 skipped: reason C)\n" in markdown


def test_a_selection_keeps_only_the_items_its_rules_decide(project: ProjectBuilder) -> None:
    failing_project(project)
    markdown = checklist_for_report(project.review("AUTH003")).markdown
    items = [line for line in markdown.splitlines() if line.startswith("- [")]
    assert items == [
        "- [ ] Inbound auth is AWS_IAM or CUSTOM_JWT (not NONE) (AUTH003: finding 1)",
        "- [ ] Gateway auth configured (if using gateway) (AUTH003: finding 1)",
    ]
    assert "not run in this review" not in markdown and "### IAM" not in markdown


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

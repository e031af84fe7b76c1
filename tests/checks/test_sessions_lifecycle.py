"""SESS009 and the audit_sessions proposal: the same project against each workload of the skill's
table, the exact patch and command, the workload from pyproject, YAML projects, bad input."""

from __future__ import annotations

import pytest

from agentcore_readiness.checks.registry import ReviewOptions
from agentcore_readiness.engine import InputError
from agentcore_readiness.tools.sessions import run_audit_sessions
from conftest import ProjectBuilder, findings_of, runtime

CONFIG = "agentcore/agentcore.json"


def line_of(builder: ProjectBuilder, needle: str) -> int:
    lines = (builder.root / CONFIG).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if needle in text)


# (workload, fits, proposed idle, proposed max, which values are out of the table)
TABLE = [
    ("interactive", False, 900, 3600, ["maxLifetime 28800 s (default) does not fit the table's 3600-7200 s"]),
    (
        "request-reply",
        False,
        120,
        1800,
        [
            "idle timeout 900 s (default) does not fit the table's 60-120 s",
            "maxLifetime 28800 s (default) does not fit the table's 1800 s or less",
        ],
    ),
    (
        "batch",
        False,
        120,
        3600,
        [
            "idle timeout 900 s (default) does not fit the table's 60-120 s",
            "maxLifetime 28800 s (default) does not fit the table's job length + buffer",
        ],
    ),
    ("background", False, 300, 28800, ["idle timeout 900 s (default) does not fit the table's 120-300 s"]),
]


@pytest.mark.parametrize(("workload", "fits", "idle", "lifetime", "problems"), TABLE)
def test_each_workload_proposes_the_tables_values_for_the_same_project(
    project: ProjectBuilder, workload: str, fits: bool, idle: int, lifetime: int, problems: list[str]
) -> None:
    project.agentcore()
    audit = run_audit_sessions(str(project.root), workload)
    assert audit.workload == workload
    [proposal] = audit.proposals
    assert (proposal.runtime, proposal.fits, proposal.proposed_idle_timeout, proposal.proposed_max_lifetime) == (
        "Agent",
        fits,
        idle,
        lifetime,
    )
    assert proposal.current_idle_timeout == 900 and proposal.idle_timeout_is_default
    assert proposal.current_max_lifetime == 28800 and proposal.max_lifetime_is_default
    assert proposal.patch_file == CONFIG
    assert proposal.patch == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {
            "op": "add",
            "path": "/runtimes/0/lifecycleConfiguration",
            "value": {"idleRuntimeSessionTimeout": idle, "maxLifetime": lifetime},
        },
    ]
    assert (
        proposal.add_agent_command
        == f"agentcore add agent --name Agent … --idle-timeout {idle} --max-lifetime {lifetime}"
    )
    assert proposal.apply_commands == ["agentcore validate && agentcore deploy"]
    if workload == "batch":
        assert (
            proposal.assumption is not None
            and "3600 s assumes jobs finish within about 50 minutes" in proposal.assumption
        )
    else:
        assert proposal.assumption is None

    sess009 = next(r for r in audit.report.projects[0].results if r.rule == "SESS009")
    assert sess009.status == "warn"
    [finding] = sess009.findings
    assert finding.message == (
        f"runtime 'Agent' ({workload}): {'; '.join(problems)}; proposed idle {idle} s, maxLifetime {lifetime} s"
    )
    assert finding.fix is not None and finding.fix.patch == proposal.patch


def test_values_inside_the_table_pass_and_are_kept(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(lifecycleConfiguration={"idleRuntimeSessionTimeout": 90, "maxLifetime": 1200})])
    audit = run_audit_sessions(str(project.root), "request-reply")
    [proposal] = audit.proposals
    assert proposal.fits
    assert (proposal.proposed_idle_timeout, proposal.proposed_max_lifetime) == (90, 1200)
    sess009 = next(r for r in audit.report.projects[0].results if r.rule == "SESS009")
    assert sess009.status == "pass"
    assert sess009.reason == "Agent: idle 90 s, maxLifetime 1200 s fit request-reply"


def test_only_the_value_out_of_range_changes_and_the_finding_points_at_it(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[runtime(lifecycleConfiguration={"idleRuntimeSessionTimeout": 700, "maxLifetime": 20000})]
    )
    result = project.results("SESS009", options=ReviewOptions(workload="interactive"))["SESS009"]
    assert findings_of(result) == [("warn", CONFIG, line_of(project, '"maxLifetime"'))]
    assert result.findings[0].fix is not None
    assert result.findings[0].fix.patch == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {
            "op": "test",
            "path": "/runtimes/0/lifecycleConfiguration",
            "value": {"idleRuntimeSessionTimeout": 700, "maxLifetime": 20000},
        },
        {
            "op": "replace",
            "path": "/runtimes/0/lifecycleConfiguration",
            "value": {"idleRuntimeSessionTimeout": 700, "maxLifetime": 3600},
        },
    ]


def test_without_a_workload_sess009_is_not_applicable_with_the_reason(project: ProjectBuilder) -> None:
    project.agentcore()
    audit = run_audit_sessions(str(project.root))
    assert audit.workload is None and audit.proposals == []
    sess009 = next(r for r in audit.report.projects[0].results if r.rule == "SESS009")
    assert sess009.status == "not_applicable"
    assert "no workload given" in (sess009.reason or "")


def test_workload_from_pyproject_settings(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("pyproject.toml", '[tool.agentcore-readiness]\nworkload = "background"\n')
    audit = run_audit_sessions(str(project.root))
    assert audit.workload == "background"
    assert [(p.proposed_idle_timeout, p.proposed_max_lifetime) for p in audit.proposals] == [(300, 28800)]
    assert project.results("SESS009")["SESS009"].status == "warn"


def test_starter_toolkit_yaml_gets_a_yaml_patch(project: ProjectBuilder) -> None:
    project.write(
        ".bedrock_agentcore.yaml",
        """
        default_agent: helper
        agents:
          helper:
            name: helper
            entrypoint: agent.py
            deployment_type: direct_code_deploy
            aws:
              region: us-east-1
              lifecycle_configuration:
                idle_runtime_session_timeout: 900
        """,
    )
    project.write("agent.py", "x = 1\n")
    audit = run_audit_sessions(str(project.root), "request-reply")
    [proposal] = audit.proposals
    assert proposal.patch_file == ".bedrock_agentcore.yaml"
    assert proposal.patch == [
        {
            "op": "test",
            "path": "/agents/helper/aws/lifecycle_configuration",
            "value": {"idle_runtime_session_timeout": 900},
        },
        {
            "op": "replace",
            "path": "/agents/helper/aws/lifecycle_configuration",
            "value": {"idle_runtime_session_timeout": 120, "max_lifetime": 1800},
        },
    ]
    assert proposal.apply_commands == ["agentcore launch"]


def test_unknown_workload_is_an_input_error(project: ProjectBuilder) -> None:
    project.agentcore()
    with pytest.raises(InputError, match="unknown workload 'chatty'"):
        run_audit_sessions(str(project.root), "chatty")


def test_audit_sessions_runs_only_the_session_rules(project: ProjectBuilder) -> None:
    project.agentcore()
    audit = run_audit_sessions(str(project.root), "interactive")
    codes = [r.rule for r in audit.report.projects[0].results]
    assert codes == [
        "SESS001",
        "SESS002",
        "SESS003",
        "SESS004",
        "SESS005",
        "SESS006",
        "SESS007",
        "SESS008",
        "SESS009",
        "SESS010",
        "SESS011",
        "SESS012",
        "SESS013",
        "SESS014",
        "RES004",
        "RES007",
    ]

"""Rules declare what they read on ``@rule(...)``; the engine gathers that and nothing else,
gives each rule only what it declared, and opens the rules whose input is missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import anyio
import pytest

from agentcore_readiness.checks.registry import Facts, Needs, load_rules, tool_rules
from agentcore_readiness.engine import Gathering, ReviewRequest, gather_facts, rule_facts
from agentcore_readiness.facts import UndeclaredFact
from agentcore_readiness.facts.code.index import UndeclaredRole, build_code_index
from agentcore_readiness.facts.measure.measurements import MeasuredFacts
from agentcore_readiness.facts.project.project_facts import load_project
from agentcore_readiness.tools import all_specs, rule_span
from conftest import FIXTURES, ProjectBuilder, runtime

FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "agentcore").is_dir() or any(p.glob("*.yaml")))


def _facts(project: ProjectBuilder, **fields: object) -> Facts:
    loaded = load_project(project.root)
    return Facts(project=loaded, now=datetime.now(UTC), **fields)  # type: ignore[arg-type]


def test_reading_an_undeclared_aws_group_raises(project: ProjectBuilder) -> None:
    project.agentcore()
    facts = _facts(project, declared=Needs(aws=("runtimes",)))
    assert facts.aws("runtimes") == "AWS checks were not requested (run with --aws, or pass aws=true)"
    with pytest.raises(UndeclaredFact, match="reads the AWS roles facts without declaring them"):
        facts.aws("roles")


def test_reading_undeclared_policies_or_measurements_raises(project: ProjectBuilder) -> None:
    project.agentcore()
    measured = MeasuredFacts(environments={"Agent": None})
    facts = _facts(project, measured_facts=measured, declared=Needs(measures=("cli",)))
    assert facts.measured is not None
    assert facts.measured.cli is None
    with pytest.raises(UndeclaredFact, match="reads the environments measurement without declaring it"):
        _ = facts.measured.environments
    with pytest.raises(UndeclaredFact, match="reads the project's policy documents without declaring them"):
        _ = facts.policies
    with pytest.raises(UndeclaredFact, match="reads local measurements without declaring them"):
        _ = _facts(project, measured_facts=measured, declared=Needs()).measured


def test_a_rule_sees_only_the_code_roles_it_declares(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "from bedrock_agentcore.runtime import BedrockAgentCoreApp\n")
    loaded = load_project(project.root)
    facts = Facts(project=loaded, now=datetime.now(UTC), code=build_code_index(loaded))
    own = rule_facts(load_rules()["SESS002"], facts)  # reads callers only
    assert own.code is not None
    with pytest.raises(UndeclaredRole, match="reads runtime code without declaring it"):
        list(own.code.runtime_files())
    assert rule_facts(load_rules()["CFG001"], facts).code is None


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_no_rule_reads_what_it_did_not_declare(name: str, fixture_project: Callable[[str], ProjectBuilder]) -> None:
    """Every rule of the review runs on every fixture project with only its declared facts:
    an undeclared read would raise and turn the rule's result into ``error``."""
    copy = fixture_project(name)
    report = copy.review()
    errors = [(p.path, r.rule, r.reason) for p in report.projects for r in p.results if r.status == "error"]
    assert errors == []


def test_the_engine_gathers_only_what_the_chosen_rules_declare(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime()])
    project.write("app/Agent/main.py", "print('hi')\n")
    facts, chosen = gather_facts(project.root, "proj", ReviewRequest(target=str(project.root), select=("CFG001",)))
    assert [r.meta.code for r in chosen] == ["CFG001"]
    assert (facts.code, facts.project_policies, facts.measured_facts) == (None, None, None)
    facts, _ = gather_facts(project.root, "proj", ReviewRequest(target=str(project.root), select=("IAM001", "PERF005")))
    assert facts.code is not None
    assert facts.project_policies is not None
    assert facts.measured_facts is not None
    assert Gathering.of([load_rules()["IAM001"], load_rules()["PERF005"]]) == Gathering(
        roles=frozenset({"runtime", "test"}),
        aws=frozenset({"runtimes", "roles"}),
        policies=True,
        measures=frozenset({"environments"}),
    )


def test_a_rule_reading_only_aws_is_skipped_without_running_when_aws_was_not_requested(
    project: ProjectBuilder,
) -> None:
    project.agentcore()
    result = project.results("OBS005")["OBS005"]
    assert (result.status, result.reason) == (
        "skipped",
        "AWS checks were not requested (run with --aws, or pass aws=true)",
    )


def _rules_run_by(tool: str, path: str) -> set[str]:
    """The codes of the rules a call of ``tool`` on ``path`` answered for (its full detail)."""
    answer = anyio.run(partial(all_specs()[tool].fn, path=path, detail="full"))
    report = getattr(answer, "report", answer)
    return {result.rule for project in report.projects for result in project.results}


@pytest.mark.parametrize(
    "tool",
    [
        "check_auth",
        "check_iam_scope",
        "check_shell_access",
        "check_observability",
        "audit_sessions",
        "audit_cold_start",
        "audit_code",
    ],
)
def test_a_tool_runs_exactly_the_rules_that_declare_it(tool: str) -> None:
    """Every rule declaring ``tools=(tool, ...)`` is run by that tool, and no other rule is:
    a new rule reaches its tools by its declaration alone."""
    declared = {code for code, r in load_rules().items() if tool in r.needs.tools}
    assert declared, tool
    assert _rules_run_by(tool, str(FIXTURES / "helpdesk_platform")) == declared


def test_audit_code_is_declared_by_exactly_the_rules_that_read_code() -> None:
    rules = load_rules()
    assert tool_rules("audit_code") == tuple(code for code, r in rules.items() if r.reads)


def test_a_tool_description_ends_with_the_rules_that_declare_it() -> None:
    specs = all_specs()
    assert specs["check_iam_scope"].description().endswith("\nRules: IAM001-IAM005.")
    for name, spec in specs.items():
        codes = tool_rules(name)
        assert spec.description().endswith(f"\nRules: {rule_span(codes)}.") == bool(codes), name
        assert not any(code in (spec.fn.__doc__ or "") for code in codes), f"{name}'s docstring lists rules by hand"


def test_rule_span_writes_runs_of_three_or_more_as_ranges() -> None:
    codes = ("SESS001", "SESS002", "SESS003", "RES004", "RES005", "RES007", "GW10", "GW11", "GW12")
    assert rule_span(codes) == "SESS001-SESS003, RES004, RES005, RES007, GW10-GW12"
    assert rule_span(()) == ""


def test_catalog_inputs_agree_with_the_declarations() -> None:
    for code, r in load_rules().items():
        assert ("A" in r.meta.inputs) == bool(r.needs.aws), code
        assert not r.needs.reads or "C" in r.meta.inputs, code
        assert "X" not in r.meta.inputs or r.needs.measures, code

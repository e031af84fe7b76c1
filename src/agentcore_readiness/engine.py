"""The review engine: find projects, gather the facts the chosen rules need, run the rules.

A rule that raises becomes that rule's ``error`` result; every other rule still runs
and the report still comes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentcore_readiness import __version__, budget
from agentcore_readiness.checks.registry import (
    Facts,
    Findings,
    ReviewOptions,
    Rule,
    load_rules,
    select_rules,
    unknown_codes,
)
from agentcore_readiness.facts.project import ProjectFacts, ProjectNotFound, discover_projects, load_project
from agentcore_readiness.log import get_logger
from agentcore_readiness.model import FactError, ProjectReport, Report, RuleResult, Status, summarize

log = get_logger(__name__)


IMPORTS_REFUSED = (
    "import timing runs the project's own code, and this server's operator has not enabled it "
    "(`agentcore-readiness serve --allow-measure-imports`); the per-call argument alone cannot switch it on"
)


class InputError(Exception):
    """Bad input from the user (no such path, no project, unknown rule code)."""


@dataclass(frozen=True)
class ReviewRequest:
    target: str
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    options: ReviewOptions = field(default_factory=ReviewOptions)
    aws_facts: Callable[[ProjectFacts], tuple[Any, str | None]] | None = None
    """Gathers AWS facts for a project: returns (facts, None) or (None, why not)."""
    policy_inputs: tuple[Any, ...] = ()
    """Policy documents given by the user (``facts.aws_policies.PolicyInput``) for the IAM rules."""


def resolve_target(target: str) -> list[tuple[Path, str]]:
    """Project roots for ``target`` with the path to show for each."""
    from agentcore_readiness.roots import OutsideRoots, check_path

    if "\x00" in target:
        raise InputError(f"{target!r}: a path cannot contain a NUL byte")
    try:
        check_path(target)
    except OutsideRoots as exc:
        raise InputError(str(exc)) from None
    path = Path(target).expanduser()
    try:
        roots = discover_projects(path)
    except FileNotFoundError:
        raise InputError(f"{target}: no such file or directory") from None
    except ProjectNotFound as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"{target}: cannot be read ({exc.strerror or exc})") from None
    base = path.resolve() if path.is_dir() else path.resolve().parent
    shown: list[tuple[Path, str]] = []
    for root in roots:
        if root == base:
            shown.append((root, target if path.is_dir() else str(Path(target).parent)))
        elif base in root.parents:
            shown.append((root, str(Path(target) / root.relative_to(base))))
        else:
            shown.append((root, str(root)))
    return shown


def needs_code(rules: Sequence[Rule]) -> bool:
    return any("C" in r.meta.inputs for r in rules)


def gather_facts(root: Path, display: str, request: ReviewRequest) -> tuple[Facts, list[Rule]]:
    """Load the project, choose its rules (the request's, then its own settings), and
    gather only the facts those rules need.
    """
    project = load_project(root, display)
    registry = load_rules()
    select = request.select or project.settings.select
    ignore = (*request.ignore, *project.settings.ignore)
    chosen = [r for r in select_rules(registry, select, ignore) if r.in_review]
    code = None
    if needs_code(chosen):
        from agentcore_readiness.facts.code import build_code_index

        code = build_code_index(project)
    aws: Any = None
    aws_unavailable: str | None = "AWS checks were not requested (run with --aws, or pass aws=true)"
    if request.options.aws_requested and request.aws_facts is not None:
        aws, aws_unavailable = request.aws_facts(project)
    extra: dict[str, Any] = {}
    needs_policies = any(
        r.meta.code.startswith("IAM") or (r.meta.code.startswith("CMD") and "C" not in r.meta.inputs) for r in chosen
    )
    if request.policy_inputs or needs_policies:
        from agentcore_readiness.facts.aws_policies import gather_project_policies

        extra["policies"] = gather_project_policies(project, code, request.policy_inputs)
    options = replace(request.options, workload=request.options.workload or project.settings.workload)
    if options.measure_imports and not budget.project_code_allowed():
        options = replace(options, measure_imports=False, measure_imports_refused=IMPORTS_REFUSED)
    measured = None
    if any("X" in r.meta.inputs or r.meta.code == "PERF005" for r in chosen):
        from agentcore_readiness.facts.measure import MeasuredFacts, gather_measurements

        try:
            measured = gather_measurements(
                project,
                [r.meta.code for r in chosen],
                measure_imports=options.measure_imports,
                import_timeout=options.import_timeout,
            )
        except budget.BudgetSpent as spent:
            measured = MeasuredFacts(incomplete=(f"{spent.reason}: the local measurements were not finished",))
    facts = Facts(
        project=project,
        now=datetime.now(UTC),
        code=code,
        aws=aws,
        aws_unavailable=aws_unavailable,
        options=options,
        measured=measured,
        extra=extra,
    )
    return facts, chosen


def cut_short(rule: Rule, facts: Facts) -> list[str]:
    """Why the input this rule reads was not read in full (code or local measurements)."""
    reasons: list[str] = []
    if "C" in rule.meta.inputs and facts.code is not None:
        reasons.extend(facts.code.incomplete)
    uses_measurements = "X" in rule.meta.inputs or rule.meta.code == "PERF005"
    if uses_measurements and facts.measured is not None:
        reasons.extend(getattr(facts.measured, "incomplete", ()))
    return reasons


def _undecided(rule: Rule, reasons: Sequence[str]) -> str:
    shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
    return f"not decided: its input was not read in full ({shown})"


def run_rule(rule: Rule, facts: Facts) -> RuleResult:
    spent = budget.spent()
    if spent is not None:
        return RuleResult(rule=rule.meta.code, status="unknown", reason=f"not run: {spent}")
    out = Findings(rule.meta)
    try:
        verdict = rule.check(facts, out)
    except budget.BudgetSpent as exc:
        return RuleResult(rule=rule.meta.code, status="unknown", reason=f"not finished: {exc.reason}")
    except Exception as exc:
        log.error("rule crashed", rule=rule.meta.code, error_type=type(exc).__name__, exc_info=True)
        return RuleResult(
            rule=rule.meta.code,
            status="error",
            reason=f"the check itself failed ({type(exc).__name__}); the rest of the report is unaffected",
        )
    findings = out.items
    suppressed = 0
    if facts.code is not None and findings:
        kept = []
        for finding in findings:
            py_file = facts.code.file(finding.location.path) if finding.location.path else None
            if py_file is not None and py_file.suppressed(rule.meta.code, finding.location.line):
                suppressed += 1
            else:
                kept.append(finding)
        findings = kept
    levels = {f.level for f in findings}
    status: Status
    if "fail" in levels:
        status, reason = "fail", None
    elif "warn" in levels:
        status, reason = "warn", None
    elif verdict is not None:
        status, reason = verdict.status, verdict.reason
    elif suppressed and not findings:
        status, reason = "pass", f"{suppressed} finding(s) suppressed in code"
    else:
        status, reason = "pass", "; ".join(out.notes) or None
    if status in ("pass", "not_applicable"):
        # a pass (or "nothing to check") on input that was cut short is not a pass
        reasons = cut_short(rule, facts)
        if reasons:
            status, reason = "unknown", _undecided(rule, reasons)
    return RuleResult(rule=rule.meta.code, status=status, reason=reason, findings=findings, suppressed=suppressed)


def run_rules(facts: Facts, rules: Sequence[Rule]) -> list[RuleResult]:
    return [run_rule(rule, facts) for rule in rules]


def review(request: ReviewRequest) -> Report:
    """Review every project found at ``request.target``, within the current request's
    budget (:mod:`agentcore_readiness.budget`; a default one when none is set)."""
    if budget.current() is None:
        with budget.request_budget(budget.Budget()):
            return _review(request)
    return _review(request)


def _review(request: ReviewRequest) -> Report:
    registry = load_rules()
    bad = unknown_codes(registry, (*request.select, *request.ignore))
    if bad:
        raise InputError(f"unknown rule code(s): {', '.join(bad)} (see `agentcore-readiness rules`)")
    started = time.perf_counter()
    projects: list[ProjectReport] = []
    for root, display in resolve_target(request.target):
        try:
            budget.check()
            facts, chosen = gather_facts(root, display, request)
        except budget.BudgetSpent as spent:
            projects.append(_not_reviewed(root, display, spent.reason))
            continue
        projects.append(_project_report(facts, chosen, display))
    log.debug("review finished", target=request.target, seconds=round(time.perf_counter() - started, 4))
    # Quoted project text is cleaned once, where it leaves the product: the MCP tool boundary
    # (server/app.py) and the CLI (cli.py).
    return Report(
        version=__version__,
        target=request.target,
        projects=projects,
        rules={r.rule: registry[r.rule].meta.model_copy(update={"doc": ""}) for p in projects for r in p.results},
    )


def _project_report(facts: Facts, chosen: Sequence[Rule], display: str) -> ProjectReport:
    results = run_rules(facts, chosen)
    errors: list[FactError] = [*facts.project.errors]
    if facts.code is not None:
        errors.extend(FactError(source=s.path, message=f"skipped: {s.reason}", fact="code") for s in facts.code.skipped)
        listed = {f"{s.path}: {s.reason}" for s in facts.code.skipped}
        errors.extend(
            FactError(source="code", message=f"not reviewed: {reason}", fact="code")
            for reason in facts.code.incomplete
            if reason not in listed
        )
    if facts.measured is not None:
        errors.extend(
            FactError(source="measurements", message=message, fact="measure")
            for message in getattr(facts.measured, "incomplete", ())
        )
    errors.extend(getattr(facts.extra.get("policies"), "errors", ()))
    if hasattr(facts.aws, "fact_errors"):
        errors.extend(facts.aws.fact_errors())
    spent = budget.spent()
    if spent is not None:
        not_run = [
            r.rule for r in results if r.reason is not None and r.reason.startswith(("not run:", "not finished:"))
        ]
        if not_run:
            errors.append(
                FactError(
                    source="review",
                    message=f"not reviewed: {spent}; rules not run or not finished: {', '.join(not_run)}",
                    fact="budget",
                )
            )
    return ProjectReport(
        path=display,
        name=facts.project.name,
        layout=facts.project.layout,  # type: ignore[arg-type]
        agents=facts.project.agent_names,
        results=results,
        fact_errors=errors,
        summary=summarize(results),
    )


def _not_reviewed(root: Path, display: str, reason: str) -> ProjectReport:
    return ProjectReport(
        path=display,
        name=root.name,
        layout="unknown",
        fact_errors=[FactError(source="review", message=f"not reviewed: {reason}", fact="budget")],
        summary=summarize([]),
    )

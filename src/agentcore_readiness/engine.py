"""The review engine: find projects, gather the facts the chosen rules need, run the rules.

A rule that raises becomes that rule's ``error`` result; every other rule still runs
and the report still comes.
"""

from __future__ import annotations

import os
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
    Verdict,
    load_rules,
    select_rules,
    skipped,
    unknown,
    unknown_codes,
)
from agentcore_readiness.config import ConfigChoice, default_choice, repository_root
from agentcore_readiness.facts.aws.model import AWS_NOT_REQUESTED
from agentcore_readiness.facts.project.project_facts import (
    ProjectFacts,
    ProjectNotFound,
    discover_projects,
    load_project,
)
from agentcore_readiness.finalize import Baseline, FindingFinalizer, repository_prefix, suppression_reason
from agentcore_readiness.gcpause import paused_gc
from agentcore_readiness.log import get_logger
from agentcore_readiness.model import (
    BaselineUse,
    ConfigUse,
    FactError,
    ProjectReport,
    Report,
    RuleResult,
    Status,
    summarize,
)

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
    """Policy documents given by the user (``facts.project_policies.PolicyInput``) for the IAM rules."""
    more_targets: tuple[str, ...] = ()
    """Further paths reviewed into the same report (``check PATH PATH ...``)."""
    config: ConfigChoice | None = None
    """Where each project's configuration comes from; ``None``: the process default (discover)."""
    baseline: Baseline | None = None


def resolve_target(target: str) -> list[tuple[Path, str]]:
    """Project roots for ``target`` with the path to show for each.

    The target must be inside the allowed roots and not too broad (see :mod:`scope`); so must
    every project found, since the project that holds a file may sit above the roots.
    """
    from agentcore_readiness import scope
    from agentcore_readiness.roots import OutsideRoots, check_path, check_project_root

    if "\x00" in target:
        raise InputError(f"{target!r}: a path cannot contain a NUL byte")
    path = Path(target).expanduser()
    try:
        scope.check_not_empty(target)
        check_path(target)
        scope.check_breadth(path)
        roots = discover_projects(path)
        for root in roots:
            check_project_root(target, root)
        scope.check_size(target, roots)
    except (OutsideRoots, scope.ScopeError) as exc:
        raise InputError(str(exc)) from None
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


def check_named_paths(project: ProjectFacts) -> None:
    """Refuse a project whose configuration names a path outside the allowed roots (a runtime's
    codeLocation or an additionalPolicies file such as ``../../etc``): nothing there may be read,
    not even whether it exists."""
    from agentcore_readiness.roots import OutsideRoots, check_path

    for runtime in project.runtimes:
        named = [("codeLocation", runtime.code_location)] if runtime.code_location else []
        bases = [project.root / runtime.code_location] if runtime.code_location else []
        for entry in runtime.additional_policies:
            if not entry.startswith("arn:"):
                named.extend(("additionalPolicies", str(base / entry)) for base in (*bases, project.root))
        for field_name, value in named:
            try:
                check_path(project.root / value)
            except OutsideRoots:
                raise InputError(
                    f"{project.display_path}: runtime {runtime.name!r} {field_name} names a path outside the "
                    "directories this server may read; the project is not reviewed"
                ) from None


@dataclass(frozen=True)
class Gathering:
    """What a review gathers: the union of its rules' declared needs."""

    roles: frozenset[str]
    aws: frozenset[str]
    policies: bool
    measures: frozenset[str]

    @classmethod
    def of(cls, rules: Sequence[Rule]) -> Gathering:
        return cls(
            roles=frozenset(role for r in rules for role in r.needs.reads),
            aws=frozenset(group for r in rules for group in r.needs.aws),
            policies=any(r.needs.policies for r in rules),
            measures=frozenset(m for r in rules for m in r.needs.measures),
        )


def aws_groups(rules: Sequence[Rule]) -> frozenset[str]:
    """The AWS fact groups ``rules`` declare."""
    return Gathering.of(rules).aws


def choose_rules(project: ProjectFacts, request: ReviewRequest) -> list[Rule]:
    """The request's rules, narrowed by the project's own ``select``/``ignore``."""
    registry = load_rules()
    select = request.select or project.settings.select
    ignore = (*request.ignore, *project.settings.ignore)
    return [r for r in select_rules(registry, select, ignore) if r.in_review]


def config_use(project: ProjectFacts, request: ReviewRequest, chosen: Sequence[Rule]) -> ConfigUse | None:
    """What the project's own configuration changed in this review (``None`` without one)."""
    settings = project.settings
    if settings.source is None:
        return None
    without = [r for r in select_rules(load_rules(), request.select, request.ignore) if r.in_review]
    kept = {r.meta.code for r in chosen}
    return ConfigUse(
        source=settings.source,
        select=list(settings.select),
        ignore=list(settings.ignore),
        rules_off=[r.meta.code for r in without if r.meta.code not in kept],
        exclude=list(settings.exclude),
    )


def gather_facts(root: Path, display: str, request: ReviewRequest) -> tuple[Facts, list[Rule]]:
    """Load the project, choose its rules (the request's, then its own settings), and
    gather only the facts those rules need.
    """
    project = load_project(root, display, request.config, rule_codes=frozenset(load_rules()))
    check_named_paths(project)
    chosen = choose_rules(project, request)
    wanted = Gathering.of(chosen)
    code = None
    if wanted.roles:
        from agentcore_readiness.facts.code.index import build_code_index

        code = build_code_index(project)
    aws: Any = None
    aws_unavailable: str | None = AWS_NOT_REQUESTED
    if not wanted.aws:
        aws_unavailable = "no chosen rule reads AWS facts"
    elif request.options.aws_requested and request.aws_facts is not None:
        aws, aws_unavailable = request.aws_facts(project)
    policies = None
    if request.policy_inputs or wanted.policies:
        from agentcore_readiness.facts.project_policies import gather_project_policies

        policies = gather_project_policies(project, code, request.policy_inputs)
    options = replace(request.options, workload=request.options.workload or project.settings.workload)
    if options.measure_imports and not budget.project_code_allowed():
        options = replace(options, measure_imports=False, measure_imports_refused=IMPORTS_REFUSED)
    measured = None
    if wanted.measures:
        from agentcore_readiness.facts.measure.measurements import MeasuredFacts, gather_measurements

        try:
            measured = gather_measurements(
                project,
                wanted.measures,
                measure_imports=options.measure_imports,
                import_timeout=options.import_timeout,
            )
        except budget.BudgetSpent as spent:
            measured = MeasuredFacts(incomplete=(f"{spent.reason}: the local measurements were not finished",))
    facts = Facts(
        project=project,
        now=datetime.now(UTC),
        code=code,
        aws_facts=aws,
        aws_unavailable=aws_unavailable,
        options=options,
        measured_facts=measured,
        project_policies=policies,
    )
    return facts, chosen


def cut_short(rule: Rule, facts: Facts) -> list[str]:
    """Why the input this rule reads was not read in full (code or local measurements)."""
    reasons: list[str] = []
    if rule.reads and facts.code is not None:
        reasons.extend(facts.code.incomplete)
    if rule.needs.measures and facts.measured is not None:
        reasons.extend(getattr(facts.measured, "incomplete", ()))
    return reasons


def _undecided(rule: Rule, reasons: Sequence[str]) -> str:
    shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
    return f"not decided: its input was not read in full ({shown})"


def rule_facts(rule: Rule, facts: Facts) -> Facts:
    """The facts one rule may read: what its :class:`~agentcore_readiness.checks.registry.Needs`
    declare (the code of its roles, or no code index; reading anything else raises)."""
    code = facts.code.view(rule.reads) if facts.code is not None and rule.reads else None
    return replace(facts, code=code, declared=rule.needs)


def opening(rule: Rule, facts: Facts) -> Verdict | None:
    """The verdict of a rule whose declared input is missing, without running it: a rule
    that reads nothing but AWS facts is ``skipped`` when they were not gathered."""
    needs = rule.needs
    if needs.aws and set(rule.meta.inputs) <= {"A"}:
        state = facts.aws(needs.aws[0])
        if isinstance(state, str):
            return skipped(state)
    if needs.reads and facts.code is None:
        return unknown("the code index was not built")
    return None


def run_rule(rule: Rule, facts: Facts, finalizer: FindingFinalizer | None = None) -> RuleResult:
    spent = budget.spent()
    if spent is not None:
        return RuleResult(rule=rule.meta.code, status="unknown", reason=f"not run: {spent}")
    out = Findings(rule.meta)
    own = rule_facts(rule, facts)
    try:
        verdict = opening(rule, own) or rule.check(own, out)
    except budget.BudgetSpent as exc:
        return RuleResult(rule=rule.meta.code, status="unknown", reason=f"not finished: {exc.reason}")
    except Exception as exc:
        log.error("rule crashed", rule=rule.meta.code, error_type=type(exc).__name__, exc_info=True)
        return RuleResult(
            rule=rule.meta.code,
            status="error",
            reason=f"the check itself failed ({type(exc).__name__}); the rest of the report is unaffected",
        )
    finalizer = finalizer or FindingFinalizer(facts.project, facts.code)
    findings, suppressed = finalizer.finish(out.items)
    levels = {f.level for f in findings}
    status: Status
    if "fail" in levels:
        status, reason = "fail", None
    elif "warn" in levels:
        status, reason = "warn", None
    elif verdict is not None:
        status, reason = verdict.status, verdict.reason
    elif own.code is not None and own.code.skipped:
        status, reason = "unknown", _unread(own.code.skipped)
    elif own.code is not None and "runtime" in rule.reads and (missing := _missing_runtimes(own)):
        status, reason = "unknown", missing
    elif suppressed and not findings:
        status, reason = "pass", suppression_reason(suppressed)
    else:
        status, reason = "pass", "; ".join(out.notes) or None
    if status in ("pass", "not_applicable"):
        # a pass (or "nothing to check") on input that was cut short is not a pass
        reasons = cut_short(rule, facts)
        if reasons:
            status, reason = "unknown", _undecided(rule, reasons)
    return RuleResult(
        rule=rule.meta.code,
        status=status,
        reason=reason,
        findings=findings,
        suppressed=len(suppressed),
        suppressed_findings=suppressed,
    )


def _unread(skipped: Sequence[Any]) -> str:
    shown = "; ".join(f"{s.path} ({s.reason})" for s in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return (
        f"nothing found in what could be read, but {len(skipped)} file(s) it reads could not be analysed: {shown}{more}"
    )


def _missing_runtimes(facts: Facts) -> str | None:
    """Why some runtime's code could not be read (its entrypoint is not in this checkout)."""
    assert facts.code is not None
    missing = [e.name for e in facts.code.entries if e.missing]
    if not missing:
        return None
    return (
        f"nothing found in the code that could be read, but the code of runtime {', '.join(missing)} is not in "
        "this checkout (the project's errors say why)"
    )


def run_rules(facts: Facts, rules: Sequence[Rule], finalizer: FindingFinalizer | None = None) -> list[RuleResult]:
    finalizer = finalizer or FindingFinalizer(facts.project, facts.code)
    return [run_rule(rule, facts, finalizer) for rule in rules]


def repository_base(targets: Sequence[str]) -> Path:
    """Where report paths start: the git working tree holding every target, else their common directory."""
    directories = []
    for target in targets:
        path = Path(target).expanduser().resolve()
        directories.append(path if path.is_dir() else path.parent)
    repo = repository_root(directories[0])
    if repo is not None and all(d == repo or repo in d.parents for d in directories):
        return repo
    return Path(os.path.commonpath(directories))


def review_one(root: Path, display: str, request: ReviewRequest, base: Path) -> tuple[ProjectReport, set[str]]:
    """Review one project; also returns the baseline fingerprints it matched."""
    with paused_gc():
        return _review_one(root, display, request, base)


def _release(facts: Facts) -> None:
    """Drop what analyses built from the code index (call graphs hold the index they were built
    from): the project's syntax trees are then freed at once by reference counting, instead of
    waiting, with everything they hold, for a collection of the cyclic garbage collector."""
    if facts.code is not None:
        facts.code.derived.clear()


def _review_one(root: Path, display: str, request: ReviewRequest, base: Path) -> tuple[ProjectReport, set[str]]:
    facts, chosen = gather_facts(root, display, request)
    finalizer = FindingFinalizer(facts.project, facts.code, repository_prefix(root, base), request.baseline)
    results = run_rules(facts, chosen, finalizer)
    errors: list[FactError] = [*facts.project.errors]
    if facts.code is not None:
        errors.extend(FactError(source=s.path, message=f"skipped: {s.reason}", fact="code") for s in facts.code.skipped)
    errors.extend(_cut_short_errors(facts, results))
    errors.extend(getattr(facts.project_policies, "errors", ()))
    if hasattr(facts.aws_facts, "fact_errors"):
        errors.extend(facts.aws_facts.fact_errors())
    use = config_use(facts.project, request, chosen)
    if use is not None:
        tally = finalizer.tally
        unused = [a.label for a in facts.project.settings.accept if a.label not in tally.accepts_used]
        use = use.model_copy(update={"accepted": tally.accepted, "unused_accepts": unused})
    report = ProjectReport(
        look_at=_look_at(facts, results),
        path=display,
        name=facts.project.name,
        layout=facts.project.layout,  # type: ignore[arg-type]
        agents=facts.project.agent_names,
        results=results,
        fact_errors=errors,
        summary=summarize(results),
        repository_path=repository_prefix(root, base),
        config=use,
    )
    _release(facts)
    return report, finalizer.tally.baseline_hits


def review_all(
    jobs: Sequence[tuple[Path, str]], request: ReviewRequest, base: Path
) -> list[tuple[ProjectReport, set[str]]]:
    """Review each project, in the order given: in worker processes when there are several
    projects with enough files between them and AWS facts are not requested (see
    :mod:`agentcore_readiness.parallel`), else one after the other here."""
    from agentcore_readiness import parallel, scope

    done: dict[int, tuple[ProjectReport, set[str]]] = {}
    if len(jobs) > 1 and not request.options.aws_requested:
        sizes = [scope.count_files(root, 50_000) for root, _ in jobs]
        workers = parallel.worker_count(len(jobs), sum(sizes))
        if workers:
            # the workers review under this process's configuration choice; AWS facts are not
            # gathered in workers
            sent = replace(request, config=request.config or default_choice(), aws_facts=None)
            done = parallel.review_in_workers(
                jobs, sizes, sent, base, workers, review=review_one, input_error=InputError
            )
    reports: list[tuple[ProjectReport, set[str]]] = []
    for i, (root, display) in enumerate(jobs):
        if i in done:
            reports.append(done[i])
            continue
        try:
            budget.check()
            reports.append(review_one(root, display, request, base))
        except budget.BudgetSpent as spent:
            reports.append((_not_reviewed(root, display, spent.reason), set()))
    return reports


def _look_at(facts: Facts, results: list[RuleResult]) -> dict[str, Any]:
    """Where to read for each checklist item the review left undecided (from the project map)."""
    if facts.code is None:
        return {}
    from agentcore_readiness.checks.map_builder import look_at

    metas = {code: rule.meta for code, rule in load_rules().items() if rule.in_review}
    try:
        return look_at(facts, results, metas)
    except Exception as exc:  # the places are a reading aid: the report comes without them
        log.warning("project map failed", error_type=type(exc).__name__, exc_info=True)
        return {}


def review(request: ReviewRequest) -> Report:
    """Review every project found at ``request.target`` (and ``request.more_targets``),
    within the current request's budget (:mod:`agentcore_readiness.budget`; a default one
    when none is set)."""
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
    targets = (request.target, *request.more_targets)
    found: dict[Path, str] = {}
    for target in targets:
        for root, display in resolve_target(target):
            found.setdefault(root, display)
    if request.more_targets:
        from agentcore_readiness import scope

        try:
            scope.check_size(", ".join(targets), list(found))  # the limits hold for the whole review
        except scope.ScopeError as exc:
            raise InputError(str(exc)) from None
    base = repository_base(targets)
    projects: list[ProjectReport] = []
    baseline_hits: set[str] = set()
    for project, hits in review_all(list(found.items()), request, base):
        projects.append(project)
        baseline_hits |= hits
    baseline = None
    if request.baseline is not None:
        baseline = BaselineUse(
            file=request.baseline.file,
            suppressed=len(baseline_hits),
            gone=len(request.baseline.fingerprints - baseline_hits),
        )
    log.debug("review finished", target=request.target, seconds=round(time.perf_counter() - started, 4))
    # Quoted project text is cleaned once, where it leaves the product: the MCP tool boundary
    # (server/app.py) and the CLI (cli.py).
    return Report(
        version=__version__,
        target=request.target,
        projects=projects,
        rules={r.rule: registry[r.rule].meta.model_copy(update={"doc": ""}) for p in projects for r in p.results},
        repository_root=str(base),
        baseline=baseline,
    )


def _cut_short_errors(facts: Facts, results: Sequence[RuleResult]) -> list[FactError]:
    """What was not reviewed: code left out by the budget, measurements not finished, rules
    the spent budget stopped."""
    errors: list[FactError] = []
    if facts.code is not None:
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
    return errors


def _not_reviewed(root: Path, display: str, reason: str) -> ProjectReport:
    return ProjectReport(
        path=display,
        name=root.name,
        layout="unknown",
        fact_errors=[FactError(source="review", message=f"not reviewed: {reason}", fact="budget")],
        summary=summarize([]),
    )

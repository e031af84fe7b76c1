"""What a review tool answers: by default what needs attention, small enough for a model's context.

:func:`shape` turns a full :class:`~agentcore_readiness.model.Report` into a
:class:`ReviewResult`:

* ``detail="summary"`` (the default): each project's status counts, the fail and warn
  findings (message, location, fix summary and commands) sorted by severity and paged with
  ``max_findings`` / ``offset``, and one line per distinct reason for the rules that did not
  decide (skipped, unknown, error). Passing and not-applicable rules are counted; ``status``
  lists them too.
* ``detail="full"``: every rule result with every finding, evidence, JSON Patch and policy,
  as ``agentcore-readiness check --format json`` prints it (no paging).

``status``, ``min_severity`` and the tools' ``select`` / ``ignore`` narrow either view.
Rules are named by code only: ``explain_rule`` and ``agentcore-readiness://rules/{code}``
document them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.model import (
    SEVERITY_ORDER,
    STATUSES,
    FactError,
    Finding,
    Location,
    Report,
    RuleResult,
    Severity,
    Status,
    Summary,
)

Detail = Literal["summary", "full"]
DEFAULT_STATUSES: tuple[Status, ...] = ("fail", "warn", "unknown", "skipped", "error")
DEFAULT_MAX_FINDINGS = 15
MAX_FINDINGS_LIMIT = 200

DetailArg = Annotated[
    Detail,
    Field(description="full: every result with evidence, patches and policies, unpaged"),
]
StatusArg = Annotated[
    list[Status] | None,
    Field(description="Statuses to list; default all but pass and not_applicable"),
]
MinSeverityArg = Annotated[Severity | None, Field(description="Lowest severity to list")]
MaxFindingsArg = Annotated[
    int,
    Field(ge=0, le=MAX_FINDINGS_LIMIT, description="Findings per answer"),
]
OffsetArg = Annotated[int, Field(ge=0, description="Findings to skip: the offset a previous answer gives")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ListedFinding(_Frozen):
    """A fail or warn finding, short: what, where, and the fix."""

    rule: str
    severity: Severity
    level: Literal["fail", "warn", "info"]
    message: str
    location: Location
    fix: str | None = Field(default=None, description="What to do, in a sentence or two")
    fix_code: str | None = Field(default=None, description="The code the fix describes, when it shows some")
    commands: list[str] = Field(default_factory=list)
    project: str | None = Field(default=None, description="The project's path, when several were reviewed")


class ReasonLine(_Frozen):
    """Rules of one status that share one reason."""

    status: Status
    rules: list[str]
    reason: str | None = None


class ProjectView(_Frozen):
    path: str
    name: str
    layout: str
    agents: list[str] = Field(default_factory=list)
    summary: Summary
    reasons: list[ReasonLine] = Field(default_factory=list, description="summary: one line per distinct reason")
    results: list[RuleResult] = Field(default_factory=list, description="full: every rule result")
    fact_errors: list[FactError] = Field(default_factory=list, description="Inputs that could not be read")


class Page(_Frozen):
    total: int = Field(description="Findings that match the filters")
    offset: int = 0
    next_offset: int | None = Field(default=None, description="Call again with this offset for the rest")


class ReviewResult(_Frozen):
    target: str
    detail: Detail = "summary"
    projects: list[ProjectView]
    findings: list[ListedFinding] = Field(default_factory=list, description="summary: most severe first")
    page: Page | None = None
    errors: list[FactError] = Field(default_factory=list)


@dataclass(frozen=True)
class ResultView:
    """How much of a review to answer with."""

    detail: Detail = "summary"
    status: tuple[Status, ...] | None = None
    min_severity: Severity | None = None
    max_findings: int = DEFAULT_MAX_FINDINGS
    offset: int = 0

    @classmethod
    def of(
        cls,
        detail: Detail = "summary",
        status: Sequence[Status] | None = None,
        min_severity: Severity | None = None,
        max_findings: int = DEFAULT_MAX_FINDINGS,
        offset: int = 0,
    ) -> ResultView:
        return cls(detail, tuple(status) if status else None, min_severity, max_findings, offset)

    def statuses(self) -> tuple[Status, ...]:
        if self.status:
            return self.status
        return STATUSES if self.detail == "full" else DEFAULT_STATUSES


def _severity_ok(severity: str, floor: Severity | None) -> bool:
    return floor is None or SEVERITY_ORDER[severity] >= SEVERITY_ORDER[floor]


def _rule_severities() -> dict[str, str]:
    from agentcore_readiness.checks.registry import load_rules

    return {code: rule.meta.severity for code, rule in load_rules().items()}


def rule_order() -> dict[str, int]:
    """Each rule code's place in the catalog, the tie-breaker after severity."""
    from agentcore_readiness.checks.registry import load_rules

    return {code: index for index, code in enumerate(load_rules())}


def finding_key(finding: Finding, project_index: int, order: dict[str, int]) -> tuple[object, ...]:
    """Most severe first, fail before warn, then project, catalog order and location: a total order,
    so pages of the same review never overlap or skip."""
    return (
        -SEVERITY_ORDER[finding.severity],
        finding.level != "fail",
        project_index,
        order.get(finding.rule, len(order)),
        finding.location.path or finding.location.arn or "",
        finding.location.line or 0,
        finding.message,
    )


def _sorted_findings(report: Report, view: ResultView, order: dict[str, int]) -> list[ListedFinding]:
    several = len(report.projects) > 1
    shown = set(view.statuses())
    keyed: list[tuple[tuple[object, ...], ListedFinding]] = []
    for index, project in enumerate(report.projects):
        for result in project.results:
            if result.status not in shown:
                continue
            for finding in result.findings:
                if finding.level == "info" or not _severity_ok(finding.severity, view.min_severity):
                    continue
                short = listed(finding, project.path if several else None, short=True)
                keyed.append((finding_key(finding, index, order), short))
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


DEPLOY_COMMANDS = ("agentcore validate && agentcore deploy", "agentcore deploy")


def listed(finding: Finding, project: str | None = None, short: bool = False) -> ListedFinding:
    """``finding`` as a list entry: message, location, fix and commands. ``short`` keeps the fix's
    sentence only (no code example) and drops the closing deploy command the sentence already asks for."""
    location = Location(
        path=finding.location.path,
        line=finding.location.line,
        pointer=finding.location.pointer,
        arn=finding.location.arn,
        region=finding.location.region,
    )
    fix, fix_code = split_fix(finding.fix.summary) if finding.fix else (None, None)
    commands = list(finding.fix.commands) if finding.fix else []
    if short:
        if fix and fix_code:
            fix = fix.rstrip(":") + ' (the code: detail="full").'
        fix_code = None
        while commands and commands[-1] in DEPLOY_COMMANDS:
            commands.pop()
    return ListedFinding(
        rule=finding.rule,
        severity=finding.severity,
        level=finding.level,
        message=finding.message,
        location=location,
        fix=fix,
        fix_code=fix_code,
        commands=commands,
        project=project,
    )


def split_fix(summary: str) -> tuple[str, str | None]:
    """A fix summary's sentence and the code example after it (rules put code on the lines below)."""
    sentence, _, rest = summary.strip().partition("\n")
    code = textwrap.dedent(rest.strip("\n")).rstrip()
    return sentence.strip(), code or None


def _reason_lines(results: list[RuleResult], view: ResultView, severities: dict[str, str]) -> list[ReasonLine]:
    shown = set(view.statuses()) - {"fail", "warn"}
    grouped: dict[tuple[str, str | None], list[str]] = {}
    for result in results:
        if result.status not in shown or not _severity_ok(severities.get(result.rule, "info"), view.min_severity):
            continue
        grouped.setdefault((result.status, result.reason), []).append(result.rule)
    order = {status: index for index, status in enumerate(STATUSES)}
    lines = [ReasonLine(status=status, reason=reason, rules=rules) for (status, reason), rules in grouped.items()]  # type: ignore[arg-type]
    return sorted(lines, key=lambda line: (order[line.status], -len(line.rules), line.rules[0]))


def _full_results(results: list[RuleResult], view: ResultView, severities: dict[str, str]) -> list[RuleResult]:
    shown = set(view.statuses())
    kept: list[RuleResult] = []
    for result in results:
        if result.status not in shown:
            continue
        if view.min_severity is None:
            kept.append(result)
            continue
        findings = [f for f in result.findings if _severity_ok(f.severity, view.min_severity)]
        if findings or _severity_ok(severities.get(result.rule, "info"), view.min_severity):
            kept.append(result.model_copy(update={"findings": findings}))
    return kept


def shape(report: Report, view: ResultView) -> ReviewResult:
    """The part of ``report`` that ``view`` asks for."""
    severities = _rule_severities()
    projects: list[ProjectView] = []
    for project in report.projects:
        full = view.detail == "full"
        projects.append(
            ProjectView(
                path=project.path,
                name=project.name,
                layout=project.layout,
                agents=project.agents,
                summary=project.summary,
                fact_errors=project.fact_errors,
                results=_full_results(project.results, view, severities) if full else [],
                reasons=[] if full else _reason_lines(project.results, view, severities),
            )
        )
    if view.detail == "full":
        return ReviewResult(target=report.target, detail="full", projects=projects, errors=report.errors)
    findings = _sorted_findings(report, view, rule_order())
    end = view.offset + view.max_findings
    more = view.max_findings > 0 and end < len(findings)
    page = Page(total=len(findings), offset=view.offset, next_offset=end if more else None)
    return ReviewResult(
        target=report.target,
        projects=projects,
        findings=findings[view.offset : end],
        page=page,
        errors=report.errors,
    )


def narrow(
    tool: str, runs: Sequence[str], select: Sequence[str] | None, ignore: Sequence[str] | None
) -> tuple[str, ...]:
    """The rule codes a focused tool runs: its own ``runs`` (codes or prefixes), narrowed by
    ``select`` and ``ignore``; a code it does not run is an input error naming the ones it does.
    """
    from agentcore_readiness.checks.registry import load_rules, select_rules
    from agentcore_readiness.engine import InputError

    own = [rule.meta.code for rule in select_rules(load_rules(), tuple(runs))]

    def matches(code: str, pattern: str) -> bool:
        return code.startswith(pattern.strip().upper())

    foreign = [p for p in (*(select or ()), *(ignore or ())) if p.strip() and not any(matches(c, p) for c in own)]
    if foreign:
        raise InputError(f"{tool} does not run {', '.join(foreign)}: choose among {', '.join(own)}")
    chosen = [c for c in own if not select or any(matches(c, p) for p in select if p.strip())]
    chosen = [c for c in chosen if not any(matches(c, p) for p in ignore or () if p.strip())]
    if not chosen:
        raise InputError(f"{tool}: select and ignore leave no rule to run (it runs {', '.join(own)})")
    return tuple(chosen)

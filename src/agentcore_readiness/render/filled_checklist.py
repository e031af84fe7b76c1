"""The skill's "Production Readiness Checklist for <AgentName>", filled in from a report.

The document opens with what to fix first (every fail and warn finding, most severe
first, with its location and fix), then the checklist as a CommonMark task list: each item
is ``[x]`` (every rule behind it passed), ``[ ]`` (a rule failed or warned: the item names
its fixes by number), ``[-]`` (not applicable to this project) or ``[?]`` (not decided: a
rule was skipped, could not read its input, or the item is a manual attestation; a nested
``read:`` line lists the places of the project map to read to decide it). A reason
that several rules share is written once, under *Reasons*, and referred to by letter.
Rules that feed no item of the skill's template come after it, under *Also checked*.

When the review ran only some rules (``--select`` / ``--ignore``), the checklist keeps only
the items those rules decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.checklist_items import CHECKLIST, ChecklistItem
from agentcore_readiness.model import FactError, LookAt, ProjectReport, Report, RuleMeta, RuleResult, Status, Summary
from agentcore_readiness.render.answer_text import counts, finding_line
from agentcore_readiness.render.md import code, inline, prose
from agentcore_readiness.tools.answer_shape import ListedFinding, finding_key, listed, rule_order

Mark = Literal["x", " ", "-", "?"]
UNDECIDED: tuple[Status, ...] = ("unknown", "skipped", "error")


class _M(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FilledItem(_M):
    key: str = Field(description="The checklist item's key, or the rule code under also_checked")
    text: str
    mark: Mark
    rules: dict[str, Status] = Field(default_factory=dict, description="Status of each rule behind the item")
    reasons: dict[str, int] = Field(
        default_factory=dict, description="Why a rule did not decide or does not apply: its index in reasons"
    )
    fixes: list[int] = Field(default_factory=list, description="Numbers of its findings in fix_first")
    note: str | None = Field(default=None, description="A manual attestation, or rules this review did not run")
    look_at: list[LookAt] = Field(
        default_factory=list, description="For a [?] item: the places of the project map a reviewer must read"
    )


class FilledSection(_M):
    title: str
    items: list[FilledItem]


class FilledChecklist(_M):
    agent: str
    project_path: str
    layout: str
    agents: list[str] = Field(default_factory=list, description="The project's runtimes")
    summary: Summary
    fact_errors: list[FactError] = Field(default_factory=list, description="Inputs that could not be read")
    fix_first: list[ListedFinding] = Field(
        default_factory=list, description="Fail and warn findings, most severe first"
    )
    sections: list[FilledSection]
    also_checked: list[FilledItem] = Field(
        default_factory=list, description="Rules that feed no item of the template and did not pass"
    )
    also_passed: list[str] = Field(default_factory=list, description="Rules that feed no item of the template and pass")
    reasons: list[str] = Field(default_factory=list, description="Each distinct reason once")


class ChecklistResult(_M):
    checklists: list[FilledChecklist]
    markdown: str = Field(default="", description="The checklists as markdown (the MCP answer's text)")


def _mark(results: list[RuleResult]) -> Mark:
    statuses = {r.status for r in results}
    if statuses & {"fail", "warn"}:
        return " "
    if not results or statuses & set(UNDECIDED):
        return "?"
    if statuses == {"not_applicable"}:
        return "-"
    return "x"


def _needs(meta: RuleMeta | None) -> str:
    if meta is None:
        return "rule not available in this version"
    inputs = set(meta.inputs)
    if inputs <= {"A"} or ("A" in inputs and "P" not in inputs and "C" not in inputs):
        return "needs AWS access"
    if "T" in inputs:
        return "needs a token"
    if "X" in inputs:
        return "needs a local measurement"
    return "not selected"


def _reasons(results: list[RuleResult], mark: Mark, reasons: dict[str, int]) -> dict[str, int]:
    """Rule -> index of its reason in ``reasons`` (added when new), for the rules that did not decide."""
    shown = (*UNDECIDED, "not_applicable") if mark == "-" else UNDECIDED
    return {r.rule: reasons.setdefault(r.reason, len(reasons)) for r in results if r.status in shown and r.reason}


def _item_note(
    item: ChecklistItem, mark: Mark, results: list[RuleResult], missing: list[str], metas: dict[str, RuleMeta]
) -> str | None:
    if missing:
        return "not run in this review: " + ", ".join(f"{c} ({_needs(metas.get(c))})" for c in missing)
    if not results:
        return "manual: " + item.manual_note if item.manual_note else "no rule decides this item; review it by hand"
    undecided = any(r.status in UNDECIDED for r in results)
    if mark == "?" and item.manual_note and not undecided:
        return "manual: " + item.manual_note
    return None


def _without_fix(finding: ListedFinding) -> ListedFinding:
    """What and where only: the checklist without fixes (review_project gives them)."""
    where = finding.location.model_copy(update={"pointer": None})
    return finding.model_copy(update={"fix": None, "fix_code": None, "commands": [], "location": where})


@dataclass
class _Numbering:
    """The fix-first list of one project and each finding's number in it."""

    findings: list[ListedFinding] = field(default_factory=list)
    numbers: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, project: ProjectReport, with_fixes: bool) -> _Numbering:
        order = rule_order()
        ranked = sorted(
            (f for r in project.results for f in r.findings if f.level in ("fail", "warn")),
            key=lambda f: finding_key(f, 0, order),
        )
        shown = [listed(f) if with_fixes else _without_fix(listed(f)) for f in ranked]
        return cls(shown, {id(f): n for n, f in enumerate(ranked, start=1)})

    def of_results(self, results: list[RuleResult]) -> list[int]:
        return sorted(self.numbers[id(f)] for r in results for f in r.findings if id(f) in self.numbers)


def fill(
    project: ProjectReport, metas: dict[str, RuleMeta], all_codes: dict[str, list[str]], with_fixes: bool = True
) -> FilledChecklist:
    """Fill the checklist for one project. ``all_codes`` maps item keys to the codes of
    every registered rule feeding that item (run or not). When the review ran only some
    rules, items none of them decides are left out. ``with_fixes=False`` leaves the fixes out
    of ``fix_first`` (``review_project`` gives them).
    """
    by_rule = {r.rule: r for r in project.results}
    narrowed = set(by_rule) != set(metas)
    numbering = _Numbering.of(project, with_fixes)
    reasons: dict[str, int] = {}
    placed: set[str] = set()
    sections: list[FilledSection] = []
    for section in CHECKLIST:
        items: list[FilledItem] = []
        for item in section.items:
            codes = all_codes.get(item.key, [])
            results = [by_rule[c] for c in codes if c in by_rule]
            placed.update(codes)
            if narrowed and not results:
                continue
            # A narrowed review decides an item by the rules it chose; a full one names those it could not run.
            missing = [] if narrowed else [c for c in codes if c not in by_rule]
            mark = _mark(results)
            if mark == "x" and missing:
                mark = "?"
            items.append(
                FilledItem(
                    key=item.key,
                    text=item.text,
                    mark=mark,
                    rules={r.rule: r.status for r in results},
                    reasons=_reasons(results, mark, reasons),
                    fixes=numbering.of_results(results),
                    note=_item_note(item, mark, results, missing, metas),
                    look_at=project.look_at.get(item.key, []) if mark == "?" else [],
                )
            )
        if items:
            sections.append(FilledSection(title=section.title, items=items))
    also = [_also(by_rule[c], metas.get(c), numbering, reasons) for c in by_rule if c not in placed]
    return FilledChecklist(
        agent=project.name,
        project_path=project.path,
        layout=project.layout,
        agents=project.agents,
        summary=project.summary,
        fact_errors=project.fact_errors,
        fix_first=numbering.findings,
        sections=sections,
        also_checked=[item for item in also if item.mark != "x"],
        also_passed=[item.key for item in also if item.mark == "x"],
        reasons=list(reasons),
    )


def _also(result: RuleResult, meta: RuleMeta | None, numbering: _Numbering, reasons: dict[str, int]) -> FilledItem:
    mark = _mark([result])
    return FilledItem(
        key=result.rule,
        text=meta.title if meta else result.rule,
        mark=mark,
        rules={result.rule: result.status},
        reasons=_reasons([result], mark, reasons),
        fixes=numbering.of_results([result]),
    )


# ---------------------------------------------------------------------------
# Markdown


class _Reasons:
    """A reason that several rules share gets a letter and is written once, under *Reasons*."""

    def __init__(self, checklist: FilledChecklist) -> None:
        self.texts = checklist.reasons
        items = [i for s in checklist.sections for i in s.items] + checklist.also_checked
        self.rules: dict[int, list[str]] = {}
        for item in items:
            for rule, index in item.reasons.items():
                if rule not in self.rules.setdefault(index, []):
                    self.rules[index].append(rule)
        shared = [index for index, rules in self.rules.items() if len(rules) > 1]
        self.letters = {index: _letter(n) for n, index in enumerate(sorted(shared))}

    def of(self, item: FilledItem) -> str:
        """``IAM001, IAM002 skipped: reason A; IAM005 unknown: <the reason>``."""
        grouped: dict[tuple[str, int], list[str]] = {}
        for rule, index in item.reasons.items():
            grouped.setdefault((item.rules[rule], index), []).append(rule)
        parts = []
        for (status, index), rules in grouped.items():
            why = f"reason {self.letters[index]}" if index in self.letters else prose(self.texts[index])
            parts.append(f"{', '.join(rules)} {status.replace('_', ' ')}: {why}")
        return "; ".join(parts)

    def lines(self, heading: str) -> list[str]:
        if not self.letters:
            return []
        lines = [f"{heading} Reasons", ""]
        for index, letter in self.letters.items():
            lines.append(f"- **{letter}.** {prose(self.texts[index])} ({', '.join(self.rules[index])})")
        return [*lines, ""]


def _letter(index: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[index] if index < len(letters) else letters[index // 26 - 1] + letters[index % 26]


def _item_line(item: FilledItem, reasons: _Reasons, label: str) -> str:
    details: list[str] = []
    if item.fixes:
        failing = [rule for rule, status in item.rules.items() if status in ("fail", "warn")]
        numbers = ", ".join(str(n) for n in item.fixes)
        details.append(f"{', '.join(failing)}: finding{'s' if len(item.fixes) > 1 else ''} {numbers}")
    if item.reasons:
        details.append(reasons.of(item))
    if item.note:
        details.append(prose(item.note))
    if not details and item.rules:
        details.append(", ".join(item.rules))
    line = f"- [{item.mark}] {label}" + (f" ({'; '.join(details)})" if details else "")
    if item.look_at:
        places = "; ".join(
            code(f"{p.path}:{p.line}" if p.line else p.path) + (f" {inline(p.what)}" if p.what else "")
            for p in item.look_at
        )
        line += f"\n  - read: {places}"
    return line


def render_checklist(checklist: FilledChecklist, heading: str = "##") -> list[str]:
    reasons = _Reasons(checklist)
    lines = [f"{heading} Production Readiness Checklist for {inline(checklist.agent)}", ""]
    for section in checklist.sections:
        lines.extend([f"{heading}# {inline(section.title)}", ""])
        lines.extend(_item_line(item, reasons, prose(item.text)) for item in section.items)
        lines.append("")
    if checklist.also_checked or checklist.also_passed:
        lines.extend([f"{heading}# Also checked", ""])
        for item in checklist.also_checked:
            lines.append(_item_line(item, reasons, f"{item.key} {prose(item.text)}"))
        if checklist.also_passed:
            lines.append(f"- [x] {', '.join(checklist.also_passed)} pass")
        lines.append("")
    lines.extend(reasons.lines(heading + "#"))
    return lines


def render_fix_first(checklist: FilledChecklist, heading: str = "##") -> list[str]:
    if not checklist.fix_first:
        return [f"{heading} Fix first", "", "Nothing fails or warns.", ""]
    lines = [f"{heading} Fix first", ""]
    for number, finding in enumerate(checklist.fix_first, start=1):
        lines.extend(finding_line(number, finding))
    return [*lines, ""]


def render_heading(checklist: FilledChecklist) -> list[str]:
    runtimes = f"runtimes {inline(', '.join(checklist.agents))}" if checklist.agents else "no runtimes"
    lines = [
        f"# Production readiness of {inline(checklist.agent)}",
        "",
        f"{code(checklist.project_path)} ({checklist.layout}; {runtimes}): {counts(checklist.summary)}.",
        "",
    ]
    for error in checklist.fact_errors:
        where = error.location.display() if error.location.path or error.location.arn else error.source
        lines.append(f"- could not read {code(where)}: {prose(error.message)}")
    if checklist.fact_errors:
        lines.append("")
    return lines


def render_markdown(checklists: list[FilledChecklist]) -> str:
    """The whole document: per project a heading, what to fix first, the checklist and the reasons."""
    parts: list[str] = []
    for checklist in checklists:
        lines = [*render_heading(checklist), *render_fix_first(checklist), *render_checklist(checklist)]
        parts.append("\n".join(lines).rstrip() + "\n")
    return "\n".join(parts)


def item_codes(metas: dict[str, RuleMeta]) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    for code_, meta in metas.items():
        for key in meta.checklist:
            mapping.setdefault(key, []).append(code_)
    return mapping


def checklist_for_report(report: Report, with_fixes: bool = True) -> ChecklistResult:
    """The filled-in checklist of every project in ``report``, as data and as markdown."""
    from agentcore_readiness.checks.registry import load_rules

    registry = load_rules()
    metas = {code_: rule.meta for code_, rule in registry.items() if rule.in_review}
    codes = item_codes(metas)
    filled = [fill(project, metas, codes, with_fixes) for project in report.projects]
    return ChecklistResult(checklists=filled, markdown=render_markdown(filled))

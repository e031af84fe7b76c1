"""The skill's "Production Readiness Checklist for <AgentName>", filled in from a report.

Each item is ``[x]`` (every rule behind it passed), ``[ ]`` (a rule failed or warned;
the findings and their fixes follow), ``[-]`` (not applicable to this project) or
``[?]`` (not decided: a rule was skipped, could not read its input, or the item is a
manual attestation; the reason follows, with the places of the project map to read). Rules that feed no item of the skill's
template are listed after it, under "Also checked".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.checklist import CHECKLIST, ChecklistItem
from agentcore_readiness.model import Finding, LookAt, ProjectReport, Report, RuleMeta, RuleResult
from agentcore_readiness.textsafe import excerpt

Mark = Literal["x", " ", "-", "?"]


class _M(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemRule(_M):
    rule: str
    status: str
    reason: str | None = None


class FilledItem(_M):
    key: str
    text: str
    mark: Mark
    rules: list[ItemRule]
    findings: list[Finding] = Field(default_factory=list)
    note: str | None = None
    look_at: list[LookAt] = Field(
        default_factory=list, description="For a [?] item: the places of the project map a reviewer must read"
    )


class FilledSection(_M):
    title: str
    items: list[FilledItem]


class FilledChecklist(_M):
    agent: str
    project_path: str
    sections: list[FilledSection]
    also_checked: list[ItemRule] = Field(default_factory=list)
    also_findings: list[Finding] = Field(default_factory=list)


class ChecklistResult(_M):
    checklists: list[FilledChecklist]
    markdown: str


def _mark(results: list[RuleResult]) -> Mark:
    statuses = {r.status for r in results}
    if statuses & {"fail", "warn"}:
        return " "
    if not results or statuses & {"unknown", "skipped", "error"}:
        return "?"
    if statuses == {"not_applicable"}:
        return "-"
    return "x"


def _item_note(
    item: ChecklistItem, mark: Mark, results: list[RuleResult], missing: list[str], metas: dict[str, RuleMeta]
) -> str | None:
    reasons = [f"{r.rule}: {r.reason}" for r in results if r.status in ("unknown", "skipped", "error") and r.reason]
    if missing:
        reasons.append(
            "not checked in this review: " + ", ".join(f"{code} ({_needs(metas.get(code))})" for code in missing)
        )
    if mark == "-":
        return "; ".join(dict.fromkeys(r.reason for r in results if r.reason)) or "not applicable"
    if not results and item.manual_note:
        return "manual: " + item.manual_note
    if not results and not missing:
        return "no rule of this version decides this item; review it by hand"
    if mark == "?" and item.manual_note and not reasons:
        return "manual: " + item.manual_note
    return "; ".join(reasons) or None


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


def fill(project: ProjectReport, metas: dict[str, RuleMeta], all_codes: dict[str, list[str]]) -> FilledChecklist:
    """Fill the checklist for one project. ``all_codes`` maps item keys to the codes of
    every registered rule feeding that item (run or not).
    """
    by_rule = {r.rule: r for r in project.results}
    placed: set[str] = set()
    sections: list[FilledSection] = []
    for section in CHECKLIST:
        items: list[FilledItem] = []
        for item in section.items:
            codes = all_codes.get(item.key, [])
            results = [by_rule[c] for c in codes if c in by_rule]
            missing = [c for c in codes if c not in by_rule]
            placed.update(codes)
            mark = _mark(results)
            if mark == "x" and missing:
                mark = "?"
            findings = [f for r in results for f in r.findings if f.level in ("fail", "warn")]
            note = _item_note(item, mark, results, missing, metas)
            places = project.look_at.get(item.key, []) if mark == "?" else []
            items.append(
                FilledItem(
                    key=item.key,
                    text=item.text,
                    mark=mark,
                    rules=[ItemRule(rule=r.rule, status=r.status, reason=r.reason) for r in results],
                    findings=findings,
                    note=note,
                    look_at=places,
                )
            )
        sections.append(FilledSection(title=section.title, items=items))
    also = [by_rule[c] for c in by_rule if c not in placed]
    return FilledChecklist(
        agent=project.name,
        project_path=project.path,
        sections=sections,
        also_checked=[ItemRule(rule=r.rule, status=r.status, reason=r.reason) for r in also],
        also_findings=[f for r in also for f in r.findings if f.level in ("fail", "warn")],
    )


def render_markdown(checklists: list[FilledChecklist]) -> str:
    parts: list[str] = []
    for checklist in checklists:
        lines = [f"Production Readiness Checklist for {checklist.agent}", ""]
        for section in checklist.sections:
            lines.append(section.title)
            for item in section.items:
                lines.append(f"[{item.mark}] {item.text}")
                lines.extend(_detail_lines(item.findings, item.note, item.mark))
                if item.look_at:
                    lines.append("    - read: " + excerpt("; ".join(p.display() for p in item.look_at), 800))
            lines.append("")
        if checklist.also_checked:
            lines.append("Also checked")
            for result in checklist.also_checked:
                mark = _mark([RuleResult(rule=result.rule, status=result.status)])  # type: ignore[arg-type]
                lines.append(
                    f"[{mark}] {result.rule} {result.status}" + (f": {result.reason}" if result.reason else "")
                )
                lines.extend(_detail_lines([f for f in checklist.also_findings if f.rule == result.rule], None, mark))
            lines.append("")
        parts.append("\n".join(lines).rstrip() + "\n")
    return "\n".join(parts)


def _detail_lines(findings: list[Finding], note: str | None, mark: Mark) -> list[str]:
    lines: list[str] = []
    for finding in findings:
        level = "FAIL" if finding.level == "fail" else "WARN"
        lines.append(
            f"    - {level} {finding.rule} ({finding.severity}) {excerpt(finding.message, 400)} "
            f"— {finding.location.display()}"
        )
        if finding.fix:
            lines.append(f"      Fix: {excerpt(finding.fix.summary, 600)}")
            for command in finding.fix.commands:
                lines.append(f"        $ {excerpt(command, 400)}")
    if note and (mark in ("?", "-") or not findings):
        lines.append(f"    - {excerpt(note, 600)}")
    return lines


def item_codes(metas: dict[str, RuleMeta]) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    for code, meta in metas.items():
        for key in meta.checklist:
            mapping.setdefault(key, []).append(code)
    return mapping


def checklist_for_report(report: Report) -> ChecklistResult:
    from agentcore_readiness.checks.registry import load_rules

    registry = load_rules()
    metas = {code: rule.meta for code, rule in registry.items() if rule.in_review}
    codes = item_codes(metas)
    filled = [fill(project, metas, codes) for project in report.projects]
    return ChecklistResult(checklists=filled, markdown=render_markdown(filled))

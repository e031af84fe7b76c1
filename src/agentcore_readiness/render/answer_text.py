"""A review tool's answer as concise markdown, the text a model reads.

The summary view lists the findings most severe first, each on one numbered line with its
location and fix, then one line per distinct reason a rule did not decide, and says how to
get what was left out. The full view adds every rule's status and each finding's evidence,
commands, JSON Patch and policy. Everything taken from the project goes through
:mod:`agentcore_readiness.render.md`, so it cannot change the document's structure.
"""

from __future__ import annotations

import json
from typing import Any

from agentcore_readiness.model import Finding, Summary
from agentcore_readiness.render.md import code, fenced, inline, prose
from agentcore_readiness.tools.answer_shape import ListedFinding, ProjectView, ReasonLine, ReviewResult, listed

STATUS_WORDS = (
    ("fail", "fail"),
    ("warn", "warn"),
    ("pass_", "pass"),
    ("not_applicable", "not applicable"),
    ("skipped", "skipped"),
    ("unknown", "unknown"),
    ("error", "error"),
)


def counts(summary: Summary) -> str:
    """``13 fail, 17 warn, 20 pass, ...; 32 findings`` (zero counts left out)."""
    parts = [f"{getattr(summary, field)} {word}" for field, word in STATUS_WORDS if getattr(summary, field)]
    text = ", ".join(parts) or "no rules ran"
    if summary.suppressed:
        text += f"; {summary.suppressed} finding(s) suppressed in code"
    return text


def project_heading(project: ProjectView, level: str = "##") -> list[str]:
    agents = ", ".join(project.agents)
    runtimes = f"; runtimes {inline(agents)}" if agents else "; no runtimes"
    lines = [
        f"{level} {inline(project.name)} ({project.layout}{runtimes})",
        "",
        f"{code(project.path)}: {counts(project.summary)}.",
    ]
    for error in project.fact_errors:
        where = error.location.display() if error.location.path or error.location.arn else error.source
        lines.append(f"- could not read {code(where)}: {prose(error.message)}")
    return lines


def location(finding: ListedFinding | Finding, pointer: bool = True) -> str:
    where = finding.location
    if not (where.path or where.arn):
        return "project"
    return code(where.display() if pointer else where.model_copy(update={"pointer": None}).display())


def finding_line(number: int, finding: ListedFinding, pointer: bool = True, project: str | None = None) -> list[str]:
    """One numbered list item: severity, rule, location (``pointer``: with the JSON pointer; in
    ``project`` when several were reviewed) and message; the fix, its code and its commands as sub-items."""
    where = location(finding, pointer)
    project = f"{code(project)} " if project else ""
    head = f"{number}. **{finding.severity}** {finding.level} {finding.rule} {project}{where}: {prose(finding.message)}"
    indent = " " * len(f"{number}. ")
    lines = [head]
    if finding.fix:
        lines.append(f"{indent}- Fix: {prose(finding.fix)}")
    if finding.fix_code:
        lines.extend(f"{indent}  {row}" if row else "" for row in fenced(finding.fix_code).splitlines())
    lines.extend(f"{indent}- {code(command)}" for command in finding.commands)
    return lines


def _reason_lines(result: ReviewResult) -> list[str]:
    """One line per distinct status and reason, across projects: ``- skipped (IAM004, CMD002): why``,
    with the projects' rules named per project when several share it."""
    grouped: dict[tuple[str, str | None], list[tuple[ProjectView, ReasonLine]]] = {}
    for project in result.projects:
        for line in project.reasons:
            grouped.setdefault((line.status, line.reason), []).append((project, line))
    lines = []
    for (status, reason), uses in grouped.items():
        why = f": {prose(reason)}" if reason else ""
        if len(result.projects) == 1:
            rules = ", ".join(uses[0][1].rules)
        else:
            rules = "; ".join(f"{code(short_path(result, p.path))} {', '.join(line.rules)}" for p, line in uses)
        lines.append(f"- {status.replace('_', ' ')} ({rules}){why}")
    return lines


def short_path(result: ReviewResult, path: str) -> str:
    """A project's path as the answer shows it: relative to the reviewed folder when inside it."""
    prefix = result.target.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def _continuation(result: ReviewResult) -> list[str]:
    page = result.page
    if page is None or page.next_offset is None:
        return []
    rest = page.total - page.next_offset
    return [
        "",
        f"{rest} more finding(s): call again with `offset={page.next_offset}` (same arguments) for the rest.",
    ]


def _not_listed(result: ReviewResult) -> str:
    passed = sum(p.summary.pass_ for p in result.projects)
    not_applicable = sum(p.summary.not_applicable for p in result.projects)
    shown = {line.status for p in result.projects for line in p.reasons}
    counted = ((passed, "pass", "pass"), (not_applicable, "not applicable", "not_applicable"))
    hidden = [f"{n} {word}" for n, word, status in counted if n and status not in shown]
    text = ""
    if hidden:
        text = f'Not listed: {" and ".join(hidden)} (`status=["pass", "not_applicable"]` lists them). '
    return text + '`detail="full"` adds evidence, JSON Patches and policies; `explain_rule` documents a rule.'


def render_summary_view(result: ReviewResult) -> str:
    lines: list[str] = []
    for project in result.projects:
        lines.extend(project_heading(project))
        lines.append("")
    for error in result.errors:
        lines.append(f"- could not read {code(error.source)}: {prose(error.message)}")
    total = result.page.total if result.page else len(result.findings)
    if result.findings:
        first = (result.page.offset if result.page else 0) + 1
        lines.append(f"### Findings {first}–{first + len(result.findings) - 1} of {total}, most severe first")
        lines.append("")
        for number, finding in enumerate(result.findings, start=first):
            label = short_path(result, finding.project) if finding.project else None
            lines.extend(finding_line(number, finding, pointer=False, project=label))
        lines.extend(_continuation(result))
        lines.extend(["", "Changes to the project take effect with `agentcore validate && agentcore deploy`."])
    elif total:
        offset = result.page.offset if result.page else 0
        lines.append(f"{total} finding(s) match; none listed at `offset={offset}` with this `max_findings`.")
    elif any(p.summary.fail or p.summary.warn for p in result.projects):
        lines.append("No fail or warn findings match the filters.")
    else:
        lines.append("No fail or warn findings.")
    reasons = _reason_lines(result)
    if reasons:
        lines.extend(["", "### Rules by status and reason", "", *reasons])
    lines.extend(["", _not_listed(result)])
    return "\n".join(lines).rstrip() + "\n"


def full_finding(number: int, finding: Finding) -> list[str]:
    """A finding with everything: evidence, fix, code, commands, JSON Patch and policy."""
    lines = finding_line(number, listed(finding))
    indent = " " * len(f"{number}. ")
    if finding.evidence:
        lines.insert(1, f"{indent}- Evidence: {prose(finding.evidence)}")
    fix = finding.fix
    if fix is not None and fix.patch:
        target = f" to {code(fix.patch_file)}" if fix.patch_file else ""
        lines.append(f"{indent}- JSON Patch{target}:")
        lines.extend(f"{indent}  {row}" for row in fenced(_json(fix.patch), "json").splitlines())
    if fix is not None and fix.policy:
        lines.append(f"{indent}- Policy:")
        lines.extend(f"{indent}  {row}" for row in fenced(_json(fix.policy), "json").splitlines())
    return lines


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_full_view(result: ReviewResult) -> str:
    lines: list[str] = []
    for project in result.projects:
        lines.extend(project_heading(project))
        lines.append("")
        number = 0
        for rule in project.results:
            reason = f": {prose(rule.reason)}" if rule.reason else ""
            suppressed = f" ({rule.suppressed} suppressed in code)" if rule.suppressed else ""
            lines.append(f"- {rule.rule} {rule.status.replace('_', ' ')}{suppressed}{reason}")
            for finding in rule.findings:
                number += 1
                lines.extend("  " + row if row else row for row in full_finding(number, finding))
        lines.append("")
    for error in result.errors:
        lines.append(f"- could not read {code(error.source)}: {prose(error.message)}")
    return "\n".join(lines).rstrip() + "\n"


def render_review(result: ReviewResult) -> str:
    """The text block of a review tool's answer."""
    return render_full_view(result) if result.detail == "full" else render_summary_view(result)

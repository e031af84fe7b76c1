"""The markdown report of ``agentcore-readiness check``: per project its heading, what its own
configuration changed and which findings were suppressed, what to fix first and the filled-in
checklist; then the baseline's effect and what could not be read outside any project."""

from __future__ import annotations

from agentcore_readiness.model import ProjectReport, Report
from agentcore_readiness.render.filled_checklist import (
    checklist_for_report,
    render_checklist,
    render_fix_first,
    render_heading,
)
from agentcore_readiness.render.md import code, inline, prose
from agentcore_readiness.textsafe import excerpt


def render_summary(report: Report) -> str:
    filled = checklist_for_report(report).checklists
    parts: list[str] = []
    for project, checklist in zip(report.projects, filled, strict=True):
        lines = render_heading(checklist)
        extra = [*_configuration(project), *_suppressed(project)]
        if extra:
            lines.extend([*extra, ""])
        lines.extend([*render_fix_first(checklist), *render_checklist(checklist)])
        parts.append("\n".join(lines).rstrip() + "\n")
    tail: list[str] = []
    if report.baseline is not None:
        tail.append(
            f"Baseline {code(report.baseline.file)}: {report.baseline.suppressed} known finding(s) suppressed, "
            f"{report.baseline.gone} baseline entr(y/ies) no longer found."
        )
    tail.extend(f"- could not read {code(error.source)}: {prose(error.message)}" for error in report.errors)
    tail.append(f"Reviewed with agentcore-readiness {report.version}.")
    parts.append("\n\n".join(tail) + "\n")
    return "\n".join(parts)


def _configuration(project: ProjectReport) -> list[str]:
    """What the project's own configuration changed: a repository cannot switch checks off unseen."""
    use = project.config
    if use is None:
        return []
    lines = []
    if use.rules_off:
        lines.append(f"- {code(use.source)} turns off {len(use.rules_off)} rule(s): {', '.join(use.rules_off)}")
    if use.exclude:
        lines.append(f"- {code(use.source)} leaves out of the code scan: {', '.join(code(e) for e in use.exclude)}")
    if use.unused_accepts:
        lines.append(f"- accept entries that match no finding: {', '.join(inline(a) for a in use.unused_accepts)}")
    return lines


def _suppressed(project: ProjectReport) -> list[str]:
    lines = []
    for result in project.results:
        for finding in result.suppressed_findings:
            suppression = finding.suppression
            if suppression is None:
                continue
            reason = f": {prose(excerpt(suppression.reason, 200))}" if suppression.reason else ""
            lines.append(
                f"- suppressed {finding.rule} {code(finding.location.display())} ({prose(excerpt(finding.message, 160))}) "
                f"by {code(suppression.source)}{reason}"
            )
    return lines

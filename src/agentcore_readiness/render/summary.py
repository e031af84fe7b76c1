"""A short plain-text header for the markdown report: what was reviewed and the counts."""

from __future__ import annotations

from agentcore_readiness.model import ProjectReport, Report
from agentcore_readiness.textsafe import excerpt


def render_summary(report: Report) -> str:
    lines = [f"# agentcore-readiness {report.version}: {len(report.projects)} project(s) reviewed", ""]
    for project in report.projects:
        s = project.summary
        agents = ", ".join(project.agents) or "no runtimes"
        lines.append(f"## {project.name} ({project.layout}) at {project.path}")
        lines.append(f"Runtimes: {agents}")
        lines.append(
            f"Rules: {s.fail} fail, {s.warn} warn, {s.pass_} pass, {s.not_applicable} not applicable, "
            f"{s.skipped} skipped, {s.unknown} unknown, {s.error} error"
            + (f"; {s.suppressed} finding(s) suppressed" if s.suppressed else "")
        )
        for error in project.fact_errors:
            where = error.location.display() if error.location.path else error.source
            lines.append(f"- could not read {where}: {excerpt(error.message, 300)}")
        lines.extend(_configuration(project))
        lines.extend(_suppressed(project))
        lines.append("")
    if report.baseline is not None:
        lines.append(
            f"Baseline {report.baseline.file}: {report.baseline.suppressed} known finding(s) suppressed, "
            f"{report.baseline.gone} baseline entr(y/ies) no longer found"
        )
        lines.append("")
    return "\n".join(lines)


def _configuration(project: ProjectReport) -> list[str]:
    """What the project's own configuration changed: a repository cannot switch checks off unseen."""
    use = project.config
    if use is None:
        return []
    lines = []
    if use.rules_off:
        lines.append(f"- {use.source} turns off {len(use.rules_off)} rule(s): {', '.join(use.rules_off)}")
    if use.exclude:
        lines.append(f"- {use.source} leaves out of the code scan: {', '.join(use.exclude)}")
    if use.unused_accepts:
        lines.append(f"- accept entries that match no finding: {', '.join(use.unused_accepts)}")
    return lines


def _suppressed(project: ProjectReport) -> list[str]:
    lines = []
    for result in project.results:
        for finding in result.suppressed_findings:
            suppression = finding.suppression
            if suppression is None:
                continue
            reason = f": {excerpt(suppression.reason, 200)}" if suppression.reason else ""
            lines.append(
                f"- suppressed {finding.rule} {finding.location.display()} ({excerpt(finding.message, 160)}) "
                f"by {suppression.source}{reason}"
            )
    return lines

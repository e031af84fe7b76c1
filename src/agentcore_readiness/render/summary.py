"""A short plain-text header for the markdown report: what was reviewed and the counts."""

from __future__ import annotations

from agentcore_readiness.model import Report
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
            + (f"; {s.suppressed} finding(s) suppressed in code" if s.suppressed else "")
        )
        for error in project.fact_errors:
            where = error.location.display() if error.location.path else error.source
            lines.append(f"- could not read {where}: {excerpt(error.message, 300)}")
        lines.append("")
    return "\n".join(lines)

"""The markdown report of ``agentcore-readiness check``: per project what to fix first and the
filled-in checklist, then what could not be read outside any project."""

from __future__ import annotations

from agentcore_readiness.model import Report
from agentcore_readiness.render.checklist import checklist_for_report
from agentcore_readiness.render.md import code, prose


def render_summary(report: Report) -> str:
    parts = [checklist_for_report(report).markdown]
    for error in report.errors:
        parts.append(f"- could not read {code(error.source)}: {prose(error.message)}\n")
    parts.append(f"Reviewed with agentcore-readiness {report.version}.\n")
    return "\n".join(parts)

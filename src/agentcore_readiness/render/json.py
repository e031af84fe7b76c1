"""JSON rendering of a report (the output contract of RULES.md)."""

from __future__ import annotations

from agentcore_readiness.model import Report


def render_json(report: Report, indent: int | None = 2) -> str:
    return report.model_dump_json(indent=indent, exclude_none=True)

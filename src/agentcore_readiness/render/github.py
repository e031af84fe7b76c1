"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per
finding, on the file and line relative to the repository root (what the workflow checks out),
so findings show on the pull request's diff without code scanning.
"""

from __future__ import annotations

from agentcore_readiness.model import Finding, ProjectReport, Report

CONFIG_FILES = {"agentcore-cli": "agentcore/agentcore.json", "starter-toolkit": ".bedrock_agentcore.yaml"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(finding: Finding) -> str:
    if finding.level == "fail" and finding.severity in ("critical", "high"):
        return "error"
    if finding.level == "info" or finding.severity in ("low", "info"):
        return "notice"
    return "warning"


def _file(finding: Finding, project: ProjectReport) -> str | None:
    path = finding.location.path or CONFIG_FILES.get(project.layout)
    if path is None:
        return None
    prefix = project.repository_path
    if prefix is None:
        return f"{project.path.rstrip('/')}/{path}"
    return path if prefix in ("", ".") else f"{prefix}/{path}"


def _annotation(finding: Finding, project: ProjectReport) -> str:
    properties = []
    file = _file(finding, project)
    if file is not None:
        properties.append(f"file={_escape_property(file)}")
        line = finding.location.line if finding.location.path else None
        properties.append(f"line={line or 1}")
        if finding.location.path and finding.location.column:
            properties.append(f"col={finding.location.column}")
    properties.append(f"title={_escape_property(f'{finding.rule} ({finding.severity})')}")
    text = finding.message
    if finding.location.arn:
        text += f" [{finding.location.arn}]"
    if finding.fix is not None:
        text += f"\nFix: {finding.fix.summary}"
        if finding.fix.commands:
            text += "\n" + "\n".join(finding.fix.commands)
    return f"::{_command(finding)} {','.join(properties)}::{_escape_data(text)}"


def render_github(report: Report) -> str:
    """Workflow commands for every finding that counts, then a one-line summary per project."""
    lines: list[str] = []
    for project in report.projects:
        for result in project.results:
            lines.extend(_annotation(f, project) for f in result.findings if f.level != "info")
    for project in report.projects:
        s = project.summary
        summary = f"{project.name} ({project.path}): {s.fail} rule(s) fail, {s.warn} warn, {s.pass_} pass"
        if s.suppressed:
            summary += f"; {s.suppressed} finding(s) suppressed"
        if project.config is not None and project.config.rules_off:
            summary += f"; {project.config.source} turns off {', '.join(project.config.rules_off)}"
        lines.append(summary)
    if report.baseline is not None:
        lines.append(
            f"baseline {report.baseline.file}: {report.baseline.suppressed} known finding(s) suppressed, "
            f"{report.baseline.gone} no longer found"
        )
    return "\n".join(lines) + "\n"

"""SARIF 2.1.0 rendering, for GitHub code scanning and other SARIF consumers.

One run for the whole review; file locations are relative to the reviewed target
(``%SRCROOT%``) with the finding's line as the region. Findings located on an AWS
resource carry the ARN as a logical location.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentcore_readiness.model import Finding, Report, RuleMeta

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/agentcore-readiness/agentcore-readiness"

_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def _level(finding: Finding) -> str:
    if finding.level == "info" or finding.severity == "info":
        return "note"
    if finding.level == "fail" and finding.severity in ("critical", "high"):
        return "error"
    if finding.severity == "low":
        return "note"
    return "warning"


def _default_level(meta: RuleMeta) -> str:
    return {"critical": "error", "high": "error", "medium": "warning"}.get(meta.severity, "note")


def _uri(project_path: str, target: str, rel: str) -> str:
    base = Path(target)
    project = Path(project_path)
    try:
        prefix = project.resolve().relative_to(base.resolve() if base.is_dir() else base.resolve().parent)
    except ValueError:
        prefix = Path()
    joined = (prefix / rel).as_posix()
    return joined[2:] if joined.startswith("./") else joined


def render_sarif(report: Report) -> str:
    from agentcore_readiness.checks.registry import load_rules

    registry = load_rules()
    codes = sorted({r.rule for p in report.projects for r in p.results})
    index = {code: i for i, code in enumerate(codes)}
    rules: list[dict[str, Any]] = []
    for code in codes:
        meta = registry[code].meta if code in registry else report.rules[code]
        rules.append(
            {
                "id": code,
                "name": "".join(part.capitalize() for part in meta.name.split("-")),
                "shortDescription": {"text": meta.title},
                "fullDescription": {"text": meta.title},
                "help": {"text": meta.doc or meta.title, "markdown": meta.doc or meta.title},
                "defaultConfiguration": {"level": _default_level(meta)},
                "properties": {
                    "tags": [
                        "security"
                        if meta.family in ("IAM", "Authentication", "Secrets", "Shell access")
                        else "reliability",
                        meta.family,
                    ],
                    "security-severity": _SECURITY_SEVERITY[meta.severity],
                    "precision": "high",
                },
            }
        )
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    target_path = Path(report.target)
    base = target_path.resolve() if target_path.is_dir() else target_path.resolve().parent
    for project in report.projects:
        for result in project.results:
            if result.status == "error":
                notifications.append(
                    {
                        "level": "error",
                        "message": {"text": f"{result.rule}: {result.reason}"},
                        "descriptor": {"id": result.rule},
                    }
                )
            for finding in result.findings:
                if finding.level == "info":
                    continue
                entry: dict[str, Any] = {
                    "ruleId": finding.rule,
                    "ruleIndex": index[finding.rule],
                    "level": _level(finding),
                    "message": {"text": _message(finding, project.name)},
                    "partialFingerprints": {
                        "agentcoreReadiness/v1": f"{finding.rule}:{project.name}:{finding.subject or ''}:"
                        f"{finding.location.pointer or finding.location.arn or finding.location.path or ''}"
                    },
                    "properties": {"project": project.name, "severity": finding.severity, "status": finding.level},
                }
                if finding.location.path:
                    region: dict[str, Any] = {"startLine": finding.location.line or 1}
                    if finding.location.column:
                        region["startColumn"] = finding.location.column
                    entry["locations"] = [
                        {
                            "physicalLocation": {
                                "artifactLocation": {
                                    "uri": _uri(project.path, report.target, finding.location.path),
                                    "uriBaseId": "SRCROOT",
                                },
                                "region": region,
                            }
                        }
                    ]
                elif finding.location.arn:
                    entry["locations"] = [
                        {"logicalLocations": [{"fullyQualifiedName": finding.location.arn, "kind": "resource"}]}
                    ]
                results.append(entry)
        for error in project.fact_errors:
            notifications.append({"level": "warning", "message": {"text": f"{error.source}: {error.message}"}})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": report.tool,
                "version": report.version,
                "semanticVersion": report.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"SRCROOT": {"uri": base.as_uri() + "/"}},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _message(finding: Finding, project: str) -> str:
    text = f"{finding.message} [{project}]"
    if finding.fix:
        text += f" Fix: {finding.fix.summary}"
        if finding.fix.commands:
            text += " Commands: " + " ; ".join(finding.fix.commands)
    return text

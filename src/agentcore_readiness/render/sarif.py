"""SARIF 2.1.0 rendering, for GitHub code scanning and other SARIF consumers.

One run for the whole review. File locations are relative to the repository root (the git
working tree holding the reviewed paths, else the reviewed directory) through the
``SRCROOT`` base, so the same project gives the same URIs from any working directory.
Findings on an AWS resource carry the ARN as a logical location and the project's config
file as the physical one (code scanning needs a file). Each result has a fingerprint that
survives unrelated edits (:mod:`agentcore_readiness.fingerprints`); suppressed findings are
reported with their ``suppressions``. Only the rules that ran are described, each with a
``helpUri`` to its documentation at this version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from agentcore_readiness import REPOSITORY_URL
from agentcore_readiness.model import Finding, ProjectReport, Report, RuleMeta

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "agentcoreReadiness/v1"
BASE_ID = "SRCROOT"
CONFIG_FILES = {"agentcore-cli": "agentcore/agentcore.json", "starter-toolkit": ".bedrock_agentcore.yaml"}

_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
_SECURITY_FAMILIES = frozenset(
    {"IAM", "Authentication", "Secrets", "Shell access", "Network", "Tool surface", "Preconditions"}
)
_NOT_RUN = frozenset({"skipped", "not_applicable"})


def rule_doc_url(code: str, version: str) -> str:
    """The rule's documentation page at this release (``docs/rules/<CODE>.md`` of the tag)."""
    return f"{REPOSITORY_URL}/blob/v{version}/docs/rules/{code}.md"


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


def _rule(meta: RuleMeta, doc: str, version: str) -> dict[str, Any]:
    return {
        "id": meta.code,
        "name": "".join(part.capitalize() for part in meta.name.split("-")),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.title},
        "helpUri": rule_doc_url(meta.code, version),
        "help": {"text": f"{meta.title}. Documentation: {rule_doc_url(meta.code, version)}", "markdown": doc},
        "defaultConfiguration": {"level": _default_level(meta)},
        "properties": {
            "tags": ["security" if meta.family in _SECURITY_FAMILIES else "reliability", meta.family],
            "security-severity": _SECURITY_SEVERITY[meta.severity],
            "precision": "high",
        },
    }


def _rules_that_ran(report: Report) -> list[str]:
    """Codes of the rules that ran on some project, or have a result, in registry order."""
    codes: set[str] = set()
    for project in report.projects:
        for result in project.results:
            if result.status not in _NOT_RUN or result.findings or result.suppressed_findings:
                codes.add(result.rule)
    order = {code: i for i, code in enumerate(_registry_order(report))}
    return sorted(codes, key=lambda code: (order.get(code, len(order)), code))


def _registry_order(report: Report) -> list[str]:
    from agentcore_readiness.checks.registry import load_rules

    return [*load_rules(), *report.rules]


def _rule_metas(report: Report, codes: list[str], with_results: set[str]) -> list[dict[str, Any]]:
    """Rule descriptors; the full documentation only for rules with results (the others link to it)."""
    from agentcore_readiness.checks.registry import load_rules

    registry = load_rules()
    described = []
    for code in codes:
        meta = registry[code].meta if code in registry else report.rules[code]
        doc = (
            meta.doc
            if code in with_results and meta.doc
            else f"{meta.title}. [Documentation]({rule_doc_url(code, report.version)})"
        )
        described.append(_rule(meta, doc, report.version))
    return described


class _Locator:
    """Repository-relative, percent-encoded URIs for a report's files."""

    def __init__(self, report: Report) -> None:
        self.base = Path(report.repository_root) if report.repository_root else _fallback_base(report)

    def artifact(self, project: ProjectReport, rel_path: str) -> dict[str, Any]:
        prefix = project.repository_path
        if prefix is None:
            absolute = (Path(project.path).resolve() / rel_path).as_uri()
            return {"uri": absolute}
        joined = rel_path if prefix in ("", ".") else f"{prefix}/{rel_path}"
        return {"uri": quote(joined, safe="/"), "uriBaseId": BASE_ID}

    def base_uri(self) -> str:
        return self.base.resolve().as_uri().rstrip("/") + "/"


def _fallback_base(report: Report) -> Path:
    target = Path(report.target)
    return target.resolve() if target.is_dir() else target.resolve().parent


def _locations(finding: Finding, project: ProjectReport, locator: _Locator) -> list[dict[str, Any]]:
    location = finding.location
    logical: list[dict[str, Any]] = []
    if location.arn:
        logical.append({"fullyQualifiedName": location.arn, "kind": "resource"})
    elif finding.subject:
        logical.append({"name": finding.subject, "kind": "resource"})
    path = location.path or CONFIG_FILES.get(project.layout)
    entry: dict[str, Any] = {}
    if path:
        region: dict[str, Any] = {"startLine": (location.line or 1) if location.path else 1}
        if location.path and location.column:
            region["startColumn"] = location.column
        if location.path and location.end_line and location.end_line >= region["startLine"]:
            region["endLine"] = location.end_line
        entry["physicalLocation"] = {"artifactLocation": locator.artifact(project, path), "region": region}
    if logical:
        entry["logicalLocations"] = logical
    return [entry] if entry else []


def _fingerprint(finding: Finding, project: ProjectReport) -> str:
    if finding.fingerprint:
        return finding.fingerprint
    raw = "\x1f".join([finding.rule, project.repository_path or project.path, finding.location.display()])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32] + ":1"


def _result(finding: Finding, project: ProjectReport, index: dict[str, int], locator: _Locator) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _level(finding),
        "message": {"text": _message(finding, project.name)},
        "locations": _locations(finding, project, locator),
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding, project)},
        "properties": {"project": project.name, "severity": finding.severity, "status": finding.level},
    }
    if finding.suppression is not None:
        suppression: dict[str, Any] = {
            "kind": "inSource" if finding.suppression.kind == "in_source" else "external",
            "status": "accepted",
        }
        justification = finding.suppression.reason or ""
        suppression["justification"] = f"{justification} ({finding.suppression.source})".strip()
        entry["suppressions"] = [suppression]
    return entry


def _configuration_notes(project: ProjectReport) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Notifications and rule overrides saying what the project's own configuration switched off."""
    use = project.config
    if use is None:
        return [], []
    parts = []
    if use.rules_off:
        parts.append(f"turns off {len(use.rules_off)} rule(s): {', '.join(use.rules_off)}")
    if use.exclude:
        parts.append(f"excludes {', '.join(use.exclude)} from the code scan")
    if use.accepted:
        parts.append(f"accepts {use.accepted} finding(s)")
    if use.unused_accepts:
        parts.append(f"has accept entries matching nothing: {', '.join(use.unused_accepts)}")
    if not parts:
        return [], []
    note = {
        "level": "warning" if use.rules_off or use.exclude else "note",
        "message": {"text": f"{project.name}: {use.source} " + "; ".join(parts)},
    }
    overrides = [{"descriptor": {"id": code}, "configuration": {"enabled": False}} for code in use.rules_off]
    return [note], overrides


def render_sarif(report: Report) -> str:
    codes = _rules_that_ran(report)
    index = {code: i for i, code in enumerate(codes)}
    locator = _Locator(report)
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    configuration: list[dict[str, Any]] = []
    overrides: list[dict[str, Any]] = []
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
            for finding in [*result.findings, *result.suppressed_findings]:
                if finding.level != "info":
                    results.append(_result(finding, project, index, locator))
        for error in project.fact_errors:
            notifications.append({"level": "warning", "message": {"text": f"{error.source}: {error.message}"}})
        notes, rule_overrides = _configuration_notes(project)
        configuration.extend(notes)
        overrides.extend(rule_overrides)
    if report.baseline is not None:
        baseline = report.baseline
        notifications.append(
            {
                "level": "note",
                "message": {
                    "text": f"baseline {baseline.file}: {baseline.suppressed} finding(s) suppressed, "
                    f"{baseline.gone} entr(y/ies) no longer found"
                },
            }
        )
    invocation: dict[str, Any] = {"executionSuccessful": True, "toolExecutionNotifications": notifications}
    if configuration:
        invocation["toolConfigurationNotifications"] = configuration
    if overrides:
        invocation["ruleConfigurationOverrides"] = overrides
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": report.tool,
                "version": report.version,
                "semanticVersion": report.version,
                "informationUri": REPOSITORY_URL,
                "rules": _rule_metas(report, codes, {r["ruleId"] for r in results}),
            }
        },
        "automationDetails": {"id": automation_id(report)},
        "originalUriBaseIds": {BASE_ID: {"uri": locator.base_uri()}},
        "invocations": [invocation],
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def automation_id(report: Report) -> str:
    """``agentcore-readiness/<reviewed path>/``: the part before the last ``/`` is the code-scanning
    category, so reviews of different projects of one repository do not replace each other."""
    paths = [p.repository_path for p in report.projects if p.repository_path not in (None, "", ".")]
    if len(paths) == len(report.projects) and paths:
        common = _common_prefix([p for p in paths if p is not None])
        if common:
            return f"agentcore-readiness/{common}/"
    return "agentcore-readiness/"


def _common_prefix(paths: list[str]) -> str:
    split = [p.split("/") for p in paths]
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/".join(common)


def _message(finding: Finding, project: str) -> str:
    text = f"{finding.message} [{project}]"
    if finding.fix:
        text += f" Fix: {finding.fix.summary}"
        if finding.fix.commands:
            text += " Commands: " + " ; ".join(finding.fix.commands)
    return text

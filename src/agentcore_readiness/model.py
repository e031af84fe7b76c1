"""The report model: findings, rule results and reports.

These pydantic models are the output schemas of the MCP tools and the shape of the
JSON report. The keys named in the output contract (``projects[].path``,
``results[].rule/status/findings``, ``findings[].rule/severity/message/location``)
are stable.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["critical", "high", "medium", "low", "info"]
Status = Literal["pass", "fail", "warn", "unknown", "skipped", "not_applicable", "error"]
FindingLevel = Literal["fail", "warn", "info"]
Input = Literal["P", "C", "A", "T", "X"]

SEVERITY_ORDER: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
STATUSES: tuple[Status, ...] = ("pass", "fail", "warn", "unknown", "skipped", "not_applicable", "error")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(_Frozen):
    """Where a finding is: a file inside the project (``path`` relative to the project
    root, ``/``-separated, ``line`` 1-based) or an AWS resource (``arn``, ``region``).
    """

    path: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    pointer: str | None = Field(default=None, description="JSON pointer (or YAML path) inside the file")
    arn: str | None = None
    region: str | None = None

    def display(self) -> str:
        if self.path:
            text = self.path
            if self.line:
                text += f":{self.line}"
            if self.pointer:
                text += f" ({self.pointer})"
            return text
        if self.arn:
            return self.arn + (f" [{self.region}]" if self.region and self.region not in self.arn else "")
        return "project"


class FileEdit(_Frozen):
    """Lines to make present in a project file (created when missing), such as an entry of
    ``.gitignore`` or ``.dockerignore``."""

    path: str = Field(description="File relative to the project root, /-separated")
    add_lines: list[str] = Field(description="Lines appended when not already present")


class Fix(_Frozen):
    """What to do about a finding: a summary, exact commands, and where it applies a
    config patch (RFC 6902 JSON Patch operations against ``patch_file``) or a ready
    policy document.
    """

    summary: str
    commands: list[str] = Field(default_factory=list)
    patch: list[dict[str, Any]] | None = None
    patch_file: str | None = None
    policy: dict[str, Any] | None = None
    edits: list[FileEdit] | None = None
    """Line edits to plain-text files (ignore files), applied by ``agentcore-readiness fix``."""


class Suppression(_Frozen):
    """Why a finding does not count: an ignore comment on its line (``in_source``), an
    ``accept`` entry of the project's configuration, or the ``--baseline`` file (``external``).
    Suppressed findings are reported, never hidden."""

    kind: Literal["in_source", "external"]
    source: str = Field(description="Where the suppression is written: a file (and line), or 'baseline FILE'")
    reason: str | None = None


class Finding(_Frozen):
    rule: str
    severity: Severity
    level: FindingLevel = "fail"
    message: str
    location: Location = Field(default_factory=Location)
    evidence: str | None = None
    fix: Fix | None = None
    subject: str | None = Field(default=None, description="The runtime, gateway or resource the finding is about")
    role: str | None = Field(
        default=None, description="For a finding in code: the file's role (runtime code, caller, test, ...)"
    )
    runtimes: list[str] = Field(default_factory=list, description="The runtimes whose code the finding is in")
    fingerprint: str | None = Field(
        default=None,
        description="Stable identity of the finding across runs (rule, file and the located content or "
        "resource name; no line numbers or array indexes): SARIF partialFingerprints and baselines use it",
    )
    suppression: Suppression | None = None


class RuleMeta(_Frozen):
    code: str
    name: str
    severity: Severity
    inputs: list[Input]
    title: str
    family: str
    checklist: list[str] = Field(default_factory=list, description="Checklist items this rule feeds")
    reads: list[str] = Field(
        default_factory=list, description="The code roles the rule reads (runtime, caller, test, ...)"
    )
    doc: str = ""


class RuleResult(_Frozen):
    rule: str
    status: Status
    reason: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    suppressed: int = 0
    suppressed_findings: list[Finding] = Field(
        default_factory=list, description="Findings that do not count, each with its suppression and reason"
    )


class FactError(_Frozen):
    """A project file or AWS fact that could not be read, and where."""

    source: str
    message: str
    location: Location = Field(default_factory=Location)
    fact: str | None = None


class Summary(_Frozen):
    pass_: int = Field(default=0, alias="pass")
    fail: int = 0
    warn: int = 0
    unknown: int = 0
    skipped: int = 0
    not_applicable: int = 0
    error: int = 0
    findings: int = 0
    suppressed: int = 0

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True)


class ConfigUse(_Frozen):
    """What the reviewed project's own ``[tool.agentcore-readiness]`` configuration changed in
    this review, so that a repository cannot switch checks off unseen."""

    source: str = Field(description="The configuration file, relative to the repository root")
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    rules_off: list[str] = Field(default_factory=list, description="Rules its select/ignore left out of the review")
    exclude: list[str] = Field(default_factory=list, description="Paths it leaves out of the code scan")
    accepted: int = Field(default=0, description="Findings its accept entries suppressed")
    unused_accepts: list[str] = Field(default_factory=list, description="Accept entries that matched no finding")


class LookAt(_Frozen):
    """A place of the project a reviewer reads to decide a checklist item no rule decided."""

    path: str
    line: int | None = None
    what: str = ""

    def display(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else self.path
        return f"{place} ({self.what})" if self.what else place


class ProjectReport(_Frozen):
    path: str
    name: str
    layout: Literal["agentcore-cli", "starter-toolkit", "unknown"]
    agents: list[str] = Field(default_factory=list)
    results: list[RuleResult] = Field(default_factory=list)
    fact_errors: list[FactError] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    repository_path: str | None = Field(
        default=None, description="The project root relative to the repository root ('.' when they are the same)"
    )
    config: ConfigUse | None = Field(default=None, description="The project's own configuration, when it had one")
    look_at: dict[str, list[LookAt]] = Field(
        default_factory=dict,
        description="For each checklist item the review left undecided: the places of the project map to read",
    )


class BaselineUse(_Frozen):
    """The ``--baseline`` file's effect: findings it suppressed, and entries no longer found (fixed)."""

    file: str
    suppressed: int = 0
    gone: int = Field(default=0, description="Baseline entries that matched no finding: fixed since, or moved")


class Report(_Frozen):
    tool: str = "agentcore-readiness"
    version: str
    target: str
    projects: list[ProjectReport]
    rules: dict[str, RuleMeta] = Field(default_factory=dict)
    errors: list[FactError] = Field(default_factory=list, description="Errors not tied to one project")
    repository_root: str | None = Field(
        default=None,
        description="The repository holding the reviewed paths (git top level, else the reviewed directory); "
        "SARIF and baseline paths are relative to it",
    )
    baseline: BaselineUse | None = None

    def findings(self) -> list[Finding]:
        return [f for p in self.projects for r in p.results for f in r.findings]


def summarize(results: list[RuleResult]) -> Summary:
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    findings = 0
    suppressed = 0
    for result in results:
        counts[result.status] += 1
        findings += len(result.findings)
        suppressed += result.suppressed
    return Summary.model_validate({**counts, "findings": findings, "suppressed": suppressed})

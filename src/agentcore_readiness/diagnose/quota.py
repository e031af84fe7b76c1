"""The quota diagnosis behind ``diagnose_quota_error``: which AgentCore quota an error is about, what to fix before
asking for more, ticked from the project's own results, and a filled-in increase request.

The error-to-quota table, the maxVms fix order, the pre-request triage and the
justification template are the skill's (``agents-harden`` ``references/limits.md``). An
error the table does not cover is reported as unknown, with the errors it does cover;
nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.engine import InputError
from agentcore_readiness.model import Report, RuleResult
from agentcore_readiness.render.md import code, fenced, prose
from agentcore_readiness.textsafe import excerpt

ERROR_TEXT_MAX = 20_000


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QuotaInfo(_Frozen):
    key: str
    quota: str = Field(description="The quota, as the skill's table names it")
    service_quotas_name: str | None = Field(
        default=None, description="The exact name in the AgentCore limits documentation, where the skill gives it"
    )
    error_shapes: list[str]
    meaning: str
    default: str
    adjustable: bool = True


TriageState = Literal["done", "open", "not_applicable", "manual", "unknown"]


class TriageItem(_Frozen):
    step: int
    text: str
    state: TriageState = Field(
        description="done / open from this project's rule results; manual when only you can tell; "
        "not_applicable or unknown with the reason"
    )
    rules: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)


class JustificationField(_Frozen):
    name: str
    value: str
    known: bool = Field(description="Filled from the project; false means a placeholder to complete")
    source: str | None = None


class QuotaDiagnosis(_Frozen):
    status: Literal["matched", "ambiguous", "unknown"]
    error: str = Field(description="The error text as received (shortened, secrets masked)")
    explanation: str
    quota: QuotaInfo | None = None
    candidates: list[QuotaInfo] = Field(default_factory=list, description="When ambiguous: the quotas it may be")
    known_errors: list[str] = Field(description="Every error shape this tool maps to a quota")
    fix_first: list[TriageItem] = Field(default_factory=list, description="What to fix before asking for more")
    pre_request_triage: list[TriageItem] = Field(default_factory=list)
    justification: str | None = Field(default=None, description="The increase-request text, ready to paste")
    justification_fields: list[JustificationField] = Field(default_factory=list)
    request_steps: list[str] = Field(default_factory=list)
    project: str | None = None
    markdown: str = Field(default="", description="The diagnosis as markdown (the MCP answer's text)")


@dataclass(frozen=True)
class _Step:
    text: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Quota:
    info: QuotaInfo
    steps: tuple[_Step, ...]


QUOTAS: dict[str, _Quota] = {
    "invocation-rate": _Quota(
        QuotaInfo(
            key="invocation-rate",
            quota="Invocation rate",
            service_quotas_name="InvokeAgentRuntime API rate, per agent, per account",
            error_shapes=[
                "ThrottlingException: Rate exceeded",
                "HTTP 429 Too Many Requests on InvokeAgentRuntime or InvokeAgentRuntimeWithWebSocketStream",
            ],
            meaning="Too many invocations per second for one agent endpoint in the account.",
            default="25 TPS per agent, per account, per region",
        ),
        (
            _Step(
                "Add client-side retry with exponential backoff and jitter (throttling spikes are usually transient)",
                ("SESS012",),
            ),
            _Step(
                "Check whether traffic arrives in bursts rather than spread out (100 requests in the same millisecond hit the TPS limit even at a low average)"
            ),
            _Step("If the rate is a real long-term need, request an increase"),
        ),
    ),
    "max-vms": _Quota(
        QuotaInfo(
            key="max-vms",
            quota="Active session workloads per account (maxVms)",
            service_quotas_name="Active session workloads per account",
            error_shapes=["ServiceQuotaExceededException: maxVms limit exceeded"],
            meaning="Too many concurrent microVMs in the account, including sessions whose invocation has finished "
            "but that are not reclaimed yet. CloudWatch's concurrent-sessions metric is not the live VM count: it "
            "can show 50 while 500 VMs are alive.",
            default="1,000 in us-east-1 and us-west-2; 500 in other regions",
        ),
        (
            _Step("Call StopRuntimeSession after each logical request or job completes", ("SESS004",)),
            _Step(
                "Audit session-ID generation: one ID per conversation, batch or user interaction, not per request",
                ("SESS001", "SESS002", "SESS003"),
            ),
            _Step(
                "Lower idleRuntimeSessionTimeout if sessions are short-lived (default 900 s)", ("SESS009", "SESS006")
            ),
            _Step("Only then, if you still hit the limit, request an increase"),
        ),
    ),
    "new-sessions": _Quota(
        QuotaInfo(
            key="new-sessions",
            quota="New sessions created rate",
            error_shapes=["HTTP 429 Too Many Requests when starting new sessions"],
            meaning="Rate of new session creation per endpoint, per account.",
            default="100 TPM for container deployments; 25 TPS for direct code deployments",
        ),
        (
            _Step(
                "Reuse session IDs where possible: fewer new sessions, less pressure on this quota",
                ("SESS001", "SESS002"),
            ),
            _Step("Spread traffic: bursts of new-session requests hit the rate harder than steady traffic"),
        ),
    ),
    "memory": _Quota(
        QuotaInfo(
            key="memory",
            quota="Memory operation rates",
            error_shapes=[
                "ThrottlingException on CreateEvent, RetrieveMemoryRecords, ListEvents and other Memory APIs"
            ],
            meaning="AgentCore Memory rate-limits each operation; CreateEvent is the one usually hit because agents "
            "write more than they read.",
            default="CreateEvent 10 TPS; long-term memory extraction 150,000 tokens per minute per account",
        ),
        (
            _Step("Add client-side retry with exponential backoff", ("RES004",)),
            _Step("Do not write the same content repeatedly (every turn instead of once per fact)", ("RES004",)),
            _Step(
                "For long-term extraction, watch the TokenCount metric in the Bedrock-AgentCore CloudWatch namespace"
            ),
        ),
    ),
    "gateway": _Quota(
        QuotaInfo(
            key="gateway",
            quota="Gateway target count or request rate",
            error_shapes=["ValidationException: Too many targets for gateway", "ThrottlingException on a gateway"],
            meaning="A gateway limits its number of targets, tools per target, and invocation rate.",
            default="100 targets per gateway; 1,000 tools per target",
        ),
        (
            _Step(
                "Consolidate tools: one Lambda with several tool definitions instead of one Lambda per tool", ("GW005",)
            ),
            _Step("Split logically separate tool groups into several gateways"),
        ),
    ),
    "builtin-tools": _Quota(
        QuotaInfo(
            key="builtin-tools",
            quota="Built-in tool sessions (Code Interpreter / Browser)",
            error_shapes=["ServiceQuotaExceededException naming Code Interpreter or Browser sessions"],
            meaning="Concurrent session limits of the built-in tools.",
            default="see the AgentCore limits documentation for Code Interpreter and Browser sessions",
        ),
        (
            _Step("Terminate sessions explicitly when work completes (stop, or the context manager)", ("RES007",)),
            _Step(
                "Check for orphaned sessions from earlier runs still counted (ListCodeInterpreterSessions / ListBrowserSessions, status READY)"
            ),
        ),
    ),
}

KNOWN_ERRORS: list[str] = [f"{shape} → {q.info.quota}" for q in QUOTAS.values() for shape in q.info.error_shapes]

_PRE_REQUEST: tuple[_Step, ...] = (
    _Step("Is the error really a quota error? (the exception class and code, not any Exception)"),
    _Step("Client-side retry with exponential backoff present for transient throttling?", ("SESS012",)),
    _Step("For maxVms: is StopRuntimeSession called after each invocation?", ("SESS004",)),
    _Step("For maxVms: are session IDs reused across related requests?", ("SESS001", "SESS002")),
    _Step("For maxVms: is idleRuntimeSessionTimeout set appropriately for the workload?", ("SESS009", "SESS006")),
    _Step("For memory writes: batching where possible, and no duplicate writes?", ("RES004",)),
    _Step("Is traffic bursty? Can the caller smooth it out?"),
    _Step("Is the quota really the problem, or is a downstream dependency the bottleneck?"),
)

_MEMORY_APIS = re.compile(
    r"createevent|retrievememoryrecords|listevents|getevent|listmemoryrecords|batchcreatememoryrecords|"
    r"deleteevent|getmemoryrecord|listsessions|create_event|retrieve_memor|list_events|\bmemory\b"
)


def match_error(text: str) -> tuple[Literal["matched", "ambiguous", "unknown"], list[str], str]:
    """(status, quota keys, why) for an error text, by the skill's table."""
    lowered = text.lower()
    quota_exceeded = "servicequotaexceeded" in lowered or "service quota exceeded" in lowered
    throttled = "throttlingexception" in lowered or "throttl" in lowered
    rate_exceeded = "rate exceeded" in lowered
    too_many = bool(re.search(r"\b429\b", lowered)) or "too many requests" in lowered
    if "maxvms" in lowered:
        return "matched", ["max-vms"], "the error names maxVms"
    if quota_exceeded and re.search(r"code ?interpreter|browser", lowered):
        return "matched", ["builtin-tools"], "ServiceQuotaExceededException naming Code Interpreter or Browser"
    if "too many targets" in lowered:
        return "matched", ["gateway"], "ValidationException: Too many targets for gateway"
    if (throttled or too_many or rate_exceeded) and _MEMORY_APIS.search(lowered):
        return "matched", ["memory"], "throttling on a Memory API"
    if (throttled or too_many) and "gateway" in lowered:
        return "matched", ["gateway"], "throttling on a gateway"
    if (throttled or too_many or rate_exceeded) and re.search(r"new session|session creation|create.?session", lowered):
        return "matched", ["new-sessions"], "a rate limit when starting new sessions"
    if (throttled or too_many or rate_exceeded) and "invokeagentruntime" in lowered:
        return "matched", ["invocation-rate"], "throttling on InvokeAgentRuntime"
    if throttled and rate_exceeded:
        return "matched", ["invocation-rate"], "ThrottlingException: Rate exceeded"
    if quota_exceeded:
        return (
            "ambiguous",
            ["max-vms", "builtin-tools"],
            "ServiceQuotaExceededException without the quota it is about: maxVms for runtimes, or the built-in "
            "tools' session limits",
        )
    if too_many or rate_exceeded:
        return (
            "ambiguous",
            ["invocation-rate", "new-sessions"],
            "an HTTP 429 without the operation: the invocation rate of an agent, or the rate of new sessions "
            "(first request on a new session ID)",
        )
    if throttled:
        return (
            "ambiguous",
            ["invocation-rate", "memory", "gateway"],
            "a ThrottlingException without the operation: InvokeAgentRuntime, a Memory API or a gateway",
        )
    return "unknown", [], "it matches none of the known AgentCore quota errors"


def _state(results: dict[str, RuleResult], codes: Sequence[str]) -> tuple[TriageState, list[str], list[str]]:
    """Tick a step from the project's results for ``codes`` (those the review ran)."""
    present = [results[c] for c in codes if c in results]
    # SESS009 only speaks with a workload; without one, SESS006 answers for the idle timeout
    if any(r.rule == "SESS009" and r.status != "not_applicable" for r in present):
        present = [r for r in present if r.rule != "SESS006"]
    elif any(r.rule == "SESS006" for r in present):
        present = [r for r in present if r.rule != "SESS009"]
    rules = [r.rule for r in present]
    if not present:
        return "manual", [], []
    open_results = [r for r in present if r.status in ("fail", "warn")]
    if open_results:
        evidence = [
            f"{f.rule} {f.level}: {f.location.display()}: {excerpt(f.message, 300)}"
            for r in open_results
            for f in r.findings[:5]
        ]
        return "open", rules, evidence
    evidence = [f"{r.rule} {r.status}" + (f": {excerpt(r.reason, 160)}" if r.reason else "") for r in present]
    if any(r.status in ("unknown", "skipped", "error") for r in present):
        return "unknown", rules, evidence
    if all(r.status == "not_applicable" for r in present):
        return "not_applicable", rules, evidence
    return "done", rules, evidence


def _items(steps: Sequence[_Step], results: dict[str, RuleResult] | None) -> list[TriageItem]:
    items: list[TriageItem] = []
    for number, step in enumerate(steps, start=1):
        if results is None or not step.rules:
            items.append(TriageItem(step=number, text=step.text, state="manual", rules=list(step.rules)))
            continue
        state, rules, evidence = _state(results, step.rules)
        items.append(
            TriageItem(step=number, text=step.text, state=state, rules=rules or list(step.rules), evidence=evidence)
        )
    return items


_ARN = re.compile(r"^arn:aws[a-z-]*:bedrock-agentcore:([a-z0-9-]+):(\d{12}):runtime/(.+)$")


def _justification(quota: _Quota, project: object | None) -> tuple[str, list[JustificationField]]:
    details = _project_details(project) if project is not None else _ProjectDetails()
    fields = _justification_fields(quota, details)
    return _justification_text({f.name: f.value for f in fields}), fields


@dataclass
class _ProjectDetails:
    """What the project tells about its deployment, for the increase request."""

    accounts: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    runtimes: list[str] = field(default_factory=list)
    """Deployed runtime ARNs, else IDs."""
    undeployed: list[str] = field(default_factory=list)
    hint_parts: list[str] = field(default_factory=list)
    """One short description per runtime, for the use case."""


def _project_details(project: object) -> _ProjectDetails:
    from agentcore_readiness.facts.project.project_facts import ProjectFacts

    assert isinstance(project, ProjectFacts)
    details = _ProjectDetails()
    for target in project.aws_targets:
        if isinstance(target.get("account"), str):
            details.accounts.append(target["account"])
        if isinstance(target.get("region"), str):
            details.regions.append(target["region"])
    for runtime in project.runtimes:
        if runtime.account:
            details.accounts.append(runtime.account)
        if runtime.region:
            details.regions.append(runtime.region)
        arn = runtime.deployed_arn
        if arn:
            details.runtimes.append(arn)
            match = _ARN.match(arn)
            if match:
                details.regions.append(match.group(1))
                details.accounts.append(match.group(2))
        elif runtime.deployed_id:
            details.runtimes.append(runtime.deployed_id)
        else:
            details.undeployed.append(runtime.name)
        details.hint_parts.append(
            f"{runtime.name} ({runtime.protocol or 'HTTP'}, {runtime.build or 'CodeZip'}"
            + (
                f", idle timeout {runtime.idle_timeout} s"
                if runtime.idle_timeout is not None
                else ", default idle timeout 900 s"
            )
            + ")"
        )
    return details


def _unique(values: list[str]) -> str:
    return ", ".join(dict.fromkeys(values))


def _justification_fields(quota: _Quota, details: _ProjectDetails) -> list[JustificationField]:
    accounts, regions, runtimes = details.accounts, details.regions, details.runtimes
    undeployed, hint_parts = details.undeployed, details.hint_parts
    info = quota.info
    quota_name = info.service_quotas_name or info.quota
    return [
        JustificationField(
            name="Account ID",
            value=_unique(accounts) or "<12-digit account>",
            known=bool(accounts),
            source="agentcore/aws-targets.json, deployed runtime ARNs" if accounts else None,
        ),
        JustificationField(
            name="Region(s)",
            value=_unique(regions) or "<comma-separated>",
            known=bool(regions),
            source="agentcore/aws-targets.json, deployed runtime ARNs" if regions else None,
        ),
        JustificationField(
            name="Quota name",
            value=quota_name,
            known=info.service_quotas_name is not None,
            source="the skill's limits reference"
            if info.service_quotas_name
            else "confirm the exact name in the Service Quotas console",
        ),
        JustificationField(
            name="Current value",
            value=f"<N> (default: {info.default}; read your applied value in the Service Quotas console)",
            known=False,
        ),
        JustificationField(name="Requested value", value="<N>", known=False),
        JustificationField(
            name="Agent Runtime ID(s)",
            value=_unique(runtimes)
            or ("<agentRuntimeId or ARN>" + (f" (not deployed yet: {', '.join(undeployed)})" if undeployed else "")),
            known=bool(runtimes),
            source="agentcore/.cli/deployed-state.json" if runtimes else None,
        ),
        JustificationField(
            name="Use case",
            value="<1-3 sentences: what the agent does and the traffic pattern (sustained or bursty)>"
            + (f" [agents: {'; '.join(hint_parts)}]" if hint_parts else ""),
            known=False,
        ),
        JustificationField(
            name="Expected peak", value="<a specific number: peak TPS, concurrent sessions, …>", known=False
        ),
        JustificationField(
            name="Business impact if not raised",
            value="<what happens to the workload at the current limit>",
            known=False,
        ),
        JustificationField(name="Need-by date", value="<date>", known=False),
    ]


def _justification_text(by_name: dict[str, str]) -> str:
    """The increase request as the skill's template lays it out."""
    return (
        f"Account ID: {by_name['Account ID']}\n"
        f"Region(s): {by_name['Region(s)']}\n"
        f"Quota name: {by_name['Quota name']}\n"
        f"Current value: {by_name['Current value']}\n"
        f"Requested value: {by_name['Requested value']}\n"
        f"Agent Runtime ID(s): {by_name['Agent Runtime ID(s)']}\n"
        "\n"
        "Use case:\n"
        f"  {by_name['Use case']}\n"
        "\n"
        "Expected peak:\n"
        f"  {by_name['Expected peak']}\n"
        "\n"
        "Business impact if not raised:\n"
        f"  {by_name['Business impact if not raised']}\n"
        "\n"
        f"Need-by date: {by_name['Need-by date']}\n"
    )


def _request_steps(region: str | None) -> list[str]:
    where = region or "<REGION>"
    return [
        "Service Quotas console (the default path): https://console.aws.amazon.com/servicequotas/home in the region "
        f"{where} → AWS services → Amazon Bedrock AgentCore → select the quota (check the Adjustable column) → "
        "Request increase at account level → enter the new value → Request; follow it under Request history.",
        "CLI: find the service code first (do not hard-code it): aws service-quotas list-services --region "
        f"{where} --query \"Services[?contains(ServiceName, 'AgentCore') || contains(ServiceCode, 'agentcore')]\"",
        f"aws service-quotas list-service-quotas --service-code <SERVICE_CODE> --region {where}",
        "aws service-quotas request-service-quota-increase --service-code <SERVICE_CODE> --quota-code <QUOTA_CODE> "
        f"--desired-value <NEW_VALUE> --region {where}",
        "The requester needs ServiceQuotasFullAccess (or equivalent) and iam:CreateServiceLinkedRole.",
        "Only if the quota is not in the console for the region: AWS Support Center → Create case → Service quotas, "
        "with the justification below in the description.",
    ]


_MARK = {"done": "[x]", "open": "[ ]", "not_applicable": "[-]", "manual": "[ ]", "unknown": "[?]"}


def _step_markdown(step: str) -> str:
    """A request step as markdown: its command whole in one code span, the words around it as prose."""
    head, sep, command = step.partition(": aws ")
    if step.startswith("aws "):
        return code(step)
    if sep:
        return f"{prose(head)}: {code('aws ' + command)}"
    return prose(step)


def _render(diagnosis: dict[str, object]) -> str:
    lines: list[str] = []
    status = diagnosis["status"]
    quota = diagnosis.get("quota")
    lines.append("# Quota diagnosis")
    lines.append("")
    lines.append(f"Error: {code(str(diagnosis['error']))}")
    lines.append("")
    if isinstance(quota, QuotaInfo):
        lines.append(f"**Quota: {quota.quota}** (default {quota.default}; adjustable). {quota.meaning}")
    else:
        lines.append(
            f"**{'Ambiguous' if status == 'ambiguous' else 'Unknown error'}:** {prose(str(diagnosis['explanation']))}"
        )
        candidates = diagnosis.get("candidates") or []
        if isinstance(candidates, list) and candidates:
            lines.append("")
            lines.append("It may be one of:")
            lines.extend(f"- {c.quota}: {'; '.join(c.error_shapes)}" for c in candidates if isinstance(c, QuotaInfo))
        if status == "unknown":
            lines.append("")
            lines.append("The errors this tool maps to a quota:")
            known = diagnosis.get("known_errors") or []
            if isinstance(known, list):
                lines.extend(f"- {k}" for k in known)
    for title, key in (("Fix these first", "fix_first"), ("Before you request: quick triage", "pre_request_triage")):
        items = diagnosis.get(key) or []
        if not isinstance(items, list) or not items:
            continue
        lines.append("")
        lines.append(f"## {title}")
        for item in items:
            if not isinstance(item, TriageItem):
                continue
            suffix = f" ({', '.join(item.rules)}: {item.state})" if item.rules else f" ({item.state})"
            lines.append(f"{item.step}. {_MARK[item.state]} {item.text}{suffix}")
            indent = " " * len(f"{item.step}. ")
            lines.extend(f"{indent}- {prose(e)}" for e in item.evidence[:5])
    justification = diagnosis.get("justification")
    if isinstance(justification, str):
        lines.append("")
        lines.append("## Increase request")
        steps = diagnosis.get("request_steps") or []
        if isinstance(steps, list):
            lines.extend(f"- {_step_markdown(str(s))}" for s in steps)
        lines.append("")
        lines.append(fenced(justification))
    return "\n".join(lines) + "\n"


def _review(path: str) -> tuple[Report, object]:
    from agentcore_readiness.checks.registry import tool_rules
    from agentcore_readiness.engine import ReviewRequest, resolve_target, review
    from agentcore_readiness.facts.project.project_facts import load_project

    report = review(ReviewRequest(target=path, select=tool_rules("diagnose_quota_error")))
    if len(report.projects) != 1:
        raise InputError(
            f"{path}: holds {len(report.projects)} projects; give the one the error comes from "
            f"({', '.join(p.path for p in report.projects[:5])})"
        )
    root, display = resolve_target(path)[0]
    return report, load_project(root, display)


def diagnose(error_text: str, path: str | None = None) -> QuotaDiagnosis:
    text = error_text.strip()
    if not text:
        raise InputError("error_text is empty: paste the error message (exception class and text)")
    text = text[:ERROR_TEXT_MAX]
    status, keys, why = match_error(text)
    results: dict[str, RuleResult] | None = None
    project: object | None = None
    project_path: str | None = None
    if path is not None:
        report, project = _review(path)
        results = {r.rule: r for r in report.projects[0].results}
        project_path = report.projects[0].path
    shown = excerpt(" ".join(text.split()), 300)
    quota = QUOTAS[keys[0]] if status == "matched" else None
    candidates = [QUOTAS[k].info for k in keys] if status == "ambiguous" else []
    pre_request: list[TriageItem] = []
    if status != "unknown":
        pre_request = _items(_PRE_REQUEST, results)
        pre_request[0] = pre_request[0].model_copy(update={"state": "done", "evidence": [f"recognised: {why}"]})
    justification: str | None = None
    fields: list[JustificationField] = []
    steps: list[str] = []
    fix_first: list[TriageItem] = []
    if quota is not None:
        fix_first = _items(quota.steps, results)
        justification, fields = _justification(quota, project)
        region = next((f.value for f in fields if f.name == "Region(s)" and f.known), None)
        steps = _request_steps(region.split(", ")[0] if region else None)
        explanation = f"{why}: this is the {quota.info.quota} quota"
    elif status == "ambiguous":
        explanation = f"{why}; give the operation that failed (or the full error) to tell them apart"
    else:
        explanation = (
            f"{why}; this tool does not guess. If it is an AgentCore error, include the exception class and the "
            "operation that failed"
        )
    data: dict[str, object] = {
        "status": status,
        "error": shown,
        "explanation": explanation,
        "quota": quota.info if quota else None,
        "candidates": candidates,
        "known_errors": KNOWN_ERRORS,
        "fix_first": fix_first,
        "pre_request_triage": pre_request,
        "justification": justification,
        "justification_fields": fields,
        "request_steps": steps,
        "project": project_path,
    }
    return QuotaDiagnosis.model_validate({**data, "markdown": _render(data)})

"""Sessions: lifecycle settings, how callers make and stop sessions, and background work
inside the agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcore_readiness.checks.fixes import config_edit, runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.checks.sessionflow import (
    CALLER_ROLES,
    DEFAULT_RETRIES,
    SESSION_ID_MIN,
    STOP,
    async_tasks,
    background_work,
    client_retries,
    client_service,
    invokes,
    session_headers,
    session_literals,
    session_origins,
    stream_gaps,
)
from agentcore_readiness.facts.aws.model import DeployedView, deployed_runtimes
from agentcore_readiness.facts.code.callflow import Target, code_map
from agentcore_readiness.facts.project.project_facts import TOOLKIT_CONFIG, Runtime
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CallSite, CodeIndex, FunctionInfo, PyFile, StringLiteral

DEFAULT_IDLE = 900
DEFAULT_MAX_LIFETIME = 28_800
CLI_MIN, CLI_MAX = 60, 28_800
API_MIN, API_MAX = 60, 1_209_600


@rule(
    "SESS006",
    "idle-timeout-default",
    "low",
    ("P", "A"),
    "idleRuntimeSessionTimeout left at the default",
    family="Sessions",
    checklist=("perf.idle",),
    aws=("runtimes",),
    tools=("audit_sessions", "diagnose_quota_error"),
)
def idle_timeout_default(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each runtime that leaves `lifecycleConfiguration.idleRuntimeSessionTimeout`
    unset, so the service default of 900 s (15 minutes) applies.

    ### Why is this bad?
    Every session keeps its microVM for the idle timeout after the last request. For a
    request/reply API, 15 idle minutes per session multiply into hundreds of idle VMs,
    `maxVms limit exceeded` errors and cost, long before the traffic justifies it.

    ### Example
    A runtime with no `lifecycleConfiguration`.

    ### Fix
    Set the idle timeout for the workload (interactive chat 600–900 s, request/reply
    60–120 s, batch 120 s, background 120–300 s): `lifecycleConfiguration.idleRuntimeSessionTimeout`
    or `agentcore add agent … --idle-timeout <seconds>`, then deploy.

    ### References
    - agents-harden skill, "Session lifecycle management"
    """
    return _lifecycle_default(facts, out, "idle", "idleRuntimeSessionTimeout", DEFAULT_IDLE, 120)


@rule(
    "SESS007",
    "max-lifetime-default",
    "low",
    ("P", "A"),
    "maxLifetime left at the default",
    family="Sessions",
    checklist=("perf.idle",),
    aws=("runtimes",),
    tools=("audit_sessions", "diagnose_quota_error"),
)
def max_lifetime_default(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each runtime that leaves `lifecycleConfiguration.maxLifetime` unset, so the
    service default of 28,800 s (8 hours) applies.

    ### Why is this bad?
    A session that is never stopped and keeps receiving traffic holds its microVM for up
    to eight hours. Most workloads need far less (an interactive chat 1–2 h, a request/reply
    API 30 min).

    ### Example
    A runtime with `"lifecycleConfiguration": {"idleRuntimeSessionTimeout": 120}` and no `maxLifetime`.

    ### Fix
    Set `lifecycleConfiguration.maxLifetime` for the workload (or
    `agentcore add agent … --max-lifetime <seconds>`), then deploy.

    ### References
    - agents-harden skill, "Session lifecycle management"
    """
    return _lifecycle_default(facts, out, "maxLifetime", "maxLifetime", DEFAULT_MAX_LIFETIME, 3600)


def _lifecycle_default(
    facts: Facts, out: Findings, field: str, name: str, default: int, suggestion: int
) -> Verdict | None:
    runtimes = facts.project.runtimes
    deployed = deployed_runtimes(facts.aws("runtimes"))
    if not runtimes and not deployed.items and not deployed.unknowns:
        return not_applicable("the project defines no runtimes")
    _deployed_lifecycle_default(facts, out, deployed, field, name, default)
    for runtime in runtimes:
        value = runtime.idle_timeout if field == "idle" else runtime.max_lifetime
        if value is None:
            out.warn(
                f"runtime {runtime.name!r} leaves {name} at the default of {default} s",
                runtime.loc("lifecycle"),
                subject=runtime.name,
                fix=runtime_edit(
                    runtime,
                    [(field, suggestion)],
                    f"Tune {name} to the workload ({suggestion} s suits a request/reply API; see the workload table, "
                    "or ask audit_sessions with a workload).",
                ),
            )
        else:
            out.note(f"{runtime.name}: {name} {value} s")
    return _deployed_unknown(out, deployed)


@rule(
    "SESS008",
    "lifecycle-invalid",
    "high",
    ("P", "A"),
    "Session lifecycle values invalid",
    family="Sessions",
    checklist=("perf.idle",),
    aws=("runtimes",),
    tools=("audit_sessions", "diagnose_quota_error"),
)
def lifecycle_invalid(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails when a runtime's `idleRuntimeSessionTimeout` or `maxLifetime` is outside
    60–28,800 s (the CLI's and the starter toolkit's bounds; the API allows up to
    1,209,600 s), or when the idle timeout is longer than the maximum lifetime (an unset
    `maxLifetime` counts as its default, 28,800 s).

    ### Why is this bad?
    The CLI refuses to deploy such a file, and an idle timeout longer than the lifetime
    is meaningless: the session is ended at `maxLifetime` regardless.

    ### Example
    ```json
    "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 7200, "maxLifetime": 3600}
    ```

    ### Fix
    Keep both values within 60–28,800 s and the idle timeout at or below the maximum
    lifetime, then `agentcore validate`.

    ### References
    - AgentCore CLI schema (`lifecycleConfiguration`); `GetAgentRuntime.lifecycleConfiguration`
    """
    runtimes = facts.project.runtimes
    deployed = deployed_runtimes(facts.aws("runtimes"))
    if not runtimes and not deployed.items and not deployed.unknowns:
        return not_applicable("the project defines no runtimes")
    _deployed_lifecycle_invalid(facts, out, deployed)
    for runtime in runtimes:
        problems = lifecycle_problems(runtime)
        for problem in problems:
            out.fail(problem.message, problem.location, subject=runtime.name, fix=problem.fix)
        if not problems and (runtime.idle_timeout is not None or runtime.max_lifetime is not None):
            out.note(f"{runtime.name}: lifecycle values valid")
    if not out.items and not out.notes:
        out.note("no lifecycle values set (defaults apply)")
    return _deployed_unknown(out, deployed)


@dataclass(frozen=True)
class LifecycleProblem:
    message: str
    location: Location
    fix: Fix


def lifecycle_problems(runtime: Runtime) -> list[LifecycleProblem]:
    """A runtime's lifecycle values that its configuration file may not hold: outside 60..28,800 s
    (the CLI's and the starter toolkit's bounds), or an idle timeout longer than the maximum
    lifetime (an unset ``maxLifetime`` is its default, 28,800 s). Each with the edit that fixes both.
    """
    problems: list[tuple[str, str]] = []
    for field, name, value in (
        ("idle", "idleRuntimeSessionTimeout", runtime.idle_timeout),
        ("maxLifetime", "maxLifetime", runtime.max_lifetime),
    ):
        if value is not None and not CLI_MIN <= value <= CLI_MAX:
            problems.append((field, f"{name} {value} s is outside {CLI_MIN}..{CLI_MAX} s"))
    idle = runtime.idle_timeout
    lifetime = runtime.max_lifetime if runtime.max_lifetime is not None else DEFAULT_MAX_LIFETIME
    if idle is not None and idle > lifetime and not problems:
        problems.append(("idle", f"idleRuntimeSessionTimeout {idle} s is longer than maxLifetime {lifetime} s"))
    fixed_max = min(max(runtime.max_lifetime or DEFAULT_MAX_LIFETIME, CLI_MIN), CLI_MAX)
    fixed_idle = min(min(max(idle or DEFAULT_IDLE, CLI_MIN), CLI_MAX), fixed_max)
    fix = runtime_edit(
        runtime,
        [("idle", fixed_idle), ("maxLifetime", fixed_max)],
        f"Bring {runtime.name}'s lifecycle values into range.",
    )
    return [
        LifecycleProblem(f"runtime {runtime.name!r}: {message}", runtime.loc(field), fix) for field, message in problems
    ]


# ---------------------------------------------------------------------------
# Effective lifecycle values of deployed runtimes (GetAgentRuntime.lifecycleConfiguration)


def _deployed_unknown(out: Findings, deployed: DeployedView[Any]) -> Verdict | None:
    if deployed.unknowns and not any(f.level in ("fail", "warn") for f in out.items):
        return unknown("; ".join(deployed.unknowns))
    return None


def _deployed_lifecycle_default(
    facts: Facts, out: Findings, deployed: DeployedView[Any], field: str, name: str, default: int
) -> None:
    declared = {r.name: (r.idle_timeout if field == "idle" else r.max_lifetime) for r in facts.project.runtimes}
    for runtime, config in deployed.items:
        value = config.idle_timeout if field == "idle" else config.max_lifetime
        effective = value if value is not None else default
        if runtime.project_runtime in declared:
            wanted = declared[runtime.project_runtime]
            if wanted is not None and wanted != effective:
                out.warn(
                    f"deployed runtime {runtime.label} runs with {name} {effective} s, the project sets {wanted} s: "
                    "the change is not deployed",
                    runtime.location,
                    subject=runtime.label,
                    fix=Fix(summary="Deploy the project's lifecycle settings.", commands=["agentcore deploy"]),
                )
            continue
        if effective == default:
            out.warn(
                f"deployed runtime {runtime.label} runs with the default {name} of {default} s",
                runtime.location,
                subject=runtime.label,
                fix=Fix(
                    summary=f"Tune {name} to the workload in the project that deploys {runtime.label} "
                    "(lifecycleConfiguration), then deploy.",
                    commands=["agentcore deploy"],
                ),
            )
        else:
            out.note(f"{runtime.label} (deployed): {name} {effective} s")


def _deployed_lifecycle_invalid(facts: Facts, out: Findings, deployed: DeployedView[Any]) -> None:
    declared = {r.name: (r.idle_timeout, r.max_lifetime) for r in facts.project.runtimes}
    for runtime, config in deployed.items:
        idle = config.idle_timeout if config.idle_timeout is not None else DEFAULT_IDLE
        lifetime = config.max_lifetime if config.max_lifetime is not None else DEFAULT_MAX_LIFETIME
        if runtime.project_runtime in declared and declared[runtime.project_runtime] == (
            config.idle_timeout,
            config.max_lifetime,
        ):
            continue  # the project's values are checked above, at their line
        problems = [
            f"{label} {value} s is outside the API's {API_MIN}..{API_MAX} s"
            for label, value in (("idleRuntimeSessionTimeout", idle), ("maxLifetime", lifetime))
            if not API_MIN <= value <= API_MAX
        ]
        if not problems and idle > lifetime:
            problems.append(f"idleRuntimeSessionTimeout {idle} s is longer than maxLifetime {lifetime} s")
        for message in problems:
            out.fail(
                f"deployed runtime {runtime.label}: {message}",
                runtime.location,
                subject=runtime.label,
                fix=Fix(
                    summary="Set valid lifecycle values (idle <= maxLifetime, 60..28,800 s in the CLI) and deploy.",
                    commands=["agentcore deploy"],
                ),
            )
        if not problems:
            out.note(f"{runtime.label} (deployed): idle {idle} s, maxLifetime {lifetime} s")


# ---------------------------------------------------------------------------
# Workload table (SESS009)


@dataclass(frozen=True)
class WorkloadRow:
    title: str
    idle: tuple[int, int]
    max_lifetime: tuple[int, int]
    proposed_idle: int
    proposed_max: int
    max_must_be_set: bool = False
    """Batch: ``maxLifetime`` is "job length + buffer", so only an explicit value can fit."""
    assumption: str | None = None


WORKLOAD_TABLE: dict[str, WorkloadRow] = {
    "interactive": WorkloadRow("Interactive chat / support agent", (600, 900), (3600, 7200), 600, 3600),
    "request-reply": WorkloadRow("Request/reply API with no follow-up", (60, 120), (60, 1800), 120, 1800),
    "batch": WorkloadRow(
        "Batch processing, one session per job",
        (60, 120),
        (CLI_MIN, CLI_MAX),
        120,
        3600,
        max_must_be_set=True,
        assumption="maxLifetime for batch is the job length plus a buffer; 3600 s assumes jobs finish within "
        "about 50 minutes: set it to your longest job plus 10-20 %",
    ),
    "background": WorkloadRow(
        "Background / long-running tasks (add_async_task)", (120, 300), (CLI_MIN, CLI_MAX), 300, CLI_MAX
    ),
}


def _range_text(bounds: tuple[int, int]) -> str:
    low, high = bounds
    if low == high:
        return f"{low} s"
    if low == CLI_MIN and high == CLI_MAX:
        return f"up to {CLI_MAX} s"
    if low == CLI_MIN and high > 2 * CLI_MIN:
        return f"{high} s or less"
    return f"{low}-{high} s"


@dataclass(frozen=True)
class LifecycleProposal:
    """The lifecycle values the skill's table suggests for one runtime and workload."""

    runtime: Runtime
    workload: str
    row: WorkloadRow
    current_idle: int
    current_max: int
    idle_is_default: bool
    max_is_default: bool
    idle_fits: bool
    max_fits: bool
    proposed_idle: int
    proposed_max: int

    @property
    def fits(self) -> bool:
        return self.idle_fits and self.max_fits

    @property
    def table_idle(self) -> str:
        return _range_text(self.row.idle)

    @property
    def table_max(self) -> str:
        if self.row.max_must_be_set:
            return "job length + buffer"
        return _range_text(self.row.max_lifetime)

    def fix(self) -> Fix:
        runtime = self.runtime
        if runtime.where.file == TOOLKIT_CONFIG:
            value: dict[str, int] = {
                "idle_runtime_session_timeout": self.proposed_idle,
                "max_lifetime": self.proposed_max,
            }
        else:
            value = {"idleRuntimeSessionTimeout": self.proposed_idle, "maxLifetime": self.proposed_max}
        pointer = runtime.where.base + runtime.fields.get("lifecycle", "/lifecycleConfiguration")
        summary = (
            f"Set {runtime.name}'s session lifecycle for a {self.workload} workload: idle timeout "
            f"{self.proposed_idle} s, maximum lifetime {self.proposed_max} s"
            + (f" ({self.row.assumption})" if self.row.assumption else "")
            + f". When creating the agent the same values are `{self.add_agent_command}`."
        )
        return config_edit(runtime.where.file, [(pointer, value)], summary)

    @property
    def add_agent_command(self) -> str:
        return (
            f"agentcore add agent --name {self.runtime.name} … --idle-timeout {self.proposed_idle} "
            f"--max-lifetime {self.proposed_max}"
        )


def lifecycle_proposal(runtime: Runtime, workload: str) -> LifecycleProposal:
    row = WORKLOAD_TABLE[workload]
    idle = runtime.idle_timeout if runtime.idle_timeout is not None else DEFAULT_IDLE
    lifetime = runtime.max_lifetime if runtime.max_lifetime is not None else DEFAULT_MAX_LIFETIME
    idle_fits = row.idle[0] <= idle <= row.idle[1]
    max_fits = row.max_lifetime[0] <= lifetime <= row.max_lifetime[1] and lifetime >= idle
    if row.max_must_be_set and runtime.max_lifetime is None:
        max_fits = False
    proposed_idle = idle if idle_fits else row.proposed_idle
    proposed_max = lifetime if max_fits else row.proposed_max
    proposed_max = max(proposed_max, proposed_idle)
    return LifecycleProposal(
        runtime=runtime,
        workload=workload,
        row=row,
        current_idle=idle,
        current_max=lifetime,
        idle_is_default=runtime.idle_timeout is None,
        max_is_default=runtime.max_lifetime is None,
        idle_fits=idle_fits,
        max_fits=max_fits,
        proposed_idle=proposed_idle,
        proposed_max=proposed_max,
    )


@rule(
    "SESS009",
    "lifecycle-workload-mismatch",
    "medium",
    ("P",),
    "Session lifecycle outside the skill's table for the workload",
    family="Sessions",
    checklist=("perf.idle",),
    tools=("audit_sessions", "diagnose_quota_error"),
)
def lifecycle_workload_mismatch(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Compares each runtime's `idleRuntimeSessionTimeout` and `maxLifetime` (the defaults,
    900 s and 28,800 s, when unset) with the skill's table for the workload you name
    (`--workload`, the `workload` argument, or `workload = "…"` under
    `[tool.agentcore-readiness]` in `pyproject.toml`):

    | Workload | idle timeout | maxLifetime |
    |---|---|---|
    | interactive | 600–900 s | 3600–7200 s |
    | request-reply | 60–120 s | 1800 s |
    | batch | 120 s | job length + buffer |
    | background | 120–300 s | up to 28,800 s |

    Without a workload the rule is not applicable.

    ### Why is this bad?
    An idle timeout longer than the workload needs keeps microVMs alive with nothing to
    do: they count against `maxVms` and cost money. One shorter than it needs reclaims
    sessions mid-conversation, so the next turn pays a cold start.

    ### Example
    A request/reply API runtime with no `lifecycleConfiguration` (900 s idle, 8 h lifetime).

    ### Fix
    The finding proposes values (keeping those that already fit) and the JSON Patch for
    `agentcore/agentcore.json`, e.g. for request-reply
    `"lifecycleConfiguration": {"idleRuntimeSessionTimeout": 120, "maxLifetime": 1800}`;
    when creating the agent, `agentcore add agent … --idle-timeout 120 --max-lifetime 1800`.
    Then `agentcore deploy`.

    ### References
    - agents-harden skill, "Session lifecycle management" (Pick timeouts by workload shape)
    """
    workload = facts.options.workload
    if workload is None:
        return not_applicable(
            "no workload given: pass --workload (interactive, request-reply, batch, background) or set "
            "workload under [tool.agentcore-readiness] in pyproject.toml"
        )
    if workload not in WORKLOAD_TABLE:
        return unknown(f"unknown workload {workload!r}: use one of {', '.join(WORKLOAD_TABLE)}")
    runtimes = facts.project.runtimes
    if not runtimes:
        return not_applicable("the project defines no runtimes")
    for runtime in runtimes:
        proposal = lifecycle_proposal(runtime, workload)
        if proposal.fits:
            out.note(
                f"{runtime.name}: idle {proposal.current_idle} s, maxLifetime {proposal.current_max} s fit {workload}"
            )
            continue
        problems: list[str] = []
        if not proposal.idle_fits:
            default = " (default)" if proposal.idle_is_default else ""
            problems.append(
                f"idle timeout {proposal.current_idle} s{default} does not fit the table's {proposal.table_idle}"
            )
        if not proposal.max_fits:
            default = " (default)" if proposal.max_is_default else ""
            problems.append(
                f"maxLifetime {proposal.current_max} s{default} does not fit the table's {proposal.table_max}"
            )
        field = "idle" if not proposal.idle_fits else "maxLifetime"
        location = runtime.loc(field)
        if location.line is None:
            location = runtime.loc("lifecycle") if runtime.loc("lifecycle").line else runtime.where.here
        out.warn(
            f"runtime {runtime.name!r} ({workload}): {'; '.join(problems)}; proposed idle "
            f"{proposal.proposed_idle} s, maxLifetime {proposal.proposed_max} s",
            location,
            subject=runtime.name,
            fix=proposal.fix(),
        )
    return None


# ---------------------------------------------------------------------------
# Caller code: how runtimes are invoked (SESS001-SESS005, SESS012)


def _code(facts: Facts) -> CodeIndex:
    """The code index of a rule that reads code (the engine opens such a rule as unknown without one)."""
    assert facts.code is not None
    return facts.code


@rule(
    "SESS001",
    "session-id-per-request",
    "high",
    ("C",),
    "Session ID made per request",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def session_id_per_request(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows the `runtimeSessionId` of every `invoke_agent_runtime` call in caller code (and
    in agents that invoke other runtimes) back to where it is made. It fails when the ID is
    made by `uuid.uuid4()`, `secrets.token_*()` (or a helper that always returns one) in
    the function that invokes, or inside the loop body that invokes. An ID that arrives
    as a parameter, lives on an object or in a per-conversation store, is made only when
    missing, or is made once before the loop passes.

    ### Why is this bad?
    A new session ID means a new microVM: every request pays a cold start (20–30 s is
    typical) and leaves an idle VM behind until the idle timeout reclaims it. At modest
    traffic that is the usual cause of `ServiceQuotaExceededException: maxVms limit exceeded`.

    ### Example
    ```python
    def ask(prompt):
        return client.invoke_agent_runtime(
            agentRuntimeArn=ARN, runtimeSessionId=str(uuid.uuid4()), payload=json.dumps({"prompt": prompt})
        )
    ```

    ### Fix
    Make one ID per conversation, batch or user interaction and pass it in:
    ```python
    def ask(prompt, session_id):  # session_id kept with the conversation, >= 33 characters
        return client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=session_id, payload=...)
    ```

    ### References
    - agents-harden skill, "Session reuse is the highest-leverage optimization", "Session lifecycle management"
    """
    origins = session_origins(_code(facts), facts.project)
    if not origins:
        return not_applicable("no invoke_agent_runtime call in caller or agent code")
    for py_file, call, origin in origins:
        where = f"{py_file.path}:{call.line}"
        if origin.kind == "per-request":
            message = (
                f"the runtimeSessionId of the invoke at {where} is new on every request: {origin.how}; "
                "each call starts a new microVM"
            )
            out.add(
                "warn" if origin.doubt else "fail",
                message + (f" (a warning: {origin.doubt})" if origin.doubt else ""),
                Location(path=py_file.path, line=origin.line),
                evidence=excerpt(py_file.line_text(origin.line).strip()),
                fix=Fix(
                    summary="Make the session ID once per conversation, batch or user interaction (at least 33 "
                    'characters, e.g. f"{conversation_id}-{uuid.uuid4()}" stored with the conversation) and pass '
                    "it to the function that invokes; inside a loop, make it before the loop.",
                ),
            )
        else:
            out.note(f"{where}: {origin.how}")
    return None


SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
_AGENTCORE_HEADER = "x-amzn-bedrock-agentcore-"
_CUSTOM_HEADER = "x-amzn-bedrock-agentcore-runtime-custom-"


def _misnamed(py_file: PyFile) -> list[StringLiteral]:
    """Header names of a runtime invocation that look like the session header and are not it
    (``X-Amzn-Bedrock-AgentCore-Session-Id``); custom headers (``...-Runtime-Custom-*``) are
    the caller's own."""
    signals = py_file.facts.signals
    if signals is None or not any(kind == "http" for kind, _ in signals.invokes):
        return []
    return [
        literal
        for literal in py_file.strings
        if not literal.is_docstring
        and (name := literal.value.lower()).startswith(_AGENTCORE_HEADER)
        and "session" in name
        and not name.startswith(_CUSTOM_HEADER)
        and name != SESSION_HEADER.lower()
        and " " not in name
    ]


@rule(
    "SESS002",
    "session-id-omitted",
    "high",
    ("C",),
    "invoke_agent_runtime without runtimeSessionId",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def session_id_omitted(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every `invoke_agent_runtime` call in caller code (or in an agent that invokes
    another runtime) that passes no `runtimeSessionId`, and for caller code that invokes a
    runtime over HTTPS with the session ID in a header AgentCore does not read (such as
    `X-Amzn-Bedrock-AgentCore-Session-Id`; the header is
    `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id`).

    ### Why is this bad?
    The parameter is optional, so the code works, and nobody sees the cost: boto3 fills it
    with a fresh UUID on every call (it is an idempotency-style token), so every call lands
    on a brand-new microVM: a cold start each time and one more idle VM counted against
    `maxVms` until the idle timeout reclaims it.

    ### Example
    ```python
    client.invoke_agent_runtime(agentRuntimeArn=ARN, payload=json.dumps({"prompt": prompt}))
    ```

    ### Fix
    Pass the conversation's session ID (33-256 characters) on every call:
    `client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=session_id, payload=...)`.

    ### References
    - botocore `bedrock-agentcore` `InvokeAgentRuntime` (`runtimeSessionId`, idempotency token, 33-256 characters)
    - agents-harden skill, "Session lifecycle management"
    """
    calls = invokes(_code(facts))
    assert facts.code is not None
    misnamed = [(py_file, literal) for py_file in facts.code.of_role(*CALLER_ROLES) for literal in _misnamed(py_file)]
    if not calls and not misnamed:
        return not_applicable("no invoke_agent_runtime call in caller or agent code")
    for py_file, literal in misnamed:
        out.fail(
            f"{py_file.path}:{literal.line} sends the session ID in `{literal.value}`, a header AgentCore does not "
            f"read: the runtime session header is `{SESSION_HEADER}`, so every request starts a new session "
            "(a new microVM, no conversation kept)",
            Location(path=py_file.path, line=literal.line),
            evidence=excerpt(py_file.line_text(literal.line).strip()),
            fix=Fix(summary=f"Rename the header to `{SESSION_HEADER}` (33-256 characters, one per conversation)."),
        )
    for py_file, call in calls:
        keywords = call.keywords
        if "runtimeSessionId" in keywords:
            out.note(f"{py_file.path}:{call.line} passes runtimeSessionId")
        elif call.has_splat:
            out.note(f"{py_file.path}:{call.line} passes **kwargs (not followed)")
        else:
            out.fail(
                f"invoke_agent_runtime at {py_file.path}:{call.line} passes no runtimeSessionId: boto3 makes a new "
                "one for every call, so every call starts a new microVM",
                Location(path=py_file.path, line=call.line),
                evidence=excerpt(py_file.line_text(call.line).strip()),
                fix=Fix(
                    summary="Pass the conversation's session ID: add `runtimeSessionId=session_id` (33-256 "
                    "characters, one per conversation or job) to the call.",
                ),
            )
    return None


@rule(
    "SESS003",
    "both-session-ids",
    "medium",
    ("C",),
    "Both runtimeSessionId and mcpSessionId passed",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def both_session_ids(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails when one `invoke_agent_runtime` call passes both `runtimeSessionId` and
    `mcpSessionId`, or one set of request headers carries both
    `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id` and `Mcp-Session-Id`.

    ### Why is this bad?
    Passing both can bind two separate microVMs to one logical session: double the cold
    starts and double the VMs counted against `maxVms`.

    ### Example
    ```python
    client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=sid, mcpSessionId=sid, payload=body)
    ```

    ### Fix
    Pass one identifier: `runtimeSessionId` (or, for MCP clients that manage
    `Mcp-Session-Id` themselves, only that one).

    ### References
    - agents-harden skill, "Session lifecycle management" (Don't pass both)
    """
    assert facts.code is not None
    seen = False
    for py_file, call in invokes(_code(facts)):
        seen = True
        keywords = call.keywords
        if "runtimeSessionId" in keywords and "mcpSessionId" in keywords:
            out.fail(
                f"invoke_agent_runtime at {py_file.path}:{call.line} passes both runtimeSessionId and mcpSessionId",
                Location(path=py_file.path, line=call.line),
                evidence=excerpt(py_file.line_text(call.line).strip()),
                fix=Fix(summary="Remove `mcpSessionId` from the call and keep `runtimeSessionId`."),
            )
        else:
            out.note(f"{py_file.path}:{call.line}: one session identifier")
    for py_file in facts.code.of_role(*CALLER_ROLES):
        for use in session_headers(py_file):
            seen = True
            if len(use.keys) < 2:
                continue
            if use.base is None:
                out.fail(
                    f"the headers at {use.path}:{use.line} carry both "
                    "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id and Mcp-Session-Id",
                    Location(path=use.path, line=use.line),
                    fix=Fix(summary="Send one session header: drop `Mcp-Session-Id` or the runtime session header."),
                )
            else:
                out.fail(
                    f"`{use.base}` at {use.path}:{use.line} gets both the runtime session header and Mcp-Session-Id",
                    Location(path=use.path, line=use.line),
                    fix=Fix(summary=f"Set one session header on `{use.base}`."),
                )
    if not seen:
        return not_applicable("no invoke_agent_runtime call or session header in caller or agent code")
    return None


@rule(
    "SESS004",
    "session-never-stopped",
    "medium",
    ("C",),
    "Per-job sessions never stopped",
    family="Sessions",
    checklist=("perf.stop",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def session_never_stopped(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each `invoke_agent_runtime` call whose session ID the code makes itself
    (per request, per job or per run: `uuid4()`, `secrets.token_*()`) when the project's
    caller and agent code never calls `stop_runtime_session`.

    ### Why is this bad?
    A session whose work is done keeps its microVM until `idleRuntimeSessionTimeout`
    (default 15 minutes). Jobs that end without `StopRuntimeSession` pile up idle VMs
    that count against `maxVms`.

    ### Example
    ```python
    for job in jobs:
        sid = f"job-{job.id}-{uuid.uuid4()}"
        client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=sid, payload=job.body)
    ```

    ### Fix
    Stop the session when the job is done (the caller needs
    `bedrock-agentcore:StopRuntimeSession`):
    ```python
    try:
        client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId=sid, payload=job.body)
    finally:
        client.stop_runtime_session(agentRuntimeArn=ARN, runtimeSessionId=sid)
    ```

    ### References
    - agents-harden skill, "Call StopRuntimeSession when the work is done"; limits.md, maxVms triage
    """
    assert facts.code is not None
    origins = session_origins(_code(facts), facts.project)
    if not origins:
        return not_applicable("no invoke_agent_runtime call in caller or agent code")
    stops = [(f, c) for f, c in facts.code.calls(CALLER_ROLES) if c.attr == STOP]
    owned = [(f, c, o) for f, c, o in origins if o.generated]
    if not owned:
        out.note("no invoke makes its own session ID (IDs come from the conversation)")
        return None
    if stops:
        first_file, first = stops[0]
        out.note(f"stop_runtime_session called at {first_file.path}:{first.line}")
        return None
    for py_file, call, origin in owned:
        out.warn(
            f"the invoke at {py_file.path}:{call.line} uses a session made by the code ({origin.kind}: "
            f"{origin.how}) and no code calls stop_runtime_session: each finished session keeps its microVM "
            "until the idle timeout",
            Location(path=py_file.path, line=call.line),
            fix=Fix(
                summary="Call `stop_runtime_session(agentRuntimeArn=..., runtimeSessionId=...)` in a `finally` once "
                "the job or conversation is done; grant the caller bedrock-agentcore:StopRuntimeSession.",
            ),
        )
    return None


@rule(
    "SESS005",
    "session-id-too-short",
    "medium",
    ("C",),
    "Literal session ID shorter than 33 characters",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller", "runtime"),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def session_id_too_short(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every literal session ID shorter than 33 characters given as
    `runtimeSessionId` (also through a variable or module constant), in the
    `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id` header (caller code), or as the
    `session_id` of a Memory call (`create_event`, `list_events`, `AgentCoreMemoryConfig`,
    …, in caller or agent code) when the memory extracts long-term records. A short Memory
    session ID is only noted when every memory the project declares is short-term only.

    ### Why is this bad?
    `InvokeAgentRuntime` rejects runtime session IDs under 33 characters
    (`ValidationException`). `CreateEvent` accepts Memory session IDs of 1-100
    characters, but long-term memory silently skips extraction for session IDs under
    33 characters, so recall never works and nothing says why.

    ### Example
    ```python
    client.invoke_agent_runtime(agentRuntimeArn=ARN, runtimeSessionId="session-123", payload=body)
    ```

    ### Fix
    Use IDs of 33-256 characters, e.g. `f"{user_id}-{uuid.uuid4()}"` or `uuid.uuid4().hex + "-session"`.

    ### References
    - botocore `bedrock-agentcore` `SessionType` (min 33, max 256); agents-debug skill (LTM session IDs)
    """
    literals = session_literals(_code(facts), facts.project, ("caller", "runtime"))
    if not literals and not invokes(_code(facts)):
        return not_applicable("no session ID is passed in caller or agent code")
    long_term = _long_term_memory(facts)
    for found in literals:
        where = f"{found.py_file.path}:{found.line}"
        if len(found.literal) >= SESSION_ID_MIN:
            out.note(f"{where}: literal session ID of {len(found.literal)} characters")
            continue
        shown = f"session ID {excerpt(found.literal, 60)!r} ({len(found.literal)} characters, used in {found.used})"
        if not found.memory:
            why = f"InvokeAgentRuntime rejects runtime session IDs under {SESSION_ID_MIN} characters (ValidationException)"
        elif long_term is None:
            out.note(f"{where}: {shown}; the project's memories keep short-term events only, which accept it")
            continue
        else:
            why = (
                "CreateEvent accepts it (1-100 characters), but long-term memory silently skips extraction for "
                f"session IDs under {SESSION_ID_MIN} characters ({long_term}): nothing is ever recalled"
            )
        out.fail(
            f"{shown} is shorter than {SESSION_ID_MIN}: {why}",
            Location(path=found.py_file.path, line=found.line),
            fix=Fix(
                summary=f"Use a session ID of at least {SESSION_ID_MIN} characters, e.g. "
                'f"{user_id}-{uuid.uuid4()}".',
            ),
        )
    if not literals:
        out.note("no literal session IDs")
    return None


def _long_term_memory(facts: Facts) -> str | None:
    """Why the project's memory extracts long-term records (its strategies), or ``None`` when every
    memory it declares is short-term only. A memory declared elsewhere may have strategies.
    """
    memories = facts.project.memories
    if not memories:
        return "if the memory has long-term strategies"
    for memory in memories:
        if memory.strategies:
            return f"memory {memory.name} has {', '.join(s.type for s in memory.strategies)}"
        if memory.mode and memory.mode.upper() == "STM_AND_LTM":
            return f"memory {memory.name} is STM_AND_LTM"
    return None


@rule(
    "SESS012",
    "invoke-without-retries",
    "low",
    ("C",),
    "bedrock-agentcore client without a retry config",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def invoke_without_retries(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Looks at the retry configuration of each `boto3.client("bedrock-agentcore")` (or
    `session.client(...)`) in a file that calls `invoke_agent_runtime`, and at the
    caller's shape. A long-lived service (a web backend, a Lambda, a queue worker) gets:

    - a warning when its client turns retries off (`retries={"max_attempts": 0}`):
      a throttled invocation fails at once;
    - a note (an `info` finding) when it relies on botocore's default retries: those
      already retry `ThrottlingException` and 429 with exponential backoff (standard mode,
      3 attempts, in current botocore; legacy mode, 5 attempts, in older releases), but
      without client-side rate limiting and with a budget not sized for bursts.

    An explicit `standard` or `adaptive` mode, a retry decorator (tenacity, backoff) on
    every invoke of the file, and one-shot scripts (one invocation per run, where a retry
    budget for bursts does not apply and turning retries off for a long non-idempotent job
    is a choice) pass, with the reason.

    ### Why is this bad?
    `InvokeAgentRuntime` is rate limited (25 TPS per agent by default): a service whose
    traffic comes in bursts can exhaust a small retry budget, and then throttles become
    user-facing errors; quota increase requests get refused without client retries.

    ### Example
    ```python
    client = boto3.client("bedrock-agentcore", config=Config(retries={"max_attempts": 0}))
    ```

    ### Fix
    ```python
    from botocore.config import Config
    client = boto3.client("bedrock-agentcore", region_name="us-east-1",
                          config=Config(retries={"mode": "adaptive", "max_attempts": 10}))
    ```

    ### References
    - agents-harden `references/limits.md`, "Invocation rate"; botocore `retries` configuration
    """
    assert facts.code is not None
    clients = []
    for py_file, call in facts.code.calls(CALLER_ROLES):
        if call.attr != "client":
            continue
        service = client_service(call)
        if service == "bedrock-agentcore":
            clients.append((py_file, call))
    if not clients:
        return not_applicable("no bedrock-agentcore client in caller code")
    for py_file, call in clients:
        _client_retries(out, py_file, call)
    return None


def _client_retries(out: Findings, py_file: PyFile, call: CallSite) -> None:
    where = f"{py_file.path}:{call.line}"
    retries = client_retries(py_file, call)
    if not retries.invokes:
        out.note(f"{where}: this client invokes no runtime")
        return
    config = retries.config
    if config.state in ("explicit", "unresolved"):
        out.note(f"{where}: {config.detail}")
        return
    if retries.decorated:
        out.note(f"{where}: every invoke retries through a decorator")
        return
    if py_file.place.shape == "one_shot":
        out.note(f"{where}: {config.detail} in a one-shot script (one invocation per run)")
        return
    fix = Fix(
        summary="Size the retries for bursts: add "
        '`config=Config(retries={"mode": "adaptive", "max_attempts": 10})` '
        "(`from botocore.config import Config`) to the client call; adaptive mode also rate-limits the client.",
    )
    location = Location(path=py_file.path, line=call.line)
    evidence = retries.evidence
    if config.state == "off":
        out.warn(
            f"bedrock-agentcore client at {where} has {config.detail}: in a long-lived service a throttled "
            "invocation (ThrottlingException, 429) fails at once instead of being retried with backoff",
            location,
            evidence=evidence,
            fix=fix,
        )
        return
    out.info(
        f"bedrock-agentcore client at {where} has {config.detail}: it relies on {DEFAULT_RETRIES}; for bursts "
        "against the 25 TPS invocation quota, adaptive mode adds client-side rate limiting and a larger "
        "max_attempts gives the budget",
        location,
        evidence=evidence,
        fix=fix,
        severity="info",
    )


# ---------------------------------------------------------------------------
# Agent code: background work and streaming (SESS010, SESS011, SESS013)


def _line_text(facts: Facts, path: str, line: int) -> str:
    assert facts.code is not None
    py_file = facts.code.file(path)
    return py_file.line_text(line).strip() if py_file is not None else ""


@rule(
    "SESS010",
    "background-task-untracked",
    "high",
    ("C",),
    "Background work started without add_async_task",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def background_task_untracked(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows each `@app.entrypoint` through the functions it calls (in the agent's own
    files) and fails where a thread (`threading.Thread`, `Timer`), an asyncio task
    (`asyncio.create_task`, `ensure_future`, `loop.create_task`) or an executor job
    (`executor.submit`, `loop.run_in_executor`) is started and not awaited, unless the
    path registers it with `app.add_async_task(...)` or the started coroutine is an
    `@app.async_task` function.

    ### Why is this bad?
    Once the invocation response is sent, the runtime considers the session idle. At
    `idleRuntimeSessionTimeout` it reclaims the microVM, killing the background work
    halfway. `add_async_task` makes `/ping` report `HealthyBusy` so the VM is kept until
    the task completes.

    ### Example
    ```python
    @app.entrypoint
    def invoke(payload):
        threading.Thread(target=process, args=(payload,)).start()
        return {"status": "accepted"}
    ```

    ### Fix
    ```python
    @app.entrypoint
    def invoke(payload):
        task_id = app.add_async_task("process")
        threading.Thread(target=process, args=(payload, task_id)).start()
        return {"status": "processing", "taskId": task_id}

    def process(payload, task_id):
        try:
            ...
        finally:
            app.complete_async_task(task_id)
    ```
    Or decorate an async worker with `@app.async_task`.

    ### References
    - agents-harden skill, "Long-running background tasks"; bedrock-agentcore `BedrockAgentCoreApp.add_async_task`
    """
    assert facts.code is not None
    work = background_work(_code(facts), facts.project)
    if not work.entrypoints:
        return not_applicable("no @app.entrypoint in agent code")
    for start in work.untracked:
        worker, app = start.worker, start.app
        path_text = " → ".join(f"{name}()" for name in start.chain)
        out.fail(
            f"{path_text} starts a background {start.kind} ({worker}) at {start.path}:"
            f"{start.line} without {app}.add_async_task: once the response is sent the session "
            "looks idle and the microVM can be reclaimed mid-work",
            Location(path=start.path, line=start.line),
            evidence=excerpt(_line_text(facts, start.path, start.line)),
            fix=Fix(
                summary=f"Register the work before starting it and complete it when it ends: "
                f'`task_id = {app}.add_async_task("{worker}")` before line {start.line}, pass '
                f"`task_id` to {worker}, and end {worker} with `finally: {app}.complete_async_task(task_id)` "
                f"(or make {worker} an async function decorated with `@{app}.async_task`).",
            ),
        )
    if not out.items:
        out.note(
            f"{work.entrypoints} entrypoint(s) followed through {work.examined} function(s): no untracked background work"
        )
    return None


@rule(
    "SESS011",
    "async-task-not-completed",
    "high",
    ("C",),
    "add_async_task without complete_async_task",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def async_task_not_completed(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows the task id returned by each `app.add_async_task(...)` (an `int`) through the
    agent's functions, threads and executor jobs to a `complete_async_task(task_id)`.
    Fails when the id is thrown away or never reaches one; warns when the completing call
    is not in a `finally` block.

    ### Why is this bad?
    While a task is registered, `/ping` reports `HealthyBusy` and the runtime keeps the
    microVM. A task never completed holds it until `maxLifetime` (8 h by default); one
    completed outside `finally` stays registered whenever the work raises.

    ### Example
    ```python
    task_id = app.add_async_task("report")
    threading.Thread(target=build_report, args=(payload,)).start()  # task_id never completed
    ```

    ### Fix
    Pass the id to the worker and complete it in `finally`:
    ```python
    def build_report(payload, task_id):
        try:
            ...
        finally:
            app.complete_async_task(task_id)
    ```
    Or use `@app.async_task` on an async worker, which does both.

    ### References
    - agents-harden skill, "Long-running background tasks"; bedrock-agentcore `add_async_task` / `complete_async_task`
    """
    assert facts.code is not None
    tasks = async_tasks(_code(facts), facts.project)
    for path, line, name in tasks.decorated:
        out.note(f"{path}:{line}: {name}() is an @async_task function")
    for task in tasks.added:
        location = Location(path=task.path, line=task.line)
        if task.held is None:
            out.fail(
                f"add_async_task at {task.path}:{task.line} throws its task id away: the task can never be "
                "completed and /ping stays HealthyBusy until maxLifetime",
                location,
                fix=Fix(
                    summary="Keep the id (`task_id = app.add_async_task(...)`) and pass it to the code that "
                    "calls `app.complete_async_task(task_id)` in a `finally`."
                ),
            )
            continue
        if not task.completions:
            held = task.held
            out.fail(
                f"the task id `{held}` from add_async_task at {task.path}:{task.line} never reaches "
                "complete_async_task: /ping stays HealthyBusy and the microVM is kept until maxLifetime",
                location,
                fix=Fix(
                    summary=f"Pass `{held}` to the worker and call `app.complete_async_task({held})` in its "
                    "`finally` block."
                ),
            )
            continue
        for sink in task.completions:
            if sink.in_finally:
                out.note(f"{task.path}:{task.line} completed in finally at {sink.path}:{sink.line}")
            else:
                out.warn(
                    f"complete_async_task at {sink.path}:{sink.line} (for the task added at "
                    f"{task.path}:{task.line}) is not in a finally block: when the work raises, the task "
                    "stays registered",
                    Location(path=sink.path, line=sink.line),
                    fix=Fix(summary="Wrap the work in `try:` and move the `complete_async_task` call into `finally:`."),
                )
    found_any = bool(tasks.decorated or tasks.added)
    if not found_any:
        return not_applicable("no add_async_task or @app.async_task in agent code")
    return None


@rule(
    "SESS013",
    "stream-without-heartbeat",
    "low",
    ("C",),
    "Streaming entrypoint without periodic yields",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def stream_without_heartbeat(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each streaming entrypoint (an `@app.entrypoint` generator), warns at the first
    long call (an `await`, a model or agent `invoke`, `requests`/`httpx`/`subprocess`,
    `time.sleep`) that does not sit in, or feed, a loop that yields: while it runs the
    stream sends nothing.

    ### Why is this bad?
    Proxies, load balancers and clients drop SSE connections that stay silent (often
    after 60 s). A streaming response that waits minutes for a tool or a model without
    sending anything is cut off mid-stream even though the agent is still working.

    ### Example
    ```python
    @app.entrypoint
    async def invoke(payload):
        yield {"status": "started"}
        result = await run_long_analysis(payload)   # minutes, nothing sent
        yield {"result": result}
    ```

    ### Fix
    Run the long work as a task and yield a heartbeat about every 30 s:
    ```python
    task = asyncio.create_task(run_long_analysis(payload))
    while not task.done():
        done, _ = await asyncio.wait({task}, timeout=30)
        if not done:
            yield {"heartbeat": True}
    yield {"result": task.result()}
    ```
    Or stream the agent's events (`async for event in agent.stream_async(prompt): yield event`).

    ### References
    - agents-harden skill, "Alternatives when async task API isn't an option"; agents-debug skill, "Connection drops mid-stream"
    """
    assert facts.code is not None
    streaming = stream_gaps(_code(facts), facts.project)
    if not streaming:
        return not_applicable("no streaming (generator) entrypoint in agent code")
    for gap in streaming:
        if gap.line is None:
            out.note(f"{gap.path}:{gap.function_line}: {gap.function}() yields while its long work runs")
            continue
        out.warn(
            f"streaming entrypoint {gap.function}() waits on `{gap.call_text}` at {gap.path}:{gap.line} with no "
            "yield while it runs: a silent stream of a minute or more can be dropped by proxies and clients",
            Location(path=gap.path, line=gap.line),
            fix=Fix(
                summary="Run the call as a task and yield a heartbeat about every 30 s until it is done "
                "(`task = asyncio.create_task(...)`; `while not task.done(): done, _ = await asyncio.wait({task}, "
                'timeout=30); if not done: yield {"heartbeat": True}`), or stream the agent\'s own events.',
            ),
        )
    return None


@rule(
    "SESS014",
    "blocking-work-in-async-entrypoint",
    "medium",
    ("C",),
    "Blocking call in an async entrypoint or handler",
    family="Sessions",
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def blocking_work_in_async_entrypoint(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each `async` request handler of a runtime (`@app.entrypoint`, a `POST /invocations`
    route, a websocket handler, an MCP tool, an A2A executor) and every other `async`
    function of the runtime's code (a tool, a step the handler dispatches to), fails at
    every synchronous call that waits on the model, a tool or the network while the event
    loop runs it: a Strands `agent(prompt)`, a LangChain/LangGraph `.invoke()`,
    CrewAI `kickoff()`, any boto3 call, `requests`/`httpx` calls, `urllib.request.urlopen`,
    `time.sleep`, a subprocess. It follows the handler into the project functions it
    awaits and the synchronous functions it calls (reported at the call in the async code,
    with the chain). Work handed to a thread (`asyncio.to_thread`, `run_in_executor`,
    inside a lambda) and the async APIs (`await agent.invoke_async()`,
    `agent.stream_async()`, `ainvoke()`) are fine; so is a plain `def` handler, which the
    SDK runs in a worker thread.

    ### Why is this bad?
    An async handler shares the server's single event loop. A blocking call stops the
    loop for as long as it runs: streamed events stop flowing, other requests of the
    session wait, and the `/ping` health check goes unanswered, so AgentCore can take the
    session for unhealthy and the caller sees a stalled or dropped stream.

    ### Example
    ```python
    @app.entrypoint
    async def invoke(payload):
        result = agent(payload["prompt"])        # blocks the event loop for the whole run
        return {"result": str(result)}
    ```

    ### Fix
    ```python
    @app.entrypoint
    async def invoke(payload):
        result = await agent.invoke_async(payload["prompt"])
        return {"result": str(result)}
    ```
    or `await asyncio.to_thread(agent, prompt)`, `async for event in agent.stream_async(prompt)`,
    `await graph.ainvoke(...)`; or make the handler a plain `def`.

    ### References
    - agents-harden skill, "Async tasks and health status"; agents-debug skill, "Connection drops mid-stream"
    """
    from agentcore_readiness.checks.blocking import BlockingFinder
    from agentcore_readiness.checks.code_rule_helpers import emit, without_code
    from agentcore_readiness.checks.runtime_handlers import handler_model, is_tool, runtime_paths

    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    assert facts.code is not None
    cmap = code_map(facts.code, facts.project)
    starts: list[tuple[Target, str]] = []
    for handler in handler_model(facts).handlers:
        info = cmap.functions_of(handler.file).get(handler.entry.qualname or handler.entry.name)
        if info is not None and info.is_async:
            starts.append((Target(handler.file, info), f"async {handler.label}"))
    paths = runtime_paths(facts)
    for py_file in facts.code.runtime_files():
        for function in py_file.functions:
            target = Target(py_file, function)
            if not function.is_async or any(target == s for s, _ in starts) or _runs_before_serving(function):
                continue
            if not is_tool(function) and paths.called(py_file, function.qualname) is not None:
                continue  # nothing in the runtime calls it
            kind = "tool" if is_tool(function) else "function"
            starts.append((target, f"async {kind} {function.qualname}()"))
    if not starts:
        return not_applicable(
            "no async request handler or async function in the runtimes' code (a plain `def` handler runs in a "
            "worker thread)"
        )
    finder = BlockingFinder(cmap)
    reported: set[tuple[str, int]] = set()
    handlers = len(starts) - sum(1 for _, label in starts if label.startswith(("async function", "async tool")))
    for index, (start, label) in enumerate(starts):
        found = finder.in_async(start)
        if not found and index < handlers:
            out.note(f"{start.file.path}:{start.function.line} {label}: nothing blocks the event loop")
        for blocking in found:
            if (blocking.file.path, blocking.line) in reported:
                continue
            reported.add((blocking.file.path, blocking.line))
            chain = " → ".join(f"{t.function.qualname}() ({t.file.path}:{t.function.line})" for t in blocking.chain)
            emit(
                out,
                "fail",
                blocking.file,
                blocking.line,
                f"{label} runs {blocking.what} on the event loop: while it runs, streamed events stop, other requests "
                "wait and /ping goes unanswered",
                evidence=f"called through {chain}",
                fix=Fix(
                    summary="Use the async API (`await agent.invoke_async(prompt)`, `agent.stream_async(prompt)`, "
                    "`await graph.ainvoke(...)`) or hand the call to a thread (`await asyncio.to_thread(fn, ...)`); "
                    "or make the handler a plain `def`, which the SDK runs in a worker thread."
                ),
            )
    return None


def _runs_before_serving(function: FunctionInfo) -> bool:
    """A startup or shutdown hook (``@app.on_event("startup")``, a ``lifespan``): it blocks
    nothing that is being served."""
    return function.name in ("lifespan", "startup", "shutdown") or any(
        d.endswith((".on_event", ".on_startup", ".on_shutdown", "asynccontextmanager")) for d in function.decorators
    )


def session_origin_texts(facts: Facts) -> list[tuple[str, int, str]]:
    """(path, line, how) of each ``invoke_agent_runtime`` in caller code: how its
    ``runtimeSessionId`` is made (per request, per job, per conversation, omitted, literal)."""
    if facts.code is None:
        return []
    origins = session_origins(facts.code, facts.project)
    return [(py_file.path, call.line, f"{origin.kind}: {origin.how}") for py_file, call, origin in origins]

"""Session lifecycle values (SESS006, SESS007, SESS008): the project's runtimes and the effective
values of deployed runtimes (``GetAgentRuntime.lifecycleConfiguration``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentcore_readiness.checks.fixes import runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.aws.model import DeployedView, deployed_runtimes
from agentcore_readiness.facts.project.project_facts import Runtime
from agentcore_readiness.model import Fix, Location

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

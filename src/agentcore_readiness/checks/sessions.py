"""Session lifecycle: idle timeout and maximum lifetime of runtime sessions."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule

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
    if not runtimes:
        return not_applicable("the project defines no runtimes")
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
    return None


@rule(
    "SESS008",
    "lifecycle-invalid",
    "high",
    ("P", "A"),
    "Session lifecycle values invalid",
    family="Sessions",
    checklist=("perf.idle",),
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
    if not runtimes:
        return not_applicable("the project defines no runtimes")
    for runtime in runtimes:
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
        for field, message in problems:
            fixed_idle = min(max(idle or DEFAULT_IDLE, CLI_MIN), CLI_MAX)
            fixed_max = min(max(runtime.max_lifetime or DEFAULT_MAX_LIFETIME, CLI_MIN), CLI_MAX)
            fixed_idle = min(fixed_idle, fixed_max)
            out.fail(
                f"runtime {runtime.name!r}: {message}",
                runtime.loc(field),
                subject=runtime.name,
                fix=runtime_edit(
                    runtime,
                    [("idle", fixed_idle), ("maxLifetime", fixed_max)],
                    f"Bring {runtime.name}'s lifecycle values into range.",
                ),
            )
        if not problems and (runtime.idle_timeout is not None or runtime.max_lifetime is not None):
            out.note(f"{runtime.name}: lifecycle values valid")
    if not out.items and not out.notes:
        out.note("no lifecycle values set (defaults apply)")
    return None

"""The skill's workload table and the lifecycle values it proposes (SESS009)."""

from __future__ import annotations

from dataclasses import dataclass

from agentcore_readiness.checks.fixes import config_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.checks.sessions.lifecycle import CLI_MAX, CLI_MIN, DEFAULT_IDLE, DEFAULT_MAX_LIFETIME
from agentcore_readiness.facts.project.project_facts import TOOLKIT_CONFIG, Runtime
from agentcore_readiness.model import Fix


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

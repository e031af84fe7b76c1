"""Sessions: lifecycle settings, how callers make and stop sessions, and background work
inside the agent.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcore_readiness.checks.callflow import (
    CodeMap,
    FunctionNode,
    ParentMap,
    Target,
    assigned_names,
    body_nodes,
    calls_in,
    code_map,
    function_body_nodes,
    handed_functions,
    latest_binding,
    literal_str,
    names_in,
    param_names,
    parents,
    source_of,
)
from agentcore_readiness.checks.fixes import config_edit, runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.aws import DeployedView, deployed_runtimes
from agentcore_readiness.facts.project import TOOLKIT_CONFIG, Runtime
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code import CallSite, FunctionInfo, PyFile
    from agentcore_readiness.facts.roles import Role

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
    deployed = deployed_runtimes(facts.aws, facts.aws_unavailable)
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
    deployed = deployed_runtimes(facts.aws, facts.aws_unavailable)
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

INVOKE = "invoke_agent_runtime"
STOP = "stop_runtime_session"
SESSION_ID_MIN = 33
RUNTIME_SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id"
MCP_SESSION_HEADER = "mcp-session-id"
_SESSION_CALLS = (INVOKE, STOP, "invoke_agent_runtime_command")
_MEMORY_SESSION_CALLS = (
    "create_event",
    "list_events",
    "get_event",
    "get_last_k_turns",
    "AgentCoreMemoryConfig",
    "list_sessions",
    "save_conversation",
)
_ID_GENERATORS = frozenset(
    {
        "uuid.uuid4",
        "uuid.uuid1",
        "secrets.token_hex",
        "secrets.token_urlsafe",
        "secrets.token_bytes",
        "os.urandom",
        "time.time",
        "time.time_ns",
        "random.random",
        "random.getrandbits",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
    }
)
_CALLER_ROLES: tuple[Role, ...] = ("caller",)


def _generator_call(py_file: PyFile, expr: ast.AST) -> ast.Call | None:
    """The first call in ``expr`` that makes a fresh value (uuid4, secrets.token_*, time)."""
    hits = [
        node for node in ast.walk(expr) if isinstance(node, ast.Call) and py_file.resolve(node.func) in _ID_GENERATORS
    ]
    return min(hits, key=lambda c: (c.lineno, c.col_offset)) if hits else None


@dataclass(frozen=True)
class SessionIdOrigin:
    kind: str
    """``omitted``, ``splat``, ``per-request``, ``per-job``, ``conversation``, ``literal``."""
    line: int
    """Where the ID is made (for generated IDs) or used."""
    how: str
    generated: bool = False
    literal: str | None = None
    literal_line: int | None = None
    doubt: str | None = None
    """Why the kind is a best reading rather than certain (the caller's workload shape is unknown)."""


class _Origins:
    """Where each invoke's ``runtimeSessionId`` comes from."""

    def __init__(self, cmap: CodeMap) -> None:
        self.cmap = cmap

    def of_call(self, py_file: PyFile, call: CallSite) -> SessionIdOrigin:
        if "runtimeSessionId" not in call.keywords:
            if any(k.arg is None for k in call.node.keywords):
                return SessionIdOrigin("splat", call.line, "passed through **kwargs (not followed)")
            return SessionIdOrigin("omitted", call.line, "not passed")
        function = call.function
        return self.of_expr(py_file, call.keywords["runtimeSessionId"], call.node, function, depth=0)

    def of_expr(
        self, py_file: PyFile, expr: ast.expr, use: ast.AST, function: FunctionInfo | None, depth: int
    ) -> SessionIdOrigin:
        text = excerpt(source_of(py_file, expr), 80)
        literal = literal_str(expr)
        if literal is not None:
            return SessionIdOrigin(
                "literal", expr.lineno, f"the literal {text}", literal=literal, literal_line=expr.lineno
            )
        made = self._made_by(py_file, expr, function)
        if made is not None:
            line, maker = made
            return self._placed(py_file, use, use, function, line, f"made by {maker} in the call itself")
        if isinstance(expr, ast.Name) and depth < 4:
            return self._of_name(py_file, expr.id, use, function, depth)
        if isinstance(expr, (ast.JoinedStr, ast.BinOp, ast.Call)) and depth < 4:
            worst: SessionIdOrigin | None = None
            called = {n.func.id for n in ast.walk(expr) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            for name in sorted(names_in(expr) - called):
                origin = self._of_name(py_file, name, use, function, depth + 1)
                if worst is None or _RANK[origin.kind] > _RANK[worst.kind]:
                    worst = origin
            if worst is not None and worst.kind in ("per-request", "per-job"):
                return worst
        if isinstance(expr, ast.Attribute):
            return SessionIdOrigin("conversation", expr.lineno, f"from the attribute {text} (kept per conversation)")
        return SessionIdOrigin("conversation", expr.lineno, f"from {text}")

    def _made_by(self, py_file: PyFile, expr: ast.AST, function: FunctionInfo | None) -> tuple[int, str] | None:
        """(line, what) when evaluating ``expr`` makes a new ID every time."""
        generator = _generator_call(py_file, expr)
        if generator is not None:
            return generator.lineno, py_file.resolve(generator.func) + "()"
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                target = self.cmap.resolve(py_file, node, function)
                if target is not None and self._always_new(target, 0):
                    return node.lineno, f"{target.function.qualname}(), which makes a new ID on every call"
        return None

    def _always_new(self, target: Target, depth: int) -> bool:
        """Whether every ``return`` of the function hands back a freshly made ID."""
        node = target.function.node
        returns = [n for n in function_body_nodes(node) if isinstance(n, ast.Return) and n.value is not None]
        if not returns or depth > 2:
            return False
        for ret in returns:
            assert ret.value is not None
            if _generator_call(target.file, ret.value) is not None:
                continue
            if isinstance(ret.value, ast.Name):
                binding, where = latest_binding(node, target.file.tree, ret.value.id, ret.lineno)
                if (
                    where == "local"
                    and binding is not None
                    and binding.value is not None
                    and parents(target.file).conditional(binding.node, node) is None
                    and _generator_call(target.file, binding.value) is not None
                ):
                    continue
            return False
        return True

    def _of_name(
        self, py_file: PyFile, name: str, use: ast.AST, function: FunctionInfo | None, depth: int
    ) -> SessionIdOrigin:
        fn_node = function.node if function is not None else None
        use_line = getattr(use, "lineno", 0)
        binding, where = latest_binding(fn_node, py_file.tree, name, use_line)
        if binding is None:
            return SessionIdOrigin("conversation", use_line, f"from `{name}` (defined elsewhere)")
        if where == "param":
            return SessionIdOrigin("conversation", binding.line, f"from the parameter `{name}` (per conversation)")
        if binding.kind in ("for", "with"):
            return SessionIdOrigin("conversation", binding.line, f"from `{name}`, taken from the data it iterates")
        value = binding.value
        if value is None:
            return SessionIdOrigin("conversation", binding.line, f"from `{name}`")
        literal = literal_str(value)
        if literal is not None:
            return SessionIdOrigin(
                "literal", binding.line, f"the literal assigned to `{name}`", literal=literal, literal_line=value.lineno
            )
        made = self._made_by(py_file, value, function if where == "local" else None)
        if made is not None:
            line, maker = made
            pm = parents(py_file)
            scope = fn_node if where == "local" else None
            if isinstance(value, (ast.BoolOp, ast.IfExp)) or pm.conditional(binding.node, scope) is not None:
                return SessionIdOrigin(
                    "conversation", line, f"`{name}` is made by {maker} only when missing (kept per conversation)"
                )
            if _cached_call(py_file, value):
                return SessionIdOrigin("conversation", line, f"`{name}` comes from a per-conversation store")
            if where == "module":
                return SessionIdOrigin(
                    "per-job",
                    line,
                    f"`{name}` is made once at import by {maker} (one session for the whole process)",
                    generated=True,
                )
            return self._placed(py_file, use, binding.node, function, line, f"`{name}` is made by {maker}")
        if isinstance(value, ast.Name) and depth < 4:
            return self._of_name(py_file, value.id, binding.node, function if where == "local" else None, depth + 1)
        return SessionIdOrigin(
            "conversation", binding.line, f"`{name}` comes from {excerpt(source_of(py_file, value), 80)}"
        )

    def _placed(
        self,
        py_file: PyFile,
        use: ast.AST,
        made_at: ast.AST,
        function: FunctionInfo | None,
        line: int,
        how: str,
    ) -> SessionIdOrigin:
        """Per request or per job, from where the ID is made relative to the invoke and from
        the caller's shape: in a one-shot script a new session per run or per job is what the
        skill prescribes; in a service (or a script's prompt loop) it is a new session per message.
        """
        pm = parents(py_file)
        scope = function.node if function is not None else None
        shape = py_file.place.shape
        use_loops = pm.loops(use, scope)
        if use_loops:
            loop = use_loops[0]
            loop_line = getattr(loop, "lineno", line)
            made_loops = pm.loops(made_at, scope) if made_at is not use else use_loops
            if not any(m is loop for m in made_loops):
                return SessionIdOrigin(
                    "per-job", line, f"{how} once, before the loop at line {loop_line}", generated=True
                )
            if shape == "one_shot" and not _prompts(py_file, loop):
                return SessionIdOrigin(
                    "per-job",
                    line,
                    f"{how} for each job of the loop at line {loop_line} (a one-shot script)",
                    generated=True,
                )
            return SessionIdOrigin(
                "per-request", line, f"{how} inside the loop (line {loop_line}) that invokes", generated=True
            )
        if function is None:
            return SessionIdOrigin("per-job", line, f"{how} once for this script run", generated=True)
        if shape == "one_shot":
            prompt_loop = _called_from_prompt_loop(py_file, function)
            if prompt_loop is None:
                return SessionIdOrigin(
                    "per-job",
                    line,
                    f"{how} in {function.qualname}(), once per run of this one-shot script",
                    generated=True,
                )
            return SessionIdOrigin(
                "per-request",
                line,
                f"{how} in {function.qualname}(), called for every message of the prompt loop at line {prompt_loop}",
                generated=True,
            )
        doubt = None
        if shape is None:
            doubt = (
                "the file is neither a recognised service (web handler, Lambda, UI, queue worker) nor a one-shot "
                "script, so whether each call is a chat message or a whole job could not be told"
            )
        return SessionIdOrigin(
            "per-request",
            line,
            f"{how} in {function.qualname}(), the function that invokes, so every call of it",
            generated=True,
            doubt=doubt,
        )


_PROMPTS = frozenset({"input", "sys.stdin.readline", "click.prompt", "typer.prompt", "rich.prompt.Prompt.ask"})


def _prompts(py_file: PyFile, loop: ast.AST) -> bool:
    """Whether a loop reads a line from the user on each turn (an interactive prompt loop)."""
    return any(isinstance(node, ast.Call) and py_file.resolve(node.func) in _PROMPTS for node in body_nodes([loop]))


def _called_from_prompt_loop(py_file: PyFile, function: FunctionInfo) -> int | None:
    """The line of a prompt loop in the same file that calls ``function``, if any."""
    for call in py_file.calls:
        if call.attr == function.name and call.function is not function:
            for loop in call.loops:
                if _prompts(py_file, loop):
                    return loop.lineno
    return None


_RANK = {"conversation": 0, "literal": 0, "splat": 0, "omitted": 0, "per-job": 1, "per-request": 2}


def _cached_call(py_file: PyFile, value: ast.expr) -> bool:
    """``store.setdefault(key, str(uuid4()))`` and similar: a per-key store keeps the ID."""
    for node in ast.walk(value):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr
            in (
                "setdefault",
                "get",
                "get_or_create",
            )
        ):
            return True
    return False


def _invokes(facts: Facts) -> list[tuple[PyFile, CallSite]]:
    assert facts.code is not None
    return [(f, c) for f, c in facts.code.calls(_CALLER_ROLES) if c.attr == INVOKE]


def _origins(facts: Facts) -> list[tuple[PyFile, CallSite, SessionIdOrigin]]:
    assert facts.code is not None
    finder = _Origins(code_map(facts.code, facts.project))
    return [(f, c, finder.of_call(f, c)) for f, c in _invokes(facts)]


def _no_code(facts: Facts) -> Verdict | None:
    if facts.code is None:
        return unknown("the code index was not built")
    return None


@rule(
    "SESS001",
    "session-id-per-request",
    "high",
    ("C",),
    "Session ID made per request",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    origins = _origins(facts)
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


@rule(
    "SESS002",
    "session-id-omitted",
    "high",
    ("C",),
    "invoke_agent_runtime without runtimeSessionId",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
)
def session_id_omitted(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for every `invoke_agent_runtime` call in caller code (or in an agent that invokes
    another runtime) that passes no `runtimeSessionId`.

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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    invokes = _invokes(facts)
    if not invokes:
        return not_applicable("no invoke_agent_runtime call in caller or agent code")
    for py_file, call in invokes:
        keywords = call.keywords
        if "runtimeSessionId" in keywords:
            out.note(f"{py_file.path}:{call.line} passes runtimeSessionId")
        elif any(k.arg is None for k in call.node.keywords):
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


def _header_keys(node: ast.Dict) -> dict[str, int]:
    keys: dict[str, int] = {}
    for key in node.keys:
        text = literal_str(key)
        if text is not None:
            keys[text.lower()] = key.lineno if key is not None else node.lineno
    return keys


@rule(
    "SESS003",
    "both-session-ids",
    "medium",
    ("C",),
    "Both runtimeSessionId and mcpSessionId passed",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller",),
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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    assert facts.code is not None
    seen = False
    for py_file, call in _invokes(facts):
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
    for py_file in facts.code.of_role(*_CALLER_ROLES):
        for node in ast.walk(py_file.tree):
            if isinstance(node, ast.Dict):
                keys = _header_keys(node)
                if RUNTIME_SESSION_HEADER in keys or MCP_SESSION_HEADER in keys:
                    seen = True
                if RUNTIME_SESSION_HEADER in keys and MCP_SESSION_HEADER in keys:
                    out.fail(
                        f"the headers at {py_file.path}:{node.lineno} carry both "
                        "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id and Mcp-Session-Id",
                        Location(path=py_file.path, line=node.lineno),
                        fix=Fix(
                            summary="Send one session header: drop `Mcp-Session-Id` or the runtime session header."
                        ),
                    )
        for function in py_file.functions:
            assigned: dict[str, dict[str, int]] = {}
            for node in function_body_nodes(function.node):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                            key = literal_str(target.slice)
                            if key is not None and key.lower() in (RUNTIME_SESSION_HEADER, MCP_SESSION_HEADER):
                                seen = True
                                assigned.setdefault(target.value.id, {})[key.lower()] = node.lineno
            for base, keys in assigned.items():
                if len(keys) == 2:
                    line = max(keys.values())
                    out.fail(
                        f"`{base}` at {py_file.path}:{line} gets both the runtime session header and Mcp-Session-Id",
                        Location(path=py_file.path, line=line),
                        fix=Fix(summary=f"Set one session header on `{base}`."),
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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    assert facts.code is not None
    origins = _origins(facts)
    if not origins:
        return not_applicable("no invoke_agent_runtime call in caller or agent code")
    stops = [(f, c) for f, c in facts.code.calls(_CALLER_ROLES) if c.attr == STOP]
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


@dataclass(frozen=True)
class SessionLiteral:
    py_file: PyFile
    literal: str
    line: int
    used: str
    memory: bool
    """A Memory session ID (``create_event(session_id=…)``), not a runtime session ID."""


def _session_literals(facts: Facts, roles: tuple[Role, ...] = _CALLER_ROLES) -> list[SessionLiteral]:
    """Every literal session ID in the code of ``roles``, with where it is used."""
    assert facts.code is not None
    finder = _Origins(code_map(facts.code, facts.project))
    found: list[SessionLiteral] = []
    seen: set[tuple[str, int]] = set()

    def add(py_file: PyFile, origin: SessionIdOrigin, used: str, memory: bool = False) -> None:
        if origin.literal is None:
            return
        line = origin.literal_line or origin.line
        if (py_file.path, line) in seen:
            return
        seen.add((py_file.path, line))
        found.append(SessionLiteral(py_file, origin.literal, line, used, memory))

    for py_file, call in facts.code.calls(roles):
        keys: tuple[str, ...] = ()
        if call.attr in _SESSION_CALLS:
            keys = ("runtimeSessionId",)
        elif call.attr in _MEMORY_SESSION_CALLS:
            keys = ("session_id", "sessionId")
        for key in keys:
            value = call.keywords.get(key)
            if value is not None:
                origin = finder.of_expr(py_file, value, call.node, call.function, depth=0)
                add(py_file, origin, f"{call.attr}({key}=…) at line {call.line}", key != "runtimeSessionId")
    for py_file in facts.code.of_role(*roles):
        for node in ast.walk(py_file.tree):
            if isinstance(node, ast.Dict):
                for header, value in zip(node.keys, node.values, strict=False):
                    text = literal_str(header)
                    if text is not None and text.lower() == RUNTIME_SESSION_HEADER:
                        function = code_map(facts.code, facts.project).info(
                            parents(py_file).enclosing_function(node) or node
                        )
                        origin = finder.of_expr(py_file, value, node, function, depth=0)
                        add(py_file, origin, f"the session header at line {node.lineno}")
    return found


@rule(
    "SESS005",
    "session-id-too-short",
    "medium",
    ("C",),
    "Literal session ID shorter than 33 characters",
    family="Sessions",
    checklist=("perf.reuse",),
    reads=("caller", "runtime"),
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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    literals = _session_literals(facts, ("caller", "runtime"))
    if not literals and not _invokes(facts):
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


_RETRY_DECORATORS = ("retry", "backoff", "on_exception", "retrying")
DEFAULT_RETRIES = (
    "botocore's default retries (standard mode in current botocore: 3 attempts; legacy mode, 5 attempts, in "
    "older releases), which retry ThrottlingException and 429 with exponential backoff"
)


@dataclass(frozen=True)
class RetryConfig:
    """What a boto3 ``config=`` says about retries."""

    state: str
    """``default`` (no retries setting), ``explicit``, ``off`` (no retry at all) or ``unresolved``."""
    detail: str
    mode: str | None = None


def retry_config(py_file: PyFile, expr: ast.expr | None, function: FunctionInfo | None) -> RetryConfig:
    """The retry setting of a boto3 client's ``config=`` value. ``max_attempts`` in ``retries``
    counts retries after the first attempt (``0``: none); ``total_max_attempts`` counts all.
    """
    if expr is None:
        return RetryConfig("default", "no config")
    value: ast.expr | None = expr
    if isinstance(expr, ast.Name):
        binding, _ = latest_binding(function.node if function else None, py_file.tree, expr.id, expr.lineno)
        value = binding.value if binding is not None else None
    if not (isinstance(value, ast.Call) and py_file.resolve(value.func).endswith("Config")):
        return RetryConfig("unresolved", f"config={excerpt(source_of(py_file, expr), 60)} not followed")
    retries = next((k.value for k in value.keywords if k.arg == "retries"), None)
    if retries is None:
        return RetryConfig("default", "a Config without retries")
    if not isinstance(retries, ast.Dict):
        return RetryConfig("unresolved", "retries not a literal")
    entries = {literal_str(k): v for k, v in zip(retries.keys, retries.values, strict=False) if k is not None}
    mode = literal_str(entries.get("mode"))
    total = _int_literal(entries.get("total_max_attempts"))
    retry_count = _int_literal(entries.get("max_attempts"))
    attempts = total if total is not None else (retry_count + 1 if retry_count is not None else None)
    if attempts is not None and attempts <= 1:
        return RetryConfig("off", f"retries turned off ({excerpt(source_of(py_file, retries), 80)})", mode)
    if mode is None:
        return RetryConfig("default", f"retries without a mode ({excerpt(source_of(py_file, retries), 80)})")
    return RetryConfig("explicit", f"retries mode {mode!r}" + (f", {attempts} attempts" if attempts else ""), mode)


def _assigned_to(py_file: PyFile, call: CallSite) -> str | None:
    """The name (``client``, ``self.client`` -> ``client``) a client call is assigned to, if any."""
    parent = parents(py_file).parent(call.node)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, ast.Name):
            return target.id
        if isinstance(target, ast.Attribute):
            return target.attr
    return None


def _int_literal(expr: ast.expr | None) -> int | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int) and not isinstance(expr.value, bool):
        return expr.value
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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    assert facts.code is not None
    clients = []
    for py_file, call in facts.code.calls(_CALLER_ROLES):
        if call.attr != "client":
            continue
        service = literal_str(call.node.args[0]) if call.node.args else literal_str(call.keywords.get("service_name"))
        if service == "bedrock-agentcore":
            clients.append((py_file, call))
    if not clients:
        return not_applicable("no bedrock-agentcore client in caller code")
    for py_file, call in clients:
        _client_retries(out, py_file, call)
    return None


def _client_retries(out: Findings, py_file: PyFile, call: CallSite) -> None:
    where = f"{py_file.path}:{call.line}"
    invokes = [c for c in py_file.calls if c.attr == INVOKE]
    held_in = _assigned_to(py_file, call)
    if held_in is not None:
        invokes = [
            c
            for c in invokes
            if isinstance(c.node.func, ast.Attribute)
            and source_of(py_file, c.node.func.value).rsplit(".", 1)[-1] == held_in
        ]
    if not invokes:
        out.note(f"{where}: this client invokes no runtime")
        return
    config = retry_config(py_file, call.keywords.get("config"), call.function)
    if config.state in ("explicit", "unresolved"):
        out.note(f"{where}: {config.detail}")
        return
    if all(
        c.function is not None and any(any(r in d for r in _RETRY_DECORATORS) for d in c.function.decorators)
        for c in invokes
    ):
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
    evidence = excerpt(source_of(py_file, call.node), 160)
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

_THREAD_STARTERS = frozenset({"threading.Thread", "threading.Timer", "multiprocessing.Process"})
_WAITERS = frozenset({"gather", "wait", "wait_for", "as_completed", "shield", "result", "join", "exception"})


@dataclass(frozen=True)
class BackgroundStart:
    call: ast.Call
    kind: str
    target: ast.expr | None


def _statement_of(pm: ParentMap, node: ast.AST) -> tuple[ast.AST, bool]:
    """The statement holding ``node`` and whether an ``await`` sits on the way there."""
    current = node
    awaited = False
    while True:
        parent = pm.parent(current)
        if parent is None or isinstance(current, ast.stmt):
            return current, awaited
        if isinstance(parent, ast.Await):
            awaited = True
        current = parent


def _holders(pm: ParentMap, node: ast.AST) -> set[str]:
    """Names that keep the result of ``node`` (assigned, appended to)."""
    statement, _ = _statement_of(pm, node)
    names: set[str] = set()
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            names.update(assigned_names(target))
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                names.update(names_in(target))
    elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("append", "add", "extend")
            and isinstance(func.value, ast.Name)
        ):
            names.add(func.value.id)
    return names


def _waited_names(py_file: PyFile, function: FunctionNode) -> set[str]:
    """Names the function awaits, gathers, joins or asks for a result."""
    names: set[str] = set()
    for node in function_body_nodes(function):
        if isinstance(node, ast.Await):
            names.update(names_in(node.value))
        elif isinstance(node, ast.Call):
            attr = py_file.resolve(node.func).rsplit(".", 1)[-1]
            if attr in _WAITERS:
                names.update(names_in(node))
    return names


def _scoped_names(py_file: PyFile, function: FunctionNode, suffixes: tuple[str, ...]) -> set[str]:
    """Names bound by ``with``/``async with`` on a context whose callable ends with a suffix."""
    names: set[str] = set()
    for node in function_body_nodes(function):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                context = item.context_expr
                if (
                    isinstance(context, ast.Call)
                    and py_file.resolve(context.func).endswith(suffixes)
                    and item.optional_vars is not None
                ):
                    names.update(assigned_names(item.optional_vars))
    return names


def background_starts(py_file: PyFile, function: FunctionInfo) -> list[BackgroundStart]:
    """Threads, tasks and executor jobs a function starts and does not wait for."""
    pm = parents(py_file)
    node = function.node
    waited = _waited_names(py_file, node)
    pools = _scoped_names(py_file, node, ("Executor", "Pool"))
    groups = _scoped_names(py_file, node, ("TaskGroup", "create_task_group"))
    found: list[BackgroundStart] = []
    for call in sorted(calls_in(node.body), key=lambda c: (c.lineno, c.col_offset)):
        name = py_file.resolve(call.func)
        attr = name.rsplit(".", 1)[-1]
        _, awaited = _statement_of(pm, call)
        holders = _holders(pm, call)
        if awaited or holders & waited:
            continue
        receiver = name.rsplit(".", 1)[0] if "." in name else ""
        if name in _THREAD_STARTERS:
            target = next((k.value for k in call.keywords if k.arg == "target"), None)
            if target is None and attr == "Timer" and len(call.args) > 1:
                target = call.args[1]
            found.append(BackgroundStart(call, "thread" if attr != "Process" else "process", target))
        elif attr in ("create_task", "ensure_future") and receiver not in groups:
            found.append(BackgroundStart(call, "task", call.args[0] if call.args else None))
        elif attr == "run_in_executor":
            found.append(BackgroundStart(call, "executor job", call.args[1] if len(call.args) > 1 else None))
        elif attr in ("submit", "start_new_thread") and receiver not in pools:
            found.append(BackgroundStart(call, "executor job", call.args[0] if call.args else None))
    return found


def _calls_attr(function: FunctionInfo, attr: str) -> bool:
    return any(
        (isinstance(c.func, ast.Attribute) and c.func.attr == attr)
        or (isinstance(c.func, ast.Name) and c.func.id == attr)
        for c in calls_in(function.node.body, lambdas=True)
    )


def _is_async_task(function: FunctionInfo) -> bool:
    return any(d == "async_task" or d.endswith(".async_task") for d in function.decorators)


def _started_function(cmap: CodeMap, py_file: PyFile, start: BackgroundStart, within: FunctionInfo) -> Target | None:
    target = start.target
    if target is None:
        return None
    if isinstance(target, ast.Call):
        return cmap.resolve(py_file, target, within)
    return cmap.resolve_ref(py_file, target, within)


def _app_name(entry: Target) -> str:
    for decorator in entry.function.decorators:
        if decorator.endswith(".entrypoint"):
            return decorator.rsplit(".", 1)[0]
    return "app"


@rule(
    "SESS010",
    "background-task-untracked",
    "high",
    ("C",),
    "Background work started without add_async_task",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    assert facts.code is not None
    cmap = code_map(facts.code, facts.project)
    entries = cmap.entrypoints()
    if not entries:
        return not_applicable("no @app.entrypoint in agent code")
    reported: set[tuple[str, int]] = set()
    examined = 0
    registers: dict[int, bool] = {}

    def registers_tasks(function: FunctionInfo) -> bool:
        # each function is searched once, however many starts and chains it appears in
        found = registers.get(id(function))
        if found is None:
            found = registers[id(function)] = _calls_attr(function, "add_async_task")
        return found

    for entry in entries:
        chains = cmap.reachable(entry)
        examined += len(chains)
        app = _app_name(entry)
        for current, chain in chains.items():
            chain_registers: bool | None = None
            for start in background_starts(current.file, current.function):
                started = _started_function(cmap, current.file, start, current.function)
                if started is not None and (_is_async_task(started.function) or registers_tasks(started.function)):
                    continue
                if chain_registers is None:
                    near = list(chain)
                    for member in chain:
                        near.extend(cmap.callees(member))
                    chain_registers = any(registers_tasks(member.function) for member in near)
                if chain_registers:
                    continue
                key = (current.file.path, start.call.lineno)
                if key in reported:
                    continue
                reported.add(key)
                worker = started.function.name if started is not None else "the work"
                path_text = " → ".join(f"{t.function.qualname}()" for t in chain)
                out.fail(
                    f"{path_text} starts a background {start.kind} ({worker}) at {current.file.path}:"
                    f"{start.call.lineno} without {app}.add_async_task: once the response is sent the session "
                    "looks idle and the microVM can be reclaimed mid-work",
                    Location(path=current.file.path, line=start.call.lineno),
                    evidence=excerpt(current.file.line_text(start.call.lineno).strip()),
                    fix=Fix(
                        summary=f"Register the work before starting it and complete it when it ends: "
                        f'`task_id = {app}.add_async_task("{worker}")` before line {start.call.lineno}, pass '
                        f"`task_id` to {worker}, and end {worker} with `finally: {app}.complete_async_task(task_id)` "
                        f"(or make {worker} an async function decorated with `@{app}.async_task`).",
                    ),
                )
    if not out.items:
        out.note(f"{len(entries)} entrypoint(s) followed through {examined} function(s): no untracked background work")
    return None


def _task_sinks(
    cmap: CodeMap, py_file: PyFile, function: FunctionInfo, name: str, depth: int, seen: set[tuple[int, str]]
) -> list[tuple[PyFile, FunctionInfo, ast.Call]]:
    """``complete_async_task`` calls reached by a task id held in ``name`` inside ``function``."""
    key = (id(function), name)
    if key in seen or depth > 4:
        return []
    seen.add(key)
    found: list[tuple[PyFile, FunctionInfo, ast.Call]] = []
    for call in calls_in(function.node.body, lambdas=True):
        attr = py_file.resolve(call.func).rsplit(".", 1)[-1]
        if attr == "complete_async_task":
            if any(name in names_in(arg) for arg in [*call.args, *(k.value for k in call.keywords)]):
                found.append((py_file, function, call))
            continue
        # the id handed to another own function: directly, or to a thread/executor/task
        handoffs: list[tuple[Target | None, list[ast.expr], dict[str, ast.expr]]] = []
        callee = cmap.resolve(py_file, call, function)
        handoffs.append((callee, list(call.args), {k.arg: k.value for k in call.keywords if k.arg}))
        for ref in handed_functions(call):
            handed = cmap.resolve_ref(py_file, ref, function)
            if handed is None:
                continue
            args: list[ast.expr] = []
            kwargs: dict[str, ast.expr] = {}
            for keyword in call.keywords:
                if keyword.arg == "args" and isinstance(keyword.value, (ast.Tuple, ast.List)):
                    args = list(keyword.value.elts)
                elif keyword.arg == "kwargs" and isinstance(keyword.value, ast.Dict):
                    kwargs = {
                        literal_str(k) or "": v for k, v in zip(keyword.value.keys, keyword.value.values, strict=False)
                    }
            if not args and ref in call.args:
                args = call.args[call.args.index(ref) + 1 :]
            handoffs.append((handed, args, kwargs))
        for target, args, kwargs in handoffs:
            if target is None:
                continue
            params = param_names(target.function.node)
            if target.function.class_name and params and params[0] in ("self", "cls"):
                params = params[1:]
            for index, arg in enumerate(args):
                if isinstance(arg, ast.Name) and arg.id == name and index < len(params):
                    found.extend(_task_sinks(cmap, target.file, target.function, params[index], depth + 1, seen))
            for keyword_name, value in kwargs.items():
                if isinstance(value, ast.Name) and value.id == name and keyword_name in params:
                    found.extend(_task_sinks(cmap, target.file, target.function, keyword_name, depth + 1, seen))
    return found


@rule(
    "SESS011",
    "async-task-not-completed",
    "high",
    ("C",),
    "add_async_task without complete_async_task",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    assert facts.code is not None
    cmap = code_map(facts.code, facts.project)
    found_any = False
    for py_file in facts.code.of_role("runtime"):
        for function in py_file.functions:
            if _is_async_task(function):
                found_any = True
                out.note(f"{py_file.path}:{function.line}: {function.name}() is an @async_task function")
        pm = parents(py_file)
        for call in [c for c in py_file.calls if c.attr == "add_async_task"]:
            found_any = True
            statement, _ = _statement_of(pm, call.node)
            location = Location(path=py_file.path, line=call.line)
            holder: ast.expr | None = None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                holder = statement.targets[0]
            elif isinstance(statement, ast.AnnAssign):
                holder = statement.target
            if holder is None:
                out.fail(
                    f"add_async_task at {py_file.path}:{call.line} throws its task id away: the task can never be "
                    "completed and /ping stays HealthyBusy until maxLifetime",
                    location,
                    fix=Fix(
                        summary="Keep the id (`task_id = app.add_async_task(...)`) and pass it to the code that "
                        "calls `app.complete_async_task(task_id)` in a `finally`."
                    ),
                )
                continue
            sinks: list[tuple[PyFile, FunctionInfo, ast.Call]] = []
            if isinstance(holder, ast.Name) and call.function is not None:
                sinks = _task_sinks(cmap, py_file, call.function, holder.id, 0, set())
            elif isinstance(holder, ast.Name):
                sinks = [
                    (py_file, f, c)
                    for f in py_file.functions
                    for c in calls_in(f.node.body)
                    if py_file.resolve(c.func).endswith("complete_async_task") and holder.id in names_in(c)
                ]
            else:
                base_names = names_in(holder) - {"self", "cls"}
                attr = holder.attr if isinstance(holder, ast.Attribute) else None
                for other in facts.code.runtime_files(py_file.runtime):
                    for f in other.functions:
                        for c in calls_in(f.node.body):
                            if not other.resolve(c.func).endswith("complete_async_task"):
                                continue
                            arg_attrs = {n.attr for n in ast.walk(c) if isinstance(n, ast.Attribute)}
                            if (attr is not None and attr in arg_attrs) or (base_names & names_in(c)):
                                sinks.append((other, f, c))
            if not sinks:
                held = excerpt(source_of(py_file, holder), 60)
                out.fail(
                    f"the task id `{held}` from add_async_task at {py_file.path}:{call.line} never reaches "
                    "complete_async_task: /ping stays HealthyBusy and the microVM is kept until maxLifetime",
                    location,
                    fix=Fix(
                        summary=f"Pass `{held}` to the worker and call `app.complete_async_task({held})` in its "
                        "`finally` block."
                    ),
                )
                continue
            for sink_file, sink_function, sink_call in sinks:
                if parents(sink_file).in_finally(sink_call, sink_function.node):
                    out.note(f"{py_file.path}:{call.line} completed in finally at {sink_file.path}:{sink_call.lineno}")
                else:
                    out.warn(
                        f"complete_async_task at {sink_file.path}:{sink_call.lineno} (for the task added at "
                        f"{py_file.path}:{call.line}) is not in a finally block: when the work raises, the task "
                        "stays registered",
                        Location(path=sink_file.path, line=sink_call.lineno),
                        fix=Fix(
                            summary="Wrap the work in `try:` and move the `complete_async_task` call into `finally:`."
                        ),
                    )
    if not found_any:
        return not_applicable("no add_async_task or @app.async_task in agent code")
    return None


_LONG_ATTRS = frozenset(
    {
        "invoke",
        "invoke_async",
        "ainvoke",
        "invoke_model",
        "converse",
        "run",
        "run_until_complete",
        "result",
        "join",
        "invoke_agent_runtime",
        "sleep",
        "check_output",
        "call",
    }
)
_LONG_MODULES = ("requests.", "httpx.", "subprocess.", "urllib.request.")


def _long_call(py_file: PyFile, call: ast.Call, awaited: bool) -> bool:
    name = py_file.resolve(call.func)
    attr = name.rsplit(".", 1)[-1]
    if name == "asyncio.sleep":
        delay = call.args[0] if call.args else None
        return isinstance(delay, ast.Constant) and isinstance(delay.value, (int, float)) and delay.value >= 30
    if awaited:
        return True
    return name.startswith(_LONG_MODULES) or (attr in _LONG_ATTRS and name != "asyncio.sleep")


def _loop_yields(loop: ast.AST) -> bool:
    body: list[ast.stmt] = getattr(loop, "body", [])
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in body_nodes(body))


@rule(
    "SESS013",
    "stream-without-heartbeat",
    "low",
    ("C",),
    "Streaming entrypoint without periodic yields",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
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
    if (verdict := _no_code(facts)) is not None:
        return verdict
    assert facts.code is not None
    cmap = code_map(facts.code, facts.project)
    streaming = [e for e in cmap.entrypoints() if e.function.is_generator]
    if not streaming:
        return not_applicable("no streaming (generator) entrypoint in agent code")
    for entry in streaming:
        py_file, function = entry.file, entry.function
        pm = parents(py_file)
        gap: ast.Call | None = None
        for call in sorted(calls_in(function.node.body), key=lambda c: (c.lineno, c.col_offset)):
            if isinstance(pm.parent(call), ast.Call):
                continue
            _, awaited = _statement_of(pm, call)
            if not _long_call(py_file, call, awaited):
                continue
            covered = False
            for ancestor, _child in pm.path(call, function.node):
                if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)) and _loop_yields(ancestor):
                    covered = True
                    break
            if not covered:
                gap = call
                break
        if gap is None:
            out.note(f"{py_file.path}:{function.line}: {function.name}() yields while its long work runs")
            continue
        call_text = excerpt(source_of(py_file, gap), 100)
        out.warn(
            f"streaming entrypoint {function.name}() waits on `{call_text}` at {py_file.path}:{gap.lineno} with no "
            "yield while it runs: a silent stream of a minute or more can be dropped by proxies and clients",
            Location(path=py_file.path, line=gap.lineno),
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
    from agentcore_readiness.checks.code_support import emit, without_code
    from agentcore_readiness.checks.runtime_handlers import RuntimePaths, handler_model, is_tool

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
    paths = RuntimePaths(facts)
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


def session_origins(facts: Facts) -> list[tuple[str, int, str]]:
    """(path, line, how) of each ``invoke_agent_runtime`` in caller code: how its
    ``runtimeSessionId`` is made (per request, per job, per conversation, omitted, literal)."""
    if facts.code is None:
        return []
    return [(py_file.path, call.line, f"{origin.kind}: {origin.how}") for py_file, call, origin in _origins(facts)]

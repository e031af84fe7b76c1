"""Observability: tracing, log retention and continuous evaluation."""

from __future__ import annotations

import json
import posixpath
from typing import Any

from agentcore_readiness.checks.fixes import config_edit, runtime_edit
from agentcore_readiness.checks.per_runtime import merge_shared, runtimes_phrase
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, skipped, unknown
from agentcore_readiness.checks.runtime_handlers import runtime_protocol
from agentcore_readiness.facts.aws.model import AwsFacts, DeployedRuntime, OnlineEvaluation, deployed_runtimes
from agentcore_readiness.facts.project.project_facts import CLI_CONFIG, Located, Runtime
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt


@rule(
    "OBS001",
    "tracing-disabled",
    "medium",
    ("P",),
    "Tracing (OpenTelemetry) disabled",
    family="Observability",
    checklist=("obs.xray",),
    tools=("check_observability",),
)
def tracing_disabled(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for each runtime with `instrumentation.enableOtel: false` in `agentcore.json`
    (the MCP scaffold's default) or `aws.observability.enabled: false` in
    `.bedrock_agentcore.yaml`.

    ### Why is this bad?
    Without OpenTelemetry there are no X-Ray traces or GenAI observability spans: a slow
    tool, a failing model call or a cold start cannot be diagnosed after the fact.

    ### Example
    ```json
    {"name": "McpTools", "protocol": "MCP", "instrumentation": {"enableOtel": false}}
    ```

    ### Fix
    Set `instrumentation.enableOtel` to `true` (or remove it: the default is true), then
    `agentcore deploy`.

    ### References
    - agents-harden skill, "Observability: Verify tracing is enabled"
    """
    runtimes = facts.project.runtimes
    if not runtimes:
        return not_applicable("the project defines no runtimes")
    for runtime in runtimes:
        if runtime.enable_otel is False:
            setting = "instrumentation.enableOtel" if runtime.source == CLI_CONFIG else "aws.observability.enabled"
            scaffold = ", the MCP scaffold's default" if (runtime.protocol or "").upper() == "MCP" else ""
            out.fail(
                f"runtime {runtime.name!r} has tracing disabled ({setting}: false{scaffold})",
                runtime.loc("otel"),
                subject=runtime.name,
                fix=runtime_edit(runtime, [("otel", True)], f"Turn on OpenTelemetry tracing for {runtime.name}."),
            )
        else:
            out.note(f"{runtime.name}: tracing on" + (" (default)" if runtime.enable_otel is None else ""))
    return None


@rule(
    "OBS004",
    "online-eval-missing",
    "medium",
    ("P", "A"),
    "No online evaluation for a runtime",
    family="Observability",
    checklist=("obs.eval",),
    aws=("runtimes", "evals"),
    tools=("check_observability",),
)
def online_eval_missing(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for each agent runtime that no `onlineEvalConfigs[]` entry evaluates (`agent`
    equal to the runtime's name); an MCP runtime (a tool server: no agent answers to
    score) is left out. When the project evaluates no runtime at all, that is one finding
    listing them. Warns when a config exists but is neither enabled on create
    nor deployed as `ENABLED`. With AWS access, the deployed configs' execution status
    is used.

    ### Why is this bad?
    Without continuous evaluation, a quality regression (a prompt change, a model
    update, a broken tool) reaches users unnoticed: you have no baseline to compare with.

    ### Example
    A project with runtimes `Agent` and `Helper` and one online eval config for `Agent`:
    `Helper` fails.

    ### Fix
    `agentcore add online-eval --name <name> --runtime <runtime> --evaluator Builtin.Helpfulness
    --sampling-rate 5`, then `agentcore deploy`; record a baseline with `agentcore run eval`.

    ### References
    - agents-harden skill, "Evaluation baseline: Know your quality before launch"
    """
    project = facts.project
    deployed = _deployed_evaluations(facts)
    if not project.runtimes and not deployed.runtimes:
        return not_applicable("the project defines no runtimes")
    _deployed_evaluation_findings(deployed, out, only_unmatched=project.has_cli_config)
    if not project.has_cli_config:
        if deployed.available:
            return unknown("; ".join(deployed.unknowns)) if deployed.unknowns and not out.items else None
        return skipped(
            ".bedrock_agentcore.yaml does not hold online evaluation configs; they can only be read from the AWS API"
        )
    agents = 0
    missing: list[Runtime] = []
    for runtime in project.runtimes:
        if runtime_protocol(facts, runtime.name) == "MCP":
            out.note(f"{runtime.name}: an MCP tool server (no agent answers to evaluate)")
            continue
        agents += 1
        configs = [e for e in project.online_evals if e.agent == runtime.name]
        api_enabled = deployed.enabled_for(runtime.name)
        if api_enabled:
            out.note(f"{runtime.name}: {api_enabled} ENABLED (deployed)")
            continue
        if not configs:
            missing.append(runtime)
            continue
        enabled = [e for e in configs if e.enable_on_create or (e.deployed_status or "").upper() == "ENABLED"]
        if enabled:
            out.note(f"{runtime.name}: {enabled[0].name} enabled")
            continue
        config = configs[0]
        status = config.deployed_status or "not deployed"
        out.warn(
            f"online evaluation {config.name!r} for runtime {runtime.name!r} is not enabled "
            f"(enableOnCreate unset, status: {status})",
            config.where.here,
            subject=runtime.name,
            fix=config_edit(
                CLI_CONFIG,
                [(config.where.base + "/enableOnCreate", True)],
                f"Enable {config.name} when it is deployed.",
            ),
        )
    _missing_online_eval(facts, out, missing)
    if deployed.unknowns and not out.items:
        return unknown("; ".join(deployed.unknowns))
    if not agents and not out.items:
        return not_applicable("every runtime is an MCP tool server: online evaluation scores agent answers")
    return None


def _missing_online_eval(facts: Facts, out: Findings, missing: list[Runtime]) -> None:
    """One finding per runtime left out of a project that evaluates others; one finding listing
    them all when the project evaluates none (one fact: no online evaluation at all).
    """
    if not missing:
        return
    configs = [
        {
            "name": f"{r.name}_monitor",
            "agent": r.name,
            "evaluators": ["Builtin.Helpfulness"],
            "samplingRate": 5,
            "enableOnCreate": True,
        }
        for r in missing
    ]
    commands = [
        f"agentcore add online-eval --name {r.name}_monitor --runtime {r.name} "
        "--evaluator Builtin.Helpfulness --sampling-rate 5"
        for r in missing
    ]
    edits: list[tuple[str, Any]] = [("/onlineEvalConfigs/-", c) for c in configs]
    if facts.project.online_evals or len(missing) == 1:
        for runtime, edit, command in zip(missing, edits, commands, strict=True):
            out.fail(
                f"runtime {runtime.name!r} has no online evaluation config",
                runtime.where.here,
                subject=runtime.name,
                fix=config_edit(CLI_CONFIG, [edit], f"Evaluate {runtime.name} continuously.", [command], op="add"),
            )
        return
    names = [r.name for r in missing]
    out.fail(
        f"the project has no online evaluation config: {runtimes_phrase(names)} are not evaluated",
        Located(CLI_CONFIG, "/onlineEvalConfigs", missing[0].where.lines).here,
        subject=", ".join(names),
        fix=config_edit(CLI_CONFIG, edits, "Evaluate every runtime continuously.", commands, op="add"),
    )


OTEL_DISTRO = "aws-opentelemetry-distro"
OTEL_LAUNCHER = "opentelemetry-instrument"


def _instrumented_command(args: str) -> tuple[bool, list[str] | None]:
    """Whether a CMD/ENTRYPOINT runs under opentelemetry-instrument, and its exec-form argv."""
    text = args.strip()
    argv: list[str] | None = None
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(a, str) for a in parsed):
            argv = parsed
    words = argv if argv is not None else text.split()
    return any(w.rsplit("/", 1)[-1] == OTEL_LAUNCHER for w in words), argv


def _instrumented_fix(runtime: Runtime, args: str, argv: list[str] | None, line: int) -> Fix:
    wrapped = f"CMD {json.dumps([OTEL_LAUNCHER, *argv])}" if argv is not None else f"CMD {OTEL_LAUNCHER} {args.strip()}"
    return Fix(
        summary=f"Start the agent under {OTEL_LAUNCHER} (line {line}: `{wrapped}`) and keep {OTEL_DISTRO} in the "
        "dependencies; without it AgentCore gets no logs or traces from a Container build. Then `agentcore deploy`.",
        commands=["agentcore deploy"],
    )


@rule(
    "OBS002",
    "container-without-otel",
    "medium",
    ("C", "P"),
    "Container image not instrumented with OpenTelemetry",
    family="Observability",
    checklist=("obs.xray",),
    tools=("check_observability",),
)
def container_without_otel(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For Container builds, fails when the Dockerfile's final `CMD`/`ENTRYPOINT` does not
    start the agent with `opentelemetry-instrument`. For every runtime with tracing on,
    warns when the build does not install `aws-opentelemetry-distro`: what counts is what
    the build really installs (the CLI's CodeZip packaging installs the `pyproject.toml`
    dependencies; a Container installs what its Dockerfile's `RUN` commands install, with
    their groups and extras), so the distro in a dev group or a stray `requirements.txt`
    does not count.

    ### Why is this bad?
    AgentCore does not read a container's stdout: logs and traces reach CloudWatch only
    through OpenTelemetry. CodeZip builds are wrapped automatically; Container builds are
    not, and the missing wrapper is the most common reason for "no logs in CloudWatch".

    ### Example
    ```dockerfile
    CMD ["python", "main.py"]
    ```

    ### Fix
    `CMD ["opentelemetry-instrument", "python", "main.py"]`, and add
    `aws-opentelemetry-distro` to the agent's dependencies, then `agentcore deploy`.

    ### References
    - agents-debug skill, "Symptom: CloudWatch logs not appearing"
    """
    runtimes = facts.project.runtimes
    if not runtimes:
        return not_applicable("the project defines no runtimes")
    unreadable: list[str] = []
    for runtime in runtimes:
        if runtime.enable_otel is False:
            out.note(f"{runtime.name}: tracing is disabled (see OBS001)")
            continue
        dockerfile = runtime.dockerfile
        if runtime.is_container:
            if dockerfile is None:
                unreadable.append(f"{runtime.name}: Container build but no Dockerfile found in its codeLocation")
            else:
                last_from = max((i.line for i in dockerfile.stages), default=0)
                commands = [
                    i for i in dockerfile.instructions if i.keyword in ("CMD", "ENTRYPOINT") and i.line >= last_from
                ]
                if not any(_instrumented_command(i.args)[0] for i in commands):
                    final = commands[-1] if commands else None
                    shown = f"{final.keyword} {final.args}" if final else "no CMD or ENTRYPOINT"
                    line = final.line if final else (last_from or 1)
                    out.fail(
                        f"runtime {runtime.name!r}: the image starts without {OTEL_LAUNCHER} ({excerpt(shown, 120)}): "
                        "no logs or traces reach CloudWatch",
                        Location(path=dockerfile.path, line=line),
                        subject=runtime.name,
                        fix=_instrumented_fix(
                            runtime,
                            final.args if final else "",
                            _instrumented_command(final.args)[1] if final else ["python", "main.py"],
                            line,
                        ),
                    )
        _distro_installed(runtime, out)
    merge_shared(out)  # runtimes built from one folder share its Dockerfile and dependencies
    if unreadable and not out.items:
        return unknown("; ".join(unreadable))
    return None


def _distro_installed(runtime: Runtime, out: Findings) -> None:
    """Whether the build installs the ADOT distro, said with the file and command that decide it."""
    plan = runtime.build_plan
    installed = next((d for d in runtime.dependencies if d.name.startswith(OTEL_DISTRO)), None)
    if installed is not None:
        where = f"{installed.path}:{installed.line}" if installed.line else installed.path
        out.note(f"{runtime.name}: {installed.name} {installed.via or 'declared'} ({where})")
        return
    skipped = next((d for d in plan.not_installed if d.name.startswith(OTEL_DISTRO)), None) if plan else None
    files = runtime.dependency_files
    if skipped is not None:
        location = Location(path=skipped.path, line=skipped.line)
        declared = f"{skipped.path}:{skipped.line}" if skipped.line else skipped.path
        detail = f"declared at {declared} but {skipped.via}"
        where = files[0] if files else skipped.path
    elif files:
        where = files[0]
        location = Location(path=where, line=1)
        detail = f"not among the dependencies the build installs ({', '.join(files)})"
    else:
        why = "; ".join(plan.unresolved) if plan and plan.unresolved else ""
        if not why:
            why = (
                f"{runtime.dockerfile.path} installs no Python packages"
                if runtime.dockerfile is not None
                else "no pyproject.toml or requirements.txt"
            )
        out.note(f"{runtime.name}: {why}: cannot check for {OTEL_DISTRO}")
        return
    if where.endswith("pyproject.toml"):
        command = f"cd {posixpath.dirname(where) or '.'} && uv add {OTEL_DISTRO}"
    else:
        command = f"echo {OTEL_DISTRO} >> {where}"
    out.warn(
        f"runtime {runtime.name!r}: {OTEL_DISTRO} is {detail}",
        location,
        subject=runtime.name,
        fix=Fix(
            summary=f"Install {OTEL_DISTRO} with the runtime's dependencies (the CLI scaffold pins "
            f"`{OTEL_DISTRO} ~= 0.18.0`).",
            commands=[command],
        ),
    )


def _log_group_arn(runtime: DeployedRuntime, name: str, account: str | None) -> str:
    return f"arn:aws:logs:{runtime.region}:{account or '*'}:log-group:{name}"


@rule(
    "OBS003",
    "log-retention-unset",
    "medium",
    ("A",),
    "Runtime logs kept forever",
    family="Observability",
    checklist=("obs.retention",),
    aws=("runtimes", "logs"),
    tools=("check_observability",),
)
def log_retention_unset(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Reads the log groups of each deployed runtime
    (`/aws/bedrock-agentcore/runtimes/<runtime-id>-<endpoint>`) and fails for each one
    without a retention policy (`retentionInDays`).

    ### Why is this bad?
    CloudWatch keeps logs forever by default: the cost grows every month, and prompts,
    tool results and user data stay stored far longer than any policy allows.

    ### Example
    `/aws/bedrock-agentcore/runtimes/Demo_Agent-abc123-DEFAULT` with retention "Never expire".

    ### Fix
    `aws logs put-retention-policy --log-group-name /aws/bedrock-agentcore/runtimes/<runtime-id>-DEFAULT
    --retention-in-days 30`.

    ### References
    - agents-harden skill, "Log retention"
    """
    state = facts.aws_gathered("logs")
    if state.runtimes.error is not None:
        return unknown(f"runtimes: {state.runtimes.error.describe()}")
    runtimes = state.runtimes.value or ()
    if not runtimes:
        return not_applicable("no deployed runtime was found (deploy first, or name runtimes with --runtime-arn)")
    unknowns: list[str] = []
    for runtime in runtimes:
        failure = runtime.config.error or runtime.log_groups.error
        if failure is not None:
            unknowns.append(f"{runtime.label}: {failure.describe()}")
            continue
        groups = runtime.log_groups.value or ()
        if not groups:
            out.note(f"{runtime.label}: no log group yet (the runtime has not logged)")
        for group in groups:
            if group.retention_days is None:
                out.fail(
                    f"log group {group.name} of runtime {runtime.label} never expires",
                    Location(arn=_log_group_arn(runtime, group.name, state.account_id), region=runtime.region),
                    subject=runtime.label,
                    fix=Fix(
                        summary="Set a retention policy on the runtime's log group.",
                        commands=[
                            f"aws logs put-retention-policy --log-group-name {group.name} --retention-in-days 30 "
                            f"--region {runtime.region}"
                        ],
                    ),
                )
            else:
                out.note(f"{group.name}: {group.retention_days} days")
    if unknowns and not out.items:
        return unknown("; ".join(unknowns))
    return None


@rule(
    "OBS005",
    "transaction-search-disabled",
    "low",
    ("A",),
    "Transaction Search not enabled",
    family="Observability",
    aws=("xray",),
    tools=("check_observability",),
)
def transaction_search_disabled(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Reads the X-Ray trace segment destination of each region with a reviewed runtime
    (`GetTraceSegmentDestination`) and fails when it is not `CloudWatchLogs`, that is
    when CloudWatch Transaction Search is off.

    ### Why is this bad?
    Without Transaction Search the agent's spans do not appear in the CloudWatch GenAI
    Observability dashboard: traces exist but cannot be searched per session or tool call.

    ### Example
    `{"Destination": "XRay", "Status": "ACTIVE"}`

    ### Fix
    Enable Transaction Search (CloudWatch console, Application Signals, Transaction
    Search), or `aws xray update-trace-segment-destination --destination CloudWatchLogs`
    after granting X-Ray the CloudWatch Logs resource policy.

    ### References
    - agents-debug skill, "CloudWatch logs not appearing" (Transaction Search)
    """
    state = facts.aws_gathered("xray")
    unknowns: list[str] = []
    for name in sorted(state.regions):
        destination = state.regions[name].trace_destination
        if destination.error is not None:
            unknowns.append(f"{name}: {destination.error.describe()}")
        elif destination.value != "CloudWatchLogs":
            out.fail(
                f"{name}: X-Ray sends trace segments to {destination.value}, not CloudWatch Logs: Transaction Search is "
                "off",
                # With Transaction Search on, spans are written to the log group aws/spans.
                Location(arn=f"arn:aws:logs:{name}:{state.account_id or '*'}:log-group:aws/spans", region=name),
                subject=name,
                fix=Fix(
                    summary="Turn on CloudWatch Transaction Search for the region.",
                    commands=[
                        f"aws xray update-trace-segment-destination --destination CloudWatchLogs --region {name}"
                    ],
                ),
            )
        else:
            out.note(f"{name}: Transaction Search on")
    if unknowns and not out.items:
        return unknown("; ".join(unknowns))
    return None


class _DeployedEvaluations:
    """The deployed online evaluation configs per deployed runtime (OBS004's AWS part)."""

    def __init__(self) -> None:
        self.available = False
        self.runtimes: list[tuple[DeployedRuntime, list[OnlineEvaluation]]] = []
        self.unknowns: list[str] = []

    def enabled_for(self, project_runtime: str) -> str | None:
        for runtime, evaluations in self.runtimes:
            if runtime.project_runtime == project_runtime:
                enabled = [e for e in evaluations if (e.execution_status or "").upper() == "ENABLED"]
                if enabled:
                    return enabled[0].name
        return None


def _evaluates(evaluation: OnlineEvaluation, runtime: DeployedRuntime) -> bool:
    name = runtime.name or ""
    if name and any(s == name or s.startswith(name + ".") for s in evaluation.service_names):
        return True
    return bool(runtime.id) and any(runtime.id in group for group in evaluation.log_groups)


def _deployed_evaluations(facts: Facts) -> _DeployedEvaluations:
    result = _DeployedEvaluations()
    view = deployed_runtimes(facts.aws("evals"))
    if view.unavailable is not None:
        return result
    result.available = True
    result.unknowns.extend(view.unknowns)
    aws = facts.aws("evals")
    assert isinstance(aws, AwsFacts)
    for runtime, _config in view.items:
        evaluations = aws.region_facts(runtime.region).online_evaluations
        if evaluations.error is not None:
            result.unknowns.append(f"{runtime.label}: {evaluations.error.describe()}")
            continue
        result.runtimes.append((runtime, [e for e in evaluations.value or () if _evaluates(e, runtime)]))
    return result


def _deployed_evaluation_findings(deployed: _DeployedEvaluations, out: Findings, only_unmatched: bool) -> None:
    for runtime, evaluations in deployed.runtimes:
        if only_unmatched and runtime.project_runtime:
            continue
        enabled = [e for e in evaluations if (e.execution_status or "").upper() == "ENABLED"]
        if enabled:
            out.note(f"{runtime.label} (deployed): {enabled[0].name} ENABLED")
        elif evaluations:
            out.warn(
                f"online evaluation {evaluations[0].name!r} of deployed runtime {runtime.label} is not enabled "
                f"(execution status {evaluations[0].execution_status})",
                runtime.location,
                subject=runtime.label,
                fix=Fix(
                    summary="Enable the online evaluation's execution.",
                    commands=[
                        f"aws bedrock-agentcore-control update-online-evaluation-config --online-evaluation-config-id "
                        f"{evaluations[0].id} --execution-status ENABLED"
                    ],
                ),
            )
        else:
            out.fail(
                f"deployed runtime {runtime.label} has no online evaluation config",
                runtime.location,
                subject=runtime.label,
                fix=Fix(
                    summary="Evaluate the runtime continuously (in the project that deploys it).",
                    commands=[
                        f"agentcore add online-eval --name {runtime.label}_monitor --runtime {runtime.label} "
                        "--evaluator Builtin.Helpfulness --sampling-rate 5",
                        "agentcore deploy",
                    ],
                ),
            )

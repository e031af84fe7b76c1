"""Observability: tracing, log retention and continuous evaluation."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import config_edit, runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, skipped
from agentcore_readiness.facts.project import CLI_CONFIG


@rule(
    "OBS001",
    "tracing-disabled",
    "medium",
    ("P",),
    "Tracing (OpenTelemetry) disabled",
    family="Observability",
    checklist=("obs.xray",),
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
)
def online_eval_missing(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for each runtime that no `onlineEvalConfigs[]` entry evaluates (`agent` equal
    to the runtime's name). Warns when a config exists but is neither enabled on create
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
    if not project.runtimes:
        return not_applicable("the project defines no runtimes")
    if not project.has_cli_config:
        return skipped(
            ".bedrock_agentcore.yaml does not hold online evaluation configs; they can only be read from the AWS API"
        )
    for runtime in project.runtimes:
        configs = [e for e in project.online_evals if e.agent == runtime.name]
        if not configs:
            out.fail(
                f"runtime {runtime.name!r} has no online evaluation config",
                runtime.where.here,
                subject=runtime.name,
                fix=config_edit(
                    CLI_CONFIG,
                    [
                        (
                            "/onlineEvalConfigs/-",
                            {
                                "name": f"{runtime.name}_monitor",
                                "agent": runtime.name,
                                "evaluators": ["Builtin.Helpfulness"],
                                "samplingRate": 5,
                            },
                        )
                    ],
                    f"Evaluate {runtime.name} continuously.",
                    commands=[
                        f"agentcore add online-eval --name {runtime.name}_monitor --runtime {runtime.name} "
                        "--evaluator Builtin.Helpfulness --sampling-rate 5"
                    ],
                    op="add",
                ),
            )
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
    return None

"""Preconditions: the configuration can be read, and which toolchain wrote it."""

from __future__ import annotations

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, passed, rule
from agentcore_readiness.facts.project import CLI_CONFIG, TOOLKIT_CONFIG
from agentcore_readiness.model import Fix, Location


@rule("CFG001", "config-invalid", "high", ("P",), "Project configuration unreadable or invalid", family="Preconditions")
def config_invalid(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Reads `agentcore/agentcore.json` (or `.bedrock_agentcore.yaml`) and validates it
    against the AgentCore CLI schema (versions 1 and 2). Each problem is reported with
    its file, line and JSON pointer; every other check still runs on what could be read.

    ### Why is this bad?
    `agentcore deploy` refuses an invalid file, and a hand-edited field with the wrong
    type or casing is silently ignored by some tools: the deployed agent is then not
    configured the way the file suggests.

    ### Example
    ```json
    {"name": "MyProject", "version": 1, "runtimes": [{"name": "Agent", "build": "Zip"}]}
    ```
    `build` must be `CodeZip` or `Container`; `entrypoint` and `codeLocation` are missing.

    ### Fix
    Correct the field named in the finding, then run `agentcore validate`.

    ### References
    - AgentCore CLI JSON Schema: `https://schema.agentcore.aws.dev/v1/agentcore.json`
    """
    project = facts.project
    for error in project.config_errors:
        out.fail(
            f"{error.source}: {error.message}",
            error.location,
            fix=Fix(
                summary=f"Correct {error.source} where shown, then check it with the CLI.",
                commands=["agentcore validate"] if error.source == CLI_CONFIG else [],
            ),
        )
    if project.config_file:
        out.note(f"{project.config_file} read and valid")
    return passed(out.notes[0]) if not project.config_errors and out.notes else None


@rule(
    "CLI002",
    "legacy-starter-toolkit-config",
    "low",
    ("P",),
    "Project configured only by the deprecated starter toolkit",
    family="Preconditions",
)
def legacy_starter_toolkit_config(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Flags a project configured only by `.bedrock_agentcore.yaml`, the file of the
    deprecated Python starter toolkit. Every check still runs on it.

    ### Why is this bad?
    The starter toolkit is superseded by the AgentCore CLI (`@aws/agentcore`), which owns
    the project in `agentcore/agentcore.json`, validates it and deploys it with CDK. New
    features (gateways, policy engines, online evaluations) are only configurable there.

    ### Example
    A project root with `.bedrock_agentcore.yaml` and no `agentcore/agentcore.json`.

    ### Fix
    Install the AgentCore CLI and import the YAML project:
    `npm install -g @aws/agentcore`, then `agentcore import --source .bedrock_agentcore.yaml`.

    ### References
    - agents-build skill, `references/migrate.md`
    """
    project = facts.project
    if project.has_toolkit_config and not project.has_cli_config:
        out.warn(
            f"{TOOLKIT_CONFIG} is the only configuration: the starter toolkit is deprecated in favour of the "
            "AgentCore CLI",
            Location(path=TOOLKIT_CONFIG, line=1),
            fix=Fix(
                summary="Migrate the project to the AgentCore CLI.",
                commands=["npm install -g @aws/agentcore", f"agentcore import --source {TOOLKIT_CONFIG}"],
            ),
        )
        return None
    if project.has_toolkit_config:
        return passed(f"{CLI_CONFIG} present; {TOOLKIT_CONFIG} is left over and not used by the CLI")
    return passed(f"configured by {CLI_CONFIG}")

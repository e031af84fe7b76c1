"""Preconditions: the configuration can be read, and which toolchain wrote it."""

from __future__ import annotations

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, passed, rule, skipped, unknown
from agentcore_readiness.facts.project.project_facts import CLI_CONFIG, TOOLKIT_CONFIG
from agentcore_readiness.model import Fix, Location


@rule("CFG001", "config-invalid", "high", ("P",), "Project configuration unreadable or invalid", family="Preconditions")
def config_invalid(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Reads `agentcore/agentcore.json` (or `.bedrock_agentcore.yaml`) and validates it
    against the AgentCore CLI schema (versions 1 and 2), including what the schema states
    in words: lifecycle values within 60-28,800 s with the idle timeout at most the
    maximum lifetime, and authorizer values from the schema's enums (a YAML
    `authorizer_configuration` is `null`, `NONE` or a `customJWTAuthorizer` mapping).
    Each problem is reported with its file, line and JSON pointer; every other check
    still runs on what could be read.

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
    from agentcore_readiness.checks.sessions.lifecycle import lifecycle_problems

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
    for runtime in project.runtimes:
        for problem in lifecycle_problems(runtime):
            out.fail(
                f"{runtime.where.file}: {problem.message} (the {'CLI' if runtime.source == CLI_CONFIG else 'toolkit'} "
                "refuses to deploy it; SESS008 reports it for the session lifecycle)",
                problem.location,
                subject=runtime.name,
                fix=problem.fix,
            )
    if project.config_file and not out.items:
        return passed(f"{project.config_file} read and valid")
    return None


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


MIN_CLI_VERSION = (0, 9, 0)
_UPDATE = "agentcore update"
_INSTALL = "npm install -g @aws/agentcore"


@rule(
    "CLI001",
    "cli-outdated",
    "medium",
    ("X",),
    "AgentCore CLI outdated or shadowed",
    family="Preconditions",
    measures=("cli",),
)
def cli_outdated(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Finds every `agentcore` executable on `PATH` and reads its version from the npm
    package's `package.json` through the executable's resolved path (only when that is
    not possible does it run `agentcore --version`, time-boxed). Fails when the AgentCore
    CLI is older than 0.9.0, or when the `agentcore` that runs first is the Python
    starter toolkit, which shadows the CLI (or stands in for it). With no `agentcore` at
    all the rule is skipped.

    ### Why is this bad?
    The skill's commands (`agentcore add … --idle-timeout`, `agentcore validate`,
    `agentcore deploy`) need CLI 0.9.0 or later. The deprecated starter toolkit installs
    a Python command of the same name with different subcommands: whichever comes first
    on `PATH` runs, so the fixes in this report would call the wrong tool.

    ### Example
    `which agentcore` → `~/.venv/bin/agentcore` (bedrock-agentcore-starter-toolkit 0.3.14)
    ahead of `/usr/local/bin/agentcore` (@aws/agentcore).

    ### Fix
    `agentcore update` (or `npm install -g @aws/agentcore`); remove the toolkit with
    `pip uninstall bedrock-agentcore-starter-toolkit`, or put the npm bin directory first
    on `PATH`.

    ### References
    - agents-harden skill, Step 0 (Verify CLI version); agents-debug skill, `references/doctor.md`
    """
    measured = facts.measured
    if measured is None or measured.cli is None:
        return unknown("the installed CLI was not looked up")
    cli = measured.cli
    first = cli.first
    if first is None:
        if cli.installed_not_on_path is not None:
            found = cli.installed_not_on_path
            out.warn(
                f"@aws/agentcore {found.version or ''} is installed at {found.path} but no `agentcore` is on PATH",
                fix=Fix(
                    summary="Add the npm global bin directory to PATH (`npm prefix -g`/bin).",
                    commands=["npm prefix -g"],
                ),
            )
            return None
        return skipped("no `agentcore` command on PATH (the AgentCore CLI is not installed here)")
    if first.kind == "starter-toolkit":
        npm = cli.cli
        version = f" {first.version}" if first.version else ""
        if npm is not None:
            message = (
                f"the `agentcore` that runs first ({first.path}) is the Python starter toolkit{version}; it shadows "
                f"the AgentCore CLI at {npm.path}"
            )
        else:
            message = (
                f"the only `agentcore` on PATH ({first.path}) is the deprecated Python starter toolkit{version}, not "
                "the AgentCore CLI"
            )
        out.fail(
            message,
            evidence=first.resolved,
            fix=Fix(
                summary="Remove the starter toolkit (or put the npm bin directory first on PATH) and use the "
                "AgentCore CLI.",
                commands=["pip uninstall bedrock-agentcore-starter-toolkit", _INSTALL],
            ),
        )
        return None
    target = first if first.kind == "cli" else (cli.cli or first)
    if target.version is None:
        return unknown(
            f"the version of {target.path} could not be read" + (f" ({target.error})" if target.error else "")
        )
    from agentcore_readiness.facts.measure.measurements import parse_version

    parsed = parse_version(target.version)
    if parsed is None:
        return unknown(f"{target.path} reports an unreadable version {target.version!r}")
    if parsed < MIN_CLI_VERSION:
        out.fail(
            f"AgentCore CLI {target.version} at {target.path} is older than {'.'.join(map(str, MIN_CLI_VERSION))}",
            evidence=f"{target.version} (from {target.version_source})",
            fix=Fix(summary="Update the AgentCore CLI.", commands=[_UPDATE]),
        )
        return None
    return passed(f"AgentCore CLI {target.version} at {target.path} (from {target.version_source})")

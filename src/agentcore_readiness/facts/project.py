"""Project facts: find AgentCore projects and read their configuration into frozen data.

Both layouts are understood and normalised into the same shapes (:class:`Runtime`,
:class:`Gateway`, ...):

* the AgentCore CLI's ``agentcore/agentcore.json`` (versions 1 and 2) with
  ``agentcore/.cli/deployed-state.json``, ``agentcore/aws-targets.json`` and
  ``agentcore/.gitignore``;
* the starter toolkit's ``.bedrock_agentcore.yaml`` (single- and multi-agent files).

Invalid input never raises: it becomes a :class:`~agentcore_readiness.model.FactError`
with the file and line (or JSON pointer), and everything that can still be read is.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agentcore_readiness.facts.files import (
    SKIP_DIRS,
    FileReadError,
    TextFile,
    exists,
    is_dir,
    is_file,
    read_text,
    rel_posix,
)
from agentcore_readiness.facts.jsonloc import JsonLoadError, LocatedJson, loads_located, pointer
from agentcore_readiness.model import FactError, Location

CLI_CONFIG = "agentcore/agentcore.json"
DEPLOYED_STATE = "agentcore/.cli/deployed-state.json"
AWS_TARGETS = "agentcore/aws-targets.json"
AGENTCORE_GITIGNORE = "agentcore/.gitignore"
ENV_LOCAL = "agentcore/.env.local"
TOOLKIT_CONFIG = ".bedrock_agentcore.yaml"

DISCOVERY_MAX_DEPTH = 5

# ---------------------------------------------------------------------------
# Normalised facts


@dataclass(frozen=True, eq=False)
class Located:
    """A place in a config file: a file and JSON pointer, resolved to a line on demand."""

    file: str
    base: str
    lines: Mapping[str, int] = field(default_factory=dict, repr=False)

    def at(self, *tokens: str | int) -> Location:
        ptr = self.base + pointer(*tokens)
        line = _line_of(self.lines, ptr)
        return Location(path=self.file, line=line, pointer=ptr or "/")

    @property
    def here(self) -> Location:
        return self.at()


def _line_of(lines: Mapping[str, int], ptr: str) -> int | None:
    current = ptr
    while True:
        if current in lines:
            return lines[current]
        if not current:
            return None
        current = current.rsplit("/", 1)[0]


@dataclass(frozen=True)
class JwtAuthorizer:
    discovery_url: str | None
    allowed_audience: tuple[str, ...]
    allowed_clients: tuple[str, ...]
    allowed_scopes: tuple[str, ...]
    custom_claims: tuple[Mapping[str, Any], ...]
    key: str
    """The key it was found under: ``customJwtAuthorizer`` (agentcore.json) or
    ``customJWTAuthorizer`` (YAML and API)."""


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None
    location: Location


@dataclass(frozen=True)
class DockerInstruction:
    keyword: str
    args: str
    line: int


@dataclass(frozen=True)
class Dockerfile:
    path: str
    instructions: tuple[DockerInstruction, ...]

    @property
    def stages(self) -> tuple[DockerInstruction, ...]:
        return tuple(i for i in self.instructions if i.keyword == "FROM")

    @property
    def final_command(self) -> DockerInstruction | None:
        last: DockerInstruction | None = None
        for instruction in self.instructions:
            if instruction.keyword in ("CMD", "ENTRYPOINT"):
                last = instruction
        return last

    def env(self) -> list[tuple[str, str, int]]:
        found: list[tuple[str, str, int]] = []
        for instruction in self.instructions:
            if instruction.keyword in ("ENV", "ARG"):
                found.extend((name, value, instruction.line) for name, value in _parse_env_args(instruction.args))
        return found


@dataclass(frozen=True)
class DockerIgnore:
    path: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Dependency:
    name: str
    """Normalised distribution name (PEP 503)."""
    spec: str
    path: str
    line: int | None


@dataclass(frozen=True)
class Runtime:
    name: str
    source: str
    where: Located
    build: str | None
    entrypoint: str | None
    code_location: str | None
    """Project-relative, ``/``-separated, no trailing slash (``.`` for the root)."""
    protocol: str | None
    authorizer_type: str | None
    """As written; ``None`` when absent (which means AWS_IAM)."""
    jwt: JwtAuthorizer | None
    idle_timeout: int | None
    max_lifetime: int | None
    network_mode: str | None
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    vpc_id: str | None
    enable_otel: bool | None
    env_vars: tuple[EnvVar, ...]
    execution_role_arn: str | None
    additional_policies: tuple[str, ...]
    connections: tuple[Mapping[str, Any], ...]
    request_header_allowlist: tuple[str, ...]
    dockerfile: Dockerfile | None
    dockerignore: DockerIgnore | None
    dependencies: tuple[Dependency, ...]
    dependency_files: tuple[str, ...]
    fields: Mapping[str, str]
    """Logical field name -> pointer suffix in this runtime's source format."""
    deployed_arn: str | None = None
    deployed_id: str | None = None
    deployed_role_arn: str | None = None
    api_key_env_var_name: str | None = None
    region: str | None = None
    account: str | None = None
    code_entries: tuple[str, ...] = ()
    """Names directly inside ``code_location`` (directories end with ``/``)."""

    @property
    def effective_authorizer(self) -> str:
        if self.authorizer_type:
            return self.authorizer_type
        return "CUSTOM_JWT" if self.jwt else "AWS_IAM"

    @property
    def is_container(self) -> bool:
        return (self.build or "").lower() == "container"

    def loc(self, logical_field: str) -> Location:
        suffix = self.fields.get(logical_field, "")
        return Location(
            path=self.where.file,
            line=_line_of(self.where.lines, self.where.base + suffix),
            pointer=self.where.base + suffix,
        )


@dataclass(frozen=True)
class GatewayTarget:
    name: str
    target_type: str | None
    endpoint: str | None
    outbound_auth_type: str | None
    credential_name: str | None
    tool_count: int
    lambda_arn: str | None
    where: Located


@dataclass(frozen=True)
class Gateway:
    name: str
    authorizer_type: str | None
    """As written; ``None`` when absent, which the CLI deploys as NONE."""
    jwt: JwtAuthorizer | None
    exception_level: str | None
    targets: tuple[GatewayTarget, ...]
    policy_engine_name: str | None
    policy_engine_mode: str | None
    where: Located


@dataclass(frozen=True)
class MemoryStrategy:
    type: str
    has_reflection_templates: bool
    where: Located


@dataclass(frozen=True)
class Memory:
    name: str
    strategies: tuple[MemoryStrategy, ...]
    mode: str | None
    """YAML memory mode (NO_MEMORY, STM_ONLY, STM_AND_LTM); ``None`` for agentcore.json."""
    where: Located
    deployed_id: str | None = None


@dataclass(frozen=True)
class Credential:
    name: str
    type: str | None
    where: Located


@dataclass(frozen=True)
class OnlineEval:
    name: str
    agent: str | None
    enable_on_create: bool | None
    evaluators: tuple[str, ...]
    deployed_status: str | None
    where: Located


@dataclass(frozen=True)
class Policy:
    name: str
    enforcement_mode: str | None
    where: Located


@dataclass(frozen=True)
class PolicyEngine:
    name: str
    policies: tuple[Policy, ...]
    where: Located


@dataclass(frozen=True)
class ToolSettings:
    """``[tool.agentcore-readiness]`` in the project's ``pyproject.toml``."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    workload: str | None = None
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectFacts:
    root: Path
    display_path: str
    name: str
    layout: str
    config_file: str | None
    runtimes: tuple[Runtime, ...] = ()
    gateways: tuple[Gateway, ...] = ()
    memories: tuple[Memory, ...] = ()
    credentials: tuple[Credential, ...] = ()
    online_evals: tuple[OnlineEval, ...] = ()
    policy_engines: tuple[PolicyEngine, ...] = ()
    harnesses: tuple[str, ...] = ()
    errors: tuple[FactError, ...] = ()
    config_errors: tuple[FactError, ...] = ()
    """Errors that make the configuration itself invalid (CFG001)."""
    has_cli_config: bool = False
    has_toolkit_config: bool = False
    deployed_state: Mapping[str, Any] | None = None
    aws_targets: tuple[Mapping[str, Any], ...] = ()
    gitignore_path: str | None = None
    gitignore_patterns: tuple[str, ...] | None = None
    env_local_exists: bool = False
    env_local_tracked: bool | None = None
    env_local_tracked_error: str | None = None
    settings: ToolSettings = field(default_factory=ToolSettings)
    toolkit_credential_providers: tuple[str, ...] = ()

    @property
    def agent_names(self) -> list[str]:
        return [r.name for r in self.runtimes]


# ---------------------------------------------------------------------------
# Discovery


class ProjectNotFound(Exception):
    """The path holds no AgentCore project."""


def is_project_root(path: Path) -> bool:
    return is_file(path / CLI_CONFIG) or is_file(path / TOOLKIT_CONFIG)


def discover_projects(target: Path) -> list[Path]:
    """Project roots for ``target``: the project containing it, or every project below it.

    Raises FileNotFoundError when ``target`` does not exist and :class:`ProjectNotFound`
    when no project is found.
    """
    if not exists(target):
        raise FileNotFoundError(f"{target}: no such file or directory")
    start = target if is_dir(target) else target.parent
    probe = start.resolve()
    for candidate in (probe, *probe.parents):
        if is_project_root(candidate):
            if candidate == probe or not is_dir(target):
                return [candidate]
            break
        if candidate.name == "agentcore" and is_file(candidate / "agentcore.json"):
            return [candidate.parent]
        if exists(candidate / ".git"):
            break
    found: list[Path] = []
    _find_below(probe, probe, 0, found)
    if not found:
        raise ProjectNotFound(
            f"{target}: no AgentCore project found (looked for {CLI_CONFIG} and {TOOLKIT_CONFIG} "
            f"up to {DISCOVERY_MAX_DEPTH} levels down)"
        )
    return found


def _find_below(root: Path, directory: Path, depth: int, found: list[Path]) -> None:
    if depth > DISCOVERY_MAX_DEPTH:
        return
    if is_project_root(directory):
        found.append(directory)
        return
    try:
        children = sorted(p for p in directory.iterdir() if is_dir(p) and not p.is_symlink())
    except OSError:
        return
    for child in children:
        if child.name in SKIP_DIRS or child.name.startswith("."):
            continue
        _find_below(root, child, depth + 1, found)


# ---------------------------------------------------------------------------
# Loading


class _Loader:
    def __init__(self, root: Path, display_path: str) -> None:
        self.root = root
        self.display_path = display_path
        self.errors: list[FactError] = []
        self.config_errors: list[FactError] = []

    # -- error helpers
    def error(
        self, source: str, message: str, line: int | None = None, ptr: str | None = None, config: bool = False
    ) -> None:
        err = FactError(source=source, message=message, location=Location(path=source, line=line, pointer=ptr))
        (self.config_errors if config else self.errors).append(err)

    def read(self, rel: str, config: bool = False) -> TextFile | None:
        path = self.root / rel
        if not exists(path):
            return None
        try:
            return read_text(self.root, path)
        except FileReadError as exc:
            self.error(exc.rel_path, exc.message, exc.line, config=config)
            return None

    def read_json(self, rel: str, config: bool = False) -> LocatedJson | None:
        text_file = self.read(rel, config=config)
        if text_file is None:
            return None
        try:
            return loads_located(text_file.text)
        except JsonLoadError as exc:
            where = f" at line {exc.line}, column {exc.column}" if exc.line else ""
            self.error(rel, f"{exc.message}{where}", exc.line, config=config)
            return None


def load_project(root: Path, display_path: str | None = None) -> ProjectFacts:
    root = root.resolve()
    loader = _Loader(root, display_path or str(root))
    settings = _load_tool_settings(loader)
    cli_doc = loader.read_json(CLI_CONFIG, config=True) if exists(root / CLI_CONFIG) else None
    has_cli = exists(root / CLI_CONFIG)
    has_toolkit = exists(root / TOOLKIT_CONFIG)

    parts: dict[str, Any] = {}
    name = root.name
    layout = "unknown"
    config_file: str | None = None
    if has_cli:
        layout = "agentcore-cli"
        config_file = CLI_CONFIG
        if cli_doc is not None:
            parts = _from_cli(loader, cli_doc)
            name = parts.pop("name", None) or name
    elif has_toolkit:
        layout = "starter-toolkit"
        config_file = TOOLKIT_CONFIG
        parts = _from_toolkit(loader)
        name = parts.pop("name", None) or name

    gitignore_patterns: tuple[str, ...] | None = None
    gitignore_path: str | None = None
    env_local_exists = False
    env_local_tracked: bool | None = None
    tracked_error: str | None = None
    if has_cli:
        gitignore = loader.read(AGENTCORE_GITIGNORE)
        if gitignore is not None:
            gitignore_path = AGENTCORE_GITIGNORE
            gitignore_patterns = tuple(
                line.strip() for line in gitignore.text.splitlines() if line.strip() and not line.startswith("#")
            )
        env_local_exists = exists(root / ENV_LOCAL)
        if env_local_exists:
            env_local_tracked, tracked_error = _git_tracks(root, ENV_LOCAL)

    return ProjectFacts(
        root=root,
        display_path=loader.display_path,
        name=name,
        layout=layout,
        config_file=config_file,
        errors=tuple(loader.errors),
        config_errors=tuple(loader.config_errors),
        has_cli_config=has_cli,
        has_toolkit_config=has_toolkit,
        gitignore_path=gitignore_path,
        gitignore_patterns=gitignore_patterns,
        env_local_exists=env_local_exists,
        env_local_tracked=env_local_tracked,
        env_local_tracked_error=tracked_error,
        settings=settings,
        **parts,
    )


def _git_tracks(root: Path, rel: str) -> tuple[bool | None, str | None]:
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["git", "-C", str(root), "ls-files", "--error-unmatch", "--", rel],  # noqa: S607 - git from PATH
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"git could not be run: {exc}"
    if result.returncode == 0:
        return True, None
    stderr = result.stderr.decode("utf-8", "replace")
    if "not a git repository" in stderr:
        return None, "the project is not a git repository"
    return False, None


def _load_tool_settings(loader: _Loader) -> ToolSettings:
    if not is_file(loader.root / "pyproject.toml"):
        return ToolSettings()
    text_file = loader.read("pyproject.toml")
    if text_file is None:
        return ToolSettings()
    try:
        data = tomllib.loads(text_file.text)
    except tomllib.TOMLDecodeError as exc:
        loader.error("pyproject.toml", f"not valid TOML: {exc}")
        return ToolSettings()
    section = data.get("tool", {}).get("agentcore-readiness")
    if not isinstance(section, dict):
        return ToolSettings()

    def codes(key: str) -> tuple[str, ...]:
        value = section.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            loader.error("pyproject.toml", f"[tool.agentcore-readiness] {key} must be a list of strings")
            return ()
        return tuple(v.strip() for v in value)

    workload = section.get("workload")
    return ToolSettings(
        select=codes("select"),
        ignore=codes("ignore"),
        workload=workload if isinstance(workload, str) else None,
        exclude=codes("exclude"),
    )


# -- value accessors that never raise on wrong types (schema errors are reported separately)


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _declared(value: Any) -> str | None:
    """A field as written: ``None`` when absent, its text when it is not a string (an invalid value)."""
    if value is None or isinstance(value, str):
        return value
    return repr(value)


def _i(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _b(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _d(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _items(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    if isinstance(value, list):
        return [(i, v) for i, v in enumerate(value) if isinstance(v, Mapping)]
    return []


def _jwt(config: Mapping[str, Any], *keys: str) -> JwtAuthorizer | None:
    for key in keys:
        raw = config.get(key)
        if isinstance(raw, Mapping):
            return JwtAuthorizer(
                discovery_url=_s(raw.get("discoveryUrl")),
                allowed_audience=_strs(raw.get("allowedAudience")),
                allowed_clients=_strs(raw.get("allowedClients")),
                allowed_scopes=_strs(raw.get("allowedScopes")),
                custom_claims=tuple(v for _, v in _items(raw.get("customClaims"))),
                key=key,
            )
    return None


def _norm_code_location(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.strip().replace("\\", "/").strip("/")
    while cleaned.startswith("./"):
        cleaned = cleaned[2:]
    return cleaned or "."


_CLI_FIELDS: dict[str, str] = {
    "name": "/name",
    "build": "/build",
    "entrypoint": "/entrypoint",
    "codeLocation": "/codeLocation",
    "authorizerType": "/authorizerType",
    "authorizer": "/authorizerConfiguration",
    "jwt": "/authorizerConfiguration/customJwtAuthorizer",
    "lifecycle": "/lifecycleConfiguration",
    "idle": "/lifecycleConfiguration/idleRuntimeSessionTimeout",
    "maxLifetime": "/lifecycleConfiguration/maxLifetime",
    "networkMode": "/networkMode",
    "subnets": "/networkConfig/subnets",
    "otel": "/instrumentation/enableOtel",
    "envVars": "/envVars",
    "protocol": "/protocol",
    "executionRoleArn": "/executionRoleArn",
}

_YAML_FIELDS: dict[str, str] = {
    "name": "/name",
    "build": "/deployment_type",
    "entrypoint": "/entrypoint",
    "codeLocation": "/source_path",
    "authorizerType": "/authorizer_configuration",
    "authorizer": "/authorizer_configuration",
    "jwt": "/authorizer_configuration/customJWTAuthorizer",
    "lifecycle": "/aws/lifecycle_configuration",
    "idle": "/aws/lifecycle_configuration/idle_runtime_session_timeout",
    "maxLifetime": "/aws/lifecycle_configuration/max_lifetime",
    "networkMode": "/aws/network_configuration/network_mode",
    "subnets": "/aws/network_configuration/network_mode_config/subnets",
    "otel": "/aws/observability/enabled",
    "envVars": "/api_key_env_var_name",
    "protocol": "/aws/protocol_configuration/server_protocol",
    "executionRoleArn": "/aws/execution_role",
}


def _schema_errors(loader: _Loader, doc: LocatedJson) -> None:
    from agentcore_readiness.facts.schema import AgentCoreProject

    raw = doc.value
    if not isinstance(raw, Mapping):
        loader.error(CLI_CONFIG, f"the top level must be a JSON object, not {type(raw).__name__}", 1, "/", config=True)
        return
    version = raw.get("version")
    if version not in (1, 2):
        loader.error(
            CLI_CONFIG,
            f"unsupported 'version' {version!r}: this tool reads versions 1 and 2; "
            "other fields are read on a best-effort basis",
            doc.line_of("/version") or 1,
            "/version",
            config=True,
        )
    try:
        AgentCoreProject.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False, include_input=False)[:50]:
            loc = [
                p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "list[", "literal[")))
            ]
            if loc and loc[0] == "version":
                continue
            ptr = pointer(*loc)
            loader.error(CLI_CONFIG, f"{ptr or '/'}: {err['msg']}", doc.line_of(ptr), ptr or "/", config=True)


def _from_cli(loader: _Loader, doc: LocatedJson) -> dict[str, Any]:
    _schema_errors(loader, doc)
    raw = _d(doc.value)
    lines = doc.lines

    def located(*tokens: str | int) -> Located:
        return Located(CLI_CONFIG, pointer(*tokens), lines)

    deployed = _load_deployed_state(loader)
    deployed_runtimes, deployed_memories, deployed_evals = _deployed_resources(deployed)
    targets = _load_aws_targets(loader)
    region = _s(targets[0].get("region")) if targets else None
    account = _s(targets[0].get("account")) if targets else None

    runtimes: list[Runtime] = []
    for index, item in _items(raw.get("runtimes")):
        name = _s(item.get("name")) or f"runtime[{index}]"
        code_location = _norm_code_location(_s(item.get("codeLocation")))
        network = _d(item.get("networkConfig"))
        lifecycle = _d(item.get("lifecycleConfiguration"))
        where = located("runtimes", index)
        env_vars = tuple(
            EnvVar(name=_s(ev.get("name")) or "", value=_s(ev.get("value")), location=where.at("envVars", i, "name"))
            for i, ev in _items(item.get("envVars"))
        )
        dep = deployed_runtimes.get(name, {})
        build = _s(item.get("build"))
        dockerfile, dockerignore = _container_files(loader, code_location, _s(item.get("dockerfile")), build)
        deps, dep_files = _dependencies(loader, code_location)
        runtimes.append(
            Runtime(
                name=name,
                source=CLI_CONFIG,
                where=where,
                build=build,
                entrypoint=_s(item.get("entrypoint")),
                code_location=code_location,
                protocol=_s(item.get("protocol")),
                authorizer_type=_s(item.get("authorizerType")),
                jwt=_jwt(_d(item.get("authorizerConfiguration")), "customJwtAuthorizer", "customJWTAuthorizer"),
                idle_timeout=_i(lifecycle.get("idleRuntimeSessionTimeout")),
                max_lifetime=_i(lifecycle.get("maxLifetime")),
                network_mode=_s(item.get("networkMode")),
                subnets=_strs(network.get("subnets")),
                security_groups=_strs(network.get("securityGroups")),
                vpc_id=_s(network.get("vpcId")),
                enable_otel=_b(_d(item.get("instrumentation")).get("enableOtel")),
                env_vars=env_vars,
                execution_role_arn=_s(item.get("executionRoleArn")),
                additional_policies=_strs(item.get("additionalPolicies")),
                connections=tuple(v for _, v in _items(item.get("connections"))),
                request_header_allowlist=_strs(item.get("requestHeaderAllowlist")),
                dockerfile=dockerfile,
                dockerignore=dockerignore,
                dependencies=deps,
                dependency_files=dep_files,
                fields=_CLI_FIELDS,
                deployed_arn=_s(dep.get("runtimeArn")),
                deployed_id=_s(dep.get("runtimeId")),
                deployed_role_arn=_s(dep.get("roleArn")),
                region=region,
                account=account,
                code_entries=_code_entries(loader.root, code_location),
            )
        )

    gateways: list[Gateway] = []
    for index, item in _items(raw.get("agentCoreGateways")):
        where = located("agentCoreGateways", index)
        targets_: list[GatewayTarget] = []
        for t_index, target in _items(item.get("targets")):
            outbound = _d(target.get("outboundAuth"))
            tools = target.get("toolDefinitions")
            targets_.append(
                GatewayTarget(
                    name=_s(target.get("name")) or f"target[{t_index}]",
                    target_type=_s(target.get("targetType")),
                    endpoint=_s(target.get("endpoint")),
                    outbound_auth_type=_s(outbound.get("type")),
                    credential_name=_s(outbound.get("credentialName")),
                    tool_count=len(tools) if isinstance(tools, list) else 0,
                    lambda_arn=_s(target.get("lambdaFunctionArn")) or _s(_d(target.get("compute")).get("lambdaArn")),
                    where=located("agentCoreGateways", index, "targets", t_index),
                )
            )
        engine = _d(item.get("policyEngineConfiguration"))
        gateways.append(
            Gateway(
                name=_s(item.get("name")) or f"gateway[{index}]",
                authorizer_type=_declared(item.get("authorizerType")),
                jwt=_jwt(_d(item.get("authorizerConfiguration")), "customJwtAuthorizer", "customJWTAuthorizer"),
                exception_level=_s(item.get("exceptionLevel")),
                targets=tuple(targets_),
                policy_engine_name=_s(engine.get("policyEngineName")),
                policy_engine_mode=_s(engine.get("mode")),
                where=where,
            )
        )

    memories = tuple(
        Memory(
            name=_s(item.get("name")) or f"memory[{index}]",
            strategies=tuple(
                MemoryStrategy(
                    type=_s(strategy.get("type")) or "",
                    has_reflection_templates=bool(_strs(strategy.get("reflectionNamespaceTemplates"))),
                    where=located("memories", index, "strategies", s_index),
                )
                for s_index, strategy in _items(item.get("strategies"))
            ),
            mode=None,
            where=located("memories", index),
            deployed_id=_s(deployed_memories.get(_s(item.get("name")) or "", {}).get("memoryId")),
        )
        for index, item in _items(raw.get("memories"))
    )
    credentials = tuple(
        Credential(
            name=_s(item.get("name")) or "", type=_s(item.get("authorizerType")), where=located("credentials", i)
        )
        for i, item in _items(raw.get("credentials"))
    )
    online_evals = tuple(
        OnlineEval(
            name=_s(item.get("name")) or f"onlineEvalConfig[{i}]",
            agent=_s(item.get("agent")),
            enable_on_create=_b(item.get("enableOnCreate")),
            evaluators=_strs(item.get("evaluators")),
            deployed_status=_s(deployed_evals.get(_s(item.get("name")) or "", {}).get("executionStatus")),
            where=located("onlineEvalConfigs", i),
        )
        for i, item in _items(raw.get("onlineEvalConfigs"))
    )
    policy_engines = tuple(
        PolicyEngine(
            name=_s(item.get("name")) or f"policyEngine[{i}]",
            policies=tuple(
                Policy(
                    name=_s(policy.get("name")) or f"policy[{p}]",
                    enforcement_mode=_s(policy.get("enforcementMode")),
                    where=located("policyEngines", i, "policies", p),
                )
                for p, policy in _items(item.get("policies"))
            ),
            where=located("policyEngines", i),
        )
        for i, item in _items(raw.get("policyEngines"))
    )
    harnesses = tuple(_s(h.get("name")) or "" for _, h in _items(raw.get("harnesses")))
    return {
        "name": _s(raw.get("name")),
        "runtimes": tuple(runtimes),
        "gateways": tuple(gateways),
        "memories": memories,
        "credentials": credentials,
        "online_evals": online_evals,
        "policy_engines": policy_engines,
        "harnesses": harnesses,
        "deployed_state": deployed,
        "aws_targets": targets,
    }


def _code_entries(root: Path, code_location: str | None) -> tuple[str, ...]:
    if code_location is None:
        return ()
    directory = root if code_location == "." else root / code_location
    try:
        if not is_dir(directory) or not directory.resolve().is_relative_to(root):
            return ()
        return tuple(sorted(p.name + ("/" if is_dir(p) else "") for p in directory.iterdir()))
    except OSError:
        return ()


def _load_deployed_state(loader: _Loader) -> Mapping[str, Any] | None:
    if not exists(loader.root / DEPLOYED_STATE):
        return None
    doc = loader.read_json(DEPLOYED_STATE)
    if doc is None:
        return None
    if not isinstance(doc.value, Mapping) or not isinstance(doc.value.get("targets", {}), Mapping):
        loader.error(DEPLOYED_STATE, "expected an object with a 'targets' object", 1, "/targets")
        return None
    return doc.value


def _deployed_resources(
    deployed: Mapping[str, Any] | None,
) -> tuple[dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]]]:
    runtimes: dict[str, Mapping[str, Any]] = {}
    memories: dict[str, Mapping[str, Any]] = {}
    evals: dict[str, Mapping[str, Any]] = {}
    if not deployed:
        return runtimes, memories, evals
    for target in _d(deployed.get("targets")).values():
        resources = _d(_d(target).get("resources"))
        for key, sink in (("runtimes", runtimes), ("memories", memories), ("onlineEvalConfigs", evals)):
            for name, value in _d(resources.get(key)).items():
                if isinstance(value, Mapping):
                    sink.setdefault(name, value)
    return runtimes, memories, evals


def _load_aws_targets(loader: _Loader) -> tuple[Mapping[str, Any], ...]:
    if not exists(loader.root / AWS_TARGETS):
        return ()
    doc = loader.read_json(AWS_TARGETS)
    if doc is None:
        return ()
    if not isinstance(doc.value, list):
        loader.error(AWS_TARGETS, "expected a JSON array of deployment targets", 1, "/")
        return ()
    return tuple(v for _, v in _items(doc.value))


# -- Dockerfile, .dockerignore, dependencies


def _container_files(
    loader: _Loader,
    code_location: str | None,
    dockerfile_name: str | None,
    build: str | None,
    extra_dirs: Sequence[str] = (),
) -> tuple[Dockerfile | None, DockerIgnore | None]:
    if code_location is None:
        return None, None
    dirs = [*extra_dirs, code_location]
    dockerfile: Dockerfile | None = None
    dockerignore: DockerIgnore | None = None
    for directory in dirs:
        base = "" if directory == "." else directory + "/"
        if dockerfile is None:
            rel = base + (dockerfile_name or "Dockerfile")
            text_file = loader.read(rel) if exists(loader.root / rel) else None
            if text_file is not None:
                dockerfile = Dockerfile(path=rel, instructions=parse_dockerfile(text_file.text))
        if dockerignore is None:
            rel = base + ".dockerignore"
            text_file = loader.read(rel) if exists(loader.root / rel) else None
            if text_file is not None:
                patterns = tuple(
                    line.strip() for line in text_file.text.splitlines() if line.strip() and not line.startswith("#")
                )
                dockerignore = DockerIgnore(path=rel, patterns=patterns)
    return dockerfile, dockerignore


def parse_dockerfile(text: str) -> tuple[DockerInstruction, ...]:
    instructions: list[DockerInstruction] = []
    buffer: list[str] = []
    start_line = 0
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip()
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue
        if not buffer:
            start_line = number
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        joined = " ".join(part.strip() for part in buffer).strip()
        buffer = []
        keyword, _, args = joined.partition(" ")
        instructions.append(DockerInstruction(keyword.upper(), args.strip(), start_line))
    if buffer:
        joined = " ".join(part.strip() for part in buffer).strip()
        keyword, _, args = joined.partition(" ")
        instructions.append(DockerInstruction(keyword.upper(), args.strip(), start_line))
    return tuple(instructions)


def _parse_env_args(args: str) -> list[tuple[str, str]]:
    args = args.strip()
    if not args:
        return []
    if "=" not in args.split(" ", 1)[0]:
        name, _, value = args.partition(" ")
        return [(name, value.strip())]
    pairs: list[tuple[str, str]] = []
    for match in re.finditer(r'([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|\'[^\']*\'|\S*))?', args):
        value = match.group(2) or ""
        pairs.append((match.group(1), value.strip("\"'")))
    return pairs


_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_TOML_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'([^\'\n]*)\'')


def _string_lines(text: str) -> dict[str, int]:
    """The line of the first one-line string literal holding each value, from one pass
    (looking each dependency up line by line would be quadratic in the file's size)."""
    found: dict[str, int] = {}
    line = 1
    position = 0
    for match in _TOML_STRING.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        value = match.group(1) if match.group(1) is not None else match.group(2)
        if match.group(1) is not None and "\\" in value:
            try:
                value = tomllib.loads(f"v = {match.group(0)}")["v"]
            except tomllib.TOMLDecodeError:
                continue
        found.setdefault(value, line)
    return found


def _dependencies(loader: _Loader, code_location: str | None) -> tuple[tuple[Dependency, ...], tuple[str, ...]]:
    if code_location is None:
        return (), ()
    base = "" if code_location == "." else code_location + "/"
    deps: list[Dependency] = []
    files: list[str] = []
    pyproject_rel = base + "pyproject.toml"
    if is_file(loader.root / pyproject_rel):
        text_file = loader.read(pyproject_rel)
        if text_file is not None:
            try:
                data = tomllib.loads(text_file.text)
            except tomllib.TOMLDecodeError as exc:
                loader.error(pyproject_rel, f"not valid TOML: {exc}")
                data = {}
            listed = _d(data.get("project")).get("dependencies", [])
            if isinstance(listed, list):
                files.append(pyproject_rel)
                string_lines = _string_lines(text_file.text)
                for spec in listed:
                    if not isinstance(spec, str):
                        continue
                    match = _REQ_NAME.match(spec)
                    if not match:
                        continue
                    found_at = string_lines.get(spec)
                    deps.append(Dependency(normalize_dist(match.group(1)), spec, pyproject_rel, found_at))
    requirements_rel = base + "requirements.txt"
    if is_file(loader.root / requirements_rel):
        text_file = loader.read(requirements_rel)
        if text_file is not None:
            files.append(requirements_rel)
            for number, line in enumerate(text_file.text.splitlines(), start=1):
                stripped = line.split("#", 1)[0].strip()
                if not stripped or stripped.startswith("-"):
                    continue
                match = _REQ_NAME.match(stripped)
                if match:
                    deps.append(Dependency(normalize_dist(match.group(1)), stripped, requirements_rel, number))
    return tuple(deps), tuple(files)


# -- starter toolkit YAML


def _load_yaml(loader: _Loader) -> tuple[Any, dict[str, int]] | None:
    from agentcore_readiness.facts.yamlloc import YamlLoadError, loads_located_yaml

    text_file = loader.read(TOOLKIT_CONFIG, config=True)
    if text_file is None:
        return None
    try:
        doc = loads_located_yaml(text_file.text)
    except YamlLoadError as exc:
        loader.error(TOOLKIT_CONFIG, exc.message, exc.line, config=True)
        return None
    if doc.value is None:
        loader.error(TOOLKIT_CONFIG, "the file is empty", 1, config=True)
        return None
    return doc.value, doc.lines


def _from_toolkit(loader: _Loader) -> dict[str, Any]:
    loaded = _load_yaml(loader)
    if loaded is None:
        return {}
    raw, lines = loaded
    if not isinstance(raw, Mapping):
        loader.error(TOOLKIT_CONFIG, "the top level must be a mapping", 1, "/", config=True)
        return {}
    if "agents" in raw:
        agents_raw = raw.get("agents")
        if not isinstance(agents_raw, Mapping):
            loader.error(
                TOOLKIT_CONFIG,
                "'agents' must be a mapping of agent name to settings",
                lines.get("/agents"),
                "/agents",
                config=True,
            )
            return {}
        agents = [(str(k), v, pointer("agents", str(k))) for k, v in agents_raw.items()]
    else:
        # Legacy single-agent layout: the agent's settings at the top level.
        agents = [(_s(raw.get("name")) or "default", raw, "")]
    runtimes: list[Runtime] = []
    memories: list[Memory] = []
    providers: list[Credential] = []
    for agent_name, settings, base in agents:
        if not isinstance(settings, Mapping):
            loader.error(TOOLKIT_CONFIG, f"agent {agent_name!r} must be a mapping", lines.get(base), base, config=True)
            continue
        where = Located(TOOLKIT_CONFIG, base, lines)
        aws = _d(settings.get("aws"))
        network = _d(aws.get("network_configuration"))
        net_mode_config = _d(network.get("network_mode_config"))
        lifecycle = _d(aws.get("lifecycle_configuration"))
        observability = aws.get("observability")
        deployment_type = _s(settings.get("deployment_type")) or "container"
        build = "Container" if deployment_type == "container" else "CodeZip"
        source_path = _norm_code_location(_s(settings.get("source_path")) or ".")
        entrypoint = _s(settings.get("entrypoint"))
        if entrypoint and "/" in entrypoint.replace("\\", "/") and source_path == ".":
            source_path = _norm_code_location(entrypoint.replace("\\", "/").rsplit("/", 1)[0])
            entrypoint = entrypoint.replace("\\", "/").rsplit("/", 1)[1]
        for key, expected in (("aws", Mapping), ("memory", Mapping), ("identity", Mapping)):
            if key in settings and settings[key] is not None and not isinstance(settings[key], expected):
                loader.error(
                    TOOLKIT_CONFIG,
                    f"{base}/{key}: must be a mapping",
                    lines.get(f"{base}/{key}"),
                    f"{base}/{key}",
                    config=True,
                )
        for key in ("idle_runtime_session_timeout", "max_lifetime"):
            value = lifecycle.get(key)
            if value is not None and _i(value) is None:
                ptr = f"{base}/aws/lifecycle_configuration/{key}"
                loader.error(
                    TOOLKIT_CONFIG, f"{ptr}: must be an integer number of seconds", lines.get(ptr), ptr, config=True
                )
        authorizer = settings.get("authorizer_configuration")
        jwt = _jwt(_d(authorizer), "customJWTAuthorizer", "customJwtAuthorizer")
        api_key_env = _s(settings.get("api_key_env_var_name"))
        env_vars = (EnvVar(api_key_env, None, where.at("api_key_env_var_name")),) if api_key_env else ()
        agent_ids = _d(settings.get("bedrock_agentcore"))
        dockerfile, dockerignore = _container_files(
            loader, source_path, None, build, extra_dirs=(f".bedrock_agentcore/{agent_name}",)
        )
        deps, dep_files = _dependencies(loader, source_path)
        enable_otel = _b(_d(observability).get("enabled")) if isinstance(observability, Mapping) else None
        runtimes.append(
            Runtime(
                name=_s(settings.get("name")) or agent_name,
                source=TOOLKIT_CONFIG,
                where=where,
                build=build,
                entrypoint=entrypoint,
                code_location=source_path,
                protocol=_s(_d(aws.get("protocol_configuration")).get("server_protocol")),
                authorizer_type=("NONE" if _s(authorizer) == "NONE" else ("CUSTOM_JWT" if jwt else None)),
                jwt=jwt,
                idle_timeout=_i(lifecycle.get("idle_runtime_session_timeout")),
                max_lifetime=_i(lifecycle.get("max_lifetime")),
                network_mode=_s(network.get("network_mode")),
                subnets=_strs(net_mode_config.get("subnets")),
                security_groups=_strs(net_mode_config.get("security_groups")),
                vpc_id=None,
                enable_otel=enable_otel,
                env_vars=env_vars,
                execution_role_arn=_s(aws.get("execution_role")),
                additional_policies=(),
                connections=(),
                request_header_allowlist=_strs(
                    _d(settings.get("request_header_configuration")).get("requestHeaderAllowlist")
                ),
                dockerfile=dockerfile,
                dockerignore=dockerignore,
                dependencies=deps,
                dependency_files=dep_files,
                fields=_YAML_FIELDS,
                deployed_arn=_s(agent_ids.get("agent_arn")),
                deployed_id=_s(agent_ids.get("agent_id")),
                deployed_role_arn=_s(aws.get("execution_role")),
                api_key_env_var_name=api_key_env,
                region=_s(aws.get("region")),
                account=_s(aws.get("account")),
                code_entries=_code_entries(loader.root, source_path),
            )
        )
        memory = _d(settings.get("memory"))
        mode = _s(memory.get("mode"))
        if mode and mode != "NO_MEMORY":
            memories.append(
                Memory(
                    name=_s(memory.get("memory_name")) or f"{agent_name}_mem",
                    strategies=(),
                    mode=mode,
                    where=Located(TOOLKIT_CONFIG, base + "/memory", lines),
                    deployed_id=_s(memory.get("memory_id")),
                )
            )
        for p_index, provider in _items(_d(settings.get("identity")).get("credential_providers")):
            providers.append(
                Credential(
                    name=_s(provider.get("name")) or "",
                    type=_s(provider.get("type")),
                    where=Located(TOOLKIT_CONFIG, f"{base}/identity/credential_providers/{p_index}", lines),
                )
            )
    default_agent = _s(raw.get("default_agent"))
    return {
        "name": default_agent or (runtimes[0].name if runtimes else None),
        "runtimes": tuple(runtimes),
        "memories": tuple(memories),
        "credentials": tuple(providers),
    }


def gitignore_ignores(patterns: Sequence[str], rel_in_dir: str) -> bool:
    """Whether gitignore ``patterns`` (of the directory holding the file) ignore ``rel_in_dir``.

    Handles the forms these files use: exact names, globs, a leading ``/`` and
    ``!`` negation (last match wins).
    """
    ignored = False
    name = rel_in_dir.rsplit("/", 1)[-1]
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.rstrip("/")
        anchored = pattern.startswith("/")
        pattern = pattern.lstrip("/")
        if "/" in pattern or anchored:
            matched = fnmatch(rel_in_dir, pattern)
        else:
            matched = fnmatch(name, pattern) or fnmatch(rel_in_dir, pattern)
        if matched:
            ignored = not negate
    return ignored


def display_rel(root: Path, path: Path) -> str:
    return rel_posix(root, path)

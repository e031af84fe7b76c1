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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agentcore_readiness.config import ConfigChoice, ToolSettings, load_settings
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
from agentcore_readiness.facts.project.build import BuildPlan, plan_build
from agentcore_readiness.facts.project.dependency_files import Dependency as Dependency
from agentcore_readiness.facts.project.dependency_files import normalize_dist as normalize_dist
from agentcore_readiness.facts.project.dockerfile import Dockerfile as Dockerfile
from agentcore_readiness.facts.project.dockerfile import DockerInstruction as DockerInstruction
from agentcore_readiness.facts.project.dockerfile import parse_dockerfile as parse_dockerfile
from agentcore_readiness.facts.project.ignore_files import DockerIgnore as DockerIgnore
from agentcore_readiness.facts.project.ignore_files import GitIgnores, IgnoreVerdict
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
    entry_file: str | None = None
    """The entrypoint module, project-relative; ``None`` when it is not a Python file of this checkout."""
    path_notes: tuple[str, ...] = ()
    """How paths of this runtime's config were read (absolute paths from another machine, unset fields)."""
    runtime_version: str | None = None
    """``PYTHON_3_12`` …, as configured."""
    build_plan: BuildPlan | None = None
    """What the build installs and, for a Container, what the image holds and runs."""

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
    code_locations: tuple[str, ...] = ()
    """Project-relative folders of the target's own code (Lambda or runtime compute)."""


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
    namespaces: tuple[str, ...] = ()
    """The strategy's ``namespaceTemplates`` (``/users/{actorId}/facts``); empty when not declared."""


@dataclass(frozen=True)
class Memory:
    name: str
    strategies: tuple[MemoryStrategy, ...]
    mode: str | None
    """YAML memory mode (NO_MEMORY, STM_ONLY, STM_AND_LTM); ``None`` for agentcore.json."""
    where: Located
    deployed_id: str | None = None
    agent: str | None = None
    """The runtime a YAML memory belongs to; ``None`` for agentcore.json (shared by the project)."""
    created_by_toolkit: bool | None = None
    """YAML ``was_created_by_toolkit``: ``False`` for an existing memory the agent was pointed at, whose
    strategies this file does not record."""


@dataclass(frozen=True)
class Credential:
    name: str
    type: str | None
    where: Located


@dataclass(frozen=True)
class CredentialRef:
    """A place in the configuration that names a credential provider (a gateway target's
    outbound auth, a payment connector, a runtime environment variable holding a provider name)."""

    name: str
    holder: str
    """What refers to it: ``gateway Tools target Tickets``, ``runtime Agent env var TICKETS_PROVIDER``."""
    location: Location
    auth_type: str | None = None
    """The outbound auth type that uses it (``OAUTH``, ``API_KEY``), when the configuration says."""


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
    tool_code_locations: tuple[str, ...] = ()
    """Project-relative folders of gateway targets' and MCP runtime tools' own code."""
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
    env_local_ignore: IgnoreVerdict | None = None
    """Whether git ignores ``agentcore/.env.local``, by the ``.gitignore`` files up to the repository's top level."""
    settings: ToolSettings = field(default_factory=ToolSettings)
    toolkit_credential_providers: tuple[str, ...] = ()
    credential_refs: tuple[CredentialRef, ...] = ()
    """Every credential provider the configuration refers to by name (SEC006)."""

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


def _report_missing_code(loader: _Loader, runtimes: Sequence[Runtime]) -> None:
    """A runtime whose code is not in this checkout is said once, where its config names it."""
    for runtime in runtimes:
        if runtime.entry_file is None and runtime.path_notes:
            location = runtime.loc("entrypoint")
            loader.error(
                runtime.where.file,
                f"runtime {runtime.name}: {runtime.path_notes[-1]}; its code is not reviewed",
                location.line,
                location.pointer,
            )


def load_project(
    root: Path,
    display_path: str | None = None,
    config: ConfigChoice | None = None,
    rule_codes: Collection[str] | None = None,
) -> ProjectFacts:
    """The project at ``root``; ``rule_codes`` are the codes its ``accept`` entries may name
    (``None`` when the caller applies no accepts, see :func:`~agentcore_readiness.config.load_settings`)."""
    root = root.resolve()
    loader = _Loader(root, display_path or str(root))
    settings, settings_errors = load_settings(root, config, rule_codes)
    loader.errors.extend(settings_errors)
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

    _report_missing_code(loader, parts.get("runtimes", ()))
    gitignore_patterns: tuple[str, ...] | None = None
    gitignore_path: str | None = None
    env_local_exists = False
    env_local_tracked: bool | None = None
    tracked_error: str | None = None
    env_local_ignore: IgnoreVerdict | None = None
    if has_cli:
        gitignore = loader.read(AGENTCORE_GITIGNORE)
        if gitignore is not None:
            gitignore_path = AGENTCORE_GITIGNORE
            gitignore_patterns = tuple(
                line.strip() for line in gitignore.text.splitlines() if line.strip() and not line.startswith("#")
            )
        git_ignores = GitIgnores(root)
        env_local_ignore = git_ignores.check(ENV_LOCAL)
        loader.errors.extend(git_ignores.errors)
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
        env_local_ignore=env_local_ignore,
        settings=settings,
        **parts,
    )


def load_config_document(root: Path, rel: str) -> Any | None:
    """The parsed value of a project config file (``agentcore.json`` or another JSON file, or the
    starter toolkit's YAML), read with the same limits as the review; ``None`` when it cannot be read."""
    loader = _Loader(root.resolve(), str(root))
    if rel == TOOLKIT_CONFIG:
        loaded = _load_yaml(loader)
        return loaded[0] if loaded is not None else None
    if rel.endswith(".json"):
        located = loader.read_json(rel)
        return located.value if located is not None else None
    return None


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


API_JWT_KEYS = ("customJWTAuthorizer", "customJwtAuthorizer")
"""Where the AgentCore control-plane API (GetAgentRuntime, GetGateway) puts a JWT authorizer."""


def parse_jwt_authorizer(config: Any, *keys: str) -> JwtAuthorizer | None:
    """The JWT authorizer of an ``authorizerConfiguration`` mapping (agentcore.json, the starter
    toolkit's YAML or an API response), under the first of ``keys`` present; ``None`` when absent.
    The one reader of that shape: the project loader, the AWS gatherer and the 403 diagnosis use it."""
    if not isinstance(config, Mapping):
        return None
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


_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


@dataclass(frozen=True)
class MappedPath:
    """A path from a config file, as a project-relative path of this checkout."""

    rel: str | None
    """Project-relative, ``/``-separated (``.`` for the root); ``None`` when it is not in this checkout."""
    note: str | None = None
    """How it was mapped (an absolute path from the author's machine) or why it could not be."""


def map_config_path(root: Path, value: str | None, field_name: str) -> MappedPath:
    r"""Map a path written in a config file into this checkout.

    Relative paths are taken from the project root. Absolute paths (``/Users/…``,
    ``/home/ec2-user/…``, ``D:\…``) were written on the author's machine: they map to the
    longest tail of the path that exists here (preferring a tail that follows the project
    folder's own name). A path that leaves the checkout, or has no tail here, maps to
    nothing: a location outside the checkout is never reported.
    """
    if value is None or not value.strip():
        return MappedPath(".")
    raw = value.strip()
    text = raw.replace("\\", "/")
    absolute = text.startswith(("/", "~")) or bool(_WINDOWS_DRIVE.match(text))
    parts = [p for p in text.split("/") if p and p != "."]
    if absolute:
        if _WINDOWS_DRIVE.match(text) or text.startswith("~"):
            parts = parts[1:]
        return _map_absolute(root, raw, parts, field_name)
    resolved: list[str] = []
    for part in parts:
        if part == "..":
            if not resolved:
                return MappedPath(None, f"{field_name} '{raw}' points outside the project; not reviewed")
            resolved.pop()
        else:
            resolved.append(part)
    return MappedPath("/".join(resolved) or ".")


def _map_absolute(root: Path, raw: str, parts: list[str], field_name: str) -> MappedPath:
    if ".." in parts:
        return MappedPath(None, f"{field_name} '{raw}' is an absolute path with '..'; not reviewed")
    best: str | None = None
    for index in range(len(parts) + 1):
        tail = "/".join(parts[index:])
        anchored = index > 0 and parts[index - 1] == root.name
        if anchored and (not tail or exists(root / tail)):
            best = tail or "."
            break
        if best is None and tail and exists(root / tail):
            best = tail
    if best is None:
        return MappedPath(
            None, f"{field_name} '{raw}' was written on another machine and no part of it is in this checkout"
        )
    shown = "the project root" if best == "." else best + ("/" if is_dir(root / best) else "")
    return MappedPath(best, f"{field_name} '{raw}' was written on another machine; read as {shown} of this checkout")


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
    "requestHeaderAllowlist": "/requestHeaderAllowlist",
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
    "requestHeaderAllowlist": "/request_header_configuration/requestHeaderAllowlist",
}


_TOOLKIT_AUTHORIZER_KEYS = frozenset({"customJWTAuthorizer", "customJwtAuthorizer"})


def _toolkit_authorizer_errors(loader: _Loader, authorizer: object, ptr: str, lines: Mapping[str, int]) -> None:
    """A YAML ``authorizer_configuration`` is ``null`` (IAM), ``NONE`` or a ``customJWTAuthorizer``
    mapping (the other casing is AUTH002's finding); anything else is not an authorizer the
    toolkit deploys.
    """
    if authorizer is None or authorizer == "NONE":
        return
    if isinstance(authorizer, Mapping):
        unknown_keys = sorted(str(k) for k in authorizer if k not in _TOOLKIT_AUTHORIZER_KEYS)
        if unknown_keys:
            loader.error(
                TOOLKIT_CONFIG,
                f"{ptr}: unknown authorizer {', '.join(unknown_keys)} (expected customJWTAuthorizer, NONE or null)",
                lines.get(ptr),
                ptr,
                config=True,
            )
        return
    loader.error(
        TOOLKIT_CONFIG,
        f"{ptr}: {str(authorizer)[:60]!r} is not an authorizer (expected customJWTAuthorizer, NONE or null)",
        lines.get(ptr),
        ptr,
        config=True,
    )


def _schema_errors(loader: _Loader, doc: LocatedJson) -> None:
    from agentcore_readiness.facts.project.schema import AgentCoreProject

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

    runtimes = [
        _cli_runtime(loader, index, item, located, deployed_runtimes, region, account)
        for index, item in _items(raw.get("runtimes"))
    ]
    gateways = [_cli_gateway(loader, index, item, located) for index, item in _items(raw.get("agentCoreGateways"))]
    memories = _cli_memories(raw, located, deployed_memories)
    credentials = _cli_credentials(raw, located)
    online_evals = _cli_online_evals(raw, located, deployed_evals)
    policy_engines = _cli_policy_engines(raw, located)
    harnesses = tuple(_s(h.get("name")) or "" for _, h in _items(raw.get("harnesses")))
    tool_locations = [loc for g in gateways for t in g.targets for loc in t.code_locations]
    for _, tool in _items(raw.get("mcpRuntimeTools")):
        tool_locations.extend(_compute_locations(loader.root, tool.get("compute")))
    return {
        "credential_refs": _credential_refs(raw, located, runtimes, gateways),
        "tool_code_locations": tuple(dict.fromkeys(tool_locations)),
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


def _cli_runtime(
    loader: _Loader,
    index: int,
    item: Mapping[str, Any],
    located: Callable[..., Located],
    deployed_runtimes: Mapping[str, Mapping[str, Any]],
    region: str | None,
    account: str | None,
) -> Runtime:
    """``runtimes[index]`` of agentcore.json, with its deployed state and the deployment target's region and account."""
    name = _s(item.get("name")) or f"runtime[{index}]"
    mapped = map_config_path(loader.root, _s(item.get("codeLocation")), "codeLocation")
    code_location = mapped.rel
    entry_file, entry_note = _entry_file(loader.root, code_location, _s(item.get("entrypoint")))
    network = _d(item.get("networkConfig"))
    lifecycle = _d(item.get("lifecycleConfiguration"))
    where = located("runtimes", index)
    env_vars = tuple(
        EnvVar(name=_s(ev.get("name")) or "", value=_s(ev.get("value")), location=where.at("envVars", i, "name"))
        for i, ev in _items(item.get("envVars"))
    )
    dep = deployed_runtimes.get(name, {})
    build = _s(item.get("build"))
    plan = plan_build(
        loader,
        runtime=name,
        packager="AgentCore CLI",
        build=build,
        code_location=code_location,
        dockerfile_name=_s(item.get("dockerfile")),
        build_context=map_config_path(loader.root, _s(item.get("buildContextPath")), "buildContextPath").rel
        if item.get("buildContextPath")
        else None,
    )
    return Runtime(
        name=name,
        source=CLI_CONFIG,
        where=where,
        build=build,
        entrypoint=_s(item.get("entrypoint")),
        code_location=code_location,
        protocol=_s(item.get("protocol")),
        authorizer_type=_s(item.get("authorizerType")),
        jwt=parse_jwt_authorizer(item.get("authorizerConfiguration"), "customJwtAuthorizer", "customJWTAuthorizer"),
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
        dockerfile=plan.dockerfile,
        dockerignore=plan.dockerignore,
        dependencies=plan.dependencies,
        dependency_files=plan.dependency_files,
        build_plan=plan,
        fields=_CLI_FIELDS,
        deployed_arn=_s(dep.get("runtimeArn")),
        deployed_id=_s(dep.get("runtimeId")),
        deployed_role_arn=_s(dep.get("roleArn")),
        region=region,
        account=account,
        code_entries=_code_entries(loader.root, code_location),
        entry_file=entry_file,
        path_notes=tuple(n for n in (mapped.note, entry_note) if n),
        runtime_version=_s(item.get("runtimeVersion")),
    )


def _cli_gateway(loader: _Loader, index: int, item: Mapping[str, Any], located: Callable[..., Located]) -> Gateway:
    """``agentCoreGateways[index]`` of agentcore.json, with its targets."""
    where = located("agentCoreGateways", index)
    targets = tuple(
        _cli_gateway_target(loader, index, t_index, target, located) for t_index, target in _items(item.get("targets"))
    )
    engine = _d(item.get("policyEngineConfiguration"))
    return Gateway(
        name=_s(item.get("name")) or f"gateway[{index}]",
        authorizer_type=_declared(item.get("authorizerType")),
        jwt=parse_jwt_authorizer(item.get("authorizerConfiguration"), "customJwtAuthorizer", "customJWTAuthorizer"),
        exception_level=_s(item.get("exceptionLevel")),
        targets=targets,
        policy_engine_name=_s(engine.get("policyEngineName")),
        policy_engine_mode=_s(engine.get("mode")),
        where=where,
    )


def _cli_gateway_target(
    loader: _Loader, index: int, t_index: int, target: Mapping[str, Any], located: Callable[..., Located]
) -> GatewayTarget:
    """``targets[t_index]`` of gateway ``index``."""
    outbound = _d(target.get("outboundAuth"))
    tools = target.get("toolDefinitions")
    return GatewayTarget(
        name=_s(target.get("name")) or f"target[{t_index}]",
        target_type=_s(target.get("targetType")),
        endpoint=_s(target.get("endpoint")),
        outbound_auth_type=_s(outbound.get("type")),
        credential_name=_s(outbound.get("credentialName")),
        tool_count=len(tools) if isinstance(tools, list) else 0,
        lambda_arn=_s(target.get("lambdaFunctionArn"))
        or _s(_d(target.get("lambdaFunctionArn")).get("lambdaArn"))
        or _s(_d(target.get("compute")).get("lambdaArn")),
        where=located("agentCoreGateways", index, "targets", t_index),
        code_locations=_compute_locations(loader.root, target.get("compute")),
    )


def _cli_memories(
    raw: Mapping[str, Any], located: Callable[..., Located], deployed_memories: Mapping[str, Mapping[str, Any]]
) -> tuple[Memory, ...]:
    return tuple(
        Memory(
            name=_s(item.get("name")) or f"memory[{index}]",
            strategies=tuple(
                MemoryStrategy(
                    type=_s(strategy.get("type")) or "",
                    # reflectionNamespaces is the deprecated (v1) name of the same setting
                    has_reflection_templates=bool(
                        _strs(strategy.get("reflectionNamespaceTemplates"))
                        or _strs(strategy.get("reflectionNamespaces"))
                    ),
                    where=located("memories", index, "strategies", s_index),
                    namespaces=_strs(strategy.get("namespaceTemplates")) or _strs(strategy.get("namespaces")),
                )
                for s_index, strategy in _items(item.get("strategies"))
            ),
            mode=None,
            where=located("memories", index),
            deployed_id=_s(deployed_memories.get(_s(item.get("name")) or "", {}).get("memoryId")),
        )
        for index, item in _items(raw.get("memories"))
    )


def _cli_credentials(raw: Mapping[str, Any], located: Callable[..., Located]) -> tuple[Credential, ...]:
    return tuple(
        Credential(
            name=_s(item.get("name")) or "", type=_s(item.get("authorizerType")), where=located("credentials", i)
        )
        for i, item in _items(raw.get("credentials"))
    )


def _cli_online_evals(
    raw: Mapping[str, Any], located: Callable[..., Located], deployed_evals: Mapping[str, Mapping[str, Any]]
) -> tuple[OnlineEval, ...]:
    return tuple(
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


def _cli_policy_engines(raw: Mapping[str, Any], located: Callable[..., Located]) -> tuple[PolicyEngine, ...]:
    return tuple(
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


_PROVIDER_ENV = re.compile(r"(?:CREDENTIAL|PROVIDER)(?:_PROVIDER)?(?:_NAME)?$", re.IGNORECASE)
"""Environment variables that hold a credential provider's name (``TICKETS_PROVIDER_NAME``,
``GITHUB_CREDENTIAL_PROVIDER``), as code reads them for ``provider_name=os.environ[...]``."""


def _credential_refs(
    raw: Mapping[str, Any],
    located: Callable[..., Located],
    runtimes: Sequence[Runtime],
    gateways: Sequence[Gateway],
) -> tuple[CredentialRef, ...]:
    """Where agentcore.json names a credential provider: gateway and unassigned targets'
    ``outboundAuth.credentialName``, payment connectors' ``credentialName``, and runtime
    environment variables whose name says they hold a provider name."""
    refs: list[CredentialRef] = []
    for gateway in gateways:
        for target in gateway.targets:
            if target.credential_name:
                refs.append(
                    CredentialRef(
                        target.credential_name,
                        f"gateway {gateway.name} target {target.name}",
                        target.where.at("outboundAuth", "credentialName"),
                        target.outbound_auth_type,
                    )
                )
    for index, unassigned in _items(raw.get("unassignedTargets")):
        outbound = _d(unassigned.get("outboundAuth"))
        name = _s(outbound.get("credentialName"))
        if name:
            label = _s(unassigned.get("name")) or f"unassignedTargets[{index}]"
            refs.append(
                CredentialRef(
                    name,
                    f"unassigned target {label}",
                    located("unassignedTargets", index, "outboundAuth", "credentialName").here,
                    _s(outbound.get("type")),
                )
            )
    for p_index, payment in _items(raw.get("payments")):
        for c_index, connector in _items(payment.get("connectors")):
            name = _s(connector.get("credentialName"))
            if name:
                label = f"payment {_s(payment.get('name')) or p_index} connector {_s(connector.get('name')) or c_index}"
                refs.append(
                    CredentialRef(
                        name, label, located("payments", p_index, "connectors", c_index, "credentialName").here
                    )
                )
    for runtime in runtimes:
        for variable in runtime.env_vars:
            if variable.value and _PROVIDER_ENV.search(variable.name) and " " not in variable.value.strip():
                position = (variable.location.pointer or "").rsplit("/", 2)[-2]
                location = (
                    runtime.where.at("envVars", int(position), "value") if position.isdigit() else variable.location
                )
                refs.append(
                    CredentialRef(variable.value.strip(), f"runtime {runtime.name} env var {variable.name}", location)
                )
    return tuple(refs)


def _compute_locations(root: Path, compute: Any) -> tuple[str, ...]:
    """Folders of a gateway target's or MCP tool's own code (``implementation.path``, ``runtime.codeLocation``)."""
    found: list[str] = []
    for value in (
        _d(_d(compute).get("implementation")).get("path"),
        _d(_d(compute).get("runtime")).get("codeLocation"),
    ):
        if isinstance(value, str) and value.strip():
            rel = map_config_path(root, value, "codeLocation").rel
            if rel is not None and rel != ".":
                found.append(rel.rsplit("/", 1)[0] if rel.endswith(".py") else rel)
    return tuple(found)


def _entry_module_path(entrypoint: str) -> str:
    r"""``main.py:app`` -> ``main.py``; ``./src\agent.py`` -> ``src/agent.py``."""
    path = entrypoint.strip().replace("\\", "/")
    if ":" in path and not _WINDOWS_DRIVE.match(path):
        path = path.split(":", 1)[0]
    while path.startswith("./"):
        path = path[2:]
    return path


def _entry_file(root: Path, code_location: str | None, entrypoint: str | None) -> tuple[str | None, str | None]:
    """The entrypoint module of a CLI runtime (``entrypoint`` is relative to ``codeLocation``)."""
    if not entrypoint:
        return None, "the runtime names no entrypoint"
    if code_location is None:
        return None, None
    module = _entry_module_path(entrypoint)
    if not module.endswith(".py"):
        return None, f"entrypoint {entrypoint!r} is not a Python file: its code is not reviewed"
    rel = module if code_location == "." else f"{code_location}/{module}"
    if not is_file(root / rel):
        return None, f"entrypoint {rel} is not in this checkout"
    return rel, None


def _source_from_entrypoint(source: str | None, entrypoint: str | None, entry_file: str) -> str | None:
    r"""Where an absolute ``source_path`` lands, when the entrypoint was written under it on the same
    machine and the entrypoint itself was found here (``C:\\p\\agent`` + ``C:\\p\\agent\\app\\main.py``
    found as ``app/main.py``: the source is the project root).
    """
    if not source or not entrypoint:
        return None
    prefix = source.replace("\\", "/").rstrip("/").lower()
    written = _entry_module_path(entrypoint).lower()
    if not written.startswith(prefix + "/"):
        return None
    tail = written[len(prefix) + 1 :]
    if not entry_file.lower().endswith(tail):
        return None
    kept = entry_file[: len(entry_file) - len(tail)].rstrip("/")
    return kept or "."


def _toolkit_entry_file(root: Path, source_path: str | None, entrypoint: str | None) -> tuple[str | None, str | None]:
    """The entrypoint module of a starter-toolkit agent: relative to the project folder or to
    ``source_path``, or an absolute path from the author's machine.
    """
    if not entrypoint:
        return None, "the agent names no entrypoint"
    module = _entry_module_path(entrypoint)
    if module.startswith(("/", "~")) or _WINDOWS_DRIVE.match(module):
        mapped = map_config_path(root, module, "entrypoint")
        if mapped.rel is None or not is_file(root / mapped.rel):
            return None, mapped.note
        return mapped.rel, mapped.note
    if not module.endswith(".py"):
        return None, f"entrypoint {entrypoint!r} is not a Python file: its code is not reviewed"
    candidates = [module]
    if source_path not in (None, "."):
        candidates.insert(0, f"{source_path}/{module}")
    for candidate in candidates:
        if is_file(root / candidate):
            return candidate, None
    return None, f"entrypoint {module} is not in this checkout"


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


# -- starter toolkit YAML


def _load_yaml(loader: _Loader) -> tuple[Any, dict[str, int]] | None:
    from agentcore_readiness.facts.project.yamlloc import YamlLoadError, loads_located_yaml

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
    agents = _toolkit_agents(loader, raw, lines)
    if agents is None:
        return {}
    runtimes: list[Runtime] = []
    memories: list[Memory] = []
    providers: list[Credential] = []
    for agent_name, settings, base in agents:
        if not isinstance(settings, Mapping):
            loader.error(TOOLKIT_CONFIG, f"agent {agent_name!r} must be a mapping", lines.get(base), base, config=True)
            continue
        runtimes.append(_toolkit_runtime(loader, agent_name, settings, base, lines))
        memory = _toolkit_memory(agent_name, settings, base, lines)
        if memory is not None:
            memories.append(memory)
        providers.extend(_toolkit_credential_providers(settings, base, lines))
    default_agent = _s(raw.get("default_agent"))
    return {
        "name": default_agent or (runtimes[0].name if runtimes else None),
        "runtimes": tuple(runtimes),
        "memories": tuple(memories),
        "credentials": tuple(providers),
    }


def _toolkit_agents(
    loader: _Loader, raw: Mapping[str, Any], lines: dict[str, int]
) -> list[tuple[str, Any, str]] | None:
    """Each agent's name, settings and JSON pointer; None (with the error recorded) when ``agents`` is no mapping."""
    if "agents" not in raw:
        # Legacy single-agent layout: the agent's settings at the top level.
        return [(_s(raw.get("name")) or "default", raw, "")]
    agents_raw = raw.get("agents")
    if not isinstance(agents_raw, Mapping):
        loader.error(
            TOOLKIT_CONFIG,
            "'agents' must be a mapping of agent name to settings",
            lines.get("/agents"),
            "/agents",
            config=True,
        )
        return None
    return [(str(k), v, pointer("agents", str(k))) for k, v in agents_raw.items()]


def _toolkit_runtime(
    loader: _Loader, agent_name: str, settings: Mapping[str, Any], base: str, lines: dict[str, int]
) -> Runtime:
    """The runtime of one agent of .bedrock_agentcore.yaml; records its settings' errors."""
    where = Located(TOOLKIT_CONFIG, base, lines)
    aws = _d(settings.get("aws"))
    network = _d(aws.get("network_configuration"))
    net_mode_config = _d(network.get("network_mode_config"))
    lifecycle = _d(aws.get("lifecycle_configuration"))
    observability = aws.get("observability")
    deployment_type = _s(settings.get("deployment_type")) or "container"
    build = "Container" if deployment_type == "container" else "CodeZip"
    source_path, entrypoint, entry_file, path_notes = _toolkit_code_paths(loader, settings)
    _toolkit_setting_errors(loader, settings, lifecycle, base, lines)
    authorizer = settings.get("authorizer_configuration")
    _toolkit_authorizer_errors(loader, authorizer, f"{base}/authorizer_configuration", lines)
    jwt = parse_jwt_authorizer(authorizer, "customJWTAuthorizer", "customJwtAuthorizer")
    api_key_env = _s(settings.get("api_key_env_var_name"))
    env_vars = (EnvVar(api_key_env, None, where.at("api_key_env_var_name")),) if api_key_env else ()
    agent_ids = _d(settings.get("bedrock_agentcore"))
    plan = plan_build(
        loader,
        runtime=_s(settings.get("name")) or agent_name,
        packager="starter toolkit",
        build=build,
        code_location=source_path,
        dockerfile_dirs=(f".bedrock_agentcore/{agent_name}",),
        entry_file=entry_file or (_entry_module_path(entrypoint) if entrypoint else None),
    )
    enable_otel = _b(_d(observability).get("enabled")) if isinstance(observability, Mapping) else None
    return Runtime(
        name=_s(settings.get("name")) or agent_name,
        source=TOOLKIT_CONFIG,
        where=where,
        build=build,
        entrypoint=entrypoint,
        code_location=source_path,
        protocol=_s(_d(aws.get("protocol_configuration")).get("server_protocol")),
        authorizer_type=(_s(authorizer) if isinstance(authorizer, str) else ("CUSTOM_JWT" if jwt else None)),
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
        request_header_allowlist=_strs(_d(settings.get("request_header_configuration")).get("requestHeaderAllowlist")),
        dockerfile=plan.dockerfile,
        dockerignore=plan.dockerignore,
        dependencies=plan.dependencies,
        dependency_files=plan.dependency_files,
        build_plan=plan,
        fields=_YAML_FIELDS,
        deployed_arn=_s(agent_ids.get("agent_arn")),
        deployed_id=_s(agent_ids.get("agent_id")),
        deployed_role_arn=_s(aws.get("execution_role")),
        api_key_env_var_name=api_key_env,
        region=_s(aws.get("region")),
        account=_s(aws.get("account")),
        code_entries=_code_entries(loader.root, source_path),
        entry_file=entry_file,
        path_notes=path_notes,
        runtime_version=_s(settings.get("runtime_type")),
    )


def _toolkit_code_paths(
    loader: _Loader, settings: Mapping[str, Any]
) -> tuple[str | None, str | None, str | None, tuple[str, ...]]:
    """The agent's source folder, its entrypoint (relative to that folder), the entrypoint's file in the
    project, and notes on how the paths were read."""
    entrypoint = _s(settings.get("entrypoint"))
    mapped = map_config_path(loader.root, _s(settings.get("source_path")), "source_path")
    source_path = mapped.rel
    entry_file, entry_note = _toolkit_entry_file(loader.root, source_path, entrypoint)
    if entrypoint and _s(settings.get("source_path")) is None and entry_file and "/" in entry_file:
        # no source_path: the toolkit packages the entrypoint's folder
        source_path = entry_file.rsplit("/", 1)[0]
        mapped = MappedPath(source_path, f"source_path is not set: the entrypoint's folder {source_path}/")
    elif source_path is None and entry_file is not None:
        derived = _source_from_entrypoint(_s(settings.get("source_path")), entrypoint, entry_file)
        if derived is not None:
            source_path = derived
            mapped = MappedPath(
                derived,
                f"source_path '{_s(settings.get('source_path'))}' was written on another machine; read as "
                f"{'the project root' if derived == '.' else derived + '/'} (the folder that holds the "
                "entrypoint as it did there)",
            )
    if entrypoint and entry_file and source_path not in (None, ".") and entry_file.startswith(f"{source_path}/"):
        entrypoint = entry_file[len(source_path) + 1 :]
    elif entrypoint and entry_file and source_path == ".":
        entrypoint = entry_file
    return source_path, entrypoint, entry_file, tuple(n for n in (mapped.note, entry_note) if n)


def _toolkit_setting_errors(
    loader: _Loader, settings: Mapping[str, Any], lifecycle: Mapping[str, Any], base: str, lines: dict[str, int]
) -> None:
    """Record the agent's sections that are not mappings and lifecycle timeouts that are not integers."""
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


def _toolkit_memory(agent_name: str, settings: Mapping[str, Any], base: str, lines: dict[str, int]) -> Memory | None:
    """The agent's memory, unless it has none (``NO_MEMORY``)."""
    memory = _d(settings.get("memory"))
    mode = _s(memory.get("mode"))
    if not mode or mode == "NO_MEMORY":
        return None
    return Memory(
        name=_s(memory.get("memory_name")) or f"{agent_name}_mem",
        strategies=(),
        mode=mode,
        where=Located(TOOLKIT_CONFIG, base + "/memory", lines),
        deployed_id=_s(memory.get("memory_id")),
        agent=_s(settings.get("name")) or agent_name,
        created_by_toolkit=memory.get("was_created_by_toolkit")
        if isinstance(memory.get("was_created_by_toolkit"), bool)
        else None,
    )


def _toolkit_credential_providers(settings: Mapping[str, Any], base: str, lines: dict[str, int]) -> list[Credential]:
    return [
        Credential(
            name=_s(provider.get("name")) or "",
            type=_s(provider.get("type")),
            where=Located(TOOLKIT_CONFIG, f"{base}/identity/credential_providers/{p_index}", lines),
        )
        for p_index, provider in _items(_d(settings.get("identity")).get("credential_providers"))
    ]


def display_rel(root: Path, path: Path) -> str:
    return rel_posix(root, path)

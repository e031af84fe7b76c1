"""The code rules of the secrets, tool-surface, shell, auth and network families.

Their registrations (code, name, severity, documentation) live in the family modules
(``secrets.py``, ``gateway.py``, ``shell.py``, ``auth.py``, ``network.py``); the
checks themselves are here, over the code index's per-file facts and the project's
configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from agentcore_readiness.analysis import secret_patterns
from agentcore_readiness.analysis.env_secrets import AWS_SDK_CREDENTIAL_VARS, calls_vault, key_name_use
from agentcore_readiness.analysis.file_facts import DYNAMIC, EnvRead, HttpCall, fold
from agentcore_readiness.checks.code_rule_helpers import (
    code_files,
    emit,
    note_skipped,
    replaced_temporary,
    request_purpose,
    runtime_named,
    skipped_of,
    without_code,
)
from agentcore_readiness.checks.fixes import VALIDATE_AND_DEPLOY, jwt_authorizer_template, located_edit, runtime_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, unknown
from agentcore_readiness.facts.code.roles import ROLE_WORDS, ROLES
from agentcore_readiness.facts.project.project_facts import CLI_CONFIG, TOOLKIT_CONFIG
from agentcore_readiness.model import FindingLevel, Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.analysis.file_facts import ProviderUse
    from agentcore_readiness.facts.code.index import PyFile
    from agentcore_readiness.facts.project.project_facts import Credential, Runtime


def _credential_name(facts: Facts, suggestion: str) -> str:
    """A declared credential whose name matches the suggestion, else the suggestion."""
    wanted = suggestion.lower()
    for credential in facts.project.credentials:
        if credential.name and (credential.name.lower() == wanted or wanted in credential.name.lower()):
            return credential.name
    return suggestion


def _decorator_snippet(provider: str) -> str:
    return (
        "from bedrock_agentcore.identity.auth import requires_api_key\n\n"
        f'@requires_api_key(provider_name="{provider}")\n'
        "def call_service(request: dict, *, api_key: str) -> dict:\n"
        "    ...  # use api_key here; it is fetched from AgentCore Identity at call time"
    )


def _credential_fix(facts: Facts, provider: str, what: str, rotate: bool) -> Fix:
    summary = (
        f"Register {what} as an AgentCore credential and fetch it at call time with the decorator "
        f"(omit --api-key to be prompted, so the value stays out of shell history):\n\n{_decorator_snippet(provider)}"
    )
    if rotate:
        summary = "Rotate the exposed key first: it is in the repository and its history. " + summary
    return Fix(
        summary=summary,
        commands=[f"agentcore add credential --name {provider} --type api-key", VALIDATE_AND_DEPLOY],
    )


# ---------------------------------------------------------------------------
# SEC001


def sec001(facts: Facts, out: Findings) -> Verdict | None:
    if facts.code is None:
        return unknown("the code index was not built")
    files = code_files(facts, *ROLES)
    if not files and not facts.project.runtimes:
        if facts.code.skipped:
            return unknown(skipped_of(facts.code))
        return not_applicable("no Python code and no runtimes in the project")
    fixtures = 0
    for py_file in files:
        fixtures += _file_secrets(facts, out, py_file)
    checked = len(files)
    for runtime in facts.project.runtimes:
        for name, value, location, source in _project_values(runtime):
            hits = secret_patterns.scan_known_formats(value) if value else []
            if hits:
                hit = hits[0]
                out.add(
                    hit.level,  # type: ignore[arg-type]
                    f"{hit.label} as the value of {name} in {source} of runtime {runtime.name!r}: {hit.masked}",
                    location,
                    subject=runtime.name,
                    fix=_credential_fix(facts, _credential_name(facts, hit.provider), f"the {hit.label}", True),
                )
            elif value and literal_secret_value(name, value):
                provider = _credential_name(facts, secret_patterns.credential_name_for(name))
                out.fail(
                    f"literal secret as the value of {name} in {source} of runtime {runtime.name!r}: "
                    f"{secret_patterns.mask(value, 2)}",
                    location,
                    subject=runtime.name,
                    fix=_credential_fix(facts, provider, f"the value of {name}", True),
                )
    if fixtures:
        out.note(f"{fixtures} literal value(s) assigned to secret-like names in test code are test fixtures")
    if not out.items:
        out.note(f"no hard-coded secrets in {checked} Python file(s) or the runtimes' configuration")
    note_skipped(facts, out)
    return None


def _first_of_each(items: list[tuple[str, int]]) -> dict[int, list[int]]:
    """For (fingerprint, line) pairs: the first line of each value -> the value's other lines."""
    lines: dict[str, list[int]] = {}
    for print_, line in sorted(items, key=lambda item: item[1]):
        seen = lines.setdefault(print_ or f"line {line}", [])
        if line not in seen:
            seen.append(line)
    return {found[0]: found[1:] for found in lines.values()}


def _file_secrets(facts: Facts, out: Findings, py_file: PyFile) -> int:
    """SEC001 in one file, each value once; returns how many test fixtures were left out."""
    role = ROLE_WORDS.get(py_file.role, "code")
    hits = py_file.facts.secrets
    known = {h.line for h in hits} | {h.related_line for h in hits if h.related_line is not None}
    first = _first_of_each([(h.fingerprint, h.line) for h in hits])
    for hit in hits:
        if hit.line in first:
            what = f"{hit.label} hard-coded in {role}"
            others = first.pop(hit.line)
            _secret_finding(facts, out, py_file, hit.line, hit.level, what, hit.masked, hit.provider, hit.kind, others)
    literals = [lit for lit in py_file.facts.secret_literals if lit.line not in known]
    if py_file.role == "test":
        return len(literals)  # fixtures; a key of a known format above is still reported
    literals = [lit for lit in literals if not replaced_temporary(py_file, lit)]
    first = _first_of_each([(lit.fingerprint, lit.line) for lit in literals])
    for literal in literals:
        if literal.line in first:
            provider = _credential_name(facts, secret_patterns.credential_name_for(literal.name))
            what = f"literal secret in the {literal.how} `{literal.name}` in {role}"
            others = first.pop(literal.line)
            _secret_finding(
                facts, out, py_file, literal.line, "fail", what, literal.masked, provider, "generic", others
            )
    return 0


def _secret_finding(
    facts: Facts,
    out: Findings,
    py_file: PyFile,
    line: int,
    level: str,
    what: str,
    masked: str,
    provider: str,
    kind: str,
    repeated: list[int] | None = None,
) -> None:
    message = f"{what}: {masked}"
    evidence = None
    if repeated:
        lines = ", ".join(str(n) for n in repeated)
        message += f" (the same value again on line{'s' if len(repeated) > 1 else ''} {lines})"
        evidence = f"the same value appears on lines {line}, {lines} of {py_file.path}"
    if kind.startswith("aws"):
        fix = Fix(
            summary="Delete the access key from the code and deactivate it in IAM (it is in the repository "
            "history). Inside a runtime, boto3 gets credentials from the execution role; scripts get them from "
            "the caller's AWS profile or SSO session.",
            commands=[
                "aws iam update-access-key --access-key-id <the-key-id> --status Inactive",
                "aws iam delete-access-key --access-key-id <the-key-id>",
            ],
        )
    elif kind == "private-key":
        fix = Fix(
            summary="Remove the private key from the code, revoke or replace it, and load it at run time from "
            "AWS Secrets Manager (or an AgentCore credential provider for API access)."
        )
    elif "runtime" in py_file.roles:
        fix = _credential_fix(facts, _credential_name(facts, provider), "the key", True)
    else:
        fix = Fix(
            summary="Rotate the exposed key, then read it at run time from the environment of the machine that "
            "runs this script or from AWS Secrets Manager, never from the source.",
            commands=[
                "aws secretsmanager get-secret-value --secret-id <secret-name> --query SecretString --output text"
            ],
        )
    emit(out, level, py_file, line, message, fix=fix, evidence=evidence)  # type: ignore[arg-type]


def _project_values(runtime: Runtime) -> Iterator[tuple[str, str | None, Location, str]]:
    for env in runtime.env_vars:
        source = "envVars" if runtime.source == CLI_CONFIG else "api_key_env_var_name"
        yield env.name, env.value, env.location, source
    if runtime.dockerfile is not None:
        for name, value, line in runtime.dockerfile.env():
            yield name, value, Location(path=runtime.dockerfile.path, line=line), "the Dockerfile"


# ---------------------------------------------------------------------------
# SEC002


def sec002(facts: Facts, out: Findings) -> Verdict | None:
    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    files = code_files(facts, "runtime")
    loaded = _vault_loaded(files)
    literal_values = {
        (env.runtime.name, env.name): f"{env.location.path}:{env.location.line}"
        for runtime in facts.project.runtimes
        for env in project_env_sources(runtime)
        if literal_secret_value(env.name, env.value)
    }
    for py_file in files:
        reported = {hit.line for hit in py_file.facts.secrets} | {lit.line for lit in py_file.facts.secret_literals}
        for read in py_file.facts.env_reads:
            why = _not_a_configured_secret(py_file, read, loaded, reported)
            configured = next(
                (literal_values[(r, read.name)] for r in py_file.runtimes if (r, read.name) in literal_values), None
            )
            if why is None and configured is not None:
                why = f"its value is hard-coded at {configured}: SEC001's finding"
            if why is not None:
                out.note(f"{py_file.path}:{read.line} {read.name}: {why}")
                continue
            provider = _credential_name(facts, secret_patterns.credential_name_for(read.name))
            emit(
                out,
                "fail",
                py_file,
                read.line,
                f"reads the secret {read.name} from the runtime environment: runtime environment variables are "
                "plaintext configuration, not vault-backed",
                fix=_credential_fix(facts, provider, f"the value of {read.name}", False),
            )
    if not out.items:
        out.note(
            "agent code reads no secret from environment variables the runtime's configuration provides "
            f"(allowlist: {secret_patterns.ENV_ALLOWLIST_TEXT})"
        )
    note_skipped(facts, out)
    return None


def _vault_loaded(files: list[PyFile]) -> dict[tuple[str, str], str]:
    """(runtime, variable) -> where that runtime's code stores a vault-fetched value in the environment."""
    loaded: dict[tuple[str, str], str] = {}
    for py_file in files:
        for write in py_file.facts.env_writes:
            if write.source == "vault":
                for runtime in py_file.runtimes:
                    loaded.setdefault((runtime, write.name), f"{py_file.path}:{write.line}")
    return loaded


def _not_a_configured_secret(
    py_file: PyFile, read: EnvRead, loaded: dict[tuple[str, str], str], reported: set[int]
) -> str | None:
    """Why this environment read is not reading a secret from the runtime's configuration."""
    name, line = read.name, read.line
    if secret_patterns.bare_key_name(name):
        use = key_name_use(py_file.tree, line, read.col)
        if use is not None:
            return use
    if name.upper() in AWS_SDK_CREDENTIAL_VARS:
        return "an AWS SDK credential variable (the execution role's credentials), not an application secret"
    if line in reported:
        return "its literal default is the hard-coded secret SEC001 reports on this line"
    where = next((loaded[(r, name)] for r in py_file.runtimes if (r, name) in loaded), None)
    if where is not None:
        return f"the runtime's own code stores it in the environment from a secret store at {where}"
    fetcher = _vault_fallback(py_file, line)
    if fetcher is not None:
        return f"a fallback: {fetcher} fetches the secret from a secret store first"
    return None


def _vault_fallback(py_file: PyFile, line: int) -> str | None:
    """The function of this file that fetches from a vault and either reads the environment
    itself or calls the function that does (the environment is then a local-development fallback).
    """
    if py_file.facts.vault_line is None:
        return None
    reader = next(
        (
            f
            for f in sorted(py_file.functions, key=lambda f: -f.line)
            if f.line <= line <= (f.node.end_lineno or f.line)
        ),
        None,
    )
    fetchers = {f.name: f for f in py_file.functions if calls_vault(f.node.body, py_file.resolve) is not None}
    if reader is None or not fetchers:
        return None
    if reader.name in fetchers:
        return f"{reader.name}()"
    for call in py_file.calls:
        if call.attr == reader.name and call.function is not None and call.function.name in fetchers:
            return f"{call.function.name}() (line {call.function.line})"
    return None


# ---------------------------------------------------------------------------
# SEC003


@dataclass(frozen=True)
class EnvSource:
    runtime: Runtime
    name: str
    location: Location
    source: str
    always: bool = False
    """The name is a secret by definition (YAML ``api_key_env_var_name``)."""
    value: str | None = None


def project_env_sources(runtime: Runtime) -> Iterator[EnvSource]:
    """Environment variables a runtime's project files set: ``runtimes[].envVars``,
    ``api_key_env_var_name`` (YAML) and the Dockerfile's ``ENV``/``ARG``.
    """
    for env in runtime.env_vars:
        if runtime.source == TOOLKIT_CONFIG:
            yield EnvSource(runtime, env.name, env.location, f"{TOOLKIT_CONFIG} api_key_env_var_name", True, env.value)
        else:
            yield EnvSource(runtime, env.name, env.location, f"{CLI_CONFIG} envVars", value=env.value)
    if runtime.dockerfile is not None:
        for name, value, line in runtime.dockerfile.env():
            yield EnvSource(
                runtime,
                name,
                Location(path=runtime.dockerfile.path, line=line),
                "the Dockerfile (ENV/ARG)",
                value=value,
            )


def literal_secret_value(name: str, value: str | None) -> bool:
    """Whether SEC001 reports ``value`` of the variable ``name`` as a hard-coded secret."""
    if not value:
        return False
    if secret_patterns.scan_known_formats(value):
        return True
    if secret_patterns.bare_key_name(name) and secret_patterns.word_value(value):
        return False  # TAG_KEY=Environment names a key
    return secret_patterns.is_secret_name(name, env=True) and secret_patterns.generic_secret_value(value)


def _env_fix(facts: Facts, env: EnvSource) -> Fix:
    provider = _credential_name(facts, secret_patterns.credential_name_for(env.name))
    base = _credential_fix(facts, provider, f"the value of {env.name}", False)
    removal = f"Remove {env.name} from {env.source}."
    pointer = env.location.pointer
    if env.location.path == CLI_CONFIG and pointer and pointer.endswith("/name"):
        return Fix(
            summary=f"{removal} {base.summary}",
            commands=base.commands,
            patch=[{"op": "remove", "path": pointer[: -len("/name")]}],
            patch_file=CLI_CONFIG,
        )
    if env.location.path == TOOLKIT_CONFIG and pointer:
        return Fix(
            summary=f"{removal} {base.summary}",
            commands=[*base.commands[:-1], "agentcore launch"],
            patch=[{"op": "remove", "path": pointer}],
            patch_file=TOOLKIT_CONFIG,
        )
    return Fix(summary=f"{removal} {base.summary}", commands=base.commands)


def sec003(facts: Facts, out: Findings) -> Verdict | None:
    runtimes = facts.project.runtimes
    if not runtimes:
        return not_applicable("the project defines no runtimes")
    seen: set[tuple[str | None, int | None, str]] = set()
    checked = 0
    # Project sources: agentcore.json envVars, the YAML's api_key_env_var_name, Dockerfile ENV/ARG.
    for runtime in runtimes:
        for env in project_env_sources(runtime):
            key = (env.location.path, env.location.line, env.name)
            if key in seen:
                continue
            seen.add(key)
            checked += 1
            if literal_secret_value(env.name, env.value):
                out.note(f"{env.name} at {env.location.path}:{env.location.line}: its value is SEC001's finding")
                continue
            if (
                not env.always
                and env.value is not None
                and secret_patterns.bare_key_name(env.name)
                and secret_patterns.word_value(env.value)
            ):
                out.note(f"{env.name}={env.value!r}: a key name made of words, not a secret")
                continue
            if env.always or secret_patterns.is_secret_env_name(env.name):
                out.fail(
                    f"runtime {runtime.name!r} gets the secret {env.name} through {env.source}: runtime environment "
                    "variables are plaintext, visible to anyone who can describe the runtime or read the image",
                    env.location,
                    subject=runtime.name,
                    fix=_env_fix(facts, env),
                )
    if not out.items:
        out.note(f"{checked} environment variable(s) in the project files, none secret-like")
    return None


# ---------------------------------------------------------------------------
# SEC004


def sec004(facts: Facts, out: Findings) -> Verdict | None:
    if facts.code is None:
        return unknown("the code index was not built")
    declared = {c.name: c for c in facts.project.credentials if c.name}
    files = code_files(facts, "runtime", "caller")
    uses = [(f, p) for f in files for p in f.facts.providers]
    fetches = [fetch for f in files if _may_fetch_credentials(f) for fetch in _credential_fetches(f)]
    if not uses and not declared and not fetches:
        return not_applicable("no @requires_api_key/@requires_access_token in code and no declared credentials")
    used: set[str] = set()
    for where, call_name, name in fetches:
        used.add(name)
        out.note(f"{where} {call_name}(provider {name!r})")
    for py_file, use in uses:
        _provider_use(facts, out, py_file, use, declared, used)
    for gateway in facts.project.gateways:
        for target in gateway.targets:
            if target.credential_name:
                used.add(target.credential_name)
    for name, credential in declared.items():
        if name not in used:
            out.info(
                f"credential {name!r} is declared but no @requires_* decorator, AgentCore Identity call or gateway target uses it",
                credential.where.at("name"),
                fix=Fix(summary=f"Remove it if unused: agentcore remove credential --name {name}"),
                severity="info",
            )
    if not [f for f in out.items if f.level != "info"]:
        names = sorted(used & set(declared))
        out.note(f"declared and used: {', '.join(names) or 'none'}")
    return None


def _provider_use(
    facts: Facts, out: Findings, py_file: PyFile, use: ProviderUse, declared: dict[str, Credential], used: set[str]
) -> None:
    """One ``@requires_*`` decorator: the provider it names (added to ``used``) against the
    declared credentials."""
    add = "agentcore add credential --name {name} --type api-key"
    if use.provider is None and use.env is not None:
        where = f"{py_file.path}:{use.line}"
        if use.default is None:
            out.note(f"{where} @{use.decorator} takes its provider name from {use.env} (no default): not checked")
            return
        used.add(use.default)
        state = "declared" if use.default in declared else "not declared: the environment must name one"
        out.note(f"{where} @{use.decorator} provider from {use.env}, default {use.default!r} ({state})")
        return
    if use.provider is None:
        out.note(
            f"{py_file.path}:{use.line} @{use.decorator}(provider_name={use.expression}) is not a literal: not checked"
        )
        return
    used.add(use.provider)
    if use.provider == "":
        emit(
            out,
            "fail",
            py_file,
            use.line,
            f"@{use.decorator} on {use.function}() has an empty provider_name: no credential can be fetched",
            fix=Fix(
                summary="Name the credential the call needs, declared with `agentcore add credential`; for a "
                "gateway with CUSTOM_JWT inbound auth, an OAuth credential whose client the gateway accepts.",
                commands=[
                    "agentcore add credential --name <Name> --type oauth --discovery-url <url> "
                    "--client-id <client-id> --scopes <scope>"
                ],
            ),
        )
    elif not declared and not facts.project.has_cli_config:
        out.note(
            f"{py_file.path}:{use.line} provider {use.provider!r}: the starter toolkit's YAML declares no "
            "credential providers (they are created with `agentcore identity`, outside the file): not checked"
        )
    elif use.provider not in declared:
        close = next((n for n in declared if n.lower() == use.provider.lower()), None)
        hint = f" (declared as {close!r}: names are case-sensitive)" if close else ""
        kind = "oauth" if use.decorator == "requires_access_token" else "api-key"
        emit(
            out,
            "fail",
            py_file,
            use.line,
            f"@{use.decorator} on {use.function}() names provider {use.provider!r}, which the project does "
            f"not declare{hint}",
            fix=Fix(
                summary=f"Declare the credential {use.provider!r} (or fix the name) so it exists when the "
                "runtime fetches it.",
                commands=[
                    (
                        add.format(name=use.provider)
                        if kind == "api-key"
                        else f"agentcore add credential --name {use.provider} --type oauth --discovery-url <url> "
                        "--client-id <client-id> --scopes <scope>"
                    ),
                    VALIDATE_AND_DEPLOY,
                ],
            ),
        )


_CREDENTIAL_FETCHES = ("get_resource_api_key", "get_resource_oauth2_token")


def _may_fetch_credentials(py_file: PyFile) -> bool:
    """Whether a file can call AgentCore Identity directly (from its imports: the others are not reparsed)."""
    return "boto3" in py_file.imported_modules or any("identity" in q.lower() for q in py_file.imports.values())


def _credential_fetches(py_file: PyFile) -> Iterator[tuple[str, str, str]]:
    """(where, call, provider name) for each ``IdentityClient.get_resource_api_key(provider_name=…)``
    or boto3 ``get_resource_api_key(resourceCredentialProviderName=…)`` with a name known statically.
    """
    for call in py_file.calls:
        if call.attr not in _CREDENTIAL_FETCHES:
            continue
        value = call.keywords.get("provider_name") or call.keywords.get("resourceCredentialProviderName")
        scope = py_file.analysis_context().scope(call.function.node if call.function else None)
        folded = fold(value, scope) if value is not None else None
        if folded is None:
            continue
        name = folded.text if folded.literal or (folded.env and folded.text != DYNAMIC) else None
        if name:
            yield f"{py_file.path}:{call.line}", call.attr, name


# ---------------------------------------------------------------------------
# GW001-GW004


@dataclass(frozen=True)
class Row:
    code: str
    """The rule that reports this row (``""``: may stay direct)."""
    row: str
    why: str


ROW_REST = "External REST API used as a tool"
ROW_MCP = "MCP server called directly"
ROW_AWS = "AWS service over HTTP"
ROW_STREAM = "Streaming service (SSE, WebSocket, WebRTC)"
ROW_NOT_TOOL = "Not a tool call"
ROW_A2A = "Another agent over A2A"

_LOCAL_HOSTS = re.compile(
    r"^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?|169\.254\.\d+\.\d+|host\.docker\.internal)$"
)


def host_of(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or "{" in host or "…" in host:
        return None
    return host.lower()


_GATEWAY_HOST = re.compile(r"\.gateway\.bedrock-agentcore\.[a-z0-9-]+\.amazonaws\.com$")
_IDENTITY_PATH = re.compile(
    r"/(?:oauth2?/)?token/?$|/\.well-known/(?:openid-configuration|oauth-authorization-server|jwks\.json)/?$"
    r"|/jwks(?:\.json)?/?$",
    re.IGNORECASE,
)
_STATIC_FILE = re.compile(
    r"\.(?:csv|tsv|json|jsonl|ndjson|parquet|xlsx?|zip|gz|tgz|tar|bz2|xz|txt|xml|ya?ml|pdf|png|jpe?g|gif|svg|md|geojson)$",
    re.IGNORECASE,
)
_TELEMETRY_PATH = re.compile(r"/v1/(?:traces|metrics|logs)/?$|/api/public/(?:ingestion|otel\b)", re.IGNORECASE)


def classify(call: HttpCall, purpose: str | None = None) -> Row | None:
    """The skill's decision-table row for one direct call; a row with no rule (``code == ""``)
    for a call that is not a tool call (its reason in ``why``); ``None`` for a local sidecar.

    ``purpose`` is what the request body says the call is (:func:`request_purpose`).
    GW001 is for third-party APIs the agent uses as tools. Not tools: the project's AgentCore
    Gateway (the recommended path), identity plumbing (OAuth token requests, OIDC discovery
    and JWKS), telemetry export (OTLP, Langfuse ingestion) and unauthenticated downloads of
    static files; there is no tool to expose and no credential for a gateway to broker.
    """
    host = host_of(call.url)
    if host is not None and _LOCAL_HOSTS.match(host):
        return None
    url = call.url or ""
    path = _url_path(url)
    named = f"{call.url_env or ''} {call.url_source}".lower()
    if (host is not None and _GATEWAY_HOST.search(host)) or (host is None and "gateway" in named):
        return Row("", "AgentCore Gateway", "the project's gateway: the recommended path for tools")
    if purpose == "oauth-token" or (path and _IDENTITY_PATH.search(path)):
        return Row("", ROW_NOT_TOOL, "an OAuth token or OIDC discovery request (identity plumbing)")
    if path and _TELEMETRY_PATH.search(path):
        return Row("", ROW_NOT_TOOL, "telemetry export")
    if purpose == "a2a" or call.kind == "a2a":
        return Row("GW004", ROW_A2A, "an A2A JSON-RPC call" if purpose == "a2a" else "an A2A client")
    if call.kind == "mcp" or purpose == "mcp":
        if host is None:
            return None
        return Row("GW002", ROW_MCP, "an MCP client built on a literal remote URL")
    if call.kind in ("websocket", "sse", "webrtc"):
        return Row("GW004", ROW_STREAM, f"a {call.kind} connection")
    if host is not None and (host.endswith((".amazonaws.com", ".amazonaws.com.cn")) or host.endswith(".api.aws")):
        if ".execute-api." in host:
            return Row("GW001", ROW_REST, "an API Gateway REST API")
        if host.startswith("bedrock-agentcore.") and "/runtimes/" in url:
            return Row("GW004", ROW_A2A, "another AgentCore runtime over HTTPS")
        return Row("GW003", ROW_AWS, f"the AWS endpoint {host}")
    if host is not None and re.search(r"/(?:mcp|sse)/?$", path):
        return Row("GW002", ROW_MCP, "an MCP endpoint called over raw HTTP")
    if ".well-known/agent" in url or "agent-card" in url:
        return Row("GW004", ROW_A2A, "an A2A agent card")
    method = call.client.rsplit(".", 1)[-1].lower()
    bare_get = purpose == "bare" and call.auth == "none" and method in ("get", "urlopen", "urlretrieve")
    if bare_get and path and _STATIC_FILE.search(path):
        return Row("", ROW_NOT_TOOL, "an unauthenticated download of a static file")
    return Row("GW001", ROW_REST, "a REST call")


def _url_path(url: str) -> str:
    """The path of a folded URL, also when its base is not known (``{…}/api/x`` -> ``/api/x``)."""
    if "://" in url:
        try:
            return urlsplit(url).path
        except ValueError:
            return ""
    if url.startswith("{…}/"):
        return re.split(r"[?#]", url[len("{…}") :], maxsplit=1)[0]
    return ""


def _target_name(host: str | None, suffix: str) -> str:
    if not host:
        return f"Remote{suffix}"
    # the registered domain's label names the vendor (mcp.exa.ai -> Exa); documentation
    # domains (example.com) fall back to the label before it (api.weather.example.com -> Weather)
    labels = [label for label in host.split(".")[:-1] if label not in ("www", "api", "mcp", "rest", "v1", "v2")]
    named = [label for label in labels if label not in ("example", "localhost")]
    core = named[-1] if named else (labels[-1] if labels else "Remote")
    name = re.sub(r"[^A-Za-z0-9]", "", core.title()) or "Remote"
    if not name[0].isalpha():
        name = "T" + name
    return (name + suffix)[:48]


def _gateway_steps(facts: Facts) -> tuple[str, list[str]]:
    if facts.project.gateways:
        return facts.project.gateways[0].name, []
    name = re.sub(r"[^A-Za-z0-9]", "", facts.project.name.title())[:40] or "Tools"
    gateway = f"{name}Gateway"
    return gateway, [
        f"agentcore add gateway --name {gateway} --authorizer-type CUSTOM_JWT "
        "--discovery-url https://<your-idp>/.well-known/openid-configuration --allowed-clients <client-id>"
    ]


def _gateway_url_note(gateway: str) -> str:
    return (
        f" After `agentcore deploy`, point the agent's MCP client at os.environ[\"AGENTCORE_GATEWAY_"
        f'{re.sub(r"[^A-Za-z0-9]", "", gateway).upper()}_URL"]; the tools are discovered from there.'
    )


_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")


def _aws_service(host: str | None) -> str:
    """``s3`` for ``bucket.s3.us-east-1.amazonaws.com``, ``dynamodb`` for ``dynamodb.eu-west-1.amazonaws.com``."""
    labels = (host or "").split(".")
    if "amazonaws" not in labels:
        return "<service>"
    before = labels[: labels.index("amazonaws")]
    for index, label in enumerate(before):
        if _REGION.match(label) and index > 0:
            return before[index - 1]
    return before[-1] if before else "<service>"


def gw_fix(facts: Facts, call: HttpCall, row: Row) -> Fix:
    host = host_of(call.url)
    gateway, first = _gateway_steps(facts)
    url = excerpt(call.url or "<url>", 200)
    if row.row == ROW_MCP:
        target = _target_name(host, "Mcp")
        return Fix(
            summary=f"Front the MCP server as a target of gateway {gateway}." + _gateway_url_note(gateway),
            commands=[
                *first,
                f"agentcore add gateway-target --type mcp-server --name {target} --endpoint {url} --gateway {gateway}",
                VALIDATE_AND_DEPLOY,
            ],
        )
    if row.row == ROW_REST and host and ".execute-api." in host:
        api_id = host.split(".", 1)[0]
        path = urlsplit(call.url or "").path.strip("/").split("/")
        stage = path[0] if path and path[0] and "{" not in path[0] else "<stage>"
        target = _target_name(None, "Api")
        return Fix(
            summary=f"Front the API Gateway REST API as a target of gateway {gateway}." + _gateway_url_note(gateway),
            commands=[
                *first,
                f"agentcore add gateway-target --type api-gateway --name {target} --rest-api-id {api_id} "
                f"--stage {stage} --gateway {gateway}",
                VALIDATE_AND_DEPLOY,
            ],
        )
    if row.row == ROW_REST:
        target = _target_name(host, "Api")
        credential = _credential_name(facts, f"{target}Key")
        return Fix(
            summary=f"Front the API as an OpenAPI target of gateway {gateway} (write or download its OpenAPI spec); "
            "the gateway injects the credential, the agent never sees it. If this is a measured latency hot path, "
            "keep it and suppress the finding with the measurement as the reason." + _gateway_url_note(gateway),
            commands=[
                *first,
                f"agentcore add credential --name {credential} --type api-key",
                f"agentcore add gateway-target --type open-api-schema --name {target} --schema <openapi-spec.json> "
                f"--gateway {gateway} --outbound-auth api-key --credential-name {credential}",
                VALIDATE_AND_DEPLOY,
            ],
        )
    if row.row == ROW_AWS:
        service = _aws_service(host)
        return Fix(
            summary=f"Call the service with boto3 (boto3.client({service!r})) so requests are signed with the "
            "runtime's execution role; grant the role only the actions it needs. No credential is needed.",
        )
    target = _target_name(host, "A2A" if row.row == ROW_A2A else "Stream")
    return Fix(
        summary=f"Keep the call direct ({row.row}: allowed) but fetch its token at call time:\n\n"
        "from bedrock_agentcore.identity.auth import requires_access_token\n\n"
        f'@requires_access_token(provider_name="{target}", scopes=["<scope>"], auth_flow="M2M")\n'
        "async def call_remote(message: str, *, access_token: str) -> str:\n"
        '    headers = {"Authorization": f"Bearer {access_token}"}\n    ...',
        commands=[
            f"agentcore add credential --name {target} --type oauth --discovery-url "
            "https://<your-idp>/.well-known/openid-configuration --client-id <client-id> --scopes <scope>",
            VALIDATE_AND_DEPLOY,
        ],
    )


def _calls(facts: Facts) -> Iterator[tuple[PyFile, HttpCall, Row]]:
    for py_file in code_files(facts, "runtime"):
        for call in py_file.facts.http_calls:
            purpose = request_purpose(py_file, call) if call.kind == "http" else None
            row = classify(call, purpose)
            if row is not None:
                yield py_file, call, row


def _describe(call: HttpCall) -> str:
    if call.url and call.url != "{…}":
        target = excerpt(call.url, 120)
        if call.url_source.startswith("constant "):
            target += f" ({call.url_source})"
    elif call.url_env:
        target = f"the URL in environment variable {call.url_env}"
    else:
        target = "a URL not resolved statically"
    return f"{call.client}() to {target}"


def gw_rule(facts: Facts, out: Findings, code: str) -> Verdict | None:
    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    kept = 0
    for py_file, call, row in _calls(facts):
        if not row.code:
            if code in ("GW001", "GW002"):
                out.note(f"{py_file.path}:{call.line} {_describe(call)}: {row.why}, not a direct tool call")
            continue
        if row.code != code:
            if row.code == "GW004" and code != "GW004":
                kept += 1
            continue
        if code == "GW004":
            if call.auth != "env":
                out.note(f"{py_file.path}:{call.line} {row.row}: may stay direct; auth: {call.auth_detail}")
                continue
            emit(
                out,
                "fail",
                py_file,
                call.line,
                f"{_describe(call)} stays direct (row “{row.row}”: allowed) but authenticates with "
                f"{call.auth_detail} instead of @requires_access_token",
                fix=gw_fix(facts, call, row),
            )
            continue
        level = "fail" if code == "GW003" else "warn"
        emit(
            out,
            level,  # type: ignore[arg-type]
            py_file,
            call.line,
            f"direct call {_describe(call)}: skill row “{row.row}” ({row.why})",
            fix=gw_fix(facts, call, row),
        )
    if not out.items:
        direct = sum(1 for _, _, row in _calls(facts) if row.code)
        out.note(
            f"no {code} findings among {direct} direct outbound call(s)"
            + (f"; {kept} A2A/streaming call(s) may stay direct (GW004)" if kept else "")
        )
    note_skipped(facts, out)
    return None


# ---------------------------------------------------------------------------
# CMD006


def cmd006(facts: Facts, out: Findings) -> Verdict | None:
    if facts.code is None:
        return unknown("the code index was not built")
    commands = [(f, c) for f in code_files(facts, "caller") for c in f.facts.commands]
    if not commands:
        return not_applicable("no invoke_agent_runtime_command call in the code")
    fix = Fix(
        summary="Build the command from literals, quote every variable part with shlex.quote(), or reject "
        "shell metacharacters before the call:\n\n"
        'if re.search(r"[;&|`$<>\\\\\\n]", value):\n    raise ValueError("invalid input")'
    )
    for py_file, command in commands:
        if command.origin == "literal":
            out.note(f"{py_file.path}:{command.line} command is {command.detail}")
        elif command.origin == "validated" or command.validated:
            out.note(f"{py_file.path}:{command.line} command is {command.validated or command.detail}")
        elif command.origin == "request":
            emit(
                out,
                "fail",
                py_file,
                command.line,
                f"invoke_agent_runtime_command runs a shell command built from request data ({command.detail}) "
                "with no metacharacter check or shlex.quote",
                fix=fix,
            )
        else:
            emit(
                out,
                "warn",
                py_file,
                command.line,
                f"invoke_agent_runtime_command runs a command that is not a literal ({command.detail}) and is not "
                "validated or quoted before the call",
                fix=fix,
            )
    return None


# ---------------------------------------------------------------------------
# AUTH006


def _runtime_call(call: HttpCall) -> bool:
    text = (call.url or "") + " " + (call.url_env or "")
    return "/runtimes/" in text or "bedrock-agentcore." in text or "invocations" in text


def auth006(facts: Facts, out: Findings) -> Verdict | None:
    runtimes = facts.project.runtimes
    if not runtimes:
        return not_applicable("the project defines no runtimes")
    if facts.code is None:
        return unknown("the code index was not built")
    senders = [(f, c) for f in code_files(facts, "caller") for c in f.facts.http_calls if c.bearer and _runtime_call(c)]
    if not senders:
        out.note("no code sends a Bearer token to an AgentCore runtime endpoint")
        return None
    for py_file, call in senders:
        text = (call.url or "") + " " + (call.url_env or "")
        matched = [
            r
            for r in runtimes
            if r.name in text
            or (r.deployed_id and r.deployed_id in text)
            or (r.name.upper() in text.upper().replace("-", "_"))
        ]
        candidates = matched or list(runtimes)
        iam = [r for r in candidates if r.effective_authorizer.upper() == "AWS_IAM"]
        if not iam:
            out.note(f"{py_file.path}:{call.line} Bearer token to a CUSTOM_JWT runtime")
            continue
        target = iam[0]
        jwt = jwt_authorizer_template()
        fix = (
            runtime_edit(
                target,
                [("authorizerType", "CUSTOM_JWT"), ("authorizer", jwt)],
                f"Either configure {target.name} for CUSTOM_JWT (then the Bearer token is checked), or have the "
                "caller sign with SigV4: boto3.client('bedrock-agentcore').invoke_agent_runtime(...).",
            )
            if target.source == CLI_CONFIG
            else located_edit(
                target.where,
                [("/authorizer_configuration", {"customJWTAuthorizer": jwt["customJwtAuthorizer"]})],
                f"Either configure {target.name} for CUSTOM_JWT, or have the caller sign with SigV4 (boto3 "
                "invoke_agent_runtime).",
            )
        )
        names = ", ".join(r.name for r in iam)
        level: FindingLevel = "fail" if len(iam) == len(candidates) else "warn"
        why = "" if matched else " (the URL does not name a runtime; every runtime of this project uses AWS_IAM)"
        if level == "warn":
            why = f" (the URL does not say which runtime; {names} use AWS_IAM)"
        emit(
            out,
            level,
            py_file,
            call.line,
            f"{call.client}() sends `Authorization: Bearer …` to runtime {target.name!r}, which is configured for "
            f"AWS_IAM: the call fails with 403 'Authorization method mismatch'{why}",
            fix=fix,
        )
    return None


# ---------------------------------------------------------------------------
# NET001


def _vpc_fix(runtime: Runtime) -> Fix:
    summary = (
        f"Run {runtime.name} in VPC mode with private subnets in two AZs and a security group that reaches the "
        "resource (plus NAT or VPC endpoints for AWS APIs)."
    )
    config = {"subnets": ["subnet-<az-a>", "subnet-<az-b>"], "securityGroups": ["sg-<id>"]}
    if runtime.source == TOOLKIT_CONFIG:
        return located_edit(
            runtime.where,
            [
                (
                    "/aws/network_configuration",
                    {
                        "network_mode": "VPC",
                        "network_mode_config": {
                            "subnets": config["subnets"],
                            "security_groups": config["securityGroups"],
                        },
                    },
                )
            ],
            summary,
        )
    if runtime.is_container:
        config["vpcId"] = "vpc-<id>"  # type: ignore[assignment]
    return runtime_edit(runtime, [("networkMode", "VPC"), ("networkConfig", config)], summary)


def net001(facts: Facts, out: Findings) -> Verdict | None:
    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    seen: set[tuple[str, int]] = set()
    for py_file in code_files(facts, "runtime"):
        runtime = runtime_named(facts, py_file.runtime)
        if runtime is None:
            continue
        mode = (runtime.network_mode or "PUBLIC").upper()
        hosts = [e.detail for e in py_file.facts.private if e.kind == "host"]
        for evidence in py_file.facts.private:
            if (py_file.path, evidence.line) in seen:
                continue
            seen.add((py_file.path, evidence.line))
            if mode == "VPC":
                out.note(f"{runtime.name}: {evidence.detail} reached from VPC mode")
                continue
            if evidence.kind == "host":
                emit(
                    out,
                    "fail",
                    py_file,
                    evidence.line,
                    f"agent code reaches the private host {excerpt(evidence.detail, 120)} but runtime "
                    f"{runtime.name!r} uses {mode} network mode: it cannot reach private addresses",
                    fix=_vpc_fix(runtime),
                    subject=runtime.name,
                )
            elif hosts:
                out.note(f"{py_file.path}:{evidence.line} {evidence.detail}: its private host is the finding")
            else:
                emit(
                    out,
                    "warn",
                    py_file,
                    evidence.line,
                    f"agent code uses {evidence.detail} while runtime {runtime.name!r} uses {mode} network mode: "
                    "if the database or service is in a VPC (RDS, ElastiCache, self-hosted), the runtime cannot "
                    "reach it",
                    fix=_vpc_fix(runtime),
                    subject=runtime.name,
                )
    if not out.items:
        out.note(
            "no private resources (database drivers, RDS/ElastiCache hosts, RFC 1918 or *.internal addresses) "
            "reached from PUBLIC runtimes"
        )
    note_skipped(facts, out)
    return None

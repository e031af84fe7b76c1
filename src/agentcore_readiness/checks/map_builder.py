"""The project map: for each runtime, what a reviewer must read, every item with file:line.

Per runtime: its entrypoint and request handlers with their protocol; the modules it
reaches (with their size); the tools it gives its model and what each touches (AWS
operations with their read-only or mutating class, HTTP hosts, subprocesses, databases);
the models it calls (IDs, or the framework's default); its memory calls (with where actor
and session IDs come from); the identity inputs it reads (JWT claims, request headers);
how it reads its session; and the code that invokes it (caller files, their shape and how
they make session IDs). For the project: its memories (strategies declared against
namespaces read), gateways (targets, credentials, policy engine) and IAM facts (policy
documents, CloudFormation and CDK statements).

:func:`look_at` turns the map into the places a reviewer must read for each checklist item
no rule decided.

Pure: built from the code index, the project facts and the project's policy documents.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentcore_readiness.analysis.request_handlers import KIND_WORDS
from agentcore_readiness.checks.memory_use import IdTracer, MemoryUse, memory_use, strategies_read
from agentcore_readiness.checks.model_use import runtime_models
from agentcore_readiness.checks.runtime_handlers import handler_model
from agentcore_readiness.checks.tool_surface import changes, policy_engine_enforcing, runtime_tools
from agentcore_readiness.facts.code.callflow import code_map, literal_str
from agentcore_readiness.facts.code.roles import NON_TEST_ROLES

if TYPE_CHECKING:
    from agentcore_readiness.checks.registry import Facts
    from agentcore_readiness.checks.tool_surface import Effect
    from agentcore_readiness.facts.code.index import CodeIndex, PyFile
    from agentcore_readiness.facts.project.project_facts import ProjectFacts, Runtime
    from agentcore_readiness.facts.project_policies import ProjectPolicies
    from agentcore_readiness.model import LookAt, RuleMeta, RuleResult

MAX_LIST = 40
"""Entries of one list kept in the structured map (the rest is counted)."""


class _M(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Place(_M):
    """A line of the project to read, and what is there."""

    path: str
    line: int | None = None
    what: str = ""

    @property
    def at(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class MapHandler(_M):
    kind: str = Field(description="entrypoint, http (POST /invocations), websocket, mcp_tool or a2a")
    name: str
    path: str
    line: int
    is_async: bool
    streaming: bool = False


class MapModule(_M):
    path: str
    lines: int
    reached: str = Field(description="How the entrypoint reaches it (the entrypoint, imported at file:line)")


class MapEffect(_M):
    kind: Literal["aws", "http", "subprocess", "database", "mcp", "code"]
    detail: str = Field(description="dynamodb:DeleteItem, POST tickets.example.com, runs `kubectl` …")
    access: Literal["read-only", "mutating", "unknown"]
    destructive: bool = False
    path: str
    line: int


class MapTool(_M):
    name: str
    kind: str = Field(description="Strands @tool, MCP tool, strands_tools, MCP client, …")
    path: str
    line: int
    effects: list[MapEffect] = Field(default_factory=list)
    changes_data: bool = False
    gateway: str | None = Field(default=None, description="The project's gateway whose tools these are")


class MapModel(_M):
    framework: str
    built_with: str
    model_id: str | None = None
    source: str = Field(description="literal, constant NAME, env NAME, framework default, set at run time")
    default: str | None = Field(default=None, description="The framework's default model, when the code names none")
    path: str
    line: int


class MapIdSource(_M):
    kind: Literal["verified", "payload", "header", "constant", "generated", "unknown"]
    detail: str
    path: str
    line: int
    fallback: str | None = None


class MapMemoryCall(_M):
    op: Literal["write", "read", "events", "session"]
    api: str
    path: str
    line: int
    namespaces: list[str] = Field(default_factory=list)
    actor: list[MapIdSource] = Field(default_factory=list)
    session: list[MapIdSource] = Field(default_factory=list)
    memories: list[str] = Field(default_factory=list)


class MapInput(_M):
    kind: Literal["jwt_claim", "header", "allowed_header"]
    name: str
    path: str
    line: int | None = None


class MapCaller(_M):
    path: str
    line: int
    shape: str | None = Field(default=None, description="one_shot (a script, a job) or service")
    how: str = Field(description="invoke_agent_runtime, HTTP, …")
    session: str | None = Field(default=None, description="How the call's runtimeSessionId is made")
    runtime: str | None = Field(default=None, description="The runtime it invokes, when the code names it")


class MapRuntime(_M):
    name: str
    protocol: str
    build: str | None = None
    authorizer: str
    network: str | None = None
    config: Place
    entry: Place | None = None
    missing: str | None = Field(default=None, description="Why the runtime's code is not in this checkout")
    handlers: list[MapHandler] = Field(default_factory=list)
    modules: list[MapModule] = Field(default_factory=list)
    modules_total: int = 0
    lines_total: int = 0
    unreached: list[str] = Field(
        default_factory=list, description="Python files the deployment ships that no import of the entrypoint reaches"
    )
    unreached_total: int = 0
    tools: list[MapTool] = Field(default_factory=list)
    approvals: list[Place] = Field(default_factory=list)
    models: list[MapModel] = Field(default_factory=list)
    memory: list[MapMemoryCall] = Field(default_factory=list)
    identity: list[MapInput] = Field(default_factory=list)
    sessions: list[Place] = Field(default_factory=list, description="Where the runtime code reads its session ID")
    invoked_by: list[MapCaller] = Field(default_factory=list)
    dependency_files: list[str] = Field(default_factory=list)
    dockerfile: str | None = None
    execution_role: Place | None = Field(default=None, description="Where the configuration names the execution role")


class MapStrategy(_M):
    type: str
    namespaces: list[str] = Field(default_factory=list)
    retrieved: bool | None = Field(default=None, description="Whether a retrieval in code covers it (None: not used)")
    path: str
    line: int | None = None


class MapMemory(_M):
    name: str
    path: str
    line: int | None = None
    mode: str | None = None
    strategies: list[MapStrategy] = Field(default_factory=list)
    long_term_read: bool | None = Field(
        default=None, description="Whether any code reads long-term records back (None: the code does not use it)"
    )
    used_by: list[str] = Field(default_factory=list, description="Memory calls of the code: file:line")


class MapTarget(_M):
    name: str
    type: str | None = None
    credential: str | None = None
    declared: bool | None = Field(default=None, description="Whether the credential it names is declared")
    path: str
    line: int | None = None


class MapGateway(_M):
    name: str
    path: str
    line: int | None = None
    authorizer: str | None = None
    policy_engine: str | None = None
    policy_mode: str | None = None
    enforcing: bool = False
    targets: list[MapTarget] = Field(default_factory=list)


class MapStatement(_M):
    source: str = Field(description="The document: additionalPolicies file, CloudFormation template, CDK code")
    holder: str | None = None
    effect: str
    actions: list[str] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    path: str
    line: int | None = None


class ProjectMap(_M):
    project: str
    path: str
    layout: str
    runtimes: list[MapRuntime] = Field(default_factory=list)
    memories: list[MapMemory] = Field(default_factory=list)
    gateways: list[MapGateway] = Field(default_factory=list)
    iam: list[MapStatement] = Field(default_factory=list)
    managed_policies: list[Place] = Field(default_factory=list)
    callers: list[MapCaller] = Field(default_factory=list, description="Callers whose runtime the code does not name")
    tests: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="What the map could not see")


class MapResult(_M):
    """``map_project``'s answer: one map per project found."""

    maps: list[ProjectMap]


# ---------------------------------------------------------------------------
# Building


def build_map(facts: Facts, policies: ProjectPolicies | None = None) -> ProjectMap:
    """The map of one project (``facts.code`` must be the whole code index)."""
    project = facts.project
    code = facts.code
    notes: list[str] = []
    if code is None:
        return ProjectMap(
            project=project.name,
            path=project.display_path,
            layout=project.layout,
            notes=["the code index was not built"],
        )
    use = memory_use(facts)
    callers = _callers(facts)
    runtimes = [_runtime(facts, runtime, use, callers) for runtime in project.runtimes]
    attributed = {(c.path, c.line) for r in runtimes for c in r.invoked_by}
    managed = [
        Place(path=m.location.path or "", line=m.location.line, what=f"{m.arn} on {m.holder}")
        for m in (policies.managed if policies else ())
    ]
    for skipped in code.skipped[:5]:
        notes.append(f"{skipped.path}: {skipped.reason}")
    if len(code.skipped) > 5:
        notes.append(f"{len(code.skipped) - 5} more file(s) could not be read")
    for runtime in runtimes:
        for tool in runtime.tools:
            if tool.kind == "MCP client" and tool.gateway is None:
                notes.append(
                    f"{runtime.name}: the tools of {tool.name.removeprefix('tools of ')} are not in this project"
                )
    for gateway in project.gateways:
        for target in gateway.targets:
            if target.lambda_arn and not target.code_locations:
                notes.append(
                    f"gateway {gateway.name} target {target.name}: Lambda {target.lambda_arn} (code not linked)"
                )
    return ProjectMap(
        project=project.name,
        path=project.display_path,
        layout=project.layout,
        runtimes=runtimes,
        memories=_memories(project, use),
        gateways=_gateways(project),
        iam=_iam(policies, code, managed)[:MAX_LIST],
        managed_policies=managed[:MAX_LIST],
        callers=[c for c in callers if (c.path, c.line) not in attributed][:MAX_LIST],
        tests=sorted({f.path for f in code.facts_of("test")})[:MAX_LIST],
        notes=list(dict.fromkeys(notes))[:MAX_LIST],
    )


def _runtime(facts: Facts, runtime: Runtime, use: MemoryUse, callers: list[MapCaller]) -> MapRuntime:
    code = facts.code
    assert code is not None
    entry = code.entry(runtime.name)
    files = list(code.runtime_files(runtime.name))
    model = handler_model(facts)
    handlers = [
        MapHandler(
            kind=h.entry.kind,
            name=h.entry.name,
            path=h.file.path,
            line=h.entry.line,
            is_async=_is_async(h.file, h.entry.qualname or h.entry.name),
            streaming=h.entry.is_generator,
        )
        for h in model.handlers
        if runtime.name in h.file.runtimes
    ]
    modules = _modules(code, runtime.name, files)
    unreached = _unreached(code, runtime.name, files)
    surface = runtime_tools(code, facts.project, runtime.name)
    tools = [
        MapTool(
            name=t.name,
            kind=t.kind,
            path=t.path,
            line=t.line,
            effects=[_effect(e) for e in t.effects],
            changes_data=bool(changes(t.effects)),
            gateway=t.gateway,
        )
        for t in surface.tools
    ]
    return MapRuntime(
        name=runtime.name,
        protocol=model.protocols.get(runtime.name, runtime.protocol or "HTTP"),
        build=runtime.build,
        authorizer=runtime.effective_authorizer,
        network=runtime.network_mode,
        config=Place(path=runtime.where.file, line=runtime.where.here.line, what=f"runtime {runtime.name}"),
        entry=Place(path=entry.entry_file, line=1) if entry is not None and entry.entry_file else None,
        missing=entry.missing if entry is not None else None,
        handlers=handlers,
        modules=modules[:MAX_LIST],
        modules_total=len(modules),
        lines_total=sum(m.lines for m in modules),
        unreached=unreached[:MAX_LIST],
        unreached_total=len(unreached),
        tools=tools[:MAX_LIST],
        approvals=[Place(path=p, line=line, what=what) for p, line, what in surface.approvals][:MAX_LIST],
        models=[
            MapModel(
                framework=m.framework,
                built_with=m.built_with,
                model_id=m.model_id,
                source=m.source,
                default=m.default,
                path=m.path,
                line=m.line,
            )
            for m in runtime_models(code, facts.project, runtime.name)
        ][:MAX_LIST],
        memory=[
            _memory_call(c)
            for c in use.calls
            if c.runtime == runtime.name or runtime.name in _runtimes_of(code, c.path)
        ][:MAX_LIST],
        identity=_identity(facts, runtime, files)[:MAX_LIST],
        sessions=_session_reads(files)[:MAX_LIST],
        invoked_by=[c for c in callers if c.runtime == runtime.name][:MAX_LIST],
        dependency_files=list(runtime.dependency_files),
        dockerfile=runtime.dockerfile.path if runtime.is_container and runtime.dockerfile else None,
        execution_role=(
            Place(path=runtime.where.file, line=runtime.loc("executionRoleArn").line, what="execution role")
            if runtime.execution_role_arn
            else None
        ),
    )


def _runtimes_of(code: CodeIndex, path: str) -> tuple[str, ...]:
    py_file = code.file(path)
    return py_file.runtimes if py_file is not None else ()


def _is_async(py_file: PyFile, qualname: str) -> bool:
    return any(f.qualname == qualname and f.is_async for f in py_file.functions)


def _modules(code: CodeIndex, runtime: str, files: list[PyFile]) -> list[MapModule]:
    entry = code.entry(runtime)
    first = entry.entry_file if entry is not None else None
    found = [
        MapModule(path=f.path, lines=f.facts.line_count or len(f.lines), reached=_reached(f.place.why, runtime))
        for f in files
    ]
    return sorted(found, key=lambda m: (m.path != first, -m.lines, m.path))


def _unreached(code: CodeIndex, runtime: str, files: list[PyFile]) -> list[str]:
    """Python files inside the runtime's deployment (its code location, what its image copies)
    that no import reaches: shipped, never run by the runtime (tests left out)."""
    entry = code.entry(runtime)
    if entry is None or entry.entry_file is None:
        return []
    bounds = [b for b in entry.package_bounds if b not in ("", ".")]
    if not bounds:
        return []  # the whole repository is the package: every other file would be listed
    reached = {f.path for f in files}
    return sorted(
        f.path
        for f in code.facts_of(*NON_TEST_ROLES)
        if f.path not in reached and any(f.path.startswith(b.rstrip("/") + "/") for b in bounds)
    )


def _reached(why: str, runtime: str) -> str:
    text = why.split(";")[0].replace(f" (runtime {runtime})", "").replace(f" of runtime {runtime}", "")
    return text.strip()


def _effect(effect: Effect) -> MapEffect:
    return MapEffect(
        kind=effect.kind,
        detail=effect.detail,
        access=effect.access,
        destructive=effect.destructive,
        path=effect.path,
        line=effect.line,
    )


def _memory_call(call: object) -> MapMemoryCall:
    from agentcore_readiness.checks.memory_use import IdSource, MemoryCall

    assert isinstance(call, MemoryCall)

    def source(s: IdSource) -> MapIdSource:
        return MapIdSource(kind=s.kind, detail=s.detail, path=s.path, line=s.line, fallback=s.fallback)

    return MapMemoryCall(
        op=call.op,
        api=call.api,
        path=call.path,
        line=call.line,
        namespaces=list(call.namespaces),
        actor=[source(s) for s in call.actor],
        session=[source(s) for s in call.session],
        memories=list(call.memories),
    )


# -- identity and sessions

_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{2,80}$")
_CLAIMS = frozenset(
    {
        "sub",
        "username",
        "email",
        "cognito:username",
        "cognito:groups",
        "groups",
        "roles",
        "scope",
        "scp",
        "client_id",
        "azp",
        "aud",
        "iss",
        "tenant_id",
        "tid",
        "oid",
        "preferred_username",
    }
)


def _identity_key(key: str) -> bool:
    """Keys worth following: header names (with a dash, or Authorization) and JWT claim names."""
    lowered = key.lower()
    return (
        ("-" in key and _HEADER_NAME.match(key) is not None)
        or lowered in ("authorization", "cookie")
        or lowered in _CLAIMS
        or lowered.startswith("custom:")
    )


def _identity(facts: Facts, runtime: Runtime, files: list[PyFile]) -> list[MapInput]:
    """JWT claims and request headers the runtime's code reads, and the headers its
    configuration lets through."""
    code = facts.code
    assert code is not None
    tracer = IdTracer(code_map(code, facts.project), files, {})
    found: dict[tuple[str, str], MapInput] = {}
    for py_file in files:
        text = py_file.source_text()
        if "header" not in text.lower() and "claim" not in text.lower() and "jwt" not in text.lower():
            continue
        for base, key in _keyed_reads(py_file):
            if not _identity_key(key):
                continue
            line = base.lineno
            function = py_file.function_at(base)
            kind = tracer.container_kind(py_file, base, function, 0)
            if kind == "headers":
                found.setdefault(
                    ("header", key.lower()), MapInput(kind="header", name=key, path=py_file.path, line=line)
                )
            elif kind == "claims":
                found.setdefault(("claim", key), MapInput(kind="jwt_claim", name=key, path=py_file.path, line=line))
    allowed = [
        MapInput(
            kind="allowed_header", name=h, path=runtime.where.file, line=runtime.loc("requestHeaderAllowlist").line
        )
        for h in runtime.request_header_allowlist
    ]
    return [*sorted(found.values(), key=lambda i: (i.path, i.line or 0)), *allowed]


def _keyed_reads(py_file: PyFile) -> list[tuple[ast.expr, str]]:
    """``base["key"]`` and ``base.get("key", ...)`` with a string-literal key: each base and
    key, in source order."""
    found: list[tuple[ast.expr, ast.expr, str]] = []
    for call in py_file.calls:
        func = call.node.func
        if call.attr == "get" and isinstance(func, ast.Attribute) and (key := call.str_arg(0)) is not None:
            found.append((call.node, func.value, key))
    found.extend((access.node, access.node.value, access.key) for access in py_file.keyed)
    found.sort(key=lambda read: (read[0].lineno, read[0].col_offset))
    return [(base, key) for _, base, key in found]


_CONTEXT_NAMES = ("context", "ctx", "request_context")


def _session_reads(files: list[PyFile]) -> list[Place]:
    found: list[Place] = []
    for py_file in files:
        if "session_id" not in py_file.source_text():
            continue
        reads: list[tuple[int, int, str]] = []
        for attribute in py_file.name_attributes:
            holder = attribute.value
            if attribute.attr == "session_id" and isinstance(holder, ast.Name) and holder.id in _CONTEXT_NAMES:
                reads.append((attribute.lineno, attribute.col_offset, f"{holder.id}.session_id"))
        for call in py_file.calls:
            node = call.node
            if isinstance(node.func, ast.Name) and node.func.id == "getattr" and call.str_arg(1) == "session_id":
                fallback = call.str_arg(2)
                what = "context.session_id" + (f" (falls back to {fallback!r})" if fallback else "")
                reads.append((node.lineno, node.col_offset, what))
        found.extend(Place(path=py_file.path, line=line, what=what) for line, _, what in sorted(reads))
    return sorted({(p.path, p.line): p for p in found}.values(), key=lambda p: (p.path, p.line or 0))


# -- callers


def _callers(facts: Facts) -> list[MapCaller]:
    from agentcore_readiness.checks.sessions.agent_code import session_origin_texts

    code = facts.code
    assert code is not None
    origins = {(path, line): origin for path, line, origin in session_origin_texts(facts)}
    names = {r.name: r for r in facts.project.runtimes}
    found: list[MapCaller] = []
    for py_file in code.facts_of("caller"):
        text = py_file.source_text()
        runtime = _named_runtime(text, facts.project)
        for how, line in py_file.facts.signals.invokes:
            if how == "stop_runtime_session":
                continue
            origin = origins.get((py_file.path, line))
            found.append(
                MapCaller(
                    path=py_file.path,
                    line=line,
                    shape=py_file.place.shape,
                    how=how,
                    session=origin,
                    runtime=runtime if runtime in names else None,
                )
            )
    return found


def _named_runtime(text: str, project: ProjectFacts) -> str | None:
    """The runtime a caller's code names: its deployed ARN, ``runtime/<Project>_<Name>-``, or its name in quotes."""
    for runtime in project.runtimes:
        if runtime.deployed_arn and runtime.deployed_arn in text:
            return runtime.name
    for runtime in project.runtimes:
        if re.search(rf"runtime/(?:{re.escape(project.name)}_)?{re.escape(runtime.name)}-", text):
            return runtime.name
    if len(project.runtimes) == 1:
        return project.runtimes[0].name
    for runtime in project.runtimes:
        if re.search(rf"[\"']{re.escape(runtime.name)}[\"']", text):
            return runtime.name
    return None


# -- memories, gateways, IAM


def _memories(project: ProjectFacts, use: MemoryUse) -> list[MapMemory]:
    found: list[MapMemory] = []
    for memory in project.memories:
        calls = list(use.of_memory(memory.name))
        writes = [c for c in calls if c.op in ("write", "session")]
        reads = [c for c in calls if c.namespaces or c.op == "read"]
        read, _ = strategies_read(memory, reads)
        strategies = [
            MapStrategy(
                type=s.type,
                namespaces=list(s.namespaces),
                retrieved=(i in read) if writes or calls else None,
                path=s.where.file,
                line=s.where.here.line,
            )
            for i, s in enumerate(memory.strategies)
        ]
        found.append(
            MapMemory(
                name=memory.name,
                path=memory.where.file,
                line=memory.where.here.line,
                mode=memory.mode,
                strategies=strategies,
                long_term_read=bool(reads) if calls else None,
                used_by=[f"{c.path}:{c.line}" for c in calls][:MAX_LIST],
            )
        )
    return found


def _gateways(project: ProjectFacts) -> list[MapGateway]:
    declared = {c.name for c in project.credentials}
    return [
        MapGateway(
            name=g.name,
            path=g.where.file,
            line=g.where.here.line,
            authorizer=g.authorizer_type,
            policy_engine=g.policy_engine_name,
            policy_mode=g.policy_engine_mode,
            enforcing=policy_engine_enforcing(project, g),
            targets=[
                MapTarget(
                    name=t.name,
                    type=t.target_type,
                    credential=t.credential_name,
                    declared=(t.credential_name in declared) if t.credential_name else None,
                    path=t.where.file,
                    line=t.where.here.line,
                )
                for t in g.targets
            ],
        )
        for g in project.gateways
    ]


def _iam(policies: ProjectPolicies | None, code: CodeIndex, managed: list[Place]) -> list[MapStatement]:
    found: list[MapStatement] = []
    if policies is not None:
        for policy in (*policies.permission, *policies.trust, *policies.given):
            for statement in policy.document.statements:
                location = policy.location_of(statement)
                found.append(
                    MapStatement(
                        source=policy.describe,
                        holder=policy.holder,
                        effect=statement.effect,
                        actions=list(statement.actions or statement.not_actions or ())[:10],
                        resources=list(statement.resources or statement.not_resources or ())[:10],
                        path=location.path or policy.name,
                        line=location.line,
                    )
                )
    found.extend(_cdk_statements(code, managed))
    return found


_CDK_STATEMENTS = ("PolicyStatement", "add_to_policy", "add_to_principal_policy", "add_managed_policy")


def _cdk_statements(code: CodeIndex, managed: list[Place]) -> list[MapStatement]:
    """``iam.PolicyStatement(actions=[...], resources=[...])`` and role trusts in Python CDK
    code; managed policies it attaches go to ``managed``."""
    found: list[MapStatement] = []
    for py_file in code.facts_of("infra"):
        text = py_file.source_text()
        if "PolicyStatement" not in text and "assumed_by" not in text and "managed_policy" not in text:
            continue
        for call in py_file.calls:
            if call.attr == "Role" and "assumed_by" in call.keywords:
                principal = call.keywords["assumed_by"]
                service = next((literal_str(a) for a in getattr(principal, "args", [])[:1]), None)
                found.append(
                    MapStatement(
                        source="CDK Role trust",
                        effect="Allow",
                        actions=["sts:AssumeRole"],
                        resources=[service or "{…}"],
                        path=py_file.path,
                        line=call.line,
                    )
                )
                continue
            if call.attr != "PolicyStatement" and not (call.attr == "from_aws_managed_policy_name" and call.node.args):
                continue
            if call.attr == "from_aws_managed_policy_name":
                name = literal_str(call.node.args[0]) or "a managed policy"
                managed.append(Place(path=py_file.path, line=call.line, what=f"{name} (CDK)"))
                continue
            actions = _literal_list(call.keywords.get("actions"))
            resources = _literal_list(call.keywords.get("resources"))
            effect = "Deny" if "DENY" in ast.unparse(call.keywords.get("effect", ast.Constant(""))).upper() else "Allow"
            found.append(
                MapStatement(
                    source="CDK PolicyStatement",
                    effect=effect,
                    actions=actions,
                    resources=resources,
                    path=py_file.path,
                    line=call.line,
                )
            )
    return found


def _literal_list(expr: ast.expr | None) -> list[str]:
    if isinstance(expr, (ast.List, ast.Tuple)):
        return [literal_str(e) or "{…}" for e in expr.elts][:10]
    return ["{…}"] if expr is not None else []


# ---------------------------------------------------------------------------
# Where to look for each undecided checklist item


def _places(items: Iterable[tuple[str, int | None, str]], limit: int = 4) -> list[Place]:
    seen: dict[tuple[str, int | None], Place] = {}
    for path, line, what in items:
        if path and (path, line) not in seen:
            seen[(path, line)] = Place(path=path, line=line, what=what)
    return list(seen.values())[:limit]


def item_places(project_map: ProjectMap) -> dict[str, list[Place]]:
    """For each checklist item, the places of the map a reviewer reads to decide it (at most
    four; none for items that only the AWS account can decide, such as log retention)."""
    runtimes = project_map.runtimes
    handlers = [(h.path, h.line, f"{KIND_WORDS.get(h.kind, h.kind)} {h.name}()") for r in runtimes for h in r.handlers]
    entries = [(r.entry.path, r.entry.line, "entrypoint") for r in runtimes if r.entry]
    models = [
        (m.path, m.line, f"model, {m.built_with}" if m.model_id else f"no model named, {m.built_with}")
        for r in runtimes
        for m in r.models
    ]
    bedrock = [
        (s.path, s.line, "IAM: " + ", ".join(s.actions[:3]))
        for s in project_map.iam
        if any(a.startswith(("bedrock:", "*")) for a in s.actions)
    ]
    ecr = [
        (s.path, s.line, "IAM: " + ", ".join(s.actions[:3]))
        for s in project_map.iam
        if any(a.startswith(("ecr:", "*")) for a in s.actions)
    ]
    ecr += [(r.dockerfile, None, "image") for r in runtimes if r.dockerfile]
    trust = [
        (s.path, s.line, "IAM trust: " + ", ".join(s.actions[:2]))
        for s in project_map.iam
        if any("AssumeRole" in a for a in s.actions)
    ]
    configs = [(r.config.path, r.config.line, f"runtime {r.name}") for r in runtimes]
    roles = [(r.execution_role.path, r.execution_role.line, "execution role") for r in runtimes if r.execution_role]
    command_iam = [
        (s.path, s.line, "IAM: " + ", ".join(s.actions[:3]))
        for s in project_map.iam
        if any(a.startswith(("bedrock-agentcore:", "*")) for a in s.actions)
    ]
    changing = [(t.path, t.line, f"tool {t.name} changes data") for r in runtimes for t in r.tools if t.changes_data]
    subprocess = [
        (e.path, e.line, e.detail) for r in runtimes for t in r.tools for e in t.effects if e.kind == "subprocess"
    ]
    memory = [(c.path, c.line, f"memory {c.api}") for r in runtimes for c in r.memory]
    strategies = [(s.path, s.line, s.type) for m in project_map.memories for s in m.strategies]
    callers = [
        (
            c.path,
            c.line,
            f"invokes {c.runtime or 'a runtime'}" + (f", session {c.session.split(':')[0]}" if c.session else ""),
        )
        for c in [*project_map.callers, *(c for r in runtimes for c in r.invoked_by)]
    ]
    identity = [(i.path, i.line, f"{i.kind.replace('_', ' ')} {i.name}") for r in runtimes for i in r.identity]
    gateways = [(g.path, g.line, f"gateway {g.name}") for g in project_map.gateways]
    deps = [(f, None, "dependencies") for r in runtimes for f in r.dependency_files]
    tests = [(t, None, "test") for t in project_map.tests]
    tools = [(t.path, t.line, f"tool {t.name}") for r in runtimes for t in r.tools]
    return {
        "iam.bedrock": _places([*models, *bedrock, *roles]),
        "iam.ecr": _places([*ecr, *roles]),
        "iam.trust": _places([*trust, *roles]),
        "auth.not_none": _places([*configs, *gateways]),
        "auth.jwt": _places([*configs, *identity]),
        "shell.holders": _places([*command_iam, *subprocess]),
        "shell.separate": _places(command_iam),
        "shell.alert": _places(command_iam),
        "shell.injection": _places(subprocess),
        "code.errors": _places(handlers),
        "code.validation": _places([*handlers, *identity]),
        "code.credentials": _places(gateways),
        "obs.xray": _places(configs),
        "obs.eval": _places(configs),
        "perf.init": _places(entries),
        "perf.size": _places(deps),
        "perf.deps": _places(deps),
        "perf.deferred": _places(entries),
        "perf.reuse": _places(callers),
        "perf.stop": _places(callers),
        "perf.idle": _places(configs),
        "perf.async": _places(handlers),
        "res.memory": _places([*strategies, *memory]),
        "res.gateway": _places(gateways),
        "res.policy": _places([*changing, *gateways]),
        "test.inputs": _places(tests or handlers),
        "test.errors": _places([*tests, *tools, *models]),
        "test.memory": _places([*tests, *memory]),
    }


def undecided_items(results: list[RuleResult], metas: dict[str, RuleMeta]) -> list[str]:
    """The checklist items a review leaves open: no rule of the item failed or warned, and
    one was skipped, unknown or crashed, did not run, or none exists (a manual item)."""
    from agentcore_readiness.checklist_items import ITEMS

    by_rule = {r.rule: r for r in results}
    codes: dict[str, list[str]] = {}
    for code, meta in metas.items():
        for key in meta.checklist:
            codes.setdefault(key, []).append(code)
    open_items: list[str] = []
    for key in ITEMS:
        ran = [by_rule[c] for c in codes.get(key, []) if c in by_rule]
        if codes.get(key) and not ran:
            continue  # none of the item's rules was chosen for this review
        statuses = {r.status for r in ran}
        if statuses & {"fail", "warn"}:
            continue
        missing = [c for c in codes.get(key, []) if c not in by_rule]
        if not ran or statuses & {"unknown", "skipped", "error"} or missing:
            if statuses == {"not_applicable"} and not missing:
                continue
            open_items.append(key)
    return open_items


def look_at(facts: Facts, results: list[RuleResult], metas: dict[str, RuleMeta]) -> dict[str, list[LookAt]]:
    """The places to read for each checklist item the review left open (items with none are left out)."""
    from agentcore_readiness.model import LookAt

    open_items = undecided_items(results, metas)
    if not open_items or facts.code is None:
        return {}
    from agentcore_readiness.checks.iam import project_policies

    places = item_places(build_map(facts, project_policies(facts)))
    return {
        key: [LookAt(path=p.path, line=p.line, what=p.what) for p in places[key]]
        for key in open_items
        if places.get(key)
    }

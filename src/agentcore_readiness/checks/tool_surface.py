"""The tools a runtime gives its model, and what each one touches.

A tool is a function the model may call: ``@tool`` (Strands, LangChain, CrewAI),
``@function_tool`` (OpenAI Agents), ``@mcp.tool()`` of a FastMCP runtime, a ``BaseTool``
subclass, a tool imported from ``strands_tools`` (``use_aws``, ``shell``, …), or the tools
of a remote MCP server (an AgentCore gateway, the AWS API MCP server's ``call_aws``).

What a tool touches is found in its body and in the functions of the project it calls:
AWS operations (with their read-only or mutating class), HTTP hosts and methods,
subprocesses and databases. The same facts feed GW008 and the project map.

Pure: works on the code index and the project facts.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from agentcore_readiness.analysis.dataflow import Scope, fold
from agentcore_readiness.checks.aws_calls import (
    PASSTHROUGH,
    Access,
    AwsClients,
    operation_destructive,
)
from agentcore_readiness.facts.code.callflow import CodeMap, Target, code_map, literal_str

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CodeIndex, FunctionInfo, PyFile
    from agentcore_readiness.facts.project.project_facts import Gateway, ProjectFacts

EffectKind = Literal["aws", "http", "subprocess", "database", "mcp", "code"]


@dataclass(frozen=True)
class Effect:
    """One thing a tool touches."""

    kind: EffectKind
    detail: str
    access: Access
    destructive: bool
    """Deletes, terminates or revokes something, or may do anything (a passthrough, a shell)."""
    path: str
    line: int


@dataclass(frozen=True)
class Tool:
    """A tool the model of a runtime may call."""

    name: str
    kind: str
    path: str
    line: int
    effects: tuple[Effect, ...] = ()
    remote: str | None = None
    """For the tools of a remote MCP server: its URL (or the variable that holds it)."""
    gateway: str | None = None
    """The AgentCore gateway (of this project) whose tools these are."""

    @property
    def mutating(self) -> bool:
        return any(e.access == "mutating" for e in self.effects)

    @property
    def destructive(self) -> bool:
        return any(e.destructive for e in self.effects)


# ---------------------------------------------------------------------------
# Effects of code

SUBPROCESS_CALLS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
        "os.execv",
        "os.execvp",
        "os.spawnv",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
        "pexpect.spawn",
        "pexpect.run",
    }
)
DATABASE_CONNECTS = {
    "psycopg2.connect": "PostgreSQL",
    "psycopg.connect": "PostgreSQL",
    "psycopg.AsyncConnection.connect": "PostgreSQL",
    "asyncpg.connect": "PostgreSQL",
    "asyncpg.create_pool": "PostgreSQL",
    "pymysql.connect": "MySQL",
    "mysql.connector.connect": "MySQL",
    "aiomysql.connect": "MySQL",
    "sqlite3.connect": "SQLite",
    "aiosqlite.connect": "SQLite",
    "sqlalchemy.create_engine": "SQLAlchemy",
    "sqlalchemy.ext.asyncio.create_async_engine": "SQLAlchemy",
    "pymongo.MongoClient": "MongoDB",
    "motor.motor_asyncio.AsyncIOMotorClient": "MongoDB",
    "redis.Redis": "Redis",
    "redis.StrictRedis": "Redis",
    "redis.from_url": "Redis",
    "opensearchpy.OpenSearch": "OpenSearch",
    "neo4j.GraphDatabase.driver": "Neo4j",
}
_SQL_CALLS = frozenset({"execute", "executemany", "executescript", "fetch", "fetchrow", "fetchval"})
_SQL_VERB = re.compile(r"^\s*(?:WITH\b.*?\)\s*)?([A-Za-z]+)", re.DOTALL)
_SQL_READ = frozenset({"SELECT", "SHOW", "EXPLAIN", "DESCRIBE", "PRAGMA"})
_SQL_DESTRUCTIVE = frozenset({"DELETE", "DROP", "TRUNCATE"})
_MONGO_WRITE = (
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "bulk_write",
    "drop",
    "find_one_and_delete",
    "find_one_and_update",
    "find_one_and_replace",
)
_HTTP_READ = frozenset({"get", "head", "options"})
_HTTP_DESTRUCTIVE = frozenset({"delete"})

STRANDS_TOOLS: dict[str, tuple[EffectKind, str, Access, bool]] = {
    "use_aws": ("aws", "any AWS operation the model names (use_aws)", "mutating", True),
    "shell": ("subprocess", "any shell command the model writes (shell)", "mutating", True),
    "python_repl": ("code", "any Python the model writes (python_repl)", "mutating", True),
    "file_write": ("code", "writes files on the runtime's disk (file_write)", "mutating", False),
    "editor": ("code", "edits files on the runtime's disk (editor)", "mutating", False),
    "http_request": ("http", "any URL and method the model names (http_request)", "mutating", False),
    "use_computer": ("code", "controls the runtime's desktop (use_computer)", "mutating", True),
}
"""Tools of the ``strands_tools`` package that reach outside the process."""


class EffectFinder:
    """What the project's functions touch, followed through the functions they call."""

    MAX_DEPTH = 4
    MAX_EFFECTS = 12

    def __init__(self, cmap: CodeMap) -> None:
        self.cmap = cmap
        self.aws = AwsClients(cmap)

    def of_function(self, target: Target) -> tuple[Effect, ...]:
        found: dict[tuple[str, str], Effect] = {}
        for reached in self.cmap.reachable(target, max_depth=self.MAX_DEPTH):
            for effect in self.direct(reached.file, reached.function):
                found.setdefault((effect.kind, effect.detail), effect)
                if len(found) >= self.MAX_EFFECTS:
                    break
        return tuple(sorted(found.values(), key=lambda e: (e.path != target.file.path, e.path, e.line)))

    def direct(self, py_file: PyFile, function: FunctionInfo) -> list[Effect]:
        """What one function's own calls touch."""
        effects: list[Effect] = []
        for call in py_file.calls:
            if call.function is not function:
                continue
            effect = self._of_call(py_file, call.node, function)
            if effect is not None:
                effects.append(effect)
        effects.extend(self._http(py_file, function))
        return effects

    def _of_call(self, py_file: PyFile, call: ast.Call, function: FunctionInfo) -> Effect | None:
        name = py_file.resolve(call.func)
        if name in SUBPROCESS_CALLS:
            command, fixed = _command(call)
            if fixed:  # the same command every time: what it does is in its text, for the reader
                return Effect("subprocess", f"runs `{command}`", "unknown", False, py_file.path, call.lineno)
            return Effect("subprocess", f"runs {command}", "mutating", True, py_file.path, call.lineno)
        if name in DATABASE_CONNECTS:
            return Effect(
                "database", f"connects to {DATABASE_CONNECTS[name]}", "unknown", False, py_file.path, call.lineno
            )
        attr = name.rsplit(".", 1)[-1]
        if attr in _SQL_CALLS and call.args:
            sql = fold(call.args[0], Scope.of(function.node, py_file.resolve, {}), depth=3)
            verb_match = _SQL_VERB.match(sql.text)
            if verb_match is not None and sql.text.strip().split()[0].isalpha():
                verb = verb_match.group(1).upper()
                if verb in _SQL_READ or verb in (
                    "INSERT",
                    "UPDATE",
                    "DELETE",
                    "DROP",
                    "TRUNCATE",
                    "MERGE",
                    "ALTER",
                    "CREATE",
                    "UPSERT",
                    "REPLACE",
                ):
                    access: Access = "read-only" if verb in _SQL_READ else "mutating"
                    return Effect(
                        "database", f"SQL {verb}", access, verb in _SQL_DESTRUCTIVE, py_file.path, call.lineno
                    )
        if attr in _MONGO_WRITE and isinstance(call.func, ast.Attribute) and "mongo" in _imports_text(py_file):
            return Effect(
                "database",
                f"MongoDB {attr}",
                "mutating",
                attr.startswith(("delete", "drop")) or attr == "find_one_and_delete",
                py_file.path,
                call.lineno,
            )
        aws = self.aws.call(py_file, call, function)
        if aws is not None:
            return Effect("aws", aws.label, aws.access, operation_destructive(aws.operation), py_file.path, call.lineno)
        return None

    def _http(self, py_file: PyFile, function: FunctionInfo) -> list[Effect]:
        node = function.node
        end = getattr(node, "end_lineno", node.lineno) or node.lineno
        found: list[Effect] = []
        for http in py_file.facts.http_calls:
            if http.function != function.name or not node.lineno <= http.line <= end or http.kind == "mcp":
                continue
            method = http.client.rsplit(".", 1)[-1].lower()
            if method in ("request", "stream", "send", "urlopen"):
                method = "any method" if method != "urlopen" else "get"
            where = host_of(http.url, http.url_env)
            if http.kind in ("websocket", "sse", "a2a"):
                found.append(Effect("http", f"{http.kind} {where}", "unknown", False, py_file.path, http.line))
                continue
            access: Access = "read-only" if method in _HTTP_READ else "mutating"
            destructive = method in _HTTP_DESTRUCTIVE
            found.append(Effect("http", f"{method.upper()} {where}", access, destructive, py_file.path, http.line))
        return found


def _imports_text(py_file: PyFile) -> str:
    return " ".join(py_file.imported_modules)


def _command(call: ast.Call) -> tuple[str, bool]:
    """The command a subprocess call runs, and whether it is fixed (every part a literal)."""
    first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("args", "cmd")), None)
    if isinstance(first, (ast.List, ast.Tuple)) and first.elts:
        parts = [literal_str(e) for e in first.elts]
        if all(p is not None for p in parts):
            return " ".join(p for p in parts if p is not None)[:80], True
        head = parts[0]
        return (f"`{head}` with arguments built at run time" if head else "a command built at run time"), False
    text = literal_str(first)
    if text:
        return text[:80], True
    return "a command built at run time", False


def host_of(url: str | None, env: str | None) -> str:
    """``tickets.example.com`` of a URL; the environment variable when the URL comes from one."""
    if env:
        return f"the URL in ${env}"
    if not url or url.startswith("{"):
        return "a URL built at run time"
    match = re.match(r"^[a-z][a-z0-9+.-]*://([^/?#{]+)", url, re.IGNORECASE)
    if match is None:
        return "a URL built at run time"
    return match.group(1)


# ---------------------------------------------------------------------------
# Tools


def _tool_kind(py_file: PyFile, function: FunctionInfo, own: frozenset[str]) -> str | None:
    """The framework that makes ``function`` a tool; ``own`` holds the names of the file's
    module-level functions (a file's own ``def tool(func): return func`` makes nothing a tool)."""
    for decorator in function.decorators:
        head, _, last = decorator.rpartition(".")
        if last not in ("tool", "function_tool"):
            continue
        if not head and last in own:
            continue
        if head.startswith("strands"):
            return "Strands @tool"
        if head.startswith(("langchain", "langchain_core")):
            return "LangChain @tool"
        if head.startswith("crewai"):
            return "CrewAI @tool"
        if last == "function_tool":
            return "OpenAI Agents @function_tool"
        if head and "." not in head and head not in py_file.imports:
            return "MCP tool"
        return "@tool"
    return None


def _base_tool_run(py_file: PyFile) -> list[tuple[str, FunctionInfo]]:
    """``class X(BaseTool)`` with its ``_run`` / ``_arun`` / ``run`` method."""
    classes: set[str] = set()
    for statement in py_file.tree.body:
        if isinstance(statement, ast.ClassDef) and any(
            py_file.resolve(base).rsplit(".", 1)[-1] in ("BaseTool", "StructuredTool") for base in statement.bases
        ):
            classes.add(statement.name)
    found: list[tuple[str, FunctionInfo]] = []
    for info in py_file.functions:
        if info.class_name in classes and info.name in ("_run", "_arun", "run", "arun"):
            found.append((info.class_name or info.name, info))
    return found


def _gateway_of(project: ProjectFacts, url: str | None, env: str | None) -> Gateway | None:
    for gateway in project.gateways:
        token = re.sub(r"[^A-Z0-9]", "", gateway.name.upper())
        if env and token and token in re.sub(r"[^A-Z0-9]", "", env.upper()):
            return gateway
    if (env and "GATEWAY" in env.upper()) or (url and "gateway.bedrock-agentcore" in url):
        return project.gateways[0] if len(project.gateways) == 1 else None
    return None


@dataclass
class RuntimeTools:
    """The tools of one runtime, and the approval steps its code has."""

    runtime: str
    tools: list[Tool] = field(default_factory=list)
    approvals: list[tuple[str, int, str]] = field(default_factory=list)
    """(path, line, what) of each approval step (an interrupt, a confirmation, an elicitation)."""
    consent_bypassed: tuple[str, int] | None = None
    """Where ``BYPASS_TOOL_CONSENT`` is switched on (strands_tools run without asking)."""


def runtime_tools(code: CodeIndex, project: ProjectFacts, runtime: str) -> RuntimeTools:
    """Every tool the model of ``runtime`` may call, with what it touches (found once per code
    index view and kept with the index: the project map and GW008 both ask)."""
    key = ("runtime_tools", code.declared, runtime)
    found: RuntimeTools | None = code.derived.get(key)
    if found is None:
        found = code.derived[key] = _runtime_tools(code, project, runtime)
    return found


def _runtime_tools(code: CodeIndex, project: ProjectFacts, runtime: str) -> RuntimeTools:
    cmap = code_map(code, project)
    finder = EffectFinder(cmap)
    found = RuntimeTools(runtime)
    for py_file in code.runtime_files(runtime):
        _function_tools(py_file, finder, found)
        _strands_tools(py_file, found)
        _mcp_tools(py_file, project, found)
        found.approvals.extend(_approval_steps(code, py_file))
        bypass = _consent_bypass(py_file)
        if bypass is not None and found.consent_bypassed is None:
            found.consent_bypassed = (py_file.path, bypass)
    for variable in next((r.env_vars for r in project.runtimes if r.name == runtime), ()):
        if variable.name == "BYPASS_TOOL_CONSENT" and (variable.value or "").lower() == "true":
            found.consent_bypassed = (variable.location.path or "", variable.location.line or 0)
    found.tools.sort(key=lambda t: (t.path, t.line))
    return found


def _function_tools(py_file: PyFile, finder: EffectFinder, found: RuntimeTools) -> None:
    decorated = [f for f in py_file.functions if f.decorators]
    own = frozenset(f.name for f in py_file.functions if f.class_name is None) if decorated else frozenset()
    for function in decorated:
        kind = _tool_kind(py_file, function, own)
        if kind is None:
            continue
        effects = finder.of_function(Target(py_file, function))
        found.tools.append(Tool(function.name, kind, py_file.path, function.line, effects))
    for name, function in _base_tool_run(py_file):
        effects = finder.of_function(Target(py_file, function))
        found.tools.append(Tool(name, "BaseTool", py_file.path, function.line, effects))


def _strands_tools(py_file: PyFile, found: RuntimeTools) -> None:
    if "strands_tools" not in py_file.imported_modules:
        return
    seen = {t.name for t in found.tools}
    for qualified in py_file.imports.values():
        if not qualified.startswith("strands_tools."):
            continue
        tool = qualified.split(".")[1]
        if tool in seen:
            continue
        line = _import_line(py_file, qualified)
        known = STRANDS_TOOLS.get(tool)
        effects: tuple[Effect, ...] = ()
        if known is not None:
            kind, detail, access, destructive = known
            effects = (Effect(kind, detail, access, destructive, py_file.path, line),)
        seen.add(tool)
        found.tools.append(Tool(tool, "strands_tools", py_file.path, line, effects))


def _import_line(py_file: PyFile, qualified: str) -> int:
    """The line of the file's first import of ``qualified`` (``from module import name`` or
    ``import module.name``); 1 when none is written."""
    module, _, name = qualified.rpartition(".")
    for ref in py_file.import_records:
        if (ref.names and ref.module == module and name in ref.names) or (not ref.names and ref.module == qualified):
            return ref.line
    return 1


_AWS_API_SERVER = "aws-api-mcp-server"


def _mcp_tools(py_file: PyFile, project: ProjectFacts, found: RuntimeTools) -> None:
    for http in py_file.facts.http_calls:
        if http.kind != "mcp":
            continue
        gateway = _gateway_of(project, http.url, http.url_env)
        where = host_of(http.url, http.url_env)
        name = f"tools of gateway {gateway.name}" if gateway is not None else f"tools of the MCP server at {where}"
        effect = Effect("mcp", f"MCP server at {where}", "unknown", False, py_file.path, http.line)
        found.tools.append(
            Tool(
                name,
                "MCP client",
                py_file.path,
                http.line,
                (effect,),
                remote=where,
                gateway=gateway.name if gateway else None,
            )
        )
    for literal in py_file.strings:
        if _AWS_API_SERVER in literal.value and not literal.is_docstring:
            effect = Effect(
                "aws", "any AWS CLI command the model writes (call_aws)", "mutating", True, py_file.path, literal.line
            )
            found.tools.append(Tool("call_aws", "AWS API MCP server", py_file.path, literal.line, (effect,)))
            break


# ---------------------------------------------------------------------------
# Approval steps

_INTERRUPTS = ("langgraph.types.interrupt", "langgraph.prebuilt.interrupt")
_NO_KEYWORDS: frozenset[str | None] = frozenset()
_APPROVAL_ATTRS = frozenset({"interrupt", "elicit", "elicit_input", "HumanInTheLoopMiddleware"})


def _approval_steps(code: CodeIndex, py_file: PyFile) -> list[tuple[str, int, str]]:
    """:func:`approval_steps`, found once per file and kept with the index (every view and
    every runtime the file belongs to asks)."""
    key = ("approval_steps", py_file.path)
    found: list[tuple[str, int, str]] | None = code.derived.get(key)
    if found is None:
        found = code.derived[key] = approval_steps(py_file)
    return found


def approval_steps(py_file: PyFile) -> list[tuple[str, int, str]]:
    """Where the code stops for a person before a tool runs: a LangGraph ``interrupt`` or
    ``interrupt_before``, a Strands interrupt or a hook that cancels the tool call, an MCP
    elicitation, an OpenAI Agents ``needs_approval``, a function named for approval."""
    found: list[tuple[str, int, str]] = []
    for call in py_file.calls:
        attr = call.attr
        if attr not in _APPROVAL_ATTRS and not call.node.keywords:
            continue  # none of the tests below can hold
        name = call.name
        keywords = {k.arg for k in call.node.keywords} if call.node.keywords else _NO_KEYWORDS
        if name in _INTERRUPTS or (attr == "interrupt" and name != "signal.interrupt"):
            found.append((py_file.path, call.line, f"{attr}() stops for a person"))
        elif keywords & {"interrupt_before", "interrupt_after", "needs_approval"}:
            what = next(k for k in ("interrupt_before", "interrupt_after", "needs_approval") if k in keywords)
            found.append((py_file.path, call.line, f"{what}= on {attr}()"))
        elif attr in ("elicit", "elicit_input"):
            found.append((py_file.path, call.line, "asks the user (MCP elicitation)"))
        elif attr == "HumanInTheLoopMiddleware":
            found.append((py_file.path, call.line, "HumanInTheLoopMiddleware"))
    cancels = {s.line for s in py_file.stores if isinstance(s.target, ast.Attribute) and s.target.attr == "cancel_tool"}
    found.extend((py_file.path, line, "a hook cancels the tool call (cancel_tool)") for line in sorted(cancels))
    return found


def _consent_bypass(py_file: PyFile) -> int | None:
    """The line where the code turns ``BYPASS_TOOL_CONSENT`` on."""
    for literal in py_file.strings:
        if literal.value == "BYPASS_TOOL_CONSENT":
            text = py_file.line_text(literal.line).lower()
            if "true" in text and ("environ" in text or "setdefault" in text or "putenv" in text):
                return literal.line
    return None


def policy_engine_enforcing(project: ProjectFacts, gateway: Gateway) -> bool:
    """Whether an ENFORCE-mode policy engine with an active policy guards the gateway's tools."""
    if not gateway.policy_engine_name or (gateway.policy_engine_mode or "").upper() != "ENFORCE":
        return False
    engine = next((e for e in project.policy_engines if e.name == gateway.policy_engine_name), None)
    if engine is None:
        return False
    return any((p.enforcement_mode or "ACTIVE").upper() != "LOG_ONLY" for p in engine.policies)


_BOOKKEEPING = re.compile(
    r"^(?:bedrock-agentcore:(?:CreateEvent|BatchCreateMemoryRecords|DeleteEvent)|logs:(?:PutLogEvents|CreateLogStream)"
    r"|cloudwatch:PutMetricData|xray:PutTraceSegments|bedrock-runtime:\w+)$"
)
"""Calls that record the agent's own state or telemetry, or run a model: not the data a tool changes."""


def changes(effects: Iterable[Effect]) -> list[Effect]:
    """The effects that change or delete data (the agent's own memory events, telemetry and
    model calls left out)."""
    return [e for e in effects if (e.access == "mutating" or e.destructive) and not _BOOKKEEPING.match(e.detail)]


def mutating(tools: Iterable[Tool]) -> list[Tool]:
    return [t for t in tools if changes(t.effects)]


__all__ = [
    "PASSTHROUGH",
    "Effect",
    "EffectFinder",
    "RuntimeTools",
    "Tool",
    "approval_steps",
    "changes",
    "host_of",
    "mutating",
    "policy_engine_enforcing",
    "runtime_tools",
]

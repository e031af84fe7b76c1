"""What runs when the agent's modules are imported (PERF006): statements at module level
that build something heavy (boto3 clients, model clients, MCP clients, database engines,
model loads), directly or through the project's own functions they call, with the lazy
getter that defers each one.

Pure: works on the parsed trees the code index holds; the rule in
:mod:`agentcore_readiness.checks.performance` reads the records of :func:`import_time_work`.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcore_readiness.facts.code.callflow import CodeMap, code_map, import_time_statements, source_of
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CallSite, CodeIndex, FunctionInfo, PyFile
    from agentcore_readiness.facts.project.project_facts import ProjectFacts


_HEAVY_EXACT: dict[str, str] = {
    "boto3.client": "a boto3 client",
    "boto3.resource": "a boto3 resource",
    "sqlalchemy.create_engine": "a database engine",
    "sqlalchemy.ext.asyncio.create_async_engine": "a database engine",
    "psycopg2.connect": "a database connection",
    "psycopg.connect": "a database connection",
    "pymysql.connect": "a database connection",
    "mysql.connector.connect": "a database connection",
    "asyncpg.connect": "a database connection",
    "asyncpg.create_pool": "a database pool",
    "redis.Redis": "a Redis client",
    "redis.StrictRedis": "a Redis client",
    "redis.from_url": "a Redis client",
    "redis.Redis.from_url": "a Redis client",
    "pymongo.MongoClient": "a MongoDB client",
    "torch.load": "a model load",
    "transformers.pipeline": "a model pipeline",
    "spacy.load": "a model load",
    "joblib.load": "a model load",
    "faiss.read_index": "an index load",
    "requests.get": "an HTTP request",
    "requests.post": "an HTTP request",
    "requests.request": "an HTTP request",
    "httpx.get": "an HTTP request",
    "httpx.post": "an HTTP request",
    "urllib.request.urlopen": "an HTTP request",
    "bedrock_agentcore.memory.MemoryClient": "an AgentCore Memory client",
    "bedrock_agentcore.memory.client.MemoryClient": "an AgentCore Memory client",
    "strands.models.BedrockModel": "a Bedrock model client",
    "strands.models.bedrock.BedrockModel": "a Bedrock model client",
    "langchain_aws.ChatBedrock": "a Bedrock model client",
    "langchain_aws.ChatBedrockConverse": "a Bedrock model client",
    "opensearchpy.OpenSearch": "an OpenSearch client",
}
_HEAVY_ATTRS: dict[str, str] = {
    "MCPClient": "an MCP client",
    "MultiServerMCPClient": "an MCP client",
    "streamablehttp_client": "an MCP client",
    "streamable_http_client": "an MCP client",
    "sse_client": "an MCP client",
    "stdio_client": "an MCP client",
    "SentenceTransformer": "a model load",
    "from_pretrained": "a model load",
    "create_engine": "a database engine",
    "create_async_engine": "a database engine",
}


def heavy_construction(name: str) -> str | None:
    """What a resolved call name builds, when it is import-time heavy."""
    if name in _HEAVY_EXACT:
        return _HEAVY_EXACT[name]
    attr = name.rsplit(".", 1)[-1]
    if attr in _HEAVY_ATTRS:
        return _HEAVY_ATTRS[attr]
    if name.startswith("boto3.") and attr in ("client", "resource"):
        return f"a boto3 {attr}"
    if name.startswith("botocore.") and attr == "create_client":
        return "a botocore client"
    return None


@dataclass(frozen=True)
class HeavyCall:
    what: str
    chain: tuple[str, ...]
    """``get_client() (app/A/client.py:12)`` … down to the construction."""
    line: int


def _heavy_in(
    cmap: CodeMap,
    py_file: PyFile,
    sites: list[CallSite],
    within: FunctionInfo | None,
    depth: int,
    memo: dict[tuple[int, int], HeavyCall | None],
) -> HeavyCall | None:
    """The first heavy construction the calls ``sites`` (in source order) make, directly or
    through up to four calls. ``memo`` keeps each function's answer per depth (``None`` while
    it is being searched: a recursive call finds nothing there), so a function is searched
    once per review however many statements reach it."""
    for site in sites:
        call = site.node
        name = py_file.resolve(call.func)
        what = heavy_construction(name)
        if what is not None:
            label = f"{excerpt(name.split('(')[0], 80)}() at {py_file.path}:{call.lineno}"
            return HeavyCall(what, (label,), call.lineno)
        if depth >= 4:
            continue
        target = cmap.resolve(py_file, call, within)
        if target is None:
            continue
        key = (id(target.function), depth + 1)
        if key in memo:
            inner = memo[key]
        else:
            memo[key] = None
            inner = memo[key] = _heavy_in(
                cmap, target.file, target.file.calls_of(target.function), target.function, depth + 1, memo
            )
        if inner is not None:
            return HeavyCall(
                inner.what,
                (f"{target.function.qualname}() ({target.file.path}:{target.function.line})", *inner.chain),
                call.lineno,
            )
    return None


def _getter_name(name: str) -> str:
    return "get_" + name.strip("_").lower()


def _lazy_getter(py_file: PyFile, statement: ast.stmt, module_body: list[ast.stmt]) -> tuple[str, str | None]:
    """The lazy-getter rewrite of a module-level statement, and the name it replaces."""
    text = source_of(py_file, statement)
    name: str | None = None
    statements = [text]
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            name = targets[0].id
    elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
        name = statement.target.id
        earlier = [
            s
            for s in module_body
            if isinstance(s, ast.Assign)
            and s.lineno < statement.lineno
            and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)
        ]
        if earlier:
            statements = [source_of(py_file, earlier[-1]), text]
    if name is None:
        body = "\n".join("        " + line for s in statements for line in s.splitlines())
        code = (
            "_initialized = False\n\n"
            "def _initialize():\n"
            "    global _initialized\n"
            "    if not _initialized:\n"
            f"{body}\n"
            "        _initialized = True\n"
        )
        return code, None
    private = "_" + name.lstrip("_") if not name.startswith("_") else name + "_cache"
    renamed = [_rename(s, name, private) for s in statements]
    body = "\n".join("        " + line for s in renamed for line in s.splitlines())
    code = (
        f"{private} = None\n\n"
        f"def {_getter_name(name)}():\n"
        f"    global {private}\n"
        f"    if {private} is None:\n"
        f"{body}\n"
        f"    return {private}\n"
    )
    return code, name


def _rename(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![\w.]){re.escape(old)}\b", new, text, count=1)


def _module_uses(tree: ast.Module, name: str, after: int) -> list[int]:
    """Lines after ``after`` where module-level code (not functions) reads ``name``."""
    lines: set[int] = set()
    for statement, parts in import_time_statements(tree.body):
        if statement.lineno <= after:
            continue
        for part in parts:
            for node in ast.walk(part):
                if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
                    lines.add(node.lineno)
    return sorted(lines)


@dataclass(frozen=True)
class ImportTimeWork:
    """One module-level statement of runtime code that builds something heavy."""

    path: str
    line: int
    runtime: str | None
    heavy: HeavyCall
    getter: str
    """The lazy-getter rewrite of the statement."""
    name: str | None
    """The name the statement binds (``None``: a statement with no single name)."""
    uses: tuple[int, ...]
    """Later module-level lines that read ``name``."""
    evidence: str


def getter_name(name: str) -> str:
    return _getter_name(name)


def _busy_statements(py_file: PyFile) -> list[ast.stmt]:
    """The top-level statements holding a module-level call, in source order (each call placed
    by its position: files have many statements and few module-level calls)."""
    calls = py_file.calls_of(None)
    if not calls:
        return []
    body = py_file.tree.body
    starts = [(s.lineno, s.col_offset) for s in body]
    busy: dict[int, ast.stmt] = {}
    for call in calls:
        index = bisect_right(starts, (call.line, call.col)) - 1
        if index < 0 or index in busy:
            continue
        statement = body[index]
        if (call.line, call.col) < (statement.end_lineno or statement.lineno, statement.end_col_offset or 0):
            busy[index] = statement
    return [busy[i] for i in sorted(busy)]


def import_time_work(code: CodeIndex, project: ProjectFacts) -> list[ImportTimeWork]:
    """Every heavy construction the runtime code runs at import time, in file order."""
    cmap = code_map(code, project)
    found: list[ImportTimeWork] = []
    memo: dict[tuple[int, int], HeavyCall | None] = {}
    for py_file in code.of_role("runtime"):
        # a top-level statement with no module-level call inside builds nothing at import time
        busy = _busy_statements(py_file)
        for statement, parts in import_time_statements(busy):
            sites = [site for part in parts for site in py_file.module_calls_in(part)]
            if not sites:
                continue
            heavy = _heavy_in(cmap, py_file, sites, None, 0, memo)
            if heavy is None:
                continue
            getter, name = _lazy_getter(py_file, statement, py_file.tree.body)
            uses = _module_uses(py_file.tree, name, statement.lineno) if name else []
            evidence = excerpt(source_of(py_file, statement).strip(), 200)
            found.append(
                ImportTimeWork(
                    py_file.path, statement.lineno, py_file.runtime, heavy, getter, name, tuple(uses), evidence
                )
            )
    return found

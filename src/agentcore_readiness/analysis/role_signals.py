"""What one Python file's own code says about its role: its *signals* (imports, a
``__main__`` guard, a CLI parser, a Lambda handler, a web or UI framework, a queue worker,
infrastructure code, an agent server of its own, runtime invocations).

Plain data, computed in the code index's one walk; :mod:`agentcore_readiness.facts.code.roles`
decides roles from them. Pure: works on one file's tree, text and resolved names.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportRef:
    """One import: ``level`` dots, the module after them, the names imported from it."""

    level: int
    module: str
    names: tuple[str, ...]
    line: int


@dataclass
class RoleSignals:
    """What a file's code says about its role; collected in the code index's walk."""

    imports: list[ImportRef] = field(default_factory=list)
    dynamic_imports: list[tuple[str, int]] = field(default_factory=list)
    """``importlib.import_module("literal")`` / ``__import__("literal")`` targets and lines."""
    invokes: list[tuple[str, int]] = field(default_factory=list)
    """How and where the file invokes a runtime: (``"invoke_agent_runtime"``, line), (``"http"``, line)."""
    main_guard: int | None = None
    cli_parser: str | None = None
    lambda_handler: tuple[str, int] | None = None
    web_framework: tuple[str, int] | None = None
    ui_framework: tuple[str, int] | None = None
    queue_worker: int | None = None
    infra: tuple[str, int] | None = None
    agent_app: tuple[str, int] | None = None
    """An agent server of its own: ``BedrockAgentCoreApp``, ``FastMCP``, an A2A server."""


_WEB_FRAMEWORKS = {
    "fastapi": "FastAPI",
    "flask": "Flask",
    "django": "Django",
    "starlette": "Starlette",
    "litestar": "Litestar",
    "sanic": "Sanic",
    "quart": "Quart",
    "tornado": "Tornado",
    "falcon": "Falcon",
    "bottle": "Bottle",
    "aiohttp.web": "aiohttp.web",
}
_UI_FRAMEWORKS = {"streamlit": "Streamlit", "gradio": "Gradio", "chainlit": "Chainlit", "panel": "Panel"}
_CLI_PARSERS = {"argparse": "argparse", "click": "click", "typer": "typer", "fire": "fire", "docopt": "docopt"}
_INFRA = {
    "aws_cdk": "AWS CDK",
    "constructs": "AWS CDK",
    "troposphere": "CloudFormation (troposphere)",
    "pulumi": "Pulumi",
    "pulumi_aws": "Pulumi",
    "cdktf": "CDK for Terraform",
}
_QUEUE_MODULES = ("celery", "kafka", "aiokafka", "confluent_kafka", "pika", "aio_pika", "rq", "dramatiq")
_AGENT_APPS = {
    "bedrock_agentcore.runtime.BedrockAgentCoreApp": "BedrockAgentCoreApp",
    "bedrock_agentcore.BedrockAgentCoreApp": "BedrockAgentCoreApp",
    "bedrock_agentcore.runtime.app.BedrockAgentCoreApp": "BedrockAgentCoreApp",
    "mcp.server.fastmcp.FastMCP": "FastMCP",
    "mcp.server.mcpserver.MCPServer": "MCP server",
    "fastmcp.FastMCP": "FastMCP",
    "strands.multiagent.a2a.A2AServer": "A2A server",
    "bedrock_agentcore.runtime.serve_a2a": "A2A server",
    "a2a.server.apps.A2AStarletteApplication": "A2A server",
    "a2a.server.apps.A2AFastAPIApplication": "A2A server",
}
# an invocation URL, also one built in an f-string (``/runtimes/{quote(arn, safe='')}/invocations``)
_RUNTIME_URL = re.compile(
    r"bedrock-agentcore\.[^\s'\"/]*amazonaws\.com/runtimes/|/runtimes/(?:\{[^{}\n]*\}|[^\s'\"{}])*/invocations"
)
_LAMBDA_NAMES = frozenset({"handler", "lambda_handler", "main_handler"})
_INVOKE_ATTRS = ("invoke_agent_runtime", "invoke_agent_runtime_command", "stop_runtime_session")
# the bedrock-agentcore data-plane operations that do not invoke a runtime (botocore's names)
_OTHER_DATA_PLANE_CALL = re.compile(
    r"\.(?:batch_(?:create|delete|update)_memory_records|complete_resource_token_auth|create_event|"
    r"delete_event|delete_memory_record|evaluate|get_agent_card|get_browser_session|"
    r"get_code_interpreter_session|get_event|get_memory_record|get_resource_(?:api_key|oauth2_token)|"
    r"get_workload_access_token(?:_for_jwt|_for_user_id)?|invoke_browser|invoke_code_interpreter|"
    r"invoke_web_search|list_actors|list_browser_sessions|list_code_interpreter_sessions|list_events|"
    r"list_memory_records|list_sessions|retrieve_memory_records|start_browser_session|"
    r"start_code_interpreter_session|start_batch_evaluation|stop_browser_session|"
    r"stop_code_interpreter_session|ingest_data)\s*\("
)
_DATA_PLANE_CLIENT = re.compile(r"""client\(\s*(?:service_name\s*=\s*)?["']bedrock-agentcore["']""")


def collect_signals(
    tree: ast.Module,
    text: str,
    imports: Mapping[str, str],
    modules: Iterable[str],
    refs: Sequence[ImportRef],
    resolve: Callable[[ast.expr], str],
) -> RoleSignals:
    """A file's role signals, from its imports, module-level statements and cheap text scans
    (a syntax tree is searched further only where the text holds what is looked for).
    """
    signals = RoleSignals(imports=sorted(set(refs), key=lambda r: (r.line, r.level, r.module, r.names)))
    qualified = set(imports.values())
    top = set(modules)

    def imported(module: str) -> int | None:
        for ref in signals.imports:
            if ref.level == 0 and (ref.module == module or ref.module.startswith(module + ".")):
                return ref.line
            if ref.level == 0 and ref.module == module.rsplit(".", 1)[0] and module.rsplit(".", 1)[-1] in ref.names:
                return ref.line
        return None

    for module, name in _WEB_FRAMEWORKS.items():
        if module.split(".")[0] in top and (line := imported(module)) is not None:
            signals.web_framework = (name, line)
            break
    for module, name in _UI_FRAMEWORKS.items():
        if module in top and (line := imported(module)) is not None:
            signals.ui_framework = (name, line)
            break
    for module, name in _CLI_PARSERS.items():
        if module in top:
            signals.cli_parser = name
            break
    for module, name in _INFRA.items():
        if module in top and (line := imported(module)) is not None:
            signals.infra = (name, line)
            break
    for module in _QUEUE_MODULES:
        if module in top and (line := imported(module)) is not None:
            signals.queue_worker = line
            break
    for name, label in _AGENT_APPS.items():
        if name in qualified:
            line = imported(name) or 1
            signals.agent_app = (label, line)
            break
    _module_level(tree, signals, resolve)
    if "import_module" in text or "__import__" in text:
        _dynamic_imports(tree, resolve, signals)
    if "receive_message" in text and signals.queue_worker is None:
        signals.queue_worker = _first_line(text, "receive_message")
    _invocations(tree, text, resolve, signals)
    return signals


def _first_line(text: str, token: str) -> int:
    return text.count("\n", 0, max(text.find(token), 0)) + 1


def _module_level(tree: ast.Module, signals: RoleSignals, resolve: Callable[[ast.expr], str]) -> None:
    for statement in tree.body:
        if isinstance(statement, ast.If) and _is_main_guard(statement.test):
            signals.main_guard = statement.lineno
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = [a.arg for a in statement.args.args]
            lambda_like = params[:2] == ["event", "context"] or (
                statement.name in _LAMBDA_NAMES and len(params) == 2 and params[1] in ("context", "ctx", "_context")
            )
            if lambda_like and signals.lambda_handler is None:
                signals.lambda_handler = (statement.name, statement.lineno)
            for decorator in statement.decorator_list:
                name = resolve(decorator.func if isinstance(decorator, ast.Call) else decorator)
                if name.endswith(".entrypoint") and signals.agent_app is None:
                    signals.agent_app = ("BedrockAgentCoreApp", statement.lineno)
        elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            name = resolve(statement.value.func)
            label = _AGENT_APPS.get(name)
            if label is not None:
                signals.agent_app = (label, statement.lineno)


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, *test.comparators]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    literals = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and literals)


def _dynamic_imports(tree: ast.Module, resolve: Callable[[ast.expr], str], signals: RoleSignals) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            value = node.args[0].value
            if not isinstance(value, str) or not value:
                continue
            name = resolve(node.func)
            if name in ("importlib.import_module", "__import__", "import_module"):
                package = None
                for keyword in node.keywords:
                    if keyword.arg == "package" and isinstance(keyword.value, ast.Constant):
                        package = keyword.value.value
                if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                    package = node.args[1].value
                if value.startswith(".") and isinstance(package, str):
                    value = package + value if value != "." else package
                signals.dynamic_imports.append((value, node.lineno))


def _invocations(tree: ast.Module, text: str, resolve: Callable[[ast.expr], str], signals: RoleSignals) -> None:
    if "invoke_agent_runtime" in text or "stop_runtime_session" in text:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                attr = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
                if attr in _INVOKE_ATTRS:
                    signals.invokes.append((attr, node.lineno))
    if "/runtimes/" in text:
        lines = text.splitlines()
        for match in _RUNTIME_URL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            source = lines[line - 1].lstrip() if line <= len(lines) else ""
            if not source.startswith("#") and all(line != seen for _, seen in signals.invokes):
                signals.invokes.append(("http", line))
    if "bedrock-agentcore" in text and not signals.invokes:
        client = _DATA_PLANE_CLIENT.search(text)
        # a data-plane client used for memory, tools, identity or evaluation (and never to
        # invoke a runtime) does not make a caller
        if client is not None and _OTHER_DATA_PLANE_CALL.search(text) is None:
            signals.invokes.append(("bedrock-agentcore client", text.count("\n", 0, client.start()) + 1))
    signals.invokes.sort(key=lambda item: item[1])

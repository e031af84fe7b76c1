"""The models a runtime's code calls: where each model client or agent is built, with the
model ID it names, where that ID comes from, or the framework default it falls back to.

A Strands ``Agent()`` without ``model=`` and a ``BedrockModel()`` without ``model_id=`` use
the SDK's default model, which changes with the SDK version and the region: the execution
role then cannot be scoped to the model (IAM001).

Pure: works on the code index and the project facts.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcore_readiness.analysis.dataflow import DYNAMIC, Scope, dict_entries, fold
from agentcore_readiness.facts.code.callflow import code_map, latest_binding

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.callflow import CodeMap
    from agentcore_readiness.facts.code.index import CallSite, CodeIndex, FunctionInfo, PyFile
    from agentcore_readiness.facts.project.project_facts import ProjectFacts

STRANDS_DEFAULT_MODEL = "us.anthropic.claude-sonnet-4-20250514-v1:0"
"""``strands.models.bedrock.DEFAULT_BEDROCK_MODEL_ID``: Claude Sonnet 4 through the
inference profile of the region's geography (``us.``, ``eu.``, ``apac.``), as of Strands 1.x."""
STRANDS_DEFAULT_TEXT = (
    f"the Strands default model {STRANDS_DEFAULT_MODEL} (the eu./apac. profile by region; it changes with the SDK "
    "version)"
)

_STRANDS_AGENTS = frozenset({"strands.Agent", "strands.agent.Agent", "strands.agent.agent.Agent"})
_STRANDS_BEDROCK = frozenset({"strands.models.BedrockModel", "strands.models.bedrock.BedrockModel"})
_LANGCHAIN = {
    "ChatBedrock": ("model_id", "model"),
    "ChatBedrockConverse": ("model", "model_id"),
    "BedrockLLM": ("model_id", "model"),
    "BedrockChat": ("model_id",),
    "Bedrock": ("model_id",),
}
_BOTO_MODEL_CALLS = frozenset({"converse", "converse_stream", "invoke_model", "invoke_model_with_response_stream"})
_MODEL_ATTRS = frozenset(
    {
        *(name.rsplit(".", 1)[-1] for name in (*_STRANDS_AGENTS, *_STRANDS_BEDROCK)),
        *_LANGCHAIN,
        "init_chat_model",
        "LLM",
        *_BOTO_MODEL_CALLS,
    }
)
"""The names a call that :func:`_model_use` recognises ends in."""


@dataclass(frozen=True)
class ModelUse:
    framework: str
    built_with: str
    """``Agent()``, ``BedrockModel()``, ``ChatBedrock()``, ``converse()`` …"""
    path: str
    line: int
    model_id: str | None
    """As written (or the literal it resolves to); ``None`` when not known here."""
    source: str
    """``literal``, ``constant NAME``, ``env NAME``, ``framework default``, ``set at run time``."""
    default: str | None = None
    """The framework's default model, when the code names none."""

    @property
    def pinned(self) -> bool:
        return self.default is None


def runtime_models(code: CodeIndex, project: ProjectFacts, runtime: str | None = None) -> list[ModelUse]:
    """Every place the code of ``runtime`` (of every runtime when ``None``) builds a model
    client or an agent, or calls a Bedrock model directly."""
    cmap = code_map(code, project)
    env_values = {v.name: v.value for r in project.runtimes for v in r.env_vars if v.value}
    found: list[ModelUse] = []
    for py_file in code.runtime_files(runtime):
        if not py_file.imported_modules & {"strands", "langchain_aws", "langchain", "boto3", "crewai", "aioboto3"}:
            continue
        for call in py_file.calls:
            if call.attr not in _MODEL_ATTRS:
                continue
            use = _model_use(cmap, py_file, call, env_values)
            if use is not None:
                found.append(use)
    return found


def _model_use(cmap: CodeMap, py_file: PyFile, call: CallSite, env: dict[str, str]) -> ModelUse | None:
    name = call.name
    function = call.function
    if name in _STRANDS_AGENTS:
        model, splat = _keyword(py_file, call, "model")
        if model is None and call.node.args:
            model = call.node.args[0]
        if splat and model is None:
            return ModelUse("Strands", "Agent(**…)", py_file.path, call.line, None, "set at run time")
        if model is None or (isinstance(model, ast.Constant) and model.value is None):
            return ModelUse(
                "Strands", "Agent()", py_file.path, call.line, None, "framework default", STRANDS_DEFAULT_TEXT
            )
        if _builds_model_elsewhere(cmap, py_file, model, function):
            return None  # the BedrockModel() it is given is listed where it is built
        return _named(py_file, "Strands", "Agent(model=…)", call, model, function, env)
    if name in _STRANDS_BEDROCK:
        model_id, splat = _keyword(py_file, call, "model_id")
        if splat and model_id is None:
            return ModelUse("Strands", "BedrockModel(**…)", py_file.path, call.line, None, "set at run time")
        if model_id is None:
            return ModelUse(
                "Strands", "BedrockModel()", py_file.path, call.line, None, "framework default", STRANDS_DEFAULT_TEXT
            )
        return _named(py_file, "Strands", "BedrockModel()", call, model_id, function, env)
    attr = call.attr
    if attr in _LANGCHAIN and name.startswith(("langchain", "langchain_aws", "langchain_community")):
        expr = next((call.keywords[k] for k in _LANGCHAIN[attr] if k in call.keywords), None)
        if expr is None:
            return None
        return _named(py_file, "LangChain", f"{attr}()", call, expr, function, env)
    if attr == "init_chat_model" and name.startswith("langchain"):
        expr = call.keywords.get("model") or (call.node.args[0] if call.node.args else None)
        return _named(py_file, "LangChain", "init_chat_model()", call, expr, function, env) if expr else None
    if attr == "LLM" and name.startswith("crewai"):
        expr = call.keywords.get("model")
        return _named(py_file, "CrewAI", "LLM()", call, expr, function, env) if expr else None
    if attr in _BOTO_MODEL_CALLS and "modelId" in call.keywords:
        return _named(py_file, "boto3", f"{attr}()", call, call.keywords["modelId"], function, env)
    return None


def _keyword(py_file: PyFile, call: CallSite, name: str) -> tuple[ast.expr | None, bool]:
    """The value of keyword ``name``, also from a ``**kwargs`` dict built in the function; and
    whether the call passes a ``**`` it could not read (then the keyword may be in it)."""
    if name in call.keywords:
        return call.keywords[name], False
    unread = False
    scope = Scope.of(call.function.node if call.function else None, py_file.resolve, _module_values(py_file))
    for keyword in call.node.keywords:
        if keyword.arg is not None:
            continue
        entries = dict_entries(keyword.value, scope)
        if entries is None:
            unread = True
        elif name in entries:
            return entries[name], False
    return None, unread


def _builds_model_elsewhere(cmap: CodeMap, py_file: PyFile, expr: ast.expr, function: FunctionInfo | None) -> bool:
    """Whether ``expr`` is a model object built by a call this module lists on its own
    (``BedrockModel(...)``, ``load_model()`` returning one)."""
    if isinstance(expr, ast.Name):
        binding, where = latest_binding(function.node if function else None, py_file.tree, expr.id, expr.lineno)
        if binding is None or binding.value is None:
            return False
        return _builds_model_elsewhere(cmap, py_file, binding.value, function if where == "local" else None)
    if not isinstance(expr, ast.Call):
        return False
    resolved = py_file.resolve(expr.func)
    if resolved in _STRANDS_BEDROCK or resolved.rsplit(".", 1)[-1] in _LANGCHAIN:
        return True
    target = cmap.resolve(py_file, expr, function)
    if target is None:
        return resolved.rsplit(".", 1)[-1].endswith("Model")
    return any(node.value is not None for node in target.function.returns)


def _named(
    py_file: PyFile,
    framework: str,
    built_with: str,
    call: CallSite,
    expr: ast.expr | None,
    function: FunctionInfo | None,
    env: dict[str, str],
) -> ModelUse:
    scope = Scope.of(function.node if function else None, py_file.resolve, _module_values(py_file))
    folded = fold(expr, scope)
    text = folded.text if folded.text and DYNAMIC not in folded.text else None
    if folded.env and text is None:
        text = env.get(folded.env)
    if text is not None and framework == "CrewAI":
        text = text.removeprefix("bedrock/")
    source = folded.source if folded.source != "f-string" else "set at run time"
    if source == "unresolved":
        source = "set at run time"
    return ModelUse(framework, built_with, py_file.path, call.line, text, source)


def _module_values(py_file: PyFile) -> dict[str, ast.expr]:
    values: dict[str, ast.expr] = {}
    for statement in py_file.tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                values[target.id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
            values[statement.target.id] = statement.value
    return values

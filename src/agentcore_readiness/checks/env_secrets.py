"""Where a secret in the process environment comes from, for SEC002.

Reading ``os.environ["X"]`` is a problem when ``X`` arrives as runtime configuration
(plaintext ``envVars``, a Dockerfile ``ENV``). It is not when the runtime's own code put
the value there at run time from a vault (AWS Secrets Manager, an SSM ``SecureString``,
AgentCore Identity), nor for the AWS SDK's credential variables that code copies from the
execution role. These helpers classify the *writes* (``os.environ["X"] = value``,
``os.environ.setdefault("X", value)``) so the rule can tell the cases apart.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

AWS_SDK_CREDENTIAL_VARS = frozenset(
    {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"}
)
"""The variables the AWS SDKs read credentials from: code that sets or checks them is wiring
the execution role's credentials, not reading an application secret."""

VAULT_CALLS = frozenset(
    {
        "get_secret_value",
        "batch_get_secret_value",
        "get_parameter",
        "get_parameters",
        "get_parameters_by_path",
        "get_resource_api_key",
        "get_resource_oauth2_token",
    }
)
"""Calls that fetch a secret at run time: Secrets Manager, SSM Parameter Store, AgentCore Identity."""


@dataclass(frozen=True)
class EnvWrite:
    """``os.environ["name"] = value`` (or ``setdefault``) in a file."""

    name: str
    line: int
    source: str
    """``vault`` (fetched from a secret store), ``aws-credentials`` (an AWS SDK credential
    variable), ``literal`` or ``other``."""


def calls_vault(nodes: Iterable[ast.AST], resolve: Callable[[ast.expr], str]) -> int | None:
    """The line of the first vault fetch among ``nodes`` and everything under them."""
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and resolve(inner.func).rsplit(".", 1)[-1] in VAULT_CALLS:
                return inner.lineno
    return None


def _value_source(
    value: ast.expr,
    owner: ast.AST | None,
    functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef],
    resolve: Callable[[ast.expr], str],
) -> str:
    """``vault`` when ``value`` comes from a vault fetch: directly, through a local name
    assigned from one in the same function, or through a function of this file that fetches.
    """
    if isinstance(value, ast.Constant):
        return "literal"
    expressions: list[ast.AST] = [value]
    names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    if names and owner is not None:
        for node in ast.walk(owner):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in names for t in targets):
                    expressions.append(node.value)
    if calls_vault(expressions, resolve) is not None:
        return "vault"
    for expression in expressions:
        for node in ast.walk(expression):
            if isinstance(node, ast.Call):
                called = resolve(node.func).rsplit(".", 1)[-1]
                helper = functions.get(called)
                if helper is not None and calls_vault(helper.body, resolve) is not None:
                    return "vault"
    return "other"


def env_writes(
    tree: ast.Module,
    stores: Iterable[tuple[ast.expr, ast.AST | None, str]],
    functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef],
    resolve: Callable[[ast.expr], str],
) -> list[EnvWrite]:
    """Classify environment writes: ``stores`` holds (the written value or the subscript
    target, the enclosing function node or ``None``, the variable name).
    """
    found: list[EnvWrite] = []
    for node, owner, name in stores:
        value = node if not isinstance(node, ast.Subscript) else _assigned_value(node, owner or tree)
        if name.upper() in AWS_SDK_CREDENTIAL_VARS:
            source = "aws-credentials"
        elif value is None:
            source = "other"
        else:
            source = _value_source(value, owner, functions, resolve)
        found.append(EnvWrite(name, node.lineno, source))
    return found


def _assigned_value(target: ast.Subscript, scope: ast.AST) -> ast.expr | None:
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and any(t is target for t in node.targets):
            return node.value
        if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.target is target:
            return node.value
    return None

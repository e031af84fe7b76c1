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


# ---------------------------------------------------------------------------
# Names that end in KEY without saying which kind: decided by how the value is used

_KEY_KEYWORDS = frozenset({"Key", "TagKey", "TagKeys", "Prefix", "PartitionKey", "SortKey", "IndexName"})
_KEY_ENTRIES = frozenset({"Key", "TagKey", "Name", "AttributeName"})
"""The AWS APIs' spelling of a key or name (``{"Key": …}`` tags, ``Key=`` S3 objects)."""
_REQUEST_PARTS = frozenset({"headers", "params", "auth", "cookies"})
_SECRET_KEYWORDS = frozenset(
    {"api_key", "apikey", "token", "access_token", "password", "secret", "client_secret", "auth", "headers"}
)
_SECRET_ENTRIES = ("authorization", "api-key", "api_key", "apikey", "token", "secret", "password")


def _uses(tree: ast.Module, read: ast.AST, parent: dict[int, ast.AST]) -> list[ast.AST]:
    """Where the value read at ``read`` goes: the read itself, or every load of the name it is
    assigned to (in its function, or anywhere for a module-level name).
    """
    holder = parent.get(id(read))
    if isinstance(holder, (ast.Assign, ast.AnnAssign)) and holder.value is read:
        targets = holder.targets if isinstance(holder, ast.Assign) else [holder.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        scope: ast.AST = tree
        node: ast.AST | None = holder
        while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node = parent.get(id(node))
        if node is not None:
            scope = node
        return [n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load)]
    return [read]


def _literal_key(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _use_kind(use: ast.AST, parent: dict[int, ast.AST]) -> str | None:
    """``key`` when this use treats the value as a key or name, ``secret`` when it sends it as a credential."""
    node, holder = use, parent.get(id(use))
    while isinstance(holder, (ast.JoinedStr, ast.FormattedValue)):
        if isinstance(holder, ast.JoinedStr) and any(
            isinstance(v, ast.Constant) and "bearer" in str(v.value).lower() for v in holder.values
        ):
            return "secret"
        node, holder = holder, parent.get(id(holder))
    if isinstance(holder, ast.Subscript) and holder.slice is node:
        return "key"
    if isinstance(holder, ast.keyword) and holder.arg is not None:
        if holder.arg in _KEY_KEYWORDS:
            return "key"
        if holder.arg.lower() in _SECRET_KEYWORDS:
            return "secret"
    if isinstance(holder, ast.Dict):
        sent = parent.get(id(holder))
        if isinstance(sent, ast.keyword) and sent.arg in _REQUEST_PARTS:
            return "secret"  # sent with a request as a header or query parameter
        for key, value in zip(holder.keys, holder.values, strict=False):
            if value is node:
                entry = _literal_key(key) or ""
                if entry in _KEY_ENTRIES:
                    return "key"
                if any(word in entry.lower() for word in _SECRET_ENTRIES):
                    return "secret"
            if key is node:
                return "key"
    if isinstance(holder, ast.Call) and node in holder.args:
        func = holder.func
        if isinstance(func, ast.Attribute) and func.attr in ("get", "pop", "setdefault") and holder.args[0] is node:
            return "key"
    if isinstance(holder, ast.Compare):
        others = [o for o in (holder.left, *holder.comparators) if o is not node]
        if any(_reads_key_entry(o) for o in others):
            return "key"  # tag["Key"] == value
    return None


def _reads_key_entry(expr: ast.AST) -> bool:
    """``tag["Key"]`` or ``tag.get("Key")``."""
    if isinstance(expr, ast.Subscript):
        return _literal_key(expr.slice) in _KEY_ENTRIES
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" and expr.args:
        return _literal_key(expr.args[0]) in _KEY_ENTRIES
    return False


def key_name_use(tree: ast.Module, line: int, col: int) -> str | None:
    """How the environment value read at ``line``/``col`` is used when it names a key rather
    than holding a secret (a tag key, a dict or S3 key, a partition key), or ``None`` when
    nothing says so or something sends it as a credential.
    """
    parent: dict[int, ast.AST] = {}
    read: ast.AST | None = None
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[id(child)] = node
        if (
            isinstance(node, (ast.Call, ast.Subscript))
            and getattr(node, "lineno", 0) == line
            and node.col_offset == col
        ):
            read = node
    if read is None:
        return None
    kinds = [(_use_kind(use, parent), use) for use in _uses(tree, read, parent)]
    if any(kind == "secret" for kind, _ in kinds):
        return None
    keyed = next((use for kind, use in kinds if kind == "key"), None)
    if keyed is None:
        return None
    return f"used as a key or name at line {getattr(keyed, 'lineno', line)}, not sent as a credential"

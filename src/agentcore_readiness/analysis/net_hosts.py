"""Whether a string naming a private host is a place the code connects to (NET001).

A private address matters to NET001 only where the code connects to it or configures a
client or DSN with it: an argument of a call (``requests.get(url)``, ``connect(host=…)``,
an ``os.getenv`` default), a value given to a configuration name (``DB_HOST = …``,
``{"endpoint": …}``), or a constant that such a call later receives. The same text used as
an identifier is not a connection: a JSON-Schema ``$id``/``$schema``/``$ref``, an XML
namespace, a string compared with or searched for, a log message.

Public endpoints that look private by suffix are not private hosts: an OpenSearch domain
endpoint ``search-*.es.amazonaws.com`` has public access (its VPC form is ``vpc-*``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

_CONFIG_WORDS = frozenset(
    {
        "host",
        "hosts",
        "hostname",
        "url",
        "urls",
        "uri",
        "endpoint",
        "endpoints",
        "dsn",
        "server",
        "servers",
        "address",
        "addr",
        "broker",
        "brokers",
        "base",
        "conn",
        "connection",
        "database",
        "db",
        "redis",
        "cluster",
        "node",
        "nodes",
        "proxy",
        "origin",
        "domain",
        "upstream",
        "opensearch",
        "elasticsearch",
        "es",
        "cache",
        "socket",
    }
)
_IDENTIFIER_KEYS = frozenset(
    {"$id", "$schema", "$ref", "$comment", "@id", "@context", "@type", "@vocab", "id", "namespace", "xmlns"}
)
_MESSAGE_CALLS = frozenset(
    {
        "print",
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "log",
        "format",
        "startswith",
        "endswith",
        "replace",
        "split",
        "rsplit",
        "strip",
        "find",
        "index",
        "count",
        "compile",
        "match",
        "search",
        "fullmatch",
        "sub",
        "findall",
        "finditer",
        "register_namespace",
        "write",
        "append",
        "echo",
        "secho",
        "markdown",
        "Field",
    }
)
_TOKENS = re.compile(r"[a-z0-9]+")


def public_endpoint(host: str) -> bool:
    """A host that looks private by its suffix but is a public endpoint."""
    lowered = host.lower()
    return lowered.startswith("search-") and lowered.endswith(".es.amazonaws.com")


def _config_name(name: str) -> bool:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return any(token in _CONFIG_WORDS for token in _TOKENS.findall(spaced))


def _target_name(target: ast.AST) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return str(target.slice.value)
    return None


def _address_names(expr: ast.AST) -> set[str]:
    """Names whose value ``expr`` passes on as an address: the name itself, a part of a
    string built from it, an item of a list of them, or a configuration-named dict entry.
    """
    if isinstance(expr, ast.Name):
        return {expr.id}
    if isinstance(expr, (ast.JoinedStr, ast.List, ast.Tuple, ast.Set)):
        items = expr.values if isinstance(expr, ast.JoinedStr) else expr.elts
        return {n for item in items for n in _address_names(item)}
    if isinstance(expr, ast.FormattedValue):
        return _address_names(expr.value)
    if isinstance(expr, ast.BinOp):
        return _address_names(expr.left) | _address_names(expr.right)
    if isinstance(expr, ast.Dict):
        return {
            n
            for key, value in zip(expr.keys, expr.values, strict=False)
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and _config_name(key.value)
            for n in _address_names(value)
        }
    return set()


class HostUse:
    """Decides, for string constants of one file, whether each is a connection target."""

    def __init__(self, tree: ast.Module, resolve: Callable[[ast.expr], str]) -> None:
        self.resolve = resolve
        self.parent: dict[int, ast.AST] = {}
        self.argument_names: set[str] = set()
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[id(child)] = node
            if isinstance(node, ast.Call) and not self._message_call(node):
                for arg in [*node.args, *(k.value for k in node.keywords if k.arg not in _IDENTIFIER_KEYS)]:
                    self.argument_names.update(_address_names(arg))

    def _message_call(self, call: ast.Call) -> bool:
        return self.resolve(call.func).rsplit(".", 1)[-1] in _MESSAGE_CALLS

    def connects(self, constant: ast.AST) -> bool:
        """Whether the string ``constant`` is (part of) a value the code connects to or configures a client with."""
        node: ast.AST = constant
        while True:
            parent = self.parent.get(id(node))
            if parent is None:
                return False
            if isinstance(parent, (ast.JoinedStr, ast.FormattedValue, ast.BinOp, ast.List, ast.Tuple, ast.Set)):
                node = parent
                continue
            if isinstance(parent, ast.keyword):
                if parent.arg is not None and parent.arg.lower() in _IDENTIFIER_KEYS:
                    return False
                call = self.parent.get(id(parent))
                return isinstance(call, ast.Call) and not self._message_call(call)
            if isinstance(parent, ast.Call):
                return node is not parent.func and not self._message_call(parent)
            if isinstance(parent, ast.Dict):
                return self._dict_value(parent, node)
            if isinstance(parent, (ast.Assign, ast.AnnAssign)):
                return self._assigned(parent)
            if isinstance(parent, (ast.Return, ast.IfExp)):
                node = parent
                if isinstance(parent, ast.Return):
                    return True  # a function building the address it is asked for
                continue
            return False  # compared, searched, a docstring-like expression, a subscript key, ...

    def _dict_value(self, mapping: ast.Dict, value: ast.AST) -> bool:
        for key, item in zip(mapping.keys, mapping.values, strict=False):
            if item is value:
                if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                    return False
                text = key.value
                if text.lower() in _IDENTIFIER_KEYS or text.lower().startswith("xmlns"):
                    return False
                return _config_name(text)
        return False  # a dict key, not a value

    def _assigned(self, statement: ast.Assign | ast.AnnAssign) -> bool:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            name = _target_name(target)
            if name is None:
                continue
            if _config_name(name) or name in self.argument_names:
                return True
        return False

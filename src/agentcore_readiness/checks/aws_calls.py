"""AWS SDK calls in a project's code: which boto3 client or resource a call is made on, the
operation it runs, and whether that operation changes data.

The class of an operation comes from its name, the way botocore names operations: ``Get``,
``List``, ``Describe``, ``Search``, ``Query``, ``Scan`` … read; ``Put``, ``Create``,
``Update``, ``Delete``, ``Send``, ``Start`` … change something; a few (``Invoke`` of a
Lambda function, ``ExecuteStatement``) depend on what they run and stay ``unknown``.

Pure: works on the code index's parsed files.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from agentcore_readiness.facts.code.callflow import (
    bindings,
    latest_binding,
    literal_str,
    module_bindings,
    param_names,
)

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.callflow import CodeMap
    from agentcore_readiness.facts.code.index import FunctionInfo, PyFile

Access = Literal["read-only", "mutating", "unknown"]

READ_PREFIXES = (
    "Get",
    "List",
    "Describe",
    "Search",
    "Query",
    "Scan",
    "BatchGet",
    "TransactGet",
    "Head",
    "Select",
    "Lookup",
    "Retrieve",
    "Check",
    "Detect",
    "Estimate",
    "Preview",
    "Validate",
    "Verify",
    "Simulate",
    "Converse",
    "InvokeModel",
    "Count",
    "Filter",
    "Download",
    "Generate",
)
MUTATING_PREFIXES = (
    "Put",
    "Create",
    "Update",
    "Delete",
    "Remove",
    "Add",
    "Attach",
    "Detach",
    "Associate",
    "Disassociate",
    "Start",
    "Stop",
    "Terminate",
    "Reboot",
    "Modify",
    "Set",
    "Tag",
    "Untag",
    "Send",
    "Publish",
    "Write",
    "BatchWrite",
    "BatchDelete",
    "TransactWrite",
    "Copy",
    "Upload",
    "Restore",
    "Register",
    "Deregister",
    "Enable",
    "Disable",
    "Cancel",
    "Reset",
    "Run",
    "Import",
    "Rotate",
    "Revoke",
    "Authorize",
    "Grant",
    "Apply",
    "Replace",
    "Change",
    "Allocate",
    "Release",
    "Purge",
    "Merge",
    "Move",
    "Increase",
    "Decrease",
    "Schedule",
    "Submit",
    "Execute",
    "Complete",
    "Abort",
    "Approve",
    "Reject",
    "Accept",
    "Invite",
    "Confirm",
)
DESTRUCTIVE_PREFIXES = (
    "Delete",
    "BatchDelete",
    "Remove",
    "Terminate",
    "Purge",
    "Revoke",
    "Detach",
    "Disassociate",
    "Deregister",
    "Drop",
    "Truncate",
)
_UNKNOWN_OPERATIONS = frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream", "ExecuteStatement"})
_CLIENT_HELPERS = frozenset(
    {
        "get_paginator",
        "get_waiter",
        "can_paginate",
        "generate_presigned_url",
        "generate_presigned_post",
        "close",
        "meta",
        "exceptions",
        "Table",
        "Bucket",
        "Object",
        "Queue",
        "Topic",
        "load",
        "reload",
        "wait_until_exists",
    }
)
_TRANSFER = {
    "upload_file": "PutObject",
    "upload_fileobj": "PutObject",
    "download_file": "GetObject",
    "download_fileobj": "GetObject",
    "copy": "CopyObject",
}
_SUB_RESOURCES = frozenset({"Table", "Bucket", "Object", "Queue", "Topic", "Instance", "Stack", "Vpc"})
PASSTHROUGH = "*"
"""The operation of a call whose operation or service is chosen at run time."""


def operation_name(method: str) -> str:
    """``delete_item`` -> ``DeleteItem``, ``list_objects_v2`` -> ``ListObjectsV2``."""
    return "".join(part[:1].upper() + part[1:] for part in method.split("_") if part)


def operation_access(operation: str) -> Access:
    """The class of an operation, from its name (botocore's naming conventions)."""
    if operation == PASSTHROUGH:
        return "mutating"
    if operation in _UNKNOWN_OPERATIONS:
        return "unknown"
    if operation.startswith("Admin") and operation != "Admin":
        operation = operation[len("Admin") :]  # Cognito: AdminGetUser reads, AdminDeleteUser deletes
    if operation.startswith(READ_PREFIXES):
        return "read-only"
    if operation.startswith(MUTATING_PREFIXES):
        return "mutating"
    return "unknown"


def operation_destructive(operation: str) -> bool:
    """Whether the operation deletes or revokes something (or may: one chosen at run time)."""
    if operation.startswith("Admin"):
        operation = operation[len("Admin") :]
    return operation == PASSTHROUGH or operation.startswith(DESTRUCTIVE_PREFIXES)


@dataclass(frozen=True)
class AwsCall:
    service: str
    """``dynamodb``, ``s3`` …; ``*`` when the service is chosen at run time."""
    operation: str
    """``DeleteItem`` …; ``*`` for a call whose operation is chosen at run time."""
    line: int

    @property
    def access(self) -> Access:
        return operation_access(self.operation)

    @property
    def label(self) -> str:
        if self.operation == PASSTHROUGH:
            return f"any {self.service if self.service != PASSTHROUGH else 'AWS'} operation (chosen at run time)"
        return f"{self.service}:{self.operation}"


class AwsClients:
    """Finds the boto3 client or resource a call is made on, in one project's code."""

    def __init__(self, cmap: CodeMap) -> None:
        self.cmap = cmap
        self._self_attrs: dict[tuple[str, str], dict[str, ast.expr]] = {}

    def call(self, py_file: PyFile, call: ast.Call, function: FunctionInfo | None) -> AwsCall | None:
        """The AWS operation ``call`` runs, when it is a call on a boto3 client or resource."""
        func = call.func
        if isinstance(func, ast.Call) and py_file.resolve(func.func) == "getattr" and func.args:
            service = self.service_of(py_file, func.args[0], function, 0)
            if service is not None:
                operation = literal_str(func.args[1]) if len(func.args) > 1 else None
                return AwsCall(service, operation_name(operation) if operation else PASSTHROUGH, call.lineno)
            return None
        if not isinstance(func, ast.Attribute):
            return None
        method = func.attr
        if method in _CLIENT_HELPERS and method != "get_paginator":
            return None
        service = self.service_of(py_file, func.value, function, 0)
        if service is None:
            return None
        if method == "get_paginator":
            operation = literal_str(call.args[0]) if call.args else None
            return AwsCall(service, operation_name(operation) if operation else PASSTHROUGH, call.lineno)
        if method.startswith("_"):
            return None
        operation = _TRANSFER.get(method) or operation_name(method)
        return AwsCall(service, operation, call.lineno)

    def service_of(self, py_file: PyFile, expr: ast.expr, function: FunctionInfo | None, depth: int) -> str | None:
        """The service of the boto3 client or resource ``expr`` holds, if it holds one."""
        if depth > 4:
            return None
        if isinstance(expr, ast.Call):
            return self._made(py_file, expr, function, depth)
        if isinstance(expr, ast.Name):
            return self._name_service(py_file, expr, function, depth)
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id in ("self", "cls")
            and function is not None
            and function.class_name is not None
        ):
            value = self._class_attrs(py_file, function.class_name).get(expr.attr)
            return self.service_of(py_file, value, None, depth + 1) if value is not None else None
        return None

    def _name_service(self, py_file: PyFile, expr: ast.Name, function: FunctionInfo | None, depth: int) -> str | None:
        """The client a name holds: any value the function assigns it (a lazily built
        client behind ``global``), else the module's."""
        candidates: list[tuple[ast.expr, FunctionInfo | None]] = []
        if function is not None:
            local = [b.value for b in bindings(function.node.body, expr.id) if b.value is not None]
            candidates.extend((value, function) for value in local)
            if not local and expr.id in param_names(function.node):
                return None
        candidates.extend((b.value, None) for b in module_bindings(py_file.tree, expr.id) if b.value is not None)
        for value, scope in candidates:
            found = self.service_of(py_file, value, scope, depth + 1)
            if found is not None:
                return found
        return None

    def _made(self, py_file: PyFile, call: ast.Call, function: FunctionInfo | None, depth: int) -> str | None:
        name = py_file.resolve(call.func)
        attr = name.rsplit(".", 1)[-1]
        if attr in ("client", "resource") and isinstance(call.func, ast.Attribute):
            if name.startswith(("boto3.", "aioboto3.", "aiobotocore.")) or _is_session(
                py_file, call.func.value, function
            ):
                service = call.args[0] if call.args else _keyword(call, "service_name")
                text = _literal_text(py_file, service, function)
                return text if text else PASSTHROUGH
            return None
        if attr in _SUB_RESOURCES and isinstance(call.func, ast.Attribute):
            return self.service_of(py_file, call.func.value, function, depth + 1)
        target = self.cmap.resolve(py_file, call, function)
        if target is None:
            return None
        # the last ``return`` first: the order the factory's returns have always been tried in
        for node in reversed(target.function.returns):
            if node.value is not None:
                found = self.service_of(target.file, node.value, target.function, depth + 1)
                if found is not None:
                    return found
        return None

    def _class_attrs(self, py_file: PyFile, class_name: str) -> dict[str, ast.expr]:
        """``self.x = value`` assignments in the methods of a class (the last in source order wins)."""
        key = (py_file.path, class_name)
        found = self._self_attrs.get(key)
        if found is None:
            found = {}
            for store in py_file.stores:
                target = store.target
                if (
                    store.function is not None
                    and store.function.class_name == class_name
                    and isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    found[target.attr] = store.value
            self._self_attrs[key] = found
        return found


def _literal_text(py_file: PyFile, expr: ast.expr | None, function: FunctionInfo | None) -> str | None:
    """A string literal, directly or through the one name it is assigned to."""
    text = literal_str(expr)
    if text is not None or not isinstance(expr, ast.Name):
        return text
    node = function.node if function is not None else None
    binding, _ = latest_binding(node, py_file.tree, expr.id, expr.lineno)
    return literal_str(binding.value) if binding is not None else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_session(py_file: PyFile, expr: ast.expr, function: FunctionInfo | None) -> bool:
    """Whether ``expr`` is a boto3 session (``boto3.Session()``, a name bound to one)."""
    if isinstance(expr, ast.Call):
        return py_file.resolve(expr.func).startswith(("boto3.", "aioboto3.")) and py_file.resolve(expr.func).endswith(
            ("Session", "session")
        )
    if isinstance(expr, ast.Name):
        node = function.node if function is not None else None
        binding, _ = latest_binding(node, py_file.tree, expr.id, expr.lineno)
        if binding is not None and isinstance(binding.value, ast.Call):
            return _is_session(py_file, binding.value, None)
        return py_file.resolve(expr) in ("boto3", "boto3.session.Session")
    return False

"""Shared plumbing of the code rules: which files, where a finding is, suppression notes,
and following a call into another module of the same runtime.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, unknown
from agentcore_readiness.facts.code.callflow import latest_binding, literal_str
from agentcore_readiness.model import Finding, FindingLevel, Location

if TYPE_CHECKING:
    from agentcore_readiness.analysis.file_facts import HttpCall, SecretLiteral
    from agentcore_readiness.facts.code.index import CodeIndex, PyFile
    from agentcore_readiness.facts.code.roles import Role
    from agentcore_readiness.facts.project.project_facts import Runtime

IGNORE_SYNTAX = "# agentcore-readiness: ignore[{code}] <reason>"


def code_files(facts: Facts, *roles: Role) -> list[PyFile]:
    if facts.code is None:
        return []
    return list(facts.code.facts_of(*roles))


def without_code(facts: Facts, *roles: Role, what: str | None = None) -> Verdict | None:
    """The verdict when there is no code of these roles to check, else ``None``."""
    from agentcore_readiness.facts.code.roles import ROLE_WORDS

    if facts.code is None:
        return unknown("the code index was not built")
    if code_files(facts, *roles):
        return None
    what = what or " or ".join(ROLE_WORDS.get(r, r) for r in roles)
    skipped = skipped_of(facts.code, *roles)
    if skipped:
        return unknown(f"no {what} could be analysed: {skipped}")
    if "runtime" in roles:
        if not facts.project.runtimes:
            return not_applicable("the project defines no runtimes")
        missing = [f"runtime {e.name}: {e.missing}" for e in facts.code.entries if e.missing]
        if missing:
            return unknown("the runtimes' code is not in this checkout: " + "; ".join(missing))
    return not_applicable(f"no {what} found")


def skipped_of(code: CodeIndex, *roles: Role) -> str:
    """Which files of these roles could not be analysed (all roles of the view when none are named)."""
    skipped = code.skipped_of(*roles) if roles else list(code.skipped)
    if not skipped:
        return ""
    shown = [f"{s.path} ({s.reason})" for s in skipped[:3]]
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return f"{len(skipped)} file(s) not analysed: " + "; ".join(shown) + more


def note_skipped(facts: Facts, out: Findings) -> None:
    if facts.code is not None and facts.code.skipped:
        out.note(skipped_of(facts.code))


def where(py_file: PyFile, line: int, column: int | None = None) -> Location:
    return Location(path=py_file.path, line=line, column=column)


def emit(
    out: Findings,
    level: FindingLevel,
    py_file: PyFile,
    line: int,
    message: str,
    **kwargs: Any,
) -> Finding:
    """Add a finding in a code file; say so when an ignore comment on the line gives no reason."""
    code = out.meta.code
    if py_file.unreasoned_ignore(code, line):
        message += (
            f" (the ignore comment on this line gives no reason, so it does not apply: "
            f"write `{IGNORE_SYNTAX.format(code=code)}`)"
        )
    return out.add(level, message, where(py_file, line), **kwargs)


def runtime_named(facts: Facts, name: str | None) -> Runtime | None:
    return next((r for r in facts.project.runtimes if r.name == name), None)


def module_files(code: CodeIndex, py_file: PyFile, dotted: str) -> list[tuple[PyFile, str]]:
    """Candidate (file, function name) for a dotted call target imported into ``py_file``:
    ``handlers.process`` -> ``<codeLocation>/handlers.py`` and ``process``.
    """
    if "." not in dotted.strip("."):
        return []
    level = len(dotted) - len(dotted.lstrip("."))
    module, _, function = dotted.lstrip(".").rpartition(".")
    parts = module.split(".") if module else []
    base_dirs: list[str] = []
    here = py_file.path.rsplit("/", 1)[0] if "/" in py_file.path else ""
    if level:
        directory = here
        for _ in range(level - 1):
            directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
        base_dirs.append(directory)
    else:
        # absolute imports resolve from the runtime's code location (its sys.path root)
        location = here
        while True:
            base_dirs.append(location)
            if not location:
                break
            location = location.rsplit("/", 1)[0] if "/" in location else ""
    found: list[tuple[PyFile, str]] = []
    for base in base_dirs:
        prefix = f"{base}/" if base else ""
        for candidate in (prefix + "/".join(parts) + ".py", prefix + "/".join(parts) + "/__init__.py"):
            target = code.file(candidate)
            if target is not None and target.runtime == py_file.runtime:
                found.append((target, function))
        if found:
            break
    return found


def function_node(py_file: PyFile, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for statement in py_file.tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == name:
            return statement
    return None


# ---------------------------------------------------------------------------
# What a code rule asks of a call

_A2A_METHODS = frozenset({"message/send", "message/stream", "tasks/get", "tasks/cancel", "tasks/resubscribe"})
_MCP_METHODS = frozenset(
    {"initialize", "tools/list", "tools/call", "resources/list", "resources/read", "prompts/list", "prompts/get"}
)
_TRANSPORT_KEYWORDS = frozenset({"timeout", "stream", "verify", "allow_redirects", "follow_redirects", "url"})


def request_purpose(py_file: PyFile, call: HttpCall) -> str | None:
    """What the request says the call is: ``a2a`` (JSON-RPC ``message/send``), ``mcp`` (JSON-RPC
    ``tools/list``, ...), ``oauth-token`` (a ``grant_type`` form), ``bare`` (nothing but the URL:
    no parameters, headers, auth or body), or ``None``.
    """
    attr = call.client.rsplit(".", 1)[-1]
    site = next((c for c in py_file.calls if c.line == call.line and c.attr == attr), None)
    if site is None:
        return None
    if (
        set(site.keywords) <= _TRANSPORT_KEYWORDS
        and len(site.node.args) <= 1
        and not any(k.arg is None for k in site.node.keywords)
    ):
        return "bare"
    for keyword in ("json", "data", "content", "body"):
        value = site.keywords.get(keyword)
        if isinstance(value, ast.Name):
            binding, _ = latest_binding(
                site.function.node if site.function else None, py_file.tree, value.id, site.line
            )
            value = binding.value if binding is not None else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and "grant_type=" in value.value:
            return "oauth-token"
        if not isinstance(value, ast.Dict):
            continue
        entries = {k.value: v for k, v in zip(value.keys, value.values, strict=False) if isinstance(k, ast.Constant)}
        if "grant_type" in entries:
            return "oauth-token"
        method = literal_str(entries.get("method")) if "jsonrpc" in entries or "method" in entries else None
        if method in _A2A_METHODS:
            return "a2a"
        if method in _MCP_METHODS:
            return "mcp"
    return None


def replaced_temporary(py_file: PyFile, literal: SecretLiteral) -> bool:
    """A Cognito ``TemporaryPassword`` that the same function replaces with
    ``admin_set_user_password(..., Permanent=True)`` right away: it never grants access.
    """
    if literal.name != "TemporaryPassword":
        return False
    creating = next(
        (
            c
            for c in py_file.calls
            if c.attr == "admin_create_user" and c.line <= literal.line <= (c.node.end_lineno or c.line)
        ),
        None,
    )
    if creating is None:
        return False
    return any(
        c.attr == "admin_set_user_password"
        and c.function is creating.function
        and c.line > creating.line
        and isinstance(c.keywords.get("Permanent"), ast.Constant)
        and c.keywords["Permanent"].value is True  # type: ignore[attr-defined]
        for c in py_file.calls
    )

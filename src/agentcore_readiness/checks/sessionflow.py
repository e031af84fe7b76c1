"""What the session rules follow in code, computed from the code index once per index view:
where each invoke's session ID comes from (made per request, per job, kept per
conversation, a literal), session headers, the retry configuration of runtime clients,
background threads and tasks an entrypoint starts, ``add_async_task`` ids and where they
are completed, and the long calls of streaming entrypoints.

Pure: works on the parsed trees the index holds. The rules in
:mod:`agentcore_readiness.checks.sessions` read the records these functions return and
never walk a syntax tree themselves.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentcore_readiness.facts.code.callflow import (
    CodeMap,
    ParentMap,
    Target,
    assigned_names,
    attributes_in,
    code_map,
    handed_functions,
    latest_binding,
    literal_str,
    names_in,
    param_names,
    parents,
    source_of,
)
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CallSite, CodeIndex, FunctionInfo, PyFile
    from agentcore_readiness.facts.code.roles import Role
    from agentcore_readiness.facts.project.project_facts import ProjectFacts


INVOKE = "invoke_agent_runtime"


STOP = "stop_runtime_session"


SESSION_ID_MIN = 33


RUNTIME_SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id"


MCP_SESSION_HEADER = "mcp-session-id"


_SESSION_CALLS = (INVOKE, STOP, "invoke_agent_runtime_command")


_MEMORY_SESSION_CALLS = (
    "create_event",
    "list_events",
    "get_event",
    "get_last_k_turns",
    "AgentCoreMemoryConfig",
    "list_sessions",
    "save_conversation",
)


_ID_GENERATORS = frozenset(
    {
        "uuid.uuid4",
        "uuid.uuid1",
        "secrets.token_hex",
        "secrets.token_urlsafe",
        "secrets.token_bytes",
        "os.urandom",
        "time.time",
        "time.time_ns",
        "random.random",
        "random.getrandbits",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
    }
)


CALLER_ROLES: tuple[Role, ...] = ("caller",)


def _generator_call(py_file: PyFile, expr: ast.AST) -> ast.Call | None:
    """The first call in ``expr`` that makes a fresh value (uuid4, secrets.token_*, time)."""
    return next((call.node for call in py_file.calls_within(expr) if call.name in _ID_GENERATORS), None)


@dataclass(frozen=True)
class SessionIdOrigin:
    kind: str
    """``omitted``, ``splat``, ``per-request``, ``per-job``, ``conversation``, ``literal``."""
    line: int
    """Where the ID is made (for generated IDs) or used."""
    how: str
    generated: bool = False
    literal: str | None = None
    literal_line: int | None = None
    doubt: str | None = None
    """Why the kind is a best reading rather than certain (the caller's workload shape is unknown)."""


class _Origins:
    """Where each invoke's ``runtimeSessionId`` comes from."""

    def __init__(self, cmap: CodeMap) -> None:
        self.cmap = cmap

    def of_call(self, py_file: PyFile, call: CallSite) -> SessionIdOrigin:
        if "runtimeSessionId" not in call.keywords:
            if any(k.arg is None for k in call.node.keywords):
                return SessionIdOrigin("splat", call.line, "passed through **kwargs (not followed)")
            return SessionIdOrigin("omitted", call.line, "not passed")
        function = call.function
        return self.of_expr(py_file, call.keywords["runtimeSessionId"], call.node, function, depth=0)

    def of_expr(
        self, py_file: PyFile, expr: ast.expr, use: ast.AST, function: FunctionInfo | None, depth: int
    ) -> SessionIdOrigin:
        text = excerpt(source_of(py_file, expr), 80)
        literal = literal_str(expr)
        if literal is not None:
            return SessionIdOrigin(
                "literal", expr.lineno, f"the literal {text}", literal=literal, literal_line=expr.lineno
            )
        made = self._made_by(py_file, expr, function)
        if made is not None:
            line, maker = made
            return self._placed(py_file, use, use, function, line, f"made by {maker} in the call itself")
        if isinstance(expr, ast.Name) and depth < 4:
            return self._of_name(py_file, expr.id, use, function, depth)
        if isinstance(expr, (ast.JoinedStr, ast.BinOp, ast.Call)) and depth < 4:
            worst: SessionIdOrigin | None = None
            called = {c.node.func.id for c in py_file.calls_within(expr) if isinstance(c.node.func, ast.Name)}
            for name in sorted(names_in(expr) - called):
                origin = self._of_name(py_file, name, use, function, depth + 1)
                if worst is None or _RANK[origin.kind] > _RANK[worst.kind]:
                    worst = origin
            if worst is not None and worst.kind in ("per-request", "per-job"):
                return worst
        if isinstance(expr, ast.Attribute):
            return SessionIdOrigin("conversation", expr.lineno, f"from the attribute {text} (kept per conversation)")
        return SessionIdOrigin("conversation", expr.lineno, f"from {text}")

    def _made_by(self, py_file: PyFile, expr: ast.AST, function: FunctionInfo | None) -> tuple[int, str] | None:
        """(line, what) when evaluating ``expr`` makes a new ID every time."""
        generator = _generator_call(py_file, expr)
        if generator is not None:
            return generator.lineno, py_file.resolve(generator.func) + "()"
        for call in py_file.calls_within(expr):
            target = self.cmap.resolve(py_file, call.node, function)
            if target is not None and self._always_new(target, 0):
                return call.line, f"{target.function.qualname}(), which makes a new ID on every call"
        return None

    def _always_new(self, target: Target, depth: int) -> bool:
        """Whether every ``return`` of the function hands back a freshly made ID."""
        node = target.function.node
        returns = [n for n in target.function.returns if n.value is not None]
        if not returns or depth > 2:
            return False
        for ret in returns:
            assert ret.value is not None
            if _generator_call(target.file, ret.value) is not None:
                continue
            if isinstance(ret.value, ast.Name):
                binding, where = latest_binding(node, target.file.tree, ret.value.id, ret.lineno)
                if (
                    where == "local"
                    and binding is not None
                    and binding.value is not None
                    and parents(target.file).conditional(binding.node, node) is None
                    and _generator_call(target.file, binding.value) is not None
                ):
                    continue
            return False
        return True

    def _of_name(
        self, py_file: PyFile, name: str, use: ast.AST, function: FunctionInfo | None, depth: int
    ) -> SessionIdOrigin:
        fn_node = function.node if function is not None else None
        use_line = getattr(use, "lineno", 0)
        binding, where = latest_binding(fn_node, py_file.tree, name, use_line)
        if binding is None:
            return SessionIdOrigin("conversation", use_line, f"from `{name}` (defined elsewhere)")
        if where == "param":
            return SessionIdOrigin("conversation", binding.line, f"from the parameter `{name}` (per conversation)")
        if binding.kind in ("for", "with"):
            return SessionIdOrigin("conversation", binding.line, f"from `{name}`, taken from the data it iterates")
        value = binding.value
        if value is None:
            return SessionIdOrigin("conversation", binding.line, f"from `{name}`")
        literal = literal_str(value)
        if literal is not None:
            return SessionIdOrigin(
                "literal", binding.line, f"the literal assigned to `{name}`", literal=literal, literal_line=value.lineno
            )
        made = self._made_by(py_file, value, function if where == "local" else None)
        if made is not None:
            line, maker = made
            pm = parents(py_file)
            scope = fn_node if where == "local" else None
            if isinstance(value, (ast.BoolOp, ast.IfExp)) or pm.conditional(binding.node, scope) is not None:
                return SessionIdOrigin(
                    "conversation", line, f"`{name}` is made by {maker} only when missing (kept per conversation)"
                )
            if _cached_call(py_file, value):
                return SessionIdOrigin("conversation", line, f"`{name}` comes from a per-conversation store")
            if where == "module":
                return SessionIdOrigin(
                    "per-job",
                    line,
                    f"`{name}` is made once at import by {maker} (one session for the whole process)",
                    generated=True,
                )
            return self._placed(py_file, use, binding.node, function, line, f"`{name}` is made by {maker}")
        if isinstance(value, ast.Name) and depth < 4:
            return self._of_name(py_file, value.id, binding.node, function if where == "local" else None, depth + 1)
        return SessionIdOrigin(
            "conversation", binding.line, f"`{name}` comes from {excerpt(source_of(py_file, value), 80)}"
        )

    def _placed(
        self,
        py_file: PyFile,
        use: ast.AST,
        made_at: ast.AST,
        function: FunctionInfo | None,
        line: int,
        how: str,
    ) -> SessionIdOrigin:
        """Per request or per job, from where the ID is made relative to the invoke and from
        the caller's shape: in a one-shot script a new session per run or per job is what the
        skill prescribes; in a service (or a script's prompt loop) it is a new session per message.
        """
        pm = parents(py_file)
        scope = function.node if function is not None else None
        shape = py_file.place.shape
        use_loops = pm.loops(use, scope)
        if use_loops:
            loop = use_loops[0]
            loop_line = getattr(loop, "lineno", line)
            made_loops = pm.loops(made_at, scope) if made_at is not use else use_loops
            if not any(m is loop for m in made_loops):
                return SessionIdOrigin(
                    "per-job", line, f"{how} once, before the loop at line {loop_line}", generated=True
                )
            if shape == "one_shot" and not _prompts(py_file, loop):
                return SessionIdOrigin(
                    "per-job",
                    line,
                    f"{how} for each job of the loop at line {loop_line} (a one-shot script)",
                    generated=True,
                )
            return SessionIdOrigin(
                "per-request", line, f"{how} inside the loop (line {loop_line}) that invokes", generated=True
            )
        if function is None:
            return SessionIdOrigin("per-job", line, f"{how} once for this script run", generated=True)
        if shape == "one_shot":
            prompt_loop = _called_from_prompt_loop(py_file, function)
            if prompt_loop is None:
                return SessionIdOrigin(
                    "per-job",
                    line,
                    f"{how} in {function.qualname}(), once per run of this one-shot script",
                    generated=True,
                )
            return SessionIdOrigin(
                "per-request",
                line,
                f"{how} in {function.qualname}(), called for every message of the prompt loop at line {prompt_loop}",
                generated=True,
            )
        doubt = None
        if shape is None:
            doubt = (
                "the file is neither a recognised service (web handler, Lambda, UI, queue worker) nor a one-shot "
                "script, so whether each call is a chat message or a whole job could not be told"
            )
        return SessionIdOrigin(
            "per-request",
            line,
            f"{how} in {function.qualname}(), the function that invokes, so every call of it",
            generated=True,
            doubt=doubt,
        )


_PROMPTS = frozenset({"input", "sys.stdin.readline", "click.prompt", "typer.prompt", "rich.prompt.Prompt.ask"})


def _prompts(py_file: PyFile, loop: ast.AST) -> bool:
    """Whether a loop reads a line from the user on each turn (an interactive prompt loop)."""
    owner = py_file.function_at(loop)
    return any(
        call.name in _PROMPTS
        for call in py_file.calls_within(loop)
        if call.function is owner and not call.in_lambda  # what runs on each turn, not nested bodies
    )


def _called_from_prompt_loop(py_file: PyFile, function: FunctionInfo) -> int | None:
    """The line of a prompt loop in the same file that calls ``function``, if any."""
    for call in py_file.calls:
        if call.attr == function.name and call.function is not function:
            for loop in call.loops:
                if _prompts(py_file, loop):
                    return loop.lineno
    return None


_RANK = {"conversation": 0, "literal": 0, "splat": 0, "omitted": 0, "per-job": 1, "per-request": 2}


def _cached_call(py_file: PyFile, value: ast.expr) -> bool:
    """``store.setdefault(key, str(uuid4()))`` and similar: a per-key store keeps the ID."""
    return any(
        isinstance(call.node.func, ast.Attribute) and call.attr in ("setdefault", "get", "get_or_create")
        for call in py_file.calls_within(value)
    )


def invokes(code: CodeIndex) -> list[tuple[PyFile, CallSite]]:
    """Every ``invoke_agent_runtime`` call in caller code."""
    return [(f, c) for f, c in code.calls(CALLER_ROLES) if c.attr == INVOKE]


def session_origins(code: CodeIndex, project: ProjectFacts) -> list[tuple[PyFile, CallSite, SessionIdOrigin]]:
    """Where the ``runtimeSessionId`` of each invoke in caller code comes from (computed once per index view)."""
    key = ("session_origins", code.declared)
    found: list[tuple[PyFile, CallSite, SessionIdOrigin]] | None = code.derived.get(key)
    if found is None:
        finder = _Origins(code_map(code, project))
        found = [(f, c, finder.of_call(f, c)) for f, c in invokes(code)]
        code.derived[key] = found
    return found


def _header_keys(node: ast.Dict) -> dict[str, int]:
    keys: dict[str, int] = {}
    for key in node.keys:
        text = literal_str(key)
        if text is not None:
            keys[text.lower()] = key.lineno if key is not None else node.lineno
    return keys


@dataclass(frozen=True)
class SessionLiteral:
    py_file: PyFile
    literal: str
    line: int
    used: str
    memory: bool
    """A Memory session ID (``create_event(session_id=…)``), not a runtime session ID."""


def session_literals(code: CodeIndex, project: ProjectFacts, roles: tuple[Role, ...]) -> list[SessionLiteral]:
    """Every literal session ID in the code of ``roles``, with where it is used (computed once per index view)."""
    key = ("session_literals", code.declared, roles)
    cached: list[SessionLiteral] | None = code.derived.get(key)
    if cached is None:
        cached = _session_literals(code, project, roles)
        code.derived[key] = cached
    return cached


def _session_literals(code: CodeIndex, project: ProjectFacts, roles: tuple[Role, ...]) -> list[SessionLiteral]:
    finder = _Origins(code_map(code, project))
    found: list[SessionLiteral] = []
    seen: set[tuple[str, int]] = set()

    def add(py_file: PyFile, origin: SessionIdOrigin, used: str, memory: bool = False) -> None:
        if origin.literal is None:
            return
        line = origin.literal_line or origin.line
        if (py_file.path, line) in seen:
            return
        seen.add((py_file.path, line))
        found.append(SessionLiteral(py_file, origin.literal, line, used, memory))

    for py_file, call in code.calls(roles):
        keys: tuple[str, ...] = ()
        if call.attr in _SESSION_CALLS:
            keys = ("runtimeSessionId",)
        elif call.attr in _MEMORY_SESSION_CALLS:
            keys = ("session_id", "sessionId")
        for key in keys:
            value = call.keywords.get(key)
            if value is not None:
                origin = finder.of_expr(py_file, value, call.node, call.function, depth=0)
                add(py_file, origin, f"{call.attr}({key}=…) at line {call.line}", key != "runtimeSessionId")
    for py_file in code.of_role(*roles):
        for node in _header_dicts(py_file):
            for header, value in zip(node.keys, node.values, strict=False):
                text = literal_str(header)
                if text is not None and text.lower() == RUNTIME_SESSION_HEADER:
                    function = code_map(code, project).info(parents(py_file).enclosing_function(node) or node)
                    origin = finder.of_expr(py_file, value, node, function, depth=0)
                    add(py_file, origin, f"the session header at line {node.lineno}")
    return found


RETRY_DECORATORS = ("retry", "backoff", "on_exception", "retrying")


DEFAULT_RETRIES = (
    "botocore's default retries (standard mode in current botocore: 3 attempts; legacy mode, 5 attempts, in "
    "older releases), which retry ThrottlingException and 429 with exponential backoff"
)


@dataclass(frozen=True)
class RetryConfig:
    """What a boto3 ``config=`` says about retries."""

    state: str
    """``default`` (no retries setting), ``explicit``, ``off`` (no retry at all) or ``unresolved``."""
    detail: str
    mode: str | None = None


def retry_config(py_file: PyFile, expr: ast.expr | None, function: FunctionInfo | None) -> RetryConfig:
    """The retry setting of a boto3 client's ``config=`` value. ``max_attempts`` in ``retries``
    counts retries after the first attempt (``0``: none); ``total_max_attempts`` counts all.
    """
    if expr is None:
        return RetryConfig("default", "no config")
    value: ast.expr | None = expr
    if isinstance(expr, ast.Name):
        binding, _ = latest_binding(function.node if function else None, py_file.tree, expr.id, expr.lineno)
        value = binding.value if binding is not None else None
    if not (isinstance(value, ast.Call) and py_file.resolve(value.func).endswith("Config")):
        return RetryConfig("unresolved", f"config={excerpt(source_of(py_file, expr), 60)} not followed")
    retries = next((k.value for k in value.keywords if k.arg == "retries"), None)
    if retries is None:
        return RetryConfig("default", "a Config without retries")
    if not isinstance(retries, ast.Dict):
        return RetryConfig("unresolved", "retries not a literal")
    entries = {literal_str(k): v for k, v in zip(retries.keys, retries.values, strict=False) if k is not None}
    mode = literal_str(entries.get("mode"))
    total = _int_literal(entries.get("total_max_attempts"))
    retry_count = _int_literal(entries.get("max_attempts"))
    attempts = total if total is not None else (retry_count + 1 if retry_count is not None else None)
    if attempts is not None and attempts <= 1:
        return RetryConfig("off", f"retries turned off ({excerpt(source_of(py_file, retries), 80)})", mode)
    if mode is None:
        return RetryConfig("default", f"retries without a mode ({excerpt(source_of(py_file, retries), 80)})")
    return RetryConfig("explicit", f"retries mode {mode!r}" + (f", {attempts} attempts" if attempts else ""), mode)


def _assigned_to(py_file: PyFile, call: CallSite) -> str | None:
    """The name (``client``, ``self.client`` -> ``client``) a client call is assigned to, if any."""
    parent = parents(py_file).parent(call.node)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, ast.Name):
            return target.id
        if isinstance(target, ast.Attribute):
            return target.attr
    return None


def _int_literal(expr: ast.expr | None) -> int | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int) and not isinstance(expr.value, bool):
        return expr.value
    return None


_THREAD_STARTERS = frozenset({"threading.Thread", "threading.Timer", "multiprocessing.Process"})


_WAITERS = frozenset({"gather", "wait", "wait_for", "as_completed", "shield", "result", "join", "exception"})


@dataclass(frozen=True)
class BackgroundStart:
    call: ast.Call
    kind: str
    target: ast.expr | None


def _statement_of(pm: ParentMap, node: ast.AST) -> tuple[ast.AST, bool]:
    """The statement holding ``node`` and whether an ``await`` sits on the way there."""
    current = node
    awaited = False
    while True:
        parent = pm.parent(current)
        if parent is None or isinstance(current, ast.stmt):
            return current, awaited
        if isinstance(parent, ast.Await):
            awaited = True
        current = parent


def _holders(pm: ParentMap, node: ast.AST) -> set[str]:
    """Names that keep the result of ``node`` (assigned, appended to)."""
    statement, _ = _statement_of(pm, node)
    names: set[str] = set()
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            names.update(assigned_names(target))
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                names.update(names_in(target))
    elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("append", "add", "extend")
            and isinstance(func.value, ast.Name)
        ):
            names.add(func.value.id)
    return names


def _waited_names(py_file: PyFile, function: FunctionInfo) -> set[str]:
    """Names the function awaits, gathers, joins or asks for a result."""
    names: set[str] = set()
    for node in function.awaits:
        names.update(names_in(node.value))
    for call in py_file.calls_of(function):
        if call.attr in _WAITERS:
            names.update(names_in(call.node))
    return names


def _scoped_names(py_file: PyFile, function: FunctionInfo, suffixes: tuple[str, ...]) -> set[str]:
    """Names bound by ``with``/``async with`` on a context whose callable ends with a suffix."""
    names: set[str] = set()
    for node in function.withs:
        for item in node.items:
            context = item.context_expr
            if (
                isinstance(context, ast.Call)
                and py_file.resolve(context.func).endswith(suffixes)
                and item.optional_vars is not None
            ):
                names.update(assigned_names(item.optional_vars))
    return names


def background_starts(py_file: PyFile, function: FunctionInfo) -> list[BackgroundStart]:
    """Threads, tasks and executor jobs a function starts and does not wait for."""
    pm = parents(py_file)
    waited = _waited_names(py_file, function)
    pools = _scoped_names(py_file, function, ("Executor", "Pool"))
    groups = _scoped_names(py_file, function, ("TaskGroup", "create_task_group"))
    found: list[BackgroundStart] = []
    for site in py_file.calls_of(function):
        call = site.node
        name = py_file.resolve(call.func)
        attr = name.rsplit(".", 1)[-1]
        _, awaited = _statement_of(pm, call)
        holders = _holders(pm, call)
        if awaited or holders & waited:
            continue
        receiver = name.rsplit(".", 1)[0] if "." in name else ""
        if name in _THREAD_STARTERS:
            target = next((k.value for k in call.keywords if k.arg == "target"), None)
            if target is None and attr == "Timer" and len(call.args) > 1:
                target = call.args[1]
            found.append(BackgroundStart(call, "thread" if attr != "Process" else "process", target))
        elif attr in ("create_task", "ensure_future") and receiver not in groups:
            found.append(BackgroundStart(call, "task", call.args[0] if call.args else None))
        elif attr == "run_in_executor":
            found.append(BackgroundStart(call, "executor job", call.args[1] if len(call.args) > 1 else None))
        elif attr in ("submit", "start_new_thread") and receiver not in pools:
            found.append(BackgroundStart(call, "executor job", call.args[0] if call.args else None))
    return found


def _calls_attr(py_file: PyFile, function: FunctionInfo, attr: str) -> bool:
    return any(
        (isinstance(c.node.func, ast.Attribute) and c.node.func.attr == attr)
        or (isinstance(c.node.func, ast.Name) and c.node.func.id == attr)
        for c in py_file.calls_of(function, lambdas=True)
    )


def _is_async_task(function: FunctionInfo) -> bool:
    return any(d == "async_task" or d.endswith(".async_task") for d in function.decorators)


def _started_function(cmap: CodeMap, py_file: PyFile, start: BackgroundStart, within: FunctionInfo) -> Target | None:
    target = start.target
    if target is None:
        return None
    if isinstance(target, ast.Call):
        return cmap.resolve(py_file, target, within)
    return cmap.resolve_ref(py_file, target, within)


def _task_sinks(
    cmap: CodeMap, py_file: PyFile, function: FunctionInfo, name: str, depth: int, seen: set[tuple[int, str]]
) -> list[tuple[PyFile, FunctionInfo, ast.Call]]:
    """``complete_async_task`` calls reached by a task id held in ``name`` inside ``function``."""
    key = (id(function), name)
    if key in seen or depth > 4:
        return []
    seen.add(key)
    found: list[tuple[PyFile, FunctionInfo, ast.Call]] = []
    for site in py_file.calls_of(function, lambdas=True):
        call = site.node
        if site.attr == "complete_async_task":
            if any(name in names_in(arg) for arg in [*call.args, *(k.value for k in call.keywords)]):
                found.append((py_file, function, call))
            continue
        # the id handed to another own function: directly, or to a thread/executor/task
        handoffs: list[tuple[Target | None, list[ast.expr], dict[str, ast.expr]]] = []
        callee = cmap.resolve(py_file, call, function)
        handoffs.append((callee, list(call.args), {k.arg: k.value for k in call.keywords if k.arg}))
        for ref in handed_functions(call):
            handed = cmap.resolve_ref(py_file, ref, function)
            if handed is None:
                continue
            args: list[ast.expr] = []
            kwargs: dict[str, ast.expr] = {}
            for keyword in call.keywords:
                if keyword.arg == "args" and isinstance(keyword.value, (ast.Tuple, ast.List)):
                    args = list(keyword.value.elts)
                elif keyword.arg == "kwargs" and isinstance(keyword.value, ast.Dict):
                    kwargs = {
                        literal_str(k) or "": v for k, v in zip(keyword.value.keys, keyword.value.values, strict=False)
                    }
            if not args and ref in call.args:
                args = call.args[call.args.index(ref) + 1 :]
            handoffs.append((handed, args, kwargs))
        for target, args, kwargs in handoffs:
            if target is None:
                continue
            params = param_names(target.function.node)
            if target.function.class_name and params and params[0] in ("self", "cls"):
                params = params[1:]
            for index, arg in enumerate(args):
                if isinstance(arg, ast.Name) and arg.id == name and index < len(params):
                    found.extend(_task_sinks(cmap, target.file, target.function, params[index], depth + 1, seen))
            for keyword_name, value in kwargs.items():
                if isinstance(value, ast.Name) and value.id == name and keyword_name in params:
                    found.extend(_task_sinks(cmap, target.file, target.function, keyword_name, depth + 1, seen))
    return found


_LONG_ATTRS = frozenset(
    {
        "invoke",
        "invoke_async",
        "ainvoke",
        "invoke_model",
        "converse",
        "run",
        "run_until_complete",
        "result",
        "join",
        "invoke_agent_runtime",
        "sleep",
        "check_output",
        "call",
    }
)


_LONG_MODULES = ("requests.", "httpx.", "subprocess.", "urllib.request.")


def _long_call(py_file: PyFile, call: ast.Call, awaited: bool) -> bool:
    name = py_file.resolve(call.func)
    attr = name.rsplit(".", 1)[-1]
    if name == "asyncio.sleep":
        delay = call.args[0] if call.args else None
        return isinstance(delay, ast.Constant) and isinstance(delay.value, (int, float)) and delay.value >= 30
    if awaited:
        return True
    return name.startswith(_LONG_MODULES) or (attr in _LONG_ATTRS and name != "asyncio.sleep")


def _loop_yields(loop: ast.For | ast.AsyncFor | ast.While, function: FunctionInfo) -> bool:
    """Whether the loop's body (not its ``else``) yields, itself rather than a nested function."""
    first, last = loop.body[0], loop.body[-1]
    start = (first.lineno, first.col_offset)
    end = (last.end_lineno or last.lineno, last.end_col_offset or 0)
    return any(start <= (node.lineno, node.col_offset) < end for node in function.yields)


# ---------------------------------------------------------------------------
# Session headers (SESS003, SESS005)


def _header_dicts(py_file: PyFile) -> list[ast.Dict]:
    """Dict literals of a file with a session header key (only files that hold such a string are walked)."""
    wanted = (RUNTIME_SESSION_HEADER, MCP_SESSION_HEADER)
    if not any(s.value.lower() in wanted for s in py_file.strings):
        return []
    return [d.node for d in py_file.dicts if any(w in _header_keys(d.node) for w in wanted)]


@dataclass(frozen=True)
class HeaderUse:
    """Session headers set together: in one dict literal, or on one name in one function."""

    path: str
    line: int
    keys: frozenset[str]
    """The session headers set (lower case)."""
    base: str | None = None
    """The name the headers are assigned on (``headers["Mcp-Session-Id"] = ...``); ``None`` for a dict literal."""


def session_headers(py_file: PyFile) -> list[HeaderUse]:
    """Where a file sets session headers: dict literals, and subscript assignments per function."""
    wanted = (RUNTIME_SESSION_HEADER, MCP_SESSION_HEADER)
    found: list[HeaderUse] = []
    for node in _header_dicts(py_file):
        keys = _header_keys(node)
        found.append(HeaderUse(py_file.path, node.lineno, frozenset(k for k in keys if k in wanted)))
    if not any(s.value.lower() in wanted for s in py_file.strings):
        return found
    by_function: dict[int, dict[str, dict[str, int]]] = {}
    for store in py_file.stores:
        target = store.target
        if store.function is None or not isinstance(target, ast.Subscript) or not isinstance(target.value, ast.Name):
            continue
        key = literal_str(target.slice)
        if key is not None and key.lower() in wanted:
            assigned = by_function.setdefault(id(store.function), {})
            assigned.setdefault(target.value.id, {})[key.lower()] = store.line
    for function in py_file.functions:
        for base, keys in by_function.get(id(function), {}).items():
            found.append(HeaderUse(py_file.path, max(keys.values()), frozenset(keys), base))
    return found


# ---------------------------------------------------------------------------
# Runtime clients and their retries (SESS012)


def client_service(call: CallSite) -> str | None:
    """The service named by a ``boto3.client(...)`` call, when it is a literal."""
    args = call.node.args
    return literal_str(args[0]) if args else literal_str(call.keywords.get("service_name"))


@dataclass(frozen=True)
class ClientRetries:
    """What a ``bedrock-agentcore`` client is used for and how it retries."""

    invokes: int
    """The invokes made through this client in its file."""
    config: RetryConfig
    decorated: bool
    """Every invoke retries through a retry decorator."""
    evidence: str


def client_retries(py_file: PyFile, call: CallSite) -> ClientRetries:
    invoked = [c for c in py_file.calls if c.attr == INVOKE]
    held_in = _assigned_to(py_file, call)
    if held_in is not None:
        invoked = [
            c
            for c in invoked
            if isinstance(c.node.func, ast.Attribute)
            and source_of(py_file, c.node.func.value).rsplit(".", 1)[-1] == held_in
        ]
    decorated = bool(invoked) and all(
        c.function is not None and any(any(r in d for r in RETRY_DECORATORS) for d in c.function.decorators)
        for c in invoked
    )
    return ClientRetries(
        len(invoked),
        retry_config(py_file, call.keywords.get("config"), call.function),
        decorated,
        excerpt(source_of(py_file, call.node), 160),
    )


# ---------------------------------------------------------------------------
# Background work an entrypoint starts (SESS010)


@dataclass(frozen=True)
class UntrackedStart:
    path: str
    line: int
    kind: str
    """``thread``, ``process``, ``task``, ``executor job``."""
    worker: str
    """The started function's name, or ``the work``."""
    chain: tuple[str, ...]
    """Qualified names from the entrypoint to the function that starts the work."""
    app: str
    """The name of the ``BedrockAgentCoreApp`` the entrypoint is registered on."""


@dataclass(frozen=True)
class BackgroundWork:
    entrypoints: int
    examined: int
    """Functions followed from the entrypoints."""
    untracked: tuple[UntrackedStart, ...]


def _app_name(entry: Target) -> str:
    for decorator in entry.function.decorators:
        if decorator.endswith(".entrypoint"):
            return decorator.rsplit(".", 1)[0]
    return "app"


def background_work(code: CodeIndex, project: ProjectFacts) -> BackgroundWork:
    """Background threads, tasks and executor jobs the entrypoints start (through the functions
    they call) without registering them with ``add_async_task``."""
    cmap = code_map(code, project)
    entries = cmap.entrypoints()
    reported: set[tuple[str, int]] = set()
    untracked: list[UntrackedStart] = []
    examined = 0
    registers: dict[int, bool] = {}

    def registers_tasks(target: Target) -> bool:
        # each function is searched once, however many starts and chains it appears in
        found = registers.get(id(target.function))
        if found is None:
            found = registers[id(target.function)] = _calls_attr(target.file, target.function, "add_async_task")
        return found

    for entry in entries:
        chains = cmap.reachable(entry)
        examined += len(chains)
        app = _app_name(entry)
        for current, chain in chains.items():
            chain_registers: bool | None = None
            for start in background_starts(current.file, current.function):
                started = _started_function(cmap, current.file, start, current.function)
                if started is not None and (_is_async_task(started.function) or registers_tasks(started)):
                    continue
                if chain_registers is None:
                    near = list(chain)
                    for member in chain:
                        near.extend(cmap.callees(member))
                    chain_registers = any(registers_tasks(member) for member in near)
                if chain_registers:
                    continue
                key = (current.file.path, start.call.lineno)
                if key in reported:
                    continue
                reported.add(key)
                worker = started.function.name if started is not None else "the work"
                untracked.append(
                    UntrackedStart(
                        current.file.path,
                        start.call.lineno,
                        start.kind,
                        worker,
                        tuple(t.function.qualname for t in chain),
                        app,
                    )
                )
    return BackgroundWork(len(entries), examined, tuple(untracked))


# ---------------------------------------------------------------------------
# add_async_task ids (SESS011)


@dataclass(frozen=True)
class TaskCompletion:
    path: str
    line: int
    in_finally: bool


@dataclass(frozen=True)
class AsyncTask:
    """One ``add_async_task`` call and what becomes of its id."""

    path: str
    line: int
    held: str | None
    """The expression keeping the id; ``None`` when the id is thrown away."""
    completions: tuple[TaskCompletion, ...]
    """The ``complete_async_task`` calls the id reaches."""


@dataclass(frozen=True)
class AsyncTasks:
    decorated: tuple[tuple[str, int, str], ...] = ()
    """``@app.async_task`` functions: (path, line, name)."""
    added: tuple[AsyncTask, ...] = field(default_factory=tuple)


def async_tasks(code: CodeIndex, project: ProjectFacts) -> AsyncTasks:
    """Every ``@async_task`` function and ``add_async_task`` call of the runtime code, with
    where each task id is completed."""
    cmap = code_map(code, project)
    decorated: list[tuple[str, int, str]] = []
    added: list[AsyncTask] = []
    for py_file in code.of_role("runtime"):
        decorated.extend((py_file.path, f.line, f.name) for f in py_file.functions if _is_async_task(f))
        for call in [c for c in py_file.calls if c.attr == "add_async_task"]:
            statement, _ = _statement_of(parents(py_file), call.node)
            holder: ast.expr | None = None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                holder = statement.targets[0]
            elif isinstance(statement, ast.AnnAssign):
                holder = statement.target
            if holder is None:
                added.append(AsyncTask(py_file.path, call.line, None, ()))
                continue
            sinks = _holder_sinks(code, cmap, py_file, call, holder)
            completions = tuple(
                TaskCompletion(sink_file.path, sink_call.lineno, parents(sink_file).in_finally(sink_call, fn.node))
                for sink_file, fn, sink_call in sinks
            )
            added.append(AsyncTask(py_file.path, call.line, excerpt(source_of(py_file, holder), 60), completions))
    return AsyncTasks(tuple(decorated), tuple(added))


def _holder_sinks(
    code: CodeIndex, cmap: CodeMap, py_file: PyFile, call: CallSite, holder: ast.expr
) -> list[tuple[PyFile, FunctionInfo, ast.Call]]:
    if isinstance(holder, ast.Name) and call.function is not None:
        return _task_sinks(cmap, py_file, call.function, holder.id, 0, set())
    if isinstance(holder, ast.Name):
        return [
            (py_file, f, c)
            for f in py_file.functions
            for c in (site.node for site in py_file.calls_of(f) if site.name.endswith("complete_async_task"))
            if holder.id in names_in(c)
        ]
    sinks: list[tuple[PyFile, FunctionInfo, ast.Call]] = []
    base_names = names_in(holder) - {"self", "cls"}
    attr = holder.attr if isinstance(holder, ast.Attribute) else None
    for other in code.runtime_files(py_file.runtime):
        for f in other.functions:
            for c in (site.node for site in other.calls_of(f) if site.name.endswith("complete_async_task")):
                if (attr is not None and attr in attributes_in(c)) or (base_names & names_in(c)):
                    sinks.append((other, f, c))
    return sinks


# ---------------------------------------------------------------------------
# Streaming entrypoints (SESS013)


@dataclass(frozen=True)
class StreamGap:
    """A streaming entrypoint and the first long call it waits on without yielding (``None``: none)."""

    path: str
    function: str
    function_line: int
    line: int | None = None
    call_text: str = ""


def stream_gaps(code: CodeIndex, project: ProjectFacts) -> list[StreamGap]:
    """Every streaming (generator) entrypoint, with the first long call it makes outside a loop that yields."""
    cmap = code_map(code, project)
    found: list[StreamGap] = []
    for entry in (e for e in cmap.entrypoints() if e.function.is_generator):
        py_file, function = entry.file, entry.function
        pm = parents(py_file)
        gap: ast.Call | None = None
        for site in py_file.calls_of(function):
            call = site.node
            if isinstance(pm.parent(call), ast.Call):
                continue
            _, awaited = _statement_of(pm, call)
            if not _long_call(py_file, call, awaited):
                continue
            covered = any(
                isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While)) and _loop_yields(ancestor, function)
                for ancestor, _child in pm.path(call, function.node)
            )
            if not covered:
                gap = call
                break
        if gap is None:
            found.append(StreamGap(py_file.path, function.name, function.line))
        else:
            text = excerpt(source_of(py_file, gap), 100)
            found.append(StreamGap(py_file.path, function.name, function.line, gap.lineno, text))
    return found

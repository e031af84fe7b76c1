"""Agent code: background work, streaming and blocking work (SESS010, SESS011, SESS013, SESS014)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.checks.sessionflow import (
    async_tasks,
    background_work,
    session_origins,
    stream_gaps,
)
from agentcore_readiness.checks.sessions.callers import _code
from agentcore_readiness.facts.code.callflow import Target, code_map
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import FunctionInfo


def _line_text(facts: Facts, path: str, line: int) -> str:
    assert facts.code is not None
    py_file = facts.code.file(path)
    return py_file.line_text(line).strip() if py_file is not None else ""


@rule(
    "SESS010",
    "background-task-untracked",
    "high",
    ("C",),
    "Background work started without add_async_task",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def background_task_untracked(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows each `@app.entrypoint` through the functions it calls (in the agent's own
    files) and fails where a thread (`threading.Thread`, `Timer`), an asyncio task
    (`asyncio.create_task`, `ensure_future`, `loop.create_task`) or an executor job
    (`executor.submit`, `loop.run_in_executor`) is started and not awaited, unless the
    path registers it with `app.add_async_task(...)` or the started coroutine is an
    `@app.async_task` function.

    ### Why is this bad?
    Once the invocation response is sent, the runtime considers the session idle. At
    `idleRuntimeSessionTimeout` it reclaims the microVM, killing the background work
    halfway. `add_async_task` makes `/ping` report `HealthyBusy` so the VM is kept until
    the task completes.

    ### Example
    ```python
    @app.entrypoint
    def invoke(payload):
        threading.Thread(target=process, args=(payload,)).start()
        return {"status": "accepted"}
    ```

    ### Fix
    ```python
    @app.entrypoint
    def invoke(payload):
        task_id = app.add_async_task("process")
        threading.Thread(target=process, args=(payload, task_id)).start()
        return {"status": "processing", "taskId": task_id}

    def process(payload, task_id):
        try:
            ...
        finally:
            app.complete_async_task(task_id)
    ```
    Or decorate an async worker with `@app.async_task`.

    ### References
    - agents-harden skill, "Long-running background tasks"; bedrock-agentcore `BedrockAgentCoreApp.add_async_task`
    """
    assert facts.code is not None
    work = background_work(_code(facts), facts.project)
    if not work.entrypoints:
        return not_applicable("no @app.entrypoint in agent code")
    for start in work.untracked:
        worker, app = start.worker, start.app
        path_text = " → ".join(f"{name}()" for name in start.chain)
        out.fail(
            f"{path_text} starts a background {start.kind} ({worker}) at {start.path}:"
            f"{start.line} without {app}.add_async_task: once the response is sent the session "
            "looks idle and the microVM can be reclaimed mid-work",
            Location(path=start.path, line=start.line),
            evidence=excerpt(_line_text(facts, start.path, start.line)),
            fix=Fix(
                summary=f"Register the work before starting it and complete it when it ends: "
                f'`task_id = {app}.add_async_task("{worker}")` before line {start.line}, pass '
                f"`task_id` to {worker}, and end {worker} with `finally: {app}.complete_async_task(task_id)` "
                f"(or make {worker} an async function decorated with `@{app}.async_task`).",
            ),
        )
    if not out.items:
        out.note(
            f"{work.entrypoints} entrypoint(s) followed through {work.examined} function(s): no untracked background work"
        )
    return None


@rule(
    "SESS011",
    "async-task-not-completed",
    "high",
    ("C",),
    "add_async_task without complete_async_task",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def async_task_not_completed(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Follows the task id returned by each `app.add_async_task(...)` (an `int`) through the
    agent's functions, threads and executor jobs to a `complete_async_task(task_id)`.
    Fails when the id is thrown away or never reaches one; warns when the completing call
    is not in a `finally` block.

    ### Why is this bad?
    While a task is registered, `/ping` reports `HealthyBusy` and the runtime keeps the
    microVM. A task never completed holds it until `maxLifetime` (8 h by default); one
    completed outside `finally` stays registered whenever the work raises.

    ### Example
    ```python
    task_id = app.add_async_task("report")
    threading.Thread(target=build_report, args=(payload,)).start()  # task_id never completed
    ```

    ### Fix
    Pass the id to the worker and complete it in `finally`:
    ```python
    def build_report(payload, task_id):
        try:
            ...
        finally:
            app.complete_async_task(task_id)
    ```
    Or use `@app.async_task` on an async worker, which does both.

    ### References
    - agents-harden skill, "Long-running background tasks"; bedrock-agentcore `add_async_task` / `complete_async_task`
    """
    assert facts.code is not None
    tasks = async_tasks(_code(facts), facts.project)
    for path, line, name in tasks.decorated:
        out.note(f"{path}:{line}: {name}() is an @async_task function")
    for task in tasks.added:
        location = Location(path=task.path, line=task.line)
        if task.held is None:
            out.fail(
                f"add_async_task at {task.path}:{task.line} throws its task id away: the task can never be "
                "completed and /ping stays HealthyBusy until maxLifetime",
                location,
                fix=Fix(
                    summary="Keep the id (`task_id = app.add_async_task(...)`) and pass it to the code that "
                    "calls `app.complete_async_task(task_id)` in a `finally`."
                ),
            )
            continue
        if not task.completions:
            held = task.held
            out.fail(
                f"the task id `{held}` from add_async_task at {task.path}:{task.line} never reaches "
                "complete_async_task: /ping stays HealthyBusy and the microVM is kept until maxLifetime",
                location,
                fix=Fix(
                    summary=f"Pass `{held}` to the worker and call `app.complete_async_task({held})` in its "
                    "`finally` block."
                ),
            )
            continue
        for sink in task.completions:
            if sink.in_finally:
                out.note(f"{task.path}:{task.line} completed in finally at {sink.path}:{sink.line}")
            else:
                out.warn(
                    f"complete_async_task at {sink.path}:{sink.line} (for the task added at "
                    f"{task.path}:{task.line}) is not in a finally block: when the work raises, the task "
                    "stays registered",
                    Location(path=sink.path, line=sink.line),
                    fix=Fix(summary="Wrap the work in `try:` and move the `complete_async_task` call into `finally:`."),
                )
    found_any = bool(tasks.decorated or tasks.added)
    if not found_any:
        return not_applicable("no add_async_task or @app.async_task in agent code")
    return None


@rule(
    "SESS013",
    "stream-without-heartbeat",
    "low",
    ("C",),
    "Streaming entrypoint without periodic yields",
    family="Sessions",
    checklist=("perf.async",),
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def stream_without_heartbeat(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each streaming entrypoint (an `@app.entrypoint` generator), warns at the first
    long call (an `await`, a model or agent `invoke`, `requests`/`httpx`/`subprocess`,
    `time.sleep`) that does not sit in, or feed, a loop that yields: while it runs the
    stream sends nothing.

    ### Why is this bad?
    Proxies, load balancers and clients drop SSE connections that stay silent (often
    after 60 s). A streaming response that waits minutes for a tool or a model without
    sending anything is cut off mid-stream even though the agent is still working.

    ### Example
    ```python
    @app.entrypoint
    async def invoke(payload):
        yield {"status": "started"}
        result = await run_long_analysis(payload)   # minutes, nothing sent
        yield {"result": result}
    ```

    ### Fix
    Run the long work as a task and yield a heartbeat about every 30 s:
    ```python
    task = asyncio.create_task(run_long_analysis(payload))
    while not task.done():
        done, _ = await asyncio.wait({task}, timeout=30)
        if not done:
            yield {"heartbeat": True}
    yield {"result": task.result()}
    ```
    Or stream the agent's events (`async for event in agent.stream_async(prompt): yield event`).

    ### References
    - agents-harden skill, "Alternatives when async task API isn't an option"; agents-debug skill, "Connection drops mid-stream"
    """
    assert facts.code is not None
    streaming = stream_gaps(_code(facts), facts.project)
    if not streaming:
        return not_applicable("no streaming (generator) entrypoint in agent code")
    for gap in streaming:
        if gap.line is None:
            out.note(f"{gap.path}:{gap.function_line}: {gap.function}() yields while its long work runs")
            continue
        out.warn(
            f"streaming entrypoint {gap.function}() waits on `{gap.call_text}` at {gap.path}:{gap.line} with no "
            "yield while it runs: a silent stream of a minute or more can be dropped by proxies and clients",
            Location(path=gap.path, line=gap.line),
            fix=Fix(
                summary="Run the call as a task and yield a heartbeat about every 30 s until it is done "
                "(`task = asyncio.create_task(...)`; `while not task.done(): done, _ = await asyncio.wait({task}, "
                'timeout=30); if not done: yield {"heartbeat": True}`), or stream the agent\'s own events.',
            ),
        )
    return None


@rule(
    "SESS014",
    "blocking-work-in-async-entrypoint",
    "medium",
    ("C",),
    "Blocking call in an async entrypoint or handler",
    family="Sessions",
    reads=("runtime",),
    tools=("audit_code", "audit_sessions", "diagnose_quota_error"),
)
def blocking_work_in_async_entrypoint(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each `async` request handler of a runtime (`@app.entrypoint`, a `POST /invocations`
    route, a websocket handler, an MCP tool, an A2A executor) and every other `async`
    function of the runtime's code (a tool, a step the handler dispatches to), fails at
    every synchronous call that waits on the model, a tool or the network while the event
    loop runs it: a Strands `agent(prompt)`, a LangChain/LangGraph `.invoke()`,
    CrewAI `kickoff()`, any boto3 call, `requests`/`httpx` calls, `urllib.request.urlopen`,
    `time.sleep`, a subprocess. It follows the handler into the project functions it
    awaits and the synchronous functions it calls (reported at the call in the async code,
    with the chain). Work handed to a thread (`asyncio.to_thread`, `run_in_executor`,
    inside a lambda) and the async APIs (`await agent.invoke_async()`,
    `agent.stream_async()`, `ainvoke()`) are fine; so is a plain `def` handler, which the
    SDK runs in a worker thread.

    ### Why is this bad?
    An async handler shares the server's single event loop. A blocking call stops the
    loop for as long as it runs: streamed events stop flowing, other requests of the
    session wait, and the `/ping` health check goes unanswered, so AgentCore can take the
    session for unhealthy and the caller sees a stalled or dropped stream.

    ### Example
    ```python
    @app.entrypoint
    async def invoke(payload):
        result = agent(payload["prompt"])        # blocks the event loop for the whole run
        return {"result": str(result)}
    ```

    ### Fix
    ```python
    @app.entrypoint
    async def invoke(payload):
        result = await agent.invoke_async(payload["prompt"])
        return {"result": str(result)}
    ```
    or `await asyncio.to_thread(agent, prompt)`, `async for event in agent.stream_async(prompt)`,
    `await graph.ainvoke(...)`; or make the handler a plain `def`.

    ### References
    - agents-harden skill, "Async tasks and health status"; agents-debug skill, "Connection drops mid-stream"
    """
    from agentcore_readiness.checks.blocking import BlockingFinder
    from agentcore_readiness.checks.code_rule_helpers import emit, without_code
    from agentcore_readiness.checks.runtime_handlers import handler_model, is_tool, runtime_paths

    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    assert facts.code is not None
    cmap = code_map(facts.code, facts.project)
    starts: list[tuple[Target, str]] = []
    for handler in handler_model(facts).handlers:
        info = cmap.functions_of(handler.file).get(handler.entry.qualname or handler.entry.name)
        if info is not None and info.is_async:
            starts.append((Target(handler.file, info), f"async {handler.label}"))
    paths = runtime_paths(facts)
    for py_file in facts.code.runtime_files():
        for function in py_file.functions:
            target = Target(py_file, function)
            if not function.is_async or any(target == s for s, _ in starts) or _runs_before_serving(function):
                continue
            if not is_tool(function) and paths.called(py_file, function.qualname) is not None:
                continue  # nothing in the runtime calls it
            kind = "tool" if is_tool(function) else "function"
            starts.append((target, f"async {kind} {function.qualname}()"))
    if not starts:
        return not_applicable(
            "no async request handler or async function in the runtimes' code (a plain `def` handler runs in a "
            "worker thread)"
        )
    finder = BlockingFinder(cmap)
    reported: set[tuple[str, int]] = set()
    handlers = len(starts) - sum(1 for _, label in starts if label.startswith(("async function", "async tool")))
    for index, (start, label) in enumerate(starts):
        found = finder.in_async(start)
        if not found and index < handlers:
            out.note(f"{start.file.path}:{start.function.line} {label}: nothing blocks the event loop")
        for blocking in found:
            if (blocking.file.path, blocking.line) in reported:
                continue
            reported.add((blocking.file.path, blocking.line))
            chain = " → ".join(f"{t.function.qualname}() ({t.file.path}:{t.function.line})" for t in blocking.chain)
            emit(
                out,
                "fail",
                blocking.file,
                blocking.line,
                f"{label} runs {blocking.what} on the event loop: while it runs, streamed events stop, other requests "
                "wait and /ping goes unanswered",
                evidence=f"called through {chain}",
                fix=Fix(
                    summary="Use the async API (`await agent.invoke_async(prompt)`, `agent.stream_async(prompt)`, "
                    "`await graph.ainvoke(...)`) or hand the call to a thread (`await asyncio.to_thread(fn, ...)`); "
                    "or make the handler a plain `def`, which the SDK runs in a worker thread."
                ),
            )
    return None


def _runs_before_serving(function: FunctionInfo) -> bool:
    """A startup or shutdown hook (``@app.on_event("startup")``, a ``lifespan``): it blocks
    nothing that is being served."""
    return function.name in ("lifespan", "startup", "shutdown") or any(
        d.endswith((".on_event", ".on_startup", ".on_shutdown", "asynccontextmanager")) for d in function.decorators
    )


def session_origin_texts(facts: Facts) -> list[tuple[str, int, str]]:
    """(path, line, how) of each ``invoke_agent_runtime`` in caller code: how its
    ``runtimeSessionId`` is made (per request, per job, per conversation, omitted, literal)."""
    if facts.code is None:
        return []
    origins = session_origins(facts.code, facts.project)
    return [(py_file.path, call.line, f"{origin.kind}: {origin.how}") for py_file, call, origin in origins]

"""SESS010, SESS011, SESS013, RES004 and RES007 over agent code written here: background work
followed through the entrypoint, task ids followed to their completion, streams, memory events
and built-in tool sessions; exact file and line, both ways."""

from __future__ import annotations

from conftest import ProjectBuilder, findings_of

MAIN = "app/Agent/main.py"
WORKER = "app/Agent/work/jobs.py"


def line_of(builder: ProjectBuilder, rel: str, needle: str, occurrence: int = 1) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    return hits[occurrence - 1]


def agent(builder: ProjectBuilder, main: str, **files: str) -> None:
    builder.agentcore()
    builder.write(MAIN, main)
    for rel, text in files.items():
        builder.write(rel, text)


# --- SESS010 -----------------------------------------------------------------------------------


def test_thread_started_in_a_helper_file_without_add_async_task_fails(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        from bedrock_agentcore.runtime import BedrockAgentCoreApp
        from work.jobs import kick_off

        app = BedrockAgentCoreApp()

        @app.entrypoint
        def invoke(payload):
            kick_off(payload)
            return {"status": "accepted"}
        """,
        **{
            WORKER: """
            import threading

            def process(payload):
                return payload

            def kick_off(payload):
                threading.Thread(target=process, args=(payload,), daemon=True).start()
            """
        },
    )
    result = project.results("SESS010")["SESS010"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", WORKER, line_of(project, WORKER, "threading.Thread("))]
    message = result.findings[0].message
    assert message.startswith("invoke() → kick_off() starts a background thread (process)")
    assert result.findings[0].fix is not None
    assert 'task_id = app.add_async_task("process")' in result.findings[0].fix.summary


def test_tasks_and_executor_jobs_that_are_not_awaited_fail(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import asyncio
        from concurrent.futures import ThreadPoolExecutor
        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        app = BedrockAgentCoreApp()
        POOL = ThreadPoolExecutor()

        async def summarize(text):
            return text

        def index(text):
            return text

        @app.entrypoint
        async def invoke(payload):
            asyncio.create_task(summarize(payload["text"]))
            POOL.submit(index, payload["text"])
            awaited = await asyncio.create_task(summarize("x"))
            done = asyncio.ensure_future(summarize("y"))
            await done
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, index, "z")
            with ThreadPoolExecutor() as pool:
                pool.submit(index, "w")
            return {"ok": True, "awaited": awaited}
        """,
    )
    result = project.results("SESS010")["SESS010"]
    assert findings_of(result) == [
        ("fail", MAIN, line_of(project, MAIN, "asyncio.create_task(summarize(payload")),
        ("fail", MAIN, line_of(project, MAIN, "POOL.submit(index")),
    ]
    assert "background task (summarize)" in result.findings[0].message
    assert "background executor job (index)" in result.findings[1].message


def test_tracked_work_passes(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import asyncio
        import threading
        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        app = BedrockAgentCoreApp()

        def process(payload, task_id):
            try:
                return payload
            finally:
                app.complete_async_task(task_id)

        @app.async_task
        async def refresh(payload):
            return payload

        @app.entrypoint
        async def invoke(payload):
            task_id = app.add_async_task("process")
            threading.Thread(target=process, args=(payload, task_id)).start()
            asyncio.create_task(refresh(payload))
            return {"status": "processing", "taskId": task_id}
        """,
    )
    result = project.results("SESS010")["SESS010"]
    assert result.status == "pass"
    assert result.reason == "1 entrypoint(s) followed through 3 function(s): no untracked background work"


def test_no_entrypoint_is_not_applicable(project: ProjectBuilder) -> None:
    agent(project, "import threading\nthreading.Thread(target=print).start()\n")
    assert project.results("SESS010")["SESS010"].status == "not_applicable"


# --- SESS011 -----------------------------------------------------------------------------------


def test_task_id_followed_through_a_thread_to_finally_passes(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import threading
        from bedrock_agentcore.runtime import BedrockAgentCoreApp
        from work.jobs import run

        app = BedrockAgentCoreApp()

        @app.entrypoint
        def invoke(payload):
            tid = app.add_async_task("report", {"kind": "report"})
            threading.Thread(target=run, args=(app, payload, tid)).start()
            return {"taskId": tid}
        """,
        **{
            WORKER: """
            def run(app, payload, task_id):
                try:
                    return payload
                finally:
                    app.complete_async_task(task_id)
            """
        },
    )
    result = project.results("SESS011")["SESS011"]
    assert result.status == "pass"
    assert result.reason == (
        f"{MAIN}:{line_of(project, MAIN, 'add_async_task')} completed in finally at "
        f"{WORKER}:{line_of(project, WORKER, 'complete_async_task')}"
    )


def test_task_id_never_completed_or_thrown_away_fails(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        app = BedrockAgentCoreApp()

        def work(payload):
            return payload

        @app.entrypoint
        def invoke(payload):
            tid = app.add_async_task("work")
            work(payload)
            app.add_async_task("forgotten")
            return {"taskId": tid}
        """,
    )
    result = project.results("SESS011")["SESS011"]
    assert findings_of(result) == [
        ("fail", MAIN, line_of(project, MAIN, 'add_async_task("work")')),
        ("fail", MAIN, line_of(project, MAIN, 'add_async_task("forgotten")')),
    ]
    assert "never reaches complete_async_task" in result.findings[0].message
    assert "throws its task id away" in result.findings[1].message


def test_completion_outside_finally_warns_at_the_completion(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        app = BedrockAgentCoreApp()

        def work(payload, task_id):
            result = payload
            app.complete_async_task(task_id)
            return result

        @app.entrypoint
        def invoke(payload):
            tid = app.add_async_task("work")
            work(payload, task_id=tid)
            return {}
        """,
    )
    result = project.results("SESS011")["SESS011"]
    assert findings_of(result) == [("warn", MAIN, line_of(project, MAIN, "app.complete_async_task(task_id)"))]


def test_without_async_tasks_sess011_is_not_applicable(project: ProjectBuilder) -> None:
    agent(project, "def f():\n    return 1\n")
    assert project.results("SESS011")["SESS011"].status == "not_applicable"


# --- SESS013 -----------------------------------------------------------------------------------


def test_streaming_entrypoint_waiting_without_yield_warns(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        app = BedrockAgentCoreApp()

        async def analyse(payload):
            return payload

        @app.entrypoint
        async def invoke(payload):
            yield {"status": "started"}
            result = await analyse(payload)
            yield {"result": result}
        """,
    )
    result = project.results("SESS013")["SESS013"]
    assert findings_of(result) == [("warn", MAIN, line_of(project, MAIN, "await analyse(payload)"))]


def test_streaming_the_agents_events_passes(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        from bedrock_agentcore.runtime import BedrockAgentCoreApp

        app = BedrockAgentCoreApp()

        @app.entrypoint
        async def invoke(payload, context):
            agent = make_agent()
            async for event in agent.stream_async(payload["prompt"]):
                yield event
        """,
    )
    result = project.results("SESS013")["SESS013"]
    assert result.status == "pass"
    assert (
        result.reason
        == f"{MAIN}:{line_of(project, MAIN, 'async def invoke')}: invoke() yields while its long work runs"
    )


def test_non_streaming_entrypoint_is_not_applicable_for_sess013(project: ProjectBuilder) -> None:
    agent(
        project,
        "from bedrock_agentcore.runtime import BedrockAgentCoreApp\napp = BedrockAgentCoreApp()\n"
        "@app.entrypoint\ndef invoke(payload):\n    return payload\n",
    )
    assert project.results("SESS013")["SESS013"].status == "not_applicable"


# --- RES004 ------------------------------------------------------------------------------------


def test_create_event_with_full_history_and_no_retry_warns(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import tenacity
        from bedrock_agentcore.memory import MemoryClient

        memory = MemoryClient()

        def save_all(agent, sid):
            memory.create_event(memory_id="m", actor_id="u", session_id=sid, messages=agent.messages)

        def save_each(history, sid):
            for message in history:
                memory.create_event(memory_id="m", actor_id="u", session_id=sid, messages=[message])

        @tenacity.retry(wait=tenacity.wait_exponential_jitter())
        def save_turn(prompt, answer, sid):
            memory.create_event(
                memory_id="m", actor_id="u", session_id=sid, messages=[(prompt, "USER"), (answer, "ASSISTANT")]
            )
        """,
    )
    result = project.results("RES004")["RES004"]
    assert findings_of(result) == [
        ("warn", MAIN, line_of(project, MAIN, "messages=agent.messages")),
        ("warn", MAIN, line_of(project, MAIN, "messages=[message]")),
    ]
    assert result.findings[0].message == (
        f"create_event at {MAIN}:{line_of(project, MAIN, 'messages=agent.messages')} writes the whole conversation "
        "(`agent.messages`) on every turn"
    )
    assert "one event per stored message (loop over `history`)" in result.findings[1].message


def test_latest_turn_with_retry_passes(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import backoff
        from bedrock_agentcore.memory import MemoryClient

        memory = MemoryClient()

        @backoff.on_exception(backoff.expo, Exception, max_tries=5)
        def save_turn(history, sid):
            memory.create_event(memory_id="m", actor_id="u", session_id=sid, messages=history[-2:])
        """,
    )
    result = project.results("RES004")["RES004"]
    assert result.status == "pass"
    assert result.reason == (
        f"{MAIN}:{line_of(project, MAIN, 'create_event')}: writes the latest turn; the client retries throttling"
    )


def test_a_client_without_retries_loses_the_turn(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import boto3
        from botocore.config import Config

        events = boto3.client("bedrock-agentcore", config=Config(retries={"max_attempts": 0}))
        store = boto3.client("bedrock-agentcore")

        def save_turn(prompt, answer, sid):
            turn = [{"conversational": {"content": {"text": prompt}, "role": "USER"}}]
            events.create_event(memoryId="m", actorId="u", sessionId=sid, payload=turn)
            store.create_event(memoryId="m", actorId="u", sessionId=sid, payload=turn)
        """,
    )
    result = project.results("RES004")["RES004"]
    assert findings_of(result) == [("warn", MAIN, line_of(project, MAIN, "events.create_event"))]
    assert result.findings[0].message.endswith(
        'goes through a client with retries turned off ({"max_attempts": 0}): a throttled write loses the turn'
    )


# --- RES007 ------------------------------------------------------------------------------------


def test_builtin_sessions_without_stop_warn_and_context_managers_pass(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        import boto3
        from bedrock_agentcore.tools.code_interpreter_client import CodeInterpreter, code_session
        from bedrock_agentcore.tools.browser_client import browser_session

        def leaky(code):
            client = CodeInterpreter("us-east-1")
            client.start()
            return client.invoke("executeCode", {"code": code, "language": "python"})

        def tidy(code):
            client = CodeInterpreter("us-east-1")
            client.start()
            try:
                return client.invoke("executeCode", {"code": code})
            finally:
                client.stop()

        def managed(code):
            with code_session("us-east-1") as client:
                return client.invoke("executeCode", {"code": code})

        def unmanaged():
            session = browser_session("us-east-1")
            return session

        def raw_api():
            control = boto3.client("bedrock-agentcore")
            return control.start_browser_session(browserIdentifier="aws.browser.v1")
        """,
    )
    result = project.results("RES007")["RES007"]
    assert findings_of(result) == [
        ("warn", MAIN, line_of(project, MAIN, "client.start()", 1)),
        ("warn", MAIN, line_of(project, MAIN, 'session = browser_session("us-east-1")')),
        ("warn", MAIN, line_of(project, MAIN, "start_browser_session(")),
    ]
    assert result.findings[0].message.startswith("Code Interpreter session started with `client.start()`")
    assert "never calls stop_browser_session" in result.findings[2].message


def test_no_builtin_tool_sessions_is_not_applicable(project: ProjectBuilder) -> None:
    agent(project, "x = 1\n")
    assert project.results("RES007")["RES007"].status == "not_applicable"


def test_stopped_and_managed_builtin_sessions_pass(project: ProjectBuilder) -> None:
    agent(
        project,
        """
        from bedrock_agentcore.tools.code_interpreter_client import CodeInterpreter, code_session

        def tidy(code):
            client = CodeInterpreter("us-east-1")
            client.start()
            try:
                return client.invoke("executeCode", {"code": code})
            finally:
                client.stop()

        def managed(code):
            with code_session("us-east-1") as client:
                return client.invoke("executeCode", {"code": code})
        """,
    )
    result = project.results("RES007")["RES007"]
    assert result.status == "pass"
    assert result.reason == (
        f"{MAIN}:{line_of(project, MAIN, 'client.start()')}: Code Interpreter session stopped; "
        f"{MAIN}:{line_of(project, MAIN, 'with code_session')}: code_session used as a context manager"
    )

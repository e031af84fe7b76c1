"""A review keeps nothing alive once its report is returned: a long-running server stays
at its baseline memory (the soak figures come from benchmarks/soak.py)."""

from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest

from agentcore_readiness.facts.code import callflow
from agentcore_readiness.facts.code import index as code_facts
from conftest import REPO, ProjectBuilder


def test_code_index_and_its_derived_analyses_are_freed_after_each_review(
    project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.agentcore()
    project.write(
        "app/Agent/main.py",
        """
        import threading
        from bedrock_agentcore import BedrockAgentCoreApp
        app = BedrockAgentCoreApp()

        def work():
            pass

        @app.entrypoint
        def invoke(payload):
            threading.Thread(target=work).start()
            return {"ok": True}
        """,
    )
    built: list[weakref.ref[Any]] = []
    original = code_facts.build_code_index

    def remember(*args: Any, **kwargs: Any) -> Any:
        index = original(*args, **kwargs)
        built.append(weakref.ref(index))
        return index

    monkeypatch.setattr(code_facts, "build_code_index", remember)
    for _ in range(3):
        results = project.results()
        # SESS010 used the cached call map: the review really built one
        assert [f.location.line for f in results["SESS010"].findings] == [10]
    del results
    gc.collect()
    assert len(built) == 3
    assert [ref() for ref in built] == [None, None, None]
    assert len(callflow._PARENTS) == 0


def test_reviewing_the_example_repeatedly_leaves_no_cached_trees(tmp_path: Path) -> None:
    from agentcore_readiness.engine import ReviewRequest, review

    for _ in range(2):
        review(ReviewRequest(target=str(REPO / "examples" / "support-desk")))
    gc.collect()
    assert len(callflow._PARENTS) == 0
    assert (len(callflow._MODULE_NAMES), len(callflow._FUNCTION_NAMES), len(callflow._MODULE_LEVEL)) == (0, 0, 0)


@pytest.mark.skipif(sys.platform != "linux", reason="glibc allocator")
def test_the_server_runs_on_the_system_allocator() -> None:
    """Python's arena allocator keeps a large review's peak resident for good; the server
    restarts itself with PYTHONMALLOC=malloc (same process id) and trims after large calls."""
    import os
    import subprocess
    import time

    env = {k: v for k, v in os.environ.items() if k != "PYTHONMALLOC"}
    env["PYTHONPATH"] = str(REPO / "src")
    process = subprocess.Popen(
        [sys.executable, "-m", "agentcore_readiness.cli", "serve", "--transport", "http", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        environment = b""
        while time.monotonic() < deadline and b"PYTHONMALLOC=malloc" not in environment:
            environment = Path(f"/proc/{process.pid}/environ").read_bytes()
            time.sleep(0.05)
        assert b"PYTHONMALLOC=malloc" in environment.split(b"\0")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_large_project_index_is_freed_too(project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    """From 500 files the index's trees are moved out of the collector's way (gc.freeze)
    until the index is gone; nothing may hold the index in a reference cycle, which the
    frozen collector would never break."""
    project.agentcore()
    project.write(
        "app/Agent/main.py",
        "import threading\nfrom bedrock_agentcore import BedrockAgentCoreApp\napp = BedrockAgentCoreApp()\n"
        "from helpers import work\n@app.entrypoint\ndef invoke(payload):\n"
        "    threading.Thread(target=work).start()\n    return 1\n",
    )
    project.write("app/Agent/helpers.py", "def work():\n    pass\n")
    for index in range(520):
        project.write(f"app/Agent/pkg/m{index:03}.py", f"def f{index}(x):\n    return x\n")
    built: list[weakref.ref[Any]] = []
    original = code_facts.build_code_index

    def remember(*args: Any, **kwargs: Any) -> Any:
        index = original(*args, **kwargs)
        built.append(weakref.ref(index))
        return index

    monkeypatch.setattr(code_facts, "build_code_index", remember)
    monkeypatch.setattr(code_facts, "PARALLEL_MIN_FILES", 10**9)  # one process: the trees are built here
    results = project.results("SESS010", "PERF006", "RES004")
    assert [f.location.line for f in results["SESS010"].findings] == [7]
    del results
    gc.collect()
    assert [ref() is None for ref in built] == [True]


def test_the_index_is_freed_as_soon_as_the_review_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    """No reference cycle holds the index: it goes by reference counting, without waiting
    for a full garbage collection (which may not come for minutes on a quiet server, and
    never for objects in the frozen generation)."""
    from agentcore_readiness.engine import ReviewRequest, review

    built: list[weakref.ref[Any]] = []
    original = code_facts.build_code_index

    def remember(*args: Any, **kwargs: Any) -> Any:
        index = original(*args, **kwargs)
        built.append(weakref.ref(index))
        return index

    monkeypatch.setattr(code_facts, "build_code_index", remember)
    enabled = gc.isenabled()
    gc.disable()
    try:
        report = review(ReviewRequest(target=str(REPO / "examples" / "support-desk")))
        assert report.projects[0].summary.findings > 0
        del report
        assert [ref() is None for ref in built] == [True]
    finally:
        if enabled:
            gc.enable()

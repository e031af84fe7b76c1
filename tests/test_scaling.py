"""No review work grows faster than n log n in the size of a file or project.

Work is counted, not timed: the number of Python function calls a review makes (a
profile hook), which is deterministic. Each hostile shape is reviewed at n, 2n and 4n
units; the extra work over an empty project must at most about double with each
doubling (n log n from 40 to 160 units doubles by at most 2.3x; quadratic work
quadruples). Before the fixes, SESS010, SESS001/004/005, PERF006 and the payload
checks of CODE005-007 rescanned a whole function or module per call or per use.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.facts.project.project_facts import load_project
from conftest import ProjectBuilder, runtime

pytestmark = pytest.mark.timeout(60)

HEAD = "from bedrock_agentcore import BedrockAgentCoreApp\nimport threading, os, boto3, asyncio, requests\napp = BedrockAgentCoreApp()\n"


def module_calls(n: int) -> str:
    """Module-level calls the call graph cannot resolve (SESS010, PERF006 looked each one up in every statement)."""
    body = "".join(f"v{i} = helper{i}()\nrun{i}()\n" for i in range(n))
    calls = "\n    ".join(f"x{i}()" for i in range(n))
    return HEAD + body + f"@app.entrypoint\ndef invoke(payload):\n    {calls}\n    return 1\n"


def payload_fields(n: int) -> str:
    """One long entrypoint reading many payload fields (CODE005-007 rescanned it per field)."""
    lines = "".join(f"    a{i} = payload.get('k{i}')\n    print(a{i}, a{max(i - 1, 0)})\n" for i in range(n))
    return HEAD + f"@app.entrypoint\ndef invoke(payload):\n{lines}    return 1\n"


def background_starts(n: int) -> str:
    """Many threads and tasks started by one entrypoint (SESS010 recomputed the call graph per start)."""
    workers = "".join(f"def work{i}():\n    pass\n" for i in range(20))
    lines = "".join(
        f"    threading.Thread(target=work{i % 20}).start()\n    asyncio.create_task(job())\n" for i in range(n)
    )
    return HEAD + workers + f"async def job():\n    pass\n@app.entrypoint\ndef invoke(payload):\n{lines}    return 1\n"


def session_ids(n: int) -> str:
    """Many invocations with session ids from variables (SESS001/004/005 rescanned the function per use)."""
    lines = "".join(
        f"    t{i} = os.environ['TOKEN_{i}']\n"
        f"    boto3.client('bedrock-agentcore').invoke_agent_runtime(agentRuntimeArn='x', runtimeSessionId=t{i})\n"
        for i in range(n)
    )
    return HEAD + f"@app.entrypoint\ndef invoke(payload):\n{lines}    return 1\n"


def http_calls(n: int) -> str:
    lines = "".join(
        f"    requests.post(f'https://api{i}.example.com/v1', json=payload, headers={{'x': os.environ.get('K{i}')}})\n"
        for i in range(n)
    )
    return HEAD + f"@app.entrypoint\ndef invoke(payload):\n{lines}    return 1\n"


SHAPES: dict[str, Callable[[int], str]] = {
    "module_calls": module_calls,
    "payload_fields": payload_fields,
    "background_starts": background_starts,
    "session_ids": session_ids,
    "http_calls": http_calls,
}


def one_file_project(root: Path, source: str) -> None:
    builder = ProjectBuilder(root)
    builder.agentcore()
    builder.write("app/Agent/main.py", source)


def many_runtimes_project(root: Path, n: int) -> None:
    builder = ProjectBuilder(root)
    builder.agentcore(
        runtimes=[runtime(f"Agent{i}", envVars=[{"name": f"API_KEY_{i}", "value": "x"}]) for i in range(n)],
        agentCoreGateways=[
            {"name": f"G{i}", "targets": [{"name": f"t{i}", "targetType": "openApiSchema"}], "authorizerType": "NONE"}
            for i in range(n)
        ],
    )
    for i in range(n):
        builder.write(
            f"app/Agent{i}/main.py",
            HEAD + "@app.entrypoint\ndef invoke(payload):\n    threading.Thread(target=invoke).start()\n"
            "    return payload.get('x')\n",
        )


def review_calls(root: Path) -> int:
    """Python function calls made by one full review of ``root``."""
    count = 0

    def hook(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event == "call":
            count += 1

    review(ReviewRequest(target=str(root)))  # warm caches (rule registry, lazy imports)
    sys.setprofile(hook)
    try:
        review(ReviewRequest(target=str(root)))
    finally:
        sys.setprofile(None)
    return count


def growth(build: Callable[[Path, int], None], tmp_path: Path, sizes: tuple[int, ...] = (40, 80, 160)) -> list[float]:
    build(tmp_path / "base", 0)
    base = review_calls(tmp_path / "base")
    work = []
    for n in sizes:
        build(tmp_path / f"n{n}", n)
        work.append(review_calls(tmp_path / f"n{n}") - base)
    return [later / earlier for earlier, later in itertools.pairwise(work)]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_work_on_one_growing_file_is_n_log_n(shape: str, tmp_path: Path) -> None:
    ratios = growth(lambda root, n: one_file_project(root, SHAPES[shape](n)), tmp_path)
    assert all(ratio < 2.35 for ratio in ratios), ratios


def test_work_on_a_growing_project_is_n_log_n(tmp_path: Path) -> None:
    ratios = growth(many_runtimes_project, tmp_path, (10, 20, 40))
    assert all(ratio < 2.35 for ratio in ratios), ratios


@pytest.mark.timeout(20)
def test_a_megabyte_of_dependencies_loads_in_linear_time(tmp_path: Path) -> None:
    """Each dependency's line was found by scanning every line (40,000 of them: 90 s)."""
    builder = ProjectBuilder(tmp_path / "proj")
    builder.agentcore()
    deps = ",\n".join(f'  "package-{i}>=1.0"' for i in range(40_000))
    builder.write("app/Agent/pyproject.toml", f'[project]\nname = "a"\nversion = "1"\ndependencies = [\n{deps}\n]\n')
    facts = load_project(builder.root)
    dependencies = facts.runtimes[0].dependencies
    assert (dependencies[0].name, dependencies[0].line) == ("package-0", 5)
    assert (dependencies[-1].name, dependencies[-1].line) == ("package-39999", 40_004)

"""Benchmark of the whole ``check`` on a folder of projects shaped like real AgentCore agents.

Generates, in a temporary directory, a folder holding several AgentCore projects of mixed
sizes (most small, a few large monorepos). Their files carry what real agent projects
have, so every code path of the rules runs:

- runtimes (CodeZip, ``pyproject.toml`` and a ``uv.lock`` of real shape) whose entrypoint
  is a ``BedrockAgentCoreApp`` with a streaming ``@app.entrypoint``, Strands ``@tool``
  functions, memory clients (``MemoryClient.create_event`` with the session ID from the
  request context), Code Interpreter sessions, background threads and asyncio tasks, and a
  package of modules the entrypoint reaches through imports (most of the runtime's code);
- callers: a FastAPI backend invoking the runtime per chat message (with and without a
  session ID), Lambda handlers, one-shot scripts that start and stop sessions;
- tests, CDK infrastructure and deploy scripts.

Then it times, in one run and on the same tree, the whole ``agentcore-readiness check``
(a fresh process, as a user runs it) against ``ruff check --select S``, with the peak
memory of the check (sampled in a run of its own, since sampling takes CPU: the largest
process's resident set, and the resident and proportional sets summed over the main process
and its workers),
and the per-file cost on subsets of 1k, 2.5k and 5k files (whole projects). It also times the
floor any reviewer built on Python's own parser pays on that tree, with no analysis at all:
``ast.parse`` of every file, and that parse plus the cheapest visit of every node, spread
over all CPUs. When ``bandit`` (the Python security linter ruff's ``S`` rules port) is on
``PATH``, it is timed on the tree too. The package is byte-compiled first, as installing it
does. Usage::

    uv run python benchmarks/agent_projects.py [--files 5000] [--keep DIR] [--repeat 3]
    uv run python benchmarks/agent_projects.py --profile OUT.prof   # cProfile of one check
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SEED = 20261205
REPO = Path(__file__).resolve().parents[1]

_WORDS = [
    "order",
    "customer",
    "invoice",
    "payment",
    "account",
    "session",
    "message",
    "report",
    "item",
    "user",
    "tenant",
    "ticket",
    "product",
    "review",
    "search",
    "cache",
    "record",
    "batch",
    "event",
    "status",
    "summary",
    "profile",
    "claim",
    "policy",
    "shipment",
    "fleet",
    "vehicle",
    "route",
]


def _word(rng: random.Random) -> str:
    return rng.choice(_WORDS)


# ---------------------------------------------------------------------------
# File templates (each a format string over {w}, {W}, {agent}, {pkg}, {n})

_LIB_HEADER = '''\
"""{W} helpers of the agent."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass

import boto3
import requests

logger = logging.getLogger(__name__)


class _Table:
    """The DynamoDB table, opened on first use."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._table = None

    def __getattr__(self, attr: str):
        if self._table is None:
            self._table = boto3.resource("dynamodb").Table(self.name)
        return getattr(self._table, attr)


table = _Table(os.environ.get("{W}_TABLE", "{w}"))
_lock = threading.Lock()
'''

_LIB_FUNCTIONS = (
    '''
def load_{w}_{n}(item_id: str) -> dict:
    """Read one {w} by ID."""
    response = table.get_item(Key={{"pk": item_id}})
    item = response.get("Item") or {{}}
    if not item:
        logger.info("no {w} %s", item_id)
        return {{}}
    return {{"id": item_id, "kind": "{w}", "data": json.loads(item.get("body", "{{}}"))}}
''',
    '''
def fetch_{w}_{n}(item_id: str, retries: int = 3) -> dict:
    """Fetch a {w} from the partner API, with a bounded retry."""
    for attempt in range(retries):
        try:
            response = requests.get(f"https://api.example.com/{w}/{{item_id}}", timeout=10)
            response.raise_for_status()
            return response.json()
        except requests.RequestException:
            logger.exception("{w} fetch failed (attempt %d)", attempt)
            time.sleep(2**attempt)
    return {{}}
''',
    '''
def summarise_{w}_{n}(rows: list[dict]) -> str:
    """A short text summary of {w} rows for the model."""
    parts = []
    for row in rows[:50]:
        name = str(row.get("name", ""))[:80]
        total = row.get("total", 0)
        if total and total > 1000:
            parts.append(f"{{name}}: {{total}} (large)")
        else:
            parts.append(f"{{name}}: {{total}}")
    return "; ".join(parts)
''',
    '''
@dataclass
class {W}Record{n}:
    """One {w} as the tools see it."""

    id: str
    status: str = "open"
    attempts: int = 0

    def bump(self) -> None:
        with _lock:
            self.attempts += 1

    def to_item(self) -> dict:
        return {{"pk": self.id, "status": self.status, "attempts": self.attempts}}

    def save(self) -> None:
        table.put_item(Item=self.to_item())
''',
    '''
def publish_{w}_{n}(event: dict) -> None:
    """Send a {w} event to the bus (fire and forget)."""
    client = boto3.client("events")
    try:
        client.put_events(Entries=[{{"Source": "agent.{w}", "DetailType": "{w}", "Detail": json.dumps(event)}}])
    except Exception:
        logger.warning("could not publish {w} event")
''',
    '''
def validate_{w}_{n}(payload: dict) -> dict:
    """Check the fields of a {w} request."""
    if not isinstance(payload, dict):
        raise ValueError("payload must be an object")
    value = payload.get("{w}_id")
    if not value or not isinstance(value, str) or len(value) > 64:
        raise ValueError("{w}_id is required")
    return {{"{w}_id": value.strip(), "note": str(payload.get("note", ""))[:500]}}
''',
    '''
def watch_{w}_{n}(interval: float = 30.0) -> threading.Thread:
    """Poll {w} changes in the background."""

    def loop() -> None:
        while True:
            try:
                load_cached_{w}_{n}()
            except Exception:
                logger.exception("{w} poll failed")
            time.sleep(interval)

    worker = threading.Thread(target=loop, daemon=True)
    worker.start()
    return worker


def load_cached_{w}_{n}() -> list:
    return [row for row in table.scan(Limit=25).get("Items", []) if row.get("status") != "closed"]
''',
)

_TOOLS = '''\
"""Tools the {agent} agent can call."""

from __future__ import annotations

import logging

from strands import tool

from {pkg} import {mods}

logger = logging.getLogger(__name__)


@tool
def find_{w}(item_id: str) -> dict:
    """Find one {w} by its ID."""
    try:
        return {first}.load_{w0}_1(item_id)
    except Exception as e:
        logger.exception("find_{w} failed")
        return {{"error": str(e)}}


@tool
def list_{w}s(limit: int = 10) -> str:
    """List recent {w}s."""
    rows = {first}.load_cached_{w0}_1() if hasattr({first}, "load_cached_{w0}_1") else []
    return str(rows[: max(1, min(limit, 50))])


@tool
def run_analysis(code: str) -> str:
    """Run analysis code in the sandbox."""
    from bedrock_agentcore.tools.code_interpreter_client import code_session

    with code_session("us-east-1") as client:
        result = client.invoke("executeCode", {{"code": code, "language": "python"}})
    return str(result)
'''

_ENTRYPOINT = '''\
"""{agent}: the agent served by AgentCore Runtime."""

from __future__ import annotations

import asyncio
import logging
import os
import threading

from bedrock_agentcore.memory import MemoryClient
from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent

from {pkg}.tools import find_{w}, list_{w}s, run_analysis
from {pkg} import {mods}

logger = logging.getLogger(__name__)
app = BedrockAgentCoreApp()
memory = MemoryClient(region_name=os.environ.get("AWS_REGION", "us-east-1"))
MEMORY_ID = os.environ.get("MEMORY_{AGENT}_ID", "")
agent = Agent(tools=[find_{w}, list_{w}s, run_analysis], system_prompt="You help with {w}s.")


def _remember(actor: str, session_id: str, text: str) -> None:
    memory.create_event(
        memory_id=MEMORY_ID, actor_id=actor, session_id=session_id, messages=[(text, "USER")]
    )


async def _refresh_index() -> None:
    await asyncio.sleep(1)
    logger.info("index refreshed")


@app.entrypoint
async def invoke(payload, context):
    prompt = payload.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        yield {{"error": "prompt is required"}}
        return
    session_id = context.session_id
    actor = str(payload.get("actor", "user"))[:64]
    threading.Thread(target=_remember, args=(actor, session_id, prompt[:2000]), daemon=True).start()
    asyncio.create_task(_refresh_index())
    try:
        async for event in agent.stream_async(prompt[:4000]):
            if "data" in event:
                yield event["data"]
    except Exception:
        logger.exception("agent failed")
        yield {{"error": "the agent failed; try again"}}


if __name__ == "__main__":
    app.run()
'''

_BACKEND = '''\
"""The web backend of {agent}: chat API in front of the runtime."""

from __future__ import annotations

import json
import os
import uuid

import boto3
from fastapi import FastAPI, Request

api = FastAPI()
agentcore = boto3.client("bedrock-agentcore")
RUNTIME_ARN = os.environ["{AGENT}_RUNTIME_ARN"]


@api.post("/chat")
async def chat(request: Request) -> dict:
    body = await request.json()
    session_id = str(uuid.uuid4())
    response = agentcore.invoke_agent_runtime(
        agentRuntimeArn=RUNTIME_ARN,
        runtimeSessionId=session_id,
        payload=json.dumps({{"prompt": body.get("message", "")}}),
    )
    return {{"answer": response["response"].read().decode()}}


@api.post("/quick")
async def quick(request: Request) -> dict:
    body = await request.json()
    response = agentcore.invoke_agent_runtime(
        agentRuntimeArn=RUNTIME_ARN, payload=json.dumps({{"prompt": body.get("message", "")}})
    )
    return {{"answer": response["response"].read().decode()}}


@api.get("/health")
def health() -> dict:
    return {{"ok": True}}
'''

_LAMBDA = '''\
"""Lambda that forwards {w} events to the agent."""

import json
import os

import boto3

client = boto3.client("bedrock-agentcore")


def handler(event, context):
    session = event.get("sessionId") or "{w}-session"
    result = client.invoke_agent_runtime(
        agentRuntimeArn=os.environ["RUNTIME_ARN"],
        runtimeSessionId=session,
        payload=json.dumps({{"prompt": event.get("text", "")}}),
    )
    return {{"statusCode": 200, "body": result["response"].read().decode()}}
'''

_SCRIPT = '''\
"""Invoke the deployed {agent} once from the command line."""

import argparse
import json
import uuid

import boto3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("arn")
    parser.add_argument("prompt")
    args = parser.parse_args()
    client = boto3.client("bedrock-agentcore")
    session_id = f"cli-{{uuid.uuid4()}}-{{uuid.uuid4().hex}}"
    response = client.invoke_agent_runtime(
        agentRuntimeArn=args.arn, runtimeSessionId=session_id, payload=json.dumps({{"prompt": args.prompt}})
    )
    print(response["response"].read().decode())
    client.stop_runtime_session(agentRuntimeArn=args.arn, runtimeSessionId=session_id)


if __name__ == "__main__":
    main()
'''

_TEST = """\
from unittest.mock import Mock

import pytest

from {pkg} import {first}


def test_{w}_summary():
    assert {first}.__name__.endswith("{first}")


def test_{w}_failure():
    client = Mock(side_effect=TimeoutError("slow"))
    with pytest.raises(TimeoutError):
        client()
"""

_CDK = """\
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class {AGENT}Stack(Stack):
    def __init__(self, scope: Construct, name: str) -> None:
        super().__init__(scope, name)
        lambda_.Function(
            self, "Forwarder", runtime=lambda_.Runtime.PYTHON_3_12, handler="handler.handler",
            code=lambda_.Code.from_asset("lambdas/forward"),
        )


App().synth()
"""

_PYPROJECT = """\
[project]
name = "{pkg}"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = ["bedrock-agentcore>=1.0", "strands-agents>=1.10", "boto3>=1.40", "requests>=2.32"]

[dependency-groups]
dev = ["pytest>=8"]
"""


def _lock_text(pkg: str) -> str:
    """This repository's ``uv.lock`` (real shape, ~115 packages) with the agent's own package added."""
    text = (REPO / "uv.lock").read_text(encoding="utf-8")
    own = (
        f'\n[[package]]\nname = "{pkg}"\nversion = "0.1.0"\nsource = {{ editable = "." }}\n'
        'dependencies = [\n    { name = "boto3" },\n    { name = "requests" },\n]\n'
    )
    return text + own


def _lib_module(rng: random.Random, lines: int, number: int) -> str:
    word = _word(rng)
    parts = [_LIB_HEADER.format(w=word, W=word.upper())]
    count = 0
    while sum(p.count("\n") for p in parts) < lines:
        count += 1
        # direct partner-API calls are in a few modules only
        choices = _LIB_FUNCTIONS if rng.random() < 0.15 else _LIB_FUNCTIONS[:1] + _LIB_FUNCTIONS[2:]
        parts.append(rng.choice(choices).format(w=word, W=word.title(), n=count))
    # every module has these two, so the tools' imports resolve
    parts.append(_LIB_FUNCTIONS[0].format(w=word, W=word.title(), n=f"x{number}"))
    return "".join(parts)


def _config(agents: list[str]) -> dict[str, object]:
    return {
        "name": agents[0] + "Project",
        "version": 1,
        "managedBy": "CDK",
        "runtimes": [
            {
                "name": agent,
                "build": "CodeZip",
                "entrypoint": "main.py",
                "codeLocation": f"app/{agent}/",
                "runtimeVersion": "PYTHON_3_12",
                "networkMode": "PUBLIC",
                "protocol": "HTTP",
                "envVars": [{"name": f"MEMORY_{agent.upper()}_ID", "value": f"{agent}Memory-abc123"}],
            }
            for agent in agents
        ],
        "memories": [{"name": f"{agents[0]}Memory", "eventExpiryDuration": 30, "strategies": []}],
        "credentials": [],
        "evaluators": [],
        "onlineEvalConfigs": [],
        "agentCoreGateways": [],
        "policyEngines": [],
    }


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text.count("\n")


def generate_project(root: Path, rng: random.Random, files: int, number: int) -> tuple[int, int]:
    """One project of about ``files`` Python files; returns (files, lines) written."""
    agents = [f"Agent{number}{chr(65 + i)}" for i in range(1 if files < 150 else 2)]
    _write(root / "agentcore" / "agentcore.json", json.dumps(_config(agents), indent=2) + "\n")
    _write(root / "agentcore" / ".gitignore", ".env.local\n")
    written = lines = 0
    fixed = 6 * len(agents) + 2  # entrypoint, tools, __init__, backend, lambda, script per agent; infra, test
    per_agent = max(2, (files - fixed) // len(agents))
    for agent in agents:
        pkg = agent.lower()
        base = root / "app" / agent
        _write(base / "pyproject.toml", _PYPROJECT.format(pkg=pkg))
        _write(base / "uv.lock", _lock_text(pkg))
        modules = [f"mod{i}" for i in range(per_agent)]
        word = _word(rng)
        # the first modules' functions are what the tools call (load_<w>_1)
        for i, module in enumerate(modules):
            size = min(1500, max(25, int(rng.lognormvariate(4.9, 0.8))))
            text = _lib_module(rng, size, i)
            if i == 0:
                text += _LIB_FUNCTIONS[0].format(w=word, W=word.title(), n=1)
                text += _LIB_FUNCTIONS[6].format(w=word, W=word.title(), n=1)
            # modules import the next few, so the entrypoint reaches most of them
            links = [m for m in modules[i + 1 : i + 4]]
            if links:
                text = text.replace("import boto3\n", f"import boto3\n\nfrom {pkg} import {', '.join(links)}\n", 1)
            lines += _write(base / pkg / f"{module}.py", text)
            written += 1
        imported = ", ".join(modules[:3])
        fmt = {"agent": agent, "AGENT": agent.upper(), "pkg": pkg, "w": word, "w0": word, "first": modules[0]}
        lines += _write(base / pkg / "__init__.py", "")
        lines += _write(base / pkg / "tools.py", _TOOLS.format(mods=modules[0], **fmt))
        lines += _write(base / "main.py", _ENTRYPOINT.format(mods=imported, **fmt))
        lines += _write(root / "backend" / f"{pkg}_api.py", _BACKEND.format(**fmt))
        lines += _write(root / "lambdas" / f"forward_{pkg}" / "handler.py", _LAMBDA.format(**fmt))
        lines += _write(root / "scripts" / f"invoke_{pkg}.py", _SCRIPT.format(**fmt))
        written += 6
    fmt = {"agent": agents[0], "AGENT": agents[0], "pkg": agents[0].lower(), "w": _word(rng), "first": "mod0"}
    lines += _write(root / "infra" / "app.py", _CDK.format(**fmt))
    lines += _write(root / "app" / agents[0] / "tests" / "test_agent.py", _TEST.format(**fmt))
    return written + 2, lines


def project_sizes(rng: random.Random, files: int) -> list[int]:
    """Project sizes in files: mostly small ones, a few large monorepos, adding up to ``files``."""
    sizes: list[int] = []
    while sum(sizes) < files:
        sizes.append(min(900, max(20, int(rng.lognormvariate(4.6, 0.9)))))
    sizes[-1] = max(20, sizes[-1] - (sum(sizes) - files))
    return sizes


def generate(root: Path, files: int) -> list[tuple[str, int, int]]:
    """Write the folder of projects; returns (name, files, lines) per project, in order."""
    rng = random.Random(SEED)
    made = []
    for number, size in enumerate(project_sizes(rng, files)):
        name = f"project{number:02d}"
        count, lines = generate_project(root / name, rng, size, number)
        made.append((name, count, lines))
    return made


def subset(source: Path, target: Path, projects: list[str]) -> None:
    target.mkdir(parents=True)
    for name in projects:
        shutil.copytree(source / name, target / name)


# ---------------------------------------------------------------------------
# Timing


def _memory(pid: int) -> tuple[int, int]:
    """Resident and proportional (shared pages divided among their users) memory of one process, in bytes."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def _tree_memory(root_pid: int) -> tuple[int, int, int]:
    """(largest RSS of one process, RSS summed, PSS summed) over ``root_pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    largest = rss_sum = pss_sum = 0
    stack = [root_pid]
    while stack:
        pid = stack.pop()
        rss, pss = _memory(pid)
        largest, rss_sum, pss_sum = max(largest, rss), rss_sum + rss, pss_sum + pss
        stack.extend(children.get(pid, ()))
    return largest, rss_sum, pss_sum


@dataclass
class Run:
    wall: float
    largest_rss: int
    """The largest resident set of one process (what ``/usr/bin/time`` reports)."""
    tree_rss: int
    """Resident sets summed over the process and its workers (shared pages counted in each)."""
    tree_pss: int
    """Proportional sets summed: the memory the process tree really holds."""
    out: str
    cpu: float = 0.0
    """User and system CPU seconds of the process and its workers (less sensitive than the wall
    time to other load on a shared machine)."""


def run_measured(argv: list[str], env: dict[str, str] | None = None, *, memory: bool = False) -> Run:
    """Wall seconds, CPU seconds and stdout; with ``memory``, the peak memory of the process tree
    too (sampled every 20 ms: the sampling takes CPU from the run, so timed runs do not sample)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    peaks = [0, 0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for i, value in enumerate(_tree_memory(process.pid)):
                peaks[i] = max(peaks[i], value)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    out, _ = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    if memory:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, peaks[0], peaks[1], peaks[2], out, cpu)


def check_command(tree: Path) -> list[str]:
    return [sys.executable, "-m", "agentcore_readiness", "check", str(tree), "--format", "json"]


def check_env() -> dict[str, str]:
    env = dict(os.environ)
    env["AGENTCORE_READINESS_MAX_PROJECTS"] = "200"
    return env


def ruff_command(tree: Path) -> list[str] | None:
    ruff = shutil.which("ruff")
    return [ruff, "check", "--select", "S", "--no-cache", "--quiet", "--exit-zero", str(tree)] if ruff else None


def bandit_command(tree: Path) -> list[str] | None:
    """Bandit, the Python security linter whose checks ruff's ``S`` rules port (not a dependency:
    timed only when it is on ``PATH``)."""
    bandit = shutil.which("bandit")
    return [bandit, "-r", "-q", "-f", "json", "-o", os.devnull, str(tree)] if bandit else None


def time_check(tree: Path, repeat: int) -> tuple[Run, int]:
    """The fastest of ``repeat`` timed runs, with the memory peaks of one more, sampled run, and
    the number of findings."""
    runs = [run_measured(check_command(tree), check_env()) for _ in range(repeat)]
    sampled = run_measured(check_command(tree), check_env(), memory=True)
    report = json.loads(runs[0].out)
    findings = sum(len(r["findings"]) for p in report["projects"] for r in p["results"])
    best = min(runs, key=lambda r: r.wall)
    best.largest_rss, best.tree_rss, best.tree_pss = sampled.largest_rss, sampled.tree_rss, sampled.tree_pss
    return best, findings


def _floor_part(mode: str, paths: list[str]) -> int:
    """Parse ``paths`` (and, for ``visit``, visit every node once); the number of nodes visited."""
    import ast

    visited = 0
    for path in paths:
        tree = ast.parse(Path(path).read_bytes())
        if mode != "visit":
            continue
        stack: list[ast.AST] = [tree]
        while stack:
            node = stack.pop()
            visited += 1
            for field in node._fields:
                value = getattr(node, field, None)
                if isinstance(value, list):
                    stack.extend(item for item in value if isinstance(item, ast.AST))
                elif isinstance(value, ast.AST):
                    stack.append(value)
    return visited


def floor_main(mode: str, tree: Path) -> int:
    """The floor run (a fresh process, like the check): every Python file of ``tree``, split
    evenly over one worker process per CPU."""
    from concurrent.futures import ProcessPoolExecutor

    paths = sorted(str(path) for path in tree.rglob("*.py"))
    count = os.cpu_count() or 1
    with ProcessPoolExecutor(count) as pool:
        nodes = sum(pool.map(_floor_part, [mode] * count, [paths[i::count] for i in range(count)]))
    print(nodes)
    return 0


def time_floor(tree: Path, repeat: int) -> dict[str, float]:
    """Best wall seconds of the parse-only and the parse-and-visit floors."""
    return {
        mode: min(run_measured([sys.executable, __file__, "--floor", mode, str(tree)]).wall for _ in range(repeat))
        for mode in ("parse", "visit")
    }


def _mb(value: int) -> str:
    return f"{value / 2**20:.0f} MB"


def precompile() -> None:
    """Byte-compile the package, as installing a wheel does, so that no run pays for it."""
    import agentcore_readiness

    package = Path(agentcore_readiness.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best time is kept")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this directory and keep it")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 1k/2.5k subsets")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile of one check here and stop")
    parser.add_argument("--floor", nargs=2, metavar=("MODE", "TREE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor:
        return floor_main(args.floor[0], Path(args.floor[1]))

    work = args.keep or Path(tempfile.mkdtemp(prefix="agent-projects-bench-"))
    try:
        tree = work / "tree"
        if tree.exists():
            shutil.rmtree(tree)
        made = generate(tree, args.files)
        total_files = sum(m[1] for m in made)
        total_lines = sum(m[2] for m in made)
        print(
            f"tree: {tree} - {len(made)} projects, {total_files:,} Python files, {total_lines:,} lines "
            f"(largest project {max(m[1] for m in made)} files)"
        )
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the runs")
        if args.profile is not None:
            command = check_command(tree)
            command[1:1] = ["-m", "cProfile", "-o", str(args.profile)]
            profiled = run_measured(command, check_env())
            print(f"profiled check: {profiled.wall:.2f} s (with the profiler), written to {args.profile}")
            return 0

        precompile()
        best, findings = time_check(tree, args.repeat)
        seconds = best.wall
        ruff = ruff_command(tree)
        ruff_runs = [run_measured(ruff) for _ in range(args.repeat)] if ruff else []
        ruff_seconds = min(r.wall for r in ruff_runs) if ruff_runs else None
        ruff_cpu = min(r.cpu for r in ruff_runs) if ruff_runs else None
        print(
            f"check (whole process, best of {args.repeat}): {seconds:.2f} s ({best.cpu:.1f} CPU s), {findings} findings; "
            "peak memory: "
            f"largest process {_mb(best.largest_rss)} RSS, process tree {_mb(best.tree_rss)} RSS summed, "
            f"{_mb(best.tree_pss)} PSS summed"
        )
        if ruff_seconds is not None:
            print(
                f"ruff check --select S (same tree, best of {args.repeat}): {ruff_seconds:.2f} s ({ruff_cpu:.1f} CPU s)"
            )
            print(
                f"check / ruff = {seconds / ruff_seconds:.1f}x wall (target <= 10x), "
                f"{best.cpu / (ruff_cpu or 1):.1f}x CPU"
            )
            floor = time_floor(tree, args.repeat)
            print(
                f"floor, no analysis ({os.cpu_count()} processes, best of {args.repeat}): ast.parse of every file "
                f"{floor['parse']:.2f} s ({floor['parse'] / ruff_seconds:.1f}x ruff); parse and one visit of every "
                f"node {floor['visit']:.2f} s ({floor['visit'] / ruff_seconds:.1f}x ruff)"
            )
        else:
            print("ruff is not installed (uv sync)")
        bandit = bandit_command(tree)
        if bandit is not None:
            bandit_run = run_measured(bandit)
            print(
                f"bandit -r (a Python implementation of those checks, one run): {bandit_run.wall:.2f} s "
                f"({bandit_run.cpu:.1f} CPU s); check / bandit = {seconds / bandit_run.wall:.2f}x wall"
            )

        if not args.no_scaling:
            print("per-file cost (whole check, best of runs; subsets are whole projects):")
            base: float | None = None
            for target in sorted({min(1000, args.files), min(2500, args.files), args.files}):
                chosen, count = [], 0
                for name, files, _ in made:
                    if count >= target:
                        break
                    chosen.append(name)
                    count += files
                part = work / f"subset-{target}"
                if part.exists():
                    shutil.rmtree(part)
                subset(tree, part, chosen)
                part_run, _ = time_check(part, args.repeat)
                part_seconds = part_run.wall
                per_file = part_seconds / count
                base = base or per_file
                print(
                    f"  {count:>5} files in {len(chosen):>2} projects: {part_seconds:.2f} s, {part_run.cpu:.1f} CPU s "
                    f"({per_file * 1000:.2f} ms/file, {per_file / base:.2f}x the first; "
                    f"{part_run.cpu / count * 1000:.2f} CPU ms/file), "
                    f"largest process {_mb(part_run.largest_rss)} RSS, tree {_mb(part_run.tree_pss)} PSS"
                )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the code audit against the usual Python security scanners.

Generates, in a temporary directory, an AgentCore project whose agent code is a tree of
5,000 Python files of mixed sizes (about 1M lines: entrypoints, tools, HTTP clients,
boto3 calls, exception handlers, secrets-like names, docstrings, tests, caller scripts,
plus files that must be skipped: Python 2, syntax errors, a huge file, a non-UTF-8 file
and a binary one). Then it times:

- the audit (``audit_code``'s rules) in a fresh process, cold: once on the whole tree and
  on subsets of 1,000 / 2,500 / 5,000 files to show how the time grows;
- ``ruff check --select S``, ``bandit -r`` and ``detect-secrets scan`` on the same tree,
  when installed (``uv sync --group bench``);

and prints the times and the ratios. Usage::

    uv run --group bench python benchmarks/code_audit.py [--files 5000] [--keep DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 20261125

# ---------------------------------------------------------------------------
# The generated tree

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
]


def _word(rng: random.Random) -> str:
    return rng.choice(_WORDS)


def _name(rng: random.Random) -> str:
    return f"{_word(rng)}_{_word(rng)}"


def _function(rng: random.Random, index: int) -> list[str]:
    name = f"{_name(rng)}_{index}"
    params = [_word(rng) + f"_{i}" for i in range(rng.randint(0, 3))]
    lines = [f"def {name}({', '.join(params)}):"]
    if rng.random() < 0.45:
        lines.append(f'    """Return the {_word(rng)} {_word(rng)} for the given input.')
        lines.append("")
        if params:
            lines.append("    Args:")
            lines.extend(f"        {p}: the {_word(rng)} to look at." for p in params)
        lines.append("    Returns:")
        lines.append(f"        The {_word(rng)}, or None when there is none.")
        lines.append('    """')
    else:
        lines.append(f'    """Return the {_word(rng)} {_word(rng)}."""')
    for _ in range(rng.randint(3, 14)):
        if rng.random() < 0.12:
            lines.append("")
        lines.extend("    " + line for line in _statement(rng))
    lines.append(f"    return {rng.choice(['result', 'None', 'data', '{}', 'len(items)'])}")
    lines.append("")
    lines.append("")
    return lines


def _statement(rng: random.Random) -> list[str]:
    kind = rng.random()
    word = _word(rng)
    if kind < 0.10:
        return [f"{word} = {{'{_word(rng)}': {rng.randint(1, 99)}, 'kind': '{_word(rng)}'}}"]
    if kind < 0.20:
        return [f"for {word} in items:", f"    if {word}.get('{_word(rng)}'):", f"        result.append({word})"]
    if kind < 0.27:
        return [f"data = [x.strip() for x in {word}.split(',') if x]"]
    if kind < 0.35:
        return [f"logger.debug('%s: %d', {word}, len(items))"]
    if kind < 0.36:
        return [
            "try:",
            f"    response = requests.get(f'https://api.{word}.example.com/v1/{{item_id}}', timeout=10)",
            "    response.raise_for_status()",
            "except requests.RequestException:",
            f"    logger.exception('{word} lookup failed')",
            "    raise",
        ]
    if kind < 0.41:
        return [f"result = [r for r in {word} if r is not None]"]
    if kind < 0.46:
        return [f"table.put_item(Item={{'pk': item_id, 'value': {word}}})"]
    if kind < 0.52:
        return ["try:", f"    value = int({word})", "except (TypeError, ValueError):", "    value = 0"]
    if kind < 0.58:
        return [f"if not {word}:", "    return None"]
    if kind < 0.64:
        return [f"total = {word}_count + offset"]
    if kind < 0.74:
        return [f"# keep the {_word(rng)} order stable across retries"]
    if kind < 0.80:
        return [f"message = f'{{{word}}} has {{len(items)}} {_word(rng)}s'"]
    if kind < 0.86:
        return [f"config = settings.get('{word}', {{}})"]
    if kind < 0.92:
        return [f"items.append({word})"]
    if kind < 0.96:
        return [f"{word} = helper({word}, strict=True)"]
    return [
        "while pending and attempts < 3:",
        "    attempts += 1",
        "    pending = [p for p in pending if not p.done()]",
    ]


def _class(rng: random.Random, index: int) -> list[str]:
    name = f"{_word(rng).title()}{_word(rng).title()}{index}"
    lines = [f"class {name}:", f'    """A {_word(rng)} {_word(rng)} holder."""', ""]
    lines.append("    def __init__(self, client=None):")
    lines.append("        self.client = client or boto3.client('dynamodb')")
    lines.append(f"        self.{_word(rng)} = {{}}")
    lines.append("")
    for method in range(rng.randint(1, 4)):
        body = _function(rng, method)
        body[0] = body[0].replace("def ", "def m_").replace("(", "(self, " if "()" not in body[0] else "(self", 1)
        lines.extend("    " + line if line else "" for line in body)
    return lines


_HEADER = """\
\"\"\"{title} module of the agent: {word} handling.\"\"\"

import json
import logging
import os
import re
from dataclasses import dataclass

import boto3
import requests

logger = logging.getLogger(__name__)
table = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", "{word}"))
REGION = os.getenv("AWS_REGION", "us-east-1")
items: list = []
result: list = []
"""

_AGENT = '''
from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent, tool

app = BedrockAgentCoreApp()


@tool
def fetch_{word}(item_id: str) -> dict:
    """Fetch one {word}."""
    return requests.get(f"https://api.{word}.example.com/items/{{item_id}}", timeout=10).json()


@app.entrypoint
def invoke(payload, context):
    prompt = payload.get("prompt", "")
    user_id = payload.get("userId", "anonymous")
    try:
        agent = Agent(tools=[fetch_{word}])
        return {{"result": str(agent(prompt)), "user": user_id}}
    except Exception as e:
        return {{"error": str(e)}}
'''

_TEST = """
from unittest.mock import Mock

import pytest


def test_{word}_happy_path():
    assert {{"a": 1}}["a"] == 1


def test_{word}_failure():
    client = Mock(side_effect=TimeoutError("slow"))
    with pytest.raises(TimeoutError):
        client()
"""

_CALLER = """
import boto3
import uuid

client = boto3.client("bedrock-agentcore")


def run(command: str, arn: str):
    session = str(uuid.uuid4()) + "-" + str(uuid.uuid4())
    return client.invoke_agent_runtime_command(
        agentRuntimeArn=arn, runtimeSessionId=session, body={{"command": f"ls {{command}}"}}
    )
"""


def _module(rng: random.Random, target_lines: int, kind: str) -> str:
    word = _word(rng)
    lines = _HEADER.format(title=word.title(), word=word).splitlines()
    if kind == "agent":
        lines.extend(_AGENT.format(word=word).splitlines())
    elif kind == "test":
        lines.extend(_TEST.format(word=word).splitlines())
    elif kind == "caller":
        lines.extend(_CALLER.format(word=word).splitlines())
    index = 0
    while len(lines) < target_lines:
        index += 1
        lines.append("")
        lines.extend(_class(rng, index) if rng.random() < 0.2 else _function(rng, index))
    return "\n".join(lines) + "\n"


def _sizes(rng: random.Random, files: int, total_lines: int) -> list[int]:
    raw = [min(3000, max(12, int(rng.lognormvariate(4.9, 0.9)))) for _ in range(files)]
    scale = total_lines / sum(raw)
    return [max(12, int(s * scale)) for s in raw]


def generate(root: Path, files: int = 5000, total_lines: int = 1_000_000) -> dict[str, int]:
    """Write the benchmark project under ``root``; return counts."""
    rng = random.Random(SEED)
    (root / "agentcore").mkdir(parents=True, exist_ok=True)
    config = {
        "name": "BenchProject",
        "version": 1,
        "managedBy": "CDK",
        "runtimes": [
            {
                "name": "BenchAgent",
                "build": "CodeZip",
                "entrypoint": "main.py",
                "codeLocation": "app/BenchAgent/",
                "runtimeVersion": "PYTHON_3_12",
                "networkMode": "PUBLIC",
                "protocol": "HTTP",
            }
        ],
        "memories": [],
        "credentials": [],
        "evaluators": [],
        "onlineEvalConfigs": [],
        "agentCoreGateways": [],
        "policyEngines": [],
    }
    (root / "agentcore" / "agentcore.json").write_text(json.dumps(config, indent=2) + "\n")
    (root / "agentcore" / ".gitignore").write_text(".env.local\n")
    lines_written = 0
    counts = {"agent": 0, "test": 0, "caller": 0, "skipped": 0}
    for number, size in enumerate(_sizes(rng, files, total_lines)):
        bucket = number % 50
        if number % 10 == 9:
            kind, rel = "test", f"app/BenchAgent/tests/pkg{bucket}/test_mod{number}.py"
        elif number % 100 == 42:
            kind, rel = "caller", f"scripts/pkg{bucket}/run{number}.py"
        else:
            kind, rel = "agent" if number % 25 == 0 else "plain", f"app/BenchAgent/pkg{bucket}/mod{number}.py"
        text = _module(rng, max(12, size - 24), kind)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        lines_written += text.count("\n")
        counts["test" if kind == "test" else "caller" if kind == "caller" else "agent"] += 1
    # files the audit must skip, with the reason, and go on
    odd = root / "app" / "BenchAgent" / "odd"
    odd.mkdir(parents=True, exist_ok=True)
    (odd / "legacy_py2.py").write_text('print "hello"\n')
    (odd / "broken.py").write_text("def broken(:\n    pass\n")
    (odd / "latin1.py").write_bytes("# caf\xe9\nname = 'caf\xe9'\n".encode("latin-1"))
    (odd / "binary.py").write_bytes(b"\x00\x01\x02binary")
    (odd / "huge.py").write_text("x = 1\n" * 500_000)
    counts["skipped"] = 5
    counts["lines"] = lines_written
    return counts


def subset(source: Path, target: Path, files: int) -> None:
    """A copy of the project holding only the first ``files`` generated modules."""
    shutil.copytree(source / "agentcore", target / "agentcore")
    generated = sorted(
        (p for p in source.rglob("*.py") if "/odd/" not in p.as_posix()),
        key=lambda p: int("".join(c for c in p.stem if c.isdigit()) or 0),
    )
    for path in generated[:files]:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


# ---------------------------------------------------------------------------
# Timing

_AUDIT = """
import sys, time, json
from datetime import UTC, datetime
started = time.perf_counter()
from agentcore_readiness.checks.registry import Facts, load_rules
from agentcore_readiness.engine import run_rules
from agentcore_readiness.facts.code.index import build_code_index
from agentcore_readiness.facts.project.project_facts import load_project
from agentcore_readiness.tools.code import audit_rules, run_audit_code
imported = time.perf_counter()
mode = sys.argv[2]
if mode == "tool":
    report = run_audit_code(sys.argv[1])
    project = report.projects[0]
    findings, skipped = project.summary.findings, [e.source for e in project.fact_errors if e.fact == "code"]
else:
    project = load_project(__import__("pathlib").Path(sys.argv[1]))
    index = build_code_index(project)
    registry = load_rules()
    rules = [registry[code] for code in audit_rules()]
    results = run_rules(Facts(project=project, now=datetime.now(UTC), code=index), rules)
    findings, skipped = sum(len(r.findings) for r in results), [s.path for s in index.skipped]
done = time.perf_counter()
print(json.dumps({"import": imported - started, "audit": done - imported, "findings": findings, "skipped": skipped}))
"""


def time_audit(root: Path, mode: str = "rules") -> dict[str, float]:
    """One cold run in a fresh interpreter. ``rules``: the code index and the audit's rules;
    ``tool``: ``audit_code`` end to end (the engine's review, report and sanitising).
    """
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _AUDIT, str(root), mode], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["wall"] = wall
    return data


def time_tool(argv: list[str], cwd: Path | None = None) -> float | None:
    if shutil.which(argv[0]) is None:
        return None
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=False, cwd=cwd)
    return time.perf_counter() - started


def best(times: list[float]) -> float:
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this directory and keep it")
    parser.add_argument("--skip-tools", action="store_true", help="time only the audit")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="code-audit-bench-"))
    try:
        tree = work / "tree"
        if tree.exists():
            shutil.rmtree(tree)
        counts = generate(tree, args.files, args.lines)
        print(
            f"tree: {tree} - {args.files} files, {counts['lines']:,} lines "
            f"({counts['agent']} agent, {counts['test']} test, {counts['caller']} caller) + {counts['skipped']} to skip"
        )
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the runs")

        runs = [time_audit(tree) for _ in range(args.repeat)]
        audit = best([r["audit"] for r in runs])
        wall = best([r["wall"] for r in runs])
        print(
            f"code audit (index + the audit's rules, in process, best of {args.repeat}): {audit:.2f} s; whole "
            f"process incl. interpreter start and imports: {wall:.2f} s; findings {runs[0]['findings']}; skipped "
            f"{len(runs[0]['skipped'])}: " + ", ".join(sorted(Path(s).name for s in runs[0]["skipped"]))
        )
        tool = [time_audit(tree, "tool") for _ in range(args.repeat)]
        print(
            f"audit_code tool end to end (engine review, report, sanitising; best of {args.repeat}): "
            f"{best([r['audit'] for r in tool]):.2f} s in process, {best([r['wall'] for r in tool]):.2f} s whole process"
        )

        print("scaling (audit in process, best of runs):")
        base: float | None = None
        for files in sorted({min(1000, args.files), min(2500, args.files), args.files}):
            part = work / f"subset-{files}"
            if part.exists():
                shutil.rmtree(part)
            subset(tree, part, files)
            seconds = best([time_audit(part)["audit"] for _ in range(args.repeat)])
            base = base or seconds / files
            print(
                f"  {files:>5} files: {seconds:.2f} s  ({seconds / files * 1000:.3f} ms/file, "
                f"{seconds / files / base:.2f}x the 1k per-file time)"
            )

        if not args.skip_tools:
            tools: dict[str, tuple[list[str], Path | None]] = {
                "ruff check --select S": (
                    ["ruff", "check", "--select", "S", "--no-cache", "--quiet", "--exit-zero", str(tree)],
                    None,
                ),
                "bandit -r": (["bandit", "-r", "-q", "-f", "json", "-o", os.devnull, str(tree)], None),
                # detect-secrets scans paths relative to the working directory
                "detect-secrets scan": (["detect-secrets", "scan", "--all-files", "."], tree),
            }
            print("same tree, other tools (whole process; ruff best of runs, the slow ones once):")
            for label, (command, cwd) in tools.items():
                repeat = args.repeat if label.startswith("ruff") else 1
                measured = [time_tool(command, cwd) for _ in range(repeat)]
                if measured[0] is None:
                    print(f"  {label}: not installed (uv sync --group bench)")
                    continue
                seconds = best([m for m in measured if m is not None])
                print(
                    f"  {label}: {seconds:.2f} s; code audit / tool = {wall / seconds:.2f}x (whole processes), "
                    f"{audit / seconds:.2f}x (audit in process)"
                )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed of the offline review, the CLI and the MCP server's start.

Reports, for each project (the bundled example, generated projects, and any extra
projects given with --projects):

* cold ``agentcore-readiness check`` wall time (a new process each run);
* in-process review time (median of repeated runs after a warm-up);
* server start to the first ``initialize`` response over stdio;
* how review time grows with project size (generated projects of 1..N runtimes).

Usage: ``uv run python benchmarks/speed.py [--projects DIR ...] [--runs 5]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "support-desk"

AGENT_CODE = '''"""Generated agent {index}."""

import logging

from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()
log = logging.getLogger(__name__)


def helper_{index}(value: str) -> str:
    return value.strip().lower()


@app.entrypoint
def invoke(payload):
    try:
        prompt = payload.get("prompt")
        if not isinstance(prompt, str) or len(prompt) > 10_000:
            return {{"error": "invalid prompt"}}
        return {{"result": helper_{index}(prompt)}}
    except Exception:
        log.exception("failed")
        return {{"error": "An error occurred"}}
'''


def generate_project(root: Path, runtimes: int, files_per_runtime: int = 5) -> Path:
    """An AgentCore CLI project with ``runtimes`` runtimes, each with a few Python modules."""
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "name": "Generated",
        "version": 1,
        "runtimes": [],
        "memories": [{"name": "Mem", "eventExpiryDuration": 30, "strategies": [{"type": "SEMANTIC"}]}],
        "agentCoreGateways": [{"name": "Gw", "authorizerType": "AWS_IAM", "targets": []}],
        "onlineEvalConfigs": [],
    }
    for index in range(runtimes):
        name = f"Agent{index}"
        config["runtimes"].append(  # type: ignore[attr-defined]
            {
                "name": name,
                "build": "CodeZip",
                "entrypoint": "main.py",
                "codeLocation": f"app/{name}/",
                "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 120, "maxLifetime": 3600},
            }
        )
        config["onlineEvalConfigs"].append(  # type: ignore[attr-defined]
            {"name": f"{name}_eval", "agent": name, "evaluators": ["Builtin.Helpfulness"], "samplingRate": 5}
        )
        code_dir = root / "app" / name
        code_dir.mkdir(parents=True, exist_ok=True)
        (code_dir / "main.py").write_text(AGENT_CODE.format(index=index))
        for extra in range(files_per_runtime - 1):
            (code_dir / f"module_{extra}.py").write_text(AGENT_CODE.format(index=f"{index}_{extra}"))
        (code_dir / "pyproject.toml").write_text(
            '[project]\nname = "a"\nversion = "0"\ndependencies = ["bedrock-agentcore>=1.9"]\n'
        )
    (root / "agentcore").mkdir(exist_ok=True)
    (root / "agentcore" / "agentcore.json").write_text(json.dumps(config, indent=2))
    (root / "agentcore" / ".gitignore").write_text(".env.local\n")
    return root


def cold_check(project: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "agentcore_readiness.cli",
                "check",
                str(project),
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(project: Path, runs: int) -> float:
    from agentcore_readiness.tools.review import run_review

    run_review(str(project))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run_review(str(project))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def server_start(runs: int) -> float:
    request = (
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "0"},
                },
            }
        )
        + "\n"
    )
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "agentcore_readiness.cli", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(request.encode())
        process.stdin.flush()
        line = process.stdout.readline()
        elapsed = time.perf_counter() - start
        if b'"result"' not in line:
            raise RuntimeError(f"unexpected initialize response: {line[:200]!r}")
        process.terminate()
        process.wait(timeout=10)
        times.append(elapsed)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", nargs="*", default=[], help="extra project directories to time")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        projects = [EXAMPLE, *[Path(p) for p in args.projects]]
        projects.append(generate_project(Path(scratch) / "typical", runtimes=3))
        print(f"{'project':48} {'cold check':>11} {'in-process':>11}")
        for project in projects:
            cold = cold_check(project, args.runs)
            warm = in_process(project, args.runs)
            print(f"{str(project)[-48:]:48} {cold * 1000:9.0f}ms {warm * 1000:9.1f}ms")
        print(f"\nserver start to first initialize response (stdio): {server_start(args.runs) * 1000:.0f} ms")
        print("\nscaling (in-process review, generated projects, 5 files per runtime):")
        print(f"{'runtimes':>9} {'files':>6} {'time':>9} {'per runtime':>12}")
        for size in (1, 10, 40, 160):
            project = generate_project(Path(scratch) / f"scale{size}", runtimes=size)
            elapsed = in_process(project, max(1, args.runs // 2))
            print(f"{size:9d} {size * 5:6d} {elapsed * 1000:7.1f}ms {elapsed / size * 1000:10.2f}ms")


if __name__ == "__main__":
    main()

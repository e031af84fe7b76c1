"""Soak test: does a long-running server return to its baseline memory?

Starts one server (``serve --transport http --stateless``), warms it up, records its
resident memory (VmRSS) as the baseline, then has it review the bundled example 1,000
times (from a few concurrent clients) and a generated 3,000-file project 20 times, and
reports its memory after each phase and once idle again. A review that keeps anything
alive shows as growth per review; the goal is the baseline within ±10%.

Traffic goes to 127.0.0.1 only. Usage::

    uv run python benchmarks/soak.py [--example-reviews 1000] [--tree-reviews 20] [--tree-files 3000]
                                     [--clients 4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import httpx2

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "support-desk"
HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "Mcp-Protocol-Version": "2025-11-25",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def generate_tree(root: Path, files: int) -> None:
    """The code-audit benchmark's project, with an entrypoint that imports every module, so
    the whole tree is the runtime's code (reached from its entrypoint) and fully analysed."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from code_audit import generate

    generate(root, files=files, total_lines=files * 100)
    agent = root / "app" / "BenchAgent"
    modules = sorted(
        ".".join(path.relative_to(agent).with_suffix("").parts)
        for path in agent.rglob("mod*.py")
        if "tests" not in path.parts
    )
    lines = ["from bedrock_agentcore import BedrockAgentCoreApp", *(f"import {m}" for m in modules)]
    lines += ["", "app = BedrockAgentCoreApp()", "", "", "@app.entrypoint", "def invoke(payload):"]
    lines += ["    return {'ok': True}", ""]
    (agent / "main.py").write_text("\n".join(lines))


async def review(http: httpx2.AsyncClient, url: str, path: Path, errors: list[str]) -> None:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "review_project", "arguments": {"path": str(path)}},
    }
    response = await http.post(url, json=body, headers=HEADERS)
    result = response.json().get("result", {}) if response.status_code == 200 else {}
    if result.get("isError") is not False or not result.get("structuredContent"):
        errors.append(f"HTTP {response.status_code}: {response.text[:200]}")


async def reviews(url: str, path: Path, count: int, clients: int, errors: list[str]) -> None:
    remaining = [count]

    async def worker() -> None:
        async with httpx2.AsyncClient(timeout=300) as http:
            while remaining[0] > 0:
                remaining[0] -= 1
                await review(http, url, path, errors)

    async with anyio.create_task_group() as group:
        for _ in range(clients):
            group.start_soon(worker)


def settle(pid: int, seconds: float = 3.0) -> float:
    """VmRSS once the server has been idle a moment."""
    time.sleep(seconds)
    return memory_mib(pid)


async def run(args: argparse.Namespace) -> int:
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="agentcore-soak-"))
    tree = workdir / "tree"
    if not (tree / "app" / "BenchAgent" / "main.py").exists():
        print(f"generating a {args.tree_files:,}-file project in {tree} ...", flush=True)
        generate_tree(tree, args.tree_files)
    port = free_port()
    command = [sys.executable, "-m", "agentcore_readiness.cli", "serve", "--transport", "http", "--stateless"]
    command += ["--port", str(port), "--root", str(EXAMPLE), "--root", str(tree), "--request-timeout", "600"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - read and closed in the finally below
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}/mcp"
    errors: list[str] = []
    rows: list[tuple[str, float]] = []
    try:
        for _ in range(400):
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.05)
        rows.append(("started", memory_mib(server.pid)))
        started = time.monotonic()
        await reviews(url, EXAMPLE, 20, args.clients, errors)
        await reviews(url, tree, 1, 1, errors)
        baseline = settle(server.pid)
        rows.append(("baseline (after 20 example + 1 tree reviews)", baseline))
        step = max(1, args.example_reviews // 5)
        done = 0
        while done < args.example_reviews:
            batch = min(step, args.example_reviews - done)
            await reviews(url, EXAMPLE, batch, args.clients, errors)
            done += batch
            rows.append((f"after {done:,} example reviews", memory_mib(server.pid)))
        after_example = settle(server.pid)
        rows.append((f"idle after {args.example_reviews:,} example reviews", after_example))
        tree_started = time.monotonic()
        for index in range(args.tree_reviews):
            await reviews(url, tree, 1, 1, errors)
            if (index + 1) % 5 == 0 or index + 1 == args.tree_reviews:
                rows.append((f"after {index + 1} tree reviews", memory_mib(server.pid)))
        tree_seconds = time.monotonic() - tree_started
        final = settle(server.pid)
        rows.append((f"idle after {args.tree_reviews} tree reviews", final))
        peak = memory_mib(server.pid, "VmHWM")
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.seek(0)
        log_text = log.read()
        logged = len(log_text)
        log.close()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    total = args.example_reviews + args.tree_reviews
    print(
        f"{args.example_reviews:,} example reviews ({args.clients} clients) and {args.tree_reviews} reviews of a "
        f"{args.tree_files:,}-file project, {wall:.0f} s ({tree_seconds / max(1, args.tree_reviews):.1f} s per tree review)"
    )
    for label, value in rows:
        print(f"  {label:48} {value:8.1f} MiB")
    change = (final - baseline) / baseline * 100
    print(f"baseline {baseline:.1f} MiB, final {final:.1f} MiB ({change:+.1f}%), peak {peak:.1f} MiB")
    print(
        f"per review: {(final - baseline) * 1024 / total:+.1f} KiB; errors {len(errors)}; server log {logged:,} bytes"
    )
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    if errors:
        print("server log (end):", log_text[-3000:].decode("utf-8", "replace"))
    within = abs(change) <= 10 and not errors
    print("PASS: back to baseline within 10%" if within else "FAIL: not back to baseline within 10% (or errors)")
    return 0 if within else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example-reviews", type=int, default=1000)
    parser.add_argument("--tree-reviews", type=int, default=20)
    parser.add_argument("--tree-files", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--keep", default=None, help="generate (or reuse) the project in this directory")
    sys.exit(anyio.run(run, parser.parse_args()))


if __name__ == "__main__":
    main()

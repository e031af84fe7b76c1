"""Load test: N concurrent MCP clients calling ``review_project`` over HTTP for a fixed time.

Starts one server process (``serve --transport http``, optionally ``--stateless``), opens N
SDK clients, and has each call ``review_project`` on the bundled example in a loop until the
time is up. Reports throughput, p50/p90/p99 latency, errors, the server's peak memory
(VmHWM) and whether its memory stays flat: resident memory (VmRSS) is sampled every second,
and the mean of the first 10 s is compared with the mean of the last 10 s (within 10% is
flat). Traffic goes to 127.0.0.1 only, bounded in count and time.

Usage: ``uv run python benchmarks/load.py [--clients 50] [--seconds 60] [--warmup 10] [--stateless] [--raw]``

The clients connect and run for ``--warmup`` seconds first (sessions opened, caches filled);
the measured window, throughput, latencies and memory samples start after it. Errors are
counted over both.

``--raw`` uses thin JSON-RPC clients against a stateless server, so the numbers describe the
server rather than the SDK client's validation of each result on the same two cores.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import httpx2
from mcp import Client

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = str(REPO / "examples" / "support-desk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mib(pid: int, field: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _sample_after(delay: float, pid: int, deadline: float, samples: list[tuple[float, float]]) -> None:
    await anyio.sleep(delay)
    await sample_rss(pid, deadline, samples)


async def sample_rss(pid: int, deadline: float, samples: list[tuple[float, float]]) -> None:
    """(seconds since start, VmRSS MiB) once a second until the deadline."""
    started = time.monotonic()
    while time.monotonic() < deadline:
        samples.append((time.monotonic() - started, memory_mib(pid, "VmRSS")))
        await anyio.sleep(1.0)


async def client_loop(url: str, deadline: float, latencies: list[float], errors: list[str], mode: str) -> None:
    try:
        async with Client(url, mode=mode) as client:  # type: ignore[arg-type]
            while time.monotonic() < deadline:
                start = time.perf_counter()
                result = await client.call_tool("review_project", {"path": EXAMPLE})
                elapsed = time.perf_counter() - start
                if result.is_error or not result.structured_content:
                    text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
                    errors.append(f"tool error: {text[:300]}")
                else:
                    latencies.append(elapsed)
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
        errors.append(f"{type(exc).__name__}: {exc}")


async def raw_client_loop(url: str, deadline: float, latencies: list[float], errors: list[str], mode: str) -> None:
    """A thin JSON-RPC client over stateless HTTP: measures the server, not the SDK client's
    own schema validation of every result (which costs more CPU than the review on this machine)."""
    headers = {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "Mcp-Protocol-Version": "2025-11-25",
    }
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "review_project", "arguments": {"path": EXAMPLE}},
    }
    try:
        async with httpx2.AsyncClient(timeout=60) as http:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                response = await http.post(url, json=body, headers=headers)
                elapsed = time.perf_counter() - start
                result = response.json().get("result", {}) if response.status_code == 200 else {}
                if result.get("isError") is False and result.get("structuredContent"):
                    latencies.append(elapsed)
                else:
                    errors.append(f"HTTP {response.status_code}")
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
        errors.append(f"{type(exc).__name__}: {exc}")


async def run(args: argparse.Namespace) -> None:
    port = free_port()
    command = [sys.executable, "-m", "agentcore_readiness.cli", "serve", "--transport", "http", "--port", str(port)]
    if args.stateless or args.raw:
        command.append("--stateless")
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        for _ in range(200):
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.05)
        latencies: list[float] = []
        errors: list[str] = []
        samples: list[tuple[float, float]] = []
        warm: list[float] = []
        started = time.monotonic() + args.warmup  # the measured window starts after the warm-up
        deadline = started + args.seconds
        async with anyio.create_task_group() as group:
            group.start_soon(_sample_after, args.warmup, server.pid, deadline, samples)
            for _ in range(args.clients):
                group.start_soon(
                    raw_client_loop if args.raw else client_loop, url, deadline, latencies, errors, args.mode
                )
            await anyio.sleep(args.warmup)
            warm.extend(latencies)
            latencies.clear()
        wall = time.monotonic() - started
        peak = memory_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.seek(0)
        log_text = log.read()
        logged = len(log_text)
        log.close()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    print(
        f"clients {args.clients}, {args.warmup:.0f} s warm-up ({len(warm)} calls, not counted), "
        f"{args.seconds:.0f} s requested, {wall:.1f} s wall, mode {args.mode}, "
        f"{'stateless' if args.stateless or args.raw else 'stateful'} server, "
        f"{'raw JSON-RPC' if args.raw else 'MCP SDK'} clients"
    )
    print(
        f"calls {len(latencies)}, errors {len(errors)} (warm-up included), "
        f"throughput {len(latencies) / wall:.1f} calls/s"
    )
    if latencies:
        print(
            f"latency p50 {pct(0.50):.0f} ms, p90 {pct(0.90):.0f} ms, p99 {pct(0.99):.0f} ms, "
            f"mean {statistics.fmean(latencies) * 1000:.0f} ms"
        )
    print(f"server peak memory {peak:.0f} MiB, server log {logged:,} bytes")
    first = [rss for at, rss in samples if at < 10]
    last = [rss for at, rss in samples if at >= samples[-1][0] - 10] if samples else []
    if first and last:
        early, late = statistics.fmean(first), statistics.fmean(last)
        change = (late - early) / early * 100
        verdict = "flat" if abs(change) <= 10 else "NOT flat"
        print(f"server memory first 10 s {early:.0f} MiB, last 10 s {late:.0f} MiB ({change:+.1f}%): {verdict}")
        print("server memory every 5 s (MiB):", " ".join(f"{rss:.0f}" for at, rss in samples if int(at) % 5 == 0))
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error[:300]}")
    if errors and log_text:
        print("server log (end):", log_text[-2000:].decode("utf-8", "replace"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds of the same load before the measured window (default 10)"
    )
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument("--mode", default="legacy", help="client protocol mode: legacy, auto or 2026-07-28")
    parser.add_argument("--raw", action="store_true", help="thin JSON-RPC clients over stateless HTTP")
    anyio.run(run, parser.parse_args())


if __name__ == "__main__":
    main()

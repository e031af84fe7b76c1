"""How fast ``uv.lock`` files are read: the product's targeted reader against a full TOML parse.

Times, for each lock file given (default: this repository's own ``uv.lock`` and a large
lock generated from it, about 1,500 packages), the median of several reads with:

- ``read_lock`` (``agentcore_readiness.facts.measure.uv_lock``: the targeted line reader),
- ``tomllib.loads`` (the standard library's pure-Python parser, what was used before),
- ``rtoml.load`` and ``tomli.loads`` when installed (a Rust parser and tomli's compiled
  wheels; not dependencies of the product: install them into a scratch environment),

and checks that the targeted reader gives the same packages, requirements, wheels and
sizes as the full parse. Usage::

    uv run python benchmarks/lockfile.py [LOCK ...] [--repeat 7]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentcore_readiness.facts.measure import uv_lock

REPO = Path(__file__).resolve().parents[1]


def generated_lock(copies: int = 15) -> str:
    """This repository's lock with its packages repeated under other names (same shape, ~1.5k packages)."""
    text = (REPO / "uv.lock").read_text(encoding="utf-8")
    head, _, body = text.partition("\n[[package]]\n")
    blocks = body.split("\n[[package]]\n")
    out = [head]
    for copy in range(copies):
        for block in blocks:
            renamed = block.replace('name = "', f'name = "c{copy}-', 1)
            out.append(renamed)
    return "\n[[package]]\n".join(out)


def median_seconds(parse: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        parse()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fast_path(text: str) -> bool:
    """Whether the targeted reader read it (rather than falling back to the full parse)."""
    try:
        list(uv_lock._fast_packages(text))
    except uv_lock._OutOfShape:
        return False
    return True


def same_result(text: str) -> bool:
    fast = uv_lock.read_lock("uv.lock", text)
    packages = [uv_lock._package(item) for item in uv_lock._toml_packages(text)]
    full = {p.name: p for p in packages if p is not None}
    return dict(fast.packages) == full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("locks", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    inputs: list[tuple[str, str]] = [(str(p), p.read_text(encoding="utf-8")) for p in args.locks]
    if not inputs:
        inputs = [("uv.lock (this repository)", (REPO / "uv.lock").read_text(encoding="utf-8"))]
        inputs.append(("generated (15 x this repository)", generated_lock()))
    optional: dict[str, Callable[[str], Any]] = {}
    for module, function in (("rtoml", "loads"), ("tomli", "loads")):
        try:
            optional[module] = getattr(importlib.import_module(module), function)
        except ImportError:
            print(f"({module} not installed: not timed)", file=sys.stderr)
    total: dict[str, float] = {}
    for name, text in inputs:
        packages = text.count("\n[[package]]\n")
        row = {
            "read_lock": median_seconds(lambda t=text: uv_lock.read_lock("uv.lock", t), args.repeat),
            "tomllib": median_seconds(lambda t=text: tomllib.loads(t), args.repeat),
        }
        for module, loads in optional.items():
            row[module] = median_seconds(lambda t=text, f=loads: f(t), args.repeat)
        for key, value in row.items():
            total[key] = total.get(key, 0.0) + value
        timings = ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in row.items())
        print(
            f"{name}: {len(text) / 1024:.0f} KB, {packages} packages: {timings}; targeted: {fast_path(text)}, same result: {same_result(text)}"
        )
    base = total["tomllib"]
    print("total: " + ", ".join(f"{k} {v * 1000:.1f} ms ({base / v:.1f}x tomllib)" for k, v in total.items()))


if __name__ == "__main__":
    main()

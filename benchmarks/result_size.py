"""What the MCP tools cost a coding agent's context: tokens (characters / 4) of each answer.

Launches ``agentcore-readiness serve`` over stdio from a checkout (this one by default, or
``--checkout DIR``, e.g. a copy of an older version to compare with) and talks to it with
the MCP SDK's own client. For every project given (default: the clean fixture, the bundled
example and, when present, the CLI's FullProject sample) it prints the size of:

* ``review_project`` with its default arguments (text content plus structured content);
* ``render_checklist``;

and once, the ``tools/list`` answer. Sizes are the JSON of each result as the SDK writes it
on the wire. Targets: a review of a project without findings 1,000 tokens, of any other
project 6,000; ``render_checklist`` of the last project given (FullProject by default) 6,000
(the others are shown for information); ``tools/list`` 8,000.

Usage: ``uv run python benchmarks/result_size.py [PROJECT ...] [--checkout DIR] [--baseline DIR]``
(``--baseline``: also measure that checkout, e.g. a copy of an older version, and print both).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio

REPO = Path(__file__).resolve().parents[1]
SAMPLES = Path("reference") / "agentcore-cli" / "sample-projects"
FULL_PROJECT = next(
    (p for p in (REPO.parent / "shared" / SAMPLES / "FullProject", REPO.parents[1] / "shared" / SAMPLES / "FullProject")
     if p.is_dir()),
    REPO.parent / "shared" / SAMPLES / "FullProject",
)  # fmt: skip
"""The AgentCore CLI's full sample project, beside a checkout or a worktree; measured when present."""
DEFAULT_PROJECTS = (REPO / "tests" / "fixtures" / "clean-agent", REPO / "examples" / "support-desk", FULL_PROJECT)
CLEAN_TARGET, REVIEW_TARGET, CHECKLIST_TARGET, TOOLS_TARGET = 1_000, 6_000, 6_000, 8_000


def tokens(chars: int) -> int:
    return round(chars / 4)


def wire_chars(result: Any) -> int:
    """Characters of ``result`` serialized the way the SDK sends it (aliases, no unset fields)."""
    return len(result.model_dump_json(by_alias=True, exclude_unset=True))


def parts(result: Any) -> tuple[int, int]:
    text = sum(len(getattr(block, "text", "")) for block in result.content)
    structured = result.structured_content
    return text, len(json.dumps(structured, separators=(",", ":"), ensure_ascii=False)) if structured else 0


def has_findings(result: Any) -> bool:
    data = result.structured_content or {}
    summary = [p.get("summary", {}) for p in data.get("projects", [])]
    return any(s.get("fail", 0) or s.get("warn", 0) for s in summary)


async def measure(checkout: Path, projects: list[Path]) -> list[tuple[str, int, int, str]]:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    roots = sorted({str(p.parent) for p in projects})
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "agentcore_readiness.cli", "serve", *(f"--root={r}" for r in roots)],
        cwd=str(checkout),
        env={**os.environ, "PYTHONPATH": str(checkout / "src")},
    )
    rows: list[tuple[str, int, int, str]] = []
    async with Client(server) as client:
        listed = await client.session.list_tools()
        rows.append(("tools/list", wire_chars(listed), TOOLS_TARGET, f"{len(listed.tools)} tools"))
        for project in projects:
            checklist_target = CHECKLIST_TARGET if project == projects[-1] else 0
            review = await client.call_tool("review_project", {"path": str(project)})
            text, structured = parts(review)
            target = REVIEW_TARGET if has_findings(review) else CLEAN_TARGET
            note = (
                "error: " + review.content[0].text[:80]
                if review.is_error
                else f"text {text:,} + structured {structured:,} chars"
            )  # type: ignore[union-attr]
            rows.append((f"review_project {project.name}", wire_chars(review), target, note))
            checklist = await client.call_tool("render_checklist", {"path": str(project)})
            text, structured = parts(checklist)
            note = "error" if checklist.is_error else f"text {text:,} + structured {structured:,} chars"
            rows.append((f"render_checklist {project.name}", wire_chars(checklist), checklist_target, note))
    return rows


def report(checkout: Path, rows: list[tuple[str, int, int, str]]) -> int:
    """Print one checkout's sizes; the number of answers over their target."""
    print(f"server: {checkout}")
    print(f"{'answer':36} {'chars':>9} {'tokens':>7} {'target':>7}  ok   detail")
    failed = 0
    for name, chars, target, note in rows:
        ok = not target or tokens(chars) <= target
        failed += not ok
        verdict = ("yes" if ok else "NO") if target else "-"
        shown = f"{target:,}" if target else "-"
        print(f"{name:36} {chars:>9,} {tokens(chars):>7,} {shown:>7}  {verdict:4} {note}")
    print()
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", type=Path, help="project directories (default: see above)")
    parser.add_argument("--checkout", type=Path, default=REPO, help="the checkout whose server to measure")
    parser.add_argument("--baseline", type=Path, default=None, help="also measure this checkout, to compare")
    args = parser.parse_args()
    projects: list[Path] = []
    for path in args.projects or list(DEFAULT_PROJECTS):
        resolved = path.resolve()
        if not resolved.is_dir():
            print(f"skipped (absent): {path}")
        elif resolved not in projects:
            projects.append(resolved)
    checkouts = [args.checkout.resolve(), *([args.baseline.resolve()] if args.baseline else [])]
    measured = {checkout: anyio.run(measure, checkout, projects) for checkout in checkouts}
    failed = report(checkouts[0], measured[checkouts[0]])
    if args.baseline:
        report(checkouts[1], measured[checkouts[1]])
        print(f"{'answer':36} {'before':>9} {'after':>9}  (tokens)")
        for (name, after, _, _), (_, before, _, _) in zip(measured[checkouts[0]], measured[checkouts[1]], strict=True):
            print(f"{name:36} {tokens(before):>9,} {tokens(after):>9,}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

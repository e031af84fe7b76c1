"""How big the project map is: for each project, the tokens (characters / 4) of the text block
``map_project`` answers with and of its structured content, against the 2,000-token budget of
the text, with the time the map took.

    uv run python benchmarks/map_size.py [PATH ...]

Without PATH it maps the AgentCore CLI's sample projects (``shared/reference/agentcore-cli/
sample-projects/*`` in a folder above the checkout, or ``$AGENTCORE_SAMPLES``; skipped when absent,
as in CI) and ``examples/support-desk``. PATH is a project or a folder holding several (searched
like ``check``).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from agentcore_readiness.engine import InputError
from agentcore_readiness.textsafe import sanitize_model
from agentcore_readiness.tools.map import build_maps, map_text

REPO = Path(__file__).resolve().parents[1]
SAMPLES_REL = Path("shared") / "reference" / "agentcore-cli" / "sample-projects"
BUDGET = 2_000


def samples_dir() -> Path | None:
    given = os.environ.get("AGENTCORE_SAMPLES")
    candidates = [Path(given)] if given else [parent / SAMPLES_REL for parent in REPO.parents]
    return next((c for c in candidates if c.is_dir()), None)


def default_targets() -> list[Path]:
    samples = samples_dir()
    targets = sorted(p for p in samples.iterdir() if p.is_dir()) if samples is not None else []
    if not targets:
        print("(no AgentCore CLI sample projects found: skipped)", file=sys.stderr)
    return [*targets, REPO / "examples" / "support-desk"]


def main(argv: list[str]) -> int:
    targets = [Path(a) for a in argv] or default_targets()
    print(f"{'project':32} {'runtimes':>8} {'text tok':>9} {'struct tok':>10} {'seconds':>8}  budget")
    over = 0
    for target in targets:
        started = time.perf_counter()
        try:
            result = sanitize_model(build_maps(str(target)))
        except InputError as exc:
            print(f"{target}: {exc}", file=sys.stderr)
            continue
        seconds = time.perf_counter() - started
        for project_map in result.maps:
            one = type(result)(maps=[project_map])
            text_tokens = len(map_text(one)) // 4
            struct_tokens = len(project_map.model_dump_json()) // 4
            verdict = "ok" if text_tokens <= BUDGET else "OVER"
            over += verdict == "OVER"
            name = project_map.project[:32]
            print(
                f"{name:32} {len(project_map.runtimes):>8} {text_tokens:>9} {struct_tokens:>10} "
                f"{seconds:>8.2f}  {verdict}"
            )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Import time (PERF007)."""

from __future__ import annotations

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, skipped, unknown
from agentcore_readiness.model import Fix
from agentcore_readiness.textsafe import excerpt

SLOW_IMPORT_SECONDS = 5.0


@rule(
    "PERF007",
    "slow-import",
    "low",
    ("X",),
    "Entrypoint import is slow",
    family="Performance",
    checklist=("perf.init",),
    measures=("import_timing",),
    tools=("audit_cold_start",),
)
def slow_import(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    On request only (`--measure-imports`, `measure_imports=true`), imports each
    runtime's entrypoint module in a separate Python process (the runtime's `.venv` when
    there is one), in its own process group with a hard time limit, and warns when the
    import takes more than 5 s, does not finish in time (the group is killed), or exits
    the process. The agent's code is never imported into this tool's own process.

    ### Why is this bad?
    Application startup is part of every cold start (typically 5–10 s of the 20–30 s).
    Slow imports usually mean models, clients or connections built at import (PERF006)
    or heavy libraries imported eagerly.

    ### Example
    `main.py` loads a 2 GB model at module level: importing it takes 40 s.

    ### Fix
    Defer heavy work to the first request (PERF006), import heavy libraries inside the
    functions that use them, and remove unused dependencies (PERF005).

    ### References
    - agents-harden skill, "Initialization time: Optimize cold start performance"
    """
    if facts.options.measure_imports_refused:
        return skipped(facts.options.measure_imports_refused)
    if not facts.options.measure_imports:
        return skipped(
            "the import is measured only on request (it runs the agent's code): pass --measure-imports or "
            "measure_imports=true"
        )
    runtimes = facts.project.runtimes
    if not runtimes:
        return not_applicable("the project defines no runtimes")
    timings = facts.measured.imports if facts.measured is not None else None
    if timings is None:
        return unknown("the import time was not measured")
    unknowns: list[str] = []
    for runtime in runtimes:
        timing = timings.get(runtime.name)
        location = runtime.loc("entrypoint")
        if timing is None:
            unknowns.append(f"{runtime.name}: not measured")
            continue
        interpreter = f" (with {timing.interpreter})" if timing.interpreter else ""
        if timing.status == "ok" and timing.seconds is not None:
            if timing.seconds > SLOW_IMPORT_SECONDS:
                out.warn(
                    f"importing {runtime.name}'s entrypoint {timing.module} took {timing.seconds:.1f} s (over "
                    f"{SLOW_IMPORT_SECONDS:g} s){interpreter}",
                    location,
                    subject=runtime.name,
                    fix=Fix(summary="Defer heavy initialisation (PERF006) and heavy imports to first use."),
                )
            else:
                out.note(f"{runtime.name}: {timing.module} imports in {timing.seconds:.2f} s{interpreter}")
        elif timing.status == "timeout":
            out.warn(
                f"importing {runtime.name}'s entrypoint {timing.module} {timing.detail}{interpreter}: the runtime "
                "would not become ready",
                location,
                subject=runtime.name,
                fix=Fix(
                    summary="Find what blocks at import (a network call, a loop, a model download) and move it into "
                    "the request path or a lazy getter."
                ),
            )
        elif timing.status == "exited":
            out.warn(
                f"importing {runtime.name}'s entrypoint {timing.module}: {timing.detail}{interpreter}; the runtime "
                "would exit instead of serving",
                location,
                subject=runtime.name,
                fix=Fix(
                    summary="Do not exit at import time; keep process-level work under `if __name__ == '__main__':`."
                ),
            )
        elif timing.status == "failed":
            unknowns.append(f"{runtime.name}: {excerpt(timing.detail, 240)}{interpreter}")
        else:
            unknowns.append(f"{runtime.name}: {timing.detail}")
    if unknowns and not out.items and not out.notes:
        return unknown("; ".join(unknowns))
    for text in unknowns:
        out.note(text)
    return None

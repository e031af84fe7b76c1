"""Package size (PERF001)."""

from __future__ import annotations

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.project.project_facts import Runtime
from agentcore_readiness.model import Fix

WARN_BYTES = 100 * 1024 * 1024
FAIL_BYTES = 200 * 1024 * 1024
_MB = 1024 * 1024


def _mb(size: int) -> str:
    if size < _MB:
        return f"{size / 1024:.0f} KB"
    return f"{size / _MB:.1f} MB"


def _size_fix(runtime: Runtime, largest: tuple[tuple[str, int], ...], kind: str) -> Fix:
    biggest = ", ".join(f"{name} {_mb(size)}" for name, size in largest[:3])
    return Fix(
        summary=f"Shrink {runtime.name}'s package: remove dependencies it never imports (PERF005), move dev tools "
        f"to a dev group (PERF004), keep tests/docs out of {runtime.code_location or '.'}/"
        + (f"; the largest {kind} are {biggest}" if biggest else "")
        + ". Measure the real artifact with `agentcore package`.",
        commands=["agentcore package"],
    )


@rule(
    "PERF001",
    "package-too-large",
    "high",
    ("P", "X"),
    "Deployment package too large",
    family="Performance",
    checklist=("perf.size",),
    measures=("environments", "package_sizes"),
    tools=("audit_cold_start",),
)
def package_too_large(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Measures each runtime's deployment package: the files of its `codeLocation` (without
    `.venv`, `.git` and caches) plus its runtime dependencies, resolved through the
    requirement closure of the installed virtualenv (`.venv`, installed sizes) or of
    `uv.lock` (the compressed Linux ARM64 wheel sizes it records). Fails at 200 MB or
    more, warns from 100 MB. Without a lock or virtualenv the size is an estimate of the
    code alone, and the rule says so instead of passing.

    ### Why is this bad?
    Every megabyte is downloaded at every cold start: about 1.3 s for a 95 MB CodeZip
    before the application even starts, 15 s or more for a 500 MB image.

    ### Example
    A CodeZip agent that declares `torch` and `transformers` for one small helper.

    ### Fix
    Remove dependencies the agent never imports (PERF005), move dev tools to a dev
    group (PERF004), keep tests and docs out of the code location, and prefer slimmer
    libraries; check the artifact with `agentcore package`.

    ### References
    - agents-harden skill, "Package size budget"
    """
    runtimes = [r for r in facts.project.runtimes if r.code_location is not None]
    if not runtimes:
        return not_applicable("the project defines no runtimes with a code location")
    measured = facts.measured
    if measured is None:
        return unknown("the package size was not measured")
    estimates: list[str] = []
    for runtime in runtimes:
        size = measured.packages.get(runtime.name)
        if size is None:
            why = [e.split(": ", 1)[1] for e in measured.errors if e.startswith(f"{runtime.name}: ")]
            estimates.append(f"{runtime.name}: not measured" + (f" ({'; '.join(why)})" if why else ""))
            continue
        container = " (plus the base image, not measured here: see PERF003)" if runtime.is_container else ""
        location = runtime.loc("codeLocation")
        if size.method == "missing":
            estimates.append(f"{runtime.name}: not measured ({'; '.join(size.notes)})")
            continue
        if size.method == "estimate":
            text = (
                f"{runtime.name}: estimate only, at least {_mb(size.code_bytes)} of code; "
                f"{len(size.missing)} declared dependencies not resolved (no uv.lock or .venv: run `uv lock` "
                f"in {runtime.code_location})" + "".join(f"; {note}" for note in size.notes)
            )
            if size.code_bytes >= FAIL_BYTES:
                out.fail(text + container, location, subject=runtime.name, fix=_size_fix(runtime, (), "files"))
            elif size.code_bytes >= WARN_BYTES:
                out.warn(text + container, location, subject=runtime.name, fix=_size_fix(runtime, (), "files"))
            else:
                estimates.append(text)
            continue
        if size.method == "code-only":
            detail = f"{runtime.name}: {_mb(size.total)} of code; no dependencies declared"
        else:
            kind = "installed dependencies" if size.method == "venv" else "dependency wheels (compressed)"
            detail = (
                f"{runtime.name}: {_mb(size.total)} = code {_mb(size.code_bytes)} + {size.dists} {kind} "
                f"{_mb(size.deps_bytes)}, from {size.source}"
            )
        if size.missing:
            detail += f"; not in {size.source}: {', '.join(size.missing)}"
        if size.truncated:
            detail += "; the code location has too many files to count them all (at least this much)"
        if size.total >= FAIL_BYTES:
            out.fail(
                f"{detail}: at or over the 200 MB limit{container}",
                location,
                subject=runtime.name,
                fix=_size_fix(runtime, size.largest, "dependencies"),
            )
        elif size.total >= WARN_BYTES:
            out.warn(
                f"{detail}: over the 100 MB target{container}",
                location,
                subject=runtime.name,
                fix=_size_fix(runtime, size.largest, "dependencies"),
            )
        else:
            out.note(detail + container)
    if estimates and not out.items:
        if out.notes:
            out.note("; ".join(estimates))
            return None
        return unknown("; ".join(estimates))
    for text in estimates:
        out.note(text)
    return None

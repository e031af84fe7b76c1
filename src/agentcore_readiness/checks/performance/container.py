"""Container builds (PERF002, PERF003): what the build context sends and the base image."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import ignore_file_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.project.ignore_files import IgnoreVerdict
from agentcore_readiness.facts.project.project_facts import Runtime
from agentcore_readiness.model import Fix, Location

# What a .dockerignore should keep out of the build context: a path of each kind that Docker
# must not send (checked with Docker's own matching), and the line that excludes it.
_ALWAYS: dict[str, tuple[str, ...]] = {
    ".git": (".git/HEAD",),
    "Python caches": ("__pycache__/main.cpython-312.pyc",),
    "virtualenvs": (".venv/pyvenv.cfg",),
}
_WHEN_PRESENT = {"tests": ("tests/", "test/"), "docs": ("docs/", "doc/")}
_VENV_DIRS = (".venv/", "venv/")

_SLIM_MARKERS = ("slim", "distroless", "alpine", "minimal", "-micro", "chainguard", "wolfi")


def _probes(entries: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Paths that must be left out of the context, by kind (tests and docs only when present)."""
    probes = dict(_ALWAYS)
    venvs = [d for d in _VENV_DIRS if d in entries]
    if venvs:
        probes["virtualenvs"] = tuple(f"{d}pyvenv.cfg" for d in venvs)
    for name, dirs in _WHEN_PRESENT.items():
        present = [d for d in dirs if d in entries]
        if present:
            probes[name] = tuple(f"{d}x.py" for d in present)
    return probes


def _containers(facts: Facts) -> list[Runtime]:
    return [r for r in facts.project.runtimes if r.is_container]


@rule(
    "PERF002",
    "dockerignore-missing",
    "medium",
    ("P",),
    "Container build without a complete .dockerignore",
    family="Performance",
    checklist=("perf.size",),
    tools=("audit_cold_start",),
)
def dockerignore_missing(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each Container runtime, checks that its build context (`buildContextPath`, else
    `codeLocation`) has a `.dockerignore` (or a `<Dockerfile>.dockerignore`) that keeps
    `.git`, Python caches and virtualenvs out of the image, and `tests/` and `docs/` when
    the context has them. The file is read with Docker's own rules: patterns are anchored
    at the context root (`__pycache__/` leaves out the top-level one, `**/__pycache__`
    every one), the last matching line wins, and a `!` line re-includes; an allow-list
    (`*` then `!app/`) counts.

    ### Why is this bad?
    Everything in the build context is sent to the builder and usually copied into the
    image: a `.venv` or `.git` can add hundreds of megabytes, and every megabyte is paid
    again at each cold start when the image is pulled.

    ### Example
    `app/Agent/Dockerfile` with `COPY . .` and no `app/Agent/.dockerignore`.

    ### Fix
    Add a `.dockerignore` beside the Dockerfile with at least:
    `.git/`, `__pycache__/`, `*.py[cod]`, `.venv/`, `tests/`, `docs/`.

    ### References
    - agents-harden skill, "Package size budget"
    """
    containers = _containers(facts)
    if not containers:
        return not_applicable("no runtime uses a Container build")
    by_context: dict[str, list[Runtime]] = {}
    for runtime in containers:
        plan = runtime.build_plan
        by_context.setdefault((plan.context if plan is not None else None) or runtime.code_location or ".", []).append(
            runtime
        )
    for context, sharing in by_context.items():
        # one build context is one fact: its runtimes share the .dockerignore
        runtime = sharing[0]
        names = ", ".join(repr(r.name) for r in sharing)
        prefix = "" if context == "." else context + "/"
        if runtime.dockerignore is None:
            out.fail(
                f"Container runtime{'s' if len(sharing) > 1 else ''} {names} "
                f"{'have' if len(sharing) > 1 else 'has'} no .dockerignore in the build context {context}/",
                Location(path=runtime.dockerfile.path if runtime.dockerfile else prefix + "Dockerfile", line=1),
                subject=runtime.name,
                fix=Fix(
                    summary=f"Create {prefix}.dockerignore so the build context leaves out VCS data, caches, "
                    "virtualenvs, tests and docs.",
                    commands=[
                        f"printf '%s\\n' .git/ __pycache__/ '*.py[cod]' .venv/ tests/ docs/ > {prefix}.dockerignore"
                    ],
                    edits=ignore_file_edit(
                        prefix + ".dockerignore", [line for entries in _IGNORE_LINES.values() for line in entries]
                    ),
                ),
            )
            continue
        dockerignore = runtime.dockerignore
        missing: list[str] = []
        reincluded: list[IgnoreVerdict] = []
        for name, probes in _probes(runtime.code_entries).items():
            kept_in = [v for v in (dockerignore.check(p) for p in probes) if not v.ignored]
            if kept_in:
                missing.append(name)
                reincluded.extend(v for v in kept_in if v.rule is not None)
        if missing:
            first = reincluded[0].rule if reincluded else None
            out.warn(
                f"{dockerignore.path} does not exclude {', '.join(missing)}"
                + "".join(f"; {v.describe()}" for v in reincluded),
                Location(path=dockerignore.path, line=first.line if first is not None else 1),
                subject=runtime.name,
                fix=Fix(
                    summary=f"Add the missing exclusions to {runtime.dockerignore.path}.",
                    commands=[
                        f"printf '%s\\n' {' '.join(_suggest(m) for m in missing)} >> {runtime.dockerignore.path}"
                    ],
                    edits=ignore_file_edit(
                        runtime.dockerignore.path, [line for m in missing for line in _IGNORE_LINES[m]]
                    ),
                ),
            )
        else:
            out.note(
                f"{', '.join(r.name for r in sharing)}: {runtime.dockerignore.path} excludes VCS data, caches and virtualenvs"
            )
    return None


_IGNORE_LINES: dict[str, tuple[str, ...]] = {
    ".git": (".git/",),
    "Python caches": ("__pycache__/", "*.py[cod]"),
    "virtualenvs": (".venv/",),
    "tests": ("tests/",),
    "docs": ("docs/",),
}
"""The .dockerignore lines that exclude each category (what ``fix`` writes)."""


def _suggest(category: str) -> str:
    return {
        ".git": ".git/",
        "Python caches": "__pycache__/ '*.py[cod]'",
        "virtualenvs": ".venv/",
        "tests": "tests/",
        "docs": "docs/",
    }[category]


@rule(
    "PERF003",
    "container-base-heavy",
    "low",
    ("P",),
    "Single-stage Dockerfile on a non-slim base",
    family="Performance",
    checklist=("perf.size",),
    tools=("audit_cold_start",),
)
def container_base_heavy(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns when a Container runtime's Dockerfile has a single stage built on a full
    (non-slim, non-distroless) base image.

    ### Why is this bad?
    Full base images carry compilers, headers and package caches: often 700 MB more than
    a slim image, pulled at every cold start.

    ### Example
    ```dockerfile
    FROM python:3.12
    COPY . .
    ```

    ### Fix
    Use a slim base (`python:3.12-slim`) or a multi-stage build: install dependencies in
    a builder stage and copy only the virtualenv and code into a slim final stage.

    ### References
    - agents-harden skill, "Package size budget"
    """
    containers = _containers(facts)
    if not containers:
        return not_applicable("no runtime uses a Container build")
    missing: list[str] = []
    for runtime in containers:
        dockerfile = runtime.dockerfile
        if dockerfile is None:
            missing.append(runtime.name)
            continue
        stages = dockerfile.stages
        if not stages:
            out.warn(
                f"{dockerfile.path} has no FROM instruction",
                Location(path=dockerfile.path, line=1),
                subject=runtime.name,
            )
            continue
        final = stages[-1]
        image = final.args.split()[0] if final.args.split() else ""
        if image.startswith("--platform"):
            image = final.args.split()[1] if len(final.args.split()) > 1 else ""
        slim = any(marker in image.lower() for marker in _SLIM_MARKERS)
        if len(stages) == 1 and not slim:
            out.warn(
                f"{dockerfile.path} builds a single stage on the full base image {image!r}",
                Location(path=dockerfile.path, line=final.line),
                subject=runtime.name,
                fix=Fix(summary="Use a slim base image or a multi-stage build (builder stage, slim runtime stage)."),
                evidence=f"FROM {final.args}",
            )
        else:
            kind = f"{len(stages)} stages" if len(stages) > 1 else "one stage"
            out.note(f"{runtime.name}: {kind}, final base {image}")
    if missing and not out.items and not out.notes:
        return unknown(f"no Dockerfile found for {', '.join(missing)}")
    return None

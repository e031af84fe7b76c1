"""Performance and cold start: what ships in the package and how the image is built."""

from __future__ import annotations

from fnmatch import fnmatch

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.project import Runtime
from agentcore_readiness.model import Fix, Location

# What a .dockerignore should keep out of the build context, and the patterns that do it.
_ALWAYS = {
    ".git": (".git", ".git/", "**/.git", ".git*"),
    "Python caches": (
        "__pycache__",
        "__pycache__/",
        "**/__pycache__",
        "**/__pycache__/",
        "*.pyc",
        "*.py[cod]",
        "**/*.pyc",
        "**/*.py[cod]",
    ),
    "virtualenvs": (".venv", ".venv/", "venv", "venv/", "**/.venv", "**/.venv/"),
}
_WHEN_PRESENT = {
    "tests": ("tests", "tests/", "test", "test/", "**/tests", "**/tests/", "tests/*", "tests/**"),
    "docs": ("docs", "docs/", "doc", "doc/", "**/docs", "**/docs/", "docs/*", "docs/**"),
}
_PRESENT_DIRS = {"tests": ("tests/", "test/"), "docs": ("docs/", "doc/")}

_SLIM_MARKERS = ("slim", "distroless", "alpine", "minimal", "-micro", "chainguard", "wolfi")


def _excluded(patterns: tuple[str, ...], candidates: tuple[str, ...]) -> bool:
    normalized = {p.strip().lstrip("/") for p in patterns if not p.startswith("!")}
    if any(p in normalized for p in candidates):
        return True
    probe = candidates[0].rstrip("/")
    return any(fnmatch(probe, p.rstrip("/")) for p in normalized)


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
)
def dockerignore_missing(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each Container runtime, checks that its build context has a `.dockerignore`
    that keeps `.git`, Python caches and virtualenvs out of the image, and `tests/` and
    `docs/` when the context has them.

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
    for runtime in containers:
        context = runtime.code_location or "."
        prefix = "" if context == "." else context + "/"
        if runtime.dockerignore is None:
            out.fail(
                f"Container runtime {runtime.name!r} has no .dockerignore in its build context {context}/",
                Location(path=runtime.dockerfile.path if runtime.dockerfile else prefix + "Dockerfile", line=1),
                subject=runtime.name,
                fix=Fix(
                    summary=f"Create {prefix}.dockerignore so the build context leaves out VCS data, caches, "
                    "virtualenvs, tests and docs.",
                    commands=[
                        f"printf '%s\\n' .git/ __pycache__/ '*.py[cod]' .venv/ tests/ docs/ > {prefix}.dockerignore"
                    ],
                ),
            )
            continue
        patterns = runtime.dockerignore.patterns
        missing = [name for name, candidates in _ALWAYS.items() if not _excluded(patterns, candidates)]
        present = set(runtime.code_entries)
        for name, candidates in _WHEN_PRESENT.items():
            if any(d in present for d in _PRESENT_DIRS[name]) and not _excluded(patterns, candidates):
                missing.append(name)
        if missing:
            out.warn(
                f"{runtime.dockerignore.path} does not exclude {', '.join(missing)}",
                Location(path=runtime.dockerignore.path, line=1),
                subject=runtime.name,
                fix=Fix(
                    summary=f"Add the missing exclusions to {runtime.dockerignore.path}.",
                    commands=[
                        f"printf '%s\\n' {' '.join(_suggest(m) for m in missing)} >> {runtime.dockerignore.path}"
                    ],
                ),
            )
        else:
            out.note(f"{runtime.name}: {runtime.dockerignore.path} excludes VCS data, caches and virtualenvs")
    return None


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

"""How much one review may take on: never the whole file system or a home directory, and at
most so many projects and files per call.

A review walks the tree below its path to find projects, then reads each project. Asked for
``/``, a home directory or a large tree, that is minutes of work and megabytes of answer that
nobody can use, so such a request is refused with an error that says to narrow the path.
The limits come from ``--max-projects`` / ``--max-files`` (or ``AGENTCORE_READINESS_MAX_PROJECTS``
/ ``AGENTCORE_READINESS_MAX_FILES``) and hold for the CLI and the server alike.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from agentcore_readiness.facts.files import SKIP_DIRS

DEFAULT_MAX_PROJECTS = 20
DEFAULT_MAX_FILES = 20_000


class ScopeError(Exception):
    """A path that is empty, too broad, or holds more than a review may take on."""


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


@dataclass(frozen=True)
class ScopeLimits:
    max_projects: int = DEFAULT_MAX_PROJECTS
    max_files: int = DEFAULT_MAX_FILES

    @classmethod
    def from_env(cls) -> ScopeLimits:
        return cls(
            _env_int("AGENTCORE_READINESS_MAX_PROJECTS", DEFAULT_MAX_PROJECTS),
            _env_int("AGENTCORE_READINESS_MAX_FILES", DEFAULT_MAX_FILES),
        )


_LIMITS: contextvars.ContextVar[ScopeLimits | None] = contextvars.ContextVar("scope_limits", default=None)


@contextmanager
def scope_limits(limits: ScopeLimits | None) -> Iterator[None]:
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


def current_limits() -> ScopeLimits:
    return _LIMITS.get() or ScopeLimits.from_env()


def check_not_empty(path: str | None) -> None:
    if path is not None and not path.strip():
        raise ScopeError(
            "path is empty: give a project directory (holding agentcore/agentcore.json or .bedrock_agentcore.yaml), "
            "a file inside one, or a folder of projects"
        )


def check_breadth(target: Path) -> None:
    """Refuse to search the file system's root, a home directory or a directory above one."""
    try:
        resolved = target.resolve()
        home = Path.home().resolve()
    except (OSError, RuntimeError):
        return
    if resolved == Path(resolved.anchor):
        what = f"{target} is the root of the file system"
    elif resolved == home:
        what = f"{target} is the home directory"
    elif resolved in home.parents:
        what = f"{target} holds the home directory"
    else:
        return
    raise ScopeError(f"{what}: too broad to review; narrow the path to a project directory or a folder of projects")


def check_size(target: str, roots: Sequence[Path]) -> None:
    """Refuse more projects, or more files in them, than the limits allow."""
    limits = current_limits()
    if len(roots) > limits.max_projects:
        shown = ", ".join(str(r) for r in roots[:3])
        raise ScopeError(
            f"{target} holds {len(roots)} projects, over the limit of {limits.max_projects} per review "
            f"({shown}, ...): narrow the path to one project or a smaller folder (the limit is --max-projects, "
            "or AGENTCORE_READINESS_MAX_PROJECTS)"
        )
    remaining = limits.max_files
    for root in roots:
        remaining -= count_files(root, remaining + 1)
        if remaining < 0:
            raise ScopeError(
                f"{target} holds more than {limits.max_files:,} files in its project(s) (virtualenvs, VCS and build "
                "directories not counted): narrow the path to one project (the limit is --max-files, or "
                "AGENTCORE_READINESS_MAX_FILES)"
            )


def count_files(root: Path, stop_after: int) -> int:
    """Files under ``root`` the review could read, counted up to ``stop_after``."""
    count = 0
    for _, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        count += len(filenames)
        if count >= stop_after:
            return count
    return count

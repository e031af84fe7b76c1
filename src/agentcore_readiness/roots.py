"""Where the tools may read: the configured roots (``--root``) or the client's MCP roots.

The server sets the allowed roots for the duration of a tool call; every path a tool reads
is checked against them with all symlinks resolved, so neither ``..`` nor a symlink can
leave them. With no roots set (the CLI, a local stdio server started without ``--root``),
every path is allowed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

_ALLOWED: contextvars.ContextVar[tuple[Path, ...] | None] = contextvars.ContextVar("allowed_roots", default=None)


class OutsideRoots(Exception):
    """A path outside every allowed root."""


def root_paths(values: Sequence[str]) -> tuple[Path, ...]:
    """Resolve ``--root`` values and ``file://`` root URIs to directories."""
    paths: list[Path] = []
    for value in values:
        if value.startswith("file://"):
            value = unquote(urlparse(value).path)
        elif "://" in value:
            continue
        paths.append(Path(value).expanduser().resolve())
    return tuple(paths)


@contextmanager
def allowed_roots(roots: Sequence[Path] | None) -> Iterator[None]:
    token = _ALLOWED.set(tuple(roots) if roots is not None else None)
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def current_roots() -> tuple[Path, ...] | None:
    return _ALLOWED.get()


def check_path(path: str | Path) -> None:
    """Raise :class:`OutsideRoots` when ``path`` (symlinks resolved) is outside the allowed roots."""
    roots = _ALLOWED.get()
    if roots is None:
        return
    resolved = Path(path).expanduser().resolve()
    if any(resolved == root or root in resolved.parents for root in roots):
        return
    shown = ", ".join(str(r) for r in roots) or "(none)"
    raise OutsideRoots(f"{path}: outside the directories this server may read ({shown})")

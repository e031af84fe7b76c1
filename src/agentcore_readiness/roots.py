"""Where the tools may read: the server's roots (``--root``, else its working directory),
narrowed to the client's MCP roots when it offers them.

The server sets the allowed roots for the duration of a tool call; the path a tool is given,
and the project root a review finally reads, are checked against them with all symlinks
resolved, so neither ``..``, a symlink, nor a file whose project sits above the roots can
leave them. A client's roots can only narrow the server's: a client that offers ``file:///``
gets no more than the server's own roots. With no roots set (the command line), every path
is allowed.
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


def narrow(server: Sequence[Path], client: Sequence[Path]) -> tuple[Path, ...]:
    """The part of the server's roots that the client's roots cover, in the client's order.

    A client root inside a server root is kept; a server root inside a client root is kept
    instead (the client asked for more than the server gives); anything else is dropped.
    """
    allowed: list[Path] = []
    for offered in client:
        for own in server:
            if offered == own or own in offered.parents:
                kept = offered
            elif offered in own.parents:
                kept = own
            else:
                continue
            if kept not in allowed:
                allowed.append(kept)
    return tuple(allowed)


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
    raise OutsideRoots(f"{path}: outside the directories this server may read ({_shown(roots)})")


def check_project_root(target: str | Path, root: Path) -> None:
    """Raise :class:`OutsideRoots` when the project a review of ``target`` reads lies outside the roots."""
    roots = _ALLOWED.get()
    if roots is None or any(root == allowed or allowed in root.parents for allowed in roots):
        return
    raise OutsideRoots(
        f"{target}: belongs to the project at {root}, outside the directories this server may read "
        f"({_shown(roots)}); review a project inside them"
    )


def _shown(roots: Sequence[Path]) -> str:
    return ", ".join(str(r) for r in roots) or "none: the client's roots and the server's do not overlap"

"""Bounded, contained file reading for everything the product reads from a project.

Every read goes through :func:`read_text`: it refuses paths (and symlinks) that leave
the project root, files over a size limit, binary files and undecodable text, each
with a message that names the file.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

CONFIG_MAX_BYTES = 5 * 1024 * 1024
SOURCE_MAX_BYTES = 2 * 1024 * 1024

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        ".env",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        ".nox",
        "cdk.out",
        ".cache",
        "site-packages",
        "dist",
        "build",
        ".idea",
        ".vscode",
    }
)


ReadProblem = Literal["unreadable", "outside", "not_regular", "too_large", "binary", "undecodable"]


class FileReadError(Exception):
    def __init__(self, rel_path: str, message: str, line: int | None = None, kind: ReadProblem = "unreadable") -> None:
        super().__init__(f"{rel_path}: {message}")
        self.rel_path = rel_path
        self.message = message
        self.line = line
        self.kind: ReadProblem = kind
        """``unreadable`` (the system refused it: what it holds is unknown), ``outside`` the
        project, ``not_regular`` (a FIFO, device, socket or directory), ``too_large``,
        ``binary`` or ``undecodable`` text."""


@dataclass(frozen=True)
class TextFile:
    rel_path: str
    text: str


def exists(path: Path) -> bool:
    """``path.exists()`` that answers False, not an exception, for unusable names (too long, bad bytes)."""
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):
        return False


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def rel_posix(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def inside(root: Path, path: Path) -> bool:
    """True when ``path``, with every symlink resolved, stays under ``root``."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return _within(root, resolved)


def _within(root: Path, resolved: Path) -> bool:
    try:
        root = root.resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return resolved == root or root in resolved.parents


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _not_regular(rel: str, mode: int) -> FileReadError:
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    return FileReadError(rel, f"is {kind}, not a regular file; not read", kind="not_regular")


UNREADABLE = "cannot be read ("
"""How the reason of every file the system refused to read begins."""


def _unreadable(rel: str, exc: OSError) -> FileReadError:
    return FileReadError(rel, f"{UNREADABLE}{exc.strerror or exc})", kind="unreadable")


def read_file_bytes(path: Path, rel: str, max_bytes: int, *, prefix: bool = False, count: bool = False) -> bytes:
    """The bytes of one regular file, at most ``max_bytes`` of them, or :class:`FileReadError`.
    With ``prefix``, a longer file gives its first ``max_bytes`` bytes instead of an error.

    The file is opened without following a final symlink and without blocking, and
    checked to be a regular file both before and after it is opened: a FIFO, a device
    such as ``/dev/zero`` or a socket is refused, never read. Containment is the
    caller's: use :func:`read_bytes` for a path that may leave the project.
    With ``count``, the file and its bytes are charged to the request's budget
    (:mod:`agentcore_readiness.budget`; :class:`~agentcore_readiness.budget.BudgetSpent` when
    it is spent): the bulk reads (sources, installed packages) count, a project's few
    configuration files do not.
    """
    from agentcore_readiness import budget

    try:
        before = os.lstat(path)
    except (OSError, ValueError) as exc:
        if isinstance(exc, ValueError):
            raise FileReadError(rel, f"{UNREADABLE}not a usable file name: {exc})", kind="unreadable") from None
        raise _unreadable(rel, exc) from None
    if stat.S_ISLNK(before.st_mode):
        raise FileReadError(rel, "is a symlink; not followed", kind="outside")
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(rel, before.st_mode)
    if before.st_size > max_bytes and not prefix:
        raise FileReadError(
            rel, f"is {before.st_size:,} bytes, over the {max_bytes:,}-byte limit; not read", kind="too_large"
        )
    if count:
        budget.charge(files=1, size=min(before.st_size, max_bytes))
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _unreadable(rel, exc) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise FileReadError(rel, f"{UNREADABLE}it changed while it was being opened)", kind="unreadable")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1024 * 1024, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _unreadable(rel, exc) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if size > max_bytes:
        if prefix:
            return data[:max_bytes]
        raise FileReadError(rel, f"is over the {max_bytes:,}-byte limit; not read", kind="too_large")
    return data


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def decode_text(data: bytes, rel: str) -> str:
    """Text from a file's bytes: UTF-8, or UTF-16/UTF-32 when a byte-order mark says so.
    Binary data (NUL bytes without a UTF-16/32 mark) and undecodable text raise
    :class:`FileReadError` with the line of the first bad byte.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return body.decode(codec)
            except UnicodeDecodeError as exc:
                line = body[: exc.start].decode(codec, "replace").count("\n") + 1
                raise FileReadError(
                    rel, f"is not valid {label} (byte {exc.start + len(bom)})", line, "undecodable"
                ) from None
    if b"\x00" in data[:8192]:
        raise FileReadError(rel, "is a binary file (contains NUL bytes); not read", kind="binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileReadError(rel, f"is not valid UTF-8 (byte {exc.start})", line, "undecodable") from None


def read_bytes(
    root: Path | None, path: Path, max_bytes: int = CONFIG_MAX_BYTES, *, prefix: bool = False, count: bool = False
) -> bytes:
    """The bytes of a file of the project at ``root``: refused when it (or a symlink on
    its way) leaves the project, when it is not a regular file or over ``max_bytes``.
    With ``root=None`` (a file of this machine, not of a project) only containment is
    not checked.
    """
    rel = rel_posix(root, path) if root is not None else str(path)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise FileReadError(rel, f"{UNREADABLE}{exc})", kind="unreadable") from None
    if root is not None and not _within(root, resolved):
        linked = resolved != Path(os.path.abspath(path))
        where = "is a symlink that points outside the project" if linked else "is outside the project"
        raise FileReadError(rel, f"{where}; not read", kind="outside")
    return read_file_bytes(resolved, rel, max_bytes, prefix=prefix, count=count)


def read_text(root: Path, path: Path, max_bytes: int = CONFIG_MAX_BYTES, *, count: bool = False) -> TextFile:
    """Read a text file of the project (see :func:`read_bytes`, :func:`decode_text`), or
    raise :class:`FileReadError`."""
    rel = rel_posix(root, path)
    return TextFile(rel, decode_text(read_bytes(root, path, max_bytes, count=count), rel))


def read_host_text(path: Path, max_bytes: int = 1024 * 1024, *, prefix: bool = False) -> str | None:
    """A small text file of this machine (not of the reviewed project, e.g. the installed
    CLI's ``package.json``), bounded like project files; ``None`` when it cannot be read.
    With ``prefix``, the first ``max_bytes`` of a longer file, decoded leniently."""
    try:
        data = read_bytes(None, path, max_bytes, prefix=prefix)
        return data.decode("utf-8", "replace") if prefix else decode_text(data, str(path))
    except FileReadError:
        return None


@dataclass
class Walk:
    """The files a walk found, and what it left out and why."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(project-relative path, reason) of directories that could not be read, and of the
    point where a limit stopped the walk."""

    @property
    def complete(self) -> bool:
        return not self.skipped


def walk_tree(root: Path, start: Path, suffixes: tuple[str, ...] | None = None, max_files: int = 50_000) -> Walk:
    """Files under ``start`` (inside ``root``), skipping virtualenvs, VCS and build dirs,
    never following a symlinked directory, sorted for deterministic reports. Unreadable
    directories, the ``max_files`` cap and the request's time budget are recorded in
    :attr:`Walk.skipped`, never passed over in silence.
    """
    from agentcore_readiness import budget

    walk = Walk()
    if not is_dir(start) or not inside(root, start):
        return walk

    def unreadable(error: OSError) -> None:
        where = rel_posix(root, Path(error.filename)) if error.filename else rel_posix(root, start)
        walk.skipped.append(
            (where, f"directory cannot be read ({error.strerror or error}); its files were not reviewed")
        )

    try:
        for dirpath, dirnames, filenames in os.walk(start, onerror=unreadable, followlinks=False):
            budget.check()
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info"))
            for name in sorted(filenames):
                if suffixes is None or name.endswith(suffixes):
                    if len(walk.files) >= max_files:
                        walk.skipped.append(
                            (
                                rel_posix(root, Path(dirpath) / name),
                                f"the {max_files:,}-file limit was reached here; this file and the ones after it "
                                "were not reviewed",
                            )
                        )
                        return walk
                    walk.files.append(Path(dirpath) / name)
    except budget.BudgetSpent as spent:
        walk.skipped.append((rel_posix(root, start), f"{spent.reason}; the rest of the tree was not reviewed"))
    return walk


def walk_files(root: Path, start: Path, suffixes: tuple[str, ...] | None = None, max_files: int = 50_000) -> list[Path]:
    """The files of :func:`walk_tree` (callers that need what was skipped use it directly)."""
    return walk_tree(root, start, suffixes, max_files).files

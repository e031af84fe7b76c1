"""Bounded, contained file reading for everything the product reads from a project.

Every read goes through :func:`read_text`: it refuses paths (and symlinks) that leave
the project root, files over a size limit, binary files and undecodable text, each
with a message that names the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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


class FileReadError(Exception):
    def __init__(self, rel_path: str, message: str, line: int | None = None) -> None:
        super().__init__(f"{rel_path}: {message}")
        self.rel_path = rel_path
        self.message = message
        self.line = line


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
    except (OSError, RuntimeError):
        return False
    return resolved == root or root in resolved.parents


def read_text(root: Path, path: Path, max_bytes: int = CONFIG_MAX_BYTES) -> TextFile:
    """Read a UTF-8 text file of the project, or raise :class:`FileReadError`."""
    rel = rel_posix(root, path)
    if not inside(root, path):
        raise FileReadError(rel, "is a symlink that points outside the project; not read")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileReadError(rel, f"cannot be read ({exc.strerror or exc})") from None
    if not is_file(path):
        raise FileReadError(rel, "is not a regular file")
    if size > max_bytes:
        raise FileReadError(rel, f"is {size:,} bytes, over the {max_bytes:,}-byte limit; not read")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileReadError(rel, f"cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in data[:8192]:
        raise FileReadError(rel, "is a binary file (contains NUL bytes); not read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileReadError(rel, f"is not valid UTF-8 (byte {exc.start})", line) from None
    return TextFile(rel, text)


def walk_files(root: Path, start: Path, suffixes: tuple[str, ...] | None = None, max_files: int = 50_000) -> list[Path]:
    """Files under ``start`` (inside ``root``), skipping virtualenvs, VCS and build dirs,
    never following a symlinked directory. Sorted for deterministic reports.
    """
    found: list[Path] = []
    if not is_dir(start) or not inside(root, start):
        return found
    for dirpath, dirnames, filenames in os.walk(start, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            if suffixes is None or name.endswith(suffixes):
                found.append(Path(dirpath) / name)
                if len(found) >= max_files:
                    return found
    return found

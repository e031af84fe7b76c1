"""``uv.lock`` read for what the rules need: each package's requirements (with extras and
markers), its optional dependencies by extra, whether it is the local project, and the
wheel the Linux ARM64 runtime would install with its size.

uv writes its lock in one regular shape (one ``[[package]]`` table per package, inline
tables one per line), so :func:`read_lock` reads that shape directly, line by line, which
is many times faster than a full TOML parse of a lock of several hundred packages (the
numbers are in ``benchmarks/lockfile.py``). Any line outside that shape sends the file to
:mod:`tomllib` instead, which also gives the error of a file that is not valid TOML.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from agentcore_readiness.facts.project.dependency_files import Requirement, normalize_dist

MAX_LOCK_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str
    requires: tuple[Requirement, ...]
    """Dependencies; optional ones carry ``when_extra``."""
    wheel: str | None
    size: int | None
    size_kind: str
    """``wheel`` (the chosen Linux wheel), ``sdist`` or ``none``."""
    local: bool
    """An editable / virtual / directory source (the project itself)."""


@dataclass(frozen=True)
class Lock:
    path: str
    packages: Mapping[str, LockedPackage]


class LockError(ValueError):
    """The lock cannot be read; the message says why."""


def read_lock(path: str, text: str) -> Lock:
    """Parse a ``uv.lock``; raises :class:`LockError` with the reason when it cannot be read."""
    try:
        items = list(_fast_packages(text))
    except _OutOfShape:
        items = _toml_packages(text)
    packages: dict[str, LockedPackage] = {}
    for item in items:
        package = _package(item)
        if package is not None:
            packages[package.name] = package
    return Lock(path=path, packages=packages)


def _toml_packages(text: str) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"is not valid TOML ({exc})") from None
    items = data.get("package", [])
    if not isinstance(items, list):
        raise LockError("has no [[package]] list")
    return [i for i in items if isinstance(i, dict)]


# ---------------------------------------------------------------------------
# The shape uv writes


class _OutOfShape(Exception):
    pass


_KEY = re.compile(r"^([A-Za-z0-9_-]+) = (.*)$")
_HEADER = re.compile(r"^\[package\.([A-Za-z0-9_.-]+)\]$")
_PAIR = re.compile(r'([A-Za-z0-9_-]+) = ("(?:[^"\\]|\\.)*"|\[[^\]]*\]|[0-9]+|true|false)')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_TABLES = re.compile(r"\{[^{}]*\}")


def _string(quoted: str) -> str:
    inner = quoted[1:-1]
    if "\\" not in inner:
        return inner
    try:
        value = json.loads(quoted)
    except ValueError:
        raise _OutOfShape from None
    return value if isinstance(value, str) else inner


def _inline(text: str) -> dict[str, Any]:
    """One inline table ``{ name = "x", extra = ["a"], size = 1 }``."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise _OutOfShape
    found: dict[str, Any] = {}
    for key, raw in _PAIR.findall(body):
        if raw.startswith('"'):
            found[key] = _string(raw)
        elif raw.startswith("["):
            found[key] = [_string(m.group(0)) for m in _STRING.finditer(raw)]
        elif raw.isdigit():
            found[key] = int(raw)
        else:
            found[key] = raw == "true"
    return found


def _artifact(text: str) -> dict[str, Any]:
    """A wheel or sdist entry: only its URL and size are needed (string search, no regex: these
    lines, with their hashes, are most of a lock)."""
    start = text.find('url = "')
    if start < 0 or not text.rstrip(",").endswith("}"):
        raise _OutOfShape
    end = text.find('"', start + 7)
    found: dict[str, Any] = {"url": text[start + 7 : end]}
    at = text.find("size = ", end)
    if at >= 0:
        digits = text[at + 7 : at + 27].split(",", 1)[0].split(" ", 1)[0].rstrip("}")
        if digits.isdigit():
            found["size"] = int(digits)
    return found


def _value(first: str, lines: Iterator[str], key: str = "") -> Any:
    """A value starting on this line: a string, a number, an inline table or an array of them."""
    table = _artifact if key in ("wheels", "sdist") else _inline
    if first.startswith('"'):
        return _string(first)
    if first.startswith("{"):
        return table(first)
    if first.isdigit():
        return int(first)
    if first in ("true", "false"):
        return first == "true"
    if first == "[]":
        return []
    if first.startswith("[") and first.endswith("]"):
        inner = first[1:-1].strip()
        if inner.startswith("{"):
            tables = _TABLES.findall(inner)
            if inner.count("{") != len(tables):
                raise _OutOfShape  # nested inline tables
            return [table(t) for t in tables]
        return [_string(m.group(0)) for m in _STRING.finditer(inner)]
    if first != "[":
        raise _OutOfShape
    items: list[Any] = []
    for line in lines:
        stripped = line.strip()
        if stripped == "]":
            return items
        if stripped.endswith(","):
            stripped = stripped[:-1]
        if stripped.startswith("{"):
            items.append(table(stripped))
        elif stripped.startswith('"'):
            items.append(_string(stripped))
        elif stripped:
            raise _OutOfShape
    raise _OutOfShape


def _fast_packages(text: str) -> Iterator[dict[str, Any]]:
    if not text.startswith("version = "):
        raise _OutOfShape
    blocks = text.split("\n[[package]]\n")
    _check_head(blocks[0])
    for block in blocks[1:]:
        yield _block(block)


_SKIPPED_TABLES = ("metadata", "dev-dependencies")
_HEAD_LINE = re.compile(r"^(?:[A-Za-z0-9_-]+ = .+|\s+.*|\]|\[[A-Za-z0-9_.-]+\])$")


def _check_head(head: str) -> None:
    """The lines before the first package: keys, array items and plain tables only."""
    for line in head.split("\n"):
        if line and not _HEAD_LINE.match(line):
            raise _OutOfShape


def _block(block: str) -> dict[str, Any]:
    item: dict[str, Any] = {}
    table = item
    skipping = False
    lines = iter(block.split("\n"))
    for line in lines:
        if not line:
            continue
        header = _HEADER.match(line)
        if header:
            name = header.group(1)
            skipping = name.split(".", 1)[0] in _SKIPPED_TABLES  # not needed: never parsed
            table = item
            for part in name.split("."):
                table = table.setdefault(part, {})
            continue
        if skipping:
            if line.startswith("["):
                raise _OutOfShape
            continue
        match = _KEY.match(line)
        if match is None:
            raise _OutOfShape
        key, first = match.group(1), match.group(2).strip()
        if key.startswith('"'):
            raise _OutOfShape
        table[key] = _value(first, lines, key)
    return item


# ---------------------------------------------------------------------------
# Packages


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _lock_dep(item: Mapping[str, object], when_extra: str | None = None) -> Requirement:
    extras = item.get("extra", [])
    marker = item.get("marker")
    return Requirement(
        normalize_dist(str(item.get("name", ""))),
        tuple(normalize_dist(str(e)) for e in extras) if isinstance(extras, list) else (),
        when_extra,
        marker if isinstance(marker, str) else None,
    )


def _package(item: Mapping[str, Any]) -> LockedPackage | None:
    if not isinstance(item.get("name"), str):
        return None
    requires = [_lock_dep(d) for d in _dicts(item.get("dependencies"))]
    optional = item.get("optional-dependencies", {})
    if isinstance(optional, dict):
        for extra, deps in optional.items():
            requires.extend(_lock_dep(d, normalize_dist(str(extra))) for d in _dicts(deps))
    source = item.get("source", {})
    local = isinstance(source, dict) and any(k in source for k in ("editable", "virtual", "directory"))
    wheel, size, kind = _choose_wheel(item)
    return LockedPackage(
        name=normalize_dist(item["name"]),
        version=str(item.get("version", "")),
        requires=tuple(requires),
        wheel=wheel,
        size=size,
        size_kind=kind,
        local=local,
    )


def _choose_wheel(item: Mapping[str, object]) -> tuple[str | None, int | None, str]:
    """The wheel the Linux ARM64 runtime would install (AgentCore runs on Graviton)."""
    wheels = [w for w in _dicts(item.get("wheels")) if isinstance(w.get("url"), str)]

    def rank(wheel: Mapping[str, object]) -> tuple[int, str]:
        filename = str(wheel["url"]).rsplit("/", 1)[-1]
        if "linux" in filename and ("aarch64" in filename or "arm64" in filename):
            return (0, filename)
        if filename.endswith("-none-any.whl"):
            return (1, filename)
        if "linux" in filename:
            return (2, filename)
        return (3, filename)

    if wheels:
        ranked = sorted((rank(w), index) for index, w in enumerate(wheels))
        best = ranked[0][0][0]
        chosen = wheels[[index for (group, _), index in ranked if group == best][-1]]  # highest CPython tag last
        size = chosen.get("size")
        return str(chosen["url"]).rsplit("/", 1)[-1], size if isinstance(size, int) else None, "wheel"
    sdist = item.get("sdist")
    if isinstance(sdist, dict) and isinstance(sdist.get("size"), int):
        return None, int(sdist["size"]), "sdist"
    return None, None, "none"

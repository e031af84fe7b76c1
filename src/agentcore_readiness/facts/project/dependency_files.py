"""Dependency files as installers read them: ``pyproject.toml`` (PEP 621 dependencies and
extras, PEP 735 ``[dependency-groups]`` with ``include-group``, uv's legacy
``[tool.uv] dev-dependencies`` and ``default-groups``, Poetry's main dependencies,
groups and extras) and pip requirements files (``-r`` includes, ``-e .`` and local
projects), every requirement with its file and line.
"""

from __future__ import annotations

import bisect
import posixpath
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from agentcore_readiness.facts.files import TextFile
from agentcore_readiness.model import Location

REQUIREMENTS_MAX_DEPTH = 5


class ProjectReader(Protocol):
    """Reads project files (``None`` when absent; unreadable files are reported by the reader)."""

    def read(self, rel: str, config: bool = False) -> TextFile | None: ...

    def error(
        self, source: str, message: str, line: int | None = None, ptr: str | None = None, config: bool = False
    ) -> None: ...


def normalize_dist(name: str) -> str:
    """A distribution name normalised as PEP 503 says (``Strands_Agents`` is ``strands-agents``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    """A requirement as installers resolve it: a distribution, the extras asked of it, and when it applies."""

    name: str
    """Normalised distribution name."""
    extras: tuple[str, ...] = ()
    when_extra: str | None = None
    """Only needed when this extra of the requiring distribution is asked for."""
    marker: str | None = None


_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Dependency:
    name: str
    """Normalised distribution name (PEP 503)."""
    spec: str
    path: str
    line: int | None
    section: str = ""
    """Where it is declared: ``[project].dependencies``, ``[dependency-groups] dev``,
    ``[project.optional-dependencies] aws``, ``requirements.txt``, ``RUN``."""
    via: str = ""
    """Why the build installs it, or why not (``installed by app/A/Dockerfile:7 `uv sync --no-dev```)."""
    installed_at: Location | None = None
    """The command that installs it, when it is a line of a file (a Dockerfile ``RUN``)."""

    @property
    def main(self) -> bool:
        """Declared as a dependency of the project itself, not in a group or an extra."""
        return not self.section.startswith(
            ("[dependency-groups]", "[tool.uv]", "[project.optional", "[tool.poetry.group")
        )


def dependency(spec: str, path: str, line: int | None, section: str) -> Dependency | None:
    match = _REQ_NAME.match(spec)
    if not match:
        return None
    return Dependency(normalize_dist(match.group(1)), spec.strip(), path, line, section)


# ---------------------------------------------------------------------------
# pyproject.toml


@dataclass(frozen=True)
class PyProject:
    path: str
    dependencies: tuple[Dependency, ...] = ()
    extras: Mapping[str, tuple[Dependency, ...]] = field(default_factory=dict)
    groups: Mapping[str, tuple[Dependency, ...]] = field(default_factory=dict)
    """PEP 735 groups (``include-group`` resolved), uv's ``dev-dependencies`` merged into ``dev``."""
    default_groups: tuple[str, ...] | None = None
    """``[tool.uv] default-groups``; ``None`` means uv's default (``dev``)."""
    poetry_groups: Mapping[str, tuple[Dependency, ...]] = field(default_factory=dict)
    """Poetry groups, ``main`` included."""
    poetry_optional_groups: frozenset[str] = frozenset()
    poetry_extras: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dynamic_dependencies: bool = False

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path) or "."


def read_pyproject(reader: ProjectReader, rel: str) -> PyProject | None:
    text_file = reader.read(rel)
    if text_file is None:
        return None
    try:
        data = tomllib.loads(text_file.text)
    except tomllib.TOMLDecodeError as exc:
        reader.error(rel, f"not valid TOML: {exc}")
        return None
    lines = text_file.text.splitlines()
    project = _table(data.get("project"))
    tool = _table(data.get("tool"))
    uv = _table(tool.get("uv"))
    poetry = _table(tool.get("poetry"))
    locate = _Locator(lines)
    deps = _specs(project.get("dependencies"), rel, locate, r"\[project\]", "dependencies", "[project].dependencies")
    extras = {
        str(name): _specs(
            value,
            rel,
            locate,
            r"\[project\.optional-dependencies\]",
            str(name),
            f"[project.optional-dependencies] {name}",
        )
        for name, value in _table(project.get("optional-dependencies")).items()
    }
    groups = _groups(_table(data.get("dependency-groups")), rel, locate)
    legacy_dev = _specs(
        uv.get("dev-dependencies"), rel, locate, r"\[tool\.uv\]", "dev-dependencies", "[tool.uv] dev-dependencies"
    )
    if legacy_dev:
        groups["dev"] = groups.get("dev", ()) + legacy_dev
    default_groups = uv.get("default-groups")
    poetry_groups, optional_groups = _poetry_groups(poetry, rel, locate)
    return PyProject(
        path=rel,
        dependencies=deps,
        extras=extras,
        groups=groups,
        default_groups=tuple(str(g) for g in default_groups) if isinstance(default_groups, list) else None,
        poetry_groups=poetry_groups,
        poetry_optional_groups=optional_groups,
        poetry_extras={
            str(k): tuple(normalize_dist(str(n)) for n in v if isinstance(n, str))
            for k, v in _table(poetry.get("extras")).items()
            if isinstance(v, list)
        },
        dynamic_dependencies="dependencies" in (project.get("dynamic") or []),
    )


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_ONE_LINE_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'([^\'\n]*)\'')


class _Locator:
    """Lines of declarations: the first line holding the text after the section and key that declare it."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self._strings: dict[str, list[int]] | None = None

    def _string_lines(self) -> dict[str, list[int]]:
        """Every one-line string literal's value with the lines (1-based, ascending) it is on,
        from one pass: looking each declaration up line by line would be quadratic."""
        if self._strings is None:
            found: dict[str, list[int]] = {}
            for number, text in enumerate(self.lines, start=1):
                if '"' not in text and "'" not in text:
                    continue
                for match in _ONE_LINE_STRING.finditer(text):
                    value = match.group(1) if match.group(1) is not None else match.group(2)
                    if match.group(1) is not None and "\\" in value:
                        try:
                            value = tomllib.loads(f"v = {match.group(0)}")["v"]
                        except tomllib.TOMLDecodeError:
                            continue
                    listed = found.setdefault(value, [])
                    if not listed or listed[-1] != number:
                        listed.append(number)
            self._strings = found
        return self._strings

    def anchor(self, header: str, key: str) -> int:
        start = next((n for n, t in enumerate(self.lines) if re.match(rf"^\s*{header}\s*$", t)), None)
        if start is None:
            return 0
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        found = next((n for n in range(start, len(self.lines)) if pattern.match(self.lines[n])), None)
        return found if found is not None else start

    def line_of(self, needle: str, start: int) -> int | None:
        """The first line from ``start`` (0-based) quoting ``needle``, else the first anywhere."""
        lines = self._string_lines().get(needle)
        if not lines:
            return None
        at = bisect.bisect_left(lines, start + 1)
        return lines[at] if at < len(lines) else lines[0]


def _specs(value: Any, rel: str, locate: _Locator, header: str, key: str, section: str) -> tuple[Dependency, ...]:
    if not isinstance(value, list):
        return ()
    start = locate.anchor(header, key)
    found = []
    for spec in value:
        if isinstance(spec, str):
            dep = dependency(spec, rel, locate.line_of(spec, start), section)
            if dep is not None:
                found.append(dep)
    return tuple(found)


def _groups(table: dict[str, Any], rel: str, locate: _Locator) -> dict[str, tuple[Dependency, ...]]:
    """PEP 735 groups with ``{include-group = "x"}`` entries resolved (cycles stop)."""

    def resolve(name: str, seen: tuple[str, ...]) -> tuple[Dependency, ...]:
        entries = table.get(name)
        if not isinstance(entries, list) or name in seen:
            return ()
        found = list(_specs(entries, rel, locate, r"\[dependency-groups\]", name, f"[dependency-groups] {name}"))
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("include-group"), str):
                found.extend(resolve(entry["include-group"], (*seen, name)))
        return tuple(found)

    return {str(name): resolve(str(name), ()) for name in table}


def _poetry_groups(
    poetry: dict[str, Any], rel: str, locate: _Locator
) -> tuple[dict[str, tuple[Dependency, ...]], frozenset[str]]:
    groups: dict[str, tuple[Dependency, ...]] = {}
    optional: set[str] = set()
    tables: list[tuple[str, str, Any]] = [("main", r"\[tool\.poetry\.dependencies\]", poetry.get("dependencies"))]
    tables.append(("dev", r"\[tool\.poetry\.dev-dependencies\]", poetry.get("dev-dependencies")))
    for name, group in _table(poetry.get("group")).items():
        table = _table(group)
        if table.get("optional") is True:
            optional.add(str(name))
        tables.append(
            (str(name), rf"\[tool\.poetry\.group\.{re.escape(str(name))}\.dependencies\]", table.get("dependencies"))
        )
    for name, header, table in tables:
        entries = _poetry_entries(_table(table), rel, locate, header, name)
        if entries:
            groups[name] = groups.get(name, ()) + entries
    return groups, frozenset(optional)


def _poetry_entries(
    table: dict[str, Any], rel: str, locate: _Locator, header: str, group: str
) -> tuple[Dependency, ...]:
    found: list[Dependency] = []
    start = locate.anchor(header, "")
    for name, value in table.items():
        if name.lower() == "python":
            continue
        if isinstance(value, dict) and value.get("optional") is True and group == "main":
            continue  # only with its extra
        version = value if isinstance(value, str) else str(_table(value).get("version", ""))
        line = next(
            (
                n + 1
                for n in range(start, len(locate.lines))
                if re.match(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=", locate.lines[n])
            ),
            None,
        )
        section = "[tool.poetry.dependencies]" if group == "main" else f"[tool.poetry.group.{group}]"
        found.append(
            Dependency(normalize_dist(name), f"{name}{version if version[:1] in '<>=!~' else ''}", rel, line, section)
        )
    return tuple(found)


# ---------------------------------------------------------------------------
# requirements files


@dataclass(frozen=True)
class LocalProject:
    """A local project a requirements file installs (``-e .``, ``./lib[extra]``)."""

    directory: str
    extras: tuple[str, ...]
    line: int
    path: str
    """The requirements file naming it."""


@dataclass(frozen=True)
class Requirements:
    dependencies: tuple[Dependency, ...]
    projects: tuple[LocalProject, ...]
    files: tuple[str, ...]
    """The files read (includes followed)."""


_EXTRAS = re.compile(r"^(?P<path>.*?)(?:\[(?P<extras>[^\]]*)\])?$")


def split_extras(target: str) -> tuple[str, tuple[str, ...]]:
    """``.[a2a,otel]`` -> (``.``, (``a2a``, ``otel``))."""
    match = _EXTRAS.match(target.strip().strip("\"'"))
    if match is None:
        return target, ()
    extras = tuple(normalize_dist(e) for e in (match.group("extras") or "").split(",") if e.strip())
    return match.group("path"), extras


def read_requirements(reader: ProjectReader, rel: str) -> Requirements | None:
    """A requirements file and the files it includes (``-r``), at most five levels deep."""
    deps: list[Dependency] = []
    projects: list[LocalProject] = []
    files: list[str] = []
    if not _read_requirements(reader, rel, deps, projects, files, 0):
        return None
    return Requirements(tuple(deps), tuple(projects), tuple(files))


def _read_requirements(
    reader: ProjectReader, rel: str, deps: list[Dependency], projects: list[LocalProject], files: list[str], depth: int
) -> bool:
    if rel in files or depth > REQUIREMENTS_MAX_DEPTH:
        return True
    text_file = reader.read(rel)
    if text_file is None:
        return False
    files.append(rel)
    base = posixpath.dirname(rel)
    for number, raw in enumerate(text_file.text.splitlines(), start=1):
        line = re.split(r"\s#", raw, maxsplit=1)[0].strip()
        if not line or line.startswith("#"):
            continue
        option = re.match(r"^(-r|--requirement|-e|--editable|-c|--constraint)(?:\s+|=)?(.*)$", line)
        if option:
            flag, value = option.group(1), option.group(2).strip()
            if flag in ("-r", "--requirement"):
                _read_requirements(
                    reader, posixpath.normpath(posixpath.join(base, value)), deps, projects, files, depth + 1
                )
            elif flag in ("-e", "--editable"):
                _local_project(value, base, number, rel, projects)
            continue
        if line.startswith("-"):
            continue
        if line.startswith((".", "/")) or ("/" in line.split("[", 1)[0] and "://" not in line and "@" not in line):
            _local_project(line, base, number, rel, projects)
            continue
        found = dependency(line, rel, number, posixpath.basename(rel))
        if found is not None:
            deps.append(found)
    return True


def _local_project(value: str, base: str, line: int, rel: str, projects: list[LocalProject]) -> None:
    path, extras = split_extras(value)
    if "://" in path or path.startswith("git+"):
        return
    directory = posixpath.normpath(posixpath.join(base, path)) if not path.startswith("/") else path
    projects.append(LocalProject(directory, extras, line, rel))

"""Ignore files read the way git and Docker read them.

* :class:`GitIgnores`: whether git ignores a path of the project, from the ``.gitignore``
  of every directory between the repository's top level (the nearest ancestor holding
  ``.git``, else the project root) and the path. Deeper files override shallower ones,
  the last matching line of a file wins, ``!`` re-includes, and a path inside an ignored
  directory stays ignored whatever a later ``!`` says (git never looks inside it).
* :class:`DockerIgnore`: whether a build context's ``.dockerignore`` keeps a path out of
  the context. Docker's patterns are anchored at the context root (``*.pyc`` matches only
  at the top; ``**/`` matches any depth), a leading ``/`` and a trailing ``/`` are
  dropped, the last matching line wins, and ``!`` re-includes even inside an excluded
  directory (Docker sends files one by one).

Matching is done by :mod:`pathspec` (gitignore's wildmatch); the Docker rules are
translated to anchored wildmatch patterns and evaluated in order, without git's
directory-pruning rule. Every file is read through the bounded reader of
:mod:`agentcore_readiness.facts.files`.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from pathlib import Path

import pathspec

from agentcore_readiness.facts.files import FileReadError, exists, is_file, read_text
from agentcore_readiness.model import FactError, Location
from agentcore_readiness.roots import OutsideRoots, check_path

GITIGNORE = ".gitignore"
DOCKERIGNORE = ".dockerignore"


@dataclass(frozen=True)
class IgnoreRule:
    """One line of an ignore file."""

    file: str
    """The ignore file, relative to the project root (``../.gitignore`` above it)."""
    line: int
    pattern: str
    """As written (``!`` included)."""

    @property
    def negated(self) -> bool:
        return self.pattern.startswith("!")

    def __str__(self) -> str:
        return f"{self.file}:{self.line} `{self.pattern}`"


@dataclass(frozen=True)
class IgnoreVerdict:
    """Whether a path is ignored, and the line that decided it."""

    path: str
    ignored: bool
    rule: IgnoreRule | None = None
    """The deciding line; ``None`` when no line matches."""
    inside: str | None = None
    """Set when the path is ignored because this directory of it is."""

    def describe(self) -> str:
        if self.rule is None:
            return f"{self.path} is not matched by any ignore rule"
        if self.inside is not None:
            return f"{self.path} is ignored: its directory {self.inside}/ is ignored by {self.rule}"
        if self.ignored:
            return f"{self.path} is ignored by {self.rule}"
        return f"{self.path} is re-included by {self.rule}"


@dataclass(frozen=True)
class _PatternFile:
    path: str
    lines: tuple[tuple[int, str], ...]
    spec: pathspec.PathSpec[pathspec.Pattern]

    def check(self, rel: str) -> tuple[bool, IgnoreRule] | None:
        result = self.spec.check_file(rel)
        if result.include is None or result.index is None:
            return None
        line, pattern = self.lines[result.index]
        return result.include, IgnoreRule(self.path, line, pattern)


def _pattern_lines(text: str, keep: bool = False) -> list[tuple[int, str]]:
    """Non-empty lines with their numbers (comments too when ``keep``: pathspec reads them as no-ops)."""
    found: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line:
            continue
        if not keep and (not line.strip() or line.lstrip().startswith("#")):
            continue
        found.append((number, line))
    return found


# ---------------------------------------------------------------------------
# git


def _allowed(path: Path) -> bool:
    try:
        check_path(path)
    except OutsideRoots:
        return False
    return True


def repository_top(root: Path) -> Path:
    """The git top level of ``root``: its nearest ancestor (itself included) with a ``.git``,
    not above the directories this process may read; ``root`` when there is none.
    """
    root = root.resolve()
    for candidate in (root, *root.parents):
        if not _allowed(candidate):
            break
        if exists(candidate / ".git"):
            return candidate
    return root


class GitIgnores:
    """The ``.gitignore`` files of the repository holding a project, each read once."""

    def __init__(self, project_root: Path, top: Path | None = None) -> None:
        self.root = project_root.resolve()
        self.top = (top or repository_top(self.root)).resolve()
        prefix = self.root.relative_to(self.top).as_posix() if self.root != self.top else ""
        self._prefix = "" if prefix in ("", ".") else prefix + "/"
        self._files: dict[str, _PatternFile | None] = {}
        self._dirs: dict[str, IgnoreVerdict] = {}
        self.errors: list[FactError] = []

    def _shown(self, top_rel: str) -> str:
        """A path relative to the top level, shown relative to the project root."""
        if top_rel.startswith(self._prefix):
            return top_rel[len(self._prefix) :]
        return posixpath.relpath(top_rel or ".", self._prefix.rstrip("/"))

    def _file(self, directory: str) -> _PatternFile | None:
        if directory in self._files:
            return self._files[directory]
        rel = f"{directory}/{GITIGNORE}" if directory else GITIGNORE
        path = self.top / rel
        loaded: _PatternFile | None = None
        if is_file(path):
            shown = self._shown(rel)
            try:
                text = read_text(self.top, path).text
            except FileReadError as exc:
                self.errors.append(
                    FactError(source=shown, message=exc.message, location=Location(path=shown, line=exc.line))
                )
            else:
                lines = tuple(_pattern_lines(text, keep=True))
                spec = pathspec.GitIgnoreSpec.from_lines(line for _, line in lines)
                if len(spec.patterns) == len(lines):
                    loaded = _PatternFile(shown, lines, spec)
        self._files[directory] = loaded
        return loaded

    def _decide(self, top_rel: str, is_dir: bool) -> tuple[bool, IgnoreRule] | None:
        parts = top_rel.split("/")
        decided: tuple[bool, IgnoreRule] | None = None
        for depth in range(len(parts)):
            directory = "/".join(parts[:depth])
            pattern_file = self._file(directory)
            if pattern_file is None:
                continue
            rel = "/".join(parts[depth:]) + ("/" if is_dir else "")
            found = pattern_file.check(rel)
            if found is not None:
                decided = found  # a deeper file overrides a shallower one
        return decided

    def check(self, rel: str, is_dir: bool = False) -> IgnoreVerdict:
        """Whether git ignores ``rel`` (relative to the project root, ``/``-separated)."""
        top_rel = self._prefix + rel.strip("/")
        parts = top_rel.split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            verdict = self._dirs.get(directory)
            if verdict is None:
                found = self._decide(directory, is_dir=True)
                verdict = IgnoreVerdict(directory, bool(found and found[0]), found[1] if found else None)
                self._dirs[directory] = verdict
            if verdict.ignored:
                return IgnoreVerdict(rel, True, verdict.rule, inside=self._shown(directory))
        found = self._decide(top_rel, is_dir)
        if found is None:
            return IgnoreVerdict(rel, False)
        return IgnoreVerdict(rel, found[0], found[1])

    @property
    def top_shown(self) -> str:
        """The top level, relative to the project root (``.`` when it is the project root)."""
        return self._shown("") or "."


# ---------------------------------------------------------------------------
# Docker


def docker_pattern(raw: str) -> str | None:
    """A ``.dockerignore`` line as an anchored wildmatch pattern (``None`` for a no-op line).

    Docker cleans each pattern like Go's ``filepath.Clean`` (``./a//b/`` is ``a/b``) and
    matches it from the context root, so ``/a`` and ``a`` are the same pattern.
    """
    line = raw.strip()
    if not line or line.startswith("#"):
        return None
    negate = line.startswith("!")
    body = line[1:].strip() if negate else line
    body = posixpath.normpath(body.replace("\\", "/")).lstrip("/")
    if body in ("", "."):
        return None
    return ("!" if negate else "") + "/" + body


@dataclass(frozen=True)
class DockerIgnore:
    """A build context's ``.dockerignore`` (or the Dockerfile's own ``<Dockerfile>.dockerignore``)."""

    path: str
    patterns: tuple[str, ...]
    """The rules as written, comments and blank lines left out."""
    lines: tuple[int, ...] = ()
    """The line of each rule."""

    @classmethod
    def parse(cls, path: str, text: str) -> DockerIgnore:
        lines = _pattern_lines(text)
        return cls(path=path, patterns=tuple(p.strip() for _, p in lines), lines=tuple(n for n, _ in lines))

    @functools.cached_property
    def _compiled(self) -> tuple[tuple[tuple[int, str], ...], pathspec.PathSpec[pathspec.Pattern]]:
        kept: list[tuple[int, str]] = []
        translated: list[str] = []
        numbers = self.lines or tuple(range(1, len(self.patterns) + 1))
        for number, pattern in zip(numbers, self.patterns, strict=False):
            wildmatch = docker_pattern(pattern)
            if wildmatch is not None:
                kept.append((number, pattern))
                translated.append(wildmatch)
        return tuple(kept), pathspec.PathSpec.from_lines("gitignore", translated)

    def check(self, rel: str) -> IgnoreVerdict:
        """Whether ``rel`` (relative to the build context) is left out of the context."""
        kept, spec = self._compiled
        result = spec.check_file(rel.strip("/"))
        if result.include is None or result.index is None:
            return IgnoreVerdict(rel, False)
        line, pattern = kept[result.index]
        return IgnoreVerdict(rel, result.include, IgnoreRule(self.path, line, pattern))

    def excludes(self, rel: str) -> bool:
        return self.check(rel).ignored


def read_dockerignore(root: Path, rel: str) -> tuple[DockerIgnore | None, FactError | None]:
    """Read the ``.dockerignore`` at ``rel`` (project-relative) when it exists."""
    path = root / rel
    if not exists(path):
        return None, None
    try:
        text = read_text(root, path).text
    except FileReadError as exc:
        return None, FactError(source=rel, message=exc.message, location=Location(path=rel, line=exc.line))
    return DockerIgnore.parse(rel, text), None

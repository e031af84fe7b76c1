"""The reviewed project's own configuration: ``[tool.agentcore-readiness]``.

It is found in the nearest ``pyproject.toml`` that has the section, or in an
``agentcore-readiness.toml`` (the same keys at its top level), looking from the project root
up to the repository root; ``--config FILE`` names one instead, and ``--no-project-config``
(a server operator's choice) ignores them all. Keys:

* ``select`` / ``ignore``: rule codes or prefixes;
* ``workload``: the session-lifecycle workload;
* ``exclude``: paths left out of the code scan;
* ``accept``: findings accepted on purpose, one table each with ``rule``, a ``reason`` (required)
  and what it applies to: ``resource`` (the runtime, gateway or resource name, or an ARN),
  ``path`` (a file or glob) and/or ``fingerprint``.

Paths are relative to the directory of the file that holds them. Whatever the configuration
switches off or accepts is shown in every report format.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Literal

from agentcore_readiness.facts.files import CONFIG_MAX_BYTES, FileReadError, exists, is_file, read_text
from agentcore_readiness.model import FactError, Finding, Location

SECTION = "agentcore-readiness"
STANDALONE_FILE = "agentcore-readiness.toml"
WORKLOADS = ("interactive", "request-reply", "batch", "background")
_KNOWN_KEYS = frozenset({"select", "ignore", "workload", "exclude", "accept"})
_ACCEPT_KEYS = frozenset({"rule", "reason", "resource", "path", "fingerprint"})


class ConfigError(Exception):
    """A configuration file named by the user that cannot be used."""


@dataclass(frozen=True)
class Accept:
    """One ``accept`` entry: a finding kept out of the verdict on purpose, with the reason."""

    rule: str
    reason: str
    label: str
    """Where it is written, e.g. ``pyproject.toml accept[2]``."""
    resource: str | None = None
    path: str | None = None
    """Glob relative to the project root."""
    fingerprint: str | None = None

    def matches(self, finding: Finding) -> bool:
        if finding.rule != self.rule:
            return False
        if self.fingerprint is not None and finding.fingerprint != self.fingerprint:
            return False
        if self.path is not None and not _path_matches(finding.location.path, self.path):
            return False
        return self.resource is None or _resource_matches(finding, self.resource)


def _path_matches(path: str | None, pattern: str) -> bool:
    if path is None:
        return False
    pattern = pattern.strip().rstrip("/")
    return pattern == "*" or fnmatch(path, pattern) or path.startswith(pattern + "/")


def _resource_matches(finding: Finding, resource: str) -> bool:
    if finding.subject == resource:
        return True
    arn = finding.location.arn
    return arn is not None and (arn == resource or arn.endswith("/" + resource))


@dataclass(frozen=True)
class ToolSettings:
    """The project's ``[tool.agentcore-readiness]`` settings, paths made relative to the project root."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    workload: str | None = None
    exclude: tuple[str, ...] = ()
    accept: tuple[Accept, ...] = ()
    source: str | None = None
    """The file they come from (relative to the repository root when inside it); ``None`` without one."""


@dataclass(frozen=True)
class ConfigChoice:
    """Where a review takes the project's configuration from."""

    mode: Literal["discover", "file", "none"] = "discover"
    file: Path | None = None


_process_default = ConfigChoice()


def set_default_choice(choice: ConfigChoice) -> None:
    """Set the configuration choice of every review in this process (``serve --no-project-config``)."""
    global _process_default
    _process_default = choice


def default_choice() -> ConfigChoice:
    return _process_default


def repository_root(path: Path) -> Path | None:
    """The git working tree holding ``path`` (a ``.git`` directory or worktree file), or ``None``."""
    start = path if path.is_dir() else path.parent
    for candidate in (start, *start.parents):
        if exists(candidate / ".git"):
            return candidate
    return None


def check_config_file(path: Path) -> None:
    """Raise :class:`ConfigError` when ``--config FILE`` cannot be read or parsed."""
    _parse_file(path, path.parent)


def load_settings(
    project_root: Path, choice: ConfigChoice | None = None, rule_codes: Collection[str] | None = None
) -> tuple[ToolSettings, list[FactError]]:
    """The settings for the project at ``project_root`` and the problems found in them.

    ``rule_codes`` are the codes an ``accept`` entry may name (the caller knows the rule registry;
    this module sits below it); an entry naming another code is reported and dropped. ``None``
    checks no code: for callers that read the project but apply no accepts.
    """
    choice = choice or _process_default
    if choice.mode == "none":
        return ToolSettings(), []
    repo = repository_root(project_root)
    errors: list[FactError] = []
    if choice.mode == "file" and choice.file is not None:
        path = choice.file.resolve()
        try:
            section = _parse_file(path, path.parent)
        except ConfigError as exc:
            errors.append(FactError(source=str(choice.file), message=str(exc), fact="config"))
            return ToolSettings(), errors
        shown = _shown(path, repo) if repo else str(choice.file)
        return _settings(section or {}, path.parent, project_root, shown, errors, rule_codes), errors
    found = _discover(project_root, repo or project_root, errors)
    if found is None:
        return ToolSettings(), errors
    path, section = found
    shown = _shown(path, repo or project_root)
    return _settings(section, path.parent, project_root, shown, errors, rule_codes), errors


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _readable(directory: Path) -> bool:
    """Inside the directories a server may read (``--root``, MCP roots); everywhere for the CLI."""
    from agentcore_readiness.roots import current_roots

    roots = current_roots()
    return roots is None or any(directory == root or root in directory.parents for root in roots)


def _discover(project_root: Path, stop: Path, errors: list[FactError]) -> tuple[Path, dict[str, Any]] | None:
    """The nearest configuration from ``project_root`` up to ``stop``, never above the readable roots."""
    directory = project_root
    while _readable(directory):
        for name in (STANDALONE_FILE, "pyproject.toml"):
            candidate = directory / name
            if not is_file(candidate):
                continue
            try:
                section = _parse_file(candidate, stop)
            except ConfigError as exc:
                errors.append(
                    FactError(
                        source=_shown(candidate, project_root),
                        message=str(exc),
                        location=Location(path=_shown(candidate, project_root)),
                        fact="config",
                    )
                )
                continue
            if section is not None:
                return candidate, section
        if directory == stop or stop not in directory.parents:
            return None
        directory = directory.parent
    return None


def _parse_file(path: Path, root: Path) -> dict[str, Any] | None:
    """The configuration table of ``path`` (``None`` when a pyproject.toml has no such section)."""
    try:
        text = read_text(root, path, max_bytes=CONFIG_MAX_BYTES).text
    except FileReadError as exc:
        raise ConfigError(f"{path.name} {exc.message}") from None
    except OSError as exc:
        raise ConfigError(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        section = data.get("tool", {}).get(SECTION)
        if section is None:
            return None
    else:
        section = data.get("tool", {}).get(SECTION, data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path.name}: [tool.{SECTION}] must be a table")
    return section


def _settings(
    section: dict[str, Any],
    config_dir: Path,
    project_root: Path,
    shown: str,
    errors: list[FactError],
    rule_codes: Collection[str] | None,
) -> ToolSettings:
    def error(message: str) -> None:
        errors.append(FactError(source=shown, message=message, location=Location(path=shown), fact="config"))

    for key in sorted(set(section) - _KNOWN_KEYS):
        error(f"[tool.{SECTION}] has an unknown key {key!r} (known: {', '.join(sorted(_KNOWN_KEYS))})")

    def strings(key: str) -> tuple[str, ...]:
        value = section.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            error(f"[tool.{SECTION}] {key} must be a list of strings")
            return ()
        return tuple(v.strip() for v in value if v.strip())

    workload = section.get("workload")
    if workload is not None and workload not in WORKLOADS:
        error(f"[tool.{SECTION}] workload must be one of {', '.join(WORKLOADS)}, not {workload!r}")
        workload = None
    prefix = _project_prefix(config_dir, project_root)
    return ToolSettings(
        select=tuple(c.upper() for c in strings("select")),
        ignore=tuple(c.upper() for c in strings("ignore")),
        workload=workload,
        exclude=tuple(p for p in (_rebase(pattern, prefix) for pattern in strings("exclude")) if p),
        accept=_accepts(section.get("accept", []), prefix, shown, error, rule_codes),
        source=shown,
    )


def _project_prefix(config_dir: Path, project_root: Path) -> str | None:
    """The project root relative to the configuration's directory (``""`` when the same), or ``None``."""
    try:
        rel = project_root.resolve().relative_to(config_dir.resolve()).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def _rebase(pattern: str, prefix: str | None) -> str | None:
    """A path pattern written relative to the configuration file, made relative to the project root;
    ``None`` when it points elsewhere in the repository."""
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if not prefix or pattern.startswith(("*", "?", "[")):
        return pattern
    if pattern.startswith(prefix + "/"):
        return pattern[len(prefix) + 1 :]
    if prefix == pattern.rstrip("/") or prefix.startswith(pattern.rstrip("/") + "/"):
        return "*"
    return None


def _accepts(
    value: Any, prefix: str | None, shown: str, error: Any, rule_codes: Collection[str] | None
) -> tuple[Accept, ...]:
    if not isinstance(value, list):
        error(f"[tool.{SECTION}] accept must be an array of tables: accept = [{{rule = ..., reason = ...}}]")
        return ()
    accepted: list[Accept] = []
    for index, entry in enumerate(value):
        label = f"{shown} accept[{index}]"
        if not isinstance(entry, dict):
            error(f"{label} must be a table with rule, reason and resource, path or fingerprint")
            continue
        unknown = sorted(set(entry) - _ACCEPT_KEYS)
        if unknown:
            error(f"{label} has unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_ACCEPT_KEYS))})")
            continue
        fields = {k: entry.get(k) for k in _ACCEPT_KEYS}
        if not all(v is None or isinstance(v, str) for v in fields.values()):
            error(f"{label}: every value must be a string")
            continue
        rule, reason = (fields["rule"] or "").strip().upper(), (fields["reason"] or "").strip()
        if not rule:
            error(f"{label} names no rule")
            continue
        if rule_codes is not None and rule not in rule_codes:
            error(f"{label}: unknown rule {rule} (see `agentcore-readiness rules`)")
            continue
        if not reason:
            error(f"{label} ({rule}) gives no reason; an accepted finding needs one, so it still counts")
            continue
        if not (fields["resource"] or fields["path"] or fields["fingerprint"]):
            error(f"{label} ({rule}) names no resource, path or fingerprint; to turn a rule off use ignore")
            continue
        path = fields["path"]
        if path is not None:
            path = _rebase(path, prefix)
            if path is None:
                continue
        accepted.append(
            Accept(
                rule=rule,
                reason=reason,
                label=label,
                resource=fields["resource"],
                path=path,
                fingerprint=fields["fingerprint"],
            )
        )
    return tuple(accepted)

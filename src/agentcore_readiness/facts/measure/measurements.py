"""Local measurements (input X): deployment package size, the installed AgentCore CLI,
and, on request only, how long the agent's entrypoint takes to import.

* Package size is measured from files: the runtime's code location plus the resolved
  runtime dependencies, from the virtualenv's installed files (``.venv``) or from the
  wheel sizes recorded in ``uv.lock``. Without either, the size is an estimate that says
  so.
* The CLI is found on ``PATH`` and its version read from the npm package's
  ``package.json`` (or the starter toolkit's ``dist-info``) through the executable's
  resolved path; only when neither is found is ``agentcore --version`` run, with a short
  time limit.
* The import timing runs the entrypoint's import in a separate Python process, in its
  own process group, with a hard timeout after which the whole group is killed. User
  code is never imported into this process.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agentcore_readiness import budget
from agentcore_readiness.facts import UndeclaredFact
from agentcore_readiness.facts.files import (
    FileReadError,
    inside,
    is_dir,
    is_file,
    read_bytes,
    read_host_text,
    read_text,
    rel_posix,
)
from agentcore_readiness.facts.measure.uv_lock import MAX_LOCK_BYTES, Lock
from agentcore_readiness.facts.measure.uv_lock import LockedPackage as LockedPackage
from agentcore_readiness.facts.measure.uv_lock import read_lock as parse_lock
from agentcore_readiness.facts.project.dependency_files import Requirement as Requirement
from agentcore_readiness.facts.project.dependency_files import normalize_dist as normalize_dist
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.project.project_facts import ProjectFacts, Runtime

MB = 1024 * 1024
CODE_WALK_MAX_ENTRIES = 200_000
CLI_VERSION_TIMEOUT = 3.0
IMPORT_TIMEOUT = 30.0
RESULT_MAX_BYTES = 16 * 1024
METADATA_MAX_BYTES = 1024 * 1024
"""Headers come first in METADATA: only this much of it is read (long descriptions follow)."""
RECORD_MAX_BYTES = 16 * 1024 * 1024
TOP_LEVEL_MAX_BYTES = 64 * 1024
MAX_DISTRIBUTIONS = 5_000

# Directories never shipped in a package (VCS, virtualenvs, caches, build output).
_NOT_SHIPPED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        ".nox",
        "cdk.out",
        ".idea",
        ".vscode",
    }
)


# ---------------------------------------------------------------------------
# Installed distributions (a virtualenv)


@dataclass(frozen=True)
class InstalledDist:
    name: str
    version: str
    modules: tuple[str, ...]
    """Importable module paths the distribution provides (``yaml``, ``opentelemetry.instrumentation.langchain``)."""
    requires: tuple[Requirement, ...]
    size: int
    """Installed bytes, from its RECORD."""


@dataclass(frozen=True)
class Environment:
    path: str
    """Project-relative path of the virtualenv."""
    dists: Mapping[str, InstalledDist]
    skipped: tuple[str, ...] = ()
    """What of it could not be read, and why (the distributions listed may be incomplete)."""


_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?([^;]*)(?:;(.*))?$")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def parse_requirement(text: str) -> Requirement | None:
    match = _REQ.match(text)
    if not match:
        return None
    extras = tuple(normalize_dist(e) for e in (match.group(2) or "").split(",") if e.strip())
    marker = (match.group(4) or "").strip() or None
    when_extra = None
    if marker:
        extra = _EXTRA_MARKER.search(marker)
        if extra:
            when_extra = normalize_dist(extra.group(1))
    return Requirement(normalize_dist(match.group(1)), extras, when_extra, marker)


_OTHER_PLATFORMS = re.compile(
    r"""(?:sys_platform|platform_system|os_name)\s*==\s*['"](?:win32|cygwin|darwin|Windows|Darwin|nt|emscripten|ios)['"]"""
)


def applies_on_linux(marker: str | None) -> bool:
    """Whether a dependency marker can hold on the Linux runtime (Python version markers are kept)."""
    return not (marker and _OTHER_PLATFORMS.search(marker))


def find_environment(root: Path, code_location: str | None) -> Path | None:
    """The virtualenv of a runtime: ``<codeLocation>/.venv``, else the project's ``.venv``."""
    candidates = []
    if code_location is not None:
        candidates.append((root / code_location / ".venv") if code_location != "." else root / ".venv")
    candidates.append(root / ".venv")
    for candidate in candidates:
        if is_file(candidate / "pyvenv.cfg") and _inside(root, candidate):
            return candidate
    return None


def _inside(root: Path, path: Path) -> bool:
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return False
    root = root.resolve()
    return resolved == root or root in resolved.parents


def _site_packages(venv: Path) -> list[Path]:
    found = sorted(venv.glob("lib/python*/site-packages")) + sorted(venv.glob("Lib/site-packages"))
    return [p for p in found if is_dir(p)]


def read_environment(root: Path, venv: Path, with_sizes: bool) -> Environment:
    """The distributions installed in a virtualenv of the project. Only what lies inside
    the project is read (a ``site-packages`` or ``.dist-info`` linked elsewhere is
    skipped), every file through the bounded reader; what was skipped is listed."""
    dists: dict[str, InstalledDist] = {}
    skipped: list[str] = []
    for site in _site_packages(venv):
        if not inside(root, site):
            skipped.append(f"{rel_posix(root, site)} points outside the project; not read")
            continue
        try:
            infos = sorted(site.glob("*.dist-info"))
        except OSError as exc:
            skipped.append(f"{rel_posix(root, site)} cannot be read ({exc.strerror or exc})")
            continue
        if len(infos) > MAX_DISTRIBUTIONS:
            skipped.append(
                f"{rel_posix(root, site)} holds {len(infos):,} distributions; only the first "
                f"{MAX_DISTRIBUTIONS:,} were read"
            )
            infos = infos[:MAX_DISTRIBUTIONS]
        for info in infos:
            budget.check()
            try:
                dist = _read_dist_info(root, info, with_sizes)
            except FileReadError as exc:
                skipped.append(f"{exc.rel_path} {exc.message}")
                continue
            if dist is not None:
                dists.setdefault(dist.name, dist)
    rel = venv.relative_to(root).as_posix() if _inside(root, venv) else str(venv)
    return Environment(path=rel, dists=dists, skipped=tuple(skipped))


def _optional_text(root: Path, path: Path, max_bytes: int) -> str:
    """A file of a dist-info that may be absent: empty when it is."""
    try:
        present = path.exists() or path.is_symlink()
    except (OSError, ValueError):
        present = False
    return read_text(root, path, max_bytes, count=True).text if present else ""


def _read_dist_info(root: Path, info: Path, with_sizes: bool) -> InstalledDist | None:
    """One installed distribution; :class:`FileReadError` when a file of it is a FIFO, a
    device, a link out of the project, over its size limit or unreadable."""
    metadata_file = info / "METADATA"
    if not (metadata_file.exists() or metadata_file.is_symlink()):
        return None
    head = read_bytes(root, metadata_file, METADATA_MAX_BYTES, prefix=True, count=True)
    metadata = head.decode("utf-8", "replace")
    name = version = ""
    requires: list[Requirement] = []
    for line in metadata.splitlines():
        if not line.strip():
            break  # headers end at the first blank line
        key, _, value = line.partition(":")
        value = value.strip()
        if key == "Name":
            name = value
        elif key == "Version":
            version = value
        elif key == "Requires-Dist":
            requirement = parse_requirement(value)
            if requirement is not None:
                requires.append(requirement)
    if not name:
        return None
    paths: list[str] = []
    size = 0
    record = _optional_text(root, info / "RECORD", RECORD_MAX_BYTES)
    for line in record.splitlines():
        parts = line.rsplit(",", 2)
        if len(parts) != 3:
            continue
        path, _, size_text = parts
        paths.append(path.strip('"'))
        if with_sizes and size_text.isdigit():
            size += int(size_text)
    modules = _modules_from_record(paths)
    if not modules:
        top_level = _optional_text(root, info / "top_level.txt", TOP_LEVEL_MAX_BYTES)
        modules = tuple(sorted({m.strip().replace("/", ".") for m in top_level.splitlines() if m.strip()}))
    return InstalledDist(normalize_dist(name), version, modules, tuple(requires), size)


_EXT_SUFFIX = re.compile(r"(\.cpython-[^.]*|\.abi3|\.cp\d+[^.]*)?\.(so|pyd)$")


def _modules_from_record(paths: Sequence[str]) -> tuple[str, ...]:
    """Importable modules from a RECORD: the shallowest package with an ``__init__.py`` on
    each file's path, or the top-level module file; namespace packages give their inner
    packages (``opentelemetry.instrumentation.langchain``).
    """
    files = [p for p in paths if not p.startswith("..") and ".dist-info/" not in p and "__pycache__" not in p]
    present = set(files)
    modules: set[str] = set()
    for path in files:
        parts = path.split("/")
        if len(parts) == 1:
            if path.endswith(".py"):
                modules.add(path[:-3])
            elif _EXT_SUFFIX.search(path):
                modules.add(_EXT_SUFFIX.sub("", path))
            continue
        if not (path.endswith(".py") or _EXT_SUFFIX.search(path)):
            continue
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            if prefix + "/__init__.py" in present:
                modules.add(prefix.replace("/", "."))
                break
        else:
            modules.add("/".join(parts[:-1]).replace("/", "."))
    return tuple(sorted(m for m in modules if m and not m.endswith(".data") and "-" not in m))


def closure(roots: Iterable[Requirement], provides: Mapping[str, Iterable[Requirement]]) -> tuple[set[str], set[str]]:
    """Every distribution the roots need (their extras included), and the ones not found."""
    wanted: set[str] = set()
    missing: set[str] = set()
    queue: list[Requirement] = [r for r in roots if applies_on_linux(r.marker)]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while queue:
        requirement = queue.pop()
        key = (requirement.name, requirement.extras)
        if key in seen:
            continue
        seen.add(key)
        if requirement.name not in provides:
            missing.add(requirement.name)
            continue
        wanted.add(requirement.name)
        for dep in provides[requirement.name]:
            if not applies_on_linux(dep.marker):
                continue
            if dep.when_extra is not None and dep.when_extra not in requirement.extras:
                continue
            queue.append(dep)
    return wanted, missing


# ---------------------------------------------------------------------------
# uv.lock


def find_lock(root: Path, code_location: str | None) -> Path | None:
    candidates = []
    if code_location is not None:
        candidates.append((root / code_location / "uv.lock") if code_location != "." else root / "uv.lock")
    candidates.append(root / "uv.lock")
    for candidate in candidates:
        if is_file(candidate) and _inside(root, candidate):
            return candidate
    return None


def read_lock(root: Path, path: Path) -> Lock:
    """Read ``uv.lock`` (bounded); raises ``ValueError`` with the reason when it cannot be read."""
    rel = path.relative_to(root).as_posix() if _inside(root, path) else str(path)
    try:
        text = read_text(root, path, max_bytes=MAX_LOCK_BYTES).text
    except FileReadError as exc:
        raise ValueError(exc.message) from None
    return parse_lock(rel, text)


# ---------------------------------------------------------------------------
# Package size


@dataclass(frozen=True)
class PackageSize:
    runtime: str
    method: Literal["venv", "lock", "code-only", "estimate", "missing"]
    """``code-only``: no dependencies declared; ``missing``: the code location does not exist."""
    code_bytes: int
    deps_bytes: int
    source: str | None
    """The virtualenv or lock file measured."""
    dists: int
    missing: tuple[str, ...] = ()
    """Declared or required distributions the environment or lock does not have."""
    largest: tuple[tuple[str, int], ...] = ()
    notes: tuple[str, ...] = ()
    truncated: bool = False
    unreadable: tuple[str, ...] = ()
    """Directories or files of the code location that could not be read: the size is a lower bound."""

    @property
    def total(self) -> int:
        return self.code_bytes + self.deps_bytes


@dataclass(frozen=True)
class CodeSize:
    bytes: int
    truncated: bool = False
    """More than :data:`CODE_WALK_MAX_ENTRIES` entries, or the request's budget ran out."""
    unreadable: tuple[str, ...] = ()
    """Project-relative directories that could not be listed."""


def code_size(root: Path, code_location: str) -> CodeSize:
    """Bytes of the files a package ships from ``code_location`` (no VCS, venv or caches)."""
    base = root if code_location == "." else root / code_location
    total = 0
    entries = 0
    unreadable: list[str] = []
    stack = [base]
    while stack:
        directory = stack.pop()
        if budget.spent() is not None:
            return CodeSize(total, True, tuple(unreadable))
        try:
            with os.scandir(directory) as it:
                for entry in it:
                    entries += 1
                    if entries > CODE_WALK_MAX_ENTRIES:
                        return CodeSize(total, True, tuple(unreadable))
                    if entry.is_symlink():
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in _NOT_SHIPPED and not entry.name.endswith(".egg-info"):
                            stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        try:
                            total += entry.stat(follow_symlinks=False).st_size
                        except OSError:
                            unreadable.append(rel_posix(root, Path(entry.path)))
        except OSError as exc:
            unreadable.append(f"{rel_posix(root, directory)}/ ({exc.strerror or exc})")
    return CodeSize(total, False, tuple(unreadable))


def measure_package(
    root: Path, runtime: Runtime, environment: Environment | None, lock: Lock | None, lock_error: str | None
) -> PackageSize:
    code_location = runtime.code_location or "."
    roots = [r for r in (parse_requirement(d.spec) for d in runtime.dependencies) if r is not None]
    if not is_dir(root if code_location == "." else root / code_location):
        return PackageSize(runtime.name, "missing", 0, 0, None, 0, notes=(f"{code_location}/ does not exist",))
    if not inside(root, root / code_location):
        return PackageSize(
            runtime.name, "missing", 0, 0, None, 0, notes=(f"{code_location}/ is outside the project; not measured",)
        )
    measured_code = code_size(root, code_location)
    code_bytes, truncated = measured_code.bytes, measured_code.truncated
    notes: list[str] = []
    if measured_code.unreadable:
        notes.append(f"could not be read, so not counted: {', '.join(measured_code.unreadable[:5])}")
    if lock_error:
        notes.append(lock_error)

    def measured(
        method: Literal["venv", "lock"], sizes: dict[str, int], source: str, dists: int, missing: Iterable[str]
    ) -> PackageSize:
        return PackageSize(
            runtime=runtime.name,
            method=method,
            code_bytes=code_bytes,
            deps_bytes=sum(sizes.values()),
            source=source,
            dists=dists,
            missing=tuple(sorted(missing)),
            largest=_largest(sizes),
            notes=tuple(notes),
            truncated=truncated,
            unreadable=measured_code.unreadable,
        )

    if environment is not None:
        provides = {name: dist.requires for name, dist in environment.dists.items()}
        wanted, missing = closure(roots, provides)
        installed = {name: environment.dists[name].size for name in wanted}
        return measured("venv", installed, environment.path, len(wanted), missing)
    if lock is not None:
        # the declared runtime dependencies; with none declared, what the lock's own project needs
        start = roots or [r for p in lock.packages.values() if p.local for r in p.requires]
        provides = {name: package.requires for name, package in lock.packages.items()}
        wanted, missing = closure(start, provides)
        wanted = {w for w in wanted if not lock.packages[w].local}
        sizes: dict[str, int] = {}
        unsized: list[str] = []
        sdists: list[str] = []
        for name in wanted:
            package = lock.packages[name]
            if package.size is None:
                unsized.append(name)
                continue
            sizes[name] = package.size
            if package.size_kind == "sdist":
                sdists.append(name)
        notes.append("dependency sizes are the compressed wheel sizes recorded in the lock (Linux ARM64 wheels)")
        if unsized:
            notes.append(f"no size recorded for {', '.join(sorted(unsized))}")
        if sdists:
            notes.append(f"source distributions only (built at install): {', '.join(sorted(sdists))}")
        return measured("lock", sizes, lock.path, len(wanted), missing)
    return PackageSize(
        runtime=runtime.name,
        method="estimate" if roots else "code-only",
        code_bytes=code_bytes,
        deps_bytes=0,
        source=None,
        dists=0,
        missing=tuple(sorted(r.name for r in roots)),
        notes=tuple(notes),
        truncated=truncated,
        unreadable=measured_code.unreadable,
    )


def _largest(sizes: Mapping[str, int], count: int = 5) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:count])


# ---------------------------------------------------------------------------
# The AgentCore CLI

CliKind = Literal["cli", "starter-toolkit", "unknown"]


@dataclass(frozen=True)
class AgentcoreExecutable:
    path: str
    resolved: str
    kind: CliKind
    version: str | None
    version_source: str | None
    """``package.json``, ``dist-info``, ``--version``; ``None`` when it could not be read."""
    error: str | None = None


@dataclass(frozen=True)
class CliFacts:
    executables: tuple[AgentcoreExecutable, ...]
    """Every ``agentcore`` on PATH, in PATH order (the first one runs)."""
    installed_not_on_path: AgentcoreExecutable | None = None
    """The npm package found in a global ``node_modules`` but with no ``agentcore`` on PATH."""

    @property
    def first(self) -> AgentcoreExecutable | None:
        return self.executables[0] if self.executables else None

    @property
    def cli(self) -> AgentcoreExecutable | None:
        return next((e for e in self.executables if e.kind == "cli"), None)


_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)([-+.][0-9A-Za-z.+-]*)?")
NPM_PACKAGE = "@aws/agentcore"
_TOOLKIT_DIST = "bedrock_agentcore_starter_toolkit"


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.search(text)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def _npm_package_json(start: Path) -> Path | None:
    current = start if is_dir(start) else start.parent
    for _ in range(8):
        candidate = current / "package.json"
        if is_file(candidate):
            try:
                data = json.loads(read_host_text(candidate) or "{}")
            except ValueError:
                data = {}
            if isinstance(data, dict) and data.get("name") == NPM_PACKAGE:
                return candidate
        if current.parent == current:
            break
        current = current.parent
    return None


def _package_version(package_json: Path) -> str | None:
    try:
        data = json.loads(read_host_text(package_json) or "null")
    except ValueError:
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def _head(path: Path, size: int = 4096) -> str:
    return read_host_text(path, size, prefix=True) or ""


def _toolkit_version(script: Path, shebang: str) -> str | None:
    interpreters = []
    parts = shebang[2:].strip().split()
    if parts:
        interpreters.append(Path(parts[0]))
    interpreters.append(script.parent / "python")
    for interpreter in interpreters:
        prefix = interpreter.parent.parent
        for info in sorted(prefix.glob(f"lib/python*/site-packages/{_TOOLKIT_DIST}-*.dist-info")):
            version = info.name[len(_TOOLKIT_DIST) + 1 : -len(".dist-info")]
            if version:
                return version
    return None


def _run_version(path: Path, timeout: float) -> tuple[str | None, str | None]:
    try:
        output = run_bounded([str(path), "--version"], timeout=timeout, cwd=None)
    except OSError as exc:
        return None, f"`agentcore --version` could not run ({exc.strerror or exc})"
    if output.timed_out:
        return None, f"`agentcore --version` did not answer within {timeout:g} s"
    text = output.stdout + " " + output.stderr
    match = _VERSION.search(text)
    if match:
        return match.group(0), None
    return None, f"`agentcore --version` printed no version (exit code {output.returncode})"


def describe_executable(path: Path, timeout: float = CLI_VERSION_TIMEOUT) -> AgentcoreExecutable:
    resolved = path.resolve()
    package_json = _npm_package_json(resolved)
    if package_json is not None:
        version = _package_version(package_json)
        return AgentcoreExecutable(str(path), str(resolved), "cli", version, "package.json" if version else None)
    head = _head(resolved)
    first_line = head.splitlines()[0] if head else ""
    if first_line.startswith("#!") and "python" in first_line and _TOOLKIT_DIST in head:
        version = _toolkit_version(path, first_line)
        return AgentcoreExecutable(
            str(path), str(resolved), "starter-toolkit", version, "dist-info" if version else None
        )
    version, error = _run_version(path, timeout)
    kind: CliKind = "cli" if "node" in first_line else "unknown"
    return AgentcoreExecutable(str(path), str(resolved), kind, version, "--version" if version else None, error)


def _global_node_modules() -> list[Path]:
    home = Path.home()
    found = [
        home / ".npm-global" / "lib" / "node_modules",
        home / ".local" / "lib" / "node_modules",
        Path("/usr/local/lib/node_modules"),
        Path("/usr/lib/node_modules"),
        Path("/opt/homebrew/lib/node_modules"),
    ]
    prefix = os.environ.get("NPM_CONFIG_PREFIX")
    if prefix:
        found.insert(0, Path(prefix) / "lib" / "node_modules")
    return found


def detect_cli(path_env: str | None = None, timeout: float = CLI_VERSION_TIMEOUT) -> CliFacts:
    """Every ``agentcore`` on PATH, what it is and its version; cheap unless a version
    has to be asked from the executable itself.
    """
    search = os.environ.get("PATH", "") if path_env is None else path_env
    executables: list[AgentcoreExecutable] = []
    seen: set[str] = set()
    for directory in search.split(os.pathsep):
        if not directory:
            continue
        candidate = Path(directory) / "agentcore"
        try:
            if not (candidate.is_file() and os.access(candidate, os.X_OK)):
                continue
            key = str(candidate.resolve())
        except OSError:
            continue
        if key in seen:
            continue
        seen.add(key)
        executables.append(describe_executable(candidate, timeout))
    installed: AgentcoreExecutable | None = None
    if not any(e.kind == "cli" for e in executables) and path_env is None:
        for modules in _global_node_modules():
            package_json = modules / "@aws" / "agentcore" / "package.json"
            if is_file(package_json):
                version = _package_version(package_json)
                installed = AgentcoreExecutable(
                    str(package_json.parent), str(package_json.parent), "cli", version, "package.json"
                )
                break
    return CliFacts(tuple(executables), installed)


# ---------------------------------------------------------------------------
# Bounded subprocesses


@dataclass(frozen=True)
class BoundedOutput:
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the child's whole process group (the child and anything it started)."""
    if sys.platform != "win32":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        with contextlib.suppress(OSError):
            process.kill()


def _wait_unreaped(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait for the child to exit without reaping it, so its process group id cannot be
    reused before the group is killed. True when it exited in time.
    """
    waitid = getattr(os, "waitid", None)
    flags = getattr(os, "WEXITED", 0) | getattr(os, "WNOWAIT", 0) | getattr(os, "WNOHANG", 0)
    if waitid is None or not getattr(os, "WNOWAIT", 0):
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            if waitid(os.P_PID, process.pid, flags) is not None:
                return True
        except ChildProcessError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def run_bounded(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: str | None,
    env: Mapping[str, str] | None = None,
    pass_fds: Sequence[int] = (),
    capture: bool = True,
) -> BoundedOutput:
    """Run ``argv`` in its own process group with no stdin; after ``timeout`` seconds, or
    once it has exited, kill the whole group so nothing it started outlives it. Captured
    output is capped. Raises ``OSError`` when the program cannot start.
    """
    started = time.perf_counter()
    kwargs: dict[str, object] = {}
    if sys.platform != "win32":
        kwargs["start_new_session"] = True
    stream = subprocess.PIPE if capture else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603 - argv built by the caller, no shell
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=stream,
        stderr=stream,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        pass_fds=tuple(pass_fds),
        **kwargs,  # type: ignore[call-overload]
    )
    timed_out = False
    out: bytes = b""
    err: bytes = b""
    try:
        if capture:
            try:
                out, err = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
        else:
            timed_out = not _wait_unreaped(process, timeout)
    finally:
        elapsed = time.perf_counter() - started
        _kill_group(process)
        if capture and timed_out:
            try:
                out, err = process.communicate(timeout=2)
            except subprocess.TimeoutExpired:
                # something that left the group still holds the pipes: stop reading
                for pipe in (process.stdout, process.stderr):
                    if pipe is not None:
                        pipe.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=2)
    return BoundedOutput(
        returncode=process.returncode,
        stdout=(out or b"")[:RESULT_MAX_BYTES].decode("utf-8", "replace"),
        stderr=(err or b"")[-RESULT_MAX_BYTES:].decode("utf-8", "replace"),
        timed_out=timed_out,
        seconds=elapsed,
    )


# ---------------------------------------------------------------------------
# Entrypoint import timing (opt-in)

ImportStatus = Literal["ok", "timeout", "exited", "failed", "not_measurable"]


@dataclass(frozen=True)
class ImportTiming:
    runtime: str
    module: str | None
    status: ImportStatus
    seconds: float | None
    """Import time measured inside the child (``ok``), or wall time until it was stopped."""
    detail: str
    interpreter: str | None = None
    timeout: float = IMPORT_TIMEOUT


# Runs in the child: import the module, report the time on a private pipe.
_CHILD = """
import importlib, json, os, sys, time, traceback
fd = int(sys.argv[1]); sys.path.insert(0, sys.argv[2]); module = sys.argv[3]
def report(data):
    os.write(fd, json.dumps(data).encode()[:8000])
started = time.perf_counter()
try:
    importlib.import_module(module)
except SystemExit as exc:
    report({"status": "exited", "seconds": time.perf_counter() - started, "code": repr(exc.code)[:200]})
    os._exit(0)
except BaseException as exc:
    report({"status": "failed", "seconds": time.perf_counter() - started,
            "error": type(exc).__name__, "message": str(exc)[:300]})
    os._exit(0)
report({"status": "ok", "seconds": time.perf_counter() - started})
os._exit(0)
"""


def entry_module(entrypoint: str | None) -> str | None:
    """``main.py`` / ``main.py:handler`` / ``pkg/main.py`` -> the module name to import."""
    if not entrypoint:
        return None
    file_part = entrypoint.split(":", 1)[0].strip().replace("\\", "/").lstrip("./")
    if not file_part.endswith(".py"):
        return None
    stem = file_part[:-3]
    if stem.endswith("/__init__"):
        stem = stem[: -len("/__init__")]
    parts = [p for p in stem.split("/") if p]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def _interpreter(root: Path, code_location: str) -> tuple[str, str]:
    """The project's own virtualenv Python, or this tool's: never an interpreter from a
    virtualenv that lies (or links) outside the project."""
    for venv in (root / code_location / ".venv", root / ".venv"):
        if not inside(root, venv):
            continue
        for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
            if is_file(candidate) and os.access(candidate, os.X_OK):
                return str(candidate), rel_posix(root, candidate)
    return sys.executable, "this tool's own Python (no .venv found: the agent's dependencies may be missing)"


def child_environment(home: str) -> dict[str, str]:
    """The whole environment of the import child: nothing of this process's (no AWS or
    other credentials, tokens or proxies), an empty home, no AWS config or instance role."""
    env = {
        "PATH": os.defpath,
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NO_PROXY": "*",
    }
    if sys.platform == "win32":
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "C:\\Windows")
    return env


def measure_import(root: Path, runtime: Runtime, timeout: float = IMPORT_TIMEOUT) -> ImportTiming:
    """Time ``import <entrypoint>`` in a child Python with a hard timeout."""
    module = entry_module(runtime.entrypoint)
    code_location = runtime.code_location or "."
    if module is None:
        return ImportTiming(
            runtime.name, None, "not_measurable", None, f"entrypoint {runtime.entrypoint!r} is not a Python file"
        )
    code_dir = root if code_location == "." else root / code_location
    if not inside(root, code_dir):
        return ImportTiming(
            runtime.name, module, "not_measurable", None, f"{code_location}/ is outside the project; not run"
        )
    if not is_file(code_dir / (module.replace(".", "/") + ".py")) and not is_file(
        code_dir / module.replace(".", "/") / "__init__.py"
    ):
        return ImportTiming(
            runtime.name, module, "not_measurable", None, f"{runtime.entrypoint} not found in {code_location}/"
        )
    python, shown = _interpreter(root, code_location)
    remaining = budget.remaining_seconds()
    if remaining is not None:
        timeout = max(0.1, min(timeout, remaining))
    try:
        output, raw = _import_child(python, code_dir, module, timeout)
    except OSError as exc:
        return ImportTiming(
            runtime.name, module, "failed", None, f"could not start {shown}: {exc.strerror or exc}", shown
        )
    if output.timed_out:
        return ImportTiming(
            runtime.name,
            module,
            "timeout",
            output.seconds,
            f"did not finish importing within {timeout:g} s; the process group was killed",
            shown,
            timeout,
        )
    try:
        result = json.loads(raw.decode("utf-8", "replace")) if raw else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        return ImportTiming(
            runtime.name,
            module,
            "exited",
            output.seconds,
            f"the process exited during the import (exit code {output.returncode}) before it finished",
            shown,
            timeout,
        )
    return _child_timing(runtime, module, result, shown, timeout)


def _import_child(python: str, code_dir: Path, module: str, timeout: float) -> tuple[BoundedOutput, bytes]:
    """Run the import in a child Python (isolated, its own temporary home, bounded in time);
    its outcome and what it wrote to the result pipe. Raises ``OSError`` when it cannot start."""
    read_fd, write_fd = os.pipe()
    try:
        with tempfile.TemporaryDirectory(prefix="agentcore-readiness-import-") as home:
            output = run_bounded(
                [python, "-I", "-B", "-c", _CHILD, str(write_fd), str(code_dir), module],
                timeout=timeout,
                cwd=str(code_dir),
                env=child_environment(home),
                pass_fds=(write_fd,),
                capture=False,
            )
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        raise
    os.close(write_fd)
    os.set_blocking(read_fd, False)
    try:
        raw = os.read(read_fd, RESULT_MAX_BYTES)
    except OSError:  # BlockingIOError too: the child wrote nothing
        raw = b""
    finally:
        os.close(read_fd)
    return output, raw


def _child_timing(runtime: Runtime, module: str, result: dict[str, Any], shown: str, timeout: float) -> ImportTiming:
    """The timing from the child's result: imported, exited or raised."""
    seconds = result.get("seconds")
    seconds = float(seconds) if isinstance(seconds, (int, float)) else None
    status = result.get("status")
    if status == "ok":
        return ImportTiming(runtime.name, module, "ok", seconds, "imported", shown, timeout)
    if status == "exited":
        return ImportTiming(
            runtime.name,
            module,
            "exited",
            seconds,
            f"the import called sys.exit({excerpt(str(result.get('code', '')), 200)}) before it finished",
            shown,
            timeout,
        )
    error = excerpt(f"{result.get('error', 'error')}: {result.get('message', '')}", 300)
    return ImportTiming(runtime.name, module, "failed", seconds, f"the import raised {error}", shown, timeout)


# ---------------------------------------------------------------------------
# Gathering


MEASURES: frozenset[str] = frozenset({"environments", "package_sizes", "cli", "import_timing"})
"""The local measurements rules declare (``@rule(measures=...)``): the runtimes' virtualenvs
and lock files, the installed size of each runtime's packages, the AgentCore CLI on PATH,
the entrypoint's import time (only when asked for)."""

_MEASURE_OF_FIELD = {
    "environments": "environments",
    "locks": "environments",
    "packages": "package_sizes",
    "cli": "cli",
    "imports": "import_timing",
}


@dataclass(frozen=True)
class MeasuredFacts:
    packages: Mapping[str, PackageSize] = field(default_factory=dict)
    environments: Mapping[str, Environment | None] = field(default_factory=dict)
    """Per runtime: its virtualenv's installed distributions (``None`` when it has none)."""
    locks: Mapping[str, Lock | None] = field(default_factory=dict)
    """Per runtime without a virtualenv: its ``uv.lock`` (each file read once per review)."""
    cli: CliFacts | None = None
    imports: Mapping[str, ImportTiming] | None = None
    """``None`` unless import timing was requested."""
    errors: tuple[str, ...] = ()
    declared: frozenset[str] | None = None
    """The measurements the reading rule declared; ``None``: all of them."""
    incomplete: tuple[str, ...] = ()
    """What could not be read in full (parts of a virtualenv, of a code location): rules
    that would pass on these measurements say ``unknown`` instead."""

    def __getattribute__(self, name: str) -> Any:
        measure = _MEASURE_OF_FIELD.get(name)
        if measure is not None:
            declared = object.__getattribute__(self, "declared")
            if declared is not None and measure not in declared:
                raise UndeclaredFact(f"reads the {measure} measurement without declaring it (measures=...)")
        return object.__getattribute__(self, name)

    def only(self, measures: Iterable[str]) -> MeasuredFacts:
        """The same measurements, readable only where ``measures`` declare them."""
        return replace(self, declared=frozenset(measures))


def _runtime_environment(
    root: Path, runtime: Runtime, with_sizes: bool, cache: dict[Path, Environment]
) -> Environment | None:
    venv = find_environment(root, runtime.code_location)
    if venv is None:
        return None
    if venv not in cache:
        cache[venv] = read_environment(root, venv, with_sizes)
    return cache[venv]


def _runtime_lock(
    root: Path, runtime: Runtime, cache: dict[Path, tuple[Lock | None, str | None]]
) -> tuple[Lock | None, str | None]:
    plan = runtime.build_plan
    lock_path = (root / plan.lock) if plan is not None and plan.lock else find_lock(root, runtime.code_location)
    if lock_path is None:
        return None, None
    if lock_path not in cache:
        try:
            cache[lock_path] = (read_lock(root, lock_path), None)
        except ValueError as exc:
            cache[lock_path] = (None, f"{lock_path.relative_to(root).as_posix()} {exc}")
    return cache[lock_path]


def gather_measurements(
    project: ProjectFacts,
    measures: Iterable[str],
    *,
    measure_imports: bool = False,
    import_timeout: float = IMPORT_TIMEOUT,
    path_env: str | None = None,
) -> MeasuredFacts:
    """Only the ``measures`` the chosen rules declare (see :data:`MEASURES`); import timing
    only when asked for (``measure_imports``).
    """
    chosen = set(measures)
    root = project.root
    environments: dict[str, Environment | None] = {}
    packages: dict[str, PackageSize] = {}
    errors: list[str] = []
    env_cache: dict[Path, Environment] = {}
    lock_cache: dict[Path, tuple[Lock | None, str | None]] = {}
    locks: dict[str, Lock | None] = {}
    if chosen & {"environments", "package_sizes"}:
        with_sizes = "package_sizes" in chosen
        for runtime in project.runtimes:
            try:
                environment = _runtime_environment(root, runtime, with_sizes, env_cache)
                environments[runtime.name] = environment
                lock, lock_error = (None, None) if environment is not None else _runtime_lock(root, runtime, lock_cache)
                locks[runtime.name] = lock
                if lock_error and lock_error not in errors:
                    errors.append(lock_error)
                if not with_sizes or runtime.code_location is None:
                    continue
                packages[runtime.name] = measure_package(root, runtime, environment, lock, lock_error)
            except (OSError, ValueError) as exc:
                errors.append(f"{runtime.name}: the package could not be measured ({type(exc).__name__})")
    incomplete: list[str] = []
    for environment in {id(e): e for e in environments.values() if e is not None}.values():
        incomplete.extend(f"{environment.path}: {why}" for why in environment.skipped)
    for size in packages.values():
        if size.unreadable:
            incomplete.append(
                f"{size.runtime}: unreadable parts of the code location: {', '.join(size.unreadable[:5])}"
            )
        if size.truncated:
            incomplete.append(f"{size.runtime}: the code location has too many files to count them all")
    cli = detect_cli(path_env) if "cli" in chosen else None
    imports: dict[str, ImportTiming] | None = None
    if "import_timing" in chosen and measure_imports:
        imports = {}
        for runtime in project.runtimes:
            budget.check()
            try:
                imports[runtime.name] = measure_import(root, runtime, import_timeout)
            except (OSError, ValueError) as exc:
                imports[runtime.name] = ImportTiming(
                    runtime.name, None, "failed", None, f"could not be measured ({type(exc).__name__})"
                )
    return MeasuredFacts(
        packages=packages,
        environments=environments,
        locks=locks,
        cli=cli,
        imports=imports,
        errors=tuple(errors),
        incomplete=tuple(incomplete),
    )

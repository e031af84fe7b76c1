"""Dockerfiles read as Docker builds them: instructions with their lines, stages, what is
copied from the build context and where, the working directory, what each ``RUN``
installs, and the command the final image runs.

Nothing here reads files: :func:`parse_dockerfile` takes the text, and paths are image
paths (absolute, resolved against ``WORKDIR``) or context paths (relative to the build
context) as Docker has them. :mod:`agentcore_readiness.facts.project.build` maps them onto the
project.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
import shlex
from dataclasses import dataclass, replace

# ---------------------------------------------------------------------------
# Instructions


@dataclass(frozen=True)
class DockerInstruction:
    keyword: str
    args: str
    line: int


def parse_dockerfile(text: str) -> tuple[DockerInstruction, ...]:
    """Instructions with the line each starts on; continued lines joined, comments dropped."""
    instructions: list[DockerInstruction] = []
    buffer: list[str] = []
    start_line = 0
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip()
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue
        if not buffer:
            start_line = number
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        instructions.append(_instruction(buffer, start_line))
        buffer = []
    if buffer:
        instructions.append(_instruction(buffer, start_line))
    return tuple(instructions)


def _instruction(buffer: list[str], line: int) -> DockerInstruction:
    joined = " ".join(part.strip() for part in buffer).strip()
    keyword, _, args = joined.partition(" ")
    return DockerInstruction(keyword.upper(), args.strip(), line)


def parse_env_args(args: str) -> list[tuple[str, str]]:
    """``ENV``/``ARG`` arguments as (name, value) pairs, both the ``A=1 B=2`` and ``A value`` forms."""
    args = args.strip()
    if not args:
        return []
    if "=" not in args.split(" ", 1)[0]:
        name, _, value = args.partition(" ")
        return [(name, value.strip())]
    pairs: list[tuple[str, str]] = []
    for match in re.finditer(r'([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|\'[^\']*\'|\S*))?', args):
        value = match.group(2) or ""
        pairs.append((match.group(1), value.strip("\"'")))
    return pairs


def exec_form(args: str) -> list[str] | None:
    """The argv of a JSON (exec) form, ``None`` for the shell form."""
    text = args.strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _split_shell(command: str) -> list[list[str]]:
    """A shell command as simple commands (split on ``&&``, ``||``, ``;``, ``|``), each as words."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        tokens = command.split()
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token and set(token) <= set(";&|"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def _strip_env_prefix(words: list[str]) -> list[str]:
    """Drop leading ``NAME=value`` assignments and ``env``/``exec``/``sudo`` wrappers."""
    index = 0
    while index < len(words):
        word = words[index]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word) or word in ("env", "exec", "sudo", "command"):
            index += 1
            continue
        break
    return words[index:]


# ---------------------------------------------------------------------------
# What a RUN installs


@dataclass(frozen=True)
class Install:
    """One install command of a ``RUN``: which files or packages it installs, with which options."""

    line: int
    command: str
    """The command as written (one simple command of the ``RUN``)."""
    tool: str
    """``pip``, ``uv pip``, ``uv sync``, ``poetry``, ``uv export``, ``poetry export``, ``pipenv``."""
    workdir: str
    """The directory it runs in (image path)."""
    requirement_files: tuple[str, ...] = ()
    """``-r`` files, as written."""
    packages: tuple[str, ...] = ()
    """Requirement specifiers named on the command line."""
    projects: tuple[str, ...] = ()
    """Local projects installed (``.``, ``./agent``, ``/app``, with ``[extras]`` as written)."""
    editable: bool = False
    extras: tuple[str, ...] = ()
    all_extras: bool = False
    groups: tuple[str, ...] = ()
    only_groups: tuple[str, ...] = ()
    without_groups: tuple[str, ...] = ()
    all_groups: bool = False
    no_dev: bool = False
    only_dev: bool = False
    no_default_groups: bool = False
    project_dir: str | None = None
    """``uv sync --project``/``--directory``, ``poetry -C``."""
    output: str | None = None
    """The file an export writes (``-o``/``--output-file``/``> file``)."""
    unresolved: tuple[str, ...] = ()
    """Arguments that could not be read (shell variables, command substitutions)."""


_PIP_VALUE_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "--default-index",
        "--index",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--python",
        "-p",
        "--python-version",
        "--python-platform",
        "--platform",
        "--only-binary",
        "--no-binary",
        "-c",
        "--constraint",
        "--constraints",
        "--override",
        "--cache-dir",
        "--progress-bar",
        "--trusted-host",
        "--upgrade-strategy",
        "--index-strategy",
        "--src",
        "-C",
        "--config-settings",
        "--config-setting",
        "--resolution",
        "--prerelease",
        "--abi",
        "--implementation",
        "--keyring-provider",
        "--link-mode",
        "--exclude-newer",
        "--reinstall-package",
        "--upgrade-package",
        "-P",
        "--no-build-isolation-package",
        "--log",
        "--timeout",
        "--retries",
        "--proxy",
        "--cert",
        "--client-cert",
        "--global-option",
        "--install-option",
        "--report",
    }
)
_UV_VALUE_OPTIONS = frozenset(
    {
        "--python",
        "-p",
        "--python-platform",
        "--index",
        "--index-url",
        "--extra-index-url",
        "--default-index",
        "-f",
        "--find-links",
        "--cache-dir",
        "--config-file",
        "--link-mode",
        "--index-strategy",
        "--keyring-provider",
        "--resolution",
        "--prerelease",
        "--exclude-newer",
        "-P",
        "--upgrade-package",
        "--reinstall-package",
        "--no-install-package",
        "--refresh-package",
        "--color",
        "--format",
        "--prune",
    }
)
_LOCAL_PROJECT = re.compile(r"^(?:\.{1,2}(?:/.*)?|/.*|[\w.-]+/.*)$")
_REQUIREMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@ ].*)?$")


def _has_variable(word: str) -> bool:
    return "$" in word or "`" in word


def _values(words: list[str], index: int, names: tuple[str, ...]) -> tuple[str | None, int]:
    """The value of option ``words[index]`` when it is one of ``names`` (``--x v``, ``--x=v``, ``-xv``)."""
    word = words[index]
    for name in names:
        if word == name:
            return (words[index + 1] if index + 1 < len(words) else ""), index + 2
        if name.startswith("--") and word.startswith(name + "="):
            return word[len(name) + 1 :], index + 1
        if not name.startswith("--") and word.startswith(name) and len(word) > len(name):
            return word[len(name) :].lstrip("="), index + 1
    return None, index


def _pip_install(words: list[str], line: int, command: str, workdir: str, tool: str) -> Install:
    """``pip install`` / ``uv pip install`` / ``uv pip sync`` arguments."""
    requirement_files: list[str] = []
    packages: list[str] = []
    projects: list[str] = []
    extras: list[str] = []
    groups: list[str] = []
    unresolved: list[str] = []
    editable = all_extras = False
    index = 0
    while index < len(words):
        word = words[index]
        value, after = _values(words, index, ("-r", "--requirement", "--requirements"))
        if value is not None:
            (unresolved if _has_variable(value) else requirement_files).append(value)
            index = after
            continue
        value, after = _values(words, index, ("-e", "--editable"))
        if value is not None:
            editable = True
            (unresolved if _has_variable(value) else projects).append(value)
            index = after
            continue
        value, after = _values(words, index, ("--extra",))
        if value is not None:
            extras.append(value)
            index = after
            continue
        value, after = _values(words, index, ("--group",))
        if value is not None:
            groups.append(value)
            index = after
            continue
        if word == "--all-extras":
            all_extras = True
        elif word.split("=", 1)[0] in _PIP_VALUE_OPTIONS:
            index += 1 if "=" in word else 2
            continue
        elif word.startswith("-"):
            pass
        elif _has_variable(word):
            unresolved.append(word)
        elif tool.endswith("sync") and word.endswith((".txt", ".in")):
            requirement_files.append(word)
        elif _LOCAL_PROJECT.match(re.sub(r"\[[^\]]*\]$", "", word)) and not word.endswith((".whl", ".tar.gz", ".zip")):
            projects.append(word)
        elif _REQUIREMENT.match(word):
            packages.append(word)
        index += 1
    return Install(
        line=line,
        command=command,
        tool=tool,
        workdir=workdir,
        requirement_files=tuple(requirement_files),
        packages=tuple(packages),
        projects=tuple(projects),
        editable=editable,
        extras=tuple(extras),
        all_extras=all_extras,
        groups=tuple(groups),
        unresolved=tuple(unresolved),
    )


@dataclass
class _ProjectOptions:
    """The options of a project installer's command line (``uv sync``, ``poetry install`` ...)."""

    lists: dict[str, list[str]]
    """Each list option's values, in order."""
    flags: set[str]
    """Every other word."""
    project_dir: str | None = None
    output: str | None = None


def _project_options(
    words: list[str],
    lists: tuple[str, ...],
    directory: tuple[str, ...],
    output: tuple[str, ...],
    *,
    split: bool = False,
    value_options: frozenset[str] = frozenset(),
) -> _ProjectOptions:
    """Read ``words``: the options in ``lists`` may repeat (``split``: one value may also hold
    several, comma- or space-separated), ``directory`` and ``output`` name the project directory
    and the output file, the options in ``value_options`` take a value that is skipped."""
    found = _ProjectOptions({name: [] for name in lists}, set())
    index = 0
    while index < len(words):
        listed = _list_option(words, index, lists)
        if listed is not None:
            name, listed_value, index = listed
            if split:
                found.lists[name].extend(v.strip() for v in re.split(r"[ ,]", listed_value) if v.strip())
            else:
                found.lists[name].append(listed_value)
            continue
        value, after = _values(words, index, directory)
        if value is not None:
            found.project_dir, index = value, after
            continue
        value, after = _values(words, index, output)
        if value is not None:
            found.output, index = value, after
            continue
        word = words[index]
        if word.split("=", 1)[0] in value_options:
            index += 1 if "=" in word else 2
            continue
        found.flags.add(word)
        index += 1
    return found


def _list_option(words: list[str], index: int, names: tuple[str, ...]) -> tuple[str, str, int] | None:
    """(option, value, next index) when ``words[index]`` is one of ``names``."""
    for name in names:
        value, after = _values(words, index, (name,))
        if value is not None:
            return name, value, after
    return None


def _uv_project(words: list[str], line: int, command: str, workdir: str, tool: str) -> Install:
    """``uv sync`` / ``uv export`` options that decide what is installed."""
    options = _project_options(
        words,
        ("--group", "--only-group", "--no-group", "--extra"),
        ("--project", "--directory"),
        ("-o", "--output-file"),
        value_options=_UV_VALUE_OPTIONS,
    )
    lists, flags = options.lists, options.flags
    return Install(
        line=line,
        command=command,
        tool=tool,
        workdir=workdir,
        extras=tuple(lists["--extra"]),
        all_extras="--all-extras" in flags,
        groups=tuple(lists["--group"]),
        only_groups=tuple(lists["--only-group"]),
        without_groups=tuple(lists["--no-group"]),
        all_groups="--all-groups" in flags,
        no_dev="--no-dev" in flags,
        only_dev="--only-dev" in flags,
        no_default_groups="--no-default-groups" in flags,
        project_dir=options.project_dir,
        output=options.output,
    )


def _poetry(words: list[str], line: int, command: str, workdir: str, tool: str) -> Install:
    """``poetry install`` / ``poetry export`` options (groups: ``--only``, ``--with``, ``--without``)."""
    options = _project_options(
        words,
        ("--only", "--with", "--without", "--extras", "-E"),
        ("-C", "--directory"),
        ("-o", "--output"),
        split=True,
    )
    lists, flags = options.lists, options.flags
    return Install(
        line=line,
        command=command,
        tool=tool,
        workdir=workdir,
        extras=tuple(lists["--extras"] + lists["-E"]),
        all_extras="--all-extras" in flags,
        groups=tuple(lists["--with"]),
        only_groups=tuple(lists["--only"]),
        without_groups=tuple(lists["--without"]),
        all_groups="--all-groups" in flags,
        no_dev="--no-dev" in flags or "--only-root" in flags,
        project_dir=options.project_dir,
        output=options.output,
    )


def _installer(words: list[str]) -> tuple[str, list[str]] | None:
    """The installer a simple command runs and its remaining arguments."""
    if not words:
        return None
    program = posixpath.basename(words[0])
    rest = words[1:]
    if re.fullmatch(r"python[\d.]*", program) and len(rest) >= 2 and rest[0] == "-m":
        program, rest = rest[1], rest[2:]
    if re.fullmatch(r"pip[\d.]*", program) and rest[:1] == ["install"]:
        return "pip", rest[1:]
    if program == "uv" and rest[:2] in (["pip", "install"], ["pip", "sync"]):
        return f"uv pip {rest[1]}", rest[2:]
    if program == "uv" and rest[:1] in (["sync"], ["export"]):
        return f"uv {rest[0]}", rest[1:]
    if program == "poetry" and rest[:1] in (["install"], ["export"], ["sync"]):
        return f"poetry {rest[0]}", rest[1:]
    if program == "pipenv" and rest[:1] in (["install"], ["sync"]):
        return "pipenv", rest[1:]
    return None


def installs_of(instruction: DockerInstruction, workdir: str) -> tuple[Install, ...]:
    """What one ``RUN`` installs (``cd`` inside the command moves the directory)."""
    argv = exec_form(instruction.args)
    args = instruction.args
    while argv is None and args.startswith("--"):  # RUN --mount=... --network=...
        args = args.split(None, 1)[1] if " " in args else ""
    commands = [argv] if argv is not None else _split_shell(args)
    found: list[Install] = []
    current = workdir
    for raw in commands:
        words = _strip_env_prefix(raw)
        if not words:
            continue
        if words[0] == "cd" and len(words) > 1:
            current = image_path(current, words[1])
            continue
        output = None
        if ">" in words:
            at = words.index(">")
            output = words[at + 1] if at + 1 < len(words) else None
            words = words[:at]
        match = _installer(words)
        if match is None:
            continue
        tool, rest = match
        text = " ".join(raw)
        if tool.startswith("uv pip") or tool == "pip":
            found.append(_pip_install(rest, instruction.line, text, current, tool))
        elif tool.startswith("uv"):
            install = _uv_project(rest, instruction.line, text, current, tool)
            found.append(_with_output(install, output))
        elif tool.startswith("poetry"):
            found.append(_with_output(_poetry(rest, instruction.line, text, current, tool), output))
        else:
            found.append(Install(line=instruction.line, command=text, tool=tool, workdir=current))
    return tuple(found)


def _with_output(install: Install, output: str | None) -> Install:
    if output is None or install.output is not None:
        return install
    return replace(install, output=output)


def image_path(workdir: str, path: str) -> str:
    """``path`` as an absolute image path (relative paths are under ``workdir``)."""
    joined = path if path.startswith("/") else posixpath.join(workdir or "/", path)
    normalized = posixpath.normpath(joined)
    return "/" if normalized in ("", ".") else normalized


# ---------------------------------------------------------------------------
# Stages, copies and the command


@dataclass(frozen=True)
class Copy:
    """A ``COPY``/``ADD``: sources (context paths, or paths of another stage) to an image path."""

    line: int
    keyword: str
    sources: tuple[str, ...]
    destination: str
    """Absolute image path, resolved against ``WORKDIR``."""
    to_directory: bool
    """The destination is a directory (ends with ``/``, or several sources)."""
    from_stage: str | None = None
    """``--from`` (a stage name or index, or an image)."""


@dataclass(frozen=True)
class RunTarget:
    """What the final ``CMD``/``ENTRYPOINT`` runs."""

    line: int
    keyword: str
    argv: tuple[str, ...]
    workdir: str
    launcher: tuple[str, ...] = ()
    """Wrappers before the program (``opentelemetry-instrument``, ``uv run``, ``exec``)."""
    module: str | None = None
    """The Python module run (``python -m app.main``, ``uvicorn app.main:app``, ``gunicorn ...``)."""
    script: str | None = None
    """The Python file run, as an image path (``python main.py`` in ``/app`` is ``/app/main.py``)."""


@dataclass(frozen=True)
class Stage:
    index: int
    name: str | None
    base: str
    line: int
    instructions: tuple[DockerInstruction, ...]
    copies: tuple[Copy, ...]
    installs: tuple[Install, ...]
    workdir: str
    """``WORKDIR`` at the end of the stage (inherited from a stage it is built on)."""
    command: RunTarget | None


_LAUNCHERS = ("opentelemetry-instrument", "ddtrace-run", "newrelic-admin", "tini", "dumb-init", "exec", "env")


def run_target(instruction: DockerInstruction, workdir: str, entrypoint: list[str] | None = None) -> RunTarget:
    argv = exec_form(instruction.args)
    if argv is None:
        words = [w for c in _split_shell(instruction.args) for w in c]
        argv = words or ["sh", "-c", instruction.args]
    if entrypoint and instruction.keyword == "CMD":
        argv = [*entrypoint, *argv]
    if argv[:2] in (["sh", "-c"], ["/bin/sh", "-c"], ["bash", "-c"], ["/bin/bash", "-c"]) and len(argv) > 2:
        argv = [w for c in _split_shell(argv[2]) for w in c][:64] or argv
    launcher: list[str] = []
    rest = list(argv)
    while rest:
        head = posixpath.basename(rest[0])
        if head in _LAUNCHERS or head.startswith("newrelic"):
            launcher.append(rest.pop(0))
            if head == "newrelic-admin" and rest[:1] == ["run-program"]:
                launcher.append(rest.pop(0))
            continue
        if head == "uv" and rest[1:2] == ["run"]:
            launcher.extend(rest[:2])
            rest = rest[2:]
            while rest and rest[0].startswith("-"):
                launcher.append(rest.pop(0))
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", rest[0]):
            launcher.append(rest.pop(0))
            continue
        break
    module, script = _python_target(rest, workdir)
    return RunTarget(
        instruction.line, instruction.keyword, tuple(argv), workdir, tuple(launcher), module=module, script=script
    )


def _python_target(argv: list[str], workdir: str) -> tuple[str | None, str | None]:
    if not argv:
        return None, None
    program = posixpath.basename(argv[0])
    rest = argv[1:]
    if re.fullmatch(r"python[\d.]*", program):
        index = 0
        while index < len(rest) and rest[index].startswith("-") and rest[index] != "-m":
            index += 1
        if index < len(rest) and rest[index] == "-m" and index + 1 < len(rest):
            module = rest[index + 1]
            if module in ("uvicorn", "gunicorn", "hypercorn", "fastapi"):
                return _python_target([module, *rest[index + 2 :]], workdir)
            return module, None
        if index < len(rest) and rest[index].endswith(".py"):
            return None, image_path(workdir, rest[index])
        return None, None
    if program in ("uvicorn", "gunicorn", "hypercorn", "daphne"):
        skip_values = {"--host", "--port", "-b", "--bind", "-w", "--workers", "-k", "--worker-class", "--log-level"}
        index = 0
        while index < len(rest):
            word = rest[index]
            if word in skip_values or word in ("--app-dir", "--chdir", "-c", "--config"):
                index += 2
                continue
            if word.startswith("-"):
                index += 1
                continue
            if ":" in word:
                return word.split(":", 1)[0], None
            return word, None
        return None, None
    if program == "fastapi" and rest[:1] in (["run"], ["dev"]) and len(rest) > 1:
        return None, image_path(workdir, rest[1])
    if program.endswith(".py"):
        return None, image_path(workdir, argv[0])
    return None, None


def _copy(instruction: DockerInstruction, workdir: str) -> Copy | None:
    argv = exec_form(instruction.args)
    words = argv if argv is not None else instruction.args.split()
    from_stage: str | None = None
    plain: list[str] = []
    for word in words:
        if word.startswith("--from="):
            from_stage = word.split("=", 1)[1]
        elif word.startswith("--") and argv is None:
            continue
        else:
            plain.append(word)
    if len(plain) < 2:
        return None
    *sources, destination = plain
    to_directory = destination.endswith("/") or destination in (".", "./") or len(sources) > 1
    return Copy(
        line=instruction.line,
        keyword=instruction.keyword,
        sources=tuple(sources),
        destination=image_path(workdir, destination),
        to_directory=to_directory,
        from_stage=from_stage,
    )


@dataclass(frozen=True)
class Dockerfile:
    path: str
    """Project-relative path of the Dockerfile."""
    instructions: tuple[DockerInstruction, ...]

    @property
    def stages(self) -> tuple[DockerInstruction, ...]:
        """The ``FROM`` instructions."""
        return tuple(i for i in self.instructions if i.keyword == "FROM")

    @property
    def final_command(self) -> DockerInstruction | None:
        last: DockerInstruction | None = None
        for instruction in self.instructions:
            if instruction.keyword in ("CMD", "ENTRYPOINT"):
                last = instruction
        return last

    def env(self) -> list[tuple[str, str, int]]:
        found: list[tuple[str, str, int]] = []
        for instruction in self.instructions:
            if instruction.keyword in ("ENV", "ARG"):
                found.extend((name, value, instruction.line) for name, value in parse_env_args(instruction.args))
        return found

    @functools.cached_property
    def build_stages(self) -> tuple[Stage, ...]:
        """Every stage with its copies, installs, working directory and command."""
        return _stages(self.instructions)

    @property
    def final_stage(self) -> Stage | None:
        stages = self.build_stages
        return stages[-1] if stages else None

    def stage(self, reference: str) -> Stage | None:
        """A stage by name or index (``--from=builder``, ``--from=0``)."""
        for stage in self.build_stages:
            if stage.name is not None and stage.name.lower() == reference.lower():
                return stage
        if reference.isdigit() and int(reference) < len(self.build_stages):
            return self.build_stages[int(reference)]
        return None

    def chain(self, stage: Stage) -> list[Stage]:
        """``stage`` and the stages it is built on (``FROM builder``), base first."""
        found: list[Stage] = []
        current: Stage | None = stage
        while current is not None and current not in found:
            found.insert(0, current)
            current = self.stage(current.base)
        return found

    @functools.cached_property
    def image_stages(self) -> tuple[Stage, ...]:
        """The stages whose results reach the final image: its ``FROM`` chain and, transitively,
        every stage it copies from."""
        final = self.final_stage
        if final is None:
            return ()
        reached: list[Stage] = []
        pending = [final]
        while pending:
            stage = pending.pop()
            for member in self.chain(stage):
                if member in reached:
                    continue
                reached.append(member)
                for copy in member.copies:
                    source = self.stage(copy.from_stage) if copy.from_stage else None
                    if source is not None and source not in reached:
                        pending.append(source)
        return tuple(sorted(reached, key=lambda s: s.index))

    @property
    def run_target(self) -> RunTarget | None:
        """What the final image runs (the final stage's, or an inherited, ``CMD``/``ENTRYPOINT``)."""
        final = self.final_stage
        if final is None:
            return None
        for stage in reversed(self.chain(final)):
            if stage.command is not None:
                return stage.command
        return None


def _stages(instructions: tuple[DockerInstruction, ...]) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    current: dict[str, object] | None = None
    body: list[DockerInstruction] = []

    def close() -> None:
        if current is None:
            return
        stages.append(_stage(current, tuple(body), stages))

    for instruction in instructions:
        if instruction.keyword == "FROM":
            close()
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            current = {"index": len(stages), "name": name, "base": words[0] if words else "", "line": instruction.line}
            body = []
        elif current is not None:
            body.append(instruction)
    close()
    return tuple(stages)


def _stage(header: dict[str, object], body: tuple[DockerInstruction, ...], earlier: list[Stage]) -> Stage:
    base = str(header["base"])
    parent = next((s for s in earlier if s.name is not None and s.name.lower() == base.lower()), None)
    workdir = parent.workdir if parent is not None else "/"
    copies: list[Copy] = []
    installs: list[Install] = []
    entrypoint: list[str] | None = None
    command: RunTarget | None = parent.command if parent is not None else None
    for instruction in body:
        if instruction.keyword == "WORKDIR":
            workdir = image_path(workdir, instruction.args.strip().strip("\"'"))
        elif instruction.keyword in ("COPY", "ADD"):
            copy = _copy(instruction, workdir)
            if copy is not None:
                copies.append(copy)
        elif instruction.keyword == "RUN":
            installs.extend(installs_of(instruction, workdir))
        elif instruction.keyword == "ENTRYPOINT":
            entrypoint = exec_form(instruction.args)
            command = run_target(instruction, workdir)
        elif instruction.keyword == "CMD":
            command = run_target(instruction, workdir, entrypoint)
    index = header["index"]
    line = header["line"]
    return Stage(
        index=index if isinstance(index, int) else 0,
        name=str(header["name"]) if header["name"] else None,
        base=base,
        line=line if isinstance(line, int) else 0,
        instructions=body,
        copies=tuple(copies),
        installs=tuple(installs),
        workdir=workdir,
        command=command,
    )

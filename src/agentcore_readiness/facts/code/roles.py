"""What each runtime is made of, and what every other Python file of a project is.

A runtime's code is its entrypoint and every module of the project the entrypoint reaches
by import, transitively: absolute, relative and package imports, ``from . import x``, and
``importlib.import_module("literal")``. Imports resolve the way the runtime's Python
resolves them: from the root of the deployment package (the runtime's code location, on
``sys.path``) and from the entrypoint's directory; a Container runtime's package is what
its Dockerfile copies. Importing ``a.b.c`` also runs ``a/__init__.py`` and
``a/b/__init__.py``, so those are runtime code too.

Every other file gets a role decided from its own code (its *signals*):

* ``caller``: invokes a runtime (``invoke_agent_runtime``, ``InvokeAgentRuntime`` over HTTP,
  an A2A or MCP client of a runtime URL), of one of two shapes: a *one-shot* script
  (``if __name__ == "__main__"``, argparse/click/typer, files under ``scripts/``,
  ``deploy/``, ``tools/``, ``bin/``) or a long-lived *service* (a web framework handler,
  Streamlit/Gradio/Chainlit, a Lambda ``handler(event, context)``, a queue worker);
* ``target``: a Lambda function or gateway target (the code location of a gateway
  target in ``agentcore.json``, or a module with a Lambda handler);
* ``backend``: a web application that is not a runtime;
* ``infra``: infrastructure as code (CDK, CloudFormation, Pulumi, CDKTF);
* ``maintenance``: a migration or maintenance script;
* ``test``: test code (by path);
* ``local_copy``: an agent application (``BedrockAgentCoreApp``, FastMCP, A2A server) that no
  runtime of the configuration deploys: a local-development or workshop copy;
* ``other``: a module none of the above reaches or describes.

A file may hold more than one role: runtime code that invokes another runtime is both
``runtime`` and ``caller``. A module without signals of its own takes the role of the
files that import it (a client helper used by a FastAPI backend is backend code; one that
invokes a runtime is a caller of the backend's shape).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from agentcore_readiness.analysis.role_signals import ImportRef, RoleSignals

if TYPE_CHECKING:
    from agentcore_readiness.facts.project.build import BuildPlan
    from agentcore_readiness.facts.project.project_facts import ProjectFacts

Role = Literal["runtime", "caller", "target", "backend", "infra", "maintenance", "test", "local_copy", "other"]
Shape = Literal["one_shot", "service"]

ROLES: tuple[Role, ...] = (
    "runtime",
    "caller",
    "target",
    "backend",
    "infra",
    "maintenance",
    "test",
    "local_copy",
    "other",
)
NON_TEST_ROLES: tuple[Role, ...] = tuple(role for role in ROLES if role != "test")
"""Every role but test code: what rules that read the project's own code outside its tests declare."""
ROLE_WORDS: dict[str, str] = {
    "runtime": "runtime code",
    "caller": "caller code",
    "target": "Lambda or gateway-target code",
    "backend": "backend code",
    "infra": "infrastructure code",
    "maintenance": "a maintenance script",
    "test": "test code",
    "local_copy": "a local-development copy of an agent",
    "other": "code no runtime reaches",
}
SHAPE_WORDS: dict[str, str] = {"one_shot": "one-shot script", "service": "long-lived service"}

_ONE_SHOT_DIRS = frozenset({"scripts", "script", "deploy", "deployment", "tools", "bin", "utils", "notebooks"})
_INFRA_DIRS = ("agentcore/cdk/", "cdk/", "infra/", "infrastructure/", "iac/")


# ---------------------------------------------------------------------------
# Resolving imports and assigning roles


@dataclass(frozen=True)
class RuntimeEntry:
    """Where a runtime's code starts, as the deployment sees it."""

    name: str
    entry_file: str | None
    """Project-relative path of the entrypoint module; ``None`` when it is not in this checkout."""
    package_roots: tuple[str, ...]
    """Directories on the runtime's ``sys.path`` (project-relative, ``.`` for the project root)."""
    package_bounds: tuple[str, ...]
    """Directories whose files the deployment ships (code location, Dockerfile copies)."""
    missing: str | None = None
    """Why the entrypoint could not be found, when it could not."""


@dataclass(frozen=True)
class FileRole:
    role: Role
    """The file's main role, by precedence."""
    roles: frozenset[Role]
    runtimes: tuple[str, ...] = ()
    """The runtimes whose code this file is (or, for a caller, that it invokes: unknown here)."""
    shape: Shape | None = None
    """A caller's workload shape: ``one_shot`` (a script, a job) or ``service``."""
    why: str = ""
    """Evidence for the role, for reports and the project map."""

    @property
    def label(self) -> str:
        words = ROLE_WORDS.get(self.role, self.role)
        if self.role == "runtime" and self.runtimes:
            words = "runtime code of " + ", ".join(self.runtimes)
        if "caller" in self.roles and self.shape:
            words += (
                f" ({SHAPE_WORDS[self.shape]})" if self.role == "caller" else f", a caller ({SHAPE_WORDS[self.shape]})"
            )
        return words


_PRECEDENCE: tuple[Role, ...] = (
    "test",
    "runtime",
    "caller",
    "target",
    "infra",
    "local_copy",
    "backend",
    "maintenance",
    "other",
)


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else "."


def _join(directory: str, *parts: str) -> str:
    tail = "/".join(p for p in parts if p)
    if directory in ("", "."):
        return tail or "."
    return f"{directory}/{tail}" if tail else directory


def _inside(path: str, directory: str) -> bool:
    return directory in ("", ".") or path == directory or path.startswith(directory + "/")


class ModuleResolver:
    """Resolves module names to the project's files, from given ``sys.path`` roots."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = frozenset(paths)
        self._modules: dict[tuple[str, str], str | None] = {}

    def module_file(self, root: str, dotted: str) -> str | None:
        """The project file of module ``dotted`` under ``root`` (the same few modules are imported
        by most files of a project, so each answer is kept)."""
        key = (root, dotted)
        try:
            return self._modules[key]
        except KeyError:
            found = self._modules[key] = self._module_file(root, dotted)
            return found

    def _module_file(self, root: str, dotted: str) -> str | None:
        parts = [p for p in dotted.split(".") if p]
        if not parts:
            init = _join(root, "__init__.py")
            return init if init in self.paths else None
        base = _join(root, *parts)
        for candidate in (base + ".py", base + "/__init__.py"):
            if candidate in self.paths:
                return candidate
        return None

    def package_inits(self, root: str, dotted: str) -> list[str]:
        """``__init__.py`` files of the packages above ``dotted`` that an import runs."""
        parts = [p for p in dotted.split(".") if p]
        found: list[str] = []
        for index in range(1, len(parts)):
            init = _join(root, *parts[:index], "__init__.py")
            if init in self.paths:
                found.append(init)
        return found

    def resolve(self, importer: str, ref: ImportRef, roots: Sequence[str]) -> list[str]:
        """Project files an import in ``importer`` runs, searched in ``roots`` (absolute imports)
        or from the importer's package (relative imports).
        """
        if ref.level:
            base = _parent(importer)
            for _ in range(ref.level - 1):
                base = _parent(base) if base not in ("", ".") else base
            return self._from_base(base, ref, with_inits=False)
        for root in roots:
            found = self._from_base(root, ref, with_inits=True)
            if found:
                return found
        return []

    def _from_base(self, base: str, ref: ImportRef, *, with_inits: bool) -> list[str]:
        found: list[str] = []
        module = self.module_file(base, ref.module) if ref.module or ref.level else None
        if module is not None:
            found.append(module)
            if with_inits:
                found.extend(self.package_inits(base, ref.module))
        for name in ref.names:
            if name == "*":
                continue
            submodule = self.module_file(base, f"{ref.module}.{name}" if ref.module else name)
            if submodule is not None and submodule != module:
                found.append(submodule)
        return found


def runtime_code(
    entry: RuntimeEntry,
    signals: Mapping[str, RoleSignals],
    resolver: ModuleResolver,
) -> dict[str, str]:
    """The files a runtime's entrypoint reaches, each with how it was reached."""
    if entry.entry_file is None:
        return {}
    reached: dict[str, str] = {entry.entry_file: "the entrypoint"}
    queue = [entry.entry_file]
    while queue:
        current = queue.pop()
        own = signals.get(current)
        if own is None:
            continue
        refs = list(own.imports)
        refs.extend(ImportRef(0, name, (), line) for name, line in own.dynamic_imports)
        for ref in refs:
            for found in resolver.resolve(current, ref, entry.package_roots):
                if found in reached or not any(_inside(found, bound) for bound in entry.package_bounds):
                    continue
                reached[found] = f"imported at {current}:{ref.line}"
                queue.append(found)
    return reached


def assign_roles(
    paths: Sequence[str],
    signals: Mapping[str, RoleSignals],
    entries: Sequence[RuntimeEntry],
    *,
    test_paths: Iterable[str] = (),
    target_dirs: Sequence[str] = (),
) -> dict[str, FileRole]:
    """Every file's role. ``paths`` are all the project's Python files (parsed or not);
    ``signals`` holds those that parsed.
    """
    resolver = ModuleResolver(paths)
    tests = set(test_paths)
    runtimes_of: dict[str, list[str]] = {}
    reached_why: dict[str, str] = {}
    for entry in entries:
        for path, why in runtime_code(entry, signals, resolver).items():
            if path in tests:
                continue
            runtimes_of.setdefault(path, []).append(entry.name)
            reached_why.setdefault(
                path,
                f"{why} (runtime {entry.name})"
                if why != "the entrypoint"
                else f"the entrypoint of runtime {entry.name}",
            )
    own: dict[str, tuple[set[Role], Shape | None, str]] = {}
    for path in paths:
        own[path] = _own_roles(path, signals.get(path), path in tests, path in runtimes_of, target_dirs)
    importers = _importers(paths, signals, resolver)
    roles: dict[str, FileRole] = {}
    for path in paths:
        own_found, shape, why = own[path]
        found = set(own_found)
        if path in runtimes_of:
            found.add("runtime")
            why = reached_why[path] + (f"; {why}" if why else "")
        if not (found - {"caller"}):
            inherited, inherited_shape, source = _inherit(path, own, importers)
            if inherited:
                found |= inherited
                shape = shape or inherited_shape
                why = (why + "; " if why else "") + f"imported by {source}"
        if "caller" in found and shape is None:
            shape = _inherited_shape(path, own, importers)
        if not found:
            found = {"other"}
            why = why or "no runtime reaches it and its code names no other role"
        main = next(r for r in _PRECEDENCE if r in found)
        roles[path] = FileRole(
            role=main,
            roles=frozenset(found),
            runtimes=tuple(runtimes_of.get(path, ())),
            shape=shape if "caller" in found else None,
            why=why,
        )
    return roles


def _own_roles(
    path: str, signals: RoleSignals | None, is_test: bool, is_runtime: bool, target_dirs: Sequence[str]
) -> tuple[set[Role], Shape | None, str]:
    if is_test:
        return {"test"}, None, "a test file (by its path)"
    found: set[Role] = set()
    reasons: list[str] = []
    shape: Shape | None = None
    if signals is None:
        return found, None, ""
    shape = "service" if is_runtime else _shape(path, signals)
    if signals.invokes:
        how, line = signals.invokes[0]
        found.add("caller")
        reasons.append(f"invokes a runtime at line {line} ({'HTTP' if how == 'http' else how})")
    if is_runtime:
        return found, shape, "; ".join(reasons)
    if any(_inside(path, d) for d in target_dirs):
        found.add("target")
        reasons.append("in a gateway target's code location")
    if (signals.infra is not None or path.startswith(_INFRA_DIRS)) and not found:
        found.add("infra")
        where = signals.infra[0] if signals.infra else "under " + path.split("/")[0] + "/"
        reasons.append(f"infrastructure code ({where})")
    if signals.lambda_handler is not None and "caller" not in found and "infra" not in found:
        found.add("target")
        reasons.append(f"Lambda handler {signals.lambda_handler[0]}() at line {signals.lambda_handler[1]}")
    if signals.agent_app is not None and not found:
        found.add("local_copy")
        label, line = signals.agent_app
        reasons.append(f"an agent application ({label}, line {line}) that no configured runtime deploys")
    if not found and (signals.web_framework is not None or signals.ui_framework is not None):
        framework, line = signals.web_framework or signals.ui_framework  # type: ignore[misc]
        found.add("backend")
        reasons.append(f"a {framework} application (line {line})")
    if not found and (signals.main_guard is not None or signals.cli_parser or _in_script_dir(path)):
        found.add("maintenance")
        reasons.append(_script_reason(path, signals))
    return found, shape, "; ".join(reasons)


def _in_script_dir(path: str) -> bool:
    return any(part in _ONE_SHOT_DIRS for part in path.split("/")[:-1])


def _script_reason(path: str, signals: RoleSignals) -> str:
    if signals.main_guard is not None:
        return f'a script (`if __name__ == "__main__"` at line {signals.main_guard})'
    if signals.cli_parser:
        return f"a command-line script ({signals.cli_parser})"
    return "a script (by its folder)"


def _shape(path: str, signals: RoleSignals) -> Shape | None:
    if (
        signals.web_framework is not None
        or signals.ui_framework is not None
        or signals.lambda_handler is not None
        or signals.queue_worker is not None
        or signals.agent_app is not None
    ):
        return "service"
    if signals.main_guard is not None or signals.cli_parser or _in_script_dir(path) or path.endswith(".ipynb"):
        return "one_shot"
    return None


def _importers(
    paths: Sequence[str], signals: Mapping[str, RoleSignals], resolver: ModuleResolver
) -> dict[str, list[str]]:
    """For each file, the project files that import it (resolved from the importer's own
    folder and each folder above it, as a script run from any of them would).
    """
    importers: dict[str, list[str]] = {}
    for path in paths:
        own = signals.get(path)
        if own is None:
            continue
        roots = _ancestors(path)
        refs = [*own.imports, *(ImportRef(0, name, (), line) for name, line in own.dynamic_imports)]
        for ref in refs:
            for found in resolver.resolve(path, ref, roots):
                if found != path:
                    importers.setdefault(found, []).append(path)
    return importers


def _ancestors(path: str) -> list[str]:
    found: list[str] = []
    directory = _parent(path)
    while True:
        found.append(directory)
        if directory in ("", "."):
            return found
        directory = _parent(directory)


_INHERITED: tuple[Role, ...] = ("caller", "backend", "target", "infra", "maintenance", "local_copy", "test")


def _inherit(
    path: str, own: Mapping[str, tuple[set[Role], Shape | None, str]], importers: Mapping[str, list[str]]
) -> tuple[set[Role], Shape | None, str]:
    """The role of the files importing ``path`` (breadth-first, the nearest importers first)."""
    seen = {path}
    frontier = list(importers.get(path, ()))
    while frontier:
        for role in _INHERITED:
            for importer in frontier:
                roles, shape, _ = own.get(importer, (set(), None, ""))
                if role in roles:
                    inherited: set[Role] = {role}
                    if role == "caller":
                        inherited = {"backend"} if shape == "service" else {"maintenance"} if shape else {"other"}
                    return inherited, shape, importer
        seen.update(frontier)
        frontier = [i for f in frontier for i in importers.get(f, ()) if i not in seen]
    return set(), None, ""


def _inherited_shape(
    path: str, own: Mapping[str, tuple[set[Role], Shape | None, str]], importers: Mapping[str, list[str]]
) -> Shape | None:
    seen = {path}
    frontier = list(importers.get(path, ()))
    while frontier:
        shapes = {own[i][1] for i in frontier if i in own and own[i][1] is not None}
        if "service" in shapes:
            return "service"
        if "one_shot" in shapes:
            return "one_shot"
        seen.update(frontier)
        frontier = [i for f in frontier for i in importers.get(f, ()) if i not in seen]
    return None


def runtime_entries(project: ProjectFacts) -> list[RuntimeEntry]:
    """Where each runtime's code starts and which folders its deployment holds: the code
    location of a CodeZip package; for a Container, what the Dockerfile copies and the module
    or file its ``CMD`` runs.
    """
    entries: list[RuntimeEntry] = []
    from agentcore_readiness.facts.project.project_facts import CLI_CONFIG

    for runtime in project.runtimes:
        location = runtime.code_location
        plan = runtime.build_plan
        entry_file = runtime.entry_file
        roots: list[str] = []
        bounds: list[str] = []
        # A CLI Container runs what its Dockerfile's CMD runs; the starter toolkit generates the
        # Dockerfile from the configured entrypoint, so a Dockerfile that runs something else
        # (a web app's of the same repository) is not this runtime's image.
        image = runtime.is_container and plan is not None and bool(plan.copies)
        if image and plan is not None and runtime.source != CLI_CONFIG and plan.entry_file != entry_file:
            image = False
        if image and plan is not None:
            entry_file = plan.entry_file or entry_file
            roots, bounds = _image_roots(plan)
        elif location is not None:
            roots.append(location)
            bounds.append(location)
        if entry_file is not None:
            roots.append(_parent(entry_file))
            if not bounds:
                bounds.append(_parent(entry_file))
        if location is not None:
            roots.append(_join(location, "src"))
        missing = None
        if entry_file is None:
            missing = (
                runtime.path_notes[-1] if runtime.path_notes else "its entrypoint is not a Python file of this checkout"
            )
        entries.append(
            RuntimeEntry(
                name=runtime.name,
                entry_file=entry_file,
                package_roots=tuple(dict.fromkeys(roots)),
                package_bounds=tuple(dict.fromkeys(bounds)),
                missing=missing,
            )
        )
    return entries


def _image_roots(plan: BuildPlan) -> tuple[list[str], list[str]]:
    """The project folders on the image's ``sys.path`` (its working directory, the folder of the
    script it runs) and every folder the image copies in.
    """
    on_path = {plan.workdir or "/"}
    target = plan.run_target
    if target is not None and target.script:
        on_path.add(posixpath.dirname(target.script) or "/")
    roots: list[str] = []
    bounds: list[str] = []
    for copy in plan.copies:
        if any(c in copy.source for c in "*?["):
            bounds.append(_parent(copy.source))
            continue
        bounds.append(copy.source)
        if posixpath.splitext(posixpath.basename(copy.source))[1]:
            continue  # a file (requirements.txt, main.py): not a folder on sys.path
        destination = copy.destination.rstrip("/") or "/"
        for image_dir in sorted(on_path):
            project_dir = _project_dir(copy.source, destination, image_dir.rstrip("/") or "/")
            if project_dir is not None:
                roots.append(project_dir)
    return roots, bounds


def _project_dir(source: str, destination: str, image_dir: str) -> str | None:
    """The project folder that lands at ``image_dir`` through a copy of ``source`` to ``destination``."""
    if image_dir == destination or image_dir.startswith(destination.rstrip("/") + "/"):
        inside = image_dir[len(destination) :].strip("/")
        return _join(source, inside) if source not in ("", ".") else (inside or ".")
    if destination.startswith(image_dir.rstrip("/") + "/"):
        extra = destination[len(image_dir.rstrip("/")) :].strip("/")
        if source == extra:
            return "."
        if source.endswith("/" + extra):
            return source[: -len(extra) - 1]
    return None

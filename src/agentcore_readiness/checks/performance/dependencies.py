"""Dependencies (PERF004, PERF005): development tools shipped, dependencies nothing imports."""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.measure.measurements import Environment, Requirement, closure, parse_requirement
from agentcore_readiness.facts.measure.uv_lock import Lock
from agentcore_readiness.facts.project.dependency_files import Dependency
from agentcore_readiness.facts.project.project_facts import Runtime
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import PyFile


_DEV_TOOLS = frozenset(
    {
        "pytest",
        "ruff",
        "black",
        "mypy",
        "flake8",
        "pylint",
        "isort",
        "ipython",
        "jupyter",
        "jupyterlab",
        "notebook",
        "ipykernel",
        "pre-commit",
        "tox",
        "nox",
        "coverage",
        "moto",
        "hypothesis",
        "bandit",
        "sphinx",
        "mkdocs",
        "pyright",
        "debugpy",
        "autopep8",
        "yapf",
        "pdbpp",
        "freezegun",
        "responses",
        "faker",
        "pytest-cov",
    }
)
_DEV_PREFIXES = ("pytest-", "types-", "sphinx-", "mkdocs-", "jupyter-", "flake8-", "mypy-")
_SHIPPED_DIRS = {"tests/": "tests", "test/": "tests", "docs/": "docs", "doc/": "docs", ".git/": "VCS data"}


def _is_dev_tool(name: str) -> bool:
    return name in _DEV_TOOLS or name.startswith(_DEV_PREFIXES) or name.endswith("-stubs")


@rule(
    "PERF004",
    "dev-dependency-shipped",
    "low",
    ("P",),
    "Dev tools or tests shipped in the package",
    family="Performance",
    checklist=("perf.deps",),
    tools=("audit_cold_start",),
)
def dev_dependency_shipped(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each dependency the build really installs that is a development tool
    (pytest and its plugins, ruff, black, mypy, flake8, pylint, isort, ipython, jupyter,
    moto, coverage, `types-*` stubs …), and, for CodeZip builds, for `tests/`, `docs/` or
    `.git/` inside the code location. What the build installs: the CLI's CodeZip
    packaging installs the `[project].dependencies` of `pyproject.toml` (not its dependency
    groups, extras or a stray `requirements.txt`); a Container installs what its
    Dockerfile's `RUN` commands install, so `uv sync` without `--no-dev` ships the `dev`
    group (the finding then points at that command).

    ### Why is this bad?
    Dev tools and test suites are installed and uploaded with the agent and downloaded
    at every cold start, for nothing: the runtime never runs them.

    ### Example
    ```toml
    [project]
    dependencies = ["strands-agents", "pytest>=8"]
    ```

    ### Fix
    Move them to a dev group (`uv remove pytest && uv add --dev pytest` in the code
    location) and keep tests and docs outside the code location.

    ### References
    - agents-harden skill, "Package size budget" (CodeZip builds)
    """
    runtimes = [r for r in facts.project.runtimes if r.code_location is not None]
    if not runtimes:
        return not_applicable("the project defines no runtimes with a code location")
    for runtime in runtimes:
        base = "" if runtime.code_location == "." else f"{runtime.code_location}/"
        for dep in runtime.dependencies:
            if _is_dev_tool(dep.name):
                _dev_tool_installed(runtime, dep, out)
        if not runtime.is_container:
            for entry in runtime.code_entries:
                if entry in _SHIPPED_DIRS:
                    out.warn(
                        f"{runtime.name}'s code location ships {base}{entry} ({_SHIPPED_DIRS[entry]}) in its package",
                        Location(path=f"{base}{entry.rstrip('/')}"),
                        subject=runtime.name,
                        fix=Fix(
                            summary=f"Move {entry} out of {runtime.code_location}/ (e.g. to the project root) so "
                            "the CodeZip package leaves it out."
                        ),
                    )
        if not any(f.subject == runtime.name for f in out.items):
            out.note(f"{runtime.name}: {len(runtime.dependencies)} runtime dependencies, no dev tools")
        plan = runtime.build_plan
        left_out = sorted({d.name for d in plan.not_installed if _is_dev_tool(d.name)}) if plan else []
        if left_out:
            out.note(
                f"{runtime.name}: not installed by the build: {', '.join(left_out)} (dev groups, extras or files it does not read)"
            )
    return None


def _dev_tool_installed(runtime: Runtime, dep: Dependency, out: Findings) -> None:
    """A dev tool the build installs: at its declaration, or at the Dockerfile command that pulls a
    dev group in (the fix is there: ``--no-dev``)."""
    declared = f"{dep.path}:{dep.line}" if dep.line else dep.path
    command = dep.installed_at
    dockerfile = runtime.dockerfile.path if runtime.dockerfile is not None else None
    in_group = not dep.main and command is not None and command.path == dockerfile
    evidence = excerpt(f"{dep.spec} ({dep.section}): {dep.via}" if dep.via else dep.spec, 300)
    if in_group and command is not None:
        out.warn(
            f"{runtime.name} ships the development tool {dep.name!r}: {declared} puts it in {dep.section}, which "
            f"the image installs",
            command,
            subject=runtime.name,
            evidence=evidence,
            fix=Fix(
                summary=f"Install only the runtime dependencies in the image: leave {dep.section} out of the command "
                f"at {command.path}:{command.line} (`uv sync --no-dev`, or no `--group`/`--all-groups` for it; Poetry: "
                "`poetry install --only main`)."
            ),
        )
        return
    out.warn(
        f"{runtime.name} ships the development tool {dep.name!r} as a runtime dependency ({declared}"
        + (f", {dep.section}" if dep.section and dep.section != "[project].dependencies" else "")
        + ")",
        Location(path=dep.path, line=dep.line),
        subject=runtime.name,
        evidence=evidence,
        fix=Fix(
            summary=f"Move {dep.name} to the dev group so it is not packaged.",
            commands=[f"cd {posixpath.dirname(dep.path) or '.'} && uv remove {dep.name} && uv add --dev {dep.name}"]
            if dep.path.endswith("pyproject.toml") and dep.main
            else [],
        ),
    )


# Distribution -> modules it provides, for projects without an installed .venv (where the
# installed files give the exact map). Only distributions listed here (or installed) are
# judged; others are reported as not mapped, never guessed.
DIST_MODULES: dict[str, tuple[str, ...]] = {
    "a2a-sdk": ("a2a",),
    "aioboto3": ("aioboto3",),
    "aiohttp": ("aiohttp",),
    "anthropic": ("anthropic",),
    "attrs": ("attr", "attrs"),
    "backoff": ("backoff",),
    "beautifulsoup4": ("bs4",),
    "bedrock-agentcore": ("bedrock_agentcore",),
    "bedrock-agentcore-starter-toolkit": ("bedrock_agentcore_starter_toolkit",),
    "boto3": ("boto3",),
    "botocore": ("botocore",),
    "browser-use": ("browser_use",),
    "cachetools": ("cachetools",),
    "certifi": ("certifi",),
    "chromadb": ("chromadb",),
    "click": ("click",),
    "crewai": ("crewai",),
    "cryptography": ("cryptography",),
    "duckduckgo-search": ("duckduckgo_search",),
    "exa-py": ("exa_py",),
    "faiss-cpu": ("faiss",),
    "fastapi": ("fastapi",),
    "fastmcp": ("fastmcp",),
    "google-adk": ("google.adk",),
    "google-genai": ("google.genai",),
    "google-generativeai": ("google.generativeai",),
    "httpx": ("httpx",),
    "httpx-sse": ("httpx_sse",),
    "jinja2": ("jinja2",),
    "jsonschema": ("jsonschema",),
    "langchain": ("langchain",),
    "langchain-anthropic": ("langchain_anthropic",),
    "langchain-aws": ("langchain_aws",),
    "langchain-community": ("langchain_community",),
    "langchain-core": ("langchain_core",),
    "langchain-mcp-adapters": ("langchain_mcp_adapters",),
    "langchain-openai": ("langchain_openai",),
    "langgraph": ("langgraph",),
    "litellm": ("litellm",),
    "llama-index": ("llama_index",),
    "llama-index-core": ("llama_index.core",),
    "lxml": ("lxml",),
    "markdown": ("markdown",),
    "matplotlib": ("matplotlib", "mpl_toolkits"),
    "mcp": ("mcp",),
    "mysql-connector-python": ("mysql.connector",),
    "nest-asyncio": ("nest_asyncio",),
    "networkx": ("networkx",),
    "nltk": ("nltk",),
    "numpy": ("numpy",),
    "openai": ("openai",),
    "openai-agents": ("agents",),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "opensearch-py": ("opensearchpy",),
    "opentelemetry-api": (
        "opentelemetry.trace",
        "opentelemetry.context",
        "opentelemetry.metrics",
        "opentelemetry.propagate",
        "opentelemetry.baggage",
        "opentelemetry._logs",
        "opentelemetry.util",
    ),
    "opentelemetry-instrumentation-langchain": ("opentelemetry.instrumentation.langchain",),
    "opentelemetry-sdk": ("opentelemetry.sdk",),
    "orjson": ("orjson",),
    "pandas": ("pandas",),
    "pillow": ("PIL",),
    "pinecone": ("pinecone",),
    "pinecone-client": ("pinecone",),
    "playwright": ("playwright",),
    "protobuf": ("google.protobuf",),
    "psycopg": ("psycopg",),
    "psycopg2": ("psycopg2",),
    "psycopg2-binary": ("psycopg2",),
    "pyarrow": ("pyarrow",),
    "pydantic": ("pydantic",),
    "pydantic-settings": ("pydantic_settings",),
    "pyjwt": ("jwt",),
    "pymongo": ("pymongo", "bson", "gridfs"),
    "pymupdf": ("fitz", "pymupdf"),
    "pymysql": ("pymysql",),
    "pyopenssl": ("OpenSSL",),
    "pypdf": ("pypdf",),
    "pypdf2": ("PyPDF2",),
    "python-dateutil": ("dateutil",),
    "python-docx": ("docx",),
    "python-dotenv": ("dotenv",),
    "python-multipart": ("multipart", "python_multipart"),
    "pytz": ("pytz",),
    "pyyaml": ("yaml",),
    "redis": ("redis",),
    "requests": ("requests",),
    "rich": ("rich",),
    "scikit-learn": ("sklearn",),
    "scipy": ("scipy",),
    "sentence-transformers": ("sentence_transformers",),
    "sqlalchemy": ("sqlalchemy",),
    "starlette": ("starlette",),
    "strands-agents": ("strands",),
    "strands-agents-tools": ("strands_tools",),
    "structlog": ("structlog",),
    "tavily-python": ("tavily",),
    "tenacity": ("tenacity",),
    "tiktoken": ("tiktoken",),
    "torch": ("torch",),
    "transformers": ("transformers",),
    "typer": ("typer",),
    "typing-extensions": ("typing_extensions",),
    "urllib3": ("urllib3",),
    "uvicorn": ("uvicorn",),
    "websockets": ("websockets",),
}
# What common agent distributions require (their published metadata, late 2026), in the
# requirement syntax of that metadata, for projects without an installed .venv: a declared
# dependency that another declared one requires anyway is a version pin, not dead weight,
# so it is not reported. Distributions not listed here are leaves. Wrong entries can only
# hide a warning, never raise one.
KNOWN_REQUIRES: dict[str, tuple[str, ...]] = {
    "a2a-sdk": ("culsans", "google-api-core", "googleapis-common-protos", "httpx", "json-rpc", "packaging",
                "protobuf", "pydantic"),
    "bedrock-agentcore": ("boto3", "botocore", "pydantic", "starlette", "typing-extensions", "urllib3", "uvicorn",
                          "websockets", "a2a-sdk; extra == 'a2a'", "httpx; extra == 'langgraph'",
                          "langchain; extra == 'langgraph'", "langchain-mcp-adapters; extra == 'langgraph'",
                          "langgraph; extra == 'langgraph'", "mcp; extra == 'strands-agents'",
                          "strands-agents; extra == 'strands-agents'"),
    "boto3": ("botocore", "jmespath", "s3transfer"),
    "google-adk": ("aiosqlite", "authlib", "click", "cryptography", "fastapi", "google-auth", "google-genai",
                   "graphviz", "httpx", "jsonschema", "opentelemetry-api", "opentelemetry-sdk", "packaging",
                   "pydantic", "python-dotenv", "python-multipart", "pyyaml", "requests", "starlette", "tenacity",
                   "typing-extensions", "uvicorn", "watchdog", "websockets"),
    "langchain": ("langchain-core", "langgraph", "pydantic", "langchain-aws; extra == 'aws'"),
    "langchain-aws": ("boto3", "langchain-core", "numpy", "pydantic"),
    "langchain-mcp-adapters": ("langchain-core", "mcp", "typing-extensions"),
    "langgraph": ("langchain-core", "langgraph-checkpoint", "langgraph-prebuilt", "langgraph-sdk", "pydantic",
                  "xxhash"),
    "mcp": ("anyio", "httpx", "httpx2", "jsonschema", "opentelemetry-api", "pydantic", "pyjwt", "python-multipart",
            "sse-starlette", "starlette", "typing-extensions", "uvicorn"),
    "openai-agents": ("griffelib", "httpx2", "mcp", "openai", "pydantic", "pyjwt", "python-multipart", "requests",
                      "starlette", "typing-extensions", "urllib3", "websockets"),
    "strands-agents": ("boto3", "botocore", "docstring-parser", "httpx", "jsonschema", "mcp", "opentelemetry-api",
                       "opentelemetry-instrumentation-threading", "opentelemetry-sdk", "pydantic", "pyyaml",
                       "typing-extensions", "watchdog", "a2a-sdk; extra == 'a2a'", "fastapi; extra == 'a2a'",
                       "httpx; extra == 'a2a'", "starlette; extra == 'a2a'", "uvicorn; extra == 'a2a'",
                       "anthropic; extra == 'anthropic'", "google-genai; extra == 'gemini'",
                       "litellm; extra == 'litellm'", "openai; extra == 'litellm'",
                       "aws-bedrock-token-generator; extra == 'openai'", "openai; extra == 'openai'",
                       "opentelemetry-exporter-otlp-proto-http; extra == 'otel'",
                       "opentelemetry-processor-baggage; extra == 'otel'"),
}  # fmt: skip


@functools.cache
def known_provides() -> dict[str, tuple[Requirement, ...]]:
    """:data:`KNOWN_REQUIRES` parsed, in the shape :func:`closure` takes (every listed name is one)."""
    parsed = {name: tuple(parse_requirement(text) for text in texts) for name, texts in KNOWN_REQUIRES.items()}
    return {name: tuple(r for r in requirements if r is not None) for name, requirements in parsed.items()}


# Needed without being imported: the OTel auto-instrumentation launcher, botocore's CRT
# extra, the installer.
_USED_WITHOUT_IMPORT = frozenset({"aws-opentelemetry-distro", "uv"})
# Distributions whose command runs the agent (Dockerfile CMD) count as used.
_COMMAND_DISTS = {"uvicorn": "uvicorn", "gunicorn": "gunicorn", "opentelemetry-instrument": "opentelemetry-distro"}


def imported_modules(py_file: PyFile) -> set[str]:
    """Every dotted module name the file imports (``from a.b import c`` gives ``a.b`` and ``a.b.c``),
    from the imports the code index recorded in its walk (no syntax tree is needed)."""
    found: set[str] = set()
    signals = py_file.facts.signals
    for ref in signals.imports:
        if ref.level or not ref.module:
            continue
        found.add(ref.module)
        found.update(f"{ref.module}.{name}" for name in ref.names if name != "*")
    found.update(name for name, _ in signals.dynamic_imports)
    return found


def _required_by(runtime: Runtime, environment: Environment | None, lock: Lock | None) -> dict[str, str]:
    """Each distribution another installed dependency requires, and which one (with extras): from the
    installed metadata of the ``.venv``, else from ``uv.lock``, else from the built-in table (where a name
    it lacks is a leaf, still required)."""
    if environment is not None:
        provides: Mapping[str, tuple[Requirement, ...]] = {n: d.requires for n, d in environment.dists.items()}
        source = ""
    elif lock is not None:
        provides = {n: p.requires for n, p in lock.packages.items()}
        source = f" ({lock.path})"
    else:
        provides = known_provides()
        source = " (built-in map)"
    required_by: dict[str, str] = {}
    for declared in runtime.dependencies:
        requirement = parse_requirement(declared.spec)
        if requirement is None:
            continue
        wanted, leaves = closure([requirement], provides)
        needed = wanted | leaves if environment is None and lock is None else wanted
        for other in sorted(needed - {declared.name}):
            required_by.setdefault(other, declared.name + source)
    return required_by


def _provides(modules: tuple[str, ...], imported: set[str]) -> bool:
    return any(i == m or i.startswith(m + ".") for m in modules for i in imported)


@rule(
    "PERF005",
    "unused-dependency",
    "low",
    ("P", "C"),
    "Declared dependency never imported",
    family="Performance",
    checklist=("perf.deps",),
    reads=("runtime", "test"),
    measures=("environments",),
    tools=("audit_code", "audit_cold_start"),
)
def unused_dependency(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each runtime, maps every declared dependency to the modules it provides and
    warns when the runtime's code imports none of them. The map comes from the installed
    files of the runtime's `.venv` when there is one (exact, including namespace packages
    such as `opentelemetry.instrumentation.langchain`), else from a built-in table of
    common distributions (`pyyaml` → `yaml`, `strands-agents` → `strands`, …);
    distributions in neither are listed as not mapped, never guessed. Allowed without an
    import: `aws-opentelemetry-distro`, `botocore[crt]`, `uv`, and a distribution whose
    command the Dockerfile runs.

    ### Why is this bad?
    Every unused package is installed, shipped and downloaded at each cold start; some
    drag in large trees of their own.

    ### Example
    `dependencies = ["strands-agents", "pandas"]` with no `import pandas` anywhere.

    ### Fix
    `uv remove <package>` in the code location. If it is needed at runtime without an
    import (a plugin loaded by name), keep it and add `PERF005` to `ignore` under
    `[tool.agentcore-readiness]`. A dependency that another declared dependency requires
    anyway is not reported (removing it would not shrink anything): with a `.venv` from the
    installed metadata, else from a built-in table of the common agent frameworks
    (`strands-agents`, `bedrock-agentcore` and their extras, LangChain/LangGraph, MCP, A2A,
    OpenAI Agents, Google ADK).

    ### References
    - agents-harden skill, "Package size budget" (Audit regularly)
    """
    if facts.code is None:
        return unknown("the code index was not built")
    runtimes = [r for r in facts.project.runtimes if r.code_location is not None and r.dependencies]
    if not runtimes:
        return not_applicable("no runtime declares dependencies")
    environments = facts.measured.environments if facts.measured is not None else {}
    locks = facts.measured.locks if facts.measured is not None else {}
    imports = {r.name: _runtime_imports(facts, r) for r in runtimes}
    # A dependency file several runtimes install is one fact: a package is unused only if none imports it.
    installers: dict[tuple[str, str], list[Runtime]] = {}
    for runtime in runtimes:
        for dep in runtime.dependencies:
            installers.setdefault((dep.path, dep.name), []).append(runtime)
    reported: set[tuple[str, str]] = set()
    for runtime in runtimes:
        imported, test_imports = imports[runtime.name]
        if imported is None:
            out.note(f"{runtime.name}: no Python code found to compare with")
            continue
        environment = environments.get(runtime.name)
        lock = locks.get(runtime.name) if environment is None else None
        command = (
            runtime.dockerfile.final_command.args if runtime.dockerfile and runtime.dockerfile.final_command else ""
        )
        unmapped: list[str] = []
        used = 0
        required_by = _required_by(runtime, environment, lock)
        unknown_requirements = _unknown_requirements(runtime) if environment is None and lock is None else []
        checked = [d for d in runtime.dependencies if d.main or d.section.startswith("[project.optional")]
        for dep in checked:
            if dep.name in _USED_WITHOUT_IMPORT or (dep.name == "botocore" and "[crt]" in dep.spec.replace(" ", "")):
                used += 1
                continue
            if any(cmd in command and dist == dep.name for cmd, dist in _COMMAND_DISTS.items()) or (
                dep.name in command
            ):
                used += 1
                continue
            source = "built-in map"
            modules: tuple[str, ...] = ()
            if environment is not None and dep.name in environment.dists:
                modules = environment.dists[dep.name].modules
                source = environment.path
            elif dep.name in DIST_MODULES:
                modules = DIST_MODULES[dep.name]
            if not modules:
                unmapped.append(dep.name)
                continue
            sharing = installers.get((dep.path, dep.name), [runtime])
            if any(_provides(modules, imports[r.name][0] or set()) for r in sharing):
                used += 1
                continue
            if dep.name in required_by:
                used += 1
                out.note(f"{runtime.name}: {dep.name} is not imported but {required_by[dep.name]} requires it")
                continue
            if (dep.path, dep.name) in reported:
                continue
            reported.add((dep.path, dep.name))
            _unused(out, dep, modules, source, sharing, test_imports, unknown_requirements)
        note = f"{runtime.name}: {used} of {len(checked)} dependencies imported"
        if unmapped:
            note += f"; not mapped to modules (install into .venv to check): {', '.join(sorted(unmapped))}"
        out.note(note)
    return None


def _runtime_imports(facts: Facts, runtime: Runtime) -> tuple[set[str] | None, set[str]]:
    """What the runtime's code imports (``None`` without code), and what its tests import."""
    assert facts.code is not None
    files = [f for f in facts.code.facts_of("runtime") if runtime.name in f.runtimes]
    imported: set[str] = set()
    for py_file in files:
        imported |= imported_modules(py_file)
    test_imports: set[str] = set()
    for py_file in facts.code.facts_of("test"):
        if runtime.code_location and (
            runtime.code_location == "." or py_file.path.startswith(runtime.code_location + "/")
        ):
            test_imports |= imported_modules(py_file)
    return (imported if files else None), test_imports


# Libraries other libraries commonly require: one of these that nothing imports may be another
# declared package's requirement when that package's own requirements are not known here.
_COMMON_REQUIREMENTS = frozenset(
    {
        "numpy",
        "requests",
        "urllib3",
        "certifi",
        "charset-normalizer",
        "idna",
        "python-dotenv",
        "pydantic",
        "pydantic-core",
        "typing-extensions",
        "six",
        "python-dateutil",
        "pytz",
        "attrs",
        "aiohttp",
        "httpx",
        "anyio",
        "protobuf",
        "grpcio",
        "pyyaml",
        "jinja2",
        "markupsafe",
        "click",
        "packaging",
        "setuptools",
        "cryptography",
        "cffi",
        "tenacity",
        "websockets",
        "orjson",
        "jsonschema",
    }
)


def _unknown_requirements(runtime: Runtime) -> list[str]:
    """Declared dependencies whose own requirements the built-in table does not know."""
    known = known_provides()
    return sorted({d.name for d in runtime.dependencies if d.name not in known})


def _unused(
    out: Findings,
    dep: Dependency,
    modules: tuple[str, ...],
    source: str,
    sharing: list[Runtime],
    test_imports: set[str],
    unknown_requirements: list[str],
) -> None:
    only_tests = _provides(modules, test_imports)
    names = " and ".join(r.name for r in sharing)
    code = "code" if len(sharing) == 1 else "code (all of them install this file)"
    message = (
        f"{names} {'declares' if len(sharing) == 1 else 'declare'} {dep.name!r} ({dep.path}) but {'its' if len(sharing) == 1 else 'their'} "
        f"{code} never imports {' or '.join(modules)}"
        + (" (only its tests do)" if only_tests else "")
        + f" [map: {source}]"
    )
    others = [n for n in unknown_requirements if n != dep.name] if dep.name in _COMMON_REQUIREMENTS else []
    fix = Fix(
        summary=f"Remove {dep.name} if nothing loads it" + (" or move it to the dev group" if only_tests else "") + ".",
        commands=[
            f"cd {posixpath.dirname(dep.path) or '.'} && uv remove {dep.name}"
            + (f" && uv add --dev {dep.name}" if only_tests else "")
        ]
        if dep.path.endswith("pyproject.toml")
        else [],
    )
    if others:
        # without a lock or an environment, a package nothing imports may still be another one's requirement
        out.info(
            message + f"; it may be a requirement of {', '.join(others[:4])}{' …' if len(others) > 4 else ''}, whose "
            "requirements are not known here (a uv.lock or an installed .venv tells)",
            Location(path=dep.path, line=dep.line),
            subject=sharing[0].name,
            evidence=excerpt(dep.spec),
            fix=fix,
        )
        return
    out.warn(
        message, Location(path=dep.path, line=dep.line), subject=sharing[0].name, evidence=excerpt(dep.spec), fix=fix
    )

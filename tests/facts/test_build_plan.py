"""What the build really installs (PERF001, PERF004, PERF005, OBS002) on fixture projects shaped
like real ones: a CodeZip runtime whose pyproject.toml keeps pytest in a dev group beside a stray
requirements.txt, a multi-stage Container built with `uv sync`, a uv.lock that says who requires
whom (extras included), and the Dockerfile and requirements-file forms real projects use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentcore_readiness.facts.project.project_facts import load_project
from conftest import ProjectBuilder, findings_of, runtime

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CODEZIP_PYPROJECT = "app/Agent/pyproject.toml"
TRIAGE = "app/Triage"


def copy_fixture(name: str, tmp_path: Path) -> ProjectBuilder:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return ProjectBuilder(target)


def line_of(builder: ProjectBuilder, rel: str, needle: str) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if needle in text)


def edit(builder: ProjectBuilder, rel: str, old: str, new: str) -> None:
    path = builder.root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


# --- CodeZip (AgentCore CLI) -----------------------------------------------------------------


def test_codezip_installs_the_pyproject_dependencies_only(tmp_path: Path) -> None:
    project = copy_fixture("build_codezip", tmp_path)
    plan = load_project(project.root).runtimes[0].build_plan
    assert plan is not None
    assert [d.name for d in plan.dependencies] == [
        "bedrock-agentcore",
        "strands-agents",
        "aws-opentelemetry-distro",
        "acme-toolkit",
        "a2a-sdk",
        "httpx",
        "tenacity",
        "pandas",
    ]
    assert plan.dependency_files == (CODEZIP_PYPROJECT,)
    assert plan.lock == "app/Agent/uv.lock"
    assert plan.dependencies[0].via == (
        "installed by the AgentCore CLI's CodeZip packaging (`uv pip install -r app/Agent/pyproject.toml`: "
        "[project].dependencies only)"
    )
    assert [(d.name, d.path, d.line, d.section) for d in plan.not_installed] == [
        ("jupyter", CODEZIP_PYPROJECT, 21, "[project.optional-dependencies] notebooks"),
        ("pytest", CODEZIP_PYPROJECT, 25, "[dependency-groups] dev"),
        ("ruff", CODEZIP_PYPROJECT, 26, "[dependency-groups] dev"),
        ("strands-agents", "app/Agent/requirements.txt", 2, "requirements.txt"),
        ("pytest", "app/Agent/requirements.txt", 3, "requirements.txt"),
    ]
    assert plan.not_installed[-1].via == (
        "the AgentCore CLI's CodeZip packaging installs app/Agent/pyproject.toml, not this file"
    )


def test_pytest_in_a_dev_group_and_a_stray_requirements_file_is_not_shipped(tmp_path: Path) -> None:
    project = copy_fixture("build_codezip", tmp_path)
    result = project.results("PERF004")["PERF004"]
    assert result.status == "pass"
    assert result.reason == (
        "Agent: 8 runtime dependencies, no dev tools; Agent: not installed by the build: jupyter, pytest, ruff "
        "(dev groups, extras or files it does not read)"
    )


def test_pytest_in_the_project_dependencies_is_shipped_at_its_line(tmp_path: Path) -> None:
    project = copy_fixture("build_codezip", tmp_path)
    edit(project, CODEZIP_PYPROJECT, '    "pandas>=2.2",\n', '    "pandas>=2.2",\n    "pytest>=8.3",\n')
    result = project.results("PERF004")["PERF004"]
    assert findings_of(result) == [("warn", CODEZIP_PYPROJECT, 18)]
    finding = result.findings[0]
    assert finding.message == (
        "Agent ships the development tool 'pytest' as a runtime dependency (app/Agent/pyproject.toml:18)"
    )
    assert finding.evidence == (
        "pytest>=8.3 ([project].dependencies): installed by the AgentCore CLI's CodeZip packaging "
        "(`uv pip install -r app/Agent/pyproject.toml`: [project].dependencies only)"
    )
    assert finding.fix is not None
    assert finding.fix.commands == ["cd app/Agent && uv remove pytest && uv add --dev pytest"]


def test_a_package_another_one_requires_in_uv_lock_is_not_unused(tmp_path: Path) -> None:
    project = copy_fixture("build_codezip", tmp_path)
    result = project.results("PERF005")["PERF005"]
    # httpx (required by a2a-sdk) and tenacity (by acme-toolkit's `http` extra) are pins, not dead weight.
    assert findings_of(result) == [("warn", CODEZIP_PYPROJECT, 17)]
    assert result.findings[0].message == (
        "Agent declares 'pandas' (app/Agent/pyproject.toml) but its code never imports pandas [map: built-in map]"
    )
    edit(project, CODEZIP_PYPROJECT, '    "pandas>=2.2",\n', "")
    result = project.results("PERF005")["PERF005"]
    assert result.status == "pass"
    assert result.reason == (
        "Agent: httpx is not imported but a2a-sdk (app/Agent/uv.lock) requires it; "
        "Agent: tenacity is not imported but acme-toolkit (app/Agent/uv.lock) requires it; "
        "Agent: 6 of 7 dependencies imported; not mapped to modules (install into .venv to check): acme-toolkit"
    )


def test_without_the_extra_the_lock_does_not_require_it(tmp_path: Path) -> None:
    project = copy_fixture("build_codezip", tmp_path)
    edit(project, CODEZIP_PYPROJECT, '"acme-toolkit[http]>=2.0"', '"acme-toolkit>=2.0"')
    result = project.results("PERF005")["PERF005"]
    assert findings_of(result) == [
        ("warn", CODEZIP_PYPROJECT, 16),  # tenacity: only acme-toolkit[http] needs it
        ("warn", CODEZIP_PYPROJECT, 17),
    ]


def test_the_package_size_counts_only_what_is_installed(tmp_path: Path) -> None:
    project = copy_fixture("build_codezip", tmp_path)
    result = project.results("PERF001")["PERF001"]
    # pytest (340 MB in the lock) is in the dev group: not installed, not counted.
    assert result.status == "pass"
    assert (result.reason or "").startswith("Agent: 15.8 MB = code ")
    assert "+ 9 dependency wheels (compressed) 15.8 MB, from app/Agent/uv.lock" in (result.reason or "")


def test_the_distro_in_a_dev_group_does_not_count(tmp_path: Path) -> None:
    project = copy_fixture("build_codezip", tmp_path)
    edit(project, CODEZIP_PYPROJECT, '    "aws-opentelemetry-distro~=0.18.0",\n', "")
    edit(project, CODEZIP_PYPROJECT, '    "ruff>=0.6",\n', '    "ruff>=0.6",\n    "aws-opentelemetry-distro",\n')
    result = project.results("OBS002")["OBS002"]
    assert findings_of(result) == [("warn", CODEZIP_PYPROJECT, 26)]
    assert result.findings[0].message == (
        "runtime 'Agent': aws-opentelemetry-distro is declared at app/Agent/pyproject.toml:26 but not installed: "
        "`uv pip install -r app/Agent/pyproject.toml` leaves this section out ([dependency-groups] dev)"
    )


# --- Container ---------------------------------------------------------------------------------


def test_uv_sync_without_no_dev_ships_the_dev_group_at_the_dockerfile_line(tmp_path: Path) -> None:
    project = copy_fixture("build_container", tmp_path)
    dockerfile = f"{TRIAGE}/Dockerfile"
    first_sync = line_of(project, dockerfile, "RUN --mount=type=cache")
    result = project.results("PERF004")["PERF004"]
    assert findings_of(result) == [("warn", dockerfile, first_sync), ("warn", dockerfile, first_sync)]
    assert result.findings[0].message == (
        "Triage ships the development tool 'pytest': app/Triage/pyproject.toml:14 puts it in "
        "[dependency-groups] dev, which the image installs"
    )
    assert result.findings[0].evidence == (
        "pytest>=8 ([dependency-groups] dev): installed by app/Triage/Dockerfile:6 "
        "`uv sync --frozen --no-install-project`"
    )
    assert result.findings[1].message.startswith("Triage ships the development tool 'moto': ")


def test_uv_sync_with_no_dev_is_silent(tmp_path: Path) -> None:
    project = copy_fixture("build_container", tmp_path)
    dockerfile = f"{TRIAGE}/Dockerfile"
    edit(project, dockerfile, "uv sync --frozen --no-install-project", "uv sync --frozen --no-dev --no-install-project")
    edit(project, dockerfile, "RUN uv sync --frozen\n", "RUN uv sync --frozen --no-dev\n")
    result = project.results("PERF004")["PERF004"]
    assert result.status == "pass"
    assert result.reason == (
        "Triage: 4 runtime dependencies, no dev tools; Triage: not installed by the build: moto, pytest, ruff "
        "(dev groups, extras or files it does not read)"
    )


def test_container_plan_knows_the_image(tmp_path: Path) -> None:
    project = copy_fixture("build_container", tmp_path)
    plan = load_project(project.root).runtimes[0].build_plan
    assert plan is not None
    assert plan.context == TRIAGE
    assert plan.workdir == "/app"
    assert plan.run_target is not None
    assert (plan.run_target.module, plan.run_target.launcher) == ("triage.server", ("opentelemetry-instrument",))
    assert plan.entry_file == f"{TRIAGE}/triage/server.py"
    assert plan.image_path_of(f"{TRIAGE}/triage/server.py") == "/app/triage/server.py"
    assert plan.image_path_of(f"{TRIAGE}/tests/test_server.py") is None  # only the test stage copies tests
    assert plan.image_path_of(f"{TRIAGE}/pyproject.toml") is None  # in the builder stage, not copied over
    # pip and setuptools upgraded in the final stage are build tools; the test stage's groups never ship.
    assert sorted({d.name for d in plan.dependencies}) == [
        "aws-opentelemetry-distro",
        "fastapi",
        "moto",
        "pytest",
        "strands-agents",
        "uvicorn",
    ]
    assert [s.evidence for s in plan.steps] == [
        "installed by app/Triage/Dockerfile:6 `uv sync --frozen --no-install-project`",
        "installed by app/Triage/Dockerfile:9 `uv sync --frozen`",
    ]


def test_requirements_file_is_followed_to_the_file_copied_into_the_image(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.write(
        "app/Agent/Dockerfile",
        """
        FROM python:3.12-slim
        WORKDIR /srv
        COPY requirements/prod.txt ./requirements.txt
        RUN pip install --no-cache-dir -r requirements.txt \\
            && pip install 'aws-opentelemetry-distro>=0.10'
        COPY . .
        CMD ["opentelemetry-instrument", "python", "-m", "agent.main"]
        """,
    )
    project.write("app/Agent/requirements/prod.txt", "-r base.txt\nstrands-agents>=1.0\n")
    project.write("app/Agent/requirements/base.txt", "boto3\n")
    project.write("app/Agent/requirements/dev.txt", "-r prod.txt\npytest\n")
    project.write("app/Agent/agent/__init__.py", "")
    project.write("app/Agent/agent/main.py", "import boto3\nfrom strands import Agent\n")
    plan = load_project(project.root).runtimes[0].build_plan
    assert plan is not None
    assert [(d.name, d.path, d.line) for d in plan.dependencies] == [
        ("boto3", "app/Agent/requirements/base.txt", 1),
        ("strands-agents", "app/Agent/requirements/prod.txt", 2),
        ("aws-opentelemetry-distro", "app/Agent/Dockerfile", 4),
    ]
    assert plan.dependency_files == ("app/Agent/requirements/prod.txt", "app/Agent/requirements/base.txt")
    assert plan.entry_file == "app/Agent/agent/main.py"
    results = project.results("PERF004", "OBS002")
    assert results["PERF004"].status == "pass"
    assert results["OBS002"].reason == (
        "Agent: aws-opentelemetry-distro installed by app/Agent/Dockerfile:4 "
        "`pip install aws-opentelemetry-distro>=0.10` (app/Agent/Dockerfile:4)"
    )


@pytest.mark.parametrize(
    ("command", "installed"),
    [
        ("poetry install --no-root", ["strands-agents", "pytest"]),
        ("poetry install --only main --no-root", ["strands-agents"]),
        ("poetry install --without dev --no-root", ["strands-agents"]),
        ("poetry install --with docs --no-root", ["strands-agents", "pytest", "mkdocs"]),
    ],
)
def test_poetry_groups(project: ProjectBuilder, command: str, installed: list[str]) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.write(
        "app/Agent/Dockerfile",
        f"FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN pip install poetry && {command}\n"
        'COPY . .\nCMD ["python", "main.py"]\n',
    )
    project.write(
        "app/Agent/pyproject.toml",
        """
        [tool.poetry]
        name = "agent"
        version = "0.1.0"

        [tool.poetry.dependencies]
        python = "^3.12"
        strands-agents = "^1.13"

        [tool.poetry.group.dev.dependencies]
        pytest = "^8.0"

        [tool.poetry.group.docs]
        optional = true

        [tool.poetry.group.docs.dependencies]
        mkdocs = "^1.6"
        """,
    )
    plan = load_project(project.root).runtimes[0].build_plan
    assert plan is not None
    assert [d.name for d in plan.dependencies] == installed


@pytest.mark.parametrize(
    ("command", "installed"),
    [
        ("uv sync --frozen", ["boto3", "pytest"]),
        ("uv sync --frozen --no-dev", ["boto3"]),
        ("uv sync --frozen --no-dev --extra otel", ["boto3", "aws-opentelemetry-distro"]),
        ("uv sync --frozen --no-dev --all-extras", ["boto3", "aws-opentelemetry-distro"]),
        ("uv sync --frozen --no-dev --group eval", ["boto3", "ragas"]),
        ("uv sync --frozen --only-group eval", ["ragas"]),
        ("uv sync --frozen --all-groups --no-group lint", ["boto3", "pytest", "ragas"]),
        ("uv export --no-dev -o requirements.txt && uv pip install --system -r requirements.txt", ["boto3"]),
        ("uv pip install --system -r pyproject.toml --extra otel", ["boto3", "aws-opentelemetry-distro"]),
        ("pip install '.[otel]'", ["boto3", "aws-opentelemetry-distro"]),
        ("pip install -e .", ["boto3"]),
    ],
)
def test_uv_and_pip_forms_of_a_pyproject_install(project: ProjectBuilder, command: str, installed: list[str]) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.write(
        "app/Agent/Dockerfile",
        f'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN {command}\nCMD ["python", "main.py"]\n',
    )
    project.write(
        "app/Agent/pyproject.toml",
        """
        [project]
        name = "agent"
        version = "0.1.0"
        dependencies = ["boto3"]

        [project.optional-dependencies]
        otel = ["aws-opentelemetry-distro"]

        [dependency-groups]
        dev = ["pytest"]
        eval = ["ragas"]
        lint = ["ruff"]
        """,
    )
    plan = load_project(project.root).runtimes[0].build_plan
    assert plan is not None
    assert [d.name for d in plan.dependencies] == installed


def test_uv_default_groups_and_legacy_dev_dependencies(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.write(
        "app/Agent/Dockerfile",
        'FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nRUN uv sync\nCMD ["python", "main.py"]\n',
    )
    project.write(
        "app/Agent/pyproject.toml",
        """
        [project]
        name = "agent"
        version = "0.1.0"
        dependencies = ["boto3"]

        [dependency-groups]
        eval = ["ragas"]
        bench = ["pyperf"]

        [tool.uv]
        dev-dependencies = ["black"]
        default-groups = ["eval"]
        """,
    )
    plan = load_project(project.root).runtimes[0].build_plan
    assert plan is not None
    assert [d.name for d in plan.dependencies] == ["boto3", "ragas"]
    assert [(d.name, d.section) for d in plan.not_installed] == [
        ("pyperf", "[dependency-groups] bench"),
        ("black", "[tool.uv] dev-dependencies"),
    ]


# --- Starter toolkit ---------------------------------------------------------------------------

TOOLKIT_YAML = """
default_agent: helper
agents:
  helper:
    name: helper
    entrypoint: agent.py
    deployment_type: {deployment}
    source_path: src
    aws:
      region: us-east-1
      observability:
        enabled: true
"""


def test_toolkit_codezip_reads_requirements_txt_before_pyproject(project: ProjectBuilder) -> None:
    project.write(".bedrock_agentcore.yaml", TOOLKIT_YAML.format(deployment="direct_code_deploy"))
    project.write("src/agent.py", "import boto3\n")
    project.write("src/requirements.txt", "boto3\naws-opentelemetry-distro\n")
    project.write("src/pyproject.toml", '[project]\nname = "x"\nversion = "0"\ndependencies = ["pandas"]\n')
    plan = load_project(project.root).runtimes[0].build_plan
    assert plan is not None
    assert [(d.name, d.path) for d in plan.dependencies] == [
        ("boto3", "src/requirements.txt"),
        ("aws-opentelemetry-distro", "src/requirements.txt"),
    ]
    assert [(d.name, d.via) for d in plan.not_installed] == [
        (
            "pandas",
            "the starter toolkit's direct_code_deploy packaging installs src/requirements.txt when it exists, "
            "not src/pyproject.toml",
        )
    ]


def test_toolkit_container_reads_its_generated_dockerfile(project: ProjectBuilder) -> None:
    project.write(".bedrock_agentcore.yaml", TOOLKIT_YAML.format(deployment="container"))
    project.write("src/agent.py", "import boto3\n")
    project.write("src/pyproject.toml", '[project]\nname = "x"\nversion = "0"\ndependencies = ["boto3"]\n')
    project.write(
        ".bedrock_agentcore/helper/Dockerfile",
        "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN uv pip install .\n"
        "RUN uv pip install aws-opentelemetry-distro>=0.10.1\n"
        'CMD ["opentelemetry-instrument", "python", "-m", "agent"]\n',
    )
    plan = load_project(project.root).runtimes[0].build_plan
    assert plan is not None
    assert plan.dockerfile is not None and plan.dockerfile.path == ".bedrock_agentcore/helper/Dockerfile"
    assert [(d.name, d.path, d.line) for d in plan.dependencies] == [
        ("boto3", "src/pyproject.toml", 4),
        ("aws-opentelemetry-distro", ".bedrock_agentcore/helper/Dockerfile", 5),
    ]
    assert plan.entry_file == "src/agent.py"

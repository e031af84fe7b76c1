"""OBS002: Container images started without opentelemetry-instrument, and the distro missing."""

from __future__ import annotations

from conftest import ProjectBuilder, findings_of, runtime

PYPROJECT = """
[project]
name = "agent"
version = "0.1.0"
dependencies = [
    "bedrock-agentcore>=1.9.1",
    {distro}
]
"""


def container(project: ProjectBuilder, cmd: str, distro: bool = True) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.write(
        "app/Agent/Dockerfile",
        f"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n{cmd}\n",
    )
    project.write(
        "app/Agent/pyproject.toml", PYPROJECT.format(distro='"aws-opentelemetry-distro~=0.18.0",' if distro else "")
    )


def test_container_command_without_the_launcher_fails_at_its_line(project: ProjectBuilder) -> None:
    container(project, 'CMD ["python", "main.py"]')
    result = project.results("OBS002")["OBS002"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", "app/Agent/Dockerfile", 5)]
    fix = result.findings[0].fix
    assert fix is not None and '`CMD ["opentelemetry-instrument", "python", "main.py"]`' in fix.summary


def test_container_under_the_launcher_with_the_distro_passes(project: ProjectBuilder) -> None:
    container(project, 'CMD ["opentelemetry-instrument", "python", "main.py"]')
    result = project.results("OBS002")["OBS002"]
    assert result.status == "pass"
    assert result.reason == (
        "Agent: aws-opentelemetry-distro installed by app/Agent/Dockerfile:4 `pip install --no-cache-dir .` "
        "(app/Agent/pyproject.toml:6)"
    )


def test_entrypoint_in_shell_form_counts(project: ProjectBuilder) -> None:
    container(project, "ENTRYPOINT /usr/local/bin/opentelemetry-instrument python main.py")
    assert project.results("OBS002")["OBS002"].status == "pass"


def test_missing_distro_warns_at_the_dependency_file(project: ProjectBuilder) -> None:
    container(project, 'CMD ["opentelemetry-instrument", "python", "main.py"]', distro=False)
    result = project.results("OBS002")["OBS002"]
    assert result.status == "warn"
    assert findings_of(result) == [("warn", "app/Agent/pyproject.toml", 1)]


def test_distro_installed_in_the_image_counts(project: ProjectBuilder) -> None:
    container(
        project,
        'RUN pip install aws-opentelemetry-distro\nCMD ["opentelemetry-instrument", "python", "main.py"]',
        distro=False,
    )
    assert project.results("OBS002")["OBS002"].status == "pass"


def test_container_without_a_dockerfile_is_unknown(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.write("app/Agent/pyproject.toml", PYPROJECT.format(distro='"aws-opentelemetry-distro",'))
    result = project.results("OBS002")["OBS002"]
    assert result.status == "unknown"
    assert result.reason == "Agent: Container build but no Dockerfile found in its codeLocation"


def test_tracing_disabled_is_left_to_obs001(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(instrumentation={"enableOtel": False})])
    result = project.results("OBS002")["OBS002"]
    assert result.status == "pass"
    assert result.reason == "Agent: tracing is disabled (see OBS001)"

"""PERF001 and PERF004-PERF006 over projects written here: package sizes measured from a
virtualenv's RECORDs and from uv.lock wheel sizes, the estimate that says so, dev tools, unused
dependencies by a distribution-to-module map, and import-time construction with the lazy getter."""

from __future__ import annotations

import textwrap

from agentcore_readiness.tools.cold_start import run_audit_cold_start
from conftest import ProjectBuilder, findings_of, runtime

CONFIG = "agentcore/agentcore.json"
PYPROJECT = "app/Agent/pyproject.toml"
MB = 1024 * 1024


def line_of(builder: ProjectBuilder, rel: str, needle: str) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if needle in text)


def pyproject(builder: ProjectBuilder, *deps: str) -> None:
    listed = "".join(f'    "{d}",\n' for d in deps)
    builder.write(PYPROJECT, f'[project]\nname = "agent"\nversion = "0.1.0"\ndependencies = [\n{listed}]\n')


def installed(
    builder: ProjectBuilder,
    name: str,
    version: str,
    files: dict[str, int],
    requires: tuple[str, ...] = (),
    venv: str = "app/Agent/.venv",
) -> None:
    """A distribution in a virtualenv: METADATA with Requires-Dist and a RECORD with sizes."""
    site = f"{venv}/lib/python3.12/site-packages"
    builder.write(f"{venv}/pyvenv.cfg", "home = /usr/bin\n")
    info = f"{site}/{name.replace('-', '_')}-{version}.dist-info"
    headers = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    headers += [f"Requires-Dist: {r}" for r in requires]
    builder.write(f"{info}/METADATA", "\n".join(headers) + "\n\nA description.\n")
    record = [f"{path},sha256=x,{size}" for path, size in files.items()]
    record.append(f"{info.rsplit('/', 1)[1]}/RECORD,,")
    builder.write(f"{info}/RECORD", "\n".join(record) + "\n")


# --- PERF001 -----------------------------------------------------------------------------------


def test_venv_closure_is_measured_and_a_large_package_fails(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "import strands\n")
    pyproject(project, "strands-agents>=1.0", "bedrock-agentcore[a2a]")
    installed(project, "strands-agents", "1.2.0", {"strands/__init__.py": 40 * MB}, ("boto3>=1.40",))
    installed(project, "boto3", "1.40.0", {"boto3/__init__.py": 30 * MB})
    installed(
        project,
        "bedrock-agentcore",
        "1.25.0",
        {"bedrock_agentcore/__init__.py": 20 * MB},
        ("a2a-sdk; extra == 'a2a'", "pywin32; sys_platform == 'win32'"),
    )
    installed(project, "a2a-sdk", "0.3.0", {"a2a/__init__.py": 120 * MB})
    installed(project, "pywin32", "1.0", {"win32/__init__.py": 500 * MB})
    installed(project, "pytest", "8.0", {"pytest/__init__.py": 300 * MB})  # installed, not required
    result = project.results("PERF001")["PERF001"]
    assert findings_of(result) == [("fail", CONFIG, line_of(project, CONFIG, '"codeLocation"'))]
    message = result.findings[0].message
    assert message.startswith("Agent: 210.0 MB = code ")
    assert "+ 4 installed dependencies 210.0 MB, from app/Agent/.venv: at or over the 200 MB limit" in message
    assert result.findings[0].fix is not None
    assert "a2a-sdk 120.0 MB, strands-agents 40.0 MB, boto3 30.0 MB" in result.findings[0].fix.summary


def test_lock_wheel_sizes_between_100_and_200_mb_warn(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "import numpy\n")
    pyproject(project, "numpy", "tiny")
    project.write(
        "app/Agent/uv.lock",
        f"""
        version = 1

        [[package]]
        name = "agent"
        version = "0.1.0"
        source = {{ editable = "." }}
        dependencies = [{{ name = "numpy" }}, {{ name = "tiny" }}]

        [package.dev-dependencies]
        dev = [{{ name = "pytest" }}]

        [[package]]
        name = "numpy"
        version = "2.0.0"
        source = {{ registry = "https://pypi.org/simple" }}
        wheels = [
            {{ url = "https://x/numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl", hash = "sha256:a", size = {300 * MB} }},
            {{ url = "https://x/numpy-2.0.0-cp312-cp312-manylinux_2_17_aarch64.whl", hash = "sha256:b", size = {150 * MB} }},
        ]

        [[package]]
        name = "tiny"
        version = "1.0"
        source = {{ registry = "https://pypi.org/simple" }}
        sdist = {{ url = "https://x/tiny-1.0.tar.gz", hash = "sha256:c", size = {1 * MB} }}

        [[package]]
        name = "pytest"
        version = "8.0"
        source = {{ registry = "https://pypi.org/simple" }}
        wheels = [{{ url = "https://x/pytest-8.0-py3-none-any.whl", hash = "sha256:d", size = {400 * MB} }}]
        """,
    )
    result = project.results("PERF001")["PERF001"]
    assert findings_of(result) == [("warn", CONFIG, line_of(project, CONFIG, '"codeLocation"'))]
    message = result.findings[0].message
    assert "+ 2 dependency wheels (compressed) 151.0 MB, from app/Agent/uv.lock: over the 100 MB target" in message


def test_small_measured_package_passes_with_how_it_was_measured(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "import boto3\n")
    pyproject(project, "boto3")
    installed(project, "boto3", "1.40.0", {"boto3/__init__.py": 2 * MB})
    result = project.results("PERF001")["PERF001"]
    assert result.status == "pass"
    assert (result.reason or "").startswith("Agent: 2.0 MB = code ")
    assert "1 installed dependencies 2.0 MB, from app/Agent/.venv" in (result.reason or "")


def test_without_lock_or_venv_the_size_is_an_estimate_and_never_a_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "import boto3\n")
    pyproject(project, "boto3", "strands-agents")
    result = project.results("PERF001")["PERF001"]
    assert result.status == "unknown"
    assert result.reason is not None
    assert result.reason.startswith("Agent: estimate only, at least ")
    assert "2 declared dependencies not resolved (no uv.lock or .venv: run `uv lock` in app/Agent)" in result.reason


def test_a_broken_lock_is_named_in_the_estimate(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "import boto3\n")
    pyproject(project, "boto3")
    project.write("app/Agent/uv.lock", "version = 1\n[[package]\nname = \n")
    result = project.results("PERF001")["PERF001"]
    assert result.status == "unknown"
    assert "; app/Agent/uv.lock is not valid TOML (" in (result.reason or "")


def test_code_without_dependencies_is_measured_and_a_missing_location_is_unknown(
    make_project,  # type: ignore[no-untyped-def]
) -> None:
    small = make_project("small")
    small.agentcore()
    small.write("app/Agent/main.py", "print('hi')\n")
    result = small.results("PERF001")["PERF001"]
    assert result.status == "pass"
    assert result.reason == "Agent: 0 KB of code; no dependencies declared"
    empty = make_project("empty")
    empty.agentcore()
    result = empty.results("PERF001")["PERF001"]
    assert result.status == "unknown"
    assert result.reason == "Agent: not measured (app/Agent/ does not exist)"


def test_large_code_alone_fails_even_without_a_lock(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "x = 1\n")
    project.write("app/Agent/model.bin", b"\0" * (201 * MB))
    pyproject(project, "boto3")
    project.write("app/Agent/.venv-not/ignored", "x")
    result = project.results("PERF001")["PERF001"]
    assert result.status == "fail"
    assert "estimate only, at least 201.0 MB of code" in result.findings[0].message


def test_the_virtualenv_and_vcs_are_not_counted_as_code(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "import boto3\n")
    pyproject(project, "boto3")
    installed(project, "boto3", "1.40.0", {"boto3/__init__.py": 1 * MB})
    project.write("app/Agent/.venv/lib/python3.12/site-packages/huge.bin", b"\0" * (120 * MB))
    project.write("app/Agent/.git/objects/pack.bin", b"\0" * (120 * MB))
    assert project.results("PERF001")["PERF001"].status == "pass"


# --- PERF004 -----------------------------------------------------------------------------------


def test_dev_tools_and_shipped_tests_warn(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", "import boto3\n")
    pyproject(project, "boto3", "pytest>=8", "types-requests")
    project.write("app/Agent/tests/test_main.py", "def test_x():\n    assert True\n")
    result = project.results("PERF004")["PERF004"]
    assert findings_of(result) == [
        ("warn", PYPROJECT, line_of(project, PYPROJECT, '"pytest>=8"')),
        ("warn", PYPROJECT, line_of(project, PYPROJECT, '"types-requests"')),
        ("warn", "app/Agent/tests", None),
    ]
    assert result.findings[0].fix is not None
    assert result.findings[0].fix.commands == ["cd app/Agent && uv remove pytest && uv add --dev pytest"]


def test_runtime_dependencies_only_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    pyproject(project, "boto3", "strands-agents")
    project.write("app/Agent/main.py", "import boto3\n")
    result = project.results("PERF004")["PERF004"]
    assert result.status == "pass"
    assert result.reason == "Agent: 2 runtime dependencies, no dev tools"


# --- PERF005 -----------------------------------------------------------------------------------


def test_unused_dependencies_by_the_builtin_map(project: ProjectBuilder) -> None:
    project.agentcore()
    pyproject(
        project,
        "strands-agents>=1.0",
        "PyYAML",
        "pandas",
        "aws-opentelemetry-distro~=0.18",
        "botocore[crt]>=1.35",
        "some-internal-lib",
    )
    project.write("app/Agent/main.py", "import yaml\nfrom strands import Agent\n")
    project.write("app/Agent/tests/test_data.py", "import pandas\n")
    result = project.results("PERF005")["PERF005"]
    assert findings_of(result) == [("warn", PYPROJECT, line_of(project, PYPROJECT, '"pandas"'))]
    assert result.findings[0].message == (
        "Agent declares 'pandas' (app/Agent/pyproject.toml) but its code never imports pandas (only its tests do) "
        "[map: built-in map]"
    )


def test_venv_records_give_the_exact_map_including_namespace_packages(project: ProjectBuilder) -> None:
    project.agentcore()
    pyproject(project, "otel-langchain-plugin", "renamed-dist", "helper-dist", "needs-helper")
    project.write(
        "app/Agent/main.py",
        "from opentelemetry.instrumentation.plugin import Instrumentor\nimport needs_helper\n",
    )
    installed(
        project,
        "otel-langchain-plugin",
        "1.0",
        {"opentelemetry/instrumentation/plugin/__init__.py": 10, "opentelemetry/instrumentation/plugin/x.py": 10},
    )
    installed(project, "renamed-dist", "1.0", {"totally_other/__init__.py": 10})
    installed(project, "needs-helper", "1.0", {"needs_helper.py": 10}, ("helper-dist",))
    installed(project, "helper-dist", "1.0", {"helper_mod/__init__.py": 10})
    result = project.results("PERF005")["PERF005"]
    assert findings_of(result) == [("warn", PYPROJECT, line_of(project, PYPROJECT, '"renamed-dist"'))]
    assert "never imports totally_other [map: app/Agent/.venv]" in result.findings[0].message


def test_a_dependency_another_one_requires_is_a_pin_not_unused_without_a_venv(project: ProjectBuilder) -> None:
    project.agentcore()
    # bedrock-agentcore[a2a] needs a2a-sdk, langchain-mcp-adapters needs mcp; nothing declared needs pandas.
    pyproject(project, "bedrock-agentcore[a2a]>=1.9", "a2a-sdk>=0.3", "langchain-mcp-adapters", "mcp~=1.24", "pandas")
    project.write(
        "app/Agent/main.py",
        "from bedrock_agentcore.runtime import serve_a2a\nfrom langchain_mcp_adapters.client import MultiServerMCPClient\n",
    )
    result = project.results("PERF005")["PERF005"]
    assert findings_of(result) == [("warn", PYPROJECT, line_of(project, PYPROJECT, '"pandas"'))]
    assert result.reason is None
    without_extra = project.root / PYPROJECT
    without_extra.write_text(without_extra.read_text().replace("bedrock-agentcore[a2a]", "bedrock-agentcore"))
    result = project.results("PERF005")["PERF005"]
    assert findings_of(result) == [
        ("warn", PYPROJECT, line_of(project, PYPROJECT, '"a2a-sdk')),
        ("warn", PYPROJECT, line_of(project, PYPROJECT, '"pandas"')),
    ]


def test_unmapped_distributions_are_listed_not_guessed(project: ProjectBuilder) -> None:
    project.agentcore()
    pyproject(project, "boto3", "some-internal-lib")
    project.write("app/Agent/main.py", "import boto3\n")
    result = project.results("PERF005")["PERF005"]
    assert result.status == "pass"
    assert result.reason == (
        "Agent: 1 of 2 dependencies imported; not mapped to modules (install into .venv to check): some-internal-lib"
    )


# --- PERF006 -----------------------------------------------------------------------------------

MAIN = "app/Agent/main.py"
CLIENTS = "app/Agent/tools_client/factory.py"


def scaffold_like(builder: ProjectBuilder) -> None:
    builder.agentcore()
    builder.write(
        CLIENTS,
        """
        from mcp.client.streamable_http import streamablehttp_client
        from strands.tools.mcp.mcp_client import MCPClient

        ENDPOINT = "https://mcp.example.com/mcp"

        def make_remote_client():
            return MCPClient(lambda: streamablehttp_client(ENDPOINT))
        """,
    )
    builder.write(
        MAIN,
        """
        import boto3
        from bedrock_agentcore.runtime import BedrockAgentCoreApp
        from tools_client.factory import make_remote_client

        app = BedrockAgentCoreApp()

        remote_clients = [make_remote_client()]
        tools = []
        for client in remote_clients:
            tools.append(client)

        _s3 = None

        def get_s3():
            global _s3
            if _s3 is None:
                _s3 = boto3.client("s3")
            return _s3

        def factory():
            def build():
                return make_remote_client()
            return build

        builder = factory()

        @app.entrypoint
        def invoke(payload):
            return {"tools": len(tools)}

        if __name__ == "__main__":
            table = boto3.resource("dynamodb").Table("t")
            app.run()
        """,
    )


def test_module_level_mcp_client_built_through_another_file_is_found(project: ProjectBuilder) -> None:
    scaffold_like(project)
    result = project.results("PERF006")["PERF006"]
    assert findings_of(result) == [("warn", MAIN, line_of(project, MAIN, "remote_clients = [make_remote_client()]"))]
    finding = result.findings[0]
    assert finding.message == (
        f"{MAIN}:{finding.location.line} builds an MCP client at import time (make_remote_client() "
        f"({CLIENTS}:{line_of(project, CLIENTS, 'def make_remote_client')}) → "
        f"strands.tools.mcp.mcp_client.MCPClient() at {CLIENTS}:{line_of(project, CLIENTS, 'return MCPClient')}): "
        "it runs before the first request on every cold start"
    )
    assert finding.evidence == "remote_clients = [make_remote_client()]"
    assert finding.fix is not None
    summary = finding.fix.summary
    assert "call `get_remote_clients()` where `remote_clients` is used" in summary
    assert f"module-level uses at line(s) {line_of(project, MAIN, 'for client in remote_clients')} must move" in summary
    assert summary.endswith(
        textwrap.dedent(
            """\
            _remote_clients = None

            def get_remote_clients():
                global _remote_clients
                if _remote_clients is None:
                    _remote_clients = [make_remote_client()]
                return _remote_clients
            """
        )
    )


def test_a_call_through_a_factory_made_function_is_followed(project: ProjectBuilder) -> None:
    scaffold_like(project)
    text = (
        (project.root / MAIN).read_text().replace("builder = factory()\n", "builder = factory()\nshared = builder()\n")
    )
    project.write(MAIN, text)
    result = project.results("PERF006")["PERF006"]
    assert findings_of(result) == [
        ("warn", MAIN, line_of(project, MAIN, "remote_clients = [make_remote_client()]")),
        ("warn", MAIN, line_of(project, MAIN, "shared = builder()")),
    ]
    assert "(factory.build() (app/Agent/main.py:" in result.findings[1].message


def test_direct_clients_at_import_warn_and_lazy_getters_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        MAIN,
        """
        import boto3
        import requests
        from sqlalchemy import create_engine

        s3 = boto3.client("s3")
        engine = create_engine("postgresql://db/app")
        CONFIG = requests.get("https://config.example.com").json()
        connections = []
        connections += [boto3.resource("dynamodb")]

        def handler():
            return boto3.client("sts")
        """,
    )
    result = project.results("PERF006")["PERF006"]
    assert findings_of(result) == [
        ("warn", MAIN, line_of(project, MAIN, "s3 = boto3.client")),
        ("warn", MAIN, line_of(project, MAIN, "engine = create_engine")),
        ("warn", MAIN, line_of(project, MAIN, "CONFIG = requests.get")),
        ("warn", MAIN, line_of(project, MAIN, "connections += ")),
    ]
    assert "builds a boto3 client at import time" in result.findings[0].message
    augmented = result.findings[3].fix
    assert augmented is not None
    assert '        _connections = []\n        _connections += [boto3.resource("dynamodb")]' in augmented.summary


def test_nothing_heavy_at_import_passes(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, "import boto3\n\ndef get():\n    return boto3.client('s3')\n")
    result = project.results("PERF006")["PERF006"]
    assert result.status == "pass"
    assert result.reason == "1 agent file(s): nothing heavy built at import"


def test_audit_cold_start_runs_the_perf_rules(project: ProjectBuilder) -> None:
    scaffold_like(project)
    report = run_audit_cold_start(str(project.root))
    statuses = {r.rule: r.status for r in report.projects[0].results}
    assert statuses == {
        "PERF001": "pass",
        "PERF002": "not_applicable",
        "PERF003": "not_applicable",
        "PERF004": "pass",
        "PERF005": "not_applicable",
        "PERF006": "warn",
        "PERF007": "skipped",
    }


def test_container_runtime_notes_the_base_image(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.write("app/Agent/Dockerfile", "FROM python:3.12-slim\nCOPY . .\n")
    project.write("app/Agent/main.py", "import boto3\n")
    pyproject(project, "boto3")
    installed(project, "boto3", "1.40.0", {"boto3/__init__.py": 3 * MB})
    result = project.results("PERF001")["PERF001"]
    assert result.status == "pass"
    assert "(plus the base image, not measured here: see PERF003)" in (result.reason or "")


def test_a_common_library_nothing_imports_is_information_when_other_requirements_are_unknown(
    project: ProjectBuilder,
) -> None:
    project.agentcore()
    # yfinance's own requirements are not known without a lock or .venv: it may need requests
    pyproject(project, "strands-agents>=1.0", "yfinance", "requests", "pandas")
    project.write("app/Agent/main.py", "import yfinance\nfrom strands import Agent\n")
    result = project.results("PERF005")["PERF005"]
    assert [(f.level, f.location.path, f.location.line) for f in result.findings] == [
        ("info", PYPROJECT, line_of(project, PYPROJECT, '"requests"')),
        ("warn", PYPROJECT, line_of(project, PYPROJECT, '"pandas"')),
    ]
    assert result.findings[0].message.endswith(
        "; it may be a requirement of pandas, yfinance, whose requirements are not known here (a uv.lock or an "
        "installed .venv tells)"
    )


def test_a_dependency_file_two_runtimes_install_is_unused_only_if_neither_imports_it(project: ProjectBuilder) -> None:
    from conftest import runtime

    project.agentcore(
        runtimes=[
            runtime("Planner", codeLocation="app/"),
            runtime("Tools", codeLocation="app/", entrypoint="tools_server.py"),
        ]
    )
    project.write(
        "app/pyproject.toml",
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["strands-agents", "mcp", "pandas"]\n',
    )
    project.write("app/main.py", "from strands import Agent\n")
    project.write("app/tools_server.py", "from mcp.server.fastmcp import FastMCP\n")
    result = project.results("PERF005")["PERF005"]
    assert findings_of(result) == [("warn", "app/pyproject.toml", 4)]
    assert result.findings[0].message.startswith(
        "Planner and Tools declare 'pandas' (app/pyproject.toml) but their code (all of them install this file) never "
        "imports pandas"
    )

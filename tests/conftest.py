"""Shared test helpers: build small agent projects on disk and review them."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.model import Report, RuleResult

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Fixture projects hold their own tests (part of what is reviewed), never collected here.
collect_ignore = ["fixtures"]


def stdio_server(*roots: Path | str, extra: tuple[str, ...] = ()) -> Any:
    """Parameters that launch ``agentcore-readiness serve`` (stdio) from this checkout, for the SDK client.

    The server reads under its working directory (this checkout), or under ``roots`` when given.
    """
    from mcp.client.stdio import StdioServerParameters

    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "agentcore_readiness.cli", "serve", *(f"--root={root}" for root in roots), *extra],
        cwd=str(REPO),
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )


def memory_server(*roots: Path | str, **settings: Any) -> Any:
    """The MCP server in this process, reading under ``roots`` (default: the working directory)."""
    from agentcore_readiness.server.app import build_server
    from agentcore_readiness.settings import Settings

    return build_server(Settings(roots=tuple(str(r) for r in roots), **settings))


class ProjectBuilder:
    """Writes a project tree under a temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return path

    def json(self, rel: str, value: Any) -> Path:
        return self.write(rel, json.dumps(value, indent=2) + "\n")

    def agentcore(self, **overrides: Any) -> dict[str, Any]:
        """Write a valid agentcore.json (one CodeZip runtime ``Agent``) with overrides; return it."""
        config: dict[str, Any] = {
            "$schema": "https://schema.agentcore.aws.dev/v1/agentcore.json",
            "name": "Demo",
            "version": 1,
            "managedBy": "CDK",
            "runtimes": [runtime()],
            "memories": [],
            "credentials": [],
            "evaluators": [],
            "onlineEvalConfigs": [],
            "agentCoreGateways": [],
            "policyEngines": [],
        }
        config.update(overrides)
        self.json("agentcore/agentcore.json", config)
        self.write("agentcore/.gitignore", ".env.local\ncdk/cdk.out/\n.cli/*\n!.cli/deployed-state.json\n")
        self.json("agentcore/aws-targets.json", [])
        return config

    def entrypoint(self, *modules: str, runtime: str = "Agent") -> Path:
        """Write ``app/<runtime>/main.py``: a minimal entrypoint that imports ``modules`` (dotted
        names), which makes them that runtime's code.
        """
        imports = "".join(f"import {m}  # noqa: F401\n" for m in modules)
        return self.write(
            f"app/{runtime}/main.py",
            "from bedrock_agentcore.runtime import BedrockAgentCoreApp\n"
            + imports
            + "\napp = BedrockAgentCoreApp()\n\n\n@app.entrypoint\ndef invoke(payload):\n"
            + "    try:\n        return {'ok': True}\n    except Exception:\n        app.logger.exception('failed')\n"
            + "        return {'error': 'failed'}\n",
        )

    def review(self, *select: str, **kwargs: Any) -> Report:
        return review(ReviewRequest(target=str(self.root), select=tuple(select), **kwargs))

    def results(self, *select: str, **kwargs: Any) -> dict[str, RuleResult]:
        report = self.review(*select, **kwargs)
        assert len(report.projects) == 1
        return {r.rule: r for r in report.projects[0].results}


def runtime(name: str = "Agent", **fields: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "name": name,
        "build": "CodeZip",
        "entrypoint": "main.py",
        "codeLocation": f"app/{name}/",
        "runtimeVersion": "PYTHON_3_12",
        "networkMode": "PUBLIC",
        "protocol": "HTTP",
    }
    value.update(fields)
    return value


def gateway(name: str = "Tools", **fields: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "name": name,
        "targets": [],
        "authorizerType": "AWS_IAM",
        "enableSemanticSearch": True,
        "exceptionLevel": "NONE",
    }
    value.update(fields)
    return value


def findings_of(result: RuleResult) -> list[tuple[str, str | None, int | None]]:
    """(level, path, line) of each finding, for exact assertions."""
    return [(f.level, f.location.path, f.location.line) for f in result.findings]


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixture_project(tmp_path: Path) -> Callable[[str], ProjectBuilder]:
    """A copy of ``tests/fixtures/<name>/`` in a temporary directory (reviews never see this repository's git)."""

    def copy(name: str) -> ProjectBuilder:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return ProjectBuilder(target)

    return copy


@pytest.fixture
def project(tmp_path: Path) -> ProjectBuilder:
    return ProjectBuilder(tmp_path / "proj")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], ProjectBuilder]:
    def make(name: str) -> ProjectBuilder:
        return ProjectBuilder(tmp_path / name)

    return make

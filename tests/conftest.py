"""Shared test helpers: build small agent projects on disk and review them."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.model import Report, RuleResult

REPO = Path(__file__).resolve().parents[1]


def stdio_server(*serve_args: str) -> Any:
    """Parameters that launch ``agentcore-readiness serve [serve_args]`` (stdio) from this checkout, for the SDK client."""
    from mcp.client.stdio import StdioServerParameters

    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "agentcore_readiness.cli", "serve", *serve_args],
        cwd=str(REPO),
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )


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


@pytest.fixture
def project(tmp_path: Path) -> ProjectBuilder:
    return ProjectBuilder(tmp_path / "proj")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], ProjectBuilder]:
    def make(name: str) -> ProjectBuilder:
        return ProjectBuilder(tmp_path / name)

    return make

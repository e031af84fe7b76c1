"""CLI001 with real executables on a PATH built here: the npm CLI's version read from its
package.json through the resolved symlink (no process started), the Python starter toolkit
shadowing it, an old CLI, a wrapper asked for --version under a time limit, and no CLI at all."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from agentcore_readiness.facts.measure.measurements import detect_cli
from conftest import ProjectBuilder


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def npm_cli(prefix: Path, version: str) -> Path:
    """An npm global install: bin/agentcore -> lib/node_modules/@aws/agentcore/dist/cli/index.mjs."""
    package = prefix / "lib" / "node_modules" / "@aws" / "agentcore"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "@aws/agentcore", "version": version}))
    # the script would fail if run: the version must come from package.json
    script = executable(package / "dist" / "cli" / "index.mjs", "#!/usr/bin/env node\nprocess.exit(42)\n")
    link = prefix / "bin" / "agentcore"
    link.parent.mkdir(parents=True)
    link.symlink_to(os.path.relpath(script, link.parent))
    return link.parent


def starter_toolkit(venv: Path, version: str) -> Path:
    python = executable(venv / "bin" / "python", "#!/bin/sh\nexit 1\n")
    site = venv / "lib" / "python3.12" / "site-packages"
    (site / f"bedrock_agentcore_starter_toolkit-{version}.dist-info").mkdir(parents=True)
    executable(
        venv / "bin" / "agentcore",
        f"#!{python}\nimport sys\nfrom bedrock_agentcore_starter_toolkit.cli.cli import main\nsys.exit(main())\n",
    )
    return venv / "bin"


@pytest.fixture
def reviewed(project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    project.agentcore()

    def run(*dirs: Path) -> object:
        monkeypatch.setenv("PATH", os.pathsep.join(str(d) for d in dirs))
        return project.results("CLI001")["CLI001"]

    return run


def test_npm_cli_version_is_read_from_package_json_without_running_it(tmp_path: Path, reviewed) -> None:  # type: ignore[no-untyped-def]
    bin_dir = npm_cli(tmp_path / "npm", "0.30.0")
    started = time.monotonic()
    result = reviewed(bin_dir)
    assert time.monotonic() - started < 5
    assert result.status == "pass"
    assert result.reason == f"AgentCore CLI 0.30.0 at {bin_dir / 'agentcore'} (from package.json)"


def test_cli_older_than_0_9_fails_with_the_update_command(tmp_path: Path, reviewed) -> None:  # type: ignore[no-untyped-def]
    result = reviewed(npm_cli(tmp_path / "npm", "0.8.2"))
    assert result.status == "fail"
    [finding] = result.findings
    assert finding.message.startswith("AgentCore CLI 0.8.2 at ")
    assert finding.message.endswith("is older than 0.9.0")
    assert finding.fix is not None and finding.fix.commands == ["agentcore update"]
    assert finding.severity == "medium"


def test_starter_toolkit_first_on_path_shadows_the_cli(tmp_path: Path, reviewed) -> None:  # type: ignore[no-untyped-def]
    toolkit_bin = starter_toolkit(tmp_path / "venv", "0.3.14")
    npm_bin = npm_cli(tmp_path / "npm", "0.30.0")
    result = reviewed(toolkit_bin, npm_bin)
    assert result.status == "fail"
    [finding] = result.findings
    assert finding.message == (
        f"the `agentcore` that runs first ({toolkit_bin / 'agentcore'}) is the Python starter toolkit 0.3.14; it "
        f"shadows the AgentCore CLI at {npm_bin / 'agentcore'}"
    )
    assert finding.fix is not None
    assert finding.fix.commands[0] == "pip uninstall bedrock-agentcore-starter-toolkit"


def test_cli_first_on_path_passes_even_with_the_toolkit_later(tmp_path: Path, reviewed) -> None:  # type: ignore[no-untyped-def]
    result = reviewed(npm_cli(tmp_path / "npm", "1.2.0"), starter_toolkit(tmp_path / "venv", "0.3.14"))
    assert result.status == "pass"


def test_only_the_starter_toolkit_fails(tmp_path: Path, reviewed) -> None:  # type: ignore[no-untyped-def]
    result = reviewed(starter_toolkit(tmp_path / "venv", "0.3.14"))
    assert result.status == "fail"
    assert "is the deprecated Python starter toolkit 0.3.14, not the AgentCore CLI" in result.findings[0].message


def test_no_agentcore_on_path_is_skipped(tmp_path: Path, reviewed) -> None:  # type: ignore[no-untyped-def]
    result = reviewed(tmp_path / "empty")
    assert result.status == "skipped"
    assert result.reason == "no `agentcore` command on PATH (the AgentCore CLI is not installed here)"


def test_a_wrapper_is_asked_for_its_version(tmp_path: Path, reviewed) -> None:  # type: ignore[no-untyped-def]
    executable(tmp_path / "wrap" / "agentcore", "#!/bin/sh\necho 'agentcore/0.12.1 linux-x64 node-v22'\n")
    result = reviewed(tmp_path / "wrap")
    assert result.status == "pass"
    assert result.reason == f"AgentCore CLI 0.12.1 at {tmp_path / 'wrap' / 'agentcore'} (from --version)"


def test_a_wrapper_that_hangs_is_stopped_and_unknown(tmp_path: Path) -> None:
    executable(tmp_path / "hang" / "agentcore", "#!/bin/sh\nsleep 300\n")
    started = time.monotonic()
    facts = detect_cli(str(tmp_path / "hang"), timeout=1)
    assert time.monotonic() - started < 5
    [found] = facts.executables
    assert (found.kind, found.version, found.error) == (
        "unknown",
        None,
        "`agentcore --version` did not answer within 1 s",
    )

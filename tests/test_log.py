"""Logging: structlog is set up on the first message, not on import, and levels still hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "clean-agent"

RUN = """
import sys
from agentcore_readiness.cli import main
code = main(["check", sys.argv[1], "--format", "json", "-o", sys.argv[2]])
print(code, "structlog" in sys.modules)
"""


def _check(tmp_path: Path, level: str | None) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "AGENTCORE_READINESS_LOG_LEVEL"}
    if level is not None:
        env["AGENTCORE_READINESS_LOG_LEVEL"] = level
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(FIXTURE), str(tmp_path / "report.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return done.stdout.strip(), done.stderr


def test_a_review_that_logs_nothing_never_imports_structlog(tmp_path: Path) -> None:
    out, err = _check(tmp_path, None)
    assert out == "0 False"
    assert err == ""
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["projects"]


def test_a_debug_level_still_logs_the_review_as_json_lines(tmp_path: Path) -> None:
    out, err = _check(tmp_path, "DEBUG")
    assert out == "0 True"
    events = [json.loads(line) for line in err.splitlines()]
    assert [(e["event"], e["level"]) for e in events] == [("review finished", "debug")]
    assert events[0]["target"] == str(FIXTURE)


LEVELS = """
from agentcore_readiness.log import configure, get_logger
log = get_logger("t")
configure("ERROR")
log.warning("dropped at ERROR")
log.error("kept at ERROR")
configure("WARNING")
get_logger("u").warning("kept at WARNING")
"""


def test_a_level_set_after_the_first_message_applies(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AGENTCORE_READINESS_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", LEVELS], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    assert [json.loads(line)["event"] for line in done.stderr.splitlines()] == ["kept at ERROR", "kept at WARNING"]

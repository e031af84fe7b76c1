"""One finding per fact over ``tests/fixtures/shared_build``: three runtimes built from one
folder (two agents and an MCP tool server). A project without online evaluation or tests is
one finding naming the runtimes; a Dockerfile or dependency file the runtimes share is
reported once for all of them; the MCP server is not asked for online evaluation.
"""

from __future__ import annotations

from collections.abc import Callable

from conftest import ProjectBuilder, findings_of

CONFIG = "agentcore/agentcore.json"


def test_project_wide_facts_are_one_finding(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("shared_build")
    results = project.results("OBS002", "OBS004", "TEST001")
    assert findings_of(results["OBS004"]) == [("fail", CONFIG, 38)]
    obs004 = results["OBS004"].findings[0]
    assert (
        obs004.message == "the project has no online evaluation config: runtimes 'Chat' and 'Planner' are not evaluated"
    )
    assert obs004.fix is not None and [p["value"]["agent"] for p in obs004.fix.patch or []] == ["Chat", "Planner"]
    assert findings_of(results["TEST001"]) == [("warn", CONFIG, 11)]
    assert results["TEST001"].findings[0].message.endswith("runtimes 'Chat', 'Planner' and 'Tools' are untested")
    assert findings_of(results["OBS002"]) == [
        ("fail", "app/agents/Dockerfile", 8),
        ("warn", "app/agents/requirements.txt", 1),
    ]
    assert [f.runtimes for f in results["OBS002"].findings] == [["Chat", "Planner", "Tools"]] * 2
    assert results["OBS002"].findings[1].message == (
        "runtimes 'Chat', 'Planner' and 'Tools': aws-opentelemetry-distro is not among the dependencies the build "
        "installs (app/agents/requirements.txt)"
    )


def test_a_runtime_left_out_is_its_own_finding(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("shared_build")
    config = (project.root / CONFIG).read_text()
    evaluated = '"onlineEvalConfigs": [{"name": "ChatMonitor", "agent": "Chat", "evaluators": ["Builtin.Helpfulness"], '
    evaluated += '"samplingRate": 5, "enableOnCreate": true}],'
    project.write(CONFIG, config.replace('"onlineEvalConfigs": [],', evaluated))
    project.write("tests/test_chat.py", "def test_chat():\n    assert True\n")
    results = project.results("OBS004", "TEST001")
    planner = results["OBS004"].findings
    assert [(f.level, f.subject, f.message) for f in planner] == [
        ("fail", "Planner", "runtime 'Planner' has no online evaluation config")
    ]
    assert results["TEST001"].status == "pass"

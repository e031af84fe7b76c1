"""Adopting the product in CI: baselines, per-finding acceptance, configuration found up to the
repository root or named, several paths per check, workflow annotations, and a reviewed
repository that cannot switch checks off unseen."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from agentcore_readiness.cli import main
from conftest import REPO, ProjectBuilder, gateway

EXAMPLE = REPO / "examples" / "support-desk"
SARIF_SCHEMA = json.loads((REPO / "tests" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
CONFIG = "agentcore/agentcore.json"


def _check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _counting(report: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted(
        (f["rule"], f.get("subject")) for p in report["projects"] for r in p["results"] for f in r["findings"]
    )


def _suppressed(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for p in report["projects"] for r in p["results"] for f in r.get("suppressed_findings", [])]


def test_baseline_round_trip_fails_only_on_the_new_defect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "support-desk"
    shutil.copytree(EXAMPLE, project)
    baseline = tmp_path / "baseline.json"
    code, written = _check_json(capsys, str(project), "--baseline", str(baseline), "--write-baseline")
    known = _counting(written)
    assert code == 0 and len(known) == 34
    data = json.loads(baseline.read_text())
    assert data["version"] == 1 and len(data["findings"]) == 34
    assert {"fingerprint", "rule", "location", "message"} == set(data["findings"][0])

    code, again = _check_json(capsys, str(project), "--baseline", str(baseline))
    assert code == 0 and _counting(again) == []
    assert again["baseline"] == {"file": str(baseline), "suppressed": 34, "gone": 0}
    assert {f["suppression"]["source"] for f in _suppressed(again)} == {f"baseline {baseline}"}

    # A new open gateway, and the file laid out anew (every line moves): only the new defect fails.
    config = json.loads((project / CONFIG).read_text())
    config["agentCoreGateways"].insert(0, gateway("Backdoor", authorizerType="NONE"))
    (project / CONFIG).write_text(json.dumps(config, indent=4))
    code, after = _check_json(capsys, str(project), "--baseline", str(baseline))
    assert code == 1
    assert _counting(after) == [("AUTH003", "Backdoor")]
    assert after["baseline"] == {"file": str(baseline), "suppressed": 34, "gone": 0}


def test_a_missing_or_foreign_baseline_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE), "--baseline", str(tmp_path / "none.json")]) == 2
    assert "none.json: no such file (write it with --write-baseline)" in capsys.readouterr().err
    (tmp_path / "other.json").write_text('{"runs": []}')
    assert main(["check", str(EXAMPLE), "--baseline", str(tmp_path / "other.json")]) == 2
    assert "not an agentcore-readiness baseline" in capsys.readouterr().err
    assert main(["check", str(EXAMPLE), "--write-baseline"]) == 2
    assert "--write-baseline needs --baseline FILE" in capsys.readouterr().err


def _repo_with_project(tmp_path: Path, config: str) -> ProjectBuilder:
    """A git repository whose pyproject.toml (at its root) configures a project two levels down."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(config)
    project = ProjectBuilder(repo / "agents" / "desk")
    project.agentcore(
        agentCoreGateways=[gateway("OpenGateway", authorizerType="NONE"), gateway("Partners", authorizerType="NONE")]
    )
    project.entrypoint()
    return project


ACCEPT = """
[tool.agentcore-readiness]
accept = [
  {rule = "AUTH003", resource = "OpenGateway", reason = "public status page, no tools behind it"},
]
"""


def test_an_accepted_finding_is_suppressed_with_its_reason_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _repo_with_project(tmp_path, ACCEPT)
    code, report = _check_json(capsys, str(project.root), "--select", "AUTH003")
    assert code == 1  # the other open gateway still fails
    assert _counting(report) == [("AUTH003", "Partners")]
    [accepted] = _suppressed(report)
    assert (accepted["rule"], accepted["subject"]) == ("AUTH003", "OpenGateway")
    assert accepted["suppression"] == {
        "kind": "external",
        "source": "pyproject.toml accept[0]",
        "reason": "public status page, no tools behind it",
    }
    assert report["projects"][0]["config"] == {
        "source": "pyproject.toml",
        "select": [],
        "ignore": [],
        "rules_off": [],
        "exclude": [],
        "accepted": 1,
        "unused_accepts": [],
    }
    assert report["projects"][0]["repository_path"] == "agents/desk"

    assert main(["check", str(project.root), "--select", "AUTH003"]) == 1
    markdown = capsys.readouterr().out
    line = accepted["location"]["line"]
    assert (project.root / CONFIG).read_text().splitlines()[line - 1].strip() == '"authorizerType": "NONE",'
    assert (
        f"- suppressed AUTH003 `agentcore/agentcore.json:{line} (/agentCoreGateways/0/authorizerType)` "
        "(gateway 'OpenGateway' accepts unauthenticated calls (authorizerType is NONE)) by `pyproject.toml accept[0]`: "
        "public status page, no tools behind it"
    ) in markdown

    assert main(["check", str(project.root), "--select", "AUTH003", "--format", "sarif"]) == 1
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [r.get("suppressions") for r in results] == [
        None,
        [
            {
                "kind": "external",
                "status": "accepted",
                "justification": "public status page, no tools behind it (pyproject.toml accept[0])",
            }
        ],
    ]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "agents/desk/agentcore/agentcore.json"
    }


def test_an_accept_entry_without_a_reason_does_not_apply_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _repo_with_project(
        tmp_path,
        '[tool.agentcore-readiness]\naccept = [{rule = "AUTH003", resource = "OpenGateway"},'
        ' {rule = "AUTH003", resource = "Gone", reason = "removed last week"}]\n',
    )
    code, report = _check_json(capsys, str(project.root), "--select", "AUTH003")
    assert code == 1
    assert _counting(report) == [("AUTH003", "OpenGateway"), ("AUTH003", "Partners")]
    assert [(e["source"], e["message"]) for e in report["projects"][0]["fact_errors"]] == [
        (
            "pyproject.toml",
            "pyproject.toml accept[0] (AUTH003) gives no reason; an accepted finding needs one, so it still counts",
        )
    ]
    assert report["projects"][0]["config"]["unused_accepts"] == ["pyproject.toml accept[1]"]


def test_an_accept_entry_naming_no_known_rule_does_not_apply_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _repo_with_project(
        tmp_path,
        '[tool.agentcore-readiness]\naccept = [{rule = "AUTH999", resource = "OpenGateway", reason = "typo"},'
        ' {rule = "auth003", resource = "OpenGateway", reason = "public status page"}]\n',
    )
    _, report = _check_json(capsys, str(project.root), "--select", "AUTH003")
    assert _counting(report) == [("AUTH003", "Partners")]
    assert [(e["source"], e["location"]["path"], e["message"]) for e in report["projects"][0]["fact_errors"]] == [
        (
            "pyproject.toml",
            "pyproject.toml",
            "pyproject.toml accept[0]: unknown rule AUTH999 (see `agentcore-readiness rules`)",
        )
    ]


def test_configuration_is_found_up_to_the_repository_root_and_no_further(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _repo_with_project(tmp_path, '[tool.agentcore-readiness]\nignore = ["AUTH003"]\n')
    (tmp_path / "pyproject.toml").write_text('[tool.agentcore-readiness]\nignore = ["AUTH"]\n')  # above the repo
    _, report = _check_json(capsys, str(project.root), "--select", "AUTH")
    statuses = {r["rule"]: r["status"] for r in report["projects"][0]["results"]}
    assert "AUTH003" not in statuses and statuses["AUTH005"] == "pass"
    assert report["projects"][0]["config"]["rules_off"] == ["AUTH003"]
    # A pyproject.toml of the project itself without the section does not stop the search; one with it wins.
    project.write("pyproject.toml", '[project]\nname = "desk"\n')
    _, report = _check_json(capsys, str(project.root), "--select", "AUTH")
    assert report["projects"][0]["config"]["source"] == "pyproject.toml"
    project.write("agentcore-readiness.toml", 'ignore = ["AUTH005"]\n')
    _, report = _check_json(capsys, str(project.root), "--select", "AUTH")
    assert report["projects"][0]["config"]["source"] == "agents/desk/agentcore-readiness.toml"
    assert report["projects"][0]["config"]["rules_off"] == ["AUTH005"]


def test_a_server_reads_no_configuration_above_its_roots(tmp_path: Path) -> None:
    from agentcore_readiness.engine import ReviewRequest, review
    from agentcore_readiness.roots import allowed_roots

    project = _repo_with_project(tmp_path, '[tool.agentcore-readiness]\nignore = ["AUTH003"]\n')
    with allowed_roots([project.root.parent.resolve()]):
        report = review(ReviewRequest(target=str(project.root), select=("AUTH003",)))
    assert report.projects[0].config is None
    assert [r.status for r in report.projects[0].results] == ["fail"]
    with allowed_roots([tmp_path.resolve()]):
        report = review(ReviewRequest(target=str(project.root), select=("AUTH003",)))
    assert report.projects[0].config is not None and report.projects[0].results == []


def test_config_names_a_file_and_a_bad_one_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _repo_with_project(tmp_path, ACCEPT)
    other = tmp_path / "ci.toml"
    other.write_text('[tool.agentcore-readiness]\nignore = ["AUTH003"]\n')
    _, report = _check_json(capsys, str(project.root), "--select", "AUTH", "--config", str(other))
    assert report["projects"][0]["config"]["rules_off"] == ["AUTH003"]
    assert _suppressed(report) == []
    other.write_text("ignore = [\n")
    assert main(["check", str(project.root), "--config", str(other)]) == 2
    assert f"--config {other}: ci.toml is not valid TOML" in capsys.readouterr().err
    assert main(["check", str(project.root), "--config", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml cannot be read" in capsys.readouterr().err


HOSTILE = '[tool.agentcore-readiness]\nignore = ["AUTH", "SEC", "IAM", "CMD"]\nexclude = ["*"]\n'


def test_a_repository_that_switches_checks_off_shows_it_in_every_format(
    project: ProjectBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    project.agentcore(agentCoreGateways=[gateway("Open", authorizerType="NONE")])
    project.write("app/Agent/main.py", 'import os\nKEY = os.environ["STRIPE_SECRET_KEY"]\n')
    project.write("pyproject.toml", HOSTILE)

    code, report = _check_json(capsys, str(project.root))
    assert code == 0  # nothing left to fail: the point is that the report says why
    config = report["projects"][0]["config"]
    assert config["source"] == "pyproject.toml" and config["exclude"] == ["*"]
    assert config["ignore"] == ["AUTH", "SEC", "IAM", "CMD"]
    assert {"AUTH003", "SEC002", "IAM001", "CMD001"} <= set(config["rules_off"])
    assert not any(c.startswith(("AUTH", "SEC", "IAM", "CMD")) for c in report["rules"])

    assert main(["check", str(project.root)]) == 0
    markdown = capsys.readouterr().out
    assert f"- `pyproject.toml` turns off {len(config['rules_off'])} rule(s): IAM001, IAM002" in markdown
    assert "- `pyproject.toml` leaves out of the code scan: `*`" in markdown

    assert main(["check", str(project.root), "--format", "sarif"]) == 0
    sarif = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    invocation = sarif["runs"][0]["invocations"][0]
    [note] = invocation["toolConfigurationNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith(f"Demo: pyproject.toml turns off {len(config['rules_off'])} rule(s): ")
    assert note["message"]["text"].endswith("; excludes * from the code scan")
    assert {"descriptor": {"id": "AUTH003"}, "configuration": {"enabled": False}} in invocation[
        "ruleConfigurationOverrides"
    ]

    assert main(["check", str(project.root), "--format", "github"]) == 0
    assert "Demo (" in (github := capsys.readouterr().out) and "; pyproject.toml turns off IAM001, " in github

    code, refused = _check_json(capsys, str(project.root), "--no-project-config")
    assert code == 1 and "config" not in refused["projects"][0]
    assert ("AUTH003", "Open") in _counting(refused) and ("SEC002", None) in _counting(refused)


@pytest.mark.anyio
async def test_a_server_operator_can_refuse_project_configuration(project: ProjectBuilder) -> None:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    from agentcore_readiness.server.app import build_server
    from agentcore_readiness.settings import Settings

    project.agentcore(agentCoreGateways=[gateway("Open", authorizerType="NONE")])
    project.write("pyproject.toml", HOSTILE)

    async def auth003(server: Any) -> str | None:
        async with Client(server) as client:
            result = await client.call_tool(
                "review_project", {"path": str(project.root), "select": ["AUTH003"], "detail": "full"}
            )
        assert result.structured_content is not None
        results = result.structured_content["projects"][0].get("results", [])  # none ran: left out
        return next((r["status"] for r in results if r["rule"] == "AUTH003"), None)

    refusing = StdioServerParameters(
        command=sys.executable,
        args=["-m", "agentcore_readiness.cli", "serve", "--no-project-config", f"--root={project.root}"],
        cwd=str(REPO),
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert await auth003(build_server(Settings(roots=(str(project.root),)))) is None
    assert await auth003(refusing) == "fail"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_check_takes_several_paths_into_one_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "support-desk")
    shutil.copytree(REPO / "tests/fixtures/toolkit-desk", tmp_path / "toolkit-desk")
    code, report = _check_json(
        capsys,
        str(tmp_path / "support-desk"),
        str(tmp_path / "toolkit-desk"),
        str(tmp_path / "support-desk/app/SupportAgent/main.py"),  # the same project again: reviewed once
    )
    assert code == 1
    assert [(p["name"], p["repository_path"]) for p in report["projects"]] == [
        ("SupportDesk", "support-desk"),
        ("concierge", "toolkit-desk"),
    ]
    assert report["repository_root"] == str(tmp_path)


def test_github_format_annotates_repository_relative_files(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO / "examples")
    assert main(["check", "support-desk", "--format", "github", "--select", "AUTH003,AUTH005,SEC002"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "::error file=examples/support-desk/agentcore/agentcore.json,line=52,title=AUTH003 (critical)::"
        "gateway 'TicketTools' accepts unauthenticated calls (authorizerType is absent, which the CLI deploys as NONE)"
        "%0AFix: Require authentication on gateway TicketTools. In agentcore/agentcore.json set "
    )
    assert "\n" not in lines[0] and "%0Aagentcore remove gateway --name TicketTools%0A" in lines[0]
    assert lines[1].startswith(
        "::warning file=examples/support-desk/agentcore/agentcore.json,line=58,title=AUTH005 (medium)::"
    )
    assert lines[2].startswith(
        "::error file=examples/support-desk/app/SupportAgent/main.py,line=18,title=SEC002 (high)::"
    )
    assert lines[-1] == "SupportDesk (support-desk): 2 rule(s) fail, 1 warn, 0 pass"

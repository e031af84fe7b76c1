"""SARIF for code scanning: the official schema, GitHub's documented requirements, repository-relative
URIs from any working directory, and fingerprints unique per finding and stable across edits."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from agentcore_readiness import REPOSITORY_URL, __version__
from agentcore_readiness.cli import main
from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.render.sarif import render_sarif
from conftest import ProjectBuilder, gateway, runtime

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "tests" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
EXAMPLE = "examples/support-desk"
# Every project shipped with the repository: the example and the on-disk fixtures.
PROJECTS = [
    REPO / EXAMPLE,
    *sorted(
        p.parent.parent if p.name == "agentcore.json" else p.parent
        for p in [
            *(REPO / "tests" / "fixtures").glob("*/agentcore/agentcore.json"),
            *(REPO / "tests" / "fixtures").glob("*/.bedrock_agentcore.yaml"),
        ]
    ),
]
FINGERPRINT = "agentcoreReadiness/v1"


def sarif_of(target: str | Path, **kwargs: Any) -> dict[str, Any]:
    return json.loads(render_sarif(review(ReviewRequest(target=str(target), **kwargs))))


def check_github_requirements(sarif: dict[str, Any]) -> None:
    """GitHub's documented SARIF requirements for code scanning uploads."""
    assert sarif["version"] == "2.1.0"
    assert 1 <= len(sarif["runs"]) <= 20
    for run in sarif["runs"]:
        driver = run["tool"]["driver"]
        assert driver["name"] and driver["version"] == __version__
        assert driver["informationUri"] == REPOSITORY_URL
        rules = driver["rules"]
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids)) <= 25_000
        for rule in rules:
            assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
            assert rule["help"]["text"] and rule["help"]["markdown"]
            assert rule["helpUri"] == f"{REPOSITORY_URL}/blob/v{__version__}/docs/rules/{rule['id']}.md"
            assert (REPO / "docs" / "rules" / f"{rule['id']}.md").is_file(), rule["id"]
            severity = float(rule["properties"]["security-severity"])
            assert isinstance(rule["properties"]["security-severity"], str) and 0.0 < severity <= 10.0
            assert len(rule["properties"]["tags"]) <= 20
            assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert run["automationDetails"]["id"].startswith("agentcore-readiness/")
        bases = run["originalUriBaseIds"]
        assert bases["SRCROOT"]["uri"].startswith("file:///") and bases["SRCROOT"]["uri"].endswith("/")
        assert len(run["results"]) <= 25_000
        for result in run["results"]:
            assert result["ruleId"] == ids[result["ruleIndex"]]
            assert result["level"] in ("error", "warning", "note")
            assert result["message"]["text"]
            assert result["partialFingerprints"][FINGERPRINT]
            assert 1 <= len(result["locations"]) <= 10
            physical = result["locations"][0]["physicalLocation"]
            artifact = physical["artifactLocation"]
            assert artifact["uriBaseId"] == "SRCROOT"
            assert re.fullmatch(r"[A-Za-z0-9._~%!$&'()*+,;=:@/-]+", artifact["uri"]), artifact["uri"]
            assert not artifact["uri"].startswith(("/", "file:", "./", "../"))
            assert isinstance(physical["region"]["startLine"], int) and physical["region"]["startLine"] >= 1


@pytest.mark.parametrize("target", PROJECTS, ids=lambda p: p.name)
def test_every_shipped_project_gives_schema_valid_sarif_that_github_accepts(target: Path) -> None:
    sarif = sarif_of(target)
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    check_github_requirements(sarif)


def test_no_two_results_share_a_fingerprint_across_every_shipped_project() -> None:
    seen: dict[str, str] = {}
    for target in PROJECTS:
        for result in sarif_of(target)["runs"][0]["results"]:
            fingerprint = result["partialFingerprints"][FINGERPRINT]
            where = f"{target.name} {result['ruleId']} {result['locations'][0]['physicalLocation']}"
            assert fingerprint not in seen, f"{where} shares {fingerprint} with {seen[fingerprint]}"
            seen[fingerprint] = where
    assert len(seen) > 60


def test_secrets_read_on_adjacent_and_on_identical_lines_get_distinct_fingerprints() -> None:
    sarif = sarif_of(REPO / "tests/fixtures/ops-desk")
    sec002 = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["partialFingerprints"][FINGERPRINT]
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "SEC002"
    }
    main_py = (REPO / "tests/fixtures/ops-desk/app/OpsAgent/main.py").read_text().splitlines()
    token_lines = [n for n, text in enumerate(main_py, 1) if 'os.environ["PAGER_API_TOKEN"]' in text]
    backup_line = next(n for n, text in enumerate(main_py, 1) if "PAGER_BACKUP_TOKEN" in text)
    assert sorted(sec002) == sorted([*token_lines, backup_line])
    assert backup_line == token_lines[0] + 1
    assert len(set(sec002.values())) == 3
    # The two identical lines differ only by their order of occurrence.
    first, second = (sec002[n] for n in token_lines)
    assert first.split(":")[0] == second.split(":")[0] and (first[-2:], second[-2:]) == (":1", ":2")


def test_uris_are_repository_relative_from_the_root_and_from_inside_the_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = []
    for cwd, target in ((REPO, EXAMPLE), (REPO / EXAMPLE, ".")):
        monkeypatch.chdir(cwd)
        out = tmp_path / f"{len(outputs)}.sarif"
        assert main(["check", target, "--format", "sarif", "-o", str(out)]) == 1
        outputs.append(json.loads(out.read_text())["runs"][0])
    uris = [
        sorted({r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]})
        for run in outputs
    ]
    assert uris[0] == uris[1]
    assert uris[0] == [
        "examples/support-desk/agentcore/.gitignore",
        "examples/support-desk/agentcore/agentcore.json",
        "examples/support-desk/app/SupportAgent/main.py",
        "examples/support-desk/app/SupportAgent/pyproject.toml",
        "examples/support-desk/app/Triage/Dockerfile",
        "examples/support-desk/backend/chat_api.py",
        "examples/support-desk/scripts/ask.py",
    ]
    fingerprints = [sorted(r["partialFingerprints"][FINGERPRINT] for r in run["results"]) for run in outputs]
    assert fingerprints[0] == fingerprints[1]
    assert (
        outputs[0]["originalUriBaseIds"]
        == outputs[1]["originalUriBaseIds"]
        == {"SRCROOT": {"uri": REPO.as_uri() + "/"}}
    )
    assert outputs[0]["automationDetails"] == {"id": "agentcore-readiness/examples/support-desk/"}


def _two_open_gateways(project: ProjectBuilder, order: tuple[str, str], env: bool = False) -> None:
    gateways = {name: gateway(name, authorizerType="NONE", exceptionLevel="DEBUG") for name in order}
    env_vars = [{"name": "LOG_LEVEL", "value": "info"}] if env else []
    project.agentcore(
        runtimes=[runtime(envVars=env_vars)] if env else [runtime()],
        agentCoreGateways=[gateways[name] for name in order],
    )


def _by_rule_and_subject(report: Any) -> dict[tuple[str, str | None], str]:
    return {(f.rule, f.subject): f.fingerprint for f in report.findings() if f.rule in ("AUTH003", "AUTH005")}


def test_fingerprints_survive_reordering_gateways_and_unrelated_lines(project: ProjectBuilder) -> None:
    _two_open_gateways(project, ("Public", "Partner"))
    before = _by_rule_and_subject(project.review())
    _two_open_gateways(project, ("Partner", "Public"), env=True)
    after_report = project.review()
    after = _by_rule_and_subject(after_report)
    assert set(before) == {
        ("AUTH003", "Public"),
        ("AUTH003", "Partner"),
        ("AUTH005", "Public"),
        ("AUTH005", "Partner"),
    }
    assert after == before
    # The findings did move: the pointers and lines are not what the fingerprints hold.
    moved = next(f for f in after_report.findings() if (f.rule, f.subject) == ("AUTH003", "Public"))
    assert moved.location.pointer == "/agentCoreGateways/1/authorizerType"


def test_fingerprints_survive_lines_inserted_above_a_code_finding(project: ProjectBuilder) -> None:
    project.agentcore()
    code = 'import os\n\n\ndef handler():\n    return os.environ["STRIPE_SECRET_KEY"]\n'
    project.write("app/Agent/main.py", code)
    [before] = [f for f in project.review("SEC002").findings() if f.rule == "SEC002"]
    project.write("app/Agent/main.py", '"""Payments."""\n\nTIMEOUT = 10\n' + code)
    [after] = [f for f in project.review("SEC002").findings() if f.rule == "SEC002"]
    assert (before.location.line, after.location.line) == (5, 8)
    assert after.fingerprint == before.fingerprint


def test_only_the_rules_that_ran_are_described(project: ProjectBuilder) -> None:
    project.agentcore(agentCoreGateways=[gateway("Open", authorizerType="NONE")])
    sarif = sarif_of(project.root, select=("AUTH",))
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    statuses = {r.rule: r.status for r in project.review("AUTH").projects[0].results}
    ran = {code for code, status in statuses.items() if status not in ("skipped", "not_applicable")}
    assert set(rules) == ran
    assert "AUTH003" in rules and statuses["AUTH004"] == "not_applicable" and "AUTH004" not in rules
    # Full documentation for rules with results; a link for the others.
    assert rules["AUTH003"]["help"]["markdown"].startswith("### What it does")
    quiet = next(code for code in rules if code != "AUTH003")
    assert rules[quiet]["help"]["markdown"].endswith(
        f"(https://github.com/agentcore-readiness/agentcore-readiness/blob/v{__version__}/docs/rules/{quiet}.md)"
    )


def test_uris_are_percent_encoded(make_project: Any) -> None:
    inner = make_project("repo/my agent#1")
    inner.agentcore(agentCoreGateways=[gateway("Open", authorizerType="NONE")])
    sarif = sarif_of(inner.root.parent)
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"my%20agent%231/agentcore/agentcore.json"}


def test_aws_findings_without_a_file_get_the_config_file_and_their_arn(project: ProjectBuilder) -> None:
    from agentcore_readiness.model import Finding, Location, ProjectReport, Report, RuleResult

    finding = Finding(
        rule="OBS003",
        severity="medium",
        message="log group kept forever",
        location=Location(arn="arn:aws:logs:us-east-1:111122223333:log-group:/aws/x", region="us-east-1"),
        fingerprint="abc:1",
    )
    report = Report(
        version=__version__,
        target=str(project.root),
        repository_root=str(project.root),
        projects=[
            ProjectReport(
                path=str(project.root),
                name="Demo",
                layout="agentcore-cli",
                repository_path=".",
                results=[RuleResult(rule="OBS003", status="fail", findings=[finding])],
            )
        ],
    )
    sarif = json.loads(render_sarif(report))
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    check_github_requirements(sarif)
    [location] = sarif["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "agentcore/agentcore.json", "uriBaseId": "SRCROOT"},
        "region": {"startLine": 1},
    }
    assert location["logicalLocations"] == [
        {"fullyQualifiedName": "arn:aws:logs:us-east-1:111122223333:log-group:/aws/x", "kind": "resource"}
    ]


def test_an_inline_suppression_is_a_suppressed_result_with_its_reason(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        "app/Agent/main.py",
        'import os\nKEY = os.environ["STRIPE_SECRET_KEY"]  # agentcore-readiness: ignore[SEC002] rotated daily\n',
    )
    sarif = sarif_of(project.root, select=("SEC002",))
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    [result] = sarif["runs"][0]["results"]
    assert result["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "rotated daily (app/Agent/main.py:2)"}
    ]


def test_sarif_of_a_copied_example_outside_git_is_relative_to_the_reviewed_directory(tmp_path: Path) -> None:
    copy = tmp_path / "support-desk"
    shutil.copytree(REPO / EXAMPLE, copy)
    run = sarif_of(copy)["runs"][0]
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": copy.as_uri() + "/"}}
    assert "agentcore/agentcore.json" in {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert run["automationDetails"] == {"id": "agentcore-readiness/"}

"""Fixes that apply: every emitted JSON Patch is valid RFC 6902 against the file it names (proven with
the jsonpatch library), and `agentcore-readiness fix` makes each fixable rule pass on the next check."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonpatch
import pytest
import yaml

from agentcore_readiness.checks.fixes import complete_patch, has_placeholder
from agentcore_readiness.cli import main
from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.model import Report
from conftest import ProjectBuilder, gateway, runtime
from test_sarif import PROJECTS

REPO = Path(__file__).resolve().parents[1]
CONFIG = "agentcore/agentcore.json"


def _document(root: Path, rel: str) -> Any:
    text = (root / rel).read_text(encoding="utf-8")
    return json.loads(text) if rel.endswith(".json") else yaml.safe_load(text)


def _patched_findings(report: Report) -> list[Any]:
    return [f for f in report.findings() if f.fix is not None and f.fix.patch]


def _assert_every_patch_applies(report: Report) -> int:
    applied = 0
    for project in report.projects:
        root = Path(project.path)
        for result in project.results:
            for finding in result.findings:
                if finding.fix is None or not finding.fix.patch:
                    continue
                assert finding.fix.patch_file is not None
                document = _document(root, finding.fix.patch_file)
                patched = jsonpatch.apply_patch(document, finding.fix.patch)
                assert patched != document, f"{finding.rule}: the patch changes nothing"
                applied += 1
    return applied


@pytest.mark.parametrize("target", PROJECTS, ids=lambda p: p.name)
def test_every_patch_applies_with_jsonpatch_on_every_shipped_project(target: Path) -> None:
    report = review(ReviewRequest(target=str(target)))
    applied = _assert_every_patch_applies(report)
    if target == PROJECTS[0]:  # the example project has config defects of every fixable kind
        assert applied >= 5


def test_patches_create_the_parents_they_need(project: ProjectBuilder) -> None:
    """The SESS006/SESS007 patches failed with "member 'lifecycleConfiguration' not found"."""
    config = project.agentcore(runtimes=[runtime("Agent"), runtime("Worker", instrumentation={"enableOtel": False})])
    del config["onlineEvalConfigs"]
    project.json(CONFIG, config)
    report = project.review("SESS006", "SESS007", "OBS001", "OBS004")
    assert {(f.rule, f.subject) for f in _patched_findings(report)} == {
        ("SESS006", "Agent"),
        ("SESS006", "Worker"),
        ("SESS007", "Agent"),
        ("SESS007", "Worker"),
        ("OBS001", "Worker"),
        ("OBS004", "Agent, Worker"),  # no online evaluation at all: one finding for both runtimes
    }
    assert _assert_every_patch_applies(report) == 6
    sess006 = next(f for f in report.findings() if (f.rule, f.subject) == ("SESS006", "Worker"))
    assert sess006.fix is not None
    assert sess006.fix.patch == [
        {"op": "test", "path": "/runtimes/1/name", "value": "Worker"},
        {"op": "add", "path": "/runtimes/1/lifecycleConfiguration", "value": {"idleRuntimeSessionTimeout": 120}},
    ]
    obs004 = next(f for f in report.findings() if (f.rule, f.subject) == ("OBS004", "Agent, Worker"))
    assert obs004.fix is not None and obs004.fix.patch is not None
    assert [op["path"] for op in obs004.fix.patch] == ["/onlineEvalConfigs", "/onlineEvalConfigs/-"]


def test_a_patch_against_a_reordered_file_fails_its_guard_instead_of_editing_another_runtime(
    project: ProjectBuilder,
) -> None:
    project.agentcore(runtimes=[runtime("Agent", authorizerType="NONE"), runtime("Other")])
    [finding] = project.review("AUTH001").findings()
    assert finding.fix is not None and finding.fix.patch is not None
    reordered = _document(project.root, CONFIG)
    reordered["runtimes"].reverse()
    with pytest.raises(jsonpatch.JsonPatchTestFailed):
        jsonpatch.apply_patch(reordered, finding.fix.patch)


def test_completion_refuses_a_path_through_a_value() -> None:
    from agentcore_readiness.checks.fixes import PatchError

    with pytest.raises(PatchError, match="cannot be created inside a value"):
        complete_patch([{"op": "add", "path": "/name/x", "value": 1}], {"name": "Demo"})
    assert complete_patch([{"op": "add", "path": "/a/b/-", "value": 1}], {}) == [
        {"op": "add", "path": "/a", "value": {"b": [1]}}
    ]


# ---------------------------------------------------------------------------
# fix, then check: one case per fixable rule

Setup = Callable[[ProjectBuilder], object]


def _container(project: ProjectBuilder, dockerignore: str | None) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.write("app/Agent/Dockerfile", 'FROM python:3.12-slim\nCOPY . .\nCMD ["python", "main.py"]\n')
    project.write("app/Agent/main.py", "print('hi')\n")
    if dockerignore is not None:
        project.write("app/Agent/.dockerignore", dockerignore)


FIXABLE: dict[str, Setup] = {
    "AUTH001": lambda p: p.agentcore(runtimes=[runtime(authorizerType="NONE")]),
    "AUTH002": lambda p: p.agentcore(
        runtimes=[
            runtime(
                authorizerType="CUSTOM_JWT",
                authorizerConfiguration={
                    "customJWTAuthorizer": {
                        "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                        "allowedClients": ["abc"],
                    }
                },
            )
        ]
    ),
    "AUTH005": lambda p: p.agentcore(agentCoreGateways=[gateway("Tools", exceptionLevel="DEBUG")]),
    "SEC003": lambda p: p.agentcore(
        runtimes=[
            runtime(envVars=[{"name": "LOG_LEVEL", "value": "info"}, {"name": "STRIPE_SECRET_KEY", "value": "x"}])
        ]
    ),
    "SEC005": lambda p: (p.agentcore(), p.write("agentcore/.gitignore", "cdk/cdk.out/\n")),
    "OBS001": lambda p: p.agentcore(runtimes=[runtime(instrumentation={"enableOtel": False})]),
    "OBS004": lambda p: p.agentcore(),
    "PERF002": lambda p: _container(p, None),
    "SESS006": lambda p: p.agentcore(),
    "SESS007": lambda p: p.agentcore(runtimes=[runtime(lifecycleConfiguration={"idleRuntimeSessionTimeout": 120})]),
    "SESS008": lambda p: p.agentcore(
        runtimes=[runtime(lifecycleConfiguration={"idleRuntimeSessionTimeout": 7200, "maxLifetime": 3600})]
    ),
    "SESS009": lambda p: (
        p.agentcore(),
        p.write("pyproject.toml", '[tool.agentcore-readiness]\nworkload = "interactive"\n'),
    ),
    "RES001": lambda p: (
        p.agentcore(memories=[{"name": "Mem", "eventExpiryDuration": 30, "strategies": []}]),
        p.write("app/Agent/main.py", "from bedrock_agentcore.memory import MemoryClient\n\nmemory = MemoryClient()\n"),
    ),
    "RES003": lambda p: p.agentcore(
        memories=[
            {
                "name": "Mem",
                "eventExpiryDuration": 30,
                "strategies": [{"type": "EPISODIC", "namespaceTemplates": ["/episodes/{actorId}/{sessionId}"]}],
            }
        ]
    ),
    "RES005": lambda p: p.agentcore(
        agentCoreGateways=[
            gateway("Tools", policyEngineConfiguration={"policyEngineName": "Guard", "mode": "ENFORCE"})
        ],
        policyEngines=[
            {
                "name": "Guard",
                "policies": [
                    {
                        "name": "NoRefunds",
                        "statement": "forbid(principal, action, resource);",
                        "validationMode": "FAIL_ON_ANY_FINDINGS",
                        "enforcementMode": "LOG_ONLY",
                        "authorizationPhase": "INITIATE",
                    }
                ],
            }
        ],
    ),
}


@pytest.mark.parametrize("rule", sorted(FIXABLE))
def test_fix_then_check_shows_the_rule_passing(
    rule: str, project: ProjectBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    FIXABLE[rule](project)
    before = project.results(rule)[rule]
    assert before.status in ("fail", "warn") and before.findings, before
    assert all(f.fix is not None and (f.fix.edits or not has_placeholder(f.fix.patch)) for f in before.findings)
    assert main(["fix", str(project.root), "--select", rule]) == 0
    out = capsys.readouterr().out
    assert f"Fixed {len(before.findings)} finding(s)" in out
    assert f"A new review finds {len(before.findings)} of the {len(before.findings)} fixed finding(s) gone." in out
    assert "\n+" in out and "+++ " in out
    after = project.results(rule)[rule]
    assert (after.status, after.findings) == ("pass", []), after.reason


def test_fix_fills_an_incomplete_dockerignore(project: ProjectBuilder) -> None:
    _container(project, ".git\n")
    project.write("app/Agent/tests/test_main.py", "def test_x():\n    assert True\n")
    assert project.results("PERF002")["PERF002"].status == "warn"
    assert main(["fix", str(project.root), "--select", "PERF002"]) == 0
    assert (project.root / "app/Agent/.dockerignore").read_text() == ".git\n__pycache__/\n*.py[cod]\n.venv/\ntests/\n"
    assert project.results("PERF002")["PERF002"].status == "pass"


def test_dry_run_prints_the_diff_and_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "support-desk"
    shutil.copytree(REPO / "examples/support-desk", copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert main(["fix", str(copy), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before
    assert f"--- {copy}/agentcore/agentcore.json\n+++ {copy}/agentcore/agentcore.json\n" in out
    assert '-      "exceptionLevel": "DEBUG"\n+      "exceptionLevel": "NONE"\n' in out
    assert "Would fix " in out and "A new review" not in out
    assert "AUTH003 agentcore/agentcore.json:52 (/agentCoreGateways/0): the patch needs your values" in out


def test_fix_keeps_the_files_formatting_outside_the_changed_values(tmp_path: Path) -> None:
    copy = tmp_path / "support-desk"
    shutil.copytree(REPO / "examples/support-desk", copy)
    original = (copy / CONFIG).read_text().splitlines()
    assert main(["fix", str(copy), "--select", "AUTH005,RES005"]) == 0
    fixed = (copy / CONFIG).read_text().splitlines()
    changed = [(n, a, b) for n, (a, b) in enumerate(zip(original, fixed, strict=True), 1) if a != b]
    policy = original[62 - 1]
    assert changed == [
        (58, '      "exceptionLevel": "DEBUG"', '      "exceptionLevel": "NONE"'),
        (62, policy, policy.replace('"enforcementMode": "LOG_ONLY"', '"enforcementMode": "ACTIVE"')),
    ]
    assert policy.startswith('    {"name": "RefundGuard", "policies": [{"name": "NoRefunds"')


def test_fixes_of_one_file_compose_and_the_toolkit_yaml_is_fixed_too(tmp_path: Path) -> None:
    copy = tmp_path / "toolkit-desk"
    shutil.copytree(REPO / "tests/fixtures/toolkit-desk", copy)
    assert main(["fix", str(copy)]) == 0
    data = yaml.safe_load((copy / ".bedrock_agentcore.yaml").read_text())
    concierge, reporter = data["agents"]["concierge"], data["agents"]["reporter"]
    assert concierge["aws"]["lifecycle_configuration"] == {"idle_runtime_session_timeout": 120, "max_lifetime": 3600}
    assert concierge["aws"]["observability"] == {"enabled": True}
    assert reporter["aws"]["lifecycle_configuration"] == {"idle_runtime_session_timeout": 600, "max_lifetime": 3600}
    results = {r.rule: r.status for r in review(ReviewRequest(target=str(copy))).projects[0].results}
    assert (results["SESS006"], results["SESS007"], results["OBS001"], results["RES001"]) == ("pass",) * 4


def test_a_yaml_with_comments_is_left_for_a_person(project: ProjectBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    text = (REPO / "tests/fixtures/toolkit-desk/.bedrock_agentcore.yaml").read_text()
    project.write(".bedrock_agentcore.yaml", "# edited by hand\n" + text)
    project.write("concierge.py", "x = 1\n")
    assert main(["fix", str(project.root), "--select", "OBS001"]) == 0
    out = capsys.readouterr().out
    assert "has comments that rewriting it would lose; apply the patch by hand" in out
    assert (project.root / ".bedrock_agentcore.yaml").read_text().startswith("# edited by hand\n")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_mcp_tools_stay_read_only_and_return_the_same_patches(tmp_path: Path) -> None:
    from mcp import Client

    from agentcore_readiness.server.app import build_server
    from agentcore_readiness.settings import Settings

    copy = tmp_path / "ops-desk"
    shutil.copytree(REPO / "tests/fixtures/ops-desk", copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    async with Client(build_server(Settings(roots=(str(tmp_path),)))) as client:  # type: ignore[arg-type]
        result = await client.call_tool("review_project", {"path": str(copy), "detail": "full"})
    assert result.structured_content is not None
    served = {
        f["fingerprint"]: f["fix"]["patch"]
        for r in result.structured_content["projects"][0]["results"]
        for f in r.get("findings", [])
        if f.get("fix", {}).get("patch")
    }
    local = {f.fingerprint: f.fix.patch for f in _patched_findings(review(ReviewRequest(target=str(copy))))}
    assert served == local and len(served) >= 10
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before

"""Bad input: every broken file gives a located CFG001 finding (or a clear input error), never a
traceback or a hang, and the other rules still report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentcore_readiness.engine import InputError, ReviewRequest, review
from conftest import ProjectBuilder, runtime

CONFIG = "agentcore/agentcore.json"


def cfg_findings(builder: ProjectBuilder) -> list[tuple[int | None, str | None, str]]:
    result = builder.results()["CFG001"]
    assert result.status == "fail"
    return [(f.location.line, f.location.pointer, f.message) for f in result.findings]


def test_truncated_json_is_located_and_other_rules_still_run(project: ProjectBuilder) -> None:
    project.write(CONFIG, '{\n  "name": "X",\n  "version": 1,\n  "runtimes": [\n    {"name": "A"')
    project.write("agentcore/.gitignore", ".env.local\n")
    assert cfg_findings(project) == [
        (5, None, "agentcore/agentcore.json: not valid JSON: Expecting ',' delimiter at line 5, column 17")
    ]
    results = project.results()
    assert results["SEC005"].status == "pass"
    assert results["AUTH001"].status == "not_applicable"
    assert not any(r.status == "error" for r in results.values())


def test_not_json_at_all(project: ProjectBuilder) -> None:
    project.write(CONFIG, "name: not json\n")
    assert cfg_findings(project) == [
        (1, None, "agentcore/agentcore.json: not valid JSON: Expecting value at line 1, column 1")
    ]


def test_wrong_types_are_reported_by_json_pointer_and_line(project: ProjectBuilder) -> None:
    project.json(
        CONFIG,
        {
            "name": "Demo",
            "version": 1,
            "runtimes": [runtime(lifecycleConfiguration={"idleRuntimeSessionTimeout": "fifteen"}, build="Zip")],
            "agentCoreGateways": [{"name": "G", "authorizerType": 5, "targets": {}}],
        },
    )
    found = cfg_findings(project)
    text = (project.root / CONFIG).read_text().splitlines()

    def line(needle: str) -> int:
        return next(n for n, t in enumerate(text, 1) if needle in t)

    assert (
        line('"build"'),
        "/runtimes/0/build",
        "agentcore/agentcore.json: /runtimes/0/build: Input should be 'CodeZip' or 'Container'",
    ) in found
    assert any(
        f[1] == "/runtimes/0/lifecycleConfiguration/idleRuntimeSessionTimeout"
        and f[0] == line('"idleRuntimeSessionTimeout"')
        for f in found
    )
    assert any(f[1] == "/agentCoreGateways/0/authorizerType" and f[0] == line('"authorizerType": 5') for f in found)
    results = project.results()
    # The gateway's auth cannot be decided from an invalid value: unknown, not pass and not "absent".
    assert results["AUTH003"].status == "unknown"
    assert results["AUTH003"].reason == "G: authorizerType '5' is not NONE, AWS_IAM or CUSTOM_JWT (see CFG001)"
    assert results["AUTH001"].status == "pass"


def test_unknown_version_is_reported_and_the_rest_is_read(project: ProjectBuilder) -> None:
    project.json(CONFIG, {"name": "Demo", "version": 7, "runtimes": [runtime(authorizerType="NONE")]})
    found = cfg_findings(project)
    assert found[0][1] == "/version"
    assert "unsupported 'version' 7" in found[0][2]
    assert project.results()["AUTH001"].status == "fail"


def test_yaml_alias_bomb_is_refused_quickly(project: ProjectBuilder) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    project.write(".bedrock_agentcore.yaml", "\n".join(lines) + "\n")
    found = cfg_findings(project)
    assert found == [
        (
            1,
            None,
            ".bedrock_agentcore.yaml: expands to more than 100,000 values through anchors and aliases "
            "(a YAML alias bomb?); not read",
        )
    ]


def test_invalid_yaml_is_located(project: ProjectBuilder) -> None:
    project.write(".bedrock_agentcore.yaml", "agents:\n  a:\n    name: [unclosed\n")
    found = cfg_findings(project)
    assert len(found) == 1 and found[0][0] == 4 and found[0][2].startswith(".bedrock_agentcore.yaml: not valid YAML")


def test_binary_config_is_refused(project: ProjectBuilder) -> None:
    project.write(CONFIG, b"\x00\x01\x02binary")
    assert cfg_findings(project) == [
        (None, None, "agentcore/agentcore.json: is a binary file (contains NUL bytes); not read")
    ]


def test_non_utf8_config_is_refused_with_its_line(project: ProjectBuilder) -> None:
    project.write(CONFIG, b'{\n  "name": "\xff\xfe"\n}')
    assert cfg_findings(project) == [(2, None, "agentcore/agentcore.json: is not valid UTF-8 (byte 13)")]


def test_fifty_megabyte_config_is_not_read(project: ProjectBuilder) -> None:
    path = project.write(CONFIG, "")
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert cfg_findings(project) == [
        (None, None, "agentcore/agentcore.json: is 52,428,800 bytes, over the 5,242,880-byte limit; not read")
    ]


def test_symlink_leaving_the_project_is_not_followed(project: ProjectBuilder, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text('{"name": "Secret", "version": 1}')
    (project.root / "agentcore").mkdir(parents=True)
    os.symlink(outside, project.root / CONFIG)
    assert cfg_findings(project) == [
        (None, None, "agentcore/agentcore.json: is a symlink that points outside the project; not read")
    ]


def test_symlinked_code_directory_outside_the_project_is_not_read(project: ProjectBuilder, tmp_path: Path) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM python:3.12\n")
    (project.root / "app").mkdir()
    os.symlink(outside, project.root / "app" / "Agent")
    results = project.results("PERF002", "PERF003")
    assert results["PERF003"].status == "unknown"
    assert results["PERF003"].reason == "no Dockerfile found for Agent"


def test_directory_without_a_project_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no AgentCore project found"):
        review(ReviewRequest(target=str(tmp_path / "empty")))


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        review(ReviewRequest(target=str(tmp_path / "nope")))


def test_unknown_rule_code_is_an_input_error(project: ProjectBuilder) -> None:
    project.agentcore()
    with pytest.raises(InputError, match=r"unknown rule code\(s\): NOPE999"):
        project.review("NOPE999")


def test_a_crashing_rule_becomes_error_and_the_report_still_comes(
    project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentcore_readiness.checks import registry

    rules = registry.load_rules()
    original = rules["AUTH001"]

    def explode(facts: object, out: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(registry.REGISTRY, "AUTH001", registry.Rule(meta=original.meta, check=explode))
    project.agentcore()
    results = project.results()
    assert results["AUTH001"].status == "error"
    assert results["AUTH001"].reason == "the check itself failed (RuntimeError); the rest of the report is unaffected"
    assert results["OBS001"].status == "pass"

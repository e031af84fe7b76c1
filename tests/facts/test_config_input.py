"""Hostile and unusual configuration input: YAML 1.1 safe semantics (merge keys), recursion
and depth caught and located as CFG001, application tags refused, UTF-16/32 decoded, JSON
lines right after NaN/Infinity, and a NUL byte in a path a clear input error.

Before: recursive or 600-level YAML raised RecursionError (a CLI traceback), merge keys were
CFG001 and the runtime rules went silent, collection tags were ignored, UTF-16 configs were
"binary", NaN shifted every later line, and a NUL byte gave an error with no reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from agentcore_readiness.cli import main as cli_main
from agentcore_readiness.engine import InputError, ReviewRequest, review
from agentcore_readiness.facts.project.project_facts import load_project
from agentcore_readiness.server.app import build_server
from agentcore_readiness.settings import Settings
from conftest import ProjectBuilder, findings_of, runtime

pytestmark = pytest.mark.timeout(30)
CONFIG = "agentcore/agentcore.json"
YAML = ".bedrock_agentcore.yaml"


def cfg001(builder: ProjectBuilder) -> list[tuple[int | None, str]]:
    result = builder.results("CFG001")["CFG001"]
    return [(f.location.line, f.message) for f in result.findings]


def test_a_recursive_alias_is_a_located_cfg001(project: ProjectBuilder) -> None:
    project.write(YAML, "name: loop\nentrypoint: app.py\nagents: &a\n  again: *a\n")
    assert cfg001(project) == [(3, f"{YAML}: not valid YAML: an alias refers to a value that contains it (recursive)")]


def test_deep_nesting_is_a_located_cfg001(project: ProjectBuilder) -> None:
    project.write(YAML, "name: deep\nentrypoint: app.py\nextra:\n  " + "[" * 700 + "]" * 700 + "\n")
    assert cfg001(project) == [(4, f"{YAML}: not valid YAML: nested more than 100 levels deep")]


def test_deep_nesting_through_aliases_is_refused(project: ProjectBuilder) -> None:
    chain = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 150)]
    project.write(YAML, "name: chain\nentrypoint: app.py\n" + "\n".join(chain) + "\n")
    [(line, message)] = cfg001(project)
    assert message == f"{YAML}: not valid YAML: nested more than 100 levels deep"
    assert line is not None and 3 <= line <= 152


def test_the_cli_reports_recursive_yaml_without_a_traceback(
    project: ProjectBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(YAML, "name: loop\nentrypoint: app.py\nagents: &a [*a]\n")
    assert cli_main(["check", str(project.root), "--format", "json", "--select", "CFG001"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    [result] = json.loads(captured.out)["projects"][0]["results"]
    assert (result["rule"], result["status"], result["findings"][0]["location"]["line"]) == ("CFG001", "fail", 3)


MERGED = """
defaults: &defaults
  entrypoint: app.py
  deployment_type: container
  aws:
    network_configuration:
      network_mode: PUBLIC
    observability:
      enabled: false
default_agent: one
agents:
  one:
    <<: *defaults
    name: one
  two:
    <<: [*defaults]
    name: two
    entrypoint: two.py
"""


def test_merge_keys_are_followed(project: ProjectBuilder) -> None:
    project.write(YAML, MERGED)
    facts = load_project(project.root)
    assert facts.config_errors == ()
    assert [(r.name, r.entrypoint, r.build, r.network_mode) for r in facts.runtimes] == [
        ("one", "app.py", "Container", "PUBLIC"),
        ("two", "two.py", "Container", "PUBLIC"),
    ]
    results = project.results("CFG001", "OBS001")
    assert results["CFG001"].status == "pass"
    # both agents inherit the disabled tracing; the finding points at the shared line
    assert findings_of(results["OBS001"]) == [("fail", YAML, 8), ("fail", YAML, 8)]
    assert [f.subject for f in results["OBS001"].findings] == ["one", "two"]


def test_a_merge_of_something_else_is_a_located_cfg001(project: ProjectBuilder) -> None:
    project.write(YAML, "name: bad\nentrypoint: app.py\nextra:\n  <<: just-a-string\n")
    assert cfg001(project) == [(4, f"{YAML}: not valid YAML: a merge key (<<) takes a mapping or a list of mappings")]


@pytest.mark.parametrize(
    ("document", "line", "tag"),
    [
        (
            "name: x\nentrypoint: a.py\nboom: !!python/object/apply:os.system ['true']\n",
            3,
            "!!python/object/apply:os.system",
        ),
        ("name: x\nentrypoint: a.py\nboom: !!python/object/new:dict {a: 1}\n", 3, "!!python/object/new:dict"),
        ("name: x\nentrypoint: a.py\nboom: !!python/name:os.system ''\n", 3, "!!python/name:os.system"),
        ("name: x\nentrypoint: a.py\nboom: !Ref SomeResource\n", 3, "!Ref"),
    ],
)
def test_application_tags_are_cfg001(project: ProjectBuilder, document: str, line: int, tag: str) -> None:
    project.write(YAML, document)
    assert cfg001(project) == [
        (line, f"{YAML}: not valid YAML: unsupported tag {tag} (only plain mappings, lists and scalars are read)")
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-16-be", "utf-32-be"])
def test_utf16_and_utf32_configs_with_a_bom_are_read(project: ProjectBuilder, codec: str) -> None:
    config = project.agentcore(runtimes=[runtime(authorizerType="NONE")])
    text = json.dumps(config, indent=2) + "\n"
    bom = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}.get(codec, b"")
    (project.root / CONFIG).write_bytes(bom + text.encode(codec))
    results = project.results("CFG001", "AUTH001")
    assert results["CFG001"].status == "pass"
    line = next(n for n, t in enumerate(text.splitlines(), 1) if '"authorizerType"' in t)
    assert findings_of(results["AUTH001"]) == [("fail", CONFIG, line)]


def test_nan_and_infinity_do_not_shift_later_lines(project: ProjectBuilder) -> None:
    lines = [
        "{",
        '  "name": "Demo", "version": 1, "managedBy": "CDK",',
        '  "weights": [NaN, Infinity, -Infinity, NaN, NaN, NaN, NaN, NaN],',
        '  "runtimes": [',
        "    {",
        '      "name": "Agent", "build": "CodeZip", "entrypoint": "main.py", "codeLocation": "app/Agent/",',
        '      "runtimeVersion": "PYTHON_3_12", "networkMode": "PUBLIC", "protocol": "HTTP",',
        '      "authorizerType": "NONE"',
        "    }",
        "  ]",
        "}",
    ]
    project.write(CONFIG, "\n".join(lines) + "\n")
    facts = load_project(project.root)
    assert facts.runtimes[0].loc("authorizerType").line == 8
    assert findings_of(project.results("AUTH001")["AUTH001"]) == [("fail", CONFIG, 8)]


def test_json_nested_too_deeply_is_located(project: ProjectBuilder) -> None:
    project.write(CONFIG, '{\n  "name": "Demo",\n  "x": ' + "[" * 5000 + "]" * 5000 + "\n}\n")
    assert cfg001(project) == [(3, f"{CONFIG}: JSON nested more than 500 levels deep at line 3, column 507")]


def test_a_nul_byte_in_a_path_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        review(ReviewRequest(target=f"{tmp_path}/a\x00b"))
    assert str(caught.value) == f"'{tmp_path}/a\\x00b': a path cannot contain a NUL byte"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_a_nul_byte_in_a_tool_path_is_a_tool_error_with_the_reason(tmp_path: Path) -> None:
    async with Client(build_server(Settings(roots=(str(tmp_path),)))) as client:
        result = await client.call_tool("review_project", {"path": f"{tmp_path}/a\x00b"})
    assert result.is_error is True
    assert result.content[0].text == (  # type: ignore[union-attr]
        f"Error executing tool review_project: '{tmp_path}/a\\x00b': a path cannot contain a NUL byte"
    )


def test_a_crash_exits_3_without_a_traceback(
    project: ProjectBuilder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever still goes wrong inside the tool never reads as findings (exit 1)."""
    from agentcore_readiness import engine

    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(engine, "load_project", explode)
    project.agentcore()
    assert cli_main(["check", str(project.root)]) == 3
    captured = capsys.readouterr()
    assert captured.err == "agentcore-readiness: internal error (RecursionError); the review did not finish\n"
    assert captured.out == ""

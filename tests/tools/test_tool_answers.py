"""What a coding agent gets back over the MCP SDK client: small default answers, filters and
continuation, a bounded scope, the roots boundary, unknown arguments, lean tools/list."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp_types import ListRootsResult, Root

from agentcore_readiness.tools.review import run_review
from conftest import FIXTURES, REPO, ProjectBuilder, memory_server, runtime

EXAMPLE = REPO / "examples" / "support-desk"
CLEAN = FIXTURES / "clean-agent"

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def text_of(result: Any) -> str:
    """The text block; for a tool error, the message after the SDK's ``Error executing tool NAME: ``."""
    text = str(result.content[0].text)
    return text.split(": ", 1)[1] if result.is_error and text.startswith("Error executing tool ") else text


def offering(*directories: Path | str) -> Any:
    """A client's roots/list answer offering these directories (or raw URIs)."""

    async def list_roots(context: Any) -> ListRootsResult:
        uris = [d if isinstance(d, str) else d.as_uri() for d in directories]
        return ListRootsResult(roots=[Root(uri=uri) for uri in uris])  # type: ignore[arg-type]

    return list_roots


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


# ---------------------------------------------------------------------------
# Default answers


async def test_default_review_lists_fail_and_warn_findings_by_severity_with_short_fixes() -> None:
    async with Client(memory_server()) as client:
        result = await client.call_tool("review_project", {"path": str(EXAMPLE)})
        tools = {t.name: t for t in (await client.list_tools()).tools}
    data = result.structured_content
    assert data is not None and result.is_error is False
    jsonschema.validate(data, tools["review_project"].output_schema)
    assert set(data) == {"target", "detail", "projects", "findings", "page"}  # no rule catalog, no empty errors
    [project] = data["projects"]
    assert project["summary"] == {
        "pass": 21, "fail": 14, "warn": 16, "unknown": 1, "skipped": 16, "not_applicable": 14, "error": 0,
        "findings": 34, "suppressed": 0,
    }  # fmt: skip
    assert "results" not in project
    first = data["findings"][0]
    assert first == {
        "rule": "AUTH003",
        "severity": "critical",
        "level": "fail",
        "message": "gateway 'TicketTools' accepts unauthenticated calls (authorizerType is absent, which the CLI "
        "deploys as NONE)",
        "location": {"path": "agentcore/agentcore.json", "line": 52, "pointer": "/agentCoreGateways/0"},
        "fix": first["fix"],
        "commands": [
            "agentcore remove gateway --name TicketTools",
            "agentcore add gateway --name TicketTools --authorizer-type CUSTOM_JWT --discovery-url "
            "https://<your-idp>/.well-known/openid-configuration --allowed-clients <client-id>",
        ],
    }
    assert first["fix"].startswith("Require authentication on gateway TicketTools.")
    order = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
    keys = [(-order[f["severity"]], f["level"] != "fail") for f in data["findings"]]
    assert keys == sorted(keys) and len(keys) == 15
    assert data["page"] == {"total": 31, "offset": 0, "next_offset": 15}
    assert not any(v is None or v == [] or v == {} for v in walk(data)), "nulls or empty lists in the answer"
    skipped = [line for line in project["reasons"] if line["status"] == "skipped"]
    assert skipped[0] == {
        "status": "skipped",
        "rules": ["IAM004", "CMD002", "CMD005", "OBS003", "OBS005", "NET003", "RES002"],
        "reason": "AWS checks were not requested (run with --aws, or pass aws=true)",
    }
    assert {
        "status": "skipped",
        "rules": ["CLI001"],
        "reason": "no `agentcore` command on PATH (the AgentCore CLI is not installed here)",
    } in skipped
    text = text_of(result)
    assert text.startswith("## SupportDesk (agentcore-cli; runtimes SupportAgent, Triage)\n")
    assert "### Findings 1–15 of 31, most severe first\n\n1. **critical** fail AUTH003 " in text
    assert "16 more finding(s): call again with `offset=15` (same arguments) for the rest." in text
    assert not text.lstrip().startswith("{")  # markdown, not the JSON again


async def test_a_project_without_findings_answers_in_a_few_lines() -> None:
    async with Client(memory_server()) as client:
        result = await client.call_tool("review_project", {"path": str(CLEAN)})
    data = result.structured_content
    assert data is not None
    summary = data["projects"][0]["summary"]
    assert {status: n for status, n in summary.items() if n} == {"pass": 34, "skipped": 14, "not_applicable": 34}
    assert data["page"] == {"total": 0, "offset": 0} and "findings" not in data
    text = text_of(result)
    assert "No fail or warn findings.\n" in text
    size = len(text) + len(json.dumps(data, separators=(",", ":")))
    assert size <= 4_000, size  # 1,000 tokens at 4 characters each


async def test_pages_continue_without_losing_or_repeating_a_finding() -> None:
    async with Client(memory_server()) as client:
        first = await client.call_tool("review_project", {"path": str(EXAMPLE), "max_findings": 20})
        assert first.structured_content is not None
        page = first.structured_content["page"]
        assert page == {"total": 31, "offset": 0, "next_offset": 20}
        second = await client.call_tool("review_project", {"path": str(EXAMPLE), "max_findings": 20, "offset": 20})
        full = await client.call_tool("review_project", {"path": str(EXAMPLE), "detail": "full"})
    assert second.structured_content is not None and full.structured_content is not None
    assert second.structured_content["page"] == {"total": 31, "offset": 20}
    assert "Findings 21–31 of 31" in text_of(second) and "more finding(s)" not in text_of(second)

    def key(f: dict[str, Any]) -> tuple[Any, ...]:
        return f["rule"], f["location"].get("path"), f["location"].get("line"), f["message"]

    paged = [key(f) for f in first.structured_content["findings"] + second.structured_content["findings"]]
    everything = [
        key(f)
        for r in full.structured_content["projects"][0]["results"]
        for f in r.get("findings", [])
        if f["level"] in ("fail", "warn")
    ]
    assert len(paged) == len(set(paged)) == 31
    assert sorted(paged) == sorted(everything)


async def test_filters_narrow_by_status_and_severity() -> None:
    async with Client(memory_server()) as client:
        high = await client.call_tool("review_project", {"path": str(EXAMPLE), "min_severity": "high"})
        failing = await client.call_tool("review_project", {"path": str(EXAMPLE), "status": ["fail"]})
        passing = await client.call_tool(
            "review_project", {"path": str(EXAMPLE), "status": ["pass"], "max_findings": 0}
        )
    assert high.structured_content is not None and failing.structured_content is not None
    assert {f["severity"] for f in high.structured_content["findings"]} == {"critical", "high"}
    assert high.structured_content["page"]["total"] == 11
    assert {f["level"] for f in failing.structured_content["findings"]} == {"fail"}
    assert failing.structured_content["projects"][0].get("reasons") is None  # only fail rules were asked for
    assert passing.structured_content is not None
    lines = passing.structured_content["projects"][0]["reasons"]
    assert {line["status"] for line in lines} == {"pass"}
    assert sum(len(line["rules"]) for line in lines) == 21
    assert "findings" not in passing.structured_content
    assert passing.structured_content["page"] == {"total": 0, "offset": 0}
    async with Client(memory_server()) as client:
        counts_only = await client.call_tool("review_project", {"path": str(EXAMPLE), "max_findings": 0})
    assert counts_only.structured_content is not None
    assert counts_only.structured_content["page"] == {"total": 31, "offset": 0}  # no offset to loop on
    assert "31 finding(s) match; none listed at `offset=0` with this `max_findings`." in text_of(counts_only)


async def test_focused_tools_answer_in_the_same_shape() -> None:
    async with Client(memory_server()) as client:
        auth = await client.call_tool("check_auth", {"path": str(EXAMPLE)})
        sessions = await client.call_tool("audit_sessions", {"path": str(EXAMPLE), "max_findings": 2})
        shell = await client.call_tool("check_shell_access", {"path": str(EXAMPLE)})
    assert auth.structured_content is not None
    assert [f["rule"] for f in auth.structured_content["findings"]] == ["AUTH003", "AUTH002", "AUTH005"]
    assert sessions.structured_content is not None
    assert sessions.structured_content["report"]["page"] == {"total": 6, "offset": 0, "next_offset": 2}
    assert shell.structured_content is not None
    assert shell.structured_content["holders_known"] is False
    assert text_of(shell).startswith("**Who can run shell commands:** Unknown: listing who can call")


async def test_render_checklist_is_markdown_text_and_a_compact_structure() -> None:
    async with Client(memory_server()) as client:
        result = await client.call_tool("render_checklist", {"path": str(EXAMPLE)})
    data = result.structured_content
    assert data is not None
    [checklist] = data["checklists"]
    assert "markdown" not in data
    assert checklist["fix_first"][0] == {
        "rule": "AUTH003",
        "severity": "critical",
        "level": "fail",
        "message": "gateway 'TicketTools' accepts unauthenticated calls (authorizerType is absent, which the CLI "
        "deploys as NONE)",
        "location": {"path": "agentcore/agentcore.json", "line": 52},
    }
    item = checklist["sections"][1]["items"][0]
    assert item == {
        "key": "auth.not_none",
        "text": "Inbound auth is AWS_IAM or CUSTOM_JWT (not NONE)",
        "mark": " ",
        "rules": {"AUTH001": "pass", "AUTH003": "fail"},
        "fixes": [1],
    }
    assert checklist["reasons"][0].startswith("AWS checks were not requested")
    text = text_of(result)
    assert text.startswith("# Production readiness of SupportDesk\n")
    assert "- [ ] Inbound auth is AWS_IAM or CUSTOM_JWT (not NONE) (AUTH003: finding 1)\n" in text


# ---------------------------------------------------------------------------
# Arguments


async def test_unknown_arguments_are_an_error_naming_the_valid_ones() -> None:
    async with Client(memory_server()) as client:
        typo = await client.call_tool("review_project", {"paht": str(EXAMPLE)})
        extra = await client.call_tool("explain_rule", {"code": "AUTH003", "verbose": True})
    assert typo.is_error is True
    assert text_of(typo) == (
        "unknown argument(s) 'paht' for review_project; it takes: path, select, ignore, workload, aws, region, "
        "runtime_arns, all_runtimes, measure_imports, detail, status, min_severity, max_findings, offset"
    )
    assert extra.is_error is True
    assert text_of(extra) == "unknown argument(s) 'verbose' for explain_rule; it takes: code"


# ---------------------------------------------------------------------------
# Scope


async def test_an_empty_path_is_an_error(tmp_path: Path) -> None:
    async with Client(memory_server(tmp_path)) as client:
        result = await client.call_tool("review_project", {"path": ""})
    assert result.is_error is True
    assert text_of(result).startswith("path is empty: give a project directory")


async def test_the_file_system_root_and_the_home_directory_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home" / "dev"
    ProjectBuilder(home / "agent").agentcore()
    monkeypatch.setenv("HOME", str(home))
    async with Client(memory_server("/")) as client:
        root = await client.call_tool("review_project", {"path": "/"})
        own_home = await client.call_tool("review_project", {"path": str(home)})
        above_home = await client.call_tool("review_project", {"path": str(home.parent)})
        inside_home = await client.call_tool("review_project", {"path": str(home / "agent")})
    assert text_of(root) == (
        "/ is the root of the file system: too broad to review; narrow the path to a project directory or a "
        "folder of projects"
    )
    assert text_of(own_home) == (
        f"{home} is the home directory: too broad to review; narrow the path to a project directory or a folder "
        "of projects"
    )
    assert text_of(above_home).startswith(f"{home.parent} holds the home directory: too broad to review")
    assert (root.is_error, own_home.is_error, above_home.is_error, inside_home.is_error) == (True, True, True, False)


async def test_a_tree_with_too_many_projects_or_files_is_refused(make_project: Any, tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        make_project(f"repo/{name}").agentcore()
    big = make_project("big")
    big.agentcore()
    for index in range(30):
        big.write(f"app/Agent/data/file{index}.txt", "x")
    async with Client(memory_server(tmp_path, max_projects=2, max_files=20)) as client:
        many = await client.call_tool("review_project", {"path": str(tmp_path / "repo")})
        heavy = await client.call_tool("review_project", {"path": str(big.root)})
        one = await client.call_tool("review_project", {"path": str(tmp_path / "repo" / "a")})
    assert text_of(many).startswith(
        f"{tmp_path / 'repo'} holds 3 projects, over the limit of 2 per review ({tmp_path / 'repo' / 'a'}, "
    )
    assert text_of(many).endswith(
        "narrow the path to one project or a smaller folder (the limit is --max-projects, or "
        "AGENTCORE_READINESS_MAX_PROJECTS)"
    )
    assert text_of(heavy).startswith(f"{big.root} holds more than 20 files in its project(s)")
    assert (many.is_error, heavy.is_error, one.is_error) == (True, True, False)


# ---------------------------------------------------------------------------
# Roots


async def test_a_relative_path_starts_at_the_clients_first_root(make_project: Any, tmp_path: Path) -> None:
    first = make_project("first")
    first.agentcore(name="First")
    second = make_project("second")
    second.agentcore(name="Second")
    server = memory_server(tmp_path)
    async with Client(server, mode="legacy", list_roots_callback=offering(first.root, second.root)) as client:
        here = await client.call_tool("review_project", {"path": "."})
        sibling = await client.call_tool("review_project", {"path": "../second"})
    assert here.structured_content is not None and sibling.structured_content is not None
    assert here.structured_content["projects"][0]["name"] == "First"
    assert here.structured_content["target"] == str(first.root / ".")
    assert sibling.structured_content["projects"][0]["name"] == "Second"  # the client's second root
    async with Client(memory_server(tmp_path), mode="legacy", list_roots_callback=offering(first.root)) as client:
        beyond = await client.call_tool("review_project", {"path": "../second"})
    assert text_of(beyond) == (
        f"{first.root / '..' / 'second'}: outside the directories this server may read ({first.root})"
    )


async def test_without_client_roots_a_relative_path_starts_at_the_working_directory(
    project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.agentcore(name="Here")
    monkeypatch.chdir(project.root)
    async with Client(memory_server()) as client:
        result = await client.call_tool("review_project", {"path": "."})
    assert result.structured_content is not None
    assert result.structured_content["projects"][0]["name"] == "Here"


async def test_client_roots_narrow_the_servers_roots_and_never_widen_them(make_project: Any, tmp_path: Path) -> None:
    inside = make_project("allowed/inside")
    inside.agentcore()
    other = make_project("allowed/other")
    other.agentcore()
    outside = make_project("outside")
    outside.agentcore()
    server_root = tmp_path / "allowed"
    async with Client(memory_server(server_root), mode="legacy", list_roots_callback=offering("file:///")) as client:
        widened = await client.call_tool("review_project", {"path": str(outside.root)})
        kept = await client.call_tool("review_project", {"path": str(other.root)})
    assert widened.is_error is True
    assert text_of(widened) == f"{outside.root}: outside the directories this server may read ({server_root})"
    assert kept.is_error is False
    narrowing = offering(inside.root)
    async with Client(memory_server(server_root), mode="legacy", list_roots_callback=narrowing) as client:
        narrowed = await client.call_tool("review_project", {"path": str(other.root)})
        allowed = await client.call_tool("review_project", {"path": str(inside.root)})
    assert text_of(narrowed) == f"{other.root}: outside the directories this server may read ({inside.root})"
    assert allowed.is_error is False
    async with Client(memory_server(server_root), mode="legacy", list_roots_callback=offering(outside.root)) as client:
        disjoint = await client.call_tool("review_project", {"path": str(inside.root)})
    assert text_of(disjoint).endswith(
        "outside the directories this server may read (none: the client's roots and the server's do not overlap)"
    )


async def test_a_file_whose_project_sits_above_the_roots_is_refused(project: ProjectBuilder) -> None:
    project.agentcore()
    code = project.write("app/Agent/main.py", "print('hi')\n")
    root = project.root / "app"
    async with Client(memory_server(root)) as client:
        result = await client.call_tool("review_project", {"path": str(code)})
    assert result.is_error is True
    assert text_of(result) == (
        f"{code}: belongs to the project at {project.root}, outside the directories this server may read "
        f"({root}); review a project inside them"
    )


async def test_paths_the_configuration_names_outside_the_roots_are_never_read(
    make_project: Any, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "main.py").write_text('API_KEY = "sk-ant-api03-AAAABBBBCCCCDDDDEEEEFFFFGGGG"\n')
    (secret / "policy.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    escaping = make_project("roots/escaping")
    escaping.agentcore(runtimes=[runtime(codeLocation="../../secret/")])
    policies = make_project("roots/policies")
    policies.agentcore(runtimes=[runtime(additionalPolicies=["../../secret/policy.json"])])
    async with Client(memory_server(tmp_path / "roots")) as client:
        code = await client.call_tool("review_project", {"path": str(escaping.root), "detail": "full"})
        policy = await client.call_tool("check_iam_scope", {"path": str(policies.root)})
    assert code.structured_content is not None
    [project] = code.structured_content["projects"]
    assert project["fact_errors"][0]["message"] == (
        "runtime Agent: codeLocation '../../secret/' points outside the project; not reviewed; its code is not reviewed"
    )
    sec001 = next(r for r in project["results"] if r["rule"] == "SEC001")
    assert "findings" not in sec001  # the key outside was never read
    assert "sk-ant" not in text_of(code) + json.dumps(code.structured_content)
    assert policy.is_error is True
    assert text_of(policy) == (
        f"{policies.root}: runtime 'Agent' additionalPolicies names a path outside the directories this server "
        "may read; the project is not reviewed"
    )


# ---------------------------------------------------------------------------
# tools/list


async def test_tools_list_is_lean_and_every_answer_validates_against_its_schema() -> None:
    async with Client(memory_server()) as client:
        listed = await client.session.list_tools()
        answers = {
            "review_project": await client.call_tool("review_project", {"path": str(EXAMPLE)}),
            "audit_sessions": await client.call_tool("audit_sessions", {"path": str(EXAMPLE), "workload": "batch"}),
            "explain_rule": await client.call_tool("explain_rule", {"code": "SESS001"}),
        }
    wire = listed.model_dump_json(by_alias=True, exclude_unset=True)
    assert len(wire) <= 32_000, len(wire)  # 8,000 tokens
    for tool in listed.tools:
        assert not any(
            isinstance(node, dict) and "title" in node and "type" in node for node in walk(tool.output_schema)
        )
    schemas = {t.name: t.output_schema for t in listed.tools}
    for name, answer in answers.items():
        assert answer.is_error is False, name
        jsonschema.validate(answer.structured_content, schemas[name])
    assert text_of(answers["explain_rule"]).startswith("# SESS001 session-id-per-request\n")


async def test_a_server_can_expose_one_toolset(tmp_path: Path) -> None:
    async with Client(memory_server(toolsets=("review",)), mode="legacy") as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        prompts = [p.name for p in (await client.list_prompts()).prompts]
        instructions = client.instructions or ""
    assert tools == ["review_project"]
    assert prompts == []  # every prompt walks tools this server does not offer
    assert "review_project" in instructions and "render_checklist" not in instructions
    async with Client(memory_server(toolsets=("auth", "rules"), tools=("audit_code",))) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
    assert tools == ["check_auth", "list_rules", "explain_rule", "diagnose_jwt_403", "audit_code"]


def test_unknown_toolsets_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from agentcore_readiness.cli import main

    assert main(["serve", "--toolsets", "review,everything", "--tools", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("agentcore-readiness: error: unknown toolset(s) everything (toolsets: all, review, ")
    assert "unknown tool(s) nope (tools: review_project, check_auth, " in err


def test_full_detail_gives_what_the_report_has(tmp_path: Path) -> None:
    from agentcore_readiness.tools.answer_shape import ResultView, shape

    target = tmp_path / "support-desk"
    shutil.copytree(EXAMPLE, target)
    report = run_review(str(target))
    full = shape(report, ResultView(detail="full"))
    assert full.projects[0].results == report.projects[0].results
    assert full.projects[0].fact_errors == report.projects[0].fact_errors

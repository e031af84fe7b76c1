"""The markdown the product writes, read by a real CommonMark parser: task-list items, code spans
for placeholders and paths, no raw HTML, and no structure smuggled in through project names,
file names or quoted text."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mcp import Client

from agentcore_readiness.cli import main
from agentcore_readiness.render.md import code, fenced, inline, prose
from conftest import REPO, ProjectBuilder, gateway, memory_server, runtime

EXAMPLE = REPO / "examples" / "support-desk"
MARKS = ("[x] ", "[ ] ", "[-] ", "[?] ")


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").parse(text)


def flatten(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out.extend(flatten(token.children or []))
    return out


def headings(tokens: list[Token]) -> list[str]:
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def list_item_texts(tokens: list[Token]) -> list[str]:
    """The first line of text of every list item."""
    texts = []
    for index, token in enumerate(tokens):
        if token.type == "list_item_open":
            inline_token = next(t for t in tokens[index:] if t.type == "inline")
            texts.append(inline_token.content.split("\n")[0])
    return texts


def raw_html(tokens: list[Token]) -> list[str]:
    return [t.content for t in flatten(tokens) if t.type in ("html_inline", "html_block")]


def check_markdown(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(["check", *argv, "--fail-on", "never"])
    return capsys.readouterr().out


def test_the_report_is_commonmark_with_a_fix_first_list_and_task_list_items(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = check_markdown(capsys, str(EXAMPLE))
    tokens = parse(text)
    assert raw_html(tokens) == []
    assert headings(tokens)[:5] == [
        "Production readiness of SupportDesk",
        "Fix first",
        "Production Readiness Checklist for SupportDesk",
        "IAM",
        "Authentication",
    ]
    ordered = [t for t in tokens if t.type == "ordered_list_open"]
    assert len(ordered) == 1  # the fix-first list, one item per finding
    items = list_item_texts(tokens)
    checklist = [item for item in items if item.startswith(MARKS)]
    # the template's 30 items; under "Also checked" the 11 rules that did not pass and one line for those that did
    assert len(checklist) == 42
    assert checklist[0] == "[?] Execution role Bedrock access scoped to specific model ARNs (IAM001 skipped: reason A)"
    assert "[ ] Inbound auth is AWS_IAM or CUSTOM_JWT (not NONE) (AUTH003: finding 1)" in checklist
    inline_code = [t.content for t in flatten(tokens) if t.type == "code_inline"]
    assert (
        "agentcore add gateway --name TicketTools --authorizer-type CUSTOM_JWT --discovery-url "
        "https://<your-idp>/.well-known/openid-configuration --allowed-clients <client-id>"
    ) in inline_code
    assert "agentcore/cdk/cdk.out/*.template.json" in inline_code
    assert not [t for t in flatten(tokens) if t.type == "em_open"]  # no glob turned into italics
    text_only = " ".join(t.content for t in flatten(tokens) if t.type == "text")
    assert "<your-idp>" not in text_only and "<client-id>" not in text_only  # placeholders are code, never HTML


def test_select_keeps_the_report_to_the_selected_rules(capsys: pytest.CaptureFixture[str]) -> None:
    text = check_markdown(capsys, str(EXAMPLE), "--select", "AUTH003")
    tokens = parse(text)
    assert [item for item in list_item_texts(tokens) if item.startswith(MARKS)] == [
        "[ ] Inbound auth is AWS_IAM or CUSTOM_JWT (not NONE) (AUTH003: finding 1)",
        "[ ] Gateway auth configured (if using gateway) (AUTH003: finding 1)",
    ]
    assert headings(tokens) == [
        "Production readiness of SupportDesk",
        "Fix first",
        "Production Readiness Checklist for SupportDesk",
        "Authentication",
        "Resources",
    ]


HOSTILE_NAME = "Agent\n# Injected heading\n<img src=x onerror=alert(1)>\n- [x] forged item"
HOSTILE_GATEWAY = "gw` <b>bold</b>\n\n## Also injected `tail"
HOSTILE_FILE = "tools\n# File heading <script>x</script>.py"
HOSTILE_URL = "https://api.example.com/<script>alert(1)</script>\n# URL heading"
HOSTILE_REGION = "us-east-1\n# Region heading <b>bold</b>"
TOKEN = jwt.encode(
    {"iss": "https://idp.example.com/<b>x</b>\n# Issuer heading", "client_id": "web\n- [x] forged item"},
    "a-shared-secret-of-thirty-two-bytes!!",
    algorithm="HS256",
)


@pytest.fixture
def hostile(project: ProjectBuilder) -> ProjectBuilder:
    project.agentcore(
        name="Demo <script>alert(1)</script>\n# Project heading",
        runtimes=[runtime(name=HOSTILE_NAME, authorizerType="NONE")],
        agentCoreGateways=[gateway(HOSTILE_GATEWAY, authorizerType="NONE")],
    )
    project.write(
        "app/" + HOSTILE_NAME + "/main.py",
        "import requests\nfrom bedrock_agentcore.runtime import BedrockAgentCoreApp\n\napp = BedrockAgentCoreApp()\n"
        f"URL = {HOSTILE_URL!r}\n\n\n@app.entrypoint\ndef invoke(payload):\n    return requests.get(URL, timeout=5).json()\n",
    )
    project.json(
        "agentcore/aws-targets.json", [{"name": "default", "account": "111122223333", "region": HOSTILE_REGION}]
    )
    project.write(
        "app/" + HOSTILE_NAME + "/" + HOSTILE_FILE,
        f"import requests\n\nURL = {HOSTILE_URL!r}\n\n\ndef tool(x):\n    return requests.get(URL, timeout=5).json()\n",
    )
    return project


def assert_no_smuggled_structure(text: str, allowed_headings: set[str]) -> None:
    tokens = parse(text)
    assert raw_html(tokens) == [], "raw HTML from project text"
    assert set(headings(tokens)) <= allowed_headings, set(headings(tokens)) - allowed_headings
    assert not [item for item in list_item_texts(tokens) if "forged item" in item.split("(")[0][:20]]
    assert "Injected heading" in text  # the text itself stays visible, escaped


REPORT_HEADINGS = {
    "Fix first",
    "IAM",
    "Authentication",
    "Shell Access (if using InvokeAgentRuntimeCommand)",
    "Code quality",
    "Observability",
    "Performance",
    "Resources",
    "Testing",
    "Also checked",
    "Reasons",
}


def test_hostile_names_cannot_shape_the_cli_report(hostile: ProjectBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    text = check_markdown(capsys, str(hostile.root))
    tokens = parse(text)
    project_headings = [h for h in headings(tokens) if h.startswith(("Production", "Demo"))]
    assert len(project_headings) == 2 and all("Project heading" in h for h in project_headings)
    assert_no_smuggled_structure(text, REPORT_HEADINGS | set(project_headings))
    assert "GW001" in text and "URL heading" in text  # the quoted URL reached the report, flattened


@pytest.mark.anyio
async def test_hostile_names_cannot_shape_the_mcp_answers(hostile: ProjectBuilder) -> None:
    path = str(hostile.root)
    async with Client(memory_server(hostile.root)) as client:
        answers: dict[str, Any] = {
            "review": await client.call_tool("review_project", {"path": path}),
            "full": await client.call_tool("review_project", {"path": path, "detail": "full"}),
            "checklist": await client.call_tool("render_checklist", {"path": path, "detail": "full"}),
            "sessions": await client.call_tool("audit_sessions", {"path": path, "workload": "batch"}),
            "code": await client.call_tool("audit_code", {"path": path}),
            "shell": await client.call_tool("check_shell_access", {"path": path}),
            "quota": await client.call_tool(
                "diagnose_quota_error",
                {"error_text": "ServiceQuotaExceededException: maxVms\n# E <i>x</i>", "path": path},
            ),
            "jwt": await client.call_tool(
                "diagnose_jwt_403",
                {"path": path, "runtime": HOSTILE_NAME, "fetch": False, "discovery_url": HOSTILE_URL, "token": TOKEN},
            ),
        }
    for name, answer in answers.items():
        assert answer.is_error is False, name
        text = answer.content[0].text
        tokens = parse(text)
        own = {h for h in headings(tokens) if "Project heading" in h and h.split(" ")[0] in ("Demo", "Production")}
        allowed = REPORT_HEADINGS | own | {"Rules by status and reason", "Quota diagnosis", "Increase request"}
        allowed |= {h for h in headings(tokens) if h.startswith(("Findings 1–", "Lifecycle for a batch workload"))}
        allowed |= {"Fix these first", "Before you request: quick triage"}
        tokens = parse(text)
        assert raw_html(tokens) == [], name
        assert set(headings(tokens)) <= allowed, (name, set(headings(tokens)) - allowed)
        assert not [item for item in list_item_texts(tokens) if item.startswith("[x] forged")], name


@pytest.mark.parametrize(
    "hostile_text",
    [
        "a\n# heading",
        "<img src=x onerror=alert(1)>",
        "`x` <b>y</b> `",
        "*em* _em_ **strong** [link](http://e) ![img](http://e)",
        "1. item\n- item\n> quote\n---\n```\nfence",
        "&lt;script&gt; &#60;b&#62;",
        "x\u2028# heading after a Unicode line separator",
    ],
)
def test_escaped_text_renders_as_itself(hostile_text: str) -> None:
    for render in (inline, prose, code):
        tokens = parse("- " + render(hostile_text))
        assert raw_html(tokens) == []
        assert [t.type for t in tokens] == [
            "bullet_list_open",
            "list_item_open",
            "paragraph_open",
            "inline",
            "paragraph_close",
            "list_item_close",
            "bullet_list_close",
        ], (render.__name__, hostile_text)
    block = parse(fenced(hostile_text + "\n```\n````"))
    assert [t.type for t in block] == ["fence"]


def test_placeholders_paths_and_options_become_code_spans() -> None:
    assert prose("set https://<your-idp>/x and review agentcore/cdk/cdk.out/*.template.json, then --aws.") == (
        "set `https://<your-idp>/x` and review `agentcore/cdk/cdk.out/*.template.json`, then `--aws`."
    )
    assert inline("runtime 'a_b' *x* <y>") == r"runtime 'a_b' \*x\* \<y\>"
    assert code("a ` b") == "``a ` b``"
    assert code("`tick") == "`` `tick ``"

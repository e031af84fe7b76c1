"""Credentials without a telling prefix are masked wherever text leaves the product: in URL
query strings (``?api_key=...``) and user info, assigned to credential-like names, and 40-
character AWS secret access keys, in every format (markdown, JSON, SARIF, MCP results).

Before, GW001 quoted ``?api_key=<value>`` in every format, and generic passwords and AWS
secret keys came back in full when they landed in an excerpt.
"""

from __future__ import annotations

import json

import pytest

from agentcore_readiness.cli import main as cli_main
from agentcore_readiness.textsafe import clean_text, mask_secrets
from conftest import ProjectBuilder

# Made-up values, assembled so no scanner flags this file.
QUERY_KEY = "9f8e7d6c5b4a3928" + "1706f5e4d3c2b1a0"
URL_PASSWORD = "s3cr3t" + "passw0rd"
PASSWORD = "hunter2" + "hunter2"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"

AGENT = f"""
import threading
import requests
from bedrock_agentcore import BedrockAgentCoreApp

app = BedrockAgentCoreApp()


def work(*args, **kwargs):
    pass


@app.entrypoint
def invoke(payload):
    forecast = requests.get("https://api.weather.example.com/v1/forecast?city=x&api_key={QUERY_KEY}")
    requests.post("https://user:{URL_PASSWORD}@db.example.com/rows", json=payload)
    threading.Thread(target=work, kwargs={{"password": "{PASSWORD}"}}).start()
    threading.Thread(target=work, args=("{AWS_SECRET}",)).start()
    return forecast.json()
"""


@pytest.mark.parametrize("fmt", ["markdown", "json", "sarif"])
def test_no_format_quotes_the_credentials(
    project: ProjectBuilder, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", AGENT)
    cli_main(["check", str(project.root), "--format", fmt, "--select", "GW001,SESS010"])
    out = capsys.readouterr().out
    if fmt != "markdown":
        out = json.dumps(json.loads(out), ensure_ascii=False)
    for secret in (QUERY_KEY, URL_PASSWORD, PASSWORD, AWS_SECRET):
        assert secret not in out
    if fmt != "markdown":  # the markdown summary names the rules, not each finding's text
        assert f"api_key=…({len(QUERY_KEY)} chars)" in out
        assert f"https://user:…({len(URL_PASSWORD)} chars)@db.example.com/rows" in out


def test_the_findings_keep_their_location_and_say_what_was_masked(project: ProjectBuilder) -> None:
    from agentcore_readiness.textsafe import sanitize_model

    project.agentcore()
    project.write("app/Agent/main.py", AGENT)
    report = sanitize_model(project.review("GW001", "SESS010"))
    results = {r.rule: r for r in report.projects[0].results}
    assert [(f.location.line, f.message.split(":", 1)[0]) for f in results["GW001"].findings] == [
        (14, "direct call requests.get() to https"),
        (15, "direct call requests.post() to https"),
    ]
    assert (
        f"to https://api.weather.example.com/v1/forecast?city=x&api_key=…({len(QUERY_KEY)} chars):"
        in results["GW001"].findings[0].message
    )
    evidence = [f.evidence for f in results["SESS010"].findings]
    assert evidence == [
        f'threading.Thread(target=work, kwargs={{"password": "…({len(PASSWORD)} chars)"}}).start()',
        f'threading.Thread(target=work, args=("…({len(AWS_SECRET)} chars)",)).start()',
    ]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"https://h/x?access_token={QUERY_KEY}&page=2", "https://h/x?access_token=…(32 chars)&page=2"),
        (f"https://h/x?X-Amz-Signature={QUERY_KEY}", "https://h/x?X-Amz-Signature=…(32 chars)"),
        (f'DB_PASSWORD = "{PASSWORD}"', 'DB_PASSWORD = "…(14 chars)"'),
        (f"'clientSecret': '{PASSWORD}'", "'clientSecret': '…(14 chars)'"),
        (f"ENV DB_PASSWORD={PASSWORD}", "ENV DB_PASSWORD=…(14 chars)"),
        (f"aws_secret_access_key = {AWS_SECRET}", "aws_secret_access_key = …(40 chars)"),
    ],
)
def test_credentials_by_position_are_masked(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked
    assert clean_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "token = os.environ['API_TOKEN']",
        "https://h/x?token={token}",
        'password: "{{resolve:secretsmanager:db}}"',
        'token_endpoint: "https://idp.example.com/oauth2/token"',
        'SecretName = "prod/db"',
        "commit 0123456789abcdef0123456789abcdef01234567",
        "arn:aws:lambda:us-east-1:123456789012:function:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD",
        "arn:aws:iam::123456789012:role/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD",
    ],
)
def test_names_placeholders_and_identifiers_are_left_alone(text: str) -> None:
    assert mask_secrets(text) == text

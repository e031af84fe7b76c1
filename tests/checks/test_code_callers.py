"""CMD006 (shell commands traced back through the function) and AUTH006 (Bearer tokens sent
to AWS_IAM runtimes), over caller scripts and agent code written here."""

from __future__ import annotations

from conftest import ProjectBuilder, findings_of, runtime

SCRIPT = "scripts/ops.py"
CONFIG = "agentcore/agentcore.json"


def line_of(builder: ProjectBuilder, rel: str, needle: str, occurrence: int = 1) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    return hits[occurrence - 1]


COMMANDS = """
import re
import shlex
import sys

import boto3

client = boto3.client("bedrock-agentcore")
ARN = "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/Agent-abc"
LIST = "ls -la /app"


def literal():
    client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body={"command": LIST})


def from_parameter(path):
    command = f"ls {path}"
    client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body={"command": command, "timeout": 30})


def from_payload(payload):
    body = {"command": "cat " + payload["file"]}
    client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body=body)


def quoted(path):
    client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body={"command": f"ls {shlex.quote(path)}"})


def validated(path):
    if re.search(r"[;&|`$<>\\\\\\n]", path):
        raise ValueError("invalid path")
    client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body={"command": "ls " + path})


def allowlisted(name):
    if name not in ("status", "uptime"):
        return None
    client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body={"command": name})


def from_argv():
    command = " ".join(sys.argv[1:])
    client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body={"command": command})


def from_elsewhere():
    command = build_command()
    client.invoke_agent_runtime_command(agentRuntimeArn=ARN, body={"command": command})
"""


def test_commands_are_traced_to_literal_validated_or_request_data(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(SCRIPT, COMMANDS)
    result = project.results("CMD006")["CMD006"]
    assert result.status == "fail"
    calls = [
        n
        for n, text in enumerate((project.root / SCRIPT).read_text().splitlines(), 1)
        if "invoke_agent_runtime_command" in text
    ]
    literal, parameter, payload, quoted, validated, allowlisted, argv, elsewhere = calls
    assert findings_of(result) == [
        ("fail", SCRIPT, parameter),
        ("fail", SCRIPT, payload),
        ("fail", SCRIPT, argv),
        ("warn", SCRIPT, elsewhere),
    ]
    messages = [f.message for f in result.findings]
    assert messages[0] == (
        "invoke_agent_runtime_command runs a shell command built from request data (`command` (line "
        f"{parameter - 1}) is f-string: parameter `path` of the function (caller-supplied)) with no metacharacter "
        "check or shlex.quote"
    )
    assert "request data `payload[…]`" in messages[1]
    assert "command-line input (sys.argv)" in messages[2]
    assert "the result of build_command()" in messages[3]
    assert result.findings[0].severity == "critical"
    reason = result.reason or ""
    assert f"{SCRIPT}:{literal} command is a literal" not in reason  # failing rules carry no pass reason
    del quoted, validated, allowlisted


def test_literal_quoted_and_validated_commands_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    safe = (
        COMMANDS.split("def from_parameter")[0]
        + "def quoted"
        + COMMANDS.split("def quoted")[1].split("def from_argv")[0]
    )
    project.write(SCRIPT, safe)
    result = project.results("CMD006")["CMD006"]
    assert result.status == "pass"
    assert result.findings == []
    assert result.reason is not None
    assert "command is a literal" in result.reason
    assert "quoted with shlex.quote()" in result.reason
    assert "checked against a pattern on line" in result.reason
    assert "checked against an allowlist on line" in result.reason


def test_no_command_calls_is_not_applicable(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(SCRIPT, "print('nothing to run')\n")
    assert project.results("CMD006")["CMD006"].status == "not_applicable"


BEARER = """
import os
import urllib.parse

import requests

REGION = "us-east-1"
ARN = os.environ["AGENT_RUNTIME_ARN"]


def ask(prompt: str, token: str) -> dict:
    escaped = urllib.parse.quote(ARN, safe="")
    url = f"https://bedrock-agentcore.{REGION}.amazonaws.com/runtimes/{escaped}/invocations?qualifier=DEFAULT"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return requests.post(url, headers=headers, json={"prompt": prompt}, timeout=60).json()
"""


def test_bearer_token_to_an_iam_runtime_fails(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("scripts/ask.py", BEARER)
    result = project.results("AUTH006")["AUTH006"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", "scripts/ask.py", line_of(project, "scripts/ask.py", "requests.post("))]
    finding = result.findings[0]
    assert finding.message.startswith(
        "requests.post() sends `Authorization: Bearer …` to runtime 'Agent', which is configured for AWS_IAM: "
        "the call fails with 403 'Authorization method mismatch'"
    )
    assert finding.fix is not None
    assert finding.fix.patch is not None
    assert {"op": "add", "path": "/runtimes/0/authorizerType", "value": "CUSTOM_JWT"} in finding.fix.patch


def test_bearer_token_to_a_custom_jwt_runtime_passes(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                authorizerType="CUSTOM_JWT",
                authorizerConfiguration={
                    "customJwtAuthorizer": {
                        "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                        "allowedClients": ["cli"],
                    }
                },
            )
        ]
    )
    project.write("scripts/ask.py", BEARER)
    result = project.results("AUTH006")["AUTH006"]
    assert (result.status, result.findings) == ("pass", [])


def test_mixed_runtimes_and_an_unnamed_url_warn(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime("Public"),
            runtime(
                "Private",
                authorizerType="CUSTOM_JWT",
                authorizerConfiguration={
                    "customJwtAuthorizer": {
                        "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                        "allowedClients": ["cli"],
                    }
                },
            ),
        ]
    )
    project.write("scripts/ask.py", BEARER)
    result = project.results("AUTH006")["AUTH006"]
    assert findings_of(result) == [("warn", "scripts/ask.py", line_of(project, "scripts/ask.py", "requests.post("))]
    assert "(the URL does not say which runtime; Public use AWS_IAM)" in result.findings[0].message


def test_sigv4_caller_passes(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        "scripts/ask.py",
        "import boto3\nclient = boto3.client('bedrock-agentcore')\n"
        "client.invoke_agent_runtime(agentRuntimeArn='arn', payload=b'{}', runtimeSessionId='s' * 40)\n",
    )
    result = project.results("AUTH006")["AUTH006"]
    assert (result.status, result.reason) == ("pass", "no code sends a Bearer token to an AgentCore runtime endpoint")

"""SEC001-SEC004 over projects written here: hard-coded secrets (never echoed), secrets read
from the environment, secret-like names in the runtime's environment, and credential
providers against the project's declared credentials.

Every key-shaped value is built at run time from a seeded generator, so this file holds
no literal that looks like a credential.
"""

from __future__ import annotations

import random
import string

from agentcore_readiness.analysis import secret_patterns
from conftest import ProjectBuilder, findings_of, runtime

MAIN = "app/Agent/main.py"
SCRIPT = "scripts/invoke.py"
CONFIG = "agentcore/agentcore.json"
ALNUM = string.ascii_letters + string.digits


def fake(prefix: str, length: int, alphabet: str = ALNUM, seed: int = 7) -> str:
    rng = random.Random(seed)
    return prefix + "".join(rng.choice(alphabet) for _ in range(length))


ANTHROPIC = fake("sk-" + "ant-" + "api03-", 93, ALNUM + "-_", seed=1)
OPENAI = fake("sk-" + "proj-", 120, ALNUM + "-_", seed=2)
AWS_ID = fake("AK" + "IA", 16, string.ascii_uppercase + "234567", seed=3)
AWS_SECRET = fake("", 40, ALNUM + "/+", seed=4)
GITHUB = fake("gh" + "p_", 36, seed=5)
SLACK = fake("xo" + "xb-", 40, string.digits + string.ascii_letters + "-", seed=6)
STRIPE_TEST = fake("sk" + "_test_", 24, seed=8)
PEM_BODY = fake("", 256, ALNUM + "+/", seed=9)
PASSWORD = fake("", 14, ALNUM + "!#%", seed=10)


def line_of(builder: ProjectBuilder, rel: str, needle: str, occurrence: int = 1) -> int:
    lines = (builder.root / rel).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    return hits[occurrence - 1]


def report_text(builder: ProjectBuilder, *select: str) -> str:
    return builder.review(*select).model_dump_json()


# --- SEC001 ------------------------------------------------------------------------------------


def test_known_key_formats_fail_at_their_lines_and_are_never_echoed(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        MAIN,
        f'''
        """Agent. Set ANTHROPIC_API_KEY to your sk- key; never commit it."""
        import anthropic

        client = anthropic.Anthropic(api_key="{ANTHROPIC}")
        OPENAI = "{OPENAI}"
        GITHUB_TOKEN = "{GITHUB}"
        # slack bot: {SLACK}
        STRIPE = "{STRIPE_TEST}"
        KEY = "-----BEGIN RSA PRIVATE KEY-----\\n{PEM_BODY}\\n-----END RSA PRIVATE KEY-----"
        ''',
    )
    result = project.results("SEC001")["SEC001"]
    assert result.status == "fail"
    assert findings_of(result) == [
        ("fail", MAIN, line_of(project, MAIN, "anthropic.Anthropic")),
        ("fail", MAIN, line_of(project, MAIN, "OPENAI =")),
        ("fail", MAIN, line_of(project, MAIN, "GITHUB_TOKEN")),
        ("fail", MAIN, line_of(project, MAIN, "# slack")),
        ("warn", MAIN, line_of(project, MAIN, "STRIPE =")),
        ("fail", MAIN, line_of(project, MAIN, "KEY =")),
    ]
    first = result.findings[0]
    assert first.message == f"Anthropic API key hard-coded in runtime code: sk-ant-…({len(ANTHROPIC)} chars)"
    assert first.fix is not None and "agentcore add credential --name Anthropic --type api-key" in first.fix.commands
    text = report_text(project, "SEC001")
    for secret in (ANTHROPIC, OPENAI, GITHUB, SLACK, STRIPE_TEST, PEM_BODY[:40], ANTHROPIC[10:30]):
        assert secret not in text


def test_aws_key_id_with_its_secret_fails_and_alone_warns(make_project) -> None:  # type: ignore[no-untyped-def]
    paired = make_project("paired")
    paired.agentcore()
    paired.write(SCRIPT, f'ACCESS_KEY_ID = "{AWS_ID}"\nSECRET = "{AWS_SECRET}"\n')
    result = paired.results("SEC001")["SEC001"]
    assert findings_of(result) == [("fail", SCRIPT, 1)]
    assert result.findings[0].message.startswith(
        "AWS access key (ID with its secret access key on line 2) hard-coded in a maintenance script: AKIA…(20 chars)"
    )
    assert result.findings[0].fix is not None
    assert (
        result.findings[0].fix.commands[0] == "aws iam update-access-key --access-key-id <the-key-id> --status Inactive"
    )
    assert AWS_SECRET not in paired.review("SEC001").model_dump_json()

    alone = make_project("alone")
    alone.agentcore()
    alone.write(SCRIPT, f'ACCESS_KEY_ID = "{AWS_ID}"\n')
    result = alone.results("SEC001")["SEC001"]
    assert (result.status, findings_of(result)) == ("warn", [("warn", SCRIPT, 1)])


def test_literal_assigned_to_secret_names_fails_but_env_reads_and_placeholders_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        MAIN,
        f'''
        import os

        password = os.environ["DB_PASSWORD"]
        db_password = "{PASSWORD}"
        settings = {{"client_secret": "{PASSWORD}x"}}
        connect(api_key="{PASSWORD}y")
        token = os.getenv("SERVICE_TOKEN", "{PASSWORD}z")
        api_key = "your-api-key-here"
        token_type = "Bearer"
        next_token = "{PASSWORD}"
        secret_name = "prod/db/password"
        api_key_env = "OPENAI_API_KEY"
        PASSWORD = "changeme"
        admin_password = "xxxxxxxxxxxx"
        ''',
    )
    result = project.results("SEC001")["SEC001"]
    assert findings_of(result) == [
        ("fail", MAIN, line_of(project, MAIN, "db_password =")),
        ("fail", MAIN, line_of(project, MAIN, "client_secret")),
        ("fail", MAIN, line_of(project, MAIN, "connect(api_key")),
        ("fail", MAIN, line_of(project, MAIN, 'os.getenv("SERVICE_TOKEN"')),
    ]
    assert [f.message for f in result.findings] == [
        f"literal secret in the assignment `db_password` in runtime code: {PASSWORD[:2]}…(14 chars)",
        f"literal secret in the dict entry `client_secret` in runtime code: {PASSWORD[:2]}…(15 chars)",
        f"literal secret in the argument `api_key` in runtime code: {PASSWORD[:2]}…(15 chars)",
        f"literal secret in the environment default `SERVICE_TOKEN` in runtime code: {PASSWORD[:2]}…(15 chars)",
    ]
    assert PASSWORD not in report_text(project, "SEC001")


def test_secrets_in_tests_are_found_but_obvious_dummies_are_not(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        "tests/test_agent.py",
        f'''
        FAKE_KEY = "sk-" + "test"
        DUMMY = "{"AK" + "IA" + "EXAMPLEEXAMPLE12"}"
        REPEATED = "{"sk-" + "a" * 40}"
        REAL_LOOKING = "{GITHUB}"
        ''',
    )
    result = project.results("SEC001")["SEC001"]
    assert findings_of(result) == [("fail", "tests/test_agent.py", 4)]
    assert result.findings[0].message.startswith("GitHub token hard-coded in test code: ghp_…")


def test_secret_values_in_runtime_env_vars_and_dockerfile_fail(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                build="Container",
                envVars=[{"name": "LOG_LEVEL", "value": "INFO"}, {"name": "SLACK_TOKEN", "value": SLACK}],
            )
        ]
    )
    project.write(
        "app/Agent/Dockerfile", f'FROM python:3.12-slim\nENV DB_PASSWORD={PASSWORD}\nCMD ["python", "main.py"]\n'
    )
    project.write(MAIN, "print('hi')\n")
    result = project.results("SEC001")["SEC001"]
    assert [(f.level, f.location.path, f.location.pointer or f.location.line) for f in result.findings] == [
        ("fail", CONFIG, "/runtimes/0/envVars/1/name"),
        ("fail", "app/Agent/Dockerfile", 2),
    ]
    assert SLACK not in report_text(project, "SEC001") and PASSWORD not in report_text(project, "SEC001")


def test_clean_project_passes_with_the_count(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, "import os\nREGION = os.environ.get('AWS_REGION')\n")
    result = project.results("SEC001")["SEC001"]
    assert result.status == "pass"
    assert result.reason == "no hard-coded secrets in 1 Python file(s) or the runtimes' configuration"


def test_unreasoned_ignore_does_not_silence_and_says_why(make_project) -> None:  # type: ignore[no-untyped-def]
    reasoned = make_project("reasoned")
    reasoned.agentcore()
    reasoned.write(MAIN, f'KEY = "{GITHUB}"  # agentcore-readiness: ignore[SEC001] revoked token kept as a fixture\n')
    result = reasoned.results("SEC001")["SEC001"]
    assert (result.status, result.findings, result.suppressed) == ("pass", [], 1)
    assert reasoned.review("SEC001").projects[0].summary.suppressed == 1

    bare = make_project("bare")
    bare.agentcore()
    bare.write(MAIN, f'KEY = "{GITHUB}"  # agentcore-readiness: ignore[SEC001]\n')
    result = bare.results("SEC001")["SEC001"]
    assert (result.status, findings_of(result), result.suppressed) == ("fail", [("fail", MAIN, 1)], 0)
    assert result.findings[0].message.endswith(
        "(the ignore comment on this line gives no reason, so it does not apply: write "
        "`# agentcore-readiness: ignore[SEC001] <reason>`)"
    )


# --- SEC002 ------------------------------------------------------------------------------------


def test_secret_env_reads_fail_and_platform_identifiers_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        MAIN,
        """
        import os
        from os import getenv

        KEY_VAR = "OPENAI_API_KEY"
        password = os.environ["DB_PASSWORD"]
        key = os.getenv(KEY_VAR)
        token = getenv("GITHUB_TOKEN", "")
        memory = os.getenv("MEMORY_SUPPORTMEMORY_ID")
        gateway = os.environ.get("AGENTCORE_GATEWAY_TOOLS_URL")
        region = os.environ["AWS_REGION"]
        secret_arn = os.getenv("DB_SECRET_ARN")
        secret_name = os.getenv("DB_SECRET_NAME")
        limit = os.getenv("MAX_TOKENS", "4096")
        """,
    )
    project.write(SCRIPT, "import os\ntoken = os.environ['SERVICE_TOKEN']\n")
    result = project.results("SEC002")["SEC002"]
    assert findings_of(result) == [
        ("fail", MAIN, line_of(project, MAIN, "DB_PASSWORD")),
        ("fail", MAIN, line_of(project, MAIN, "os.getenv(KEY_VAR)")),
        ("fail", MAIN, line_of(project, MAIN, "GITHUB_TOKEN")),
    ]
    assert result.findings[1].message.startswith("reads the secret OPENAI_API_KEY from the runtime environment")
    fix = result.findings[1].fix
    assert fix is not None and fix.commands[0] == "agentcore add credential --name OpenaiApiKey --type api-key"
    assert '@requires_api_key(provider_name="OpenaiApiKey")' in fix.summary


def test_no_secret_env_reads_pass(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, "import os\nREGION = os.environ.get('AWS_REGION')\n")
    assert project.results("SEC002")["SEC002"].status == "pass"


# --- SEC003 ------------------------------------------------------------------------------------


def test_secret_like_env_var_names_fail_in_config_and_dockerfile(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                build="Container",
                envVars=[{"name": "LOG_LEVEL", "value": "INFO"}, {"name": "STRIPE_SECRET_KEY", "value": "x"}],
            )
        ]
    )
    project.write(
        "app/Agent/Dockerfile",
        "FROM python:3.12-slim\nARG UV_INDEX\nENV OPENAI_API_KEY=${OPENAI_API_KEY} \\\n    PYTHONUNBUFFERED=1\n",
    )
    result = project.results("SEC003")["SEC003"]
    assert [(f.level, f.location.path, f.location.pointer or f.location.line) for f in result.findings] == [
        ("fail", CONFIG, "/runtimes/0/envVars/1/name"),
        ("fail", "app/Agent/Dockerfile", 3),
    ]
    fix = result.findings[0].fix
    assert fix is not None
    assert fix.patch == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {"op": "test", "path": "/runtimes/0/envVars/1/name", "value": "STRIPE_SECRET_KEY"},
        {"op": "remove", "path": "/runtimes/0/envVars/1"},
    ]
    assert "x" not in [op.get("value") for op in fix.patch], "a test op never quotes a secret's value"
    assert fix.commands[0] == "agentcore add credential --name StripeSecretKey --type api-key"


def test_yaml_api_key_env_var_name_always_fails(project: ProjectBuilder) -> None:
    project.write(
        ".bedrock_agentcore.yaml",
        """
        default_agent: Bot
        agents:
          Bot:
            name: Bot
            entrypoint: app/bot.py
            api_key_env_var_name: OPENAI_API_KEY
        """,
    )
    project.write("app/bot.py", "print('hi')\n")
    result = project.results("SEC003")["SEC003"]
    assert [(f.level, f.location.path, f.location.line) for f in result.findings] == [
        ("fail", ".bedrock_agentcore.yaml", line_of(project, ".bedrock_agentcore.yaml", "api_key_env_var_name"))
    ]


def test_plain_env_vars_pass(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(envVars=[{"name": "LOG_LEVEL", "value": "INFO"}])])
    result = project.results("SEC003")["SEC003"]
    assert (result.status, result.reason) == (
        "pass",
        "1 environment variable(s) in the project files, none secret-like",
    )


# --- SEC004 ------------------------------------------------------------------------------------

DECORATED = """
from bedrock_agentcore.identity.auth import requires_access_token, requires_api_key

PROVIDER = "Weather"

@requires_api_key(provider_name="OpenAI")
def ask(prompt, *, api_key):
    return api_key

@requires_access_token(provider_name=PROVIDER, scopes=["read"], auth_flow="M2M")
def weather(*, access_token):
    return access_token

@requires_access_token(provider_name="", scopes=[], auth_flow="M2M")
def gateway_token(*, access_token):
    return access_token
"""


def test_undeclared_and_empty_providers_fail_and_unused_credentials_are_reported(project: ProjectBuilder) -> None:
    project.agentcore(
        credentials=[
            {"authorizerType": "ApiKeyCredentialProvider", "name": "OpenAi"},
            {
                "authorizerType": "OAuthCredentialProvider",
                "name": "Weather",
                "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
            },
            {"authorizerType": "ApiKeyCredentialProvider", "name": "Unused"},
        ]
    )
    project.write(MAIN, DECORATED)
    result = project.results("SEC004")["SEC004"]
    assert result.status == "fail"
    assert [(f.level, f.severity, f.location.path, f.location.line) for f in result.findings] == [
        ("fail", "medium", MAIN, line_of(project, MAIN, 'provider_name="OpenAI"')),
        ("fail", "medium", MAIN, line_of(project, MAIN, 'provider_name=""')),
        ("info", "info", CONFIG, line_of(project, CONFIG, '"name": "OpenAi"')),
        ("info", "info", CONFIG, line_of(project, CONFIG, '"name": "Unused"')),
    ]
    assert result.findings[0].message == (
        "@requires_api_key on ask() names provider 'OpenAI', which the project does not declare "
        "(declared as 'OpenAi': names are case-sensitive)"
    )


def test_declared_providers_pass(project: ProjectBuilder) -> None:
    project.agentcore(credentials=[{"authorizerType": "ApiKeyCredentialProvider", "name": "OpenAI"}])
    project.write(MAIN, DECORATED.split("@requires_access_token")[0])
    result = project.results("SEC004")["SEC004"]
    assert (result.status, result.findings, result.reason) == ("pass", [], "declared and used: OpenAI")


def test_no_decorators_and_no_credentials_is_not_applicable(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(MAIN, "print('hi')\n")
    assert project.results("SEC004")["SEC004"].status == "not_applicable"


# --- the classifiers -----------------------------------------------------------------------


def test_secret_name_classifier() -> None:
    secret = ["OPENAI_API_KEY", "DB_PASSWORD", "clientSecret", "GITHUB_TOKEN", "aws_secret_access_key", "api_key"]
    not_secret = [
        "SECRET_ARN",
        "TOKEN_URL",
        "MAX_TOKENS",
        "API_KEY_ID",
        "secret_name",
        "next_token",
        "cache_key",
        "public_key",
    ]
    assert [n for n in secret if not secret_patterns.is_secret_name(n, env=True)] == []
    assert [n for n in not_secret if secret_patterns.is_secret_name(n, env=True)] == []
    assert not secret_patterns.is_secret_env_name("MEMORY_SUPPORT_ID")
    assert not secret_patterns.is_secret_env_name("BEDROCK_AGENTCORE_SECRET_THING")


def test_masking_keeps_a_prefix_and_the_length() -> None:
    hits = secret_patterns.scan_known_formats(f'x = "{OPENAI}"\n')
    assert [(h.kind, h.line, h.masked) for h in hits] == [("openai-project", 1, f"sk-proj…({len(OPENAI)} chars)")]

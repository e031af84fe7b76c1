"""SEC002 tells a secret configured into the runtime's environment from one the runtime's own
code put there: over ``tests/fixtures/env_secret_sources`` (one runtime whose modules read
keys in every way real agents do).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from conftest import ProjectBuilder, findings_of, runtime


def test_only_configured_secrets_are_sec002(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("env_secret_sources")
    results = project.results("SEC001", "SEC002")
    sec002 = results["SEC002"]
    # the defect: a key that only the runtime's configuration can provide
    assert findings_of(sec002) == [("fail", "app/Agent/weather.py", 7)]
    assert [f.message for f in sec002.findings] == [
        "reads the secret WEATHER_API_KEY from the runtime environment: runtime environment variables are "
        "plaintext configuration, not vault-backed"
    ]


def test_near_misses_are_explained_not_reported(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("env_secret_sources")
    project.write("app/Agent/weather.py", "def forecast(city):\n    return {'city': city}\n")
    results = project.results("SEC001", "SEC002")
    sec002 = results["SEC002"]
    assert sec002.status == "pass"
    reason = sec002.reason or ""
    # os.environ[...] = ... is a write; the key came from Secrets Manager in the same runtime
    assert (
        "tools/search.py:7 SEARCH_API_KEY: the runtime's own code stores it in the environment from a secret "
        "store at app/Agent/keys.py:13" in reason
    )
    # the role's credentials copied into the AWS SDK variables, and a presence check of them
    assert (
        "aws_session.py:8 AWS_SECRET_ACCESS_KEY: an AWS SDK credential variable (the execution role's "
        "credentials), not an application secret" in reason
    )
    assert "maps.py:8 MAPS_TOKEN: a fallback: token() (line 11) fetches the secret from a secret store first" in reason
    # the literal default is SEC001's finding, not a second one
    assert "news.py:5 NEWS_API_KEY: its literal default is the hard-coded secret SEC001 reports on this line" in reason
    assert findings_of(results["SEC001"]) == [("fail", "app/Agent/news.py", 5)]


# --- SEC001: one finding per value, test fixtures, throwaway passwords ---------------------------

RNG = random.Random(11)
PASSWORD = "".join(RNG.choice(string.ascii_letters + string.digits + "!#%") for _ in range(14))
TEMPORARY = "".join(RNG.choice(string.ascii_letters + string.digits + "!#%") for _ in range(12))
FIXTURE_KEY = "".join(RNG.choice(string.ascii_letters + string.digits) for _ in range(24))


def test_a_repeated_literal_is_one_finding_with_its_other_lines(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint()
    project.write(
        "scripts/setup_user.py",
        f'''
        import boto3

        cognito = boto3.client("cognito-idp")


        def create_user(pool_id, username):
            cognito.admin_create_user(
                UserPoolId=pool_id, Username=username, TemporaryPassword="{TEMPORARY}", MessageAction="SUPPRESS"
            )
            cognito.admin_set_user_password(
                UserPoolId=pool_id, Username=username, Password="{PASSWORD}", Permanent=True
            )


        def login(client_id, username):
            return cognito.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={{"USERNAME": username, "PASSWORD": "{PASSWORD}"}},
            )


        def invite(pool_id, username):
            cognito.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword="{TEMPORARY}")


        if __name__ == "__main__":
            create_user("pool", "tester")
            print(login("client", "tester"))
        ''',
    )
    result = project.results("SEC001")["SEC001"]
    # the permanent password once (its repeat at line 19 in the evidence); the temporary password
    # replaced at once (line 8) is not a credential, the one left in place (line 24) is
    assert findings_of(result) == [
        ("fail", "scripts/setup_user.py", 11),
        ("fail", "scripts/setup_user.py", 24),
    ]
    first = result.findings[0]
    assert first.message == (
        f"literal secret in the argument `Password` in a maintenance script: {PASSWORD[:2]}…(14 chars) "
        "(the same value again on line 19)"
    )
    assert first.evidence == "the same value appears on lines 11, 19 of scripts/setup_user.py"
    assert PASSWORD not in project.review("SEC001").model_dump_json()


def test_generic_literals_in_tests_are_fixtures(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint()
    project.write(
        "tests/test_client.py",
        f'''
        def test_client_sends_key():
            settings = {{"api_key": "{FIXTURE_KEY}", "token_role": "reader"}}
            api_token = "{FIXTURE_KEY[::-1]}"
            assert settings and api_token
        ''',
    )
    result = project.results("SEC001")["SEC001"]
    assert result.status == "pass"
    assert "2 literal value(s) assigned to secret-like names in test code are test fixtures" in (result.reason or "")


def test_a_literal_secret_in_the_dockerfile_is_sec001_only(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(build="Container")])
    project.entrypoint()
    project.write(
        "app/Agent/Dockerfile",
        f'FROM python:3.12-slim\nENV WEATHER_API_KEY={FIXTURE_KEY}\nENV SERVICE_TOKEN=changeme\nCMD ["python", "main.py"]\n',
    )
    results = project.results("SEC001", "SEC003")
    assert findings_of(results["SEC001"]) == [("fail", "app/Agent/Dockerfile", 2)]
    # the value is SEC001's finding; the placeholder's name still puts a secret in the image's environment
    assert findings_of(results["SEC003"]) == [("fail", "app/Agent/Dockerfile", 3)]


# --- SEC004: credentials used through AgentCore Identity calls and environment defaults ----------


def test_identity_calls_and_environment_defaults_use_declared_credentials(project: ProjectBuilder) -> None:
    project.agentcore(
        credentials=[
            {"authorizerType": "ApiKeyCredentialProvider", "name": "WeatherKey"},
            {"authorizerType": "ApiKeyCredentialProvider", "name": "NewsKey"},
            {"authorizerType": "ApiKeyCredentialProvider", "name": "MapsKey"},
            {"authorizerType": "ApiKeyCredentialProvider", "name": "UnusedKey"},
        ]
    )
    project.entrypoint("keys")
    project.write(
        "app/Agent/keys.py",
        """
        import os

        import boto3
        from bedrock_agentcore.identity.auth import requires_api_key
        from bedrock_agentcore.services.identity import IdentityClient

        MAPS = "MapsKey"
        identity = IdentityClient("us-east-1")


        @requires_api_key(provider_name=os.environ.get("WEATHER_PROVIDER", "WeatherKey"))
        def weather_key(*, api_key):
            return api_key


        def news_key(workload_token):
            return identity.get_resource_api_key(provider_name="NewsKey", workload_identity_token=workload_token)


        def maps_key(workload_token):
            client = boto3.client("bedrock-agentcore")
            return client.get_resource_api_key(workloadIdentityToken=workload_token, resourceCredentialProviderName=MAPS)
        """,
    )
    result = project.results("SEC004")["SEC004"]
    assert [(f.level, f.location.pointer) for f in result.findings] == [("info", "/credentials/3/name")]
    assert result.findings[0].message == (
        "credential 'UnusedKey' is declared but no @requires_* decorator, AgentCore Identity call or gateway target "
        "uses it"
    )
    assert result.reason == (
        "app/Agent/keys.py:17 get_resource_api_key(provider 'NewsKey'); "
        "app/Agent/keys.py:22 get_resource_api_key(provider 'MapsKey'); "
        "app/Agent/keys.py:11 @requires_api_key provider from WEATHER_PROVIDER, default 'WeatherKey' (declared); "
        "declared and used: MapsKey, NewsKey, WeatherKey"
    )


# --- names ending in KEY: decided by how the value is used -------------------------------------


def test_key_names_by_use(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    project = fixture_project("key_names")
    config = "agentcore/agentcore.json"
    results = project.results("SEC001", "SEC002", "SEC003")
    # a literal secret in envVars is SEC001's finding, once: not SEC003 on the same line, not SEC002 where it is read
    assert findings_of(results["SEC001"]) == [("fail", config, 25)]
    assert results["SEC003"].status == "pass"
    assert "WAREHOUSE_KEY at agentcore/agentcore.json:25: its value is SEC001's finding" in (
        results["SEC003"].reason or ""
    )
    # a bare *_KEY sent as a query parameter is a secret; a tag key and a table key are not
    assert findings_of(results["SEC002"]) == [("fail", "app/Inventory/pricing.py", 7)]
    project.write("app/Inventory/pricing.py", "def price(item):\n    return None\n")
    reason = project.results("SEC002")["SEC002"].reason or ""
    for note in (
        "app/Inventory/stock.py:10 ORDERS_TABLE_KEY: used as a key or name at line 10, not sent as a credential",
        "app/Inventory/stock.py:11 WAREHOUSE_KEY: its value is hard-coded at agentcore/agentcore.json:25: "
        "SEC001's finding",
        "app/Inventory/tags.py:5 COST_TAG_KEY: used as a key or name at line 11, not sent as a credential",
    ):
        assert note in reason, note
    assert "COST_TAG_KEY='CostCenter': a key name made of words, not a secret" in (results["SEC003"].reason or "")


def test_toolkit_projects_without_declared_providers_are_not_checked(project: ProjectBuilder) -> None:
    project.write(
        ".bedrock_agentcore.yaml",
        """
        default_agent: ops
        agents:
          ops:
            name: ops
            entrypoint: agent.py
            aws:
              region: us-east-1
        """,
    )
    project.write(
        "agent.py",
        """
        from bedrock_agentcore.identity.auth import requires_access_token


        @requires_access_token(provider_name="ops-m2m-provider", scopes=["ops/read"], auth_flow="M2M")
        def token(*, access_token):
            return access_token
        """,
    )
    result = project.results("SEC004")["SEC004"]
    assert (result.status, result.findings) == ("pass", [])
    assert (result.reason or "").startswith(
        "agent.py:4 provider 'ops-m2m-provider': the starter toolkit's YAML declares no credential providers"
    )

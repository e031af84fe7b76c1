"""AUTH001-AUTH005 over hand-written projects: exact rule, file, line and status."""

from __future__ import annotations

from conftest import ProjectBuilder, findings_of, gateway, runtime

CONFIG = "agentcore/agentcore.json"


def line_of(builder: ProjectBuilder, needle: str, occurrence: int = 1) -> int:
    lines = (builder.root / CONFIG).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    return hits[occurrence - 1]


def test_runtime_without_authorizer_type_passes_as_aws_iam(project: ProjectBuilder) -> None:
    project.agentcore()
    result = project.results("AUTH001")["AUTH001"]
    assert result.status == "pass"
    assert result.reason == "Agent: AWS_IAM (default)"


def test_runtime_with_authorizer_none_fails_at_its_line(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(authorizerType="NONE")])
    result = project.results("AUTH001")["AUTH001"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", CONFIG, line_of(project, '"authorizerType"'))]
    assert result.findings[0].severity == "critical"
    assert result.findings[0].location.pointer == "/runtimes/0/authorizerType"
    assert result.findings[0].fix is not None
    assert result.findings[0].fix.patch == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {"op": "test", "path": "/runtimes/0/authorizerType", "value": "NONE"},
        {"op": "replace", "path": "/runtimes/0/authorizerType", "value": "AWS_IAM"},
    ]


def test_no_runtimes_is_not_applicable(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[])
    assert project.results("AUTH001")["AUTH001"].status == "not_applicable"


def test_custom_jwt_without_audience_or_clients_fails(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                authorizerType="CUSTOM_JWT",
                authorizerConfiguration={
                    "customJwtAuthorizer": {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"}
                },
            )
        ]
    )
    result = project.results("AUTH002")["AUTH002"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", CONFIG, line_of(project, '"customJwtAuthorizer"'))]
    assert "neither allowedAudience nor allowedClients" in result.findings[0].message


def test_custom_jwt_with_only_scopes_warns(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                authorizerType="CUSTOM_JWT",
                authorizerConfiguration={
                    "customJwtAuthorizer": {
                        "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                        "allowedScopes": ["agent/invoke"],
                    }
                },
            )
        ]
    )
    result = project.results("AUTH002")["AUTH002"]
    assert result.status == "warn"
    assert [f.level for f in result.findings] == ["warn"]


def test_custom_jwt_bad_discovery_url_and_wrong_casing_fail(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                authorizerType="CUSTOM_JWT",
                authorizerConfiguration={
                    "customJWTAuthorizer": {"discoveryUrl": "http://idp.example.com/", "allowedClients": ["abc"]}
                },
            )
        ]
    )
    result = project.results("AUTH002")["AUTH002"]
    messages = [f.message for f in result.findings]
    assert result.status == "fail"
    assert any("expects 'customJwtAuthorizer'" in m for m in messages)
    assert any("is not an https URL ending in /.well-known/openid-configuration" in m for m in messages)
    assert result.findings[1].location.line == line_of(project, '"discoveryUrl"')


def test_complete_custom_jwt_passes(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                authorizerType="CUSTOM_JWT",
                authorizerConfiguration={
                    "customJwtAuthorizer": {
                        "discoveryUrl": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/openid-configuration",
                        "allowedClients": ["client-1"],
                    }
                },
            )
        ]
    )
    result = project.results("AUTH002")["AUTH002"]
    assert result.status == "pass"
    assert result.findings == []


def test_gateway_without_authorizer_type_fails_as_cli_default_none(project: ProjectBuilder) -> None:
    open_gw = gateway("Open")
    del open_gw["authorizerType"]
    project.agentcore(agentCoreGateways=[gateway("Closed"), open_gw])
    result = project.results("AUTH003")["AUTH003"]
    assert result.status == "fail"
    assert findings_of(result) == [("fail", CONFIG, line_of(project, '"name": "Open"') - 1)]
    assert "absent, which the CLI deploys as NONE" in result.findings[0].message


def test_gateway_none_fails_and_iam_passes(project: ProjectBuilder) -> None:
    project.agentcore(agentCoreGateways=[gateway("Open", authorizerType="NONE")])
    result = project.results("AUTH003")["AUTH003"]
    assert findings_of(result) == [("fail", CONFIG, line_of(project, '"authorizerType": "NONE"'))]
    assert result.findings[0].fix is not None
    assert "agentcore remove gateway --name Open" in result.findings[0].fix.commands


def test_gateway_debug_exception_level_warns(project: ProjectBuilder) -> None:
    project.agentcore(agentCoreGateways=[gateway("Tools", exceptionLevel="DEBUG")])
    result = project.results("AUTH005")["AUTH005"]
    assert result.status == "warn"
    assert findings_of(result) == [("warn", CONFIG, line_of(project, '"exceptionLevel"'))]


def test_gateway_jwt_without_configuration_fails(project: ProjectBuilder) -> None:
    project.agentcore(agentCoreGateways=[gateway("Tools", authorizerType="CUSTOM_JWT")])
    result = project.results("AUTH004")["AUTH004"]
    assert result.status == "fail"
    assert "has no customJwtAuthorizer configuration" in result.findings[0].message


def test_wrong_casing_fix_moves_the_authorizer_object(project: ProjectBuilder) -> None:
    project.agentcore(
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
    )
    result = project.results("AUTH002")["AUTH002"]
    assert [f.message for f in result.findings] == [
        "runtime 'Agent' uses the key 'customJWTAuthorizer'; this file's format expects 'customJwtAuthorizer', "
        "so the authorizer is not read"
    ]
    fix = result.findings[0].fix
    assert fix is not None
    assert fix.patch == [
        {"op": "test", "path": "/runtimes/0/name", "value": "Agent"},
        {
            "op": "test",
            "path": "/runtimes/0/authorizerConfiguration/customJWTAuthorizer",
            "value": {
                "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                "allowedClients": ["abc"],
            },
        },
        {
            "op": "move",
            "from": "/runtimes/0/authorizerConfiguration/customJWTAuthorizer",
            "path": "/runtimes/0/authorizerConfiguration/customJwtAuthorizer",
        },
    ]

"""CFG001 in both configuration formats for what the schema states in words: lifecycle values
(60..28,800 s, idle at most the maximum lifetime) and authorizer values from the schema's
enums. The other rules still run on the file, and AUTH001 does not pass an authorizer it
cannot read.
"""

from __future__ import annotations

from conftest import ProjectBuilder, findings_of, runtime

TOOLKIT = ".bedrock_agentcore.yaml"

TOOLKIT_YAML = """
default_agent: helper
agents:
  helper:
    name: helper
    entrypoint: helper.py
    deployment_type: direct_code_deploy
    aws:
      region: us-east-1
      network_configuration:
        network_mode: PUBLIC
      lifecycle_configuration:
        idle_runtime_session_timeout: 7200
        max_lifetime: 3600
    authorizer_configuration: {authorizer}
"""


def test_json_lifecycle_and_authorizer(project: ProjectBuilder) -> None:
    project.agentcore(
        runtimes=[
            runtime(
                authorizerType="JWT",
                lifecycleConfiguration={"idleRuntimeSessionTimeout": 7200, "maxLifetime": 3600},
            )
        ]
    )
    project.entrypoint()
    config = "agentcore/agentcore.json"
    text = (project.root / config).read_text().splitlines()
    line = {needle: next(n for n, t in enumerate(text, 1) if needle in t) for needle in ("JWT", "idleRuntime")}
    results = project.results("CFG001", "AUTH001", "SESS008")
    assert findings_of(results["CFG001"]) == [("fail", config, line["JWT"]), ("fail", config, line["idleRuntime"])]
    assert results["CFG001"].findings[1].message == (
        "agentcore/agentcore.json: runtime 'Agent': idleRuntimeSessionTimeout 7200 s is longer than maxLifetime "
        "3600 s (the CLI refuses to deploy it; SESS008 reports it for the session lifecycle)"
    )
    fix = results["CFG001"].findings[1].fix
    assert fix is not None and fix.patch is not None
    # the other rules still run on the file
    assert findings_of(results["SESS008"]) == [("fail", config, line["idleRuntime"])]
    assert (results["AUTH001"].status, results["AUTH001"].reason) == (
        "unknown",
        "Agent: authorizer 'JWT' is not NONE, AWS_IAM or CUSTOM_JWT (see CFG001)",
    )


def test_yaml_lifecycle_and_authorizer(project: ProjectBuilder) -> None:
    project.write(TOOLKIT, TOOLKIT_YAML.format(authorizer="JWT"))
    project.write("helper.py", "def handler(payload):\n    return payload\n")
    lines = (project.root / TOOLKIT).read_text().splitlines()
    line = {needle: next(n for n, t in enumerate(lines, 1) if needle in t) for needle in ("idle_", "authorizer_")}
    results = project.results("CFG001", "AUTH001", "SESS008")
    assert findings_of(results["CFG001"]) == [("fail", TOOLKIT, line["authorizer_"]), ("fail", TOOLKIT, line["idle_"])]
    assert results["CFG001"].findings[0].message == (
        ".bedrock_agentcore.yaml: /agents/helper/authorizer_configuration: 'JWT' is not an authorizer (expected "
        "customJWTAuthorizer, NONE or null)"
    )
    assert (
        results["CFG001"]
        .findings[1]
        .message.startswith(
            ".bedrock_agentcore.yaml: runtime 'helper': idleRuntimeSessionTimeout 7200 s is longer than maxLifetime 3600 s "
            "(the toolkit refuses"
        )
    )
    assert findings_of(results["SESS008"]) == [("fail", TOOLKIT, line["idle_"])]
    assert results["AUTH001"].status == "unknown"


def test_valid_yaml_authorizers_pass(project: ProjectBuilder) -> None:
    for authorizer, auth001 in (("null", "pass"), ("NONE", "fail")):
        project.write(TOOLKIT, TOOLKIT_YAML.format(authorizer=authorizer).replace("7200", "600"))
        project.write("helper.py", "def handler(payload):\n    return payload\n")
        results = project.results("CFG001", "AUTH001")
        assert (results["CFG001"].status, results["CFG001"].reason) == ("pass", f"{TOOLKIT} read and valid")
        assert results["AUTH001"].status == auth001

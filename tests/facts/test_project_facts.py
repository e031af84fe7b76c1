"""Project loading: both layouts, discovery, deployed state, Dockerfiles, dependencies, git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from agentcore_readiness.engine import ReviewRequest, resolve_target, review
from agentcore_readiness.facts.project.project_facts import (
    API_JWT_KEYS,
    JwtAuthorizer,
    load_project,
    parse_dockerfile,
    parse_jwt_authorizer,
)
from conftest import ProjectBuilder, findings_of, runtime

MULTI_AGENT_YAML = """
default_agent: billing
agents:
  billing:
    name: billing
    entrypoint: billing/agent.py
    deployment_type: direct_code_deploy
    source_path: billing
    aws:
      region: us-west-2
      account: '123456789012'
      execution_role: arn:aws:iam::123456789012:role/BillingRole
      network_configuration:
        network_mode: PUBLIC
      observability:
        enabled: false
      lifecycle_configuration:
        idle_runtime_session_timeout: 120
        max_lifetime: 60
    bedrock_agentcore:
      agent_arn: arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/billing-Abc
    authorizer_configuration:
      customJWTAuthorizer:
        discoveryUrl: https://idp.example.com/.well-known/openid-configuration
        allowedClients: [billing-ui]
    memory:
      mode: STM_ONLY
      memory_name: billing_mem
    identity:
      credential_providers:
        - name: stripe
          type: api_key
  support:
    name: support
    entrypoint: support.py
    deployment_type: container
    aws:
      network_configuration:
        network_mode: VPC
        network_mode_config:
          subnets: [subnet-0123456789abcdef0]
          security_groups: [sg-0123456789abcdef0]
    api_key_env_var_name: OPENAI_API_KEY
"""


def test_multi_agent_yaml_is_normalised(project: ProjectBuilder) -> None:
    project.write(".bedrock_agentcore.yaml", MULTI_AGENT_YAML)
    facts = load_project(project.root)
    assert facts.layout == "starter-toolkit"
    assert facts.name == "billing"
    billing, support = facts.runtimes
    assert (billing.name, billing.build, billing.code_location, billing.entrypoint) == (
        "billing",
        "CodeZip",
        "billing",
        "billing/agent.py",
    )
    assert billing.effective_authorizer == "CUSTOM_JWT"
    assert billing.jwt is not None and billing.jwt.allowed_clients == ("billing-ui",)
    assert (billing.idle_timeout, billing.max_lifetime, billing.enable_otel) == (120, 60, False)
    assert billing.deployed_arn == "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/billing-Abc"
    assert (support.build, support.network_mode, support.subnets) == ("Container", "VPC", ("subnet-0123456789abcdef0",))
    assert [v.name for v in support.env_vars] == ["OPENAI_API_KEY"]
    assert [(m.name, m.mode) for m in facts.memories] == [("billing_mem", "STM_ONLY")]
    assert [c.name for c in facts.credentials] == ["stripe"]


def test_yaml_rules_point_at_yaml_lines(project: ProjectBuilder) -> None:
    path = project.write(".bedrock_agentcore.yaml", MULTI_AGENT_YAML)
    project.write("billing/agent.py", "from bedrock_agentcore.memory import MemoryClient\n\nmemory = MemoryClient()\n")
    lines = path.read_text().splitlines()

    def line(needle: str) -> int:
        return next(n for n, t in enumerate(lines, 1) if needle in t)

    results = project.results()
    assert findings_of(results["OBS001"]) == [("fail", ".bedrock_agentcore.yaml", line("enabled: false"))]
    assert findings_of(results["SESS008"]) == [
        ("fail", ".bedrock_agentcore.yaml", line("idle_runtime_session_timeout"))
    ]
    assert findings_of(results["NET002"]) == [("warn", ".bedrock_agentcore.yaml", line("subnets:"))]
    assert findings_of(results["RES001"]) == [("warn", ".bedrock_agentcore.yaml", line("mode: STM_ONLY"))]
    assert findings_of(results["CLI002"]) == [("warn", ".bedrock_agentcore.yaml", 1)]
    assert results["OBS004"].status == "skipped"
    fix = results["SESS008"].findings[0].fix
    assert fix is not None and fix.patch_file == ".bedrock_agentcore.yaml"
    assert "agents.billing.aws.lifecycle_configuration.idle_runtime_session_timeout: 60" in fix.summary


def test_legacy_single_agent_yaml(project: ProjectBuilder) -> None:
    project.write(".bedrock_agentcore.yaml", "name: solo\nentrypoint: app.py\nauthorizer_configuration: NONE\n")
    facts = load_project(project.root)
    assert [(r.name, r.build, r.authorizer_type) for r in facts.runtimes] == [("solo", "Container", "NONE")]
    assert project.results("AUTH001")["AUTH001"].status == "fail"


def test_repository_with_several_projects_reviews_each(make_project) -> None:  # type: ignore[no-untyped-def]
    first = make_project("repo/services/one")
    first.agentcore(name="One")
    second = make_project("repo/two")
    second.write(".bedrock_agentcore.yaml", "name: two\nentrypoint: a.py\n")
    repo = first.root.parent.parent
    report = review(ReviewRequest(target=str(repo)))
    assert [(p.name, p.path) for p in report.projects] == [
        ("One", str(repo / "services" / "one")),
        ("two", str(repo / "two")),
    ]


def test_a_file_inside_the_project_finds_its_root(project: ProjectBuilder) -> None:
    project.agentcore()
    inner = project.write("app/Agent/main.py", "print('hi')\n")
    assert [root for root, _ in resolve_target(str(inner))] == [project.root.resolve()]
    assert [root for root, _ in resolve_target(str(project.root / "agentcore"))] == [project.root.resolve()]


def test_deployed_state_supplies_runtime_arn_and_role(project: ProjectBuilder) -> None:
    project.agentcore()
    project.json(
        "agentcore/.cli/deployed-state.json",
        {
            "targets": {
                "default": {
                    "resources": {
                        "runtimes": {
                            "Agent": {
                                "runtimeId": "Demo_Agent-Xy",
                                "runtimeArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/Demo_Agent-Xy",
                                "roleArn": "arn:aws:iam::111122223333:role/DemoRole",
                            }
                        }
                    }
                }
            }
        },
    )
    project.json("agentcore/aws-targets.json", [{"name": "default", "account": "111122223333", "region": "us-east-1"}])
    agent = load_project(project.root).runtimes[0]
    assert agent.deployed_arn == "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/Demo_Agent-Xy"
    assert agent.deployed_role_arn == "arn:aws:iam::111122223333:role/DemoRole"
    assert (agent.region, agent.account) == ("us-east-1", "111122223333")


def test_broken_deployed_state_is_a_fact_error_not_a_crash(project: ProjectBuilder) -> None:
    project.agentcore()
    project.entrypoint()
    project.write("agentcore/.cli/deployed-state.json", "{oops")
    report = project.review()
    errors = report.projects[0].fact_errors
    assert [(e.source, e.location.line) for e in errors] == [("agentcore/.cli/deployed-state.json", 1)]
    assert "not valid JSON" in errors[0].message


def test_dockerfile_parsing_handles_continuations_and_env_forms() -> None:
    instructions = parse_dockerfile(
        '# comment\nFROM python:3.12-slim AS base\nENV A=1 \\\n    B="two words"\nENV LEGACY value here\n'
        'RUN pip install \\\n  uv\nCMD ["python", "-m", "main"]\n'
    )
    assert [(i.keyword, i.line) for i in instructions] == [("FROM", 2), ("ENV", 3), ("ENV", 5), ("RUN", 6), ("CMD", 8)]
    from agentcore_readiness.facts.project.project_facts import Dockerfile

    dockerfile = Dockerfile(path="Dockerfile", instructions=instructions)
    assert dockerfile.env() == [("A", "1", 3), ("B", "two words", 3), ("LEGACY", "value here", 5)]
    assert dockerfile.final_command is not None and dockerfile.final_command.line == 8


def test_codezip_dependencies_come_from_pyproject_not_a_stray_requirements_file(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write(
        "app/Agent/pyproject.toml", '[project]\nname = "a"\ndependencies = [\n  "Strands_Agents>=1.0",\n  "boto3",\n]\n'
    )
    project.write("app/Agent/requirements.txt", "# pinned\nrequests==2.32.0  # http\n-e .\n")
    agent = load_project(project.root).runtimes[0]
    assert [(d.name, d.path, d.line) for d in agent.dependencies] == [
        ("strands-agents", "app/Agent/pyproject.toml", 4),
        ("boto3", "app/Agent/pyproject.toml", 5),
    ]
    assert agent.build_plan is not None
    assert [(d.name, d.path, d.line, d.via) for d in agent.build_plan.not_installed] == [
        (
            "requests",
            "app/Agent/requirements.txt",
            2,
            "the AgentCore CLI's CodeZip packaging installs app/Agent/pyproject.toml, not this file",
        )
    ]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_env_local_tracked_by_git_fails_sec005(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("agentcore/.env.local", 'AGENTCORE_CREDENTIAL_X="enc:v1:abc"\n')
    _git(project.root, "init", "-q")
    _git(project.root, "add", "-f", "agentcore/.env.local")
    result = project.results("SEC005")["SEC005"]
    assert findings_of(result) == [("fail", "agentcore/.env.local", 1)]
    assert result.findings[0].fix is not None
    assert result.findings[0].fix.commands[0] == "git rm --cached agentcore/.env.local"


def test_env_local_ignored_and_untracked_passes(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("agentcore/.env.local", 'AGENTCORE_CREDENTIAL_X="enc:v1:abc"\n')
    _git(project.root, "init", "-q")
    result = project.results("SEC005")["SEC005"]
    assert result.status == "pass"
    assert result.reason == ".env.local is git-ignored (agentcore/.gitignore:1 `.env.local`); not tracked by git"


def test_gitignore_without_env_local_fails(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("agentcore/.gitignore", "cdk/cdk.out/\n")
    assert findings_of(project.results("SEC005")["SEC005"]) == [("fail", "agentcore/.gitignore", 1)]


def test_negated_gitignore_entry_does_not_count(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("agentcore/.gitignore", ".env*\n!.env.local\n")
    assert project.results("SEC005")["SEC005"].status == "fail"


def test_pyproject_settings_select_and_ignore_rules(project: ProjectBuilder) -> None:
    project.agentcore(runtimes=[runtime(authorizerType="NONE")])
    project.write("pyproject.toml", '[tool.agentcore-readiness]\nignore = ["AUTH001", "SESS"]\n')
    results = project.results()
    assert "AUTH001" not in results
    assert not any(code.startswith("SESS") for code in results)
    assert "OBS001" in results


def test_an_entrypoint_missing_from_the_checkout_is_one_located_error(project: ProjectBuilder) -> None:
    project.agentcore()
    errors = project.review("CODE001").projects[0].fact_errors
    assert [(e.source, e.location.line, e.location.pointer, e.message) for e in errors] == [
        (
            "agentcore/agentcore.json",
            10,
            "/runtimes/0/entrypoint",
            "runtime Agent: entrypoint app/Agent/main.py is not in this checkout; its code is not reviewed",
        )
    ]


def test_the_jwt_authorizer_shape_has_one_reader() -> None:
    """agentcore.json, the starter toolkit's YAML and the API's responses (the AWS gatherer, the
    403 diagnosis) are read by ``parse_jwt_authorizer``: the first key present wins, non-strings
    and non-mapping claims are dropped, and the key found is kept for fixes."""
    config = {
        "customJwtAuthorizer": {
            "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
            "allowedClients": ["web", 3],
            "customClaims": [{"inboundTokenClaimName": "dept"}, "dept"],
        },
        "customJWTAuthorizer": {"discoveryUrl": "https://other.example.com"},
    }
    assert parse_jwt_authorizer(config, "customJwtAuthorizer", "customJWTAuthorizer") == JwtAuthorizer(
        discovery_url="https://idp.example.com/.well-known/openid-configuration",
        allowed_audience=(),
        allowed_clients=("web",),
        allowed_scopes=(),
        custom_claims=({"inboundTokenClaimName": "dept"},),
        key="customJwtAuthorizer",
    )
    assert parse_jwt_authorizer(config, *API_JWT_KEYS) == JwtAuthorizer(
        "https://other.example.com", (), (), (), (), key="customJWTAuthorizer"
    )
    assert parse_jwt_authorizer({"customJWTAuthorizer": None}, *API_JWT_KEYS) is None
    assert parse_jwt_authorizer("NONE", *API_JWT_KEYS) is None

"""The IAM policy evaluator: wildcard matching, IAM's case rules, NotAction/NotResource,
explicit Deny, conditions as evidence, and malformed documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore_readiness.iam_policy import (
    PolicyParseError,
    SourcedPolicy,
    action_matches,
    allowing_statements,
    evaluate,
    parse_policy,
    pattern_covers,
    resource_matches,
    wildcard_match,
)
from agentcore_readiness.model import Location

MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
PROFILE = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0"
RUNTIME = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/Demo_Agent-abc123"
OTHER_RUNTIME = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/Other-xyz"
COMMAND = "bedrock-agentcore:InvokeAgentRuntimeCommand"
INVOKE = "bedrock-agentcore:InvokeAgentRuntime"


def policy(*statements: dict[str, Any]) -> SourcedPolicy:
    document = parse_policy({"Version": "2012-10-17", "Statement": list(statements)})
    return SourcedPolicy(name="test", kind="text", document=document, location=Location(path="<policy>"))


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


# (statements, action, resource, allowed)
CASES: list[tuple[str, list[dict[str, Any]], str, str, bool]] = [
    ("exact action", [allow("bedrock:InvokeModel")], "bedrock:InvokeModel", MODEL, True),
    ("other action", [allow("bedrock:InvokeModel")], "bedrock:Converse", MODEL, False),
    ("service wildcard", [allow("bedrock:*")], "bedrock:InvokeModel", MODEL, True),
    ("star action", [allow("*")], "bedrock:InvokeModel", MODEL, True),
    ("star-colon-star action", [allow("*:*")], "bedrock:InvokeModel", MODEL, True),
    ("prefix wildcard", [allow("bedrock:Invoke*")], "bedrock:InvokeModelWithResponseStream", MODEL, True),
    ("prefix wildcard misses", [allow("bedrock:Invoke*")], "bedrock:Converse", MODEL, False),
    ("question mark one char", [allow("s3:GetObjec?")], "s3:GetObject", "*", True),
    ("question mark not zero chars", [allow("s3:GetObject?")], "s3:GetObject", "*", False),
    ("action case-insensitive", [allow("BEDROCK:invokemodel")], "bedrock:InvokeModel", MODEL, True),
    ("action wildcard case-insensitive", [allow("Bedrock-AgentCore:invoke*")], COMMAND, RUNTIME, True),
    ("other service same action name", [allow("sagemaker:InvokeModel")], "bedrock:InvokeModel", MODEL, False),
    ("resource exact", [allow("bedrock:InvokeModel", MODEL)], "bedrock:InvokeModel", MODEL, True),
    ("resource other model", [allow("bedrock:InvokeModel", MODEL)], "bedrock:InvokeModel", PROFILE, False),
    (
        "resource case-sensitive",
        [allow("bedrock:InvokeModel", MODEL.replace("anthropic", "Anthropic"))],
        "bedrock:InvokeModel",
        MODEL,
        False,
    ),
    (
        "resource region wildcard",
        [allow("bedrock:InvokeModel", "arn:aws:bedrock:*::foundation-model/*")],
        "bedrock:InvokeModel",
        MODEL,
        True,
    ),
    (
        "resource wildcard stays in its ARN component",
        [allow("bedrock:InvokeModel", "arn:aws:bedrock:*:foundation-model/*")],
        "bedrock:InvokeModel",
        MODEL,
        False,
    ),
    (
        "resource model prefix",
        [allow("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.*")],
        "bedrock:InvokeModel",
        MODEL,
        True,
    ),
    (
        "resource list second matches",
        [allow("bedrock:InvokeModel", [PROFILE, MODEL])],
        "bedrock:InvokeModel",
        MODEL,
        True,
    ),
    ("runtime wildcard", [allow(COMMAND, "arn:aws:bedrock-agentcore:*:*:runtime/*")], COMMAND, RUNTIME, True),
    (
        "runtime name prefix",
        [allow(COMMAND, "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/Demo_Agent-*")],
        COMMAND,
        OTHER_RUNTIME,
        False,
    ),
    ("NotAction excludes", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], "iam:CreateUser", "*", False),
    ("NotAction grants the rest", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], COMMAND, RUNTIME, True),
    (
        "NotAction is case-insensitive",
        [{"Effect": "Allow", "NotAction": "IAM:*", "Resource": "*"}],
        "iam:PassRole",
        "*",
        False,
    ),
    ("NotResource excludes", [{"Effect": "Allow", "Action": COMMAND, "NotResource": RUNTIME}], COMMAND, RUNTIME, False),
    (
        "NotResource grants others",
        [{"Effect": "Allow", "Action": COMMAND, "NotResource": RUNTIME}],
        COMMAND,
        OTHER_RUNTIME,
        True,
    ),
    ("deny overrides allow", [allow("*"), deny(COMMAND)], COMMAND, RUNTIME, False),
    ("deny by wildcard overrides", [allow(COMMAND), deny("bedrock-agentcore:*")], COMMAND, RUNTIME, False),
    ("deny other action keeps allow", [allow(COMMAND), deny(INVOKE)], COMMAND, RUNTIME, True),
    ("deny other resource keeps allow", [allow(COMMAND), deny(COMMAND, OTHER_RUNTIME)], COMMAND, RUNTIME, True),
    (
        "deny NotResource spares listed",
        [allow(COMMAND), {"Effect": "Deny", "Action": COMMAND, "NotResource": RUNTIME}],
        COMMAND,
        RUNTIME,
        True,
    ),
    (
        "deny NotResource hits the rest",
        [allow(COMMAND), {"Effect": "Deny", "Action": COMMAND, "NotResource": RUNTIME}],
        COMMAND,
        OTHER_RUNTIME,
        False,
    ),
    (
        "deny NotAction hits others",
        [allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}],
        COMMAND,
        RUNTIME,
        False,
    ),
    (
        "conditional deny does not override",
        [allow(COMMAND), deny(COMMAND, Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})],
        COMMAND,
        RUNTIME,
        True,
    ),
    (
        "conditional allow still allows",
        [allow(COMMAND, Condition={"StringEquals": {"aws:PrincipalTag/team": "ops"}})],
        COMMAND,
        RUNTIME,
        True,
    ),
    ("no statement for the action", [allow("s3:GetObject")], COMMAND, RUNTIME, False),
    ("empty action list", [allow([])], COMMAND, RUNTIME, False),
    ("deny only", [deny("*")], COMMAND, RUNTIME, False),
    ("single statement object", [allow(COMMAND)], COMMAND, RUNTIME, True),
    ("action with spaces is trimmed", [allow(" bedrock:InvokeModel ")], "bedrock:InvokeModel", MODEL, True),
    ("multiple stars", [allow("bedrock:*Model*Stream")], "bedrock:InvokeModelWithResponseStream", MODEL, True),
    ("star does not match a missing suffix", [allow("bedrock:*Stream")], "bedrock:InvokeModel", MODEL, False),
    (
        "star matches across slashes in the resource",
        [allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/bedrock-agentcore/*")],
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/bedrock-agentcore/runtimes/x-DEFAULT:log-stream:s",
        True,
    ),
    ("star resource", [allow(COMMAND, "*")], COMMAND, RUNTIME, True),
    ("non-ARN resource glob", [allow("s3:GetObject", "my-bucket/*")], "s3:GetObject", "my-bucket/key", True),
]


@pytest.mark.parametrize(
    ("statements", "action", "resource", "allowed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_evaluation_table(statements: list[dict[str, Any]], action: str, resource: str, allowed: bool) -> None:
    assert evaluate([policy(*statements)], action, resource).allowed is allowed


def test_table_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("pattern", "text", "matched"),
    [
        ("", "", True),
        ("*", "", True),
        ("?", "", False),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("*ab", "aab", True),
        ("a?c*", "abcdef", True),
        ("*a?a*", "xaxa", True),
        ("**", "anything", True),
    ],
)
def test_wildcard_match_edges(pattern: str, text: str, matched: bool) -> None:
    assert wildcard_match(pattern, text) is matched


def test_action_and_resource_case_rules() -> None:
    assert action_matches("BEDROCK:InvokeMODEL", "bedrock:InvokeModel")
    assert not resource_matches("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket")


def test_pattern_covers_is_sound_for_wildcards() -> None:
    assert pattern_covers("arn:aws:bedrock:*::foundation-model/*", "arn:aws:bedrock:*::foundation-model/anthropic.*")
    assert pattern_covers("*", "anything*")
    assert not pattern_covers("a?", "a*")
    assert not pattern_covers("arn:aws:bedrock:us-east-1::foundation-model/*", "arn:aws:bedrock:*::foundation-model/*")


def test_conditions_are_kept_as_evidence() -> None:
    decision = evaluate(
        [policy(allow(COMMAND, RUNTIME, Condition={"StringEquals": {"aws:PrincipalTag/team": ["ops"]}}))], COMMAND
    )
    assert decision.allowed and decision.conditional
    assert decision.evidence == [
        "text policy 'test' statement 0: Allow via bedrock-agentcore:InvokeAgentRuntimeCommand "
        'if {"StringEquals": {"aws:PrincipalTag/team": ["ops"]}}'
    ]


def test_allowing_statements_drop_those_an_unconditional_deny_cancels() -> None:
    broad = allow("bedrock:InvokeModel", "arn:aws:bedrock:*::foundation-model/*")
    cancelled = allowing_statements([policy(broad, deny("bedrock:*", "*"))], "bedrock:InvokeModel")
    kept = allowing_statements([policy(broad, deny("bedrock:*", MODEL))], "bedrock:InvokeModel")
    assert cancelled == []
    assert [m.statement.index for m in kept] == [0]


def test_url_encoded_documents_parse() -> None:
    encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
    document = parse_policy(encoded)
    assert document.statements[0].actions == ("s3:*",)


def test_trust_policy_principals() -> None:
    document = parse_policy(
        {
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        }
    )
    statement = document.statements[0]
    assert statement.principal_values("Service") == ("bedrock-agentcore.amazonaws.com",)
    assert not statement.is_public()
    assert (
        parse_policy({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "x:Y"}]}).statements[0].is_public()
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ({"Version": "2012-10-17"}, "has no Statement"),
        ({"Statement": [{"Effect": "Permit", "Action": "*"}]}, 'Statement[0].Effect must be "Allow" or "Deny"'),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "iam:*"}]}, "both Action and NotAction"),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "neither Action nor NotAction"),
        ({"Statement": [{"Effect": "Allow", "Action": 7}]}, "Statement[0].Action must be a string or a list"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Condition": []}]},
            "Statement[0].Condition must be an object",
        ),
        (json.dumps({"Statement": "x"}), "Statement must be an object or a list"),
    ],
)
def test_malformed_documents_say_why(document: Any, message: str) -> None:
    with pytest.raises(PolicyParseError, match=None) as caught:
        parse_policy(document)
    assert message in str(caught.value)

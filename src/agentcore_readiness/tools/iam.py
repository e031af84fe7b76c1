"""``check_iam_scope``: the execution role's permissions, trust and resource policies."""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from agentcore_readiness.checks.registry import tool_rules
from agentcore_readiness.engine import InputError
from agentcore_readiness.render.answer_text import render_review
from agentcore_readiness.tools import ToolSpec
from agentcore_readiness.tools.answer_shape import (
    DEFAULT_MAX_FINDINGS,
    DetailArg,
    MaxFindingsArg,
    MinSeverityArg,
    OffsetArg,
    ResultView,
    ReviewResult,
    StatusArg,
)
from agentcore_readiness.tools.review import (
    AllRuntimesArg,
    AwsArg,
    PathArg,
    RegionArg,
    RuntimeArnsArg,
    progress_reporter,
    run_review,
    shaped,
)

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

    from agentcore_readiness.facts.project_policies import PolicyInput

MAX_POLICY_TEXTS = 20
MAX_POLICY_CHARS = 200_000

PoliciesArg = Annotated[
    list[str] | None,
    Field(
        description="Policy documents (JSON text) to review offline: IAM or trust policies, CloudFormation "
        "templates, `aws iam get-role` output"
    ),
]
PolicyFilesArg = Annotated[
    list[str] | None,
    Field(description="Project files (JSON) with policies or CloudFormation/CDK templates to review offline"),
]


def policy_inputs(policies: list[str] | None, policy_files: list[str] | None) -> list[PolicyInput]:
    """The user's documents, checked: malformed JSON text is an input error, not a finding."""
    from agentcore_readiness.facts.project_policies import PolicyInput

    texts = list(policies or ())
    if len(texts) + len(policy_files or ()) > MAX_POLICY_TEXTS:
        raise InputError(f"give at most {MAX_POLICY_TEXTS} policy documents per call")
    inputs: list[PolicyInput] = []
    for index, text in enumerate(texts, start=1):
        if len(text) > MAX_POLICY_CHARS:
            raise InputError(f"policy #{index} is longer than {MAX_POLICY_CHARS:,} characters")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"policy #{index} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        if not isinstance(value, dict):
            raise InputError(f"policy #{index} must be a JSON object (a policy document or a template)")
        inputs.append(PolicyInput(text=text))
    inputs.extend(PolicyInput(path=path) for path in policy_files or ())
    return inputs


async def check_iam_scope(
    path: PathArg,
    aws: AwsArg = False,
    region: RegionArg = None,
    runtime_arns: RuntimeArnsArg = None,
    all_runtimes: AllRuntimesArg = False,
    policies: PoliciesArg = None,
    policy_files: PolicyFilesArg = None,
    detail: DetailArg = "summary",
    status: StatusArg = None,
    min_severity: MinSeverityArg = None,
    max_findings: MaxFindingsArg = DEFAULT_MAX_FINDINGS,
    offset: OffsetArg = 0,
    ctx: Context = None,  # type: ignore[type-arg,assignment]
) -> ReviewResult:
    """Check the agent's IAM scope: Bedrock access limited to the
    models the code uses (with a ready policy), ECR pulls limited to the agent's
    repository, the trust policy scoped with aws:SourceAccount and aws:SourceArn, no
    public runtime resource policy, no administrator-level grants. Reads the deployed
    execution role with `aws=true`; offline it reviews the project's policy files, the CDK
    templates, and the documents given in `policies` / `policy_files`.
    """
    inputs = policy_inputs(policies, policy_files)
    run = partial(
        run_review,
        path,
        list(tool_rules("check_iam_scope")),
        None,
        None,
        aws=aws,
        region=region,
        runtime_arns=runtime_arns,
        all_runtimes=all_runtimes,
        progress=progress_reporter(ctx),
        policy_inputs=inputs,
    )
    return await shaped(run, ResultView.of(detail, status, min_severity, max_findings, offset))


TOOLS = [ToolSpec(check_iam_scope, "Check the execution role's IAM scope", open_world=True, text=render_review)]

"""AgentCore service limits that the readiness rules and the quota diagnosis rely on.

Defaults per account and region unless stated; "adjustable" limits can be raised through
Service Quotas. Values as documented for AgentCore Runtime, Memory and Gateway.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    name: str
    value: str
    adjustable: bool
    error: str
    note: str


LIMITS: tuple[Limit, ...] = (
    Limit(
        "Invocation rate (InvokeAgentRuntime, InvokeAgentRuntimeWithWebSocketStream)",
        "25 TPS per agent",
        True,
        "ThrottlingException: Rate exceeded (HTTP 429)",
        "Retry with exponential backoff and jitter (botocore retries mode standard or adaptive).",
    ),
    Limit(
        "Active session workloads (microVMs)",
        "1,000 in us-east-1 and us-west-2; 500 elsewhere",
        True,
        "ServiceQuotaExceededException: maxVms limit exceeded",
        "Each live session holds a microVM until StopRuntimeSession, the idle timeout or maxLifetime.",
    ),
    Limit(
        "New sessions created",
        "100 TPM for container deployments; 25 TPS for direct code deploy",
        True,
        "HTTP 429 on a new session",
        "Reuse runtimeSessionId per conversation, job or user interaction.",
    ),
    Limit(
        "Idle session timeout (idleRuntimeSessionTimeout)",
        "900 s default; 60–28,800 s in the CLI",
        False,
        "—",
        "The API accepts up to 1,209,600 s.",
    ),
    Limit(
        "Maximum session lifetime (maxLifetime)",
        "28,800 s (8 h) default; 60–28,800 s in the CLI",
        False,
        "—",
        "The API accepts up to 1,209,600 s; idle must not exceed it.",
    ),
    Limit(
        "runtimeSessionId length",
        "33–256 characters",
        False,
        "ValidationException",
        "Short IDs also make long-term memory extraction fail silently.",
    ),
    Limit(
        "Memory CreateEvent",
        "10 TPS",
        True,
        "ThrottlingException on CreateEvent",
        "Write new turns only, not the whole history; retry with backoff.",
    ),
    Limit(
        "Memory long-term extraction",
        "150,000 tokens per minute",
        True,
        "ThrottlingException on memory APIs",
        "TokenCount metric in namespace Bedrock-AgentCore.",
    ),
    Limit(
        "Targets per gateway",
        "100",
        True,
        "ValidationException: Too many targets for gateway",
        "Consolidate tools or split gateways.",
    ),
    Limit("Tools per gateway target", "1,000", True, "ValidationException", "Split large OpenAPI schemas."),
    Limit(
        "Code Interpreter / Browser sessions",
        "per-account concurrent session quotas",
        True,
        "ServiceQuotaExceededException naming Code Interpreter or Browser",
        "Stop sessions explicitly or use the SDK's context managers.",
    ),
)


def limits_markdown() -> str:
    lines = [
        "# AgentCore limits",
        "",
        "| Limit | Default | Adjustable | Error when hit | Note |",
        "|---|---|---|---|---|",
    ]
    for limit in LIMITS:
        lines.append(
            f"| {limit.name} | {limit.value} | {'yes' if limit.adjustable else 'no'} | {limit.error} | {limit.note} |"
        )
    lines.append("")
    lines.append(
        "Current values for an account: `aws service-quotas list-service-quotas --service-code "
        "<code>` (find the code with `aws service-quotas list-services`)."
    )
    return "\n".join(lines) + "\n"

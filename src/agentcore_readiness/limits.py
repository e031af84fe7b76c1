"""AgentCore limits as one table: the adjustable quotas (from the quota diagnosis, so the two
never disagree) and the fixed limits the session rules rely on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FixedLimit:
    name: str
    value: str
    error: str
    note: str


FIXED_LIMITS: tuple[FixedLimit, ...] = (
    FixedLimit(
        "Idle session timeout (idleRuntimeSessionTimeout)",
        "900 s default; 60–28,800 s in the CLI",
        "agentcore validate rejects the file",
        "The API accepts up to 1,209,600 s.",
    ),
    FixedLimit(
        "Maximum session lifetime (maxLifetime)",
        "28,800 s (8 h) default; 60–28,800 s in the CLI",
        "agentcore validate rejects the file",
        "The idle timeout must not exceed it.",
    ),
    FixedLimit(
        "runtimeSessionId length",
        "33–256 characters",
        "ValidationException",
        "Short IDs also make long-term memory extraction fail silently.",
    ),
)


def limits_markdown() -> str:
    from agentcore_readiness.diagnose.quota import QUOTAS

    lines = [
        "# AgentCore limits",
        "",
        "| Limit | Default | Adjustable | Error when hit | Note |",
        "|---|---|---|---|---|",
    ]
    for quota in QUOTAS.values():
        info = quota.info
        lines.append(
            f"| {info.quota} | {info.default} | {'yes' if info.adjustable else 'no'} | "
            f"{'; '.join(info.error_shapes)} | {info.meaning} |"
        )
    for limit in FIXED_LIMITS:
        lines.append(f"| {limit.name} | {limit.value} | no | {limit.error} | {limit.note} |")
    lines.append("")
    lines.append(
        "Current values for an account: `aws service-quotas list-service-quotas --service-code <code>` "
        "(find the code with `aws service-quotas list-services`). Fix session reuse and lifecycle before "
        "asking for more: the prompt resolve_maxvms_quota walks the triage."
    )
    return "\n".join(lines) + "\n"

"""The skill's production-readiness checklist, item by item, with the rules behind each.

The sections and item texts are the skill's own template, verbatim. Rules name the
items they feed (``checklist=`` in their registration); an item with no rule is a
manual attestation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    text: str
    manual_note: str | None = None
    """For items no rule can decide: what the reviewer has to confirm."""


@dataclass(frozen=True)
class ChecklistSection:
    title: str
    items: tuple[ChecklistItem, ...]


CHECKLIST: tuple[ChecklistSection, ...] = (
    ChecklistSection(
        "IAM",
        (
            ChecklistItem("iam.bedrock", "Execution role Bedrock access scoped to specific model ARNs"),
            ChecklistItem("iam.ecr", "ECR access scoped to specific repository"),
            ChecklistItem("iam.trust", "Trust policy scoped to your account ID"),
        ),
    ),
    ChecklistSection(
        "Authentication",
        (
            ChecklistItem("auth.not_none", "Inbound auth is AWS_IAM or CUSTOM_JWT (not NONE)"),
            ChecklistItem("auth.jwt", "If CUSTOM_JWT: discovery URL, audience, and client IDs configured"),
        ),
    ),
    ChecklistSection(
        "Shell Access (if using InvokeAgentRuntimeCommand)",
        (
            ChecklistItem(
                "shell.holders", "InvokeAgentRuntimeCommand permission granted only to identities that need it"
            ),
            ChecklistItem("shell.separate", "Separate IAM policy from InvokeAgentRuntime policy"),
            ChecklistItem(
                "shell.alert", "CloudTrail / EventBridge alert configured for InvokeAgentRuntimeCommand calls"
            ),
            ChecklistItem(
                "shell.injection", "If commands constructed from user input: shell injection validation implemented"
            ),
        ),
    ),
    ChecklistSection(
        "Code quality",
        (
            ChecklistItem("code.errors", "Error handling wraps all agent logic"),
            ChecklistItem("code.validation", "Input validation on payload fields (type, length, format)"),
            ChecklistItem("code.secrets", "No secrets hardcoded in agent code"),
            ChecklistItem("code.credentials", "Credentials registered via agentcore add credential"),
        ),
    ),
    ChecklistSection(
        "Observability",
        (
            ChecklistItem("obs.xray", "X-Ray tracing enabled (auto-configured)"),
            ChecklistItem("obs.retention", "CloudWatch log retention policy set"),
            ChecklistItem(
                "obs.eval",
                "Eval baseline established",
                "Run a baseline evaluation (`agentcore run eval --evaluator Builtin.Helpfulness`) and record the scores.",
            ),
        ),
    ),
    ChecklistSection(
        "Performance",
        (
            ChecklistItem(
                "perf.init",
                "Agent initialization time measured and optimized",
                "Measure cold start (`agentcore dev` first response, or traces) and record it.",
            ),
            ChecklistItem("perf.size", "Deployment package size under 200 MB (target under 100 MB)"),
            ChecklistItem("perf.deps", "Dependencies audited — no unused packages"),
            ChecklistItem("perf.deferred", "Heavy initialization deferred to request time"),
            ChecklistItem("perf.reuse", "Session reuse strategy chosen for multi-turn / batch workloads"),
            ChecklistItem("perf.stop", "`StopRuntimeSession` called after work completes where applicable"),
            ChecklistItem("perf.idle", "`idleRuntimeSessionTimeout` tuned to workload (default 900s)"),
            ChecklistItem(
                "perf.async", "For long-running background tasks: `add_async_task` / `complete_async_task` used"
            ),
        ),
    ),
    ChecklistSection(
        "Resources",
        (
            ChecklistItem("res.memory", "Memory strategies appropriate for use case (if using memory)"),
            ChecklistItem("res.gateway", "Gateway auth configured (if using gateway)"),
            ChecklistItem("res.policy", "Policy engine attached (if restricting tool access)"),
        ),
    ),
    ChecklistSection(
        "Testing",
        (
            ChecklistItem(
                "test.inputs",
                "Agent tested with production-representative inputs",
                "Confirm the agent was exercised with production-representative inputs.",
            ),
            ChecklistItem(
                "test.errors",
                "Error cases tested (tool failures, model errors)",
                "Confirm tests make a tool and a model call fail and check the agent's answer.",
            ),
            ChecklistItem(
                "test.memory",
                "Memory cross-session tested (if using LTM)",
                "Confirm a fact stored in one session is recalled in a new session.",
            ),
        ),
    ),
)

ITEMS: dict[str, ChecklistItem] = {item.key: item for section in CHECKLIST for item in section.items}

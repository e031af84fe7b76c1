"""RES005 (policy engine only logging) and RES006 (policy engine attached to no gateway) over
the ``refund_desk`` fixture: three gateways, three engines, the defects beside near misses."""

from __future__ import annotations

from collections.abc import Callable

from conftest import ProjectBuilder, findings_of

CONFIG = "agentcore/agentcore.json"


def line_of(project: ProjectBuilder, needle: str) -> int:
    lines = (project.root / CONFIG).read_text(encoding="utf-8").splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def test_log_only_attachment_and_log_only_policy_warn(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    # PartnerTools attaches PartnerGuard in LOG_ONLY; RefundGuard's NoBulkRefunds is LOG_ONLY.
    # SupportTools (ENFORCE) and the ACTIVE policies stay silent.
    project = fixture_project("refund_desk")
    result = project.results("RES005")["RES005"]
    assert result.status == "warn"
    log_only_mode = line_of(project, '"mode": "LOG_ONLY"')
    no_bulk_mode = line_of(project, '"name": "NoBulkRefunds"') + 3
    assert findings_of(result) == [("warn", CONFIG, log_only_mode), ("warn", CONFIG, no_bulk_mode)]
    assert [(f.message, f.location.pointer) for f in result.findings] == [
        (
            "gateway 'PartnerTools' attaches policy engine 'PartnerGuard' in LOG_ONLY mode: denials are logged, "
            "not enforced",
            "/agentCoreGateways/1/policyEngineConfiguration/mode",
        ),
        (
            "policy 'NoBulkRefunds' of engine 'RefundGuard' is LOG_ONLY: it is not enforced",
            "/policyEngines/0/policies/1/enforcementMode",
        ),
    ]
    fixes = [f.fix for f in result.findings]
    assert fixes[0] is not None and fixes[0].patch[-1] == {
        "op": "replace",
        "path": "/agentCoreGateways/1/policyEngineConfiguration/mode",
        "value": "ENFORCE",
    }
    assert fixes[1] is not None and fixes[1].patch[-1] == {
        "op": "replace",
        "path": "/policyEngines/0/policies/1/enforcementMode",
        "value": "ACTIVE",
    }


def test_unattached_engine_and_undefined_attachment_fail(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    # AuditGuard is attached to no gateway; LegacyTools names TicketGuard, which is not defined.
    # RefundGuard and PartnerGuard are attached (whatever their mode) and stay silent.
    project = fixture_project("refund_desk")
    result = project.results("RES006")["RES006"]
    assert result.status == "fail"
    audit_guard = line_of(project, '"name": "AuditGuard"') - 1  # the engine object
    ticket_guard = line_of(project, '"policyEngineName": "TicketGuard"')
    assert findings_of(result) == [("fail", CONFIG, audit_guard), ("fail", CONFIG, ticket_guard)]
    assert [(f.message, f.subject) for f in result.findings] == [
        ("policy engine 'AuditGuard' is attached to no gateway: its policies restrict nothing", "AuditGuard"),
        (
            "gateway 'LegacyTools' attaches policy engine 'TicketGuard', which the project does not define",
            "LegacyTools",
        ),
    ]
    fix = result.findings[0].fix
    assert fix is not None and fix.commands == [
        "agentcore remove policy-engine --name AuditGuard",
        "agentcore add policy-engine --name AuditGuard --attach-to-gateways SupportTools --attach-mode ENFORCE",
        "agentcore deploy",
    ]
    undefined = result.findings[1].fix
    assert undefined is not None
    assert undefined.summary == (
        "Define policy engine TicketGuard with the policies LegacyTools should enforce, or name one of the "
        "engines the project defines (AuditGuard, PartnerGuard, RefundGuard)."
    )
    assert undefined.commands == [
        "agentcore add policy-engine --name TicketGuard --attach-to-gateways LegacyTools --attach-mode ENFORCE",
        "agentcore deploy",
    ]
    assert undefined.patch is None


def test_without_policy_engines_both_rules_are_not_applicable(
    fixture_project: Callable[[str], ProjectBuilder],
) -> None:
    results = fixture_project("lambda_tools").results("RES005", "RES006")
    assert {code: (r.status, r.reason) for code, r in results.items()} == {
        "RES005": ("not_applicable", "the project defines no policy engines"),
        "RES006": ("not_applicable", "the project defines no policy engines"),
    }

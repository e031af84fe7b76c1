"""GW005 (target and tool limits) and GW006 (OpenAPI targets' outbound auth) over fixture
projects shaped like real ones: each defect beside the near miss that must stay silent."""

from __future__ import annotations

from collections.abc import Callable

from conftest import ProjectBuilder, findings_of, gateway

CONFIG = "agentcore/agentcore.json"


def line_of(project: ProjectBuilder, needle: str) -> int:
    lines = (project.root / CONFIG).read_text(encoding="utf-8").splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def test_gateway_and_target_near_their_limits_warn_and_the_ones_below_stay_silent(
    fixture_project: Callable[[str], ProjectBuilder],
) -> None:
    # CrmTools: 85 of 100 targets; OpsTools: 79 (below 80%). Catalog: 850 of 1,000 tools; Inventory: 799.
    project = fixture_project("lambda_tools")
    result = project.results("GW005")["GW005"]
    assert result.status == "warn"
    crm_targets = line_of(project, '"description": "Gateway for CrmTools"') + 1
    catalog = line_of(project, '{"name": "Catalog"')
    assert findings_of(result) == [("warn", CONFIG, crm_targets), ("warn", CONFIG, catalog)]
    assert [(f.message, f.subject) for f in result.findings] == [
        ("gateway 'CrmTools' has 85 of 100 targets", "CrmTools"),
        ("target 'Catalog' of 'CatalogTools' has 850 of 1000 tools", "CatalogTools"),
    ]
    assert result.findings[0].location.pointer == "/agentCoreGateways/0/targets"
    assert result.findings[1].location.pointer == "/agentCoreGateways/2/targets/0/toolDefinitions"


def test_over_the_limits_fails(project: ProjectBuilder) -> None:
    tools = [{"name": f"t{i}", "description": "a tool", "inputSchema": {"type": "object"}} for i in range(1001)]
    over = [
        {"name": f"fn{i}", "targetType": "mcpServer", "endpoint": f"https://t{i}.example.com/mcp"} for i in range(101)
    ]
    project.agentcore(
        agentCoreGateways=[
            gateway("Crowded", targets=over),
            gateway(
                "Huge",
                targets=[{"name": "All", "targetType": "mcpServer", "endpoint": "https://all.example.com/mcp", "toolDefinitions": tools}],
            ),
        ]
    )  # fmt: skip
    result = project.results("GW005")["GW005"]
    assert result.status == "fail"
    assert [(f.level, f.message, f.location.pointer) for f in result.findings] == [
        ("fail", "gateway 'Crowded' has 101 targets, over the limit of 100", "/agentCoreGateways/0/targets"),
        (
            "fail",
            "target 'All' of 'Huge' has 1001 tools, over the limit of 1000",
            "/agentCoreGateways/1/targets/0/toolDefinitions",
        ),
    ]


def test_gateway_limits_pass_and_not_applicable(
    fixture_project: Callable[[str], ProjectBuilder], project: ProjectBuilder
) -> None:
    refund_desk = fixture_project("refund_desk").results("GW005")["GW005"]
    assert (refund_desk.status, refund_desk.findings) == ("pass", [])
    assert refund_desk.reason == "SupportTools: 5 target(s); PartnerTools: 1 target(s); LegacyTools: 1 target(s)"
    project.agentcore()
    assert project.results("GW005")["GW005"].status == "not_applicable"


def test_openapi_targets_without_oauth_or_api_key_fail(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    # Orders: no outboundAuth; Refunds: type NONE. Billing (API_KEY), Ledger (OAUTH) and the
    # mcpServer targets without outbound auth stay silent.
    project = fixture_project("refund_desk")
    result = project.results("GW006")["GW006"]
    assert result.status == "fail"
    # line 57 opens the Orders target, line 74 is the Refunds target's "outboundAuth"
    assert findings_of(result) == [("fail", CONFIG, 57), ("fail", CONFIG, 74)]
    assert [f.message for f in result.findings] == [
        "OpenAPI target 'Orders' of gateway 'SupportTools' has no outboundAuth: OAuth or API-key outbound auth "
        "is required",
        "OpenAPI target 'Refunds' of gateway 'SupportTools' has outboundAuth.type NONE: OAuth or API-key "
        "outbound auth is required",
    ]
    assert [f.location.pointer for f in result.findings] == [
        "/agentCoreGateways/0/targets/0",
        "/agentCoreGateways/0/targets/1/outboundAuth",
    ]
    assert result.findings[0].severity == "high"


def test_no_openapi_target_is_not_applicable(fixture_project: Callable[[str], ProjectBuilder]) -> None:
    result = fixture_project("lambda_tools").results("GW006")["GW006"]
    assert (result.status, result.reason) == ("not_applicable", "no openApiSchema gateway targets")

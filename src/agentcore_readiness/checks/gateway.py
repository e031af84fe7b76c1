"""The tool surface: gateways and their targets."""

from __future__ import annotations

from agentcore_readiness.checks.fixes import located_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.model import Fix

MAX_TARGETS = 100
MAX_TOOLS = 1000
NEAR = 0.8


@rule(
    "GW005",
    "gateway-target-limit",
    "medium",
    ("P",),
    "Gateway near its target or tool limit",
    family="Tool surface",
    checklist=("res.gateway",),
    tools=("diagnose_quota_error",),
)
def gateway_target_limit(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Counts each gateway's targets (limit 100) and each target's tool definitions
    (limit 1,000). At 80% of a limit: warn; above it: fail.

    ### Why is this bad?
    At the limit, `agentcore deploy` fails with `ValidationException: Too many targets for
    gateway`, usually in the middle of a release.

    ### Example
    A gateway with 85 targets.

    ### Fix
    Consolidate tools into fewer targets, split the gateway, or request a quota increase
    (both limits are adjustable) before you reach the limit.

    ### References
    - agents-harden skill, `references/limits.md` (gateway limits)
    """
    gateways = facts.project.gateways
    if not gateways:
        return not_applicable("the project defines no gateways")
    for gateway in gateways:
        count = len(gateway.targets)
        split = Fix(
            summary="Consolidate targets or split the gateway; request an increase of 'Targets per gateway' "
            "in Service Quotas if the design needs more.",
            commands=[
                "aws service-quotas list-service-quotas --service-code bedrock-agentcore "
                "--query \"Quotas[?contains(QuotaName, 'target')]\""
            ],
        )
        if count > MAX_TARGETS:
            out.fail(
                f"gateway {gateway.name!r} has {count} targets, over the limit of {MAX_TARGETS}",
                gateway.where.at("targets"),
                subject=gateway.name,
                fix=split,
            )
        elif count >= MAX_TARGETS * NEAR:
            out.warn(
                f"gateway {gateway.name!r} has {count} of {MAX_TARGETS} targets",
                gateway.where.at("targets"),
                subject=gateway.name,
                fix=split,
            )
        for target in gateway.targets:
            tools = target.tool_count
            if tools > MAX_TOOLS:
                out.fail(
                    f"target {target.name!r} of {gateway.name!r} has {tools} tools, over the limit of {MAX_TOOLS}",
                    target.where.at("toolDefinitions"),
                    subject=gateway.name,
                )
            elif tools >= MAX_TOOLS * NEAR:
                out.warn(
                    f"target {target.name!r} of {gateway.name!r} has {tools} of {MAX_TOOLS} tools",
                    target.where.at("toolDefinitions"),
                    subject=gateway.name,
                )
        out.note(f"{gateway.name}: {count} target(s)")
    return None


_OUTBOUND_OK = {"OAUTH", "API_KEY"}


@rule(
    "GW006",
    "openapi-target-without-outbound-auth",
    "high",
    ("P",),
    "OpenAPI target without outbound auth",
    family="Tool surface",
    checklist=("res.gateway",),
)
def openapi_target_without_outbound_auth(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for each `openApiSchema` gateway target without OAuth or API-key outbound
    authentication (`outboundAuth.type` `OAUTH` or `API_KEY`).

    ### Why is this bad?
    The gateway requires outbound auth for OpenAPI targets: such a target fails to deploy
    or calls the API unauthenticated, and the usual workaround, a key in the agent's
    code or environment, is worse.

    ### Example
    ```json
    {"name": "Orders", "targetType": "openApiSchema"}
    ```

    ### Fix
    Register the API's credential and attach it:
    `agentcore add credential --name <name> --api-key <key>` then
    `agentcore add gateway-target … --type open-api-schema --outbound-auth api-key --credential-name <name>`.

    ### References
    - agents-harden skill, checklist "Gateway auth configured"; agents-connect skill
    """
    targets = [(g, t) for g in facts.project.gateways for t in g.targets if (t.target_type or "") == "openApiSchema"]
    if not targets:
        return not_applicable("no openApiSchema gateway targets")
    for gateway, target in targets:
        auth = (target.outbound_auth_type or "").upper()
        if auth not in _OUTBOUND_OK:
            shown = f"outboundAuth.type {auth}" if auth else "no outboundAuth"
            out.fail(
                f"OpenAPI target {target.name!r} of gateway {gateway.name!r} has {shown}: OAuth or API-key "
                "outbound auth is required",
                target.where.at("outboundAuth") if auth else target.where.here,
                subject=gateway.name,
                fix=located_edit(
                    target.where,
                    [("/outboundAuth", {"type": "API_KEY", "credentialName": "<credential-name>"})],
                    f"Give target {target.name} a registered credential.",
                    commands=[f"agentcore add credential --name {target.name}Key --api-key <key>"],
                ),
            )
        else:
            out.note(f"{gateway.name}/{target.name}: {auth}")
    return None


@rule(
    "GW007",
    "lambda-target-cold",
    "low",
    ("A", "P"),
    "Lambda gateway target without provisioned concurrency",
    family="Tool surface",
    aws=("gateways", "lambda"),
)
def lambda_target_cold(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For each Lambda function behind a gateway target (the project's `lambdaFunctionArn`
    targets and the deployed targets' `targetConfiguration.mcp.lambda.lambdaArn`), reads
    its provisioned-concurrency configurations (`ListProvisionedConcurrencyConfigs`) and
    warns when there is none.

    ### Why is this bad?
    Every tool call that lands on a cold Lambda adds its cold start (often seconds for
    Python with dependencies) to the agent's answer, on top of the model's own latency.

    ### Example
    A gateway target `lambdaFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:lookup`
    with no provisioned concurrency.

    ### Fix
    `aws lambda put-provisioned-concurrency-config --function-name <function> --qualifier <alias>
    --provisioned-concurrent-executions 2` for latency-sensitive tools (it costs while idle).

    ### References
    - agents-harden skill, "Initialization time" (Lambda targets behind Gateway)
    """
    from agentcore_readiness.checks.registry import skipped, unknown
    from agentcore_readiness.facts.aws import AwsFacts
    from agentcore_readiness.model import Location

    state = facts.aws("lambda")
    if not isinstance(state, AwsFacts):
        has_lambda = any(t.lambda_arn for g in facts.project.gateways for t in g.targets)
        return skipped(state) if has_lambda else not_applicable("no gateway target is a Lambda function")
    unknowns: list[str] = []
    if state.gateways.error is not None:
        unknowns.append(f"gateways: {state.gateways.error.describe()}")
    for gateway in state.gateways.value or ():
        if gateway.targets.error is not None:
            unknowns.append(f"targets of {gateway.label}: {gateway.targets.error.describe()}")
    if not state.provisioned_concurrency:
        if unknowns:
            return unknown("; ".join(unknowns))
        return not_applicable("no gateway target is a Lambda function")
    for function_arn, configs in sorted(state.provisioned_concurrency.items()):
        if configs.error is not None:
            unknowns.append(f"{function_arn}: {configs.error.describe()}")
        elif not configs.value:
            name = function_arn.split(":")[6] if function_arn.count(":") >= 6 else function_arn
            out.warn(
                f"Lambda target {name} has no provisioned concurrency: tool calls may wait for a cold start",
                Location(arn=function_arn),
                subject=name,
                fix=Fix(
                    summary="Keep warm instances of latency-sensitive tools (billed while idle).",
                    commands=[
                        f"aws lambda put-provisioned-concurrency-config --function-name {name} --qualifier <alias> "
                        "--provisioned-concurrent-executions 2"
                    ],
                ),
            )
        else:
            out.note(f"{function_arn}: {configs.value} provisioned-concurrency config(s)")
    if unknowns and not out.items:
        return unknown("; ".join(unknowns))
    return None


@rule(
    "GW001",
    "direct-http-tool-call",
    "medium",
    ("C",),
    "Direct HTTP call to an external REST API",
    family="Tool surface",
    reads=("runtime",),
    tools=("audit_code",),
)
def direct_http_tool_call(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Classifies every direct outbound call in agent code (`requests`, `httpx`,
    `aiohttp`, `urllib`, `urllib3`, `http.client`, and methods of clients built from
    them) by the skill's decision table, with the URL folded from literals and module
    constants. This rule warns for the row "External REST API used as a tool"
    (including API Gateway REST APIs) and names the `agentcore add gateway-target`
    command that replaces the call. The other rows: MCP servers (GW002), AWS services
    (GW003), A2A and streaming calls (allowed, GW004 checks their auth). Calls to the
    project's own gateway (`AGENTCORE_GATEWAY_*_URL`, a `*.gateway.bedrock-agentcore.*`
    URL, or a URL held in a name that says gateway) and to local addresses are not
    direct external calls. Nor are calls that are not tools: OAuth token requests (a
    `grant_type` form, a `/token` endpoint) and OIDC discovery or JWKS fetches, telemetry
    export (OTLP `/v1/traces`, Langfuse ingestion), and unauthenticated downloads of
    static files (a bare GET of a `.csv`, `.json`, `.parquet`, … path: no parameters, headers
    or body): there is no tool to
    expose and no credential for a gateway to broker. A measured latency hot path may
    stay direct: suppress the finding with the measurement as the reason.

    ### Why is this bad?
    The agent process holds the API's credential and any traceback or log line can leak
    it; the tool cannot be governed by gateway policies. A Gateway target injects the
    credential at the edge and makes the tool discoverable and policy-enforceable.

    ### Example
    ```python
    requests.get("https://api.weather.example.com/v1/forecast", headers={"X-Api-Key": key})
    ```

    ### Fix
    `agentcore add gateway-target --type open-api-schema --name WeatherApi --schema
    <openapi-spec.json> --gateway <gateway> --outbound-auth api-key --credential-name
    <credential>` (for API Gateway: `--type api-gateway --rest-api-id <id> --stage
    <stage>`), then call the tools through the gateway's MCP URL.

    ### References
    - agents-harden skill, "Tool surface: Prefer Gateway targets over direct HTTP in agent code"
    - agents-connect skill, Paths A and C
    """
    from agentcore_readiness.checks.code_rules import gw_rule

    return gw_rule(facts, out, "GW001")


@rule(
    "GW002",
    "direct-mcp-server-call",
    "medium",
    ("C",),
    "MCP server called directly from agent code",
    family="Tool surface",
    reads=("runtime",),
    tools=("audit_code",),
)
def direct_mcp_server_call(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each MCP client built on a literal remote URL in agent code
    (`streamablehttp_client(url)`, `sse_client(url)`, `MultiServerMCPClient({...
    "url": url})`, or raw HTTP to a `/mcp` path), the URL folded through module
    constants: the skill's row "MCP server called directly". The CLI's scaffolds
    ship one (`https://mcp.exa.ai/mcp`). MCP clients pointed at an AgentCore Gateway
    (`AGENTCORE_GATEWAY_*_URL`, a `*.gateway.bedrock-agentcore.*` URL) pass: that is the
    recommended path. Raw HTTP carrying an MCP JSON-RPC method (`tools/list`,
    `tools/call`) counts as an MCP call.

    ### Why is this bad?
    Every agent that uses the server needs its own connection and credentials, the tools
    escape gateway policies, and the server's endpoint is baked into the code.

    ### Example
    ```python
    MCPClient(lambda: streamablehttp_client("https://mcp.example.com/mcp"))
    ```

    ### Fix
    `agentcore add gateway-target --type mcp-server --name ExampleMcp --endpoint
    https://mcp.example.com/mcp --gateway <gateway>`, deploy, and build the MCP client
    on `os.environ["AGENTCORE_GATEWAY_<GATEWAY>_URL"]`.

    ### References
    - agents-harden skill, "Tool surface: Prefer Gateway targets over direct HTTP in agent code"
    - agents-connect skill, Paths A and C
    """
    from agentcore_readiness.checks.code_rules import gw_rule

    return gw_rule(facts, out, "GW002")


@rule(
    "GW003",
    "aws-service-over-http",
    "medium",
    ("C",),
    "AWS service called over raw HTTP",
    family="Tool surface",
    reads=("runtime",),
    tools=("audit_code",),
)
def aws_service_over_http(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails for each direct HTTP call in agent code to an AWS endpoint (`*.amazonaws.com`,
    `*.api.aws`): the skill's row "AWS service over HTTP". API Gateway REST APIs
    (`*.execute-api.*`) are REST targets (GW001), and calls to another AgentCore
    runtime are A2A calls (GW004).

    ### Why is this bad?
    Raw HTTP to an AWS API needs hand-made SigV4 signing with credentials the code has to
    hold, or it is unauthenticated; boto3 signs with the runtime's execution role and
    retries correctly.

    ### Example
    ```python
    httpx.get("https://my-bucket.s3.us-east-1.amazonaws.com/report.json")
    ```

    ### Fix
    Use the boto3 client (`boto3.client("s3").get_object(...)`) and grant the execution
    role only the actions it needs.

    ### References
    - agents-harden skill, "Tool surface: Prefer Gateway targets over direct HTTP in agent code"
    - agents-connect skill, Paths A and C
    """
    from agentcore_readiness.checks.code_rules import gw_rule

    return gw_rule(facts, out, "GW003")


@rule(
    "GW004",
    "a2a-call-without-token-provider",
    "medium",
    ("C",),
    "A2A or streaming call authenticated from environment variables",
    family="Tool surface",
    reads=("runtime",),
    tools=("audit_code",),
)
def a2a_call_without_token_provider(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    For the calls the skill allows to stay direct, the rows "Another agent over A2A"
    (`a2a.client`, agent cards, another AgentCore runtime over HTTPS, raw HTTP carrying
    the A2A JSON-RPC `message/send` or `message/stream`) and "Streaming
    service" (WebSocket, SSE, WebRTC), fails when the call's token or API key comes from
    an environment variable instead of `@requires_access_token` /
    `@requires_api_key` on the function.

    ### Why is this bad?
    A token in the runtime's environment is plaintext configuration that never
    refreshes; the decorator fetches a fresh token from AgentCore Identity at call time.

    ### Example
    ```python
    headers = {"Authorization": f"Bearer {os.environ['SPECIALIST_TOKEN']}"}
    ```

    ### Fix
    `agentcore add credential --name SpecialistA2A --type oauth --discovery-url <url>
    --client-id <id> --scopes <scope>`, then
    `@requires_access_token(provider_name="SpecialistA2A", scopes=[...], auth_flow="M2M")`
    on the calling function, using its `access_token` argument.

    ### References
    - agents-harden skill, "Tool surface: Prefer Gateway targets over direct HTTP in agent code"
    - agents-connect skill, Paths A and C
    """
    from agentcore_readiness.checks.code_rules import gw_rule

    return gw_rule(facts, out, "GW004")

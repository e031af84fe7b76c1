"""The tool surface: gateways and their targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore_readiness.checks.fixes import located_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.model import Fix

if TYPE_CHECKING:
    from agentcore_readiness.checks.tool_surface import Effect

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
    from agentcore_readiness.facts.aws.model import AwsFacts
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
    from agentcore_readiness.checks.code_rule_bodies import gw_rule

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
    from agentcore_readiness.checks.code_rule_bodies import gw_rule

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
    from agentcore_readiness.checks.code_rule_bodies import gw_rule

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
    from agentcore_readiness.checks.code_rule_bodies import gw_rule

    return gw_rule(facts, out, "GW004")


def _effects_text(effects: tuple[Effect, ...] | list[Effect], limit: int = 4) -> str:
    shown = [f"{e.detail} ({e.path}:{e.line})" for e in effects[:limit]]
    more = f" and {len(effects) - limit} more" if len(effects) > limit else ""
    return ", ".join(shown) + more


def _changes(effects: tuple[Effect, ...]) -> list[Effect]:
    from agentcore_readiness.checks.tool_surface import changes

    return changes(effects)


@rule(
    "GW008",
    "mutating-tools-unguarded",
    "high",
    ("C", "P"),
    "Tools that change or delete data given to the model without a policy engine or approval",
    family="Tool surface",
    checklist=("res.policy",),
    reads=("runtime", "target"),
    tools=("audit_code",),
)
def mutating_tools_unguarded(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Lists the tools each runtime gives its model (`@tool`, `@function_tool`, `@mcp.tool()`,
    `BaseTool` subclasses, `strands_tools` such as `use_aws` and `shell`, the AWS API MCP
    server's `call_aws`) and what each touches, following the tool into the project's
    functions it calls: AWS operations (classed by their name as botocore names them:
    `Get`/`List`/`Describe`/`Search`… read, `Put`/`Create`/`Update`/`Delete`/`Send`/`Start`…
    change), HTTP methods, subprocesses, SQL and MongoDB writes. A tool that deletes,
    terminates, runs a subprocess or passes any AWS operation through fails, one that
    otherwise changes data warns, unless the runtime has an approval step: a LangGraph
    `interrupt()`/`interrupt_before`, a Strands interrupt or a hook setting `cancel_tool`,
    an MCP elicitation, `needs_approval`. For gateway targets whose code is in the project,
    the same holds unless the gateway has a policy engine in `ENFORCE` mode with an active
    policy.

    ### Why is this bad?
    The model decides when to call a tool, from text a user or a retrieved document can
    shape. A prompt injection, or a plain misunderstanding, can then delete records, stop
    instances or run commands with the runtime's role. An approval step or a Cedar policy
    that the gateway enforces keeps a person or a rule between the model and the change.

    ### Example
    ```python
    @tool
    def close_account(account_id: str) -> str:
        accounts.delete_item(Key={"id": account_id})
    ```

    ### Fix
    Put the tool behind an AgentCore Gateway with a policy engine in `ENFORCE` mode (Cedar
    `permit` rules naming who may call it and with which arguments), or stop for a person
    before it runs (a Strands interrupt in a `BeforeToolCallEvent` hook, LangGraph
    `interrupt()`), or give the model a read-only variant and keep the change in the
    application.

    ### References
    - agents-harden skill, "Policy engine (if restricting tool access)"; agents-connect skill, gateway policies
    """
    from agentcore_readiness.checks.code_rule_helpers import emit, without_code
    from agentcore_readiness.checks.tool_surface import runtime_tools

    verdict = without_code(facts, "runtime")
    if verdict is not None:
        return verdict
    assert facts.code is not None
    seen_any = False
    for runtime in facts.project.runtimes:
        surface = runtime_tools(facts.code, facts.project, runtime.name)
        quiet = [t.name for t in surface.tools if not _changes(t.effects) or t.kind == "MCP client"]
        if quiet:
            out.note(f"{runtime.name}: {', '.join(quiet)} change nothing the code shows")
        for tool in surface.tools:
            seen_any = True
            changes = _changes(tool.effects)
            if not changes or tool.kind == "MCP client":
                continue
            if surface.approvals:
                path, line, what = surface.approvals[0]
                out.note(f"{tool.name}() changes data; approval step: {what} ({path}:{line})")
                continue
            py_file = facts.code.file(tool.path)
            if py_file is None:
                continue
            destructive = any(e.destructive for e in changes)
            verb = "deletes data, runs commands or passes any operation through" if destructive else "changes data"
            emit(
                out,
                "fail" if destructive else "warn",
                py_file,
                tool.line,
                f"{tool.kind} {tool.name} of runtime {runtime.name} {verb} ({_effects_text(changes)}) and the model "
                "may call it with no policy engine or approval step in between",
                subject=runtime.name,
                evidence="touches: " + _effects_text(tool.effects, 8),
                fix=Fix(
                    summary="Serve the tool through an AgentCore Gateway whose policy engine is in ENFORCE mode "
                    "(Cedar rules on who may call it, with which arguments), or stop for a person before it runs "
                    "(a Strands interrupt in a BeforeToolCallEvent hook, LangGraph interrupt()), or give the model a "
                    "read-only variant.",
                    commands=["agentcore add policy-engine --name <Name>", "agentcore deploy"],
                ),
            )
    _gateway_targets(facts, out)
    if not seen_any and not out.items:
        out.note("no tool given to a model in the runtimes' code")
    return None


def _gateway_targets(facts: Facts, out: Findings) -> None:
    """Targets of gateways without an enforcing policy engine whose own code changes data."""
    from agentcore_readiness.checks.tool_surface import EffectFinder, policy_engine_enforcing
    from agentcore_readiness.facts.code.callflow import Target, code_map

    assert facts.code is not None
    finder = EffectFinder(code_map(facts.code, facts.project))
    for gateway in facts.project.gateways:
        enforcing = policy_engine_enforcing(facts.project, gateway)
        for target in gateway.targets:
            changes: list[Effect] = []
            for py_file in facts.code.facts_of("target"):
                if not any(py_file.path.startswith(loc.rstrip("/") + "/") for loc in target.code_locations):
                    continue
                handler = py_file.facts.signals.lambda_handler
                names = {handler[0]} if handler else {f.name for f in py_file.functions if f.class_name is None}
                for function in py_file.functions:
                    if function.name in names and function.class_name is None:
                        changes.extend(_changes(finder.of_function(Target(py_file, function))))
            if not changes:
                continue
            if enforcing:
                out.note(
                    f"gateway {gateway.name} target {target.name} changes data; policy engine "
                    f"{gateway.policy_engine_name} enforces"
                )
                continue
            destructive = any(e.destructive for e in changes)
            engine = (
                f"its policy engine {gateway.policy_engine_name} is in {gateway.policy_engine_mode or 'no'} mode"
                if gateway.policy_engine_name
                else "it has no policy engine"
            )
            out.add(
                "fail" if destructive else "warn",
                f"gateway {gateway.name} target {target.name} changes data ({_effects_text(changes)}) and {engine}",
                target.where.here,
                subject=gateway.name,
                fix=Fix(
                    summary=f"Attach a policy engine to gateway {gateway.name} in ENFORCE mode with Cedar rules for "
                    f"the tools of {target.name}.",
                    commands=["agentcore add policy-engine --name <Name>", "agentcore deploy"],
                ),
            )

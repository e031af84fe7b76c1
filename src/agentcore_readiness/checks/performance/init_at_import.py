"""Import-time initialisation (PERF006)."""

from __future__ import annotations

from agentcore_readiness.checks.importtime import getter_name, import_time_work
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.model import Fix, Location
from agentcore_readiness.textsafe import excerpt


@rule(
    "PERF006",
    "import-time-initialization",
    "medium",
    ("C",),
    "Heavy initialisation at import time",
    family="Performance",
    checklist=("perf.deferred",),
    reads=("runtime",),
    tools=("audit_code", "audit_cold_start"),
)
def import_time_initialization(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Looks at every statement of the agent's modules that runs at import (not inside a
    function, not under `if __name__ == "__main__":`) and warns when it builds a client,
    model, database connection or MCP client: `boto3.client`/`resource`, `create_engine`,
    DB `connect`, `MCPClient(`, `MultiServerMCPClient(`, `streamablehttp_client(`,
    `SentenceTransformer(`, `from_pretrained(`, `torch.load`, `requests.get`, a Bedrock
    model client … It follows calls into the agent's own functions, in any of its files,
    so `mcp_clients = [get_mcp_client()]` is found when `get_mcp_client` builds one. The
    fix rewrites the statement found into a lazy getter.

    ### Why is this bad?
    Everything done at import runs before the agent can answer its first request, on
    every cold start, and a failure there (a network hiccup, a missing variable) kills
    the whole process instead of one request.

    ### Example
    ```python
    mcp_clients = [get_streamable_http_mcp_client()]
    ```

    ### Fix
    Build it on first use:
    ```python
    _mcp_clients = None

    def get_mcp_clients():
        global _mcp_clients
        if _mcp_clients is None:
            _mcp_clients = [get_streamable_http_mcp_client()]
        return _mcp_clients
    ```
    and call `get_mcp_clients()` where `mcp_clients` was used.

    ### References
    - agents-harden skill, "Defer heavy initialization"
    """
    if facts.code is None:
        return unknown("the code index was not built")
    files = list(facts.code.of_role("runtime"))
    if not files:
        return not_applicable("no agent code")
    for work in import_time_work(facts.code, facts.project):
        heavy, name, uses = work.heavy, work.name, work.uses
        chain = " → ".join(heavy.chain)
        replace = (
            f" and call `{getter_name(name)}()` where `{name}` is used"
            + (
                f" (module-level uses at line(s) {', '.join(map(str, uses))} must move into the getter or "
                "the request path)"
                if uses
                else ""
            )
            if name
            else " and call `_initialize()` at the start of the entrypoint"
        )
        out.warn(
            f"{work.path}:{work.line} builds {heavy.what} at import time ({chain}): it runs before the "
            "first request on every cold start",
            Location(path=work.path, line=work.line),
            subject=work.runtime,
            evidence=work.evidence,
            fix=Fix(
                summary=f"Defer it to first use: replace the statement with a lazy getter{replace}:\n"
                + excerpt(work.getter, 1200),
            ),
        )
    if not out.items:
        out.note(f"{len(files)} agent file(s): nothing heavy built at import")
    return None

"""The ``agentcore-readiness`` command line: the MCP tools for terminals and CI.

Exit codes of ``check``: 0 when no finding at or above ``--fail-on`` fails, 1 when one
does, 2 on a usage or input error, 3 when the tool itself failed (never read as findings).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Sequence

from agentcore_readiness import __version__

SEVERITIES = ("critical", "high", "medium", "low", "info")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentcore-readiness",
        description="Production-readiness review for AWS Bedrock AgentCore agents (MCP server and CLI).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="run the MCP server",
        description="Run the MCP server. Defaults can also come from the environment (for containers): "
        "AGENTCORE_READINESS_TRANSPORT, _HOST, _PORT, _STATELESS=1 and _ROOTS (os.pathsep-separated).",
    )
    serve.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default=os.environ.get("AGENTCORE_READINESS_TRANSPORT", "stdio"),
        help="stdio (default; what MCP clients launch) or streamable HTTP",
    )
    serve.add_argument(
        "--host", default=os.environ.get("AGENTCORE_READINESS_HOST", "127.0.0.1"), help="HTTP bind address"
    )
    serve.add_argument(
        "--port", type=int, default=int(os.environ.get("AGENTCORE_READINESS_PORT", "8000")), help="HTTP port"
    )
    serve.add_argument(
        "--stateless",
        action="store_true",
        default=os.environ.get("AGENTCORE_READINESS_STATELESS", "").lower() in ("1", "true", "yes"),
        help="stateless HTTP, for horizontal scaling",
    )
    serve.add_argument(
        "--root",
        action="append",
        default=[r for r in os.environ.get("AGENTCORE_READINESS_ROOTS", "").split(os.pathsep) if r],
        metavar="DIR",
        help="only read projects under DIR (repeatable); default: the client's MCP roots, else "
        "everything over stdio and the working directory over HTTP",
    )
    serve.add_argument(
        "--oauth-issuer", default=None, metavar="URL", help="HTTP: accept JWT access tokens of this OAuth/OIDC issuer"
    )
    serve.add_argument("--oauth-audience", default=None, help="HTTP: the audience those tokens must carry")
    serve.add_argument(
        "--required-scope",
        action="append",
        default=[],
        metavar="SCOPE",
        help="HTTP: a scope every token must carry (repeatable)",
    )
    serve.add_argument(
        "--trust-proxy-auth",
        action="store_true",
        help="HTTP: callers are authenticated in front of this server (AgentCore Runtime, a gateway)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="HTTP: accepted Host header (repeatable; enables DNS-rebinding protection)",
    )
    serve.add_argument(
        "--allowed-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="HTTP: accepted Origin header (repeatable)",
    )
    serve.add_argument("--public-url", default=None, help="HTTP: the URL clients use, e.g. https://host/mcp")
    serve.add_argument("--max-request-bytes", type=int, default=1_048_576, help="HTTP: request body limit")
    serve.add_argument(
        "--allow-measure-imports",
        action="store_true",
        default=os.environ.get("AGENTCORE_READINESS_ALLOW_MEASURE_IMPORTS", "").lower() in ("1", "true", "yes"),
        help="let clients time entrypoint imports (PERF007, measure_imports=true), which runs the reviewed "
        "project's code in a child process with an empty environment; off by default",
    )
    serve.add_argument(
        "--request-timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="time limit of one tool call's review (default 120); what was not reviewed is reported as unknown",
    )
    serve.add_argument(
        "--read-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="HTTP: a connection must deliver each request (headers and body) within this time (default 10)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=256,
        help="HTTP: open connections at once (default 256); at the limit a new one replaces the longest-waiting "
        "idle or trickling connection, or gets 503",
    )
    serve.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING (default) or ERROR; logs go to stderr")

    check = sub.add_parser("check", help="review a project and print the report")
    check.add_argument("path", help="project directory, a file inside it, or a repository of projects")
    check.add_argument("--format", choices=("markdown", "json", "sarif"), default="markdown")
    check.add_argument("--select", type=_codes, default=[], help="only these rule codes or prefixes (comma-separated)")
    check.add_argument("--ignore", type=_codes, default=[], help="skip these rule codes or prefixes (comma-separated)")
    check.add_argument(
        "--fail-on",
        choices=(*SEVERITIES, "never"),
        default=None,
        help="exit 1 when a finding of this severity or above fails (default high)",
    )
    check.add_argument(
        "--workload",
        choices=("interactive", "request-reply", "batch", "background"),
        default=None,
        help="workload shape for the session-lifecycle rules",
    )
    check.add_argument(
        "--measure-imports",
        action="store_true",
        help="time the import of each entrypoint (PERF007); runs the agent's code in a separate process",
    )
    check.add_argument(
        "--aws",
        action="store_true",
        help="also run the AWS rules with read-only API calls (credentials from the AWS environment or profile)",
    )
    check.add_argument(
        "--region", default=None, help="AWS region (default: the project's deployment target, then AWS_REGION)"
    )
    check.add_argument(
        "--runtime-arn",
        dest="runtime_arns",
        action="append",
        default=[],
        metavar="ARN",
        help="review this deployed runtime (repeatable; implies --aws)",
    )
    check.add_argument(
        "--all-runtimes", action="store_true", help="review every runtime of the region (fleet review; implies --aws)"
    )
    check.add_argument("--output", "-o", default=None, help="write the report to this file instead of stdout")
    check.add_argument(
        "--time-limit",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="stop reviewing after this long (default 300); what was not reviewed is reported as unknown",
    )

    tool = sub.add_parser(
        "tool",
        help="call any MCP tool from the command line and print its JSON result",
        description="Call an MCP tool by name. Arguments are NAME=VALUE (VALUE is parsed as JSON when it "
        "can be, else taken as text); NAME=@FILE reads the value from a file and NAME=@- from standard input, "
        "so tokens never appear on the command line. Without a tool name, lists the tools.",
    )
    tool.add_argument("name", nargs="?", help="the tool, e.g. diagnose_jwt_403")
    tool.add_argument("arguments", nargs="*", metavar="NAME=VALUE")
    sub.add_parser("rules", help="list the rules")
    explain = sub.add_parser("explain", help="explain a rule")
    explain.add_argument("code", help="rule code, e.g. AUTH003")
    return parser


def _fails_at(report: object, threshold: str) -> bool:
    from agentcore_readiness.model import SEVERITY_ORDER, Report

    assert isinstance(report, Report)
    if threshold == "never":
        return False
    floor = SEVERITY_ORDER[threshold]
    return any(f.level == "fail" and SEVERITY_ORDER[f.severity] >= floor for f in report.findings())


def _render(report: object, fmt: str) -> str:
    from agentcore_readiness.model import Report

    assert isinstance(report, Report)
    if fmt == "json":
        from agentcore_readiness.render.json import render_json

        return render_json(report)
    if fmt == "sarif":
        from agentcore_readiness.render.sarif import render_sarif

        return render_sarif(report)
    from agentcore_readiness.render.checklist import checklist_for_report
    from agentcore_readiness.render.summary import render_summary

    return render_summary(report) + "\n" + checklist_for_report(report).markdown


def _stderr_progress() -> Callable[[int, int], None] | None:
    """A progress line on stderr for long AWS scans, when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rreading AWS: {done}/{total}" + ("\n" if done >= total else ""))
        sys.stderr.flush()

    return show


def _cmd_check(args: argparse.Namespace) -> int:
    from agentcore_readiness.budget import Budget, request_budget
    from agentcore_readiness.engine import InputError
    from agentcore_readiness.tools.review import run_review

    if not args.time_limit > 0:
        print("agentcore-readiness: error: --time-limit must be positive", file=sys.stderr)
        return EXIT_USAGE
    try:
        with request_budget(Budget(seconds=args.time_limit)):
            report = run_review(
                args.path,
                args.select,
                args.ignore,
                args.workload,
                measure_imports=args.measure_imports,
                aws=args.aws or bool(args.region),
                region=args.region,
                runtime_arns=args.runtime_arns,
                all_runtimes=args.all_runtimes,
                progress=_stderr_progress() if (args.aws or args.runtime_arns or args.all_runtimes) else None,
            )
    except InputError as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from agentcore_readiness.textsafe import sanitize_model

    text = _render(sanitize_model(report), args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text if text.endswith("\n") else text + "\n")
        except OSError as exc:
            print(f"agentcore-readiness: error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_FINDINGS if _fails_at(report, args.fail_on or "high") else EXIT_OK


def _use_the_system_allocator() -> None:
    """Restart this process with ``PYTHONMALLOC=malloc`` (Linux, unless already set).

    Python's own small-object allocator returns memory to the system only in whole 1 MiB
    arenas, so the few objects that outlive a large review keep most of its peak resident
    for good; with the C allocator, the pages a review freed are handed back after it
    (``malloc_trim``), and a long-running server returns to its baseline memory.
    """
    if sys.platform != "linux" or "PYTHONMALLOC" in os.environ:
        return
    os.environ["PYTHONMALLOC"] = "malloc"
    try:
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])  # noqa: S606 - this same command again
    except OSError:
        return  # keep serving with the default allocator


def _cmd_serve(args: argparse.Namespace) -> int:
    _use_the_system_allocator()
    from agentcore_readiness.server.app import run
    from agentcore_readiness.server.security import InsecureBind
    from agentcore_readiness.settings import Settings

    settings = Settings(
        transport=args.transport,
        host=args.host,
        port=args.port,
        stateless_http=args.stateless,
        roots=tuple(args.root),
        log_level=args.log_level,
        oauth_issuer=args.oauth_issuer,
        oauth_audience=args.oauth_audience,
        required_scopes=tuple(args.required_scope),
        allowed_hosts=tuple(args.allowed_host),
        allowed_origins=tuple(args.allowed_origin),
        public_url=args.public_url,
        max_request_bytes=args.max_request_bytes,
        allow_measure_imports=args.allow_measure_imports,
        request_seconds=args.request_timeout,
        read_timeout=args.read_timeout,
        max_connections=args.max_connections,
    )
    if args.trust_proxy_auth:
        settings = dataclasses.replace(settings, trust_proxy_auth=True)
    try:
        run(settings)
    except InsecureBind as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _tool_specs() -> dict[str, object]:
    import importlib

    from agentcore_readiness import tools

    specs: dict[str, object] = {}
    for module_name in tools.TOOL_MODULES:
        module = importlib.import_module(f"agentcore_readiness.tools.{module_name}")
        for spec in module.TOOLS:
            specs[spec.name] = spec
    return specs


def _tool_argument(raw: str) -> tuple[str, object]:
    import json

    name, sep, value = raw.partition("=")
    if not sep or not name:
        raise ValueError(f"tool arguments are NAME=VALUE, got {raw!r}")
    if value.startswith("@"):
        source = value[1:]
        data = sys.stdin.buffer.read() if source == "-" else open(source, "rb").read()  # noqa: SIM115
        return name, data.decode("utf-8", errors="replace").strip()
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def _cmd_tool(name: str | None, raw_arguments: list[str]) -> int:
    import anyio
    from pydantic import BaseModel, ValidationError

    from agentcore_readiness.engine import InputError
    from agentcore_readiness.textsafe import sanitize_model

    specs = _tool_specs()
    if name is None:
        for spec_name, spec in specs.items():
            doc = " ".join((getattr(spec, "fn").__doc__ or "").split())  # noqa: B009
            print(f"{spec_name:24} {doc.split('. ')[0][:100]}")
        return EXIT_OK
    spec = specs.get(name)
    if spec is None:
        print(
            f"agentcore-readiness: error: unknown tool {name!r}; list them with `agentcore-readiness tool`",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        kwargs = dict(_tool_argument(raw) for raw in raw_arguments)
    except (ValueError, OSError) as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from pydantic import validate_call

    fn = validate_call(getattr(spec, "fn"))  # noqa: B009

    async def call() -> object:
        return await fn(**kwargs)

    try:
        result = anyio.run(call)
    except InputError as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ValidationError, TypeError) as exc:
        detail = exc.errors(include_input=False) if isinstance(exc, ValidationError) else str(exc)
        print(f"agentcore-readiness: error: bad arguments for {name}: {detail}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(result, BaseModel):
        print(sanitize_model(result).model_dump_json(indent=2, exclude_none=True))
    else:
        print(result)
    return EXIT_OK


def _cmd_rules() -> int:
    from agentcore_readiness.tools.rules import catalog

    for meta in catalog().rules:
        print(f"{meta.code:8} {meta.severity:8} {''.join(meta.inputs):4} {meta.name:40} {meta.title}")
    return EXIT_OK


def _cmd_explain(code: str) -> int:
    from agentcore_readiness.engine import InputError
    from agentcore_readiness.tools.rules import explain

    try:
        meta = explain(code)
    except InputError as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{meta.code} {meta.name} ({meta.severity}; inputs {', '.join(meta.inputs)})")
    print(meta.title)
    print()
    print(meta.doc)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from agentcore_readiness.log import configure

    configure(getattr(args, "log_level", None))
    try:
        return _dispatch(parser, args)
    except Exception as exc:  # noqa: BLE001 - a crash must not read as "findings" (exit 1) nor print a traceback
        from agentcore_readiness.log import get_logger

        get_logger(__name__).debug("internal error", exc_info=True)
        print(f"agentcore-readiness: internal error ({type(exc).__name__}); the review did not finish", file=sys.stderr)
        return EXIT_INTERNAL


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _cmd_serve(args)
    if args.command == "check":
        return _cmd_check(args)
    if args.command == "tool":
        return _cmd_tool(args.name, args.arguments)
    if args.command == "rules":
        return _cmd_rules()
    if args.command == "explain":
        return _cmd_explain(args.code)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

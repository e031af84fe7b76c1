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
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from agentcore_readiness import __version__

if TYPE_CHECKING:
    from agentcore_readiness.config import ConfigChoice
    from agentcore_readiness.finalize import Baseline
    from agentcore_readiness.model import Report

SEVERITIES = ("critical", "high", "medium", "low", "info")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def _names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _add_time_limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--time-limit",
        type=_positive_seconds,
        default=300.0,
        metavar="SECONDS",
        help="stop reviewing after this long (default 300); what was not reviewed is reported as unknown",
    )


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError("must be positive")
    return seconds


def _add_scope_options(parser: argparse.ArgumentParser) -> None:
    from agentcore_readiness.scope import ScopeLimits

    limits = ScopeLimits.from_env()
    parser.add_argument(
        "--max-projects",
        type=_positive,
        default=limits.max_projects,
        metavar="N",
        help=f"refuse a path holding more projects (default {limits.max_projects}; AGENTCORE_READINESS_MAX_PROJECTS)",
    )
    parser.add_argument(
        "--max-files",
        type=_positive,
        default=limits.max_files,
        metavar="N",
        help=f"refuse projects holding more files (default {limits.max_files:,}; AGENTCORE_READINESS_MAX_FILES)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentcore-readiness",
        description="Production-readiness review for AWS Bedrock AgentCore agents (MCP server and CLI).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_serve_command(sub)
    _add_check_command(sub)
    _add_fix_command(sub)
    _add_tool_command(sub)
    _add_map_command(sub)
    sub.add_parser("rules", help="list the rules")
    explain = sub.add_parser("explain", help="explain a rule")
    explain.add_argument("code", help="rule code, e.g. AUTH003")
    return parser


def _add_serve_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the MCP server",
        description="Run the MCP server. Defaults can also come from the environment (for containers): "
        "AGENTCORE_READINESS_TRANSPORT, _HOST, _PORT, _STATELESS=1 and _ROOTS (os.pathsep-separated).",
    )
    _add_serve_transport_arguments(serve)
    _add_serve_exposure_arguments(serve)
    _add_scope_options(serve)
    _add_serve_http_arguments(serve)
    _add_serve_review_arguments(serve)


def _add_serve_transport_arguments(serve: argparse.ArgumentParser) -> None:
    """How clients reach the server: stdio, or HTTP on a host and port."""
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


def _add_serve_exposure_arguments(serve: argparse.ArgumentParser) -> None:
    """What the server may read and which of its tools it offers."""
    serve.add_argument(
        "--root",
        action="append",
        default=[r for r in os.environ.get("AGENTCORE_READINESS_ROOTS", "").split(os.pathsep) if r],
        metavar="DIR",
        help="only read projects under DIR (repeatable; default: the working directory); a client's MCP roots "
        "narrow this further, never widen it",
    )
    serve.add_argument(
        "--toolsets",
        type=_names,
        default=_names(os.environ.get("AGENTCORE_READINESS_TOOLSETS", "")),
        metavar="NAMES",
        help="expose only these toolsets (comma-separated): all (default), review (review_project alone), "
        "checklist, rules, auth, iam, observability, sessions, performance, code",
    )
    serve.add_argument(
        "--tools",
        type=_names,
        default=_names(os.environ.get("AGENTCORE_READINESS_TOOLS", "")),
        metavar="NAMES",
        help="expose only these tools (comma-separated), besides those of --toolsets",
    )


def _add_serve_http_arguments(serve: argparse.ArgumentParser) -> None:
    """Who may call the HTTP transport, and from where."""
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


def _add_serve_review_arguments(serve: argparse.ArgumentParser) -> None:
    """How each tool call's review runs, its time and connection limits, and logging."""
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
    serve.add_argument(
        "--no-project-config",
        action="store_true",
        default=os.environ.get("AGENTCORE_READINESS_NO_PROJECT_CONFIG", "").lower() in ("1", "true", "yes"),
        help="ignore the reviewed projects' own [tool.agentcore-readiness] settings (select, ignore, exclude, "
        "accept): every rule runs on every file",
    )


def _add_check_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser("check", help="review projects and print the report")
    check.add_argument(
        "paths", nargs="+", metavar="PATH", help="project directory, a file inside it, or a repository of projects"
    )
    check.add_argument(
        "--format",
        choices=("markdown", "json", "sarif", "github"),
        default="markdown",
        help="markdown (default), json, sarif (code scanning) or github (workflow annotations)",
    )
    check.add_argument("--select", type=_codes, default=[], help="only these rule codes or prefixes (comma-separated)")
    check.add_argument("--ignore", type=_codes, default=[], help="skip these rule codes or prefixes (comma-separated)")
    _config_arguments(check)
    check.add_argument(
        "--baseline",
        default=None,
        metavar="FILE",
        help="findings recorded in FILE are reported as suppressed; only new ones fail",
    )
    check.add_argument(
        "--write-baseline",
        action="store_true",
        help="record every current finding in the --baseline FILE (and exit 0)",
    )
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
    _add_aws_arguments(check)
    check.add_argument("--output", "-o", default=None, help="write the report to this file instead of stdout")
    _add_time_limit(check)
    _add_scope_options(check)


def _add_aws_arguments(check: argparse.ArgumentParser) -> None:
    """The read-only AWS review: whether it runs, in which region, and of which runtimes."""
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


def _add_fix_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fix = sub.add_parser(
        "fix",
        help="apply the fixes a review proposes (config patches, ignore-file lines) and show the diff",
        description="Review, then apply every fix that needs no input of yours: JSON Patches on "
        "agentcore/agentcore.json (or .bedrock_agentcore.yaml) and lines added to .gitignore/.dockerignore. "
        "Prints a unified diff, then reviews again and says which findings are gone.",
    )
    fix.add_argument("paths", nargs="+", metavar="PATH", help="project directory, a file inside it, or a repository")
    fix.add_argument("--select", type=_codes, default=[], help="only fix findings of these rule codes or prefixes")
    fix.add_argument("--dry-run", action="store_true", help="print the diff without changing any file")
    _config_arguments(fix)
    _add_scope_options(fix)
    _add_time_limit(fix)


def _add_tool_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tool = sub.add_parser(
        "tool",
        help="call any MCP tool from the command line and print its result",
        description="Call an MCP tool by name and print its structured content as JSON (--text: the markdown "
        "text an MCP client gets). Arguments are NAME=VALUE (VALUE is parsed as JSON when it can be, else "
        "taken as text); NAME=@FILE reads the value from a file and NAME=@- from standard input, so tokens "
        "never appear on the command line. Without a tool name, lists the tools.",
    )
    tool.add_argument("--text", action="store_true", help="print the markdown text instead of the JSON")
    tool.add_argument("name", nargs="?", help="the tool, e.g. diagnose_jwt_403")
    tool.add_argument("arguments", nargs="*", metavar="NAME=VALUE")
    _add_scope_options(tool)


def _add_map_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    project_map = sub.add_parser(
        "map",
        help="map each runtime (entrypoint, modules, tools and what they touch, models, memory, identity, callers)",
        description="Print the project map: for each runtime, every item a reviewer must read, with file:line.",
    )
    project_map.add_argument("path", metavar="PATH", help="project directory, a file inside it, or a repository")
    project_map.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or the structured map as JSON"
    )
    _add_scope_options(project_map)


def _config_arguments(command: argparse.ArgumentParser) -> None:
    group = command.add_mutually_exclusive_group()
    group.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="take [tool.agentcore-readiness] from FILE (a pyproject.toml or agentcore-readiness.toml) instead of "
        "the nearest one from each project up to the repository root",
    )
    group.add_argument(
        "--no-project-config",
        action="store_true",
        help="ignore the projects' own configuration (select, ignore, exclude, accept)",
    )


def _config_choice(args: argparse.Namespace) -> ConfigChoice | None:
    """The configuration choice of ``--config``/``--no-project-config``; raises InputError for a bad file."""
    from pathlib import Path

    from agentcore_readiness.config import ConfigChoice, ConfigError, check_config_file
    from agentcore_readiness.engine import InputError

    if args.no_project_config:
        return ConfigChoice(mode="none")
    if args.config:
        try:
            check_config_file(Path(args.config))
        except ConfigError as exc:
            raise InputError(f"--config {args.config}: {exc}") from None
        return ConfigChoice(mode="file", file=Path(args.config))
    return None


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
    if fmt == "github":
        from agentcore_readiness.render.github import render_github

        return render_github(report)
    from agentcore_readiness.render.summary import render_summary

    return render_summary(report)


def _stderr_progress() -> Callable[[int, int], None] | None:
    """A progress line on stderr for long AWS scans, when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rreading AWS: {done}/{total}" + ("\n" if done >= total else ""))
        sys.stderr.flush()

    return show


def _limits(args: argparse.Namespace) -> AbstractContextManager[None]:
    from agentcore_readiness.scope import ScopeLimits, scope_limits

    return scope_limits(ScopeLimits(args.max_projects, args.max_files))


def _cmd_check(args: argparse.Namespace) -> int:
    from agentcore_readiness.baseline import BaselineError, read_baseline, write_baseline
    from agentcore_readiness.engine import InputError
    from agentcore_readiness.textsafe import sanitize_model

    if args.write_baseline and not args.baseline:
        print("agentcore-readiness: error: --write-baseline needs --baseline FILE", file=sys.stderr)
        return EXIT_USAGE
    try:
        baseline = read_baseline(args.baseline) if args.baseline and not args.write_baseline else None
        report = _review(args, args.select, baseline)
    except (InputError, BaselineError) as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = sanitize_model(report)
    if args.write_baseline:
        try:
            count = write_baseline(report, args.baseline)
        except OSError as exc:
            print(f"agentcore-readiness: error: cannot write {args.baseline}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"agentcore-readiness: wrote {count} finding(s) to the baseline {args.baseline}", file=sys.stderr)
    text = _render(report, args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text if text.endswith("\n") else text + "\n")
        except OSError as exc:
            print(f"agentcore-readiness: error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if args.write_baseline:
        return EXIT_OK
    return EXIT_FINDINGS if _fails_at(report, args.fail_on or "high") else EXIT_OK


def _review(args: argparse.Namespace, select: list[str], baseline: Baseline | None = None) -> Report:
    """Run the review the command's arguments describe, within its time limit (InputError on bad input)."""
    from agentcore_readiness.budget import DEFAULT_SECONDS, Budget, request_budget
    from agentcore_readiness.tools.review import run_review

    aws_args = getattr(args, "aws", False) or bool(getattr(args, "region", None))
    runtime_arns = getattr(args, "runtime_arns", [])
    all_runtimes = getattr(args, "all_runtimes", False)
    with _limits(args), request_budget(Budget(seconds=getattr(args, "time_limit", DEFAULT_SECONDS))):
        return run_review(
            args.paths[0],
            select,
            getattr(args, "ignore", []),
            getattr(args, "workload", None),
            measure_imports=getattr(args, "measure_imports", False),
            aws=aws_args,
            region=getattr(args, "region", None),
            runtime_arns=runtime_arns,
            all_runtimes=all_runtimes,
            progress=_stderr_progress() if (aws_args or runtime_arns or all_runtimes) else None,
            more_paths=args.paths[1:],
            config=_config_choice(args),
            baseline=baseline,
        )


def _cmd_fix(args: argparse.Namespace) -> int:
    from agentcore_readiness.autofix import plan_fixes
    from agentcore_readiness.engine import InputError
    from agentcore_readiness.textsafe import mask_secrets, strip_invisible

    try:
        report = _review(args, args.select)
    except InputError as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    plan = plan_fixes(report, args.select)
    sys.stdout.write(mask_secrets(strip_invisible(plan.diff())))
    verb = "Would fix" if args.dry_run else "Fixed"
    print(f"{verb} {len(plan.applied)} finding(s) in {len(plan.files)} file(s).")
    for finding in plan.applied:
        print(f"  {finding.rule} {finding.location.display()}: {_safe(finding.message)}")
    if plan.skipped:
        print(f"Not fixed automatically ({len(plan.skipped)}):")
        for finding, why in plan.skipped:
            print(f"  {finding.rule} {finding.location.display()}: {why}")
    if args.dry_run or not plan.files:
        return EXIT_OK
    try:
        plan.write()
    except OSError as exc:
        print(f"agentcore-readiness: error: cannot write the fixes: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    after = _review(args, args.select)
    remaining = {f.fingerprint for f in after.findings()}
    still = [f for f in plan.applied if f.fingerprint in remaining]
    print(f"A new review finds {len(plan.applied) - len(still)} of the {len(plan.applied)} fixed finding(s) gone.")
    for finding in still:
        print(f"  still reported: {finding.rule} {finding.location.display()}: {_safe(finding.message)}")
    return EXIT_OK


def _safe(text: str) -> str:
    from agentcore_readiness.textsafe import excerpt

    return excerpt(text, 300)


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


def _cmd_serve(args: argparse.Namespace, from_command_line: bool = False) -> int:
    if from_command_line:  # a caller that passes its own arguments keeps its process
        _use_the_system_allocator()
    from agentcore_readiness.server.app import run
    from agentcore_readiness.server.security import InsecureBind
    from agentcore_readiness.settings import Settings
    from agentcore_readiness.tools import UnknownToolNames, chosen_tools

    try:
        chosen_tools(tuple(args.tools), tuple(args.toolsets))
    except UnknownToolNames as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

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
        tools=tuple(args.tools),
        toolsets=tuple(args.toolsets),
        max_projects=args.max_projects,
        max_files=args.max_files,
    )
    if args.trust_proxy_auth:
        settings = dataclasses.replace(settings, trust_proxy_auth=True)
    if args.no_project_config:
        from agentcore_readiness.config import ConfigChoice, set_default_choice

        set_default_choice(ConfigChoice(mode="none"))
    try:
        run(settings)
    except InsecureBind as exc:
        print(f"agentcore-readiness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return EXIT_OK


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


def _cmd_tool(args: argparse.Namespace) -> int:
    """Call a tool as an MCP client would: arguments checked by name and validated, bad input an
    error naming the problem (exit 2), the answer cleaned and printed as JSON or as its markdown."""
    import anyio
    from pydantic import BaseModel, ValidationError

    from agentcore_readiness.engine import InputError
    from agentcore_readiness.textsafe import sanitize_model
    from agentcore_readiness.tools import all_specs, calling

    specs = all_specs()
    if args.name is None:
        for listed in specs.values():
            doc = " ".join((listed.fn.__doc__ or "").split())
            print(f"{listed.name:24} {doc.split('. ')[0][:100]}")
        return EXIT_OK
    spec = specs.get(args.name)
    if spec is None:
        return _usage_error(f"unknown tool {args.name!r}; list them with `agentcore-readiness tool`")
    try:
        raw = dict(_tool_argument(item) for item in args.arguments)
    except (ValueError, OSError) as exc:
        return _usage_error(str(exc))
    problem = calling.unknown_arguments_message(spec, raw)
    if problem is not None:
        return _usage_error(problem)
    try:
        validated = calling.arguments_model(spec).model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors())
        return _usage_error(f"bad arguments for {spec.name}: {details}")

    async def call() -> object:
        return await spec.fn(**dict(validated))

    try:
        with _limits(args):
            result = anyio.run(call)
    except InputError as exc:
        return _usage_error(str(exc))
    if not isinstance(result, BaseModel):
        print(result)
        return EXIT_OK
    cleaned = sanitize_model(result)
    if args.text:
        sys.stdout.write(calling.text(spec, cleaned))
    else:
        import json

        print(json.dumps(calling.structured(spec, cleaned), indent=2, ensure_ascii=False))
    return EXIT_OK


def _cmd_map(args: argparse.Namespace) -> int:
    from agentcore_readiness.engine import InputError
    from agentcore_readiness.textsafe import sanitize_model
    from agentcore_readiness.tools.map import build_maps, map_text

    try:
        with _limits(args):
            result = sanitize_model(build_maps(args.path))
    except InputError as exc:
        return _usage_error(str(exc))
    sys.stdout.write(result.model_dump_json(indent=2) + "\n" if args.format == "json" else map_text(result))
    return EXIT_OK


def _usage_error(message: str) -> int:
    print(f"agentcore-readiness: error: {message}", file=sys.stderr)
    return EXIT_USAGE


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
        return _dispatch(parser, args, from_command_line=argv is None)
    except Exception as exc:  # noqa: BLE001 - a crash must not read as "findings" (exit 1) nor print a traceback
        from agentcore_readiness.log import get_logger

        get_logger(__name__).debug("internal error", exc_info=True)
        print(f"agentcore-readiness: internal error ({type(exc).__name__}); the review did not finish", file=sys.stderr)
        return EXIT_INTERNAL


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, from_command_line: bool = False) -> int:
    if args.command == "serve":
        return _cmd_serve(args, from_command_line)
    if args.command == "check":
        return _cmd_check(args)
    if args.command == "fix":
        return _cmd_fix(args)
    if args.command == "tool":
        return _cmd_tool(args)
    if args.command == "map":
        return _cmd_map(args)
    if args.command == "rules":
        return _cmd_rules()
    if args.command == "explain":
        return _cmd_explain(args.code)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

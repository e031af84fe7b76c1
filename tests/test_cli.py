"""The command line: formats, exit codes, rules and explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentcore_readiness.cli import main
from conftest import ProjectBuilder, runtime

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "support-desk"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_clean_project_exits_zero_at_default_threshold(project: ProjectBuilder, capsys) -> None:  # type: ignore[no-untyped-def]
    project.agentcore()
    code, out, _ = run(capsys, "check", str(project.root))
    assert code == 0
    assert "Production Readiness Checklist for Demo" in out


def test_failing_high_finding_exits_one(project: ProjectBuilder, capsys) -> None:  # type: ignore[no-untyped-def]
    project.agentcore(runtimes=[runtime(authorizerType="NONE")])
    code, _, _ = run(capsys, "check", str(project.root), "--format", "json")
    assert code == 1


def test_fail_on_threshold_and_never(project: ProjectBuilder, capsys) -> None:  # type: ignore[no-untyped-def]
    project.agentcore()  # OBS004 fails at medium severity only
    assert run(capsys, "check", str(project.root), "--fail-on", "medium")[0] == 1
    assert run(capsys, "check", str(project.root), "--fail-on", "high")[0] == 0
    project.agentcore(runtimes=[runtime(authorizerType="NONE")])
    assert run(capsys, "check", str(project.root), "--fail-on", "never")[0] == 0


def test_select_and_ignore(project: ProjectBuilder, capsys) -> None:  # type: ignore[no-untyped-def]
    project.agentcore(runtimes=[runtime(authorizerType="NONE")])
    code, out, _ = run(
        capsys, "check", str(project.root), "--format", "json", "--select", "AUTH,OBS001", "--ignore", "AUTH005"
    )
    rules = [r["rule"] for r in json.loads(out)["projects"][0]["results"]]
    assert rules == ["AUTH001", "AUTH002", "AUTH003", "AUTH004", "AUTH006", "OBS001"]
    assert code == 1


def test_usage_and_input_errors_exit_two(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "check", str(tmp_path / "missing"))
    assert (code, out) == (2, "")
    assert err == f"agentcore-readiness: error: {tmp_path / 'missing'}: no such file or directory\n"
    (tmp_path / "empty").mkdir()
    assert run(capsys, "check", str(tmp_path / "empty"))[0] == 2
    assert run(capsys, "explain", "NOPE1")[0] == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["check"])
    assert exit_info.value.code == 2


def test_unknown_select_code_exits_two(project: ProjectBuilder, capsys) -> None:  # type: ignore[no-untyped-def]
    project.agentcore()
    code, _, err = run(capsys, "check", str(project.root), "--select", "XYZ")
    assert code == 2
    assert "unknown rule code(s): XYZ" in err


def test_output_file(project: ProjectBuilder, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project.agentcore()
    target = tmp_path / "report.sarif"
    code, out, _ = run(capsys, "check", str(project.root), "--format", "sarif", "-o", str(target))
    assert (code, out) == (0, "")
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_rules_and_explain(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert any(line.startswith("AUTH003  critical P") for line in out.splitlines())
    code, out, _ = run(capsys, "explain", "auth003")
    assert code == 0
    assert out.startswith("AUTH003 gateway-auth-none (critical; inputs P, A)\n")
    assert "### Fix" in out


def test_console_script_on_the_bundled_example() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "agentcore_readiness.cli", "check", str(EXAMPLE), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    statuses = {r["rule"]: r["status"] for r in report["projects"][0]["results"]}
    assert statuses["AUTH003"] == "fail"
    assert statuses["OBS001"] == "fail"
    assert completed.stderr == ""


def test_tool_command_calls_an_mcp_tool_with_json_and_file_arguments(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    error_file = tmp_path / "error.txt"
    error_file.write_text("ServiceQuotaExceededException: maxVms limit exceeded\n")
    code, out, err = run(capsys, "tool", "diagnose_quota_error", f"error_text=@{error_file}", f"path={EXAMPLE}")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["status"] == "matched"
    assert result["quota"]["key"] == "max-vms"
    code, out, _ = run(capsys, "tool", "list_rules", 'family="AUTH"')
    assert next(r["code"] for r in json.loads(out)["rules"]) == "AUTH001"


def test_tool_command_errors_exit_two(capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(capsys, "tool", "nope")[0] == 2
    code, _, err = run(capsys, "tool", "explain_rule", "code=ZZZ9")
    assert code == 2 and "unknown rule code 'ZZZ9'" in err
    code, _, err = run(capsys, "tool", "explain_rule", "bogus")
    assert code == 2 and "NAME=VALUE" in err
    code, _, err = run(capsys, "tool", "explain_rule")
    assert code == 2 and "bad arguments for explain_rule" in err
    code, out, _ = run(capsys, "tool")
    assert code == 0 and "diagnose_jwt_403" in out


def test_check_output_is_cleaned_of_invisible_characters_and_secrets(project: ProjectBuilder, capsys) -> None:  # type: ignore[no-untyped-def]
    fake_key = "sk-ant-" + "api03-" + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6"
    project.agentcore(
        runtimes=[runtime(name="Agent\u202eX", authorizerType="NONE")],
        agentCoreGateways=[{"name": "gw" + fake_key, "targets": []}],
    )
    for fmt in ("markdown", "json", "sarif"):
        _, out, _ = run(capsys, "check", str(project.root), "--format", fmt, "--fail-on", "never")
        assert "\u202e" not in out and fake_key not in out, fmt
        assert "AgentX" in out.replace(" ", ""), fmt


def _token(tmp_path: Path) -> Path:
    import jwt

    claims = {
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1",
        "client_id": "web",
        "exp": 4_000_000_000,
    }
    path = tmp_path / "token.txt"
    path.write_text(jwt.encode(claims, "not-the-real-key-but-long-enough-for-hs256", algorithm="HS256"))
    return path


def _tool_calls(tmp_path: Path) -> dict[str, tuple[list[str], object]]:
    """Every tool with arguments, and a check of its answer."""
    path = f"path={EXAMPLE}"

    def first_finding(rule: str) -> object:
        return lambda answer: answer["findings"][0]["rule"] == rule

    return {
        "review_project": ([path], first_finding("AUTH003")),
        "check_auth": ([path], first_finding("AUTH003")),
        "render_checklist": ([path], lambda a: a["checklists"][0]["fix_first"][0]["rule"] == "AUTH003"),
        "list_rules": (['family="AUTH"'], lambda a: a["rules"][0]["code"] == "AUTH001"),
        "explain_rule": (["code=auth003"], lambda a: a["code"] == "AUTH003" and "doc" not in a),
        "check_iam_scope": (
            [path],
            lambda a: (
                {r for line in a["projects"][0]["reasons"] for r in line["rules"]}
                == {"IAM001", "IAM002", "IAM003", "IAM004", "IAM005"}
            ),
        ),
        "check_shell_access": ([path], lambda a: a["holders_known"] is False),
        "check_observability": ([path], first_finding("OBS001")),
        "audit_sessions": ([path, 'workload="batch"'], lambda a: a["proposals"][0]["runtime"] == "SupportAgent"),
        "audit_cold_start": ([path], first_finding("PERF002")),
        "diagnose_quota_error": (
            ['error_text="ServiceQuotaExceededException: maxVms limit exceeded"', path],
            lambda a: a["quota"]["key"] == "max-vms",
        ),
        "diagnose_jwt_403": (
            [path, "runtime=SupportAgent", "fetch=false", f"token=@{_token(tmp_path)}"],
            lambda a: a["runtime"] == "SupportAgent" and a["verdict"]["first_failing_step"] == "JWT006",
        ),
        "audit_code": ([path], first_finding("CODE003")),
        "map_project": (
            [path],
            lambda a: [r["name"] for r in a["maps"][0]["runtimes"]] == ["SupportAgent", "Triage"],
        ),
    }


def test_tool_command_calls_every_tool(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from agentcore_readiness.tools import all_specs

    calls = _tool_calls(tmp_path)
    assert sorted(calls) == sorted(all_specs())  # a new tool needs a call here
    for name, (arguments, check) in calls.items():
        code, out, err = run(capsys, "tool", name, *arguments)
        assert (code, err) == (0, ""), name
        answer = json.loads(out)
        assert check(answer), (name, out[:500])  # type: ignore[operator]


def test_tool_command_prints_the_markdown_an_mcp_client_reads(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "tool", "--text", "check_auth", f"path={EXAMPLE}")
    assert code == 0
    assert out.startswith("## SupportDesk (agentcore-cli; runtimes SupportAgent, Triage)\n")
    assert "\n1. **critical** fail AUTH003 `agentcore/agentcore.json:52`: gateway 'TicketTools'" in out


def test_tool_command_names_the_valid_arguments(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "tool", "check_auth", f"paht={EXAMPLE}")
    assert (code, out) == (2, "")
    assert err == (
        "agentcore-readiness: error: unknown argument(s) 'paht' for check_auth; it takes: path, detail, status, "
        "min_severity, max_findings, offset\n"
    )
    code, _, err = run(capsys, "tool", "review_project", "path=")
    assert code == 2 and err.startswith("agentcore-readiness: error: path is empty: give a project directory")
    code, _, err = run(capsys, "tool", "review_project", f"path={EXAMPLE}", "max_findings=-1")
    assert (
        code == 2
        and "bad arguments for review_project: max_findings: Input should be greater than or equal to 0" in err
    )


def test_check_refuses_the_file_system_root_and_a_tree_over_the_limits(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "check", "/")
    assert (code, out) == (2, "")
    assert err == (
        "agentcore-readiness: error: / is the root of the file system: too broad to review; narrow the path to a "
        "project directory or a folder of projects\n"
    )
    for name in ("a", "b"):
        make_project(f"repo/{name}").agentcore()
    repo = make_project("repo").root
    code, _, err = run(capsys, "check", str(repo), "--max-projects", "1")
    assert code == 2 and f"{repo} holds 2 projects, over the limit of 1 per review" in err
    assert run(capsys, "check", str(repo), "--max-projects", "2", "--fail-on", "never")[0] == 0

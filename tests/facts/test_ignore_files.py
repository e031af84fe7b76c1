"""Ignore files as git and Docker read them: SEC005 over a monorepo whose root .gitignore covers
the project's agentcore/.env.local, PERF002 over a .dockerignore with `**/` patterns and `!`
exceptions, and the matching rules themselves (anchoring, negation, directories, levels)."""

from __future__ import annotations

import shutil
from pathlib import Path

from agentcore_readiness.facts.project.ignore_files import DockerIgnore, GitIgnores, IgnoreRule, docker_pattern
from conftest import ProjectBuilder, findings_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROOT_GITIGNORE = "../../.gitignore"


def monorepo(tmp_path: Path) -> tuple[Path, ProjectBuilder]:
    """The fixture copied into a git repository of its own (the copy's top level holds ``.git``)."""
    top = tmp_path / "repo"
    shutil.copytree(FIXTURES / "gitignore_monorepo", top)
    (top / ".git").mkdir()
    return top, ProjectBuilder(top / "services" / "helpdesk")


# --- SEC005 ------------------------------------------------------------------------------------


def test_root_gitignore_covers_env_local_of_a_project_in_a_subfolder(tmp_path: Path) -> None:
    _, project = monorepo(tmp_path)
    result = project.results("SEC005")["SEC005"]
    assert result.status == "pass"
    assert result.reason == ".env.local is git-ignored (../../.gitignore:3 `.env.*`); no .env.local present"


def test_without_the_root_rule_sec005_fails_at_the_project_gitignore(tmp_path: Path) -> None:
    top, project = monorepo(tmp_path)
    (top / ".gitignore").write_text("node_modules/\n")
    result = project.results("SEC005")["SEC005"]
    assert findings_of(result) == [("fail", "agentcore/.gitignore", 1)]
    assert result.findings[0].message == (
        "agentcore/.gitignore does not list .env.local and no .gitignore above it ignores it: a `git add .` would "
        "commit the project's credential values"
    )


def test_a_root_exception_for_the_file_fails_and_names_the_line(tmp_path: Path) -> None:
    top, project = monorepo(tmp_path)
    with (top / ".gitignore").open("a") as handle:
        handle.write("!services/helpdesk/agentcore/.env.local\n")
    result = project.results("SEC005")["SEC005"]
    # The exception is outside the project: the fix goes into agentcore/.gitignore, which overrides it.
    assert findings_of(result) == [("fail", "agentcore/.gitignore", 1)]
    assert result.findings[0].message.startswith(
        "agentcore/.env.local is re-included by ../../.gitignore:8 `!services/helpdesk/agentcore/.env.local`: "
    )
    project.write("agentcore/.gitignore", "cdk/cdk.out/\n.env.local\n")
    assert project.results("SEC005")["SEC005"].status == "pass"


def test_an_exception_in_the_project_gitignore_fails_at_its_line(tmp_path: Path) -> None:
    _, project = monorepo(tmp_path)
    project.write("agentcore/.gitignore", "cdk/cdk.out/\n\n# keep the local settings\n!.env.local\n")
    result = project.results("SEC005")["SEC005"]
    assert findings_of(result) == [("fail", "agentcore/.gitignore", 4)]
    assert result.findings[0].evidence == "agentcore/.gitignore:4 `!.env.local`"


def test_an_ignored_parent_directory_cannot_be_undone_by_an_exception(tmp_path: Path) -> None:
    top, project = monorepo(tmp_path)
    (top / ".gitignore").write_text("services/helpdesk/agentcore/\n")
    project.write("agentcore/.gitignore", "!.env.local\n")
    result = project.results("SEC005")["SEC005"]
    assert result.status == "pass"
    assert result.reason == (
        ".env.local is git-ignored (../../.gitignore:1 `services/helpdesk/agentcore/`); no .env.local present"
    )


# --- git matching ------------------------------------------------------------------------------


def test_gitignore_levels_anchoring_and_directory_patterns(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / ".gitignore").write_text("/build\nlogs/\n*.log\n!keep.log\n")
    (top / "pkg").mkdir()
    (top / "pkg" / ".gitignore").write_text("generated.py\n")
    ignores = GitIgnores(top)
    assert ignores.check("build/out.txt").ignored
    assert not ignores.check("pkg/build/out.txt").ignored  # "/build" is anchored at the top
    assert ignores.check("pkg/logs/a.txt").ignored  # "logs/" matches at any depth, as a directory
    assert not ignores.check("pkg/logs", is_dir=False).ignored  # ... and only a directory
    assert ignores.check("pkg/x.log").rule == IgnoreRule(".gitignore", 3, "*.log")
    keep = ignores.check("pkg/keep.log")
    assert (keep.ignored, keep.rule) == (False, IgnoreRule(".gitignore", 4, "!keep.log"))
    assert ignores.check("pkg/generated.py").rule == IgnoreRule("pkg/.gitignore", 1, "generated.py")
    assert not ignores.check("generated.py").ignored  # pkg/.gitignore applies below pkg/ only


def test_the_top_level_is_the_project_root_without_git(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".env.*\n")
    project = tmp_path / "proj"
    project.mkdir()
    ignores = GitIgnores(project)
    assert ignores.top == project.resolve()
    assert not ignores.check("agentcore/.env.local").ignored


# --- Docker ------------------------------------------------------------------------------------


def test_dockerignore_patterns_are_anchored_at_the_context_root() -> None:
    assert docker_pattern("./a//b/") == "/a/b"
    assert docker_pattern("/secrets") == "/secrets"
    assert docker_pattern("!keep/") == "!/keep"
    assert docker_pattern("# comment") is None
    ignore = DockerIgnore.parse(".dockerignore", "*.pyc\n**/__pycache__\nfoo/**\n*\n!app/\n")
    checks = {
        path: ignore.check(path).ignored
        for path in ("x.pyc", "app/x.pyc", "app/__pycache__/m.pyc", "foo/a/b", "README.md", "app/main.py")
    }
    assert checks == {
        "x.pyc": True,
        "app/x.pyc": False,  # `*.pyc` only matches at the root; `!app/` re-includes
        "app/__pycache__/m.pyc": False,  # `!app/` comes later and wins
        "foo/a/b": True,
        "README.md": True,
        "app/main.py": False,
    }


def test_perf002_reads_double_star_and_exceptions(tmp_path: Path) -> None:
    project = ProjectBuilder(tmp_path / "build_container")
    shutil.copytree(FIXTURES / "build_container", project.root)
    result = project.results("PERF002")["PERF002"]
    assert result.status == "pass"
    assert result.reason == "Triage: app/Triage/.dockerignore excludes VCS data, caches and virtualenvs"
    dockerignore = project.root / "app/Triage/.dockerignore"
    dockerignore.write_text(dockerignore.read_text() + "!tests/\n!.venv/\n")
    result = project.results("PERF002")["PERF002"]
    assert findings_of(result) == [("warn", "app/Triage/.dockerignore", 13)]
    assert result.findings[0].message == (
        "app/Triage/.dockerignore does not exclude virtualenvs, tests; "
        ".venv/pyvenv.cfg is re-included by app/Triage/.dockerignore:13 `!.venv/`; "
        "tests/x.py is re-included by app/Triage/.dockerignore:12 `!tests/`"
    )


def test_perf002_only_the_root_cache_is_left_out_by_a_plain_pattern(project: ProjectBuilder) -> None:
    from conftest import runtime

    project.agentcore(runtimes=[runtime(build="Container")])
    project.write("app/Agent/Dockerfile", 'FROM python:3.12-slim\nCOPY . .\nCMD ["python", "main.py"]\n')
    project.write("app/Agent/.dockerignore", ".git\n.venv\n*.pyc\n")
    result = project.results("PERF002")["PERF002"]
    # `*.pyc` matches only top-level files: the __pycache__ directories still go into the context.
    assert findings_of(result) == [("warn", "app/Agent/.dockerignore", 1)]
    assert result.findings[0].message == "app/Agent/.dockerignore does not exclude Python caches"

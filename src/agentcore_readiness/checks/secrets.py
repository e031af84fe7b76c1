"""Secrets: credentials kept out of code, images, environment variables and git."""

from __future__ import annotations

from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule
from agentcore_readiness.facts.project import AGENTCORE_GITIGNORE, ENV_LOCAL, gitignore_ignores
from agentcore_readiness.model import Fix, Location


@rule(
    "SEC005",
    "env-local-tracked",
    "high",
    ("P",),
    "agentcore/.env.local tracked or not git-ignored",
    family="Secrets",
    checklist=("code.secrets",),
)
def env_local_tracked(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Checks that `agentcore/.env.local`, where the CLI keeps credential values
    (`AGENTCORE_CREDENTIAL_<NAME>`, client IDs and secrets), is listed in
    `agentcore/.gitignore` and is not tracked by git.

    ### Why is this bad?
    A committed `.env.local` publishes API keys and OAuth client secrets to everyone with
    access to the repository, and to its whole history.

    ### Example
    `agentcore/.gitignore` without a `.env.local` line, or `git ls-files agentcore/.env.local`
    printing the file.

    ### Fix
    Add `.env.local` to `agentcore/.gitignore`; if it was committed, untrack it with
    `git rm --cached agentcore/.env.local` and rotate every credential it held.

    ### References
    - agents-harden skill, "Secrets"
    """
    project = facts.project
    if not project.has_cli_config:
        return not_applicable("only AgentCore CLI projects keep credentials in agentcore/.env.local")
    if project.env_local_tracked:
        out.fail(
            f"{ENV_LOCAL} is tracked by git: its credential values are in the repository",
            Location(path=ENV_LOCAL, line=1),
            fix=Fix(
                summary="Untrack the file, make sure it is ignored, and rotate every credential it held "
                "(they remain in git history).",
                commands=[
                    f"git rm --cached {ENV_LOCAL}",
                    f"echo .env.local >> {AGENTCORE_GITIGNORE}",
                    "git commit -m 'Stop tracking agentcore/.env.local'",
                ],
            ),
        )
    ignored = project.gitignore_patterns is not None and gitignore_ignores(project.gitignore_patterns, ".env.local")
    if not ignored:
        where = (
            f"{AGENTCORE_GITIGNORE} does not list .env.local"
            if project.gitignore_patterns is not None
            else f"{AGENTCORE_GITIGNORE} is missing"
        )
        out.fail(
            f"{where}: a `git add .` would commit the project's credential values",
            Location(path=AGENTCORE_GITIGNORE, line=1 if project.gitignore_patterns is not None else None),
            fix=Fix(summary="Ignore the local secrets file.", commands=[f"echo .env.local >> {AGENTCORE_GITIGNORE}"]),
        )
    if not out.items:
        tracked = (
            "not tracked by git"
            if project.env_local_tracked is False
            else (project.env_local_tracked_error or "no .env.local present")
        )
        out.note(f".env.local is git-ignored; {tracked}")
    return None

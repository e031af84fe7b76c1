"""Secrets: credentials kept out of code, images, environment variables and git."""

from __future__ import annotations

from typing import Any

from agentcore_readiness.checks.fixes import ignore_file_edit
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.facts.aws.model import DeployedView, deployed_runtimes
from agentcore_readiness.facts.code.roles import ROLES
from agentcore_readiness.facts.project.ignore_files import IgnoreVerdict
from agentcore_readiness.facts.project.project_facts import AGENTCORE_GITIGNORE, ENV_LOCAL
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
    (`AGENTCORE_CREDENTIAL_<NAME>`, client IDs and secrets), is ignored by git and is not
    tracked. The `.gitignore` files are read as git reads them, from `agentcore/` up to the
    repository's top level (the nearest directory holding `.git`): a root `.gitignore`
    listing `.env.*` or `agentcore/.env.local` covers it, a later `!.env.local` undoes it.

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
    verdict = project.env_local_ignore
    if verdict is not None and not verdict.ignored:
        _env_local_not_ignored(project.gitignore_patterns is not None, verdict, out)
    if not out.items:
        tracked = (
            "not tracked by git"
            if project.env_local_tracked is False
            else (project.env_local_tracked_error or "no .env.local present")
        )
        rule = f" ({verdict.rule})" if verdict is not None and verdict.rule is not None else ""
        out.note(f".env.local is git-ignored{rule}; {tracked}")
    return None


def _env_local_not_ignored(has_gitignore: bool, verdict: IgnoreVerdict, out: Findings) -> None:
    """The finding for an ``.env.local`` no ``.gitignore`` keeps out: at the ``!`` line that
    re-includes it when that line is in the project, else at ``agentcore/.gitignore``
    (a line there overrides every ``.gitignore`` above it).
    """
    rule = verdict.rule
    if rule is not None:
        where = verdict.describe()
    elif has_gitignore:
        where = f"{AGENTCORE_GITIGNORE} does not list .env.local and no .gitignore above it ignores it"
    else:
        where = f"{AGENTCORE_GITIGNORE} is missing and no .gitignore above it ignores .env.local"
    if rule is not None and not rule.file.startswith("../"):
        location = Location(path=rule.file, line=rule.line)
    else:
        location = Location(path=AGENTCORE_GITIGNORE, line=1 if has_gitignore else None)
    out.fail(
        f"{where}: a `git add .` would commit the project's credential values",
        location,
        evidence=str(rule) if rule is not None else None,
        fix=Fix(
            summary="Ignore the local secrets file.",
            commands=[f"echo .env.local >> {AGENTCORE_GITIGNORE}"],
            edits=ignore_file_edit(AGENTCORE_GITIGNORE, [".env.local"]),
        ),
    )


@rule(
    "SEC001",
    "hardcoded-secret",
    "critical",
    ("C", "P"),
    "Secret hard-coded in code or configuration",
    family="Secrets",
    checklist=("code.secrets",),
    reads=ROLES,
    tools=("audit_code",),
)
def hardcoded_secret(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Finds credentials written into the project: in agent, caller and test code, and in
    the runtimes' `envVars` values and Dockerfile `ENV`/`ARG` values. Two kinds:

    - known key formats, anywhere in a file: Anthropic (`sk-ant-…`), OpenAI
      (`sk-proj-…`, `sk-…`), AWS access keys (`AKIA…`/`ASIA…` with their secret access
      key; an ID alone warns), PEM private keys (with key material), Slack tokens and
      webhooks, GitHub tokens, Stripe keys (test-mode keys warn), Google API keys and
      Hugging Face tokens;
    - string literals assigned to a secret-like name (`password = "…"`,
      `api_key="…"`, `{"client_secret": "…"}`, a default of `os.getenv("API_TOKEN", "…")`).

    Read from the syntax tree: `password = os.environ["DB_PASSWORD"]` is SEC002, not
    this rule, and a docstring that mentions `sk-` is not a secret. Placeholders are
    ignored by rule, wherever they are: values containing `example`, `dummy`,
    `placeholder`, `changeme`, `your_`, `xxxx`, `redacted`, `fake`, `sample`, `mock`,
    `test`, `todo`; templates (`<…>`, `${…}`, `{{…}}`); repeated, sequential or
    low-entropy characters; and, for names only, values shorter than 8 characters,
    with whitespace, naming an environment variable or an identifier, or URLs without
    credentials. The value is never shown: only a masked prefix and its length.

    One finding per value and file: the same key or password repeated in a file is
    reported at its first line, with the other lines in the message and evidence. In
    test code, literals assigned to secret-like names are fixtures and are only counted;
    a key of a known format is still reported there. A Cognito `TemporaryPassword` that
    the same function replaces at once (`admin_set_user_password(..., Permanent=True)`)
    never grants access and is not reported.

    ### Why is this bad?
    A key in the source is in every clone, every build artefact and the whole git
    history; anyone who reads the repository can use it, and rotating it means a
    redeploy.

    ### Example
    ```python
    client = anthropic.Anthropic(api_key="sk-ant-api03-…")
    ```

    ### Fix
    Rotate the key, then register it: `agentcore add credential --name Anthropic
    --type api-key` (prompted, so it stays out of shell history), and fetch it at call
    time with `@requires_api_key(provider_name="Anthropic")`. AWS keys: delete them and
    let boto3 use the execution role.

    ### References
    - agents-harden skill, "Secrets: No credentials in code"; agents-connect skill, Path D
    """
    from agentcore_readiness.checks.code_rule_bodies import sec001

    return sec001(facts, out)


@rule(
    "SEC002",
    "secret-from-env",
    "high",
    ("C",),
    "Secret read from runtime environment variables",
    family="Secrets",
    checklist=("code.credentials",),
    reads=("runtime",),
    tools=("audit_code",),
)
def secret_from_env(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails on `os.getenv("X")`, `os.environ.get("X")` and `os.environ["X"]` in agent
    code when `X` names a secret (`…TOKEN`, `…SECRET`, `…KEY`, `…PASSWORD`,
    `…CREDENTIAL`), with the name resolved through module constants. Allowed: the
    platform's own variables (`MEMORY_*_ID`, `AGENTCORE_GATEWAY_*_URL`, `AWS_REGION`,
    `AWS_DEFAULT_REGION`, `BEDROCK_AGENTCORE_*`, `*_ARN`, `*_ID`) and names that locate
    or describe a secret rather than hold it (`*_URL`, `*_NAME`, `*_PATH`, `*_FILE`,
    `*_HEADER`, `*_TTL`, `MAX_*`, `PUBLIC_KEY`, …). Caller scripts are not checked:
    their environment is not the runtime's.

    Not reported, with the reason in the result: writes (`os.environ["X"] = …`,
    `os.environ.setdefault`); the AWS SDK's credential variables (`AWS_SECRET_ACCESS_KEY`,
    `AWS_SESSION_TOKEN`: the execution role's credentials being wired, not an application
    secret); a variable the same runtime's code stores in the environment from Secrets
    Manager, SSM Parameter Store or AgentCore Identity; a read that is the fallback of a
    function fetching the secret from one of those; a read whose literal default is
    already SEC001's finding on that line, or whose value the runtime's configuration
    hard-codes (SEC001's finding there). A name that is secret-like only because it ends
    in `KEY` (`TAG_KEY`, `COST_KEY`) is decided by its use: used as a key or name (`{"Key":
    v}` tags, `Key=` objects, a dict index, `tag["Key"] == v`) it is not a secret; sent with
    a request (headers, query parameters) or otherwise it is.

    ### Why is this bad?
    AgentCore Runtime environment variables are not vault-backed: they are plaintext
    configuration, readable by anyone who can describe the runtime, and they change only
    with a redeploy.

    ### Example
    ```python
    api_key = os.environ["OPENAI_API_KEY"]
    ```

    ### Fix
    `agentcore add credential --name OpenaiApiKey --type api-key`, then
    `@requires_api_key(provider_name="OpenaiApiKey")` on the function that needs it
    (the key arrives as the `api_key` keyword argument).

    ### References
    - agents-harden skill, "Secrets pulled from runtime environment variables"
    """
    from agentcore_readiness.checks.code_rule_bodies import sec002

    return sec002(facts, out)


@rule(
    "SEC003",
    "secret-in-runtime-env",
    "high",
    ("P", "A"),
    "Secret-like name in the runtime environment",
    family="Secrets",
    checklist=("code.credentials",),
    aws=("runtimes",),
)
def secret_in_runtime_env(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Fails when a runtime's environment is configured to carry a secret: a secret-like
    name (same classifier and allowlist as SEC002) in `runtimes[].envVars` of
    `agentcore.json` or in the Dockerfile's `ENV`/`ARG`, and any
    `api_key_env_var_name` in `.bedrock_agentcore.yaml` (the starter toolkit puts that
    API key in the environment). A variable whose value is itself a hard-coded secret is
    SEC001's finding, not a second one here; a name secret-like only by ending in `KEY`
    whose value is made of words (`COST_TAG_KEY=CostCenter`) names a key and passes.

    ### Why is this bad?
    Runtime environment variables are plaintext: visible in the runtime's
    configuration and, for `ENV`/`ARG`, in every layer of the container image.

    ### Example
    ```json
    "envVars": [{"name": "STRIPE_SECRET_KEY", "value": "…"}]
    ```

    ### Fix
    Remove the variable, register the value with `agentcore add credential`, and read
    it in code with `@requires_api_key` / `@requires_access_token`.

    ### References
    - agents-harden skill, "Secrets pulled from runtime environment variables"
    """
    from agentcore_readiness.checks.code_rule_bodies import sec003

    deployed = _deployed_env_secrets(facts, out)
    verdict = sec003(facts, out)
    if verdict is not None and verdict.status == "not_applicable" and (deployed.items or deployed.unknowns):
        verdict = None  # no project runtime, but deployed ones were reviewed
    if verdict is None and deployed.unknowns and not any(f.level == "fail" for f in out.items):
        return unknown("; ".join(deployed.unknowns))
    return verdict


@rule(
    "SEC004",
    "credential-provider-undeclared",
    "medium",
    ("C", "P"),
    "Credential provider used in code but not declared",
    family="Secrets",
    checklist=("code.credentials",),
    reads=("runtime", "caller"),
    tools=("audit_code",),
)
def credential_provider_undeclared(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Compares the `provider_name` of every `@requires_api_key` / `@requires_access_token`
    in the code with the credentials the project declares (`credentials[]` in
    `agentcore.json`, `identity.credential_providers` in the YAML). An undeclared or
    empty name fails; a declared credential that neither the code nor a gateway target
    uses is reported for information. Uses also count when the code fetches the
    credential itself (`IdentityClient.get_resource_api_key(provider_name=…)`,
    `get_resource_oauth2_token`, or the boto3 calls with `resourceCredentialProviderName`),
    and when the decorator's name comes from the environment with a default
    (`provider_name=os.environ.get("X", "Default")` uses `Default`). A starter-toolkit
    YAML that declares no credential providers says nothing about them (the toolkit
    creates them outside the file): names are then noted, not checked.

    ### Why is this bad?
    The decorator fetches the credential at call time: a name that was never declared
    (or differs in case) fails on the first call in production, not at deploy.

    ### Example
    ```python
    @requires_api_key(provider_name="OpenAI")   # credentials[] declares "OpenAi"
    ```

    ### Fix
    Declare it with `agentcore add credential --name OpenAI --type api-key` (or fix the
    name in the decorator), then `agentcore deploy`.

    ### References
    - agents-harden skill, "Secrets" (correct pattern); agents-connect skill, Path D
    """
    from agentcore_readiness.checks.code_rule_bodies import sec004

    return sec004(facts, out)


def _deployed_env_secrets(facts: Facts, out: Findings) -> DeployedView[Any]:
    """SEC003 on the deployed runtimes: secret-like names in GetAgentRuntime.environmentVariables
    (names only: values are never read into the facts)."""
    from agentcore_readiness.analysis.secret_patterns import is_secret_env_name

    deployed = deployed_runtimes(facts.aws("runtimes"))
    declared = {(r.name, e.name) for r in facts.project.runtimes for e in r.env_vars}
    for runtime, config in deployed.items:
        secret_names = [n for n in config.env_var_names if is_secret_env_name(n)]
        for name in secret_names:
            if (runtime.project_runtime, name) in declared:
                continue  # reported above at its line in the project
            out.fail(
                f"deployed runtime {runtime.label} has the secret-like environment variable {name} "
                "(GetAgentRuntime.environmentVariables): plaintext to anyone who can describe the runtime",
                runtime.location,
                subject=runtime.label,
                fix=Fix(
                    summary=f"Remove {name} from the runtime's environment, register the value with "
                    "`agentcore add credential`, read it with @requires_api_key, then deploy.",
                    commands=[f"agentcore add credential --name {name.lower()} --api-key <value>", "agentcore deploy"],
                ),
            )
        if not secret_names:
            out.note(
                f"{runtime.label} (deployed): {len(config.env_var_names)} environment variable(s), none secret-like"
            )
    return deployed


@rule(
    "SEC006",
    "credential-reference-undeclared",
    "medium",
    ("P",),
    "Configuration refers to a credential provider the project does not declare",
    family="Secrets",
    checklist=("code.credentials",),
)
def credential_reference_undeclared(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Checks every place the configuration names a credential provider (a gateway target's
    or unassigned target's `outboundAuth.credentialName`, a payment connector's
    `credentialName`, a runtime environment variable such as `TICKETS_PROVIDER_NAME`
    holding a provider name) against the credentials the project declares (`credentials[]`
    in `agentcore.json`, `identity.credential_providers` in the YAML). Fails for each
    name that is not declared (names are case-sensitive).

    ### Why is this bad?
    The gateway fetches the credential when it calls the target: a name nobody declares
    does not exist in the account's token vault (or exists only because someone created it
    by hand, outside the project), so the deploy fails or the tool call fails in production
    with an outbound-auth error the model cannot recover from.

    ### Example
    ```json
    "outboundAuth": {"type": "OAUTH", "credentialName": "TicketsOAuth"}
    ```
    with no `{"name": "TicketsOAuth", ...}` in `credentials[]`.

    ### Fix
    Declare it (`agentcore add credential --name TicketsOAuth --type oauth …`) or correct
    the name, then `agentcore deploy`.

    ### References
    - agents-harden skill, "Secrets"; agents-connect skill, gateway targets with outbound auth
    """
    refs = facts.project.credential_refs
    if not refs:
        return not_applicable("nothing in the configuration refers to a credential provider by name")
    declared = {c.name for c in facts.project.credentials if c.name} | set(facts.project.toolkit_credential_providers)
    for ref in refs:
        if ref.name in declared:
            out.note(f"{ref.holder}: {ref.name} is declared")
            continue
        close = next((n for n in declared if n.lower() == ref.name.lower()), None)
        hint = f" (declared as {close!r}: names are case-sensitive)" if close else ""
        oauth = (ref.auth_type or "").upper() == "OAUTH"
        command = (
            f"agentcore add credential --name {ref.name} --type oauth --discovery-url <url> --client-id <client-id> "
            "--scopes <scope>"
            if oauth
            else f"agentcore add credential --name {ref.name} --type api-key"
        )
        out.fail(
            f"{ref.holder} refers to the credential provider {ref.name!r}, which the project does not declare{hint}",
            ref.location,
            subject=ref.holder,
            fix=Fix(
                summary=f"Declare the credential {ref.name!r} in the project (or correct the name) so it exists where "
                "the gateway or runtime fetches it, then deploy.",
                commands=[command, "agentcore validate && agentcore deploy"],
            ),
        )
    return None

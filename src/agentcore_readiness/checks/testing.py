"""Testing: the agent's own tests."""

from __future__ import annotations

from agentcore_readiness.checks.code_rule_helpers import code_files, emit
from agentcore_readiness.checks.per_runtime import runtimes_phrase
from agentcore_readiness.checks.registry import Facts, Findings, Verdict, not_applicable, rule, unknown
from agentcore_readiness.model import Fix


def _test_paths(facts: Facts) -> list[str]:
    paths = [f.path for f in code_files(facts, "test")]
    if facts.code is not None:
        from agentcore_readiness.facts.code.index import is_test_path

        paths.extend(s.path for s in facts.code.skipped if is_test_path(s.path))
    return sorted(paths)


def _covers(test_path: str, runtime_location: str | None, locations: list[str]) -> bool:
    """A test file counts for a runtime when it sits in its code location, or outside
    every runtime's code location (project-level tests).
    """
    if runtime_location is not None and (runtime_location == "." or test_path.startswith(runtime_location + "/")):
        return True
    return not any(loc == "." or test_path.startswith(loc + "/") for loc in locations)


@rule(
    "TEST001",
    "tests-missing",
    "low",
    ("C",),
    "No tests for the agent",
    family="Testing",
    checklist=("test.inputs",),
    reads=("test", "runtime"),
    tools=("audit_code",),
)
def tests_missing(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Warns for each runtime with no test files: none inside its code location and none in
    the project outside every runtime's code location (files under `tests/`, named
    `test_*.py`, `*_test.py` or `conftest.py`). A project with no test file at all is one
    finding listing its runtimes. Passing says tests exist; whether they
    use production-representative inputs is still for you to confirm.

    ### Why is this bad?
    Without tests, every change to the prompt, the tools or a dependency goes to
    production unchecked, and a regression shows up as a user's bad answer.

    ### Example
    A project whose `app/MyAgent/` holds `main.py` and `model/` and no `tests/`.

    ### Fix
    Add a `tests/` directory with tests that call the entrypoint with representative
    payloads (`pytest`), and run them before every `agentcore deploy`. Keep tests out of
    the deployment package (`.dockerignore`, or outside `codeLocation` for CodeZip).

    ### References
    - agents-harden skill, checklist "Testing"
    """
    if facts.code is None:
        return unknown("the code index was not built")
    runtimes = facts.project.runtimes
    if not runtimes:
        return not_applicable("the project defines no runtimes")
    tests = _test_paths(facts)
    commands = ["mkdir -p tests && touch tests/test_agent.py", "uv add --dev pytest", "uv run pytest"]
    if not tests and len(runtimes) > 1:
        # one fact: the project has no tests at all
        names = [r.name for r in runtimes]
        out.warn(
            f"the project has no test files (none under tests/, no test_*.py, *_test.py or conftest.py): "
            f"{runtimes_phrase(names)} are untested",
            runtimes[0].loc("codeLocation"),
            subject=", ".join(names),
            fix=Fix(
                summary="Add tests that call each runtime's entrypoint with representative payloads, kept out of "
                "the deployment packages.",
                commands=commands,
            ),
        )
        return None
    locations = [r.code_location for r in runtimes if r.code_location is not None]
    for runtime in runtimes:
        if runtime.code_location is None:
            out.note(f"{runtime.name}: its code is not in this checkout")
            continue
        mine = [t for t in tests if _covers(t, runtime.code_location, locations)]
        if mine:
            out.note(f"{runtime.name}: {len(mine)} test file(s), e.g. {mine[0]}")
            continue
        where = runtime.code_location or "."
        out.warn(
            f"no tests for runtime {runtime.name!r}: no test files in {where}/ or in the project's own tests/",
            runtime.loc("codeLocation"),
            subject=runtime.name,
            fix=Fix(
                summary=f"Add tests for {runtime.name} that call its entrypoint with representative payloads, "
                "kept out of the deployment package.",
                commands=commands,
            ),
        )
    if not out.items:
        out.note("whether the inputs are production-representative is for you to confirm")
    return None


@rule(
    "TEST002",
    "error-cases-untested",
    "low",
    ("C",),
    "Tests never exercise a failing tool or model call",
    family="Testing",
    checklist=("test.errors",),
    reads=("test",),
    tools=("audit_code",),
)
def error_cases_untested(facts: Facts, out: Findings) -> Verdict | None:
    """### What it does
    Looks in the test files for a failure being injected: a mock whose `side_effect` is
    an exception, botocore `Stubber.add_client_error`, a `ClientError` built by hand, an
    HTTP mock answering 4xx/5xx, or a fake (a helper outside the `test_*` functions)
    that raises. Warns when no test does any of these. Not applicable to a project that
    defines no runtimes (a gateway-only project: its test files test something else).

    ### Why is this bad?
    Tools time out and models throttle in production. If no test makes them fail, the
    error handling (CODE001-CODE004) has never run, and its first run is in front of a
    user.

    ### Example
    Tests that only check happy-path answers.

    ### Fix
    ```python
    def test_model_throttling_returns_safe_error(monkeypatch):
        monkeypatch.setattr(main, "agent", Mock(side_effect=ThrottlingError("slow down")))
        assert main.invoke({"prompt": "hi"}, None) == {"error": "An error occurred. Please try again."}
    ```

    ### References
    - agents-harden skill, checklist "Testing" ("Error cases tested")
    """
    if facts.code is None:
        return unknown("the code index was not built")
    if not facts.project.runtimes:
        return not_applicable("the project defines no runtimes")
    test_files = code_files(facts, "test")
    if not test_files:
        return not_applicable("the project has no tests (see TEST001)")
    for py_file in test_files:
        if py_file.facts.error_injection:
            evidence = py_file.facts.error_injection[0]
            out.note(f"{py_file.path}:{evidence.line} injects a failure ({evidence.detail})")
            return None
    first = test_files[0]
    emit(
        out,
        "warn",
        first,
        1,
        f"none of the {len(test_files)} test file(s) makes a tool or model call fail (no exception side_effect, "
        "add_client_error, 4xx/5xx mock or raising fake)",
        fix=Fix(
            summary="Add tests that make the model and each tool fail (Mock(side_effect=...), botocore Stubber "
            "add_client_error) and assert the agent's safe error answer."
        ),
    )
    return None

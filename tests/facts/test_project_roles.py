"""What each runtime is made of, and the role of every other file, on a monorepo shaped like
real ones (tests/fixtures/concierge_monorepo): a runtime whose entrypoint imports a package,
a submodule through a package ``__init__`` and a plugin by ``importlib.import_module``; a
FastAPI backend with its runtime client; Lambdas (a gateway target, an ordinary one, a proxy
that invokes the runtime); a CDK app; scripts; a workshop copy of the agent; a Lambda kept
under ``agentcore/cdk/``. Rules see only the roles they read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.facts.code.index import CodeIndex, UndeclaredRole, build_code_index
from agentcore_readiness.facts.project.project_facts import load_project
from agentcore_readiness.model import RuleResult
from conftest import findings_of

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "concierge_monorepo"


@pytest.fixture(scope="module")
def index() -> CodeIndex:
    return build_code_index(load_project(FIXTURE))


def line_of(rel: str, needle: str) -> int:
    return next(n for n, text in enumerate((FIXTURE / rel).read_text().splitlines(), 1) if needle in text)


def test_every_file_has_the_role_its_code_gives_it(index: CodeIndex) -> None:
    assert {f.path: (f.role, sorted(f.roles), f.runtimes, f.place.shape) for f in index.files} == {
        "app/Concierge/main.py": ("runtime", ["runtime"], ("Concierge",), None),
        "app/Concierge/tools/__init__.py": ("runtime", ["runtime"], ("Concierge",), None),
        "app/Concierge/tools/orders.py": ("runtime", ["runtime"], ("Concierge",), None),
        "app/Concierge/memory/__init__.py": ("runtime", ["runtime"], ("Concierge",), None),
        "app/Concierge/memory/session.py": ("runtime", ["runtime"], ("Concierge",), None),
        "app/Concierge/plugins/__init__.py": ("runtime", ["runtime"], ("Concierge",), None),
        "app/Concierge/plugins/weather.py": ("runtime", ["runtime"], ("Concierge",), None),
        "app/Concierge/unused_helper.py": ("other", ["other"], (), None),
        "app/Concierge/tests/test_main.py": ("test", ["test"], (), None),
        "backend/api.py": ("backend", ["backend"], (), None),
        "backend/agent_client.py": ("caller", ["backend", "caller"], (), "service"),
        # invokes over HTTPS, the URL built in an f-string
        "backend/stream_client.py": ("caller", ["backend", "caller"], (), "service"),
        "backend/voice_bridge.py": ("caller", ["caller"], (), None),
        "lambdas/order_lookup/handler.py": ("target", ["target"], (), None),
        "lambdas/notify/handler.py": ("target", ["target"], (), None),
        "lambdas/proxy/handler.py": ("caller", ["caller"], (), "service"),
        "infra/app.py": ("infra", ["infra"], (), None),
        "scripts/invoke_once.py": ("caller", ["caller"], (), "one_shot"),
        "scripts/migrate_orders.py": ("maintenance", ["maintenance"], (), None),
        # a bedrock-agentcore client used to evaluate sessions does not make a caller
        "scripts/evaluate_sessions.py": ("maintenance", ["maintenance"], (), None),
        # one never used for anything else may be handed to code that invokes
        "lambdas/proxy/dispatch.py": ("caller", ["caller"], (), None),
        "workshop/lab1/agent.py": ("local_copy", ["local_copy"], (), None),
        "agentcore/cdk/lambda/warmup.py": ("caller", ["caller"], (), "service"),
    }


def test_each_role_says_why(index: CodeIndex) -> None:
    why = {f.path: f.place.why for f in index.files}
    assert why["app/Concierge/main.py"] == "the entrypoint of runtime Concierge"
    assert why["app/Concierge/tools/orders.py"] == "imported at app/Concierge/tools/__init__.py:3 (runtime Concierge)"
    assert why["app/Concierge/plugins/weather.py"] == (
        f"imported at app/Concierge/main.py:{line_of('app/Concierge/main.py', 'import_module')} (runtime Concierge)"
    )
    assert why["backend/agent_client.py"] == (
        "invokes a runtime at line 13 (invoke_agent_runtime); imported by backend/api.py"
    )
    assert why["lambdas/order_lookup/handler.py"] == (
        "in a gateway target's code location; Lambda handler handler() at line 4"
    )
    assert why["workshop/lab1/agent.py"] == (
        "an agent application (BedrockAgentCoreApp, line 5) that no configured runtime deploys"
    )


def test_a_view_holds_only_its_roles_and_refuses_others(index: CodeIndex) -> None:
    runtime = index.view(("runtime",))
    assert all("runtime" in f.roles for f in runtime.files)
    assert {f.path for f in runtime.facts_of("runtime")} == {f.path for f in index.files if f.role == "runtime"}
    with pytest.raises(UndeclaredRole, match="reads caller code without declaring it"):
        list(runtime.calls(("caller",)))


def results(*select: str) -> dict[str, RuleResult]:
    report = review(ReviewRequest(target=str(FIXTURE), select=select))
    return {r.rule: r for r in report.projects[0].results}


def test_agent_rules_read_runtime_code_only() -> None:
    # every file of the tree has a bare `except Exception: pass`; only the runtime's tool is deployed agent code
    found = results("CODE002", "CODE003")
    assert findings_of(found["CODE002"]) == [
        ("fail", "app/Concierge/tools/orders.py", line_of("app/Concierge/tools/orders.py", "except Exception:"))
    ]
    assert found["CODE003"].status == "pass"  # the workshop copy's str(e) is not deployed


def test_session_rules_read_callers_by_their_workload() -> None:
    found = results("SESS001", "SESS004")
    assert findings_of(found["SESS001"]) == [
        ("fail", "backend/agent_client.py", line_of("backend/agent_client.py", "uuid.uuid4()")),
        ("fail", "lambdas/proxy/handler.py", line_of("lambdas/proxy/handler.py", "uuid.uuid4()")),
    ]
    assert findings_of(found["SESS004"]) == [
        ("warn", "backend/agent_client.py", line_of("backend/agent_client.py", "invoke_agent_runtime(")),
        ("warn", "lambdas/proxy/handler.py", line_of("lambdas/proxy/handler.py", "invoke_agent_runtime(")),
        ("warn", "scripts/invoke_once.py", line_of("scripts/invoke_once.py", "invoke_agent_runtime(")),
    ]


def test_findings_carry_their_files_role_and_runtime() -> None:
    found = results("CODE002", "SESS001")
    code = found["CODE002"].findings[0]
    assert (code.role, code.runtimes) == ("runtime code of Concierge", ["Concierge"])
    session = found["SESS001"].findings[0]
    assert (session.role, session.runtimes) == ("caller code (long-lived service)", [])


CONTAINER = Path(__file__).resolve().parents[1] / "fixtures" / "container_fastapi"


def test_a_container_runtime_is_what_its_image_copies_and_runs() -> None:
    container = build_code_index(load_project(CONTAINER))
    (entry,) = container.entries
    assert (entry.entry_file, entry.package_bounds) == (
        "agent/service/server.py",  # the CMD runs uvicorn service.server:app; the config's main.py is not run
        ("agent/requirements.txt", "agent/service", "agent/shared"),
    )
    assert {f.path: (f.role, f.runtimes) for f in container.files} == {
        "agent/service/server.py": ("runtime", ("ClaimsAgent",)),
        "agent/service/__init__.py": ("runtime", ("ClaimsAgent",)),
        "agent/service/handlers.py": ("runtime", ("ClaimsAgent",)),
        "agent/shared/__init__.py": ("runtime", ("ClaimsAgent",)),
        "agent/shared/redact.py": ("runtime", ("ClaimsAgent",)),
        "agent/main.py": ("local_copy", ()),
        "agent/scripts/seed_claims.py": ("maintenance", ()),
    }

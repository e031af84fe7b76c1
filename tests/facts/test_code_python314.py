"""Agent code written for the runtime's Python (3.12-3.14 syntax: type statements and
parameters, PEP 701 f-strings, ``except A, B:``, t-strings) is indexed and reviewed on the
product's interpreter with its exact lines, not skipped."""

from __future__ import annotations

from pathlib import Path

from agentcore_readiness.engine import ReviewRequest, review
from agentcore_readiness.facts.code.index import build_code_index
from agentcore_readiness.facts.project.project_facts import load_project
from conftest import findings_of

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "py314_agent"
MAIN = "app/OrderAgent/main.py"


def line_of(needle: str) -> int:
    lines = (FIXTURE / MAIN).read_text(encoding="utf-8").splitlines()
    hits = [n for n, text in enumerate(lines, 1) if needle in text]
    assert len(hits) == 1, needle
    return hits[0]


def where(needle: str, target: str) -> tuple[int, int]:
    """(line, column) of ``target`` on the line holding ``needle``."""
    line = line_of(needle)
    text = (FIXTURE / MAIN).read_text(encoding="utf-8").splitlines()[line - 1]
    return line, text.index(target)


def test_entrypoint_in_314_syntax_is_indexed_with_exact_lines() -> None:
    index = build_code_index(load_project(FIXTURE))
    assert index.skipped == ()
    assert [(f.path, f.role, f.runtime) for f in index.files] == [(MAIN, "runtime", "OrderAgent")]
    py_file = index.files[0]
    assert [(f.name, f.decorators, f.line) for f in py_file.functions] == [
        ("order_status", ("strands.tool",), line_of("def order_status[")),
        ("invoke", ("app.entrypoint",), line_of("def invoke(")),
    ]
    calls = {(c.name, c.line, c.col, c.in_try) for c in py_file.calls}
    assert ("agent", *where("reply = agent(prompt)", "agent("), True) in calls
    # inside the f-string that reuses its quotes, in the handler (not the try body)
    assert ("str", *where("{str(e)}", "str(e)"), False) in calls
    assert ("log.exception", *where('log.exception("agent failed")', "log."), False) in calls


def test_exception_text_in_a_pep701_fstring_fails_code003_at_its_line() -> None:
    report = review(ReviewRequest(target=str(FIXTURE), select=("CODE003", "CODE001")))
    results = {r.rule: r for r in report.projects[0].results}
    code003 = results["CODE003"]
    assert code003.status == "fail"
    assert findings_of(code003) == [("fail", MAIN, line_of('return {"error": f"agent failed on'))]
    handler = line_of("except Exception as e:")
    assert code003.findings[0].message == (
        f"the except handler on line {handler} of entrypoint invoke() returns str(e) to the caller"
    )
    # the entrypoint validates its input and catches errors: read, not skipped, so these pass
    assert results["CODE001"].status == "pass"

"""The code index: which files are agent, caller and test code; files that cannot be read or
parsed are skipped with the reason; worker processes give the same facts and the same
syntax index as the in-process path; suppressions need a reason."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from agentcore_readiness.facts.code import index as code_index
from agentcore_readiness.facts.code.index import build_code_index, parse_file
from agentcore_readiness.facts.project.project_facts import load_project
from conftest import ProjectBuilder

SAMPLE = '''
"""Module docstring mentioning sk- keys."""
import os
import requests as rq
from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()
SESSION = rq.Session()
TOKEN = os.getenv("API_TOKEN")


class Store:
    """A store."""

    def load(self, key):
        try:
            return SESSION.get(f"https://store.example.com/{key}").json()
        except Exception:
            pass


@app.entrypoint
async def invoke(payload, context):
    for item in payload.get("items", []):
        yield rq.post("https://api.example.com/x", json=item, headers={"Authorization": f"Bearer {TOKEN}"})
'''


def test_roles_runtime_and_skipped_files_with_reasons(project: ProjectBuilder) -> None:
    project.agentcore()
    project.write("app/Agent/main.py", SAMPLE)
    project.write("app/Agent/tests/test_main.py", "def test_x():\n    assert True\n")
    project.write("scripts/invoke.py", "import boto3\n")
    project.write("app/Agent/.venv/lib/site.py", "x = 1\n")
    project.write("app/Agent/legacy.py", 'print "hello"\n')
    project.write("app/Agent/broken.py", "def broken(:\n    pass\n")
    project.write("app/Agent/latin1.py", "# caf\xe9\n".encode("latin-1"))
    project.write("app/Agent/blob.py", b"\x00\x01binary")
    project.write("app/Agent/huge.py", "x = 1\n" * 400_000)
    index = build_code_index(load_project(project.root))
    assert {(f.path, f.role, f.runtime) for f in index.files} == {
        ("app/Agent/main.py", "runtime", "Agent"),
        ("app/Agent/tests/test_main.py", "test", None),
        ("scripts/invoke.py", "maintenance", None),
    }
    assert {s.path: s.reason for s in index.skipped} == {
        "app/Agent/blob.py": "is a binary file (contains NUL bytes); not read",
        "app/Agent/broken.py": "does not parse as Python 3 (line 1: invalid syntax)",
        "app/Agent/huge.py": "is 2,400,000 bytes, over the 2,097,152-byte limit; not read",
        "app/Agent/latin1.py": "is not valid UTF-8 (byte 5)",
        "app/Agent/legacy.py": "does not parse as Python 3 (line 1: Missing parentheses in call to 'print'. "
        "Did you mean print(...)?; Python 2 code?)",
    }
    report = project.review("SEC001")
    assert sorted(e.source for e in report.projects[0].fact_errors if e.fact == "code") == sorted(
        s.path for s in index.skipped
    )


def test_yaml_entrypoint_directory_is_runtime_code(project: ProjectBuilder) -> None:
    project.write(
        ".bedrock_agentcore.yaml",
        "default_agent: Bot\nagents:\n  Bot:\n    name: Bot\n    entrypoint: src/bot/app.py\n",
    )
    project.write("src/bot/app.py", "print('bot')\n")
    project.write("tools/deploy.py", "print('deploy')\n")
    index = build_code_index(load_project(project.root))
    assert {(f.path, f.role, f.runtime) for f in index.files} == {
        ("src/bot/app.py", "runtime", "Bot"),
        ("tools/deploy.py", "maintenance", None),
    }


def test_syntax_index_records_calls_functions_and_strings() -> None:
    py_file = parse_file("app/main.py", textwrap.dedent(SAMPLE).lstrip("\n"), "runtime", "Agent")
    invoke = next(f for f in py_file.functions if f.name == "invoke")
    assert (invoke.decorators, invoke.is_async, invoke.is_generator, invoke.line) == (
        ("app.entrypoint",),
        True,
        True,
        22,
    )
    load = next(f for f in py_file.functions if f.name == "load")
    assert (load.qualname, load.class_name) == ("Store.load", "Store")
    post = next(c for c in py_file.calls if c.attr == "post")
    assert (post.name, post.line, post.function is invoke, len(post.loops), post.in_try) == (
        "requests.post",
        24,
        True,
        1,
        False,
    )
    get = next(c for c in py_file.calls if c.name == "SESSION.get")
    assert (get.in_try, get.function is load) == (True, True)
    assert py_file.imports["rq"] == "requests"
    assert py_file.imported_modules == {"os", "requests", "bedrock_agentcore"}
    docstrings = [s.value for s in py_file.strings if s.is_docstring]
    assert docstrings == ["Module docstring mentioning sk- keys.", "A store."]
    assert py_file.facts.secrets == []  # a docstring that mentions sk- is not a secret


RECORDS = """
import boto3
from strands_tools import shell
import strands_tools.http_request


class Client:
    def __init__(self):
        self.client = None
        self.client = boto3.client("s3")
        headers["X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"] = sid = make()

    def call(self, request):
        token = request.headers["authorization"]
        config = {"configurable": {"thread_id": sid, "actor_id": user}, 3: "x"}
        plain = {1: 2}
        del cache["old"]

        def hook(event):
            event.cancel_tool = "needs approval"
            from strands_tools import shell
        return token, config, plain


module_level.attr = other["key"] = 1
"""


def test_the_walk_records_stores_keyed_accesses_dicts_and_imports() -> None:
    py_file = parse_file("app/client.py", RECORDS.lstrip("\n"), "runtime", "Agent")
    init, call, hook = (next(f for f in py_file.functions if f.name == n) for n in ("__init__", "call", "hook"))
    assert [(ast.unparse(s.target), ast.unparse(s.value), s.line, s.function) for s in py_file.stores] == [
        ("self.client", "None", 8, init),
        ("self.client", "boto3.client('s3')", 9, init),
        ("headers['X-Amzn-Bedrock-AgentCore-Runtime-Session-Id']", "make()", 10, init),
        ("event.cancel_tool", "'needs approval'", 19, hook),
        ("module_level.attr", "1", 24, None),
        ("other['key']", "1", 24, None),
    ]
    assert [(a.key, a.node.lineno, type(a.node.ctx).__name__) for a in py_file.keyed] == [
        ("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", 10, "Store"),
        ("authorization", 13, "Load"),
        ("old", 16, "Del"),
        ("key", 24, "Store"),
    ]
    # dict displays with a string key (the nested one too), not {1: 2}
    assert [(d.node.lineno, d.node.col_offset) for d in py_file.dicts] == [(14, 17), (14, 34)]
    assert [(r.module, r.names, r.line) for r in py_file.import_records] == [
        ("boto3", (), 1),
        ("strands_tools", ("shell",), 2),
        ("strands_tools.http_request", (), 3),
        ("strands_tools", ("shell",), 20),
    ]
    assert [(ast.unparse(a), a.lineno) for a in py_file.name_attributes] == [
        ("boto3.client", 9),
        ("request.headers", 13),
    ]  # reads only: not the stores to self.client or event.cancel_tool
    assert call.class_name == "Client"


def _facts_by_path(index: code_index.CodeIndex) -> dict[str, object]:
    return {f.path: f.facts for f in index.files}


def test_worker_processes_give_the_same_facts_and_syntax_index(
    project: ProjectBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.agentcore()
    for number in range(6):
        project.write(f"app/Agent/pkg/mod{number}.py", SAMPLE.replace("Store", f"Store{number}"))
    project.write("app/Agent/broken.py", "def broken(:\n")
    project.write("scripts/ops.py", "import boto3\nclient = boto3.client('bedrock-agentcore')\n")
    facts = load_project(project.root)
    sequential = build_code_index(facts, workers=1)
    monkeypatch.setattr(code_index, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(code_index, "PARALLEL_MIN_BYTES", 1)
    parallel = build_code_index(facts, workers=2)
    assert parallel.parallel and not sequential.parallel
    assert _facts_by_path(parallel) == _facts_by_path(sequential)
    assert parallel.skipped == sequential.skipped
    for before, after in zip(sequential.files, parallel.files, strict=True):
        assert not after.loaded
        assert [(c.name, c.line, c.col, c.in_try, len(c.loops)) for c in after.calls] == [
            (c.name, c.line, c.col, c.in_try, len(c.loops)) for c in before.calls
        ]
        assert [(f.qualname, f.decorators, f.is_generator) for f in after.functions] == [
            (f.qualname, f.decorators, f.is_generator) for f in before.functions
        ]
        assert [(s.value, s.line, s.is_docstring) for s in after.strings] == [
            (s.value, s.line, s.is_docstring) for s in before.strings
        ]
        assert [(s.line, ast.dump(s.target)) for s in after.stores] == [
            (s.line, ast.dump(s.target)) for s in before.stores
        ]
        assert [(a.key, a.node.lineno) for a in after.keyed] == [(a.key, a.node.lineno) for a in before.keyed]
        assert [ast.dump(d.node) for d in after.dicts] == [ast.dump(d.node) for d in before.dicts]
        assert after.import_records == before.import_records
        assert [ast.dump(a) for a in after.name_attributes] == [ast.dump(a) for a in before.name_attributes]
        assert after.lines == before.lines
    assert [r.status for r in project.review("CODE", "SEC", "GW").projects[0].results]


CORPUS = [
    SAMPLE,
    Path(__file__).read_text(encoding="utf-8"),
    Path(code_index.__file__).read_text(encoding="utf-8"),
    """
import os, httpx
from a2a.client import A2ACardResolver
def f(url):
    api_key = "Zq8rT2mW9xK4pL7n"
    with httpx.Client(base_url="https://x.example.com") as c:
        r = c.get("/a", headers={"X-Api-Key": os.environ["X_API_KEY"]})
    try:
        run()
    except Exception as e:
        return {"error": str(e)}
    db = "postgresql://u@10.0.0.5:5432/app"
    return A2ACardResolver(httpx_client=c, base_url=url)
""",
]


@pytest.mark.parametrize("role", ["agent", "caller", "test"])
def test_selective_walk_collects_what_the_full_walk_collects(role: str) -> None:
    for source in CORPUS:
        text = textwrap.dedent(source).lstrip("\n")
        tree = ast.parse(text)
        full = code_index._build(tree, text.splitlines(), legacy=True, analyze=True, role=role, text=text)  # type: ignore[arg-type]
        selective = code_index._build(ast.parse(text), [], legacy=False, analyze=True, role=role, text=text)  # type: ignore[arg-type]
        full.facts.line_count = selective.facts.line_count
        assert selective.facts == full.facts


def test_suppression_needs_a_reason() -> None:
    text = (
        "a = 1  # agentcore-readiness: ignore[SEC001,GW001] fixture key, revoked\n"
        "b = 2  # agentcore-readiness: ignore[SEC002]\n"
        "c = 3  # agentcore-readiness: ignore[gw002] -- \n"
    )
    py_file = parse_file("x.py", text, "runtime", "Agent")
    assert py_file.suppressions == {1: {"SEC001", "GW001"}}
    assert py_file.facts.unreasoned == {2: {"SEC002"}, 3: {"GW002"}}
    assert py_file.suppressed("GW001", 1) and not py_file.suppressed("SEC002", 2)
    assert py_file.unreasoned_ignore("SEC002", 2)

"""Cost of reading agent code written for Python 3.12-3.14 on the product's interpreter.

Times one generated 1,000-line agent module that uses PEP 695 type parameters and
``type`` statements, PEP 696 defaults, PEP 701 f-strings, PEP 758 ``except A, B:`` and
PEP 750 t-strings, and the same module written in 3.11 syntax:

* native ``ast.parse`` of the 3.11 module (the baseline);
* ``parse_module`` of the 3.11 module (the fast path: must cost the same);
* ``parse_module`` of the new-syntax module (the in-place rewrite);
* the alternatives considered, when present: libcst (``--with libcst``), parso
  (``--with parso``; it only reports whether it accepts the syntax), and a newer
  interpreter in a subprocess (``--python /path/to/python3.13``; it parses the module
  without the 3.14-only constructs and sends the tree back as JSON).

Usage: ``uv run python benchmarks/pyparse.py [--runs 20] [--python PYTHON]``
(``uv run --with libcst --with parso python benchmarks/pyparse.py`` for those).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import statistics
import subprocess
import time
from collections.abc import Callable

from agentcore_readiness.analysis.pyparse import parse_module

HEAD = '''"""Order support agent."""
import logging

from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import tool

app = BedrockAgentCoreApp()
log = logging.getLogger(__name__)
'''
NEW = '''
type Record{i} = dict[str, str | int]


@tool
def lookup_{i}[T: (str, int)](key: T, table: dict[T, Record{i}]) -> str:
    """Look up one order by key and describe it."""
    row = table.get(key, {{}})
    try:
        status = row["status"]
    except KeyError, TypeError:
        return f"order {{key}} has no status: {{row.get("reason", "unknown")}}"
    note = f"{{'\\n'.join(str(v) for v in row.values())}}"
    return f"order {{key!r}}: {{status}} ({{len(note)}} chars)"


class Cache{i}[K, V = str]:
    def __init__(self) -> None:
        self.items: dict[K, V] = {{}}

    def render(self, key: K) -> str:
        shown = t"{{key}} -> {{self.items.get(key)!r:>20}}"
        return f"{{self.items[key]["label"] if key in self.items else "-"}}"
'''
OLD = '''
Record{i} = dict[str, str | int]


@tool
def lookup_{i}(key, table: dict) -> str:
    """Look up one order by key and describe it."""
    row = table.get(key, {{}})
    try:
        status = row["status"]
    except (KeyError, TypeError):
        return f"order {{key}} has no status: {{row.get('reason', 'unknown')}}"
    note = f"{{chr(10).join(str(v) for v in row.values())}}"
    return f"order {{key!r}}: {{status}} ({{len(note)}} chars)"


class Cache{i}:
    def __init__(self) -> None:
        self.items: dict = {{}}

    def render(self, key) -> str:
        shown = f"{{key}} -> {{self.items.get(key)!r:>20}}"
        return f"{{self.items[key]['label'] if key in self.items else '-'}}"
'''
CHILD = r"""
import ast, json, sys
def encode(node):
    if isinstance(node, ast.AST):
        out = {"_": type(node).__name__}
        for name in (*node._fields, *node._attributes):
            out[name] = encode(getattr(node, name, None))
        return out
    if isinstance(node, list):
        return [encode(item) for item in node]
    return node if isinstance(node, (str, int, float, bool, type(None))) else repr(node)
sys.stdout.write(json.dumps(encode(ast.parse(sys.stdin.read()))))
"""


def module(block: str, lines: int = 1_000) -> str:
    text, i = HEAD, 0
    while text.count("\n") < lines - 10:
        text += block.format(i=i)
        i += 1
    return text


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """(best, median) milliseconds."""
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--python", help="a newer interpreter to time the subprocess alternative")
    args = parser.parse_args()
    new, old = module(NEW), module(OLD)
    print(f"module: {new.count(chr(10))} lines, {len(new.encode()):,} bytes (3.11 twin: {len(old.encode()):,} bytes)")
    rows: list[tuple[str, tuple[float, float] | str]] = [
        ("ast.parse, 3.11 syntax (baseline)", timed(args.runs, lambda: ast.parse(old))),
        ("parse_module, 3.11 syntax (fast path)", timed(args.runs, lambda: parse_module(old, "old.py"))),
        ("parse_module, 3.12-3.14 syntax (rewrite)", timed(args.runs, lambda: parse_module(new, "new.py"))),
    ]
    if importlib.util.find_spec("libcst"):
        import libcst
        from libcst.metadata import MetadataWrapper, PositionProvider

        rows.append(("libcst.parse_module", timed(max(args.runs // 4, 3), lambda: libcst.parse_module(new))))
        rows.append(
            (
                "libcst + PositionProvider (no ast yet)",
                timed(3, lambda: MetadataWrapper(libcst.parse_module(new)).resolve(PositionProvider)),
            )
        )
    if importlib.util.find_spec("parso"):
        import parso

        grammar = parso.load_grammar(version="3.14")
        errors = list(grammar.iter_errors(grammar.parse(new)))
        rows.append(("parso 3.14 grammar", f"{len(errors)} syntax errors reported on valid 3.14 code"))
    if args.python:
        older = new.replace("except KeyError, TypeError:", "except (KeyError, TypeError):").replace(' t"', ' f"')
        command = [args.python, "-I", "-S", "-c", CHILD]

        def in_subprocess() -> object:
            out = subprocess.run(command, input=older, capture_output=True, text=True, check=True).stdout
            return json.loads(out)

        rows.append((f"subprocess {args.python} + JSON tree", timed(max(args.runs // 4, 3), in_subprocess)))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        shown = value if isinstance(value, str) else f"best {value[0]:7.1f} ms   median {value[1]:7.1f} ms"
        print(f"{name:<{width}}  {shown}")


if __name__ == "__main__":
    main()

"""Reviews run in threads at once on a server: parsing must not fail under concurrency.

CPython 3.11 keeps the depth of the tree ``ast.parse`` converts in per-interpreter state;
a thread switch during the conversion (a garbage collection running a weakref callback)
while another thread parses made both raise ``SystemError: AST constructor recursion depth
mismatch``, and the load benchmark saw a few tool errors per thousand calls.
"""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from agentcore_readiness.analysis.pyparse import parse_module

SOURCE = "def f(x):\n" + "".join(
    f"    y{i} = [(a, {{'k': b}}) for a in range(x) if a for b in [a, (a, a)]]\n" for i in range(200)
)


class _Node:
    pass


@pytest.mark.timeout(60)
def test_parsing_in_many_threads_under_garbage_collection_never_fails() -> None:
    errors: list[str] = []
    registry: weakref.WeakKeyDictionary[_Node, int] = weakref.WeakKeyDictionary()

    def work() -> None:
        for _ in range(40):
            # cyclic garbage whose collection runs Python callbacks in the middle of a parse
            for _ in range(200):
                first, second = _Node(), _Node()
                first.other, second.other = second, first  # type: ignore[attr-defined]
                registry[first] = 1
            try:
                tree = parse_module(SOURCE, "agent.py")
            except SystemError as exc:
                errors.append(str(exc))
            else:
                assert len(tree.body) == 1

    thresholds = gc.get_threshold()
    gc.set_threshold(50)
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.set_threshold(*thresholds)
    assert errors == []

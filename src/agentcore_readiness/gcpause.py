"""Pausing the cyclic garbage collector while a review builds and reads its facts.

A review holds millions of long-lived objects (syntax trees, index records) and allocates
millions more; with the collector on, each automatic collection rescans what is alive, which
on a large project cost as much as the review itself. The review's data holds no reference
cycles that matter (syntax trees and records are freed by reference counting), so the
collector is paused for the review and runs again once it is over. Reentrant and
thread-safe: concurrent reviews (the server's worker threads) keep it paused until the last
one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()

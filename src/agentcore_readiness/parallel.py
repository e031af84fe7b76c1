"""Reviewing the projects of a folder in worker processes, one per core.

Each worker is a fresh interpreter (a plain subprocess running this module, with pickled
messages on its pipes: nothing of this process, its threads or its ``__main__`` is
inherited or re-run). The parent hands each worker one project at a time, largest first,
and puts the reports back in the order the projects were found. The worker reviews under
the same allowed roots, limits and configuration choice as this process; it analyses a
project's files itself (no nested workers). When workers cannot be used (one core, a
request that cannot be sent, a worker that dies) the projects are reviewed here instead,
so the outcome never depends on the workers.
"""

from __future__ import annotations

import os
import pickle
import selectors
import struct
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from agentcore_readiness.model import ProjectReport

Request = TypeVar("Request")
ProjectReview = Callable[[Path, str, Request, Path], tuple[ProjectReport, set[str]]]
"""Reviews one project: (root, display, request, repository base) to (report, baseline hits)."""

PARALLEL_MIN_FILES = 400
"""Below this many files in all, starting workers costs more than it saves."""

NESTED_ENV = "AGENTCORE_READINESS_CODE_WORKERS"
"""Set to 1 in project workers: their code index analyses files in the worker itself."""

_HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class _Setup(Generic[Request]):
    review: ProjectReview[Request]
    """Sent by reference (a module-level function): the worker imports its module."""
    input_error: type[Exception]
    """The exception that means bad user input: its message is the project's answer."""
    request: Request
    base: Path
    roots: tuple[Path, ...] | None
    limits: Any


@dataclass(frozen=True)
class _Outcome:
    index: int
    report: ProjectReport | None = None
    hits: frozenset[str] = frozenset()
    input_error: str | None = None
    """The message of the project's input error (``_Setup.input_error``)."""
    failed: bool = False
    """Anything else went wrong: the project is reviewed again in the parent."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(projects: int, files: int) -> int:
    """How many workers to use for ``projects`` holding ``files`` files (0: review here)."""
    cores = usable_cores()
    if projects < 2 or cores < 2 or files < PARALLEL_MIN_FILES or os.environ.get(NESTED_ENV) == "1":
        return 0
    return min(cores, projects)


def _write(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - written by our own parent or worker process


def review_in_workers(
    jobs: Sequence[tuple[Path, str]],
    sizes: Sequence[int],
    request: Request,
    base: Path,
    workers: int,
    *,
    review: ProjectReview[Request],
    input_error: type[Exception],
) -> dict[int, tuple[ProjectReport, set[str]]]:
    """Review ``jobs`` (root, display) in ``workers`` processes with ``review(root, display,
    request, base)``; returns the reports by job index. ``request`` is sent to each worker as
    it is (it must hold everything the review depends on, such as the configuration choice).

    Jobs a worker could not finish are missing from the result (the caller reviews them);
    a project's input error is raised here as ``input_error``.
    """
    from agentcore_readiness import roots, scope

    setup = _Setup(review, input_error, request, base, roots.current_roots(), scope.current_limits())
    try:
        pickle.dumps(setup)
    except (pickle.PicklingError, TypeError, AttributeError):
        return {}
    order = sorted(range(len(jobs)), key=lambda i: -sizes[i])
    done: dict[int, tuple[ProjectReport, set[str]]] = {}
    processes = [_start(setup) for _ in range(workers)]
    selector = selectors.DefaultSelector()
    try:
        busy = 0
        for process in processes:
            if order and process is not None:
                _send(process, order.pop(0), jobs)
                selector.register(process.stdout, selectors.EVENT_READ, process)  # type: ignore[arg-type]
                busy += 1
        while busy:
            for key, _ in selector.select():
                process = key.data
                busy -= 1
                try:
                    outcome: _Outcome = _read(process.stdout)
                except (EOFError, pickle.UnpicklingError, OSError):
                    selector.unregister(key.fileobj)
                    continue
                if outcome.input_error is not None:
                    raise input_error(outcome.input_error)
                if outcome.report is not None:
                    done[outcome.index] = (outcome.report, set(outcome.hits))
                if order:
                    try:
                        _send(process, order.pop(0), jobs)
                        busy += 1
                    except OSError:
                        selector.unregister(key.fileobj)
                else:
                    selector.unregister(key.fileobj)
    finally:
        selector.close()
        for process in processes:
            _tell_to_stop(process)  # all at once: they finish their exits side by side
        for process in processes:
            _wait(process)
    return done


def _start(setup: _Setup[Any]) -> subprocess.Popen[bytes] | None:
    package_root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, NESTED_ENV: "1"}
    try:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed argv
            [sys.executable, "-c", _WORKER_CODE, package_root],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert process.stdin is not None
        _write(process.stdin, setup)
    except OSError:
        return None
    return process


def _send(process: subprocess.Popen[bytes], index: int, jobs: Sequence[tuple[Path, str]]) -> None:
    assert process.stdin is not None
    root, display = jobs[index]
    _write(process.stdin, (index, root, display))


def _tell_to_stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None:
        return
    try:
        if process.stdin is not None:
            _write(process.stdin, None)
            process.stdin.close()
    except OSError:
        pass


def _wait(process: subprocess.Popen[bytes] | None) -> None:
    if process is None:
        return
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


_WORKER_CODE = (
    "import sys; sys.path[:0] = sys.argv[1:]; from agentcore_readiness.parallel import worker_main; worker_main()"
)


def worker_main() -> None:
    """A project worker: read the setup, then review each project sent until told to stop."""
    from agentcore_readiness import roots, scope

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    setup: _Setup[Any] = _read(stdin)
    with roots.allowed_roots(setup.roots), scope.scope_limits(setup.limits):
        while (job := _read(stdin)) is not None:
            index, root, display = job
            try:
                report, hits = setup.review(root, display, setup.request, setup.base)
                outcome = _Outcome(index, report, frozenset(hits))
            except setup.input_error as exc:
                outcome = _Outcome(index, input_error=str(exc))
            except Exception:  # noqa: BLE001 - the parent reviews it again and reports what happens there
                outcome = _Outcome(index, failed=True)
            _write(stdout, outcome)

"""A folder of projects is reviewed in worker processes, one per core, with the same report
as one after the other here, in the order the projects were found."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentcore_readiness import parallel
from agentcore_readiness.engine import InputError, ReviewRequest, review
from agentcore_readiness.roots import allowed_roots
from conftest import FIXTURES, runtime

FOLDER = ("concierge_monorepo", "clean-agent", "tool_calls", "toolkit-desk")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "projects"
    for name in FOLDER:
        shutil.copytree(FIXTURES / name, root / name)
    return root


def _review(target: Path, monkeypatch: pytest.MonkeyPatch, *, workers: bool) -> list[dict[str, object]]:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 0 if workers else 10**9)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    report = review(ReviewRequest(target=str(target)))
    return [p.model_dump() for p in report.projects]


def test_workers_give_the_same_reports_in_the_same_order(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    real = parallel.review_in_workers

    def counting(*args: object, **kwargs: object) -> object:
        started.append(args[-1])  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "review_in_workers", counting)
    in_workers = _review(folder, monkeypatch, workers=True)
    assert started == [2]
    here = _review(folder, monkeypatch, workers=False)
    assert started == [2]
    assert [p["path"] for p in in_workers] == [str(folder / name) for name in sorted(FOLDER)]
    assert in_workers == here


def test_a_worker_reports_a_project_outside_the_roots_as_the_input_error(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import ProjectBuilder

    ProjectBuilder(folder / "zz-escape").agentcore(runtimes=[runtime(additionalPolicies=["../../elsewhere/p.json"])])
    with allowed_roots([folder]), pytest.raises(InputError) as raised:
        _review(folder, monkeypatch, workers=True)
    assert str(raised.value) == (
        f"{folder / 'zz-escape'}: runtime 'Agent' additionalPolicies names a path outside the directories this "
        "server may read; the project is not reviewed"
    )


def test_small_folders_and_single_projects_are_reviewed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    assert parallel.worker_count(projects=1, files=10_000) == 0
    assert parallel.worker_count(projects=3, files=parallel.PARALLEL_MIN_FILES - 1) == 0
    assert parallel.worker_count(projects=3, files=parallel.PARALLEL_MIN_FILES) == 2
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    assert parallel.worker_count(projects=3, files=10_000) == 0

"""Dockerfile reading (what the final image runs, what each RUN installs, which stages reach the
image) and uv.lock reading (the targeted reader gives what a full TOML parse gives, and falls
back to it outside uv's shape)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_readiness.facts.measure import uv_lock
from agentcore_readiness.facts.project.dockerfile import Dockerfile, parse_dockerfile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def image(text: str) -> Dockerfile:
    return Dockerfile(path="Dockerfile", instructions=parse_dockerfile(text))


@pytest.mark.parametrize(
    ("command", "module", "script", "launcher"),
    [
        ('CMD ["python", "-m", "app.main"]', "app.main", None, ()),
        ("CMD python main.py", None, "/srv/main.py", ()),
        ('CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]', "app.main", None, ()),
        ('CMD ["python", "-m", "uvicorn", "--port", "8080", "svc.api:app"]', "svc.api", None, ()),
        ("CMD gunicorn -k uvicorn.workers.UvicornWorker -b 0.0.0.0:8080 web.app:create_app()", "web.app", None, ()),
        (
            'CMD ["opentelemetry-instrument", "python", "-u", "agent/server.py"]',
            None,
            "/srv/agent/server.py",
            ("opentelemetry-instrument",),
        ),
        (
            'CMD ["sh", "-c", "exec opentelemetry-instrument python -m bot"]',
            "bot",
            None,
            ("exec", "opentelemetry-instrument"),
        ),
        ('ENTRYPOINT ["uv", "run", "--no-sync"]\nCMD ["python", "-m", "svc"]', "svc", None, ("uv", "run", "--no-sync")),
    ],
)
def test_run_target_forms(command: str, module: str | None, script: str | None, launcher: tuple[str, ...]) -> None:
    target = image(f"FROM python:3.12-slim\nWORKDIR /srv\n{command}\n").run_target
    assert target is not None
    assert (target.module, target.script, target.launcher) == (module, script, launcher)


def test_installs_in_shell_and_exec_forms_with_cd_and_mounts() -> None:
    dockerfile = image(
        "FROM python:3.12-slim AS base\n"
        "WORKDIR /app\n"
        "RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt -c constraints.txt\n"
        'RUN ["pip", "install", "--no-cache-dir", "boto3==1.35.0"]\n'
        "RUN cd agent && UV_SYSTEM_PYTHON=1 uv pip install -e '.[otel]' && python -m compileall .\n"
        "RUN pip install $EXTRA_PACKAGES\n"
    )
    installs = dockerfile.build_stages[0].installs
    assert [(i.line, i.tool, i.workdir) for i in installs] == [
        (3, "pip", "/app"),
        (4, "pip", "/app"),
        (5, "uv pip install", "/app/agent"),
        (6, "pip", "/app"),
    ]
    assert installs[0].requirement_files == ("requirements.txt",)
    assert installs[1].packages == ("boto3==1.35.0",)
    assert (installs[2].projects, installs[2].editable) == ((".[otel]",), True)
    assert installs[3].unresolved == ("$EXTRA_PACKAGES",)


def test_only_stages_that_reach_the_final_image_count() -> None:
    dockerfile = image(
        "FROM python:3.12 AS deps\nRUN pip install -r requirements.txt\n"
        "FROM deps AS test\nRUN pip install pytest\n"
        "FROM python:3.12-slim AS wheels\nRUN pip wheel -w /w .\n"
        'FROM python:3.12-slim\nCOPY --from=deps /usr/local /usr/local\nCMD ["python", "-m", "app"]\n'
    )
    assert [s.name for s in dockerfile.image_stages] == ["deps", None]


# --- uv.lock -----------------------------------------------------------------------------------


def test_the_targeted_reader_matches_a_full_parse() -> None:
    text = (FIXTURES / "build_codezip/app/Agent/uv.lock").read_text()
    fast = uv_lock.read_lock("uv.lock", text)
    full = {p.name: p for p in (uv_lock._package(item) for item in uv_lock._toml_packages(text)) if p is not None}
    assert dict(fast.packages) == full
    acme = fast.packages["acme-toolkit"]
    assert acme.requires == (uv_lock.Requirement("tenacity", (), "http", None),)
    assert (fast.packages["pandas"].wheel, fast.packages["pandas"].size) == (
        "pandas-2.2.3-cp313-cp313-manylinux_2_17_aarch64.whl",
        15000000,
    )
    assert fast.packages["agent"].local


def test_a_lock_outside_uvs_shape_is_read_by_the_toml_parser() -> None:
    # Valid TOML, but a table-array form uv does not write: the full parser reads it.
    text = 'version = 1\n\n[[package]]\nname = "x"\nversion = "1"\n\n[[package.dependencies]]\nname = "y"\n'
    lock = uv_lock.read_lock("uv.lock", text)
    assert lock.packages["x"].requires == (uv_lock.Requirement("y"),)
    with pytest.raises(uv_lock.LockError, match="is not valid TOML"):
        uv_lock.read_lock("uv.lock", "version = 1\n[[package]\nname = \n")

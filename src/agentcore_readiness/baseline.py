"""Baselines: adopt the product on a project with known findings and fail only on new ones.

``check --baseline FILE --write-baseline`` records the fingerprint of every finding that
counts today; ``check --baseline FILE`` then reports those findings as suppressed (with the
file named) and fails only on findings whose fingerprint is not in it. Fingerprints hold no
line numbers or array positions, so unrelated edits do not make old findings new.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentcore_readiness.finalize import Baseline
from agentcore_readiness.model import Report

FORMAT_VERSION = 1
MAX_BYTES = 20 * 1024 * 1024


class BaselineError(Exception):
    """A baseline file that cannot be read."""


def read_baseline(path: str) -> Baseline:
    from agentcore_readiness.facts.files import FileReadError, decode_text, read_bytes

    file = Path(path)
    if not (file.exists() or file.is_symlink()):
        raise BaselineError(f"{path}: no such file (write it with --write-baseline)")
    try:
        # the bounded reader: a regular file only (a FIFO would hang the CI job), size-capped
        data = json.loads(decode_text(read_bytes(None, file, MAX_BYTES), path))
    except FileReadError as exc:
        if exc.kind == "too_large":
            raise BaselineError(f"{path}: over {MAX_BYTES:,} bytes; not a baseline written by this tool") from None
        raise BaselineError(f"{path}: {exc.message}") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: not valid JSON ({exc})") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or data.get("version") != FORMAT_VERSION:
        raise BaselineError(f"{path}: not an agentcore-readiness baseline (version {FORMAT_VERSION} with findings[])")
    fingerprints = {e.get("fingerprint") for e in entries if isinstance(e, dict)}
    if not all(isinstance(f, str) and f for f in fingerprints):
        raise BaselineError(f"{path}: every finding needs a fingerprint")
    return Baseline(file=path, fingerprints=frozenset(str(f) for f in fingerprints))


def baseline_document(report: Report) -> dict[str, Any]:
    """The baseline of ``report``: every finding that counts, by fingerprint, with where and what."""
    entries = []
    for project in report.projects:
        prefix = project.repository_path
        for result in project.results:
            for finding in result.findings:
                location = finding.location
                where = location.path
                if where and prefix not in (None, "", "."):
                    where = f"{prefix}/{where}"
                entries.append(
                    {
                        "fingerprint": finding.fingerprint,
                        "rule": finding.rule,
                        "location": where or location.arn or project.path,
                        "message": finding.message,
                    }
                )
    entries.sort(key=lambda e: (str(e["location"]), str(e["rule"]), str(e["fingerprint"])))
    return {"tool": report.tool, "version": FORMAT_VERSION, "findings": entries}


def write_baseline(report: Report, path: str) -> int:
    """Write the baseline of ``report`` to ``path``; returns the number of findings recorded."""
    document = baseline_document(report)
    Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(document["findings"])

"""One finding per fact: runtimes that share a file share its findings.

Several runtimes built from the same folder share its Dockerfile and dependency files; a
missing package there is one fact, found once per runtime. :func:`merge_shared` folds the
findings of one rule that sit at the same place and say the same thing about different
runtimes into one finding that names them all.
"""

from __future__ import annotations

from agentcore_readiness.checks.registry import Findings
from agentcore_readiness.model import Finding


def runtimes_phrase(names: list[str]) -> str:
    """``runtime 'A'``, ``runtimes 'A' and 'B'``, ``runtimes 'A', 'B' and 'C'``."""
    quoted = [repr(n) for n in names]
    if len(quoted) == 1:
        return f"runtime {quoted[0]}"
    return f"runtimes {', '.join(quoted[:-1])} and {quoted[-1]}"


def merge_shared(out: Findings) -> None:
    """Merge findings of ``out`` that differ only in the runtime they name (``runtime 'X'`` in
    the message, the runtime as subject) and sit at the same file, line and pointer.
    """
    groups: dict[tuple[object, ...], list[Finding]] = {}
    order: list[tuple[object, ...]] = []
    for finding in out.items:
        subject = finding.subject
        marker = f"runtime {subject!r}"
        if subject is None or marker not in finding.message:
            key: tuple[object, ...] = ("single", id(finding))
        else:
            location = finding.location
            key = (
                finding.level,
                location.path,
                location.line,
                location.pointer,
                location.arn,
                finding.message.replace(marker, "runtime {}"),
            )
        if key not in groups:
            order.append(key)
        groups.setdefault(key, []).append(finding)
    merged: list[Finding] = []
    for key in order:
        found = groups[key]
        if len(found) == 1:
            merged.append(found[0])
            continue
        names = [f.subject or "" for f in found]
        first = found[0]
        message = first.message.replace(f"runtime {first.subject!r}", runtimes_phrase(names))
        merged.append(first.model_copy(update={"message": message, "subject": ", ".join(names), "runtimes": names}))
    out.items[:] = merged

"""What happens to a rule's findings before they are reported, per project: each gets its
fingerprint, its JSON Patch is made valid against the file it names, and suppressions apply
(an ignore comment on the line, an ``accept`` entry of the project's configuration, the
``--baseline`` file). Suppressed findings are kept, with their reason, apart from the ones
that count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcore_readiness.checks.fixes import PatchError, complete_patch
from agentcore_readiness.fingerprints import Fingerprinter
from agentcore_readiness.log import get_logger
from agentcore_readiness.model import Finding, Fix, Suppression

if TYPE_CHECKING:
    from agentcore_readiness.facts.code.index import CodeIndex
    from agentcore_readiness.facts.project.project_facts import ProjectFacts

log = get_logger(__name__)


@dataclass(frozen=True)
class Baseline:
    """Fingerprints of findings known when the baseline was written."""

    file: str
    fingerprints: frozenset[str]


@dataclass
class SuppressionTally:
    """What the project's accept entries and the baseline matched, for the report."""

    accepts_used: set[str] = field(default_factory=set)
    accepted: int = 0
    baseline_hits: set[str] = field(default_factory=set)


class _ConfigDocuments:
    """The parsed config files of a project, each read once (``None`` when one is not a config
    file or cannot be read)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._documents: dict[str, Any] = {}

    def __call__(self, rel: str) -> Any:
        if rel not in self._documents:
            from agentcore_readiness.facts.project.project_facts import load_config_document

            self._documents[rel] = load_config_document(self.root, rel)
        return self._documents[rel]


class FindingFinalizer:
    """Finishes the findings of one project's rules."""

    def __init__(
        self,
        project: ProjectFacts,
        code: CodeIndex | None = None,
        repository_prefix: str | None = None,
        baseline: Baseline | None = None,
    ) -> None:
        self.project = project
        self.code = code
        self.baseline = baseline
        self.tally = SuppressionTally()
        # The fingerprinter gets the document cache, not a method of this finalizer: a bound
        # method would close a reference cycle (finalizer -> fingerprinter -> finalizer) that
        # kept the code index (and every syntax tree) alive until a full garbage collection.
        self.document = _DocumentCache(project.root)
        self.fingerprinter = Fingerprinter(project.root, repository_prefix, self.document)

    def finish(self, findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(findings that count, suppressed findings) of one rule."""
        placed = [self._placed(f) for f in findings]
        finished = [self._valid_patch(f) for f in self.fingerprinter.assign(placed)]
        kept: list[Finding] = []
        suppressed: list[Finding] = []
        for finding in finished:
            suppression = self._suppression(finding)
            if suppression is None:
                kept.append(finding)
            else:
                suppressed.append(finding.model_copy(update={"suppression": suppression}))
        return kept, suppressed

    def _placed(self, finding: Finding) -> Finding:
        """A finding in code with its file's role and runtimes (and how the runtime's paths were read)."""
        path = finding.location.path
        py_file = self.code.file(path) if self.code is not None and path else None
        if py_file is None or finding.role is not None:
            return finding
        update: dict[str, Any] = {"role": py_file.place.label, "runtimes": list(py_file.runtimes)}
        notes = [n for r in self.project.runtimes if r.name in py_file.runtimes for n in r.path_notes]
        if notes:
            update["evidence"] = "; ".join(filter(None, (finding.evidence, *notes)))
        return finding.model_copy(update=update)

    def _valid_patch(self, finding: Finding) -> Finding:
        if finding.fix is None or not finding.fix.patch:
            return finding
        return finding.model_copy(update={"fix": valid_fix(finding.fix, self.document, finding.rule)})

    def _suppression(self, finding: Finding) -> Suppression | None:
        in_code = self._in_code(finding)
        if in_code is not None:
            return in_code
        for accept in self.project.settings.accept:
            if accept.matches(finding):
                self.tally.accepts_used.add(accept.label)
                self.tally.accepted += 1
                return Suppression(kind="external", source=accept.label, reason=accept.reason)
        if self.baseline is not None and finding.fingerprint in self.baseline.fingerprints:
            self.tally.baseline_hits.add(finding.fingerprint)
            return Suppression(
                kind="external", source=f"baseline {self.baseline.file}", reason="known when the baseline was written"
            )
        return None

    def _in_code(self, finding: Finding) -> Suppression | None:
        location = finding.location
        if self.code is None or not location.path or location.line is None:
            return None
        py_file = self.code.file(location.path)
        if py_file is None or not py_file.suppressed(finding.rule, location.line):
            return None
        from agentcore_readiness.facts.code.index import SUPPRESS

        match = SUPPRESS.search(py_file.line_text(location.line))
        reason = match.group(2).strip(" \t-:—#") if match else None
        return Suppression(kind="in_source", source=f"{location.path}:{location.line}", reason=reason or None)


def valid_fix(fix: Fix, documents: Callable[[str], Any], rule: str = "") -> Fix:
    """``fix`` with its patch made valid RFC 6902 against the file it names (see
    :func:`~agentcore_readiness.checks.fixes.complete_patch`); a patch that cannot be is left out."""
    if not fix.patch or not fix.patch_file:
        return fix
    document = documents(fix.patch_file)
    if document is None:
        return fix
    try:
        patch = complete_patch(fix.patch, document)
    except PatchError as exc:
        log.warning("fix patch does not apply; left out", rule=rule, file=fix.patch_file, error=str(exc))
        return fix.model_copy(update={"patch": None})
    return fix.model_copy(update={"patch": patch})


class _DocumentCache:
    """The parsed config files of one project, each read once (``None`` when a file is not
    one or unreadable)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._documents: dict[str, Any] = {}

    def __call__(self, rel: str) -> Any:
        if rel not in self._documents:
            from agentcore_readiness.facts.project.project_facts import load_config_document

            self._documents[rel] = load_config_document(self.root, rel)
        return self._documents[rel]


def project_documents(root: Path) -> Callable[[str], Any]:
    """A reader of the project's config documents, for :func:`valid_fix` outside a review."""
    from agentcore_readiness.facts.project.project_facts import load_config_document

    return lambda rel: load_config_document(root, rel)


def suppression_reason(suppressed: list[Finding]) -> str:
    """``3 finding(s) suppressed: 1 in code, 2 accepted in pyproject.toml``."""
    kinds: Counter[str] = Counter()
    for finding in suppressed:
        source = finding.suppression.source if finding.suppression else ""
        if finding.suppression is not None and finding.suppression.kind == "in_source":
            kinds["in code"] += 1
        elif source.startswith("baseline "):
            kinds["in the baseline"] += 1
        else:
            kinds[f"accepted in {source.split(' accept[')[0]}"] += 1
    parts = ", ".join(f"{count} {where}" for where, count in kinds.items())
    return f"{len(suppressed)} finding(s) suppressed: {parts}"


def repository_prefix(project_root: Path, base: Path) -> str | None:
    """The project root relative to the repository base, ``.`` for the base itself, else ``None``."""
    try:
        return project_root.resolve().relative_to(base).as_posix()
    except ValueError:
        return None

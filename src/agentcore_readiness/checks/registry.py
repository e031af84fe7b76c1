"""The rule registry: every check is a pure function registered under its stable code.

A check receives the frozen :class:`Facts` and a :class:`Findings` collector; it adds
findings (``fail``, ``warn`` or ``info``) and may return a :class:`Verdict` for the
statuses that are not derived from findings (``not_applicable``, ``unknown``,
``skipped``). The rule's docstring is its documentation, in the sections
``What it does``, ``Why is this bad?``, ``Example``, ``Fix`` and ``References``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agentcore_readiness.model import Finding, FindingLevel, Fix, Input, Location, RuleMeta, Severity, Status

if TYPE_CHECKING:
    from agentcore_readiness.facts.code import CodeIndex
    from agentcore_readiness.facts.measure import MeasuredFacts
    from agentcore_readiness.facts.project import ProjectFacts
    from agentcore_readiness.facts.roles import Role

WORKLOADS = ("interactive", "request-reply", "batch", "background")


@dataclass(frozen=True)
class ReviewOptions:
    workload: str | None = None
    aws_requested: bool = False
    measure_imports: bool = False
    import_timeout: float = 30.0
    """Seconds the entrypoint import may take before its process group is killed (PERF007)."""
    measure_imports_refused: str | None = None
    """Why import timing was asked for but not allowed (a server whose operator did not enable it)."""


@dataclass(frozen=True)
class Facts:
    """Everything a check may look at. Checks never do I/O: facts are gathered first."""

    project: ProjectFacts
    now: datetime
    code: CodeIndex | None = None
    aws: Any = None
    """AWS facts when an account was reached; ``None`` when no AWS review was requested."""
    aws_unavailable: str | None = None
    """Why AWS facts are missing (no credentials, not requested)."""
    options: ReviewOptions = field(default_factory=ReviewOptions)
    extra: Mapping[str, Any] = field(default_factory=dict)
    measured: MeasuredFacts | None = None
    """Local measurements (input X); gathered only when a chosen rule needs them."""


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str


def not_applicable(reason: str) -> Verdict:
    return Verdict("not_applicable", reason)


def unknown(reason: str) -> Verdict:
    return Verdict("unknown", reason)


def skipped(reason: str) -> Verdict:
    return Verdict("skipped", reason)


def passed(reason: str) -> Verdict:
    return Verdict("pass", reason)


class Findings:
    """Collects one rule's findings; knows the rule's code and default severity."""

    def __init__(self, meta: RuleMeta) -> None:
        self.meta = meta
        self.items: list[Finding] = []
        self.notes: list[str] = []

    def add(
        self,
        level: FindingLevel,
        message: str,
        location: Location | None = None,
        *,
        fix: Fix | None = None,
        evidence: str | None = None,
        severity: Severity | None = None,
        subject: str | None = None,
    ) -> Finding:
        finding = Finding(
            rule=self.meta.code,
            severity=severity or self.meta.severity,
            level=level,
            message=message,
            location=location or Location(),
            evidence=evidence,
            fix=fix,
            subject=subject,
        )
        self.items.append(finding)
        return finding

    def fail(self, message: str, location: Location | None = None, **kwargs: Any) -> Finding:
        return self.add("fail", message, location, **kwargs)

    def warn(self, message: str, location: Location | None = None, **kwargs: Any) -> Finding:
        return self.add("warn", message, location, **kwargs)

    def info(self, message: str, location: Location | None = None, **kwargs: Any) -> Finding:
        return self.add("info", message, location, **kwargs)

    def note(self, text: str) -> None:
        """Evidence for a pass: what was checked."""
        self.notes.append(text)


CheckFn = Callable[[Facts, Findings], Verdict | None]


@dataclass(frozen=True)
class Rule:
    meta: RuleMeta
    check: CheckFn
    in_review: bool = True
    """Whether ``review_project`` runs it (the JWT steps need a token and run only in
    ``diagnose_jwt_403``)."""
    reads: tuple[Role, ...] = ()
    """The code roles the rule reads (``runtime``, ``caller``, ``test``, ...): the engine
    builds the code index only for rules that declare some, and gives each rule only the
    files of its roles."""


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    inputs: tuple[Input, ...],
    title: str,
    *,
    family: str,
    checklist: tuple[str, ...] = (),
    in_review: bool = True,
    reads: tuple[Role, ...] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under its stable ``code``. ``reads=`` names the code roles it reads
    (see :mod:`agentcore_readiness.facts.roles`); a rule that declares none gets no code index.
    """

    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        meta = RuleMeta(
            code=code,
            name=name,
            severity=severity,
            inputs=list(inputs),
            title=title,
            family=family,
            checklist=list(checklist),
            reads=list(reads),
            doc=inspect.cleandoc(fn.__doc__ or ""),
        )
        REGISTRY[code] = Rule(meta=meta, check=fn, in_review=in_review, reads=reads)
        return fn

    return register


_LOADED = False


def load_rules() -> dict[str, Rule]:
    """Import every check module once (registration happens at import) and return the registry."""
    global _LOADED
    if not _LOADED:
        from agentcore_readiness import checks

        for module in checks.RULE_MODULES:
            __import__(f"agentcore_readiness.checks.{module}")
        _LOADED = True
    return dict(sorted(REGISTRY.items(), key=lambda item: _code_key(item[0])))


def _code_key(code: str) -> tuple[int, str, int]:
    from agentcore_readiness.checks import FAMILY_ORDER

    prefix = code.rstrip("0123456789")
    number = int(code[len(prefix) :] or 0)
    return (FAMILY_ORDER.index(prefix) if prefix in FAMILY_ORDER else len(FAMILY_ORDER), prefix, number)


def select_rules(
    rules: Mapping[str, Rule], select: tuple[str, ...] | list[str] = (), ignore: tuple[str, ...] | list[str] = ()
) -> list[Rule]:
    """Rules chosen by ``select``/``ignore``; each entry is a code (``AUTH001``) or a prefix (``AUTH``)."""

    def matches(code: str, patterns: tuple[str, ...] | list[str]) -> bool:
        return any(code == p.upper() or code.startswith(p.upper()) for p in patterns if p)

    chosen = [r for code, r in rules.items() if (not select or matches(code, select)) and not matches(code, ignore)]
    return chosen


def unknown_codes(rules: Mapping[str, Rule], patterns: tuple[str, ...] | list[str]) -> list[str]:
    return [p for p in patterns if p and not any(code.startswith(p.upper()) for code in rules)]

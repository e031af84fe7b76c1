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

from agentcore_readiness.facts import UndeclaredFact
from agentcore_readiness.model import Finding, FindingLevel, Fix, Input, Location, RuleMeta, Severity, Status

if TYPE_CHECKING:
    from agentcore_readiness.facts.aws.model import AwsFacts
    from agentcore_readiness.facts.code.index import CodeIndex
    from agentcore_readiness.facts.code.roles import Role
    from agentcore_readiness.facts.measure.measurements import MeasuredFacts
    from agentcore_readiness.facts.project.project_facts import ProjectFacts
    from agentcore_readiness.facts.project_policies import ProjectPolicies

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


AwsGroup = str
"""A group of AWS facts gathered together (``runtimes``, ``roles``, ``logs``, ...): see
:data:`agentcore_readiness.facts.aws.model.AWS_GROUPS`."""
Measure = str
"""A local measurement (``environments``, ``package_sizes``, ``cli``, ``import_timing``): see
:data:`agentcore_readiness.facts.measure.measurements.MEASURES`."""


@dataclass(frozen=True)
class Needs:
    """What a rule reads, declared on ``@rule(...)``: the engine gathers the union of the
    chosen rules' needs, gives each rule only what it declared, and opens the rules whose
    input is missing (``skipped`` without AWS access) without running them."""

    reads: tuple[Role, ...] = ()
    """Code roles (``runtime``, ``caller``, ``test``, ...): the files of the code index it sees."""
    aws: tuple[AwsGroup, ...] = ()
    """AWS fact groups (``--aws``)."""
    policies: bool = False
    """The project's IAM policy documents (and the ones given to the tool)."""
    measures: tuple[Measure, ...] = ()
    """Local measurements of the machine and the project's environments."""
    tools: tuple[str, ...] = ()
    """The focused MCP tools that run the rule (``review_project`` runs every rule in review)."""


@dataclass(frozen=True)
class Facts:
    """Everything a check may look at. Checks never do I/O: facts are gathered first.

    A rule sees the facts its :class:`Needs` declare: reading AWS facts, policies or
    measurements it did not declare raises :class:`~agentcore_readiness.facts.UndeclaredFact`
    (and the code index raises for undeclared roles), so the declaration is what it reads.
    """

    project: ProjectFacts
    now: datetime
    code: CodeIndex | None = None
    aws_facts: Any = None
    """AWS facts when an account was reached; ``None`` when no AWS review was requested
    (rules read them through :meth:`aws`)."""
    aws_unavailable: str | None = None
    """Why AWS facts are missing (no credentials, not requested)."""
    options: ReviewOptions = field(default_factory=ReviewOptions)
    extra: Mapping[str, Any] = field(default_factory=dict)
    measured_facts: MeasuredFacts | None = None
    """Local measurements (input X); gathered only when a chosen rule needs them (read through :attr:`measured`)."""
    project_policies: ProjectPolicies | None = None
    """The project's policy documents; gathered only when a chosen rule needs them (read through :attr:`policies`)."""
    declared: Needs | None = None
    """What the rule reading these facts declared; ``None``: everything (the engine's own view)."""

    def aws(self, group: AwsGroup) -> AwsFacts | str:
        """The AWS facts when ``group`` was gathered, else the reason they are unavailable."""
        from agentcore_readiness.facts.aws.model import aws_state

        if self.declared is not None and group not in self.declared.aws:
            raise UndeclaredFact(f"reads the AWS {group} facts without declaring them (aws=...)")
        return aws_state(self.aws_facts, self.aws_unavailable, group)

    def aws_gathered(self, group: AwsGroup) -> AwsFacts:
        """The AWS facts of a rule whose only input is AWS: the engine opens such a rule as
        ``skipped`` (without running it) when the facts were not gathered."""
        state = self.aws(group)
        if isinstance(state, str):
            raise LookupError(f"the AWS {group} facts were not gathered: {state}")
        return state

    @property
    def measured(self) -> MeasuredFacts | None:
        """The local measurements, limited to the declared ones."""
        if self.declared is None or self.measured_facts is None:
            return self.measured_facts
        if not self.declared.measures:
            raise UndeclaredFact("reads local measurements without declaring them (measures=...)")
        return self.measured_facts.only(self.declared.measures)

    @property
    def policies(self) -> ProjectPolicies | None:
        """The project's policy documents (``None`` when they were not gathered)."""
        if self.declared is not None and not self.declared.policies:
            raise UndeclaredFact("reads the project's policy documents without declaring them (policies=True)")
        return self.project_policies


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
    needs: Needs = field(default_factory=Needs)
    """What it reads (code roles, AWS groups, policies, measurements) and which tools run it."""

    @property
    def reads(self) -> tuple[Role, ...]:
        """The code roles the rule reads: the engine builds the code index only for rules
        that declare some, and gives each rule only the files of its roles."""
        return self.needs.reads


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
    aws: tuple[AwsGroup, ...] = (),
    policies: bool = False,
    measures: tuple[Measure, ...] = (),
    tools: tuple[str, ...] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under its stable ``code``, with what it reads: ``reads=`` the code
    roles (see :mod:`agentcore_readiness.facts.code.roles`), ``aws=`` the AWS fact groups,
    ``policies=`` the project's policy documents, ``measures=`` local measurements; and
    ``tools=`` the focused tools that run it. The catalog's ``inputs`` must agree with the
    declaration (``A`` with ``aws``, ``reads`` with ``C``, ``X`` with ``measures``).
    """
    needs = Needs(reads=reads, aws=aws, policies=policies, measures=measures, tools=tools)

    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        _check_declaration(code, inputs, needs)
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
        REGISTRY[code] = Rule(meta=meta, check=fn, in_review=in_review, needs=needs)
        return fn

    return register


def _check_declaration(code: str, inputs: tuple[Input, ...], needs: Needs) -> None:
    """The catalog's inputs and the declaration say the same thing: AWS input (``A``) exactly
    when AWS groups are declared; code roles only with code input (``C``, which also covers
    Dockerfiles); local measurement input (``X``) only with declared measurements."""
    from agentcore_readiness.facts.aws.model import AWS_GROUPS
    from agentcore_readiness.facts.measure.measurements import MEASURES

    if ("A" in inputs) != bool(needs.aws):
        raise ValueError(f"rule {code}: input A and its aws= declaration disagree")
    if needs.reads and "C" not in inputs:
        raise ValueError(f"rule {code}: reads code (reads=) without input C")
    if "X" in inputs and not needs.measures:
        raise ValueError(f"rule {code}: input X without a measures= declaration")
    unknown_groups = set(needs.aws) - AWS_GROUPS
    unknown_measures = set(needs.measures) - MEASURES
    if unknown_groups or unknown_measures:
        raise ValueError(f"rule {code}: unknown AWS group or measurement {sorted(unknown_groups | unknown_measures)}")


def tool_rules(tool: str) -> tuple[str, ...]:
    """The codes of the rules that declare ``tool`` among the tools that run them."""
    return tuple(code for code, r in load_rules().items() if tool in r.needs.tools)


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

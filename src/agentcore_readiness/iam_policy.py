"""A small, exact IAM policy evaluator for the readiness rules.

It answers the questions the IAM and shell-access rules ask of a policy document:
which statements allow (or deny) an action on a resource, through which pattern, and
under which conditions. It is not a full IAM simulator: conditions are never decided,
they are carried as evidence, and a conditional Deny does not override an Allow.

IAM's matching rules, as implemented here:

* ``*`` matches any run of characters (also none), ``?`` exactly one.
* Action names are case-insensitive (``bedrock:invokemodel`` is ``bedrock:InvokeModel``);
  resource ARNs are case-sensitive. Condition keys are case-insensitive.
* A resource pattern with six ARN components is matched component by component, so a
  ``*`` in the region never swallows the account; other patterns match the whole string.
* ``NotAction``/``NotResource`` match everything their patterns do not.
* An explicit, unconditional Deny overrides any Allow.

Matching runs in O(len(pattern) x len(text)) at worst and never backtracks: the pattern
is split at ``*`` and each literal piece is placed at its leftmost possible position,
which is exact for patterns made of ``*`` and ``?`` only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from agentcore_readiness.model import Location

Effect = Literal["Allow", "Deny"]
MAX_DOCUMENT_CHARS = 1_000_000


class PolicyParseError(ValueError):
    """A policy document that is not valid IAM policy JSON; the message says why."""


# ---------------------------------------------------------------------------
# Wildcard matching


def _piece_at(piece: str, text: str, start: int) -> bool:
    """Whether ``piece`` (literal characters and ``?``) matches ``text`` at ``start``."""
    if start < 0 or start + len(piece) > len(text):
        return False
    return all(char == "?" or text[start + offset] == char for offset, char in enumerate(piece))


def _find_piece(piece: str, text: str, start: int, end: int) -> int:
    """Leftmost index >= ``start`` where ``piece`` matches inside ``text[:end]``, or -1."""
    if "?" not in piece:
        return text.find(piece, start, end)
    # Anchor on the longest literal run so most candidate positions are skipped in C.
    runs = piece.split("?")
    anchor = max(range(len(runs)), key=lambda i: len(runs[i]))
    anchor_text = runs[anchor]
    anchor_offset = sum(len(r) + 1 for r in runs[:anchor])
    last = end - len(piece)
    if not anchor_text:
        return start if start <= last else -1
    position = start
    while position <= last:
        hit = text.find(anchor_text, position + anchor_offset, last + anchor_offset + len(anchor_text))
        if hit < 0:
            return -1
        candidate = hit - anchor_offset
        if _piece_at(piece, text, candidate):
            return candidate
        position = candidate + 1
    return -1


def wildcard_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard match of the whole ``text`` against ``pattern`` (``*`` and ``?``)."""
    if ignore_case:
        pattern, text = pattern.lower(), text.lower()
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return len(pattern) == len(text) and _piece_at(pattern, text, 0)
    head, tail = pieces[0], pieces[-1]
    if len(head) + len(tail) > len(text):
        return False
    if not _piece_at(head, text, 0) or not _piece_at(tail, text, len(text) - len(tail)):
        return False
    position, end = len(head), len(text) - len(tail)
    for piece in pieces[1:-1]:
        if not piece:
            continue
        found = _find_piece(piece, text, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def action_matches(pattern: str, action: str) -> bool:
    """Whether an Action pattern covers ``action`` (service:Name), case-insensitively."""
    return wildcard_match(pattern.strip(), action, ignore_case=True)


def _arn_parts(value: str) -> list[str] | None:
    parts = value.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def resource_matches(pattern: str, resource: str) -> bool:
    """Whether a Resource pattern covers ``resource``; ARNs match component by component."""
    if pattern == "*":
        return True
    resource_parts = _arn_parts(resource)
    if pattern.startswith("arn:") and resource_parts is not None:
        pattern_parts = pattern.split(":", 5)
        # Component by component; a shorter pattern's last component takes the rest.
        last = len(pattern_parts) - 1
        head_ok = all(wildcard_match(p, r) for p, r in zip(pattern_parts[:last], resource_parts[:last], strict=True))
        return head_ok and wildcard_match(pattern_parts[last], ":".join(resource_parts[last:]))
    return wildcard_match(pattern, resource)


def pattern_covers(outer: str, inner: str, *, ignore_case: bool = False) -> bool:
    """Whether every string ``inner`` matches is also matched by ``outer`` (sound, not complete).

    ``inner``'s wildcards are treated as literal characters that only a wildcard of
    ``outer`` may match: a ``*`` of ``inner`` needs a ``*`` of ``outer``, a ``?`` needs
    a ``?`` or a ``*``.
    """
    if ignore_case:
        outer, inner = outer.lower(), inner.lower()
    if outer == "*" or outer == inner:
        return True
    # Dynamic programming over (outer position, inner position): small inputs only.
    if len(outer) * len(inner) > 250_000:
        return False
    previous = [False] * (len(inner) + 1)
    previous[0] = True
    for o_char in outer:
        current = [False] * (len(inner) + 1)
        if o_char == "*":
            current[0] = previous[0]
            for j in range(1, len(inner) + 1):
                current[j] = previous[j] or current[j - 1]
        else:
            for j in range(1, len(inner) + 1):
                i_char = inner[j - 1]
                ok = i_char != "*" if o_char == "?" else i_char == o_char
                current[j] = ok and previous[j - 1]
        previous = current
    return previous[len(inner)]


def has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


# ---------------------------------------------------------------------------
# Documents


@dataclass(frozen=True)
class Statement:
    """One statement, normalised: every list is a tuple; ``None`` means the element is absent."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principals: Mapping[str, tuple[str, ...]] | None
    """``{"AWS": (...), "Service": (...), ...}``; ``Principal: "*"`` is ``{"*": ("*",)}``."""
    not_principals: Mapping[str, tuple[str, ...]] | None
    conditions: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """Operator -> condition key -> values, as written."""

    @property
    def label(self) -> str:
        return f"statement {self.index}" + (f" ({self.sid})" if self.sid else "")

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)

    def action_pattern(self, action: str) -> str | None:
        """The pattern through which this statement covers ``action``; ``NotAction`` gives
        ``"NotAction"``; ``None`` when it does not cover it."""
        if self.actions is not None:
            for pattern in self.actions:
                if action_matches(pattern, action):
                    return pattern
            return None
        if self.not_actions is not None and not any(action_matches(p, action) for p in self.not_actions):
            return "NotAction"
        return None

    def covers_action(self, action: str) -> bool:
        return self.action_pattern(action) is not None

    def covers_resource(self, resource: str) -> bool:
        if self.resources is not None:
            return any(resource_matches(p, resource) for p in self.resources)
        if self.not_resources is not None:
            return not any(resource_matches(p, resource) for p in self.not_resources)
        # Trust policies carry no Resource: the statement is about the role itself.
        return True

    def resource_patterns(self) -> tuple[str, ...]:
        """Resource patterns granted; a ``NotResource`` statement grants ``*`` minus a few."""
        if self.resources is not None:
            return self.resources
        return ("*",)

    def condition_keys(self) -> dict[str, tuple[str, str, tuple[str, ...]]]:
        """Lower-cased condition key -> (operator, key as written, values)."""
        found: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        for operator, entries in self.conditions.items():
            for key, values in entries.items():
                found.setdefault(key.lower(), (operator, key, values))
        return found

    def principal_values(self, kind: str) -> tuple[str, ...]:
        """Values of one principal kind (``AWS``, ``Service``, ``Federated``); ``*`` for ``Principal: "*"``."""
        if self.principals is None:
            return ()
        if "*" in self.principals:
            return ("*",)
        return self.principals.get(kind, ())

    def is_public(self) -> bool:
        """``Principal: "*"`` or ``{"AWS": "*"}``."""
        return "*" in self.principal_values("AWS") or (self.principals is not None and "*" in self.principals)

    def condition_text(self) -> str:
        return json.dumps({op: {k: list(v) for k, v in e.items()} for op, e in self.conditions.items()}, sort_keys=True)


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]
    version: str | None = None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyParseError(f"{where} must be a string or a list of strings")


def _principal(value: Any, where: str) -> Mapping[str, tuple[str, ...]]:
    if value == "*":
        return {"*": ("*",)}
    if isinstance(value, Mapping):
        return {str(kind): _strings(values, f"{where}.{kind}") for kind, values in value.items()}
    raise PolicyParseError(f'{where} must be "*" or an object such as {{"Service": [...]}}')


def _conditions(value: Any, where: str) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyParseError(f"{where} must be an object")
    parsed: dict[str, dict[str, tuple[str, ...]]] = {}
    for operator, entries in value.items():
        if not isinstance(entries, Mapping):
            raise PolicyParseError(f"{where}.{operator} must be an object of condition keys")
        parsed[str(operator)] = {
            str(key): tuple(str(v) for v in (values if isinstance(values, list) else [values]))
            for key, values in entries.items()
        }
    return parsed


def _statement(raw: Any, index: int) -> Statement:
    where = f"Statement[{index}]"
    if not isinstance(raw, Mapping):
        raise PolicyParseError(f"{where} must be an object")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyParseError(f'{where}.Effect must be "Allow" or "Deny"')
    if "Action" in raw and "NotAction" in raw:
        raise PolicyParseError(f"{where} has both Action and NotAction")
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyParseError(f"{where} has both Resource and NotResource")
    actions = _strings(raw["Action"], f"{where}.Action") if "Action" in raw else None
    not_actions = _strings(raw["NotAction"], f"{where}.NotAction") if "NotAction" in raw else None
    if actions is None and not_actions is None:
        raise PolicyParseError(f"{where} has neither Action nor NotAction")
    sid = raw.get("Sid")
    return Statement(
        index=index,
        sid=sid if isinstance(sid, str) else None,
        effect=effect,
        actions=actions,
        not_actions=not_actions,
        resources=_strings(raw["Resource"], f"{where}.Resource") if "Resource" in raw else None,
        not_resources=_strings(raw["NotResource"], f"{where}.NotResource") if "NotResource" in raw else None,
        principals=_principal(raw["Principal"], f"{where}.Principal") if "Principal" in raw else None,
        not_principals=_principal(raw["NotPrincipal"], f"{where}.NotPrincipal") if "NotPrincipal" in raw else None,
        conditions=_conditions(raw.get("Condition"), f"{where}.Condition"),
    )


def parse_policy(document: str | Mapping[str, Any]) -> PolicyDocument:
    """Parse a policy document given as JSON text (also URL-encoded, as IAM returns it) or a mapping."""
    raw: Any = document
    if isinstance(document, str):
        text = document.strip()
        if len(text) > MAX_DOCUMENT_CHARS:
            raise PolicyParseError(f"the document is larger than {MAX_DOCUMENT_CHARS:,} characters")
        if text.startswith("%7B") or text.startswith("%7b"):
            text = unquote(text)
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyParseError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
        except RecursionError:
            raise PolicyParseError("nested too deeply") from None
    if not isinstance(raw, Mapping):
        raise PolicyParseError("a policy document must be a JSON object")
    statements = raw.get("Statement")
    if statements is None:
        raise PolicyParseError("the document has no Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyParseError("Statement must be an object or a list of objects")
    version = raw.get("Version")
    return PolicyDocument(
        statements=tuple(_statement(s, i) for i, s in enumerate(statements)),
        version=version if isinstance(version, str) else None,
    )


PolicyKind = Literal["inline", "customer-managed", "aws-managed", "file", "text", "template", "resource", "trust"]


@dataclass(frozen=True)
class SourcedPolicy:
    """A parsed policy and where it came from: a role's inline or managed policy, a file of
    the project, a document given by the user, a runtime's resource policy."""

    name: str
    kind: PolicyKind
    document: PolicyDocument
    location: Location
    arn: str | None = None
    holder: str | None = None
    """The role, user or group it belongs to (for inline and attached policies)."""
    statement_lines: tuple[int | None, ...] = ()
    """Line of each statement when the policy came from a file."""

    @property
    def describe(self) -> str:
        owner = f" of {self.holder}" if self.holder else ""
        return f"{self.kind} policy {self.name!r}{owner}"

    def location_of(self, statement: Statement) -> Location:
        if statement.index < len(self.statement_lines) and self.statement_lines[statement.index] is not None:
            return self.location.model_copy(update={"line": self.statement_lines[statement.index]})
        return self.location


# ---------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class StatementMatch:
    policy: SourcedPolicy
    statement: Statement
    pattern: str
    """The Action pattern that matched (``NotAction`` for a NotAction statement)."""


@dataclass(frozen=True)
class Decision:
    """The outcome of evaluating an action on a resource against a set of policies."""

    action: str
    resource: str
    allows: tuple[StatementMatch, ...]
    denies: tuple[StatementMatch, ...]
    conditional_denies: tuple[StatementMatch, ...]

    @property
    def allowed(self) -> bool:
        """Allowed by some statement and not denied by an unconditional Deny."""
        return bool(self.allows) and not self.denies

    @property
    def conditional(self) -> bool:
        """Every granting statement has conditions (or a conditional Deny may apply)."""
        return self.allowed and (all(m.statement.conditional for m in self.allows) or bool(self.conditional_denies))

    @property
    def evidence(self) -> list[str]:
        lines = [
            f"{m.policy.describe} {m.statement.label}: Allow via {m.pattern}"
            + (f" if {m.statement.condition_text()}" if m.statement.conditional else "")
            for m in self.allows
        ]
        lines.extend(f"{m.policy.describe} {m.statement.label}: Deny" for m in self.denies)
        lines.extend(
            f"{m.policy.describe} {m.statement.label}: Deny if {m.statement.condition_text()}"
            for m in self.conditional_denies
        )
        return lines


def evaluate(policies: Iterable[SourcedPolicy], action: str, resource: str = "*") -> Decision:
    """Which statements of ``policies`` allow or deny ``action`` on ``resource``.

    With ``resource="*"`` the question is "on some resource": a statement counts when
    one of its patterns is ``*`` or, for Allow, when it covers the action at all.
    """
    allows: list[StatementMatch] = []
    denies: list[StatementMatch] = []
    conditional_denies: list[StatementMatch] = []
    for policy in policies:
        for statement in policy.document.statements:
            pattern = statement.action_pattern(action)
            if pattern is None:
                continue
            if resource == "*":
                applies = statement.effect == "Allow" or "*" in statement.resource_patterns()
                if statement.not_resources is not None and statement.effect == "Deny":
                    applies = False
            else:
                applies = statement.covers_resource(resource)
            if not applies:
                continue
            match = StatementMatch(policy, statement, pattern)
            if statement.effect == "Allow":
                allows.append(match)
            elif statement.conditional:
                conditional_denies.append(match)
            else:
                denies.append(match)
    return Decision(action, resource, tuple(allows), tuple(denies), tuple(conditional_denies))


def denied_everywhere(policies: Sequence[SourcedPolicy], action: str, resource_pattern: str) -> bool:
    """Whether an unconditional Deny covers ``action`` on every resource ``resource_pattern`` matches."""
    for policy in policies:
        for statement in policy.document.statements:
            if statement.effect != "Deny" or statement.conditional or not statement.covers_action(action):
                continue
            if statement.resources is not None and any(
                pattern_covers(p, resource_pattern) for p in statement.resources
            ):
                return True
    return False


def allowing_statements(policies: Iterable[SourcedPolicy], action: str) -> list[StatementMatch]:
    """Allow statements that cover ``action`` on some resource, minus those an unconditional
    Deny of the same policies cancels for all of their resources."""
    policy_list = list(policies)
    matches: list[StatementMatch] = []
    for match in evaluate(policy_list, action).allows:
        patterns = match.statement.resource_patterns() if match.statement.not_resources is None else ("*",)
        if all(denied_everywhere(policy_list, action, p) for p in patterns):
            continue
        matches.append(match)
    return matches


def render_policy(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}

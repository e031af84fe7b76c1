"""``agentcore-readiness fix``: apply the fixes a review proposes to the project's files.

Two kinds of fix apply without a person's input: a JSON Patch on the project's config file
(``agentcore/agentcore.json``, or ``.bedrock_agentcore.yaml`` when it has no comments to lose),
and lines added to an ignore file. Patches that hold a ``<placeholder>`` (an identity
provider, a credential name, a second subnet) need your values and are listed, not applied.

Each patch was made against the file as the review read it; applied one after the other,
a later one is rebased by name when an earlier one moved array elements, and merged into an
object an earlier one created. A patch whose ``test`` guards fail anyway is skipped and
reported. JSON files keep their formatting outside the values that change.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcore_readiness.checks.fixes import decode_pointer, encode_pointer, has_placeholder
from agentcore_readiness.facts.files import CONFIG_MAX_BYTES, FileReadError, exists, read_text
from agentcore_readiness.model import FileEdit, Finding, ProjectReport, Report


@dataclass
class FixableFile:
    """One file's content before and after the fixes."""

    project_root: Path
    rel: str
    before: str | None
    document: Any = None
    original_document: Any = None
    lines: list[str] | None = None

    @property
    def path(self) -> Path:
        return self.project_root / self.rel


@dataclass
class FixPlan:
    """What ``fix`` did or would do."""

    applied: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)
    files: dict[Path, tuple[str, str | None, str]] = field(default_factory=dict)
    """Absolute path -> (path to show, text before or None when created, text after)."""

    def diff(self) -> str:
        chunks: list[str] = []
        for shown, before, after in self.files.values():
            chunks.extend(
                difflib.unified_diff(
                    (before or "").splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    fromfile="/dev/null" if before is None else _side("a", shown),
                    tofile=_side("b", shown),
                )
            )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks)

    def write(self) -> None:
        for path, (_, _, after) in self.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(after, encoding="utf-8")


def _side(prefix: str, shown: str) -> str:
    """``a/path`` like git for a relative path; an absolute path as it is."""
    return shown if shown.startswith("/") else f"{prefix}/{shown}"


def plan_fixes(report: Report, select: Sequence[str] = ()) -> FixPlan:
    """The changes the report's fixes make (only rules matching ``select`` when given)."""
    plan = FixPlan()
    for project in report.projects:
        _plan_project(project, select, plan)
    return plan


def _selected(code: str, select: Sequence[str]) -> bool:
    return not select or any(code == s.upper() or code.startswith(s.upper()) for s in select)


def _plan_project(project: ProjectReport, select: Sequence[str], plan: FixPlan) -> None:
    root = Path(project.path).resolve()
    files: dict[str, FixableFile] = {}
    for result in project.results:
        if not _selected(result.rule, select):
            continue
        for finding in result.findings:
            why = _apply_finding(root, finding, files)
            if why is None:
                plan.applied.append(finding)
            elif why:
                plan.skipped.append((finding, why))
    shown_root = Path(project.path)
    for rel, fixable in files.items():
        after = _render(fixable)
        if after is not None and after != fixable.before:
            plan.files[fixable.path] = ((shown_root / rel).as_posix(), fixable.before, after)


def _apply_finding(root: Path, finding: Finding, files: dict[str, FixableFile]) -> str | None:
    """Apply one finding's fix to the in-memory files: ``None`` when applied, ``""`` when it has
    nothing to apply, else why it was not."""
    fix = finding.fix
    if fix is None or (not fix.patch and not fix.edits):
        return ""
    if fix.patch and fix.patch_file:
        if has_placeholder(fix.patch):
            return "the patch needs your values (placeholders in <...>); apply it by hand"
        fixable = _load(root, fix.patch_file, files, structured=True)
        if isinstance(fixable, str):
            return fixable
        return _apply_patch(fixable, fix.patch)
    for edit in fix.edits or []:
        fixable = _load(root, edit.path, files, structured=False)
        if isinstance(fixable, str):
            return fixable
        _apply_edit(fixable, edit)
    return None


def _load(root: Path, rel: str, files: dict[str, FixableFile], *, structured: bool) -> FixableFile | str:
    if rel in files:
        return files[rel]
    path = root / rel
    before: str | None = None
    if exists(path):
        try:
            before = read_text(root, path, max_bytes=CONFIG_MAX_BYTES).text
        except FileReadError as exc:
            return f"{rel} {exc.message}"
    fixable = FixableFile(root, rel, before)
    if structured:
        if before is None:
            return f"{rel} does not exist"
        problem = _parse(fixable)
        if problem:
            return problem
    else:
        fixable.lines = before.splitlines() if before is not None else []
    files[rel] = fixable
    return fixable


def _parse(fixable: FixableFile) -> str | None:
    text = fixable.before or ""
    if fixable.rel.endswith(".json"):
        try:
            fixable.document = json.loads(text)
        except ValueError as exc:
            return f"{fixable.rel} is not valid JSON ({exc})"
    else:
        import yaml

        if any(line.lstrip().startswith("#") for line in text.splitlines()):
            return f"{fixable.rel} has comments that rewriting it would lose; apply the patch by hand"
        try:
            fixable.document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            return f"{fixable.rel} is not valid YAML ({exc})"
    fixable.original_document = copy.deepcopy(fixable.document)
    return None


def _apply_patch(fixable: FixableFile, patch: list[dict[str, Any]]) -> str | None:
    import jsonpatch

    try:
        ops = _merge_creations(fixable, _rebase_by_name(fixable.document, patch))
        fixable.document = jsonpatch.apply_patch(fixable.document, ops)
    except _Conflict as exc:
        return str(exc)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        return f"the file changed since the review ({exc}); run the review again"
    return None


class _Conflict(Exception):
    """A patch that disagrees with one applied before it."""


def _rebase_by_name(document: Any, patch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``patch`` with array indexes moved to where its ``test …/name`` guards' elements are now."""
    moves: dict[str, str] = {}
    for op in patch:
        path = op["path"]
        if op["op"] != "test" or not path.endswith("/name"):
            continue
        element = decode_pointer(path)[:-1]
        if not element or not element[-1].isdigit():
            continue
        array = _resolve(document, element[:-1])
        if not isinstance(array, list):
            continue
        index = int(element[-1])
        if index < len(array) and isinstance(array[index], dict) and array[index].get("name") == op["value"]:
            continue
        found = [i for i, e in enumerate(array) if isinstance(e, dict) and e.get("name") == op["value"]]
        if len(found) == 1:
            moves[encode_pointer(element)] = encode_pointer([*element[:-1], str(found[0])])
    if not moves:
        return patch

    def moved(pointer: str) -> str:
        for old, new in moves.items():
            if pointer == old or pointer.startswith(old + "/"):
                return new + pointer[len(old) :]
        return pointer

    rebased = []
    for op in patch:
        op = {**op, "path": moved(op["path"])}
        if "from" in op:
            op["from"] = moved(op["from"])
        rebased.append(op)
    return rebased


def _merge_creations(fixable: FixableFile, patch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An ``add`` that created a member absent from the reviewed file, when an earlier fix has
    created it since: the new keys are merged into it instead of replacing it."""
    merged: list[dict[str, Any]] = []
    for op in patch:
        if op["op"] != "add" or op["path"].endswith("/-"):
            merged.append(op)
            continue
        tokens = decode_pointer(op["path"])
        if _resolve(fixable.original_document, tokens) is not _MISSING:
            merged.append(op)
            continue
        current = _resolve(fixable.document, tokens)
        if current is _MISSING:
            merged.append(op)
        else:
            merged.extend(_merge_value(tokens, current, op["value"]))
    return merged


def _merge_value(tokens: list[str], current: Any, value: Any) -> list[dict[str, Any]]:
    if current == value:
        return []
    if isinstance(current, dict) and isinstance(value, dict):
        ops: list[dict[str, Any]] = []
        for key, item in value.items():
            if key in current:
                ops.extend(_merge_value([*tokens, key], current[key], item))
            else:
                ops.append({"op": "add", "path": encode_pointer([*tokens, key]), "value": item})
        return ops
    raise _Conflict(f"{encode_pointer(tokens)} was already set to another value by an earlier fix")


_MISSING = object()


def _resolve(document: Any, tokens: list[str]) -> Any:
    current = document
    for token in tokens:
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return _MISSING
    return current


def _apply_edit(fixable: FixableFile, edit: FileEdit) -> None:
    lines = fixable.lines if fixable.lines is not None else []
    present = {line.strip() for line in lines}
    lines.extend(line for line in edit.add_lines if line.strip() not in present)
    fixable.lines = lines


def _render(fixable: FixableFile) -> str | None:
    if fixable.lines is not None:
        return "\n".join(fixable.lines) + "\n" if fixable.lines else fixable.before
    if fixable.document == fixable.original_document:
        return fixable.before
    if fixable.rel.endswith(".json"):
        from agentcore_readiness.jsonedit import indent_unit, rewrite_json

        text = fixable.before or ""
        try:
            return rewrite_json(text, fixable.original_document, fixable.document)
        except (ValueError, IndexError, KeyError):  # text json.loads accepted but the layout scanner did not
            return json.dumps(fixable.document, indent=indent_unit(text), ensure_ascii=False) + "\n"
    import yaml

    return str(yaml.safe_dump(fixable.document, sort_keys=False, allow_unicode=True, default_flow_style=False))

"""Stable identities of findings, for SARIF ``partialFingerprints`` and baselines.

A fingerprint is the rule, the file (relative to the repository root) or ARN, the resource the
finding is about, and an anchor that does not move with unrelated edits: in a config file the
JSON pointer with every array index replaced by the element's name (or a hash of its content),
in any other file a hash of the located line's text. Line numbers and array positions never
enter it, so inserting lines elsewhere or reordering gateways keeps every fingerprint. Findings
that are still alike (the same text on two lines) are told apart by their order of occurrence.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agentcore_readiness.facts.files import SOURCE_MAX_BYTES, FileReadError, read_text
from agentcore_readiness.model import Finding

VERSION = "v1"
_NAME_KEYS = ("name", "Name", "type", "id")


def decode_pointer(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


class Fingerprinter:
    """Computes the fingerprints of one project's findings; reads each file at most once."""

    def __init__(
        self,
        root: Path,
        repository_prefix: str | None,
        documents: Callable[[str], Any],
    ) -> None:
        self.root = root
        self.prefix = repository_prefix
        self._documents = documents
        self._lines: dict[str, list[str] | None] = {}

    def assign(self, findings: Sequence[Finding]) -> list[Finding]:
        """``findings`` (of one rule) with their ``fingerprint`` set; unique within the list."""
        keys = [self._key(f) for f in findings]
        order = sorted(range(len(findings)), key=lambda i: (keys[i], findings[i].location.line or 0, i))
        seen: dict[str, int] = {}
        result: list[Finding | None] = [None] * len(findings)
        for i in order:
            seen[keys[i]] = seen.get(keys[i], 0) + 1
            result[i] = findings[i].model_copy(update={"fingerprint": f"{keys[i]}:{seen[keys[i]]}"})
        return [f for f in result if f is not None]

    def _key(self, finding: Finding) -> str:
        location = finding.location
        where = self.repository_path(location.path) if location.path else location.arn or ""
        parts = [VERSION, finding.rule, where, finding.subject or "", self._anchor(finding)]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]

    def repository_path(self, project_path: str) -> str:
        if self.prefix in (None, "", "."):
            return project_path
        return f"{self.prefix}/{project_path}"

    def _anchor(self, finding: Finding) -> str:
        location = finding.location
        if location.path and location.pointer:
            anchored = self._pointer_anchor(location.path, location.pointer)
            if anchored is not None:
                return "pointer:" + anchored
        if location.path and location.line:
            lines = self._file_lines(location.path)
            if lines is not None and 0 < location.line <= len(lines):
                text = " ".join(lines[location.line - 1].split())
                return "line:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        if location.pointer:
            return "pointer:" + location.pointer
        return ""

    def _pointer_anchor(self, file: str, pointer: str) -> str | None:
        document = self._documents(file)
        if document is None:
            return None
        current: Any = document
        parts: list[str] = []
        for token in decode_pointer(pointer):
            if isinstance(current, list):
                if not token.isdigit() or int(token) >= len(current):
                    parts.append(token)
                    current = None
                    continue
                element = current[int(token)]
                parts.append(_element_name(element))
                current = element
            elif isinstance(current, dict):
                parts.append(token.replace("~", "~0").replace("/", "~1"))
                current = current.get(token)
            else:
                parts.append(token)
        return "/" + "/".join(parts)

    def _file_lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            try:
                text = read_text(self.root, self.root / path, max_bytes=SOURCE_MAX_BYTES).text
            except (FileReadError, OSError):
                self._lines[path] = None
            else:
                self._lines[path] = text.splitlines()
        return self._lines[path]


def _element_name(element: Any) -> str:
    """An array element by what it is, not where it is: ``[Name]`` or ``#<hash of its content>``."""
    if isinstance(element, dict):
        for key in _NAME_KEYS:
            value = element.get(key)
            if isinstance(value, str) and value:
                return f"[{value}]"
    canonical = json.dumps(element, sort_keys=True, separators=(",", ":"), default=str)
    return "#" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]

"""Rewrite a JSON file after an edit while keeping its formatting where nothing changed.

Every value that is equal before and after keeps its original text (compact one-line
objects, spacing, key order); only the objects and arrays on the way to a change are laid
out again, with the file's own indentation, so a fix shows up in a diff as the lines it
changes.
"""

from __future__ import annotations

import json
import re
from typing import Any

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_WS = re.compile(r"[ \t\r\n]*")


class _Spans:
    """The text span (start, end) of every value of a valid JSON text, by JSON pointer."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: dict[str, tuple[int, int]] = {}
        self.pos = 0
        self._value("")

    def _skip(self) -> None:
        match = _WS.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos

    def _value(self, pointer: str) -> None:
        self._skip()
        start = self.pos
        char = self.text[self.pos]
        if char == "{":
            self.pos += 1
            self._skip()
            if self.text[self.pos] == "}":
                self.pos += 1
            else:
                while True:
                    self._skip()
                    match = _STRING.match(self.text, self.pos)
                    if match is None:
                        raise ValueError("object key expected")
                    key = json.loads(match.group(0))
                    self.pos = match.end()
                    self._skip()
                    self.pos += 1  # the colon
                    self._value(pointer + "/" + key.replace("~", "~0").replace("/", "~1"))
                    self._skip()
                    closing = self.text[self.pos]
                    self.pos += 1
                    if closing == "}":
                        break
        elif char == "[":
            self.pos += 1
            self._skip()
            if self.text[self.pos] == "]":
                self.pos += 1
            else:
                index = 0
                while True:
                    self._value(f"{pointer}/{index}")
                    index += 1
                    self._skip()
                    closing = self.text[self.pos]
                    self.pos += 1
                    if closing == "]":
                        break
        else:
            match = _STRING.match(self.text, self.pos) or _SCALAR.match(self.text, self.pos)
            if match is None:
                raise ValueError(f"unexpected character at {self.pos}")
            self.pos = match.end()
        self.spans[pointer] = (start, self.pos)


def indent_unit(text: str) -> str:
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return "  "


def rewrite_json(text: str, before: Any, after: Any) -> str:
    """``text`` (the JSON of ``before``) changed to hold ``after``, keeping untouched parts as written."""
    spans = _Spans(text)
    unit = indent_unit(text)
    start, end = spans.spans[""]
    body = _Writer(spans, unit).emit("", before, after, 0)
    return text[:start] + body + text[end:]


class _Writer:
    def __init__(self, spans: _Spans, unit: str) -> None:
        self.spans = spans
        self.unit = unit

    def original(self, pointer: str) -> str:
        start, end = self.spans.spans[pointer]
        return self.spans.text[start:end]

    def emit(self, pointer: str | None, before: Any, after: Any, depth: int) -> str:
        known = pointer is not None and pointer in self.spans.spans
        if known and _same(before, after):
            return self.original(str(pointer))
        if known and _same_shape(before, after):
            return self._splice(str(pointer), before, after, depth)
        if isinstance(after, dict):
            old = before if isinstance(before, dict) and pointer is not None else {}
            items = [
                json.dumps(key, ensure_ascii=False)
                + ": "
                + self.emit(_child(pointer, key) if key in old else None, old.get(key), value, depth + 1)
                for key, value in after.items()
            ]
            return self._container("{", "}", items, depth)
        if isinstance(after, list):
            old_list = before if isinstance(before, list) and pointer is not None else []
            used: set[int] = set()
            items = []
            for position, value in enumerate(after):
                match = next((i for i, o in enumerate(old_list) if i not in used and _same(o, value)), None)
                if match is None and position < len(old_list) and position not in used:
                    match = position
                if match is not None:
                    used.add(match)
                    items.append(self.emit(f"{pointer}/{match}", old_list[match], value, depth + 1))
                else:
                    items.append(self.emit(None, None, value, depth + 1))
            return self._container("[", "]", items, depth)
        return json.dumps(after, ensure_ascii=False)

    def _splice(self, pointer: str, before: Any, after: Any, depth: int) -> str:
        """The original text of a container whose keys (or length) did not change, with only the
        children that changed written anew: a compact one-line object stays on one line."""
        start, _ = self.spans.spans[pointer]
        text = self.original(pointer)
        keys = list(after) if isinstance(after, dict) else list(range(len(after)))
        for key in reversed(keys):
            old, new = before[key], after[key]
            if _same(old, new):
                continue
            child = _child(pointer, str(key))
            assert child is not None
            child_start, child_end = self.spans.spans[child]
            text = text[: child_start - start] + self.emit(child, old, new, depth + 1) + text[child_end - start :]
        return text

    def _container(self, opening: str, closing: str, items: list[str], depth: int) -> str:
        if not items:
            return opening + closing
        inner = self.unit * (depth + 1)
        return opening + "\n" + ",\n".join(inner + item for item in items) + "\n" + self.unit * depth + closing


def _child(pointer: str | None, key: str) -> str | None:
    if pointer is None:
        return None
    return pointer + "/" + key.replace("~", "~0").replace("/", "~1")


def _same_shape(a: Any, b: Any) -> bool:
    """Containers with the same keys in the same order, or arrays of the same length."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b)
    return isinstance(a, list) and isinstance(b, list) and len(a) == len(b)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same JSON types (``1 == True`` in Python, not in JSON)."""
    return type(a) is type(b) and a == b

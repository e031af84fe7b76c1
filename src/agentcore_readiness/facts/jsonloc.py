"""JSON with source positions: every value's JSON pointer mapped to its line.

``json.loads`` validates and builds the value (fast, C); a second pass over the
already-valid text records where each value starts, so findings can point at
``agentcore/agentcore.json:42`` rather than at the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 64

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# NaN and (-)Infinity are not JSON, but Python's parser accepts them: the scanner must step
# over them whole, or every later value is placed on the wrong line.
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity")
_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}\n]')
_WS = re.compile(r"[ \t\r\n]*")


class JsonLoadError(ValueError):
    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    return "".join("/" + escape_pointer_token(t) for t in tokens)


@dataclass(frozen=True)
class LocatedJson:
    value: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, json_pointer: str) -> int | None:
        """The line of the value at ``json_pointer``, or of its nearest located parent."""
        current = json_pointer
        while True:
            line = self.lines.get(current)
            if line is not None:
                return line
            if not current:
                return None
            current = current.rsplit("/", 1)[0]


def loads_located(text: str) -> LocatedJson:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonLoadError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        line, column = _too_deep(text)
        raise JsonLoadError(f"JSON nested more than {MAX_PARSE_DEPTH} levels deep", line, column) from None
    lines: dict[str, int] = {}
    _Scanner(text, lines).scan()
    return LocatedJson(value, lines)


MAX_PARSE_DEPTH = 500


def _too_deep(text: str) -> tuple[int | None, int | None]:
    """The line and column where nesting first goes deeper than :data:`MAX_PARSE_DEPTH`."""
    depth = 0
    line = 1
    line_start = 0
    for match in _NESTING.finditer(text):
        char = match.group()
        if char == "\n":
            line += 1
            line_start = match.end()
        elif char in "[{":
            depth += 1
            if depth > MAX_PARSE_DEPTH:
                return line, match.start() - line_start + 1
        elif char in "]}":
            depth -= 1
    return None, None


class _Scanner:
    """Walks valid JSON text and records the start line of each value by pointer."""

    def __init__(self, text: str, lines: dict[str, int]) -> None:
        self.text = text
        self.pos = 0
        self.lines = lines
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def _line_at(self, pos: int) -> int:
        lo, hi = 0, len(self.newlines)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.newlines[mid] < pos:
                lo = mid + 1
            else:
                hi = mid
        return lo + 1

    def _skip_ws(self) -> None:
        match = _WS.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def scan(self) -> None:
        self._skip_ws()
        self._value("", 0)

    def _value(self, path: str, depth: int) -> None:
        self.lines[path] = self._line_at(self.pos)
        char = self.text[self.pos]
        if char == "{":
            if depth >= MAX_DEPTH:
                self._skip_container()
                return
            self.pos += 1
            self._skip_ws()
            if self.text[self.pos] == "}":
                self.pos += 1
                return
            while True:
                self._skip_ws()
                key_match = _STRING.match(self.text, self.pos)
                if key_match is None:
                    return
                key = json.loads(key_match.group())
                self.pos = key_match.end()
                self._skip_ws()
                self.pos += 1  # ':'
                self._skip_ws()
                self._value(path + "/" + escape_pointer_token(key), depth + 1)
                self._skip_ws()
                if self.text[self.pos] == ",":
                    self.pos += 1
                    continue
                self.pos += 1  # '}'
                return
        if char == "[":
            if depth >= MAX_DEPTH:
                self._skip_container()
                return
            self.pos += 1
            self._skip_ws()
            if self.text[self.pos] == "]":
                self.pos += 1
                return
            index = 0
            while True:
                self._skip_ws()
                self._value(f"{path}/{index}", depth + 1)
                index += 1
                self._skip_ws()
                if self.text[self.pos] == ",":
                    self.pos += 1
                    continue
                self.pos += 1  # ']'
                return
        if char == '"':
            string_match = _STRING.match(self.text, self.pos)
            self.pos = string_match.end() if string_match else len(self.text)
            return
        scalar = _SCALAR.match(self.text, self.pos)
        self.pos = scalar.end() if scalar else self.pos + 1

    def _skip_container(self) -> None:
        depth = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == '"':
                string_match = _STRING.match(self.text, self.pos)
                self.pos = string_match.end() if string_match else len(self.text)
                continue
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return
            self.pos += 1

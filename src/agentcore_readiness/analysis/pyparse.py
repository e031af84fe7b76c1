"""Parse source written for Python 3.11 to 3.14 into the running interpreter's ``ast``.

AgentCore runtimes run Python 3.12 to 3.14, and agent code uses their syntax: PEP 695
type parameters and ``type`` statements, PEP 696 type parameter defaults, PEP 701
f-strings (the enclosing quote, backslashes, comments and newlines inside ``{...}``),
PEP 750 template strings (``t"..."``) and PEP 758 ``except A, B:``. The product runs on
3.11 and up, where ``ast.parse`` rejects some of those. :func:`parse_module` reads all of
them on any supported interpreter:

* The native ``ast.parse`` runs first; a file it accepts costs nothing more.
* Only when it fails (and the interpreter is older than 3.14), a small tokenizer that
  knows the 3.14 lexical grammar finds the newer constructs and rewrites each one *in
  place*, keeping every line and every UTF-8 byte column of the rest of the file, so the
  native parser accepts the text and every node keeps the position it has in the
  original. What the rewrite replaced is then put back into the tree as the nearest node
  the running interpreter has:

  - ``type X[T] = v`` becomes ``Assign(targets=[Name('X')], value=v)``; type parameters
    are dropped on 3.11 (on 3.12 only their 3.13 defaults are);
  - ``except A, B:`` gets ``Tuple([A, B])`` as the handler type, spanning ``A, B``;
  - on 3.11 every f-string (and t-string) is rebuilt as ``JoinedStr`` /
    ``FormattedValue`` the way 3.11 builds them: each ``{expression}`` is parsed on its
    own at its exact line and column (nested f-strings recursively), the literal parts
    are decoded as Python does;
  - on 3.12 and 3.13 a t-string is read as the f-string it is written like
    (``JoinedStr`` / ``FormattedValue`` from the native parser).

Source that is invalid under every version raises :class:`SyntaxError` with its line;
input nested deeper than the parser can follow raises :class:`ParseLimitError` (a
``SyntaxError``), never ``RecursionError``.

Why a rewrite rather than a library or a newer interpreter: ``benchmarks/pyparse.py`` times
one 1,000-line agent module (31 KB) that uses all the constructs above, on Python 3.11 (best
of 40 runs on a shared 2-core machine):

* native ``ast.parse`` of the same module in 3.11 syntax: 8 ms, and ``parse_module`` of it
  (the fast path) 8 ms;
* this rewrite: 23 ms, no dependency;
* libcst 1.9 (Rust parser, 9.5 MB installed): 77-95 ms to parse, 400-880 ms with the
  position metadata that exact lines and columns need, before a CST-to-``ast`` converter
  for every node type that would still have to be written and kept exact;
* parso 0.8.7 (pure Python): 258 syntax errors on the valid module (it knows neither
  PEP 701 f-strings nor ``type`` statements, PEP 758 or t-strings);
* a newer interpreter in a subprocess (``python3.13 -I -S``, tree sent back as JSON):
  64-68 ms before the tree is rebuilt here, and only a 3.14 interpreter, which most
  machines do not have, reads PEP 758 and t-strings.

Checked against the real parsers: the 13,344 Python files of a 3.11 installation (standard
library and site-packages) give the same tree, positions included, through the rewrite
alone as through ``ast.parse``; the files of the 3.12 and 3.13 standard libraries that 3.11
rejects give the same nodes at the same positions as those interpreters' own parsers
(``TypeAlias`` read as ``Assign``, type parameters left out, and the f-string parts placed
as 3.11 places them: at the whole string).
"""

from __future__ import annotations

import ast
import keyword
import re
import sys
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Final

__all__ = ["ParseLimitError", "parse_module", "parse_with_backport"]

_RUNNING: Final = sys.version_info[:2]
_TOO_DEEP: Final = "nests too deeply for the parser"


_PARSE_LOCK = threading.Lock()
"""One ``ast.parse`` at a time in this process. CPython 3.11 counts the depth of the tree it
converts in per-interpreter state: when a thread switch happens during the conversion (a
garbage collection running a weakref callback, say) and another thread parses meanwhile,
both fail with ``SystemError: AST constructor recursion depth mismatch``. A server reviews
several projects in threads at once; parsing gains nothing from threads (it holds the GIL)."""


def _ast_parse(source: str, filename: str) -> ast.Module:
    with _PARSE_LOCK:
        return ast.parse(source, filename=filename)


def _ast_parse_expression(source: str, filename: str) -> ast.Expression:
    with _PARSE_LOCK:
        return ast.parse(source, filename=filename, mode="eval")


class ParseLimitError(SyntaxError):
    """The source nests deeper than the parser can follow (reported like a syntax error)."""


def parse_module(text: str, filename: str) -> ast.Module:
    """Parse ``text`` (valid under any grammar from Python 3.11 to 3.14) into this interpreter's ``ast``.

    Every node carries the line and column it has in ``text``. Raises :class:`SyntaxError`
    (with its line) when the text is invalid under all of those grammars.
    """
    try:
        return _ast_parse(text, filename)
    except SyntaxError as exc:
        native = exc
    except ValueError as exc:  # 3.11 reports NUL bytes this way
        raise _null_byte_error(text, filename) if "\x00" in text else SyntaxError(str(exc)) from None
    except (RecursionError, MemoryError):
        raise ParseLimitError(_TOO_DEEP, (filename, 1, 1, None)) from None
    if _RUNNING >= (3, 14):
        raise native
    return _backport(text, filename, native)


def parse_with_backport(text: str, filename: str) -> ast.Module:
    """Parse through the in-place rewrite alone, without trying the native parser first.

    :func:`parse_module` takes this path only for files the native parser rejects; tests
    and benchmarks call it directly to check it against the native parser.
    """
    return _backport(text, filename, None)


def _backport(text: str, filename: str, native: SyntaxError | None) -> ast.Module:
    if "\r" in text:
        # Python reads \r\n and a lone \r as line ends; one form keeps the scanner simple.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise _null_byte_error(text, filename)
    source = _Source(text, filename)
    try:
        edits = _Scanner(source).scan()
        if native is not None and not edits:
            raise native
        return _Rebuild(source, edits).module()
    except (RecursionError, MemoryError):
        raise ParseLimitError(_TOO_DEEP, (filename, 1, 1, None)) from None


def _null_byte_error(text: str, filename: str) -> SyntaxError:
    at = text.find("\x00")
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return SyntaxError("source code cannot contain null bytes", (filename, line, col, None))


# ---------------------------------------------------------------------------
# Source positions


class _Source:
    """The text, its line starts and the UTF-8 byte columns ``ast`` reports."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self._wide = [m.start() for m in re.finditer(r"[^\x00-\x7f]", text)]
        self._extra = list(accumulate(len(text[i].encode("utf-8", "surrogatepass")) - 1 for i in self._wide))

    def _bytes_before(self, pos: int) -> int:
        i = bisect_left(self._wide, pos)
        return pos + (self._extra[i - 1] if i else 0)

    def where(self, pos: int) -> tuple[int, int]:
        """(line, UTF-8 byte column) of a character offset, as ``ast`` numbers them."""
        line = bisect_right(self.line_starts, pos)
        start = self.line_starts[line - 1]
        if not self._wide:
            return line, pos - start
        return line, self._bytes_before(pos) - self._bytes_before(start)

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)]

    def error(self, message: str, pos: int) -> SyntaxError:
        line = bisect_right(self.line_starts, pos)
        col = pos - self.line_starts[line - 1] + 1
        return SyntaxError(message, (self.filename, line, col, self.line_text(line)))

    def relocate(self, exc: SyntaxError, line_shift: int, col_shift: int) -> SyntaxError:
        """An error from parsing rewritten text (or a piece of it), at its place in the original."""
        lineno = exc.lineno or 1
        byte = len((exc.text or "")[: max((exc.offset or 1) - 1, 0)].encode("utf-8", "surrogatepass"))
        if lineno == 1:
            byte += col_shift
        lineno += line_shift
        line = self.line_text(lineno)
        col = len(line.encode("utf-8", "surrogatepass")[: max(byte, 0)].decode("utf-8", "ignore")) + 1
        return SyntaxError(exc.msg, (self.filename, lineno, col, line))


# ---------------------------------------------------------------------------
# Scanning: find the newer constructs, decide the in-place rewrites


@dataclass(slots=True)
class _Str:
    """A plain string or bytes literal."""

    start: int
    end: int


@dataclass(slots=True)
class _Field:
    """One ``{expression=!conversion:spec}`` of an f-string or t-string."""

    start: int
    expr_end: int
    debug_end: int
    conversion: int
    spec: list[tuple[int, int] | _Field] | None
    end: int


@dataclass(slots=True)
class _FStr:
    """An f-string or t-string: literal runs (start, end) and fields, in order."""

    start: int
    end: int
    raw: bool
    parts: list[tuple[int, int] | _Field]


@dataclass(slots=True)
class _Edit:
    """Replace text[start:end] by text of the same lines and byte widths.

    ``group`` (implicitly concatenated strings with an f-string in them) and ``except``
    (an unparenthesised exception tuple) become ``( )`` placeholders that are swapped
    for the node built from the original text; ``alias`` marks a ``type`` statement;
    ``text`` is a plain substitution.
    """

    start: int
    end: int
    kind: str
    replacement: str = ""
    strings: list[_Str | _FStr] = field(default_factory=list)


@dataclass(slots=True)
class _Clause:
    """An ``except`` clause being read: where its expression starts and ends, commas, ``as``."""

    depth: int
    first: int = -1
    last_end: int = -1
    commas: int = 0
    named: bool = False
    star: bool = False


@dataclass(slots=True)
class _Params:
    """A type parameter list ``[...]`` of a def, class or type statement."""

    owner: str
    open: int
    depth: int
    close: int = -1
    default: int = -1


_NUMBER = (
    r"0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+"
    r"|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][-+]?\d(?:_?\d)*)?[jJ]?"
)
_OPERATOR = r"\*\*=|//=|>>=|<<=|\.\.\.|->|:=|==|!=|<=|>=|\*\*|//|<<|>>|[-+*/%&|^@]=|[-+*/%&|^@~<>=.,:;!()\[\]{}]"
_TOKEN: Final = re.compile(
    rf"""(?P<space>[ \t\f]+|\\\n)
    |(?P<newline>\n)
    |(?P<comment>\#[^\n]*)
    |(?P<string>(?P<prefix>[A-Za-z]{{0,2}})(?P<quote>'''|\"\"\"|'|"))
    |(?P<name>[^\W\d]\w*)
    |(?P<number>{_NUMBER})
    |(?P<op>{_OPERATOR})
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_NAME: Final = re.compile(r"[^\W\d]\w*")
_GAP = r"(?:[ \t\f]|\\\n)*"
_HEADER: Final = re.compile(rf"{_GAP}(?P<name>[^\W\d]\w*){_GAP}(?P<after>\[|=(?!=))")
_OPENERS: Final = frozenset("([{")
_CLOSERS: Final = frozenset(")]}")
_FIELD_ENDS: Final = frozenset([":", ":=", "!", "="])
_SPACES: Final = re.compile(r"[ \t\f]*")
_DEBUG_TAIL: Final = re.compile(r"(?:[ \t\f\n]+|#[^\n]*)*")
_COMMENT: Final = re.compile(r"#[^\n]*")
_LONE_NAME: Final = re.compile(r"[ \t\f\n]*([A-Za-z_][A-Za-z0-9_]*)[ \t\f\n]*")
_PREFIXES: Final = frozenset(
    ["", "r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"],
)
_STRING_END: Final = {
    "'": re.compile(r"[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"),
    '"': re.compile(r'[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"'),
    "'''": re.compile(r"[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"),
    '"""': re.compile(r'[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'),
}
_FSTRING_RUN: Final = {
    "'": re.compile(r"[^'{}\\\n]*"),
    '"': re.compile(r'[^"{}\\\n]*'),
    "'''": re.compile(r"[^'{}\\]*"),
    '"""': re.compile(r'[^"{}\\]*'),
}


def _blank(text: str) -> str:
    """Spaces of the same UTF-8 width as ``text``, its line breaks kept."""
    if text.isascii():
        return re.sub(r"[^\n]+", lambda m: " " * len(m.group()), text)
    return "".join(c if c == "\n" else " " * len(c.encode("utf-8", "surrogatepass")) for c in text)


def _placeholder(text: str) -> str:
    """``( )`` spanning exactly the lines and byte columns of ``text`` (an empty tuple to the parser)."""
    blank = _blank(text)
    return "(" + blank[1:-1] + ")"


class _Scanner:
    """Tokenizes the 3.14 lexical grammar once and records the rewrites this interpreter needs."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.text = source.text
        self.edits: list[_Edit] = []
        self.stmt_start = True
        self.clause: _Clause | None = None
        self.params: _Params | None = None

    def scan(self) -> list[_Edit]:
        self._code(0, field=False)
        return self.edits

    # -- tokens
    def _code(self, pos: int, field: bool) -> tuple[int, str, bool]:
        """Read code from ``pos``: the whole module, or one f-string field's expression.

        A field ends at ``}``, ``!``, ``:`` or ``=`` outside brackets: returns where, which
        character, and whether any token came before it.
        """
        text, n, match = self.text, len(self.text), _TOKEN.match
        depth = 0
        group: list[_Str | _FStr] = []
        seen = last_string = False
        while pos < n:
            m = match(text, pos)
            assert m is not None  # the last alternative matches any character
            kind = m.lastgroup
            if kind == "space" or kind == "comment":
                pos = m.end()
                continue
            if kind == "newline":
                if depth == 0 and not field:
                    if group:
                        group = self._flush(group)
                    last_string = False
                    self._newline()
                pos = m.end()
                continue
            if kind == "string":
                prefix = m.group("prefix")
                if prefix.lower() in _PREFIXES:
                    token = self._string(pos, prefix, m.group("quote"))
                    if group and not last_string:
                        group = self._flush(group)
                    group.append(token)
                    last_string = seen = True
                    if not field:
                        self._statement("string", "", pos, token.end, depth)
                    pos = token.end
                    continue
                m = _NAME.match(text, pos)
                assert m is not None
                kind = "name"
            if group:
                group = self._flush(group)
            last_string = False
            word, end = m.group(), m.end()
            token_depth = depth
            if kind == "op":
                if word in _OPENERS:
                    depth += 1
                elif word in _CLOSERS:
                    if depth == 0 and field:
                        return pos, word, seen
                    depth = token_depth = max(depth - 1, 0)
                elif field and depth == 0 and word in _FIELD_ENDS:
                    return pos, word[0], seen
            seen = True
            if not field:
                self._statement(kind or "other", word, pos, end, token_depth)
            pos = end
        if group:
            self._flush(group)
        return pos, "", seen

    def _flush(self, group: list[_Str | _FStr]) -> list[_Str | _FStr]:
        """End an implicit concatenation; on 3.11 one with an f-string in it is rebuilt whole."""
        if _RUNNING < (3, 12) and any(isinstance(s, _FStr) for s in group):
            self.edits.append(_Edit(group[0].start, group[-1].end, "group", strings=group))
        return [] if group else group

    def _string(self, pos: int, prefix: str, quote: str) -> _Str | _FStr:
        low = prefix.lower()
        body = pos + len(prefix) + len(quote)
        if "f" in low or "t" in low:
            if "t" in low and _RUNNING >= (3, 12):
                # 3.12 and 3.13 have no template strings: read it as the f-string it is written like.
                at = low.index("t")
                self.edits.append(_Edit(pos + at, pos + at + 1, "text", "f" if prefix[at] == "t" else "F"))
            parts, end = self._fbody(body, quote, "r" in low, spec=False, opened=pos)
            return _FStr(pos, end, "r" in low, parts)
        m = _STRING_END[quote].match(self.text, body)
        if m is None:
            what = "unterminated triple-quoted string literal" if len(quote) == 3 else "unterminated string literal"
            raise self.source.error(what, pos)
        return _Str(pos, m.end())

    def _fbody(
        self, pos: int, quote: str, raw: bool, spec: bool, opened: int
    ) -> tuple[list[tuple[int, int] | _Field], int]:
        """Literal text and fields of an f-string (up to its closing quote) or of a format spec (up to ``}``)."""
        text, run, q = self.text, _FSTRING_RUN[quote], quote[0]
        parts: list[tuple[int, int] | _Field] = []
        literal = pos
        while True:
            m = run.match(text, pos)
            assert m is not None  # a run may be empty
            pos = m.end()
            if pos >= len(text) or text[pos] == "\n":
                raise self.source.error("unterminated f-string literal", opened)
            c = text[pos]
            if c == q:
                if len(quote) == 3 and not text.startswith(quote, pos):
                    pos += 1
                    continue
                if spec:
                    raise self.source.error("f-string: expecting '}'", pos)
                if literal < pos:
                    parts.append((literal, pos))
                return parts, pos + len(quote)
            if c == "\\":
                pos = self._escape(pos, raw, opened)
            elif c == "{":
                if not spec and text.startswith("{{", pos):
                    pos += 2
                    continue
                if literal < pos:
                    parts.append((literal, pos))
                item = self._field(pos, quote, raw)
                parts.append(item)
                pos = literal = item.end
            elif spec:
                if literal < pos:
                    parts.append((literal, pos))
                return parts, pos
            elif text.startswith("}}", pos):
                pos += 2
            else:
                raise self.source.error("f-string: single '}' is not allowed", pos)

    def _escape(self, pos: int, raw: bool, opened: int) -> int:
        r"""Skip a backslash escape in an f-string's literal text (``\{`` leaves the brace to start a field)."""
        after = self.text[pos + 1 : pos + 2]
        if not after:
            raise self.source.error("unterminated f-string literal", opened)
        if after in ("{", "}"):
            return pos + 1
        if after == "N" and not raw and self.text.startswith("{", pos + 2):
            close = self.text.find("}", pos + 3)
            if close < 0:
                raise self.source.error("unterminated f-string literal", opened)
            return close + 1
        return pos + 2

    def _field(self, pos: int, quote: str, raw: bool) -> _Field:
        text = self.text
        expr_end, stop, seen = self._code(pos + 1, field=True)
        if stop in (")", "]"):
            raise self.source.error(f"f-string: unmatched '{stop}'", expr_end)
        if not stop:
            raise self.source.error("f-string: expecting '}'", pos)
        if not seen:
            raise self.source.error(f"f-string: valid expression required before '{stop}'", expr_end)
        cursor, debug_end = expr_end, -1
        if stop == "=":
            m = _DEBUG_TAIL.match(text, expr_end + 1)
            assert m is not None
            cursor = debug_end = m.end()
            stop = text[cursor : cursor + 1]
        conversion = -1
        if stop == "!":
            m = _NAME.match(text, cursor + 1)
            if m is None or m.group() not in ("r", "s", "a"):
                raise self.source.error("f-string: invalid conversion character: expected 's', 'r', or 'a'", cursor)
            conversion = ord(m.group())
            spaces = _SPACES.match(text, m.end())  # 3.12 allows them after the conversion
            assert spaces is not None
            cursor = spaces.end()
            stop = text[cursor : cursor + 1]
        spec = None
        if stop == ":":
            spec, cursor = self._fbody(cursor + 1, quote, raw, spec=True, opened=pos)
            stop = "}"
        if stop != "}":
            raise self.source.error("f-string: expecting '}'", cursor)
        return _Field(pos, expr_end, debug_end, conversion, spec, cursor + 1)

    # -- statements: type, def/class type parameters, except
    def _newline(self) -> None:
        self.stmt_start = True
        self.clause = None
        self.params = None

    def _statement(self, kind: str, word: str, start: int, end: int, depth: int) -> None:
        """Follow the tokens of module code that decide a rewrite; most tokens change nothing."""
        at_start = self.stmt_start
        self.stmt_start = depth == 0 and kind == "op" and word in (":", ";")
        if self.clause is not None:
            self._except_token(kind, word, start, end, depth)
        elif at_start and kind == "name" and word == "except":
            self.clause = _Clause(depth)
        if self.params is not None:
            self._params_token(kind, word, start, end, depth)
        elif kind == "name" and word in ("def", "class", "type"):
            self._header(word, end, depth, at_start)

    def _except_token(self, kind: str, word: str, start: int, end: int, depth: int) -> None:
        clause = self.clause
        assert clause is not None
        if depth == clause.depth and kind == "op" and word == ":":
            self.clause = None
            if clause.commas and not clause.named and clause.first >= 0 and _RUNNING < (3, 14):
                self.edits.append(_Edit(clause.first, clause.last_end, "except"))
            return
        if clause.first < 0:
            if kind == "op" and word == "*" and not clause.star:
                clause.star = True
                return
            clause.first = start
        if depth == clause.depth:
            if kind == "op" and word == ",":
                clause.commas += 1
            elif kind == "name" and word == "as":
                clause.named = True
        clause.last_end = end

    def _header(self, word: str, end: int, depth: int, at_start: bool) -> None:
        """``def NAME [``, ``class NAME [``, ``type NAME [`` / ``type NAME =`` (a statement only at its start)."""
        if word == "type" and not at_start:
            return
        m = _HEADER.match(self.text, end)
        if m is None or keyword.iskeyword(m.group("name")) or (word != "type" and m.group("after") != "["):
            return
        if word == "type" and _RUNNING < (3, 12):
            self.edits.append(_Edit(end - 4, end, "alias", "_ = "))
        if m.group("after") == "[":
            self.params = _Params(word, m.end() - 1, depth)

    def _params_token(self, kind: str, word: str, start: int, end: int, depth: int) -> None:
        params = self.params
        assert params is not None
        if params.close >= 0:
            self.params = None
            if _RUNNING < (3, 12):
                self._drop_params(params, kind, word, end)
            return
        if depth == params.depth + 1 and kind == "op":
            if word == "=" and params.default < 0:
                params.default = start
            elif word == ",":
                self._drop_default(params, start)
        elif depth == params.depth and kind == "op" and word == "]" and start > params.open:
            self._drop_default(params, start)
            params.close = end
            if params.owner == "type":
                self.params = None
                if _RUNNING < (3, 12):
                    self._drop_alias_params(params)

    def _drop_default(self, params: _Params, end: int) -> None:
        """3.12 has type parameters but not their defaults (PEP 696): blank ``= default``."""
        if params.default >= 0 and _RUNNING == (3, 12):
            self.edits.append(_Edit(params.default, end, "text", _blank(self.text[params.default : end])))
        params.default = -1

    def _drop_params(self, params: _Params, kind: str, word: str, end: int) -> None:
        """3.11: ``def f[T](x)`` reads as ``def f(   x)``; ``class C[T]:`` as ``class C(   ):``."""
        text = self.text
        if kind == "op" and word == "(":
            self.edits.append(_Edit(params.open, end, "text", "(" + _blank(text[params.open + 1 : end])))
        elif params.owner == "class" and kind == "op" and word == ":":
            inner = _blank(text[params.open + 1 : params.close - 1])
            self.edits.append(_Edit(params.open, params.close, "text", "(" + inner + ")"))

    def _drop_alias_params(self, params: _Params) -> None:
        """3.11: ``type X[T] = v`` reads as ``_ = X[0] = v`` (the subscript is undone after parsing)."""
        inner = self.text[params.open + 1 : params.close - 1]
        first = re.search(r"\S", inner)
        if first is None:
            return
        at = first.start()
        blank = _blank(inner[:at]) + "0" + _blank(inner[at:])[1:]
        self.edits.append(_Edit(params.open, params.close, "text", "[" + blank + "]"))


# ---------------------------------------------------------------------------
# Rebuilding: parse the rewritten text, put the original constructs back


_SIMPLE_ESCAPES: Final = {
    "\n": "",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_ESCAPE = r"\\(?:N\{[^}\n]*\}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{1,3}|[\s\S])"
_STRING_ESCAPES: Final = re.compile(_ESCAPE)
_FSTRING_ESCAPES: Final = re.compile(_ESCAPE + r"|\{\{|\}\}")
_FSTRING_BRACES: Final = re.compile(r"\{\{|\}\}")


def _unescape(m: re.Match[str]) -> str:
    text = m.group()
    if text in ("{{", "}}"):
        return text[0]
    c = text[1]
    if c == "N" and len(text) > 2:
        try:
            return unicodedata.lookup(text[3:-1])
        except KeyError:
            raise ValueError("(unicode error) unknown Unicode character name") from None
    if c in "xuU" and len(text) > 2:
        value = int(text[2:], 16)
        if value > sys.maxunicode:
            raise ValueError("(unicode error) illegal Unicode character")
        return chr(value)
    if c in "xuUN":
        raise ValueError(f"(unicode error) truncated \\{c} escape")
    if c in "01234567":
        return chr(int(text[1:], 8))
    return _SIMPLE_ESCAPES.get(c, text)


def _decode(text: str, raw: bool, fstring: bool) -> str:
    """The value of a string literal's text, as Python reads it (``{{`` is ``{`` in an f-string)."""
    if raw:
        return _FSTRING_BRACES.sub(lambda m: m.group()[0], text) if fstring else text
    if "\\" not in text and not (fstring and ("{{" in text or "}}" in text)):
        return text
    return (_FSTRING_ESCAPES if fstring else _STRING_ESCAPES).sub(_unescape, text)


class _Rebuild:
    """Renders the rewritten text, parses it natively, and splices the original constructs back in."""

    def __init__(self, source: _Source, edits: list[_Edit]) -> None:
        self.source = source
        self.text = source.text
        self.edits = sorted(edits, key=lambda e: (e.start, -e.end))
        self.starts = [e.start for e in self.edits]
        # the first edit after each one's end: rendering steps over the edits nested inside it
        self.after = [bisect_left(self.starts, e.end) for e in self.edits]

    def module(self) -> ast.Module:
        body, top = self._render(0, len(self.text))
        try:
            tree = _ast_parse(body, self.source.filename)
        except SyntaxError as exc:
            raise self.source.relocate(exc, 0, 0) from None
        self._splice(tree, top)
        return tree

    def _render(self, start: int, end: int, within: _Edit | None = None) -> tuple[str, list[_Edit]]:
        """text[start:end] with its outermost edits (other than ``within``) applied; those edits."""
        pieces: list[str] = []
        top: list[_Edit] = []
        pos = start
        i = bisect_left(self.starts, start)
        while i < len(self.edits) and self.edits[i].start < end:
            edit = self.edits[i]
            if edit is within:
                i += 1  # the edit being read: what is nested in it is rendered here
                continue
            i = max(self.after[i], i + 1)
            pieces.append(self.text[pos : edit.start])
            if edit.kind in ("group", "except"):
                pieces.append(_placeholder(self.text[edit.start : edit.end]))
            else:
                pieces.append(edit.replacement)
            top.append(edit)
            pos = edit.end
        pieces.append(self.text[pos:end])
        return "".join(pieces), top

    def _loc(self, start: int, end: int) -> dict[str, int]:
        lineno, col_offset = self.source.where(start)
        end_lineno, end_col_offset = self.source.where(end)
        return {"lineno": lineno, "col_offset": col_offset, "end_lineno": end_lineno, "end_col_offset": end_col_offset}

    def _splice(self, root: ast.AST, top: list[_Edit]) -> None:
        """Swap each placeholder for its node, undo the ``type`` statement rewrite."""
        marks = {self.source.where(e.start): e for e in top if e.kind in ("group", "except")}
        aliases = {self.source.where(e.start) for e in top if e.kind == "alias"}
        if not marks and not aliases:
            return
        places = sorted([*marks, *aliases])
        found = 0
        stack = [root]
        while stack:
            node = stack.pop()
            if aliases and isinstance(node, ast.Assign) and (node.lineno, node.col_offset) in aliases:
                _unalias(node)
                found += 1
            for name in node._fields:
                value = getattr(node, name, None)
                items = value if isinstance(value, list) else [value]
                for i, item in enumerate(items):
                    if not isinstance(item, ast.AST):
                        continue
                    edit = marks.get(_start(item)) if isinstance(item, ast.Tuple) and not item.elts else None
                    if edit is not None:
                        items[i] = self._replace(item, edit)
                        if items is not value:
                            setattr(node, name, items[0])
                        found += 1
                    elif _spans_any(item, places):
                        stack.append(item)
        if found != len(marks) + len(aliases):
            missing = min(e.start for e in top if e.kind in ("group", "except", "alias"))
            raise self.source.error("invalid syntax (f-string or type statement where it is not allowed)", missing)

    def _replace(self, placeholder: ast.AST, edit: _Edit) -> ast.expr:
        context = getattr(placeholder, "ctx", None)
        if not isinstance(context, ast.Load):
            verb = "delete" if isinstance(context, ast.Del) else "assign to"
            raise self.source.error(f"cannot {verb} f-string expression", edit.start)
        if edit.kind == "except":
            value = self._fragment(edit.start, edit.end, within=edit)
            for name, number in self._loc(edit.start, edit.end).items():
                setattr(value, name, number)
            return value
        return self._joined(edit)

    def _fragment(self, start: int, end: int, within: _Edit | None = None) -> ast.expr:
        """Parse text[start:end] as a parenthesised expression, with its positions in the whole text."""
        name = _LONE_NAME.fullmatch(self.text, start, end)
        if name is not None and not keyword.iskeyword(name.group(1)):
            # most fields are one name: no need to run the parser for those
            return ast.Name(id=name.group(1), ctx=ast.Load(), **self._loc(name.start(1), name.end(1)))
        body, top = self._render(start, end, within)
        line, col = self.source.where(start)
        try:
            tree = _ast_parse_expression("(" + body + ")", self.source.filename)
        except SyntaxError as exc:
            raise self.source.relocate(exc, line - 1, col - 1) from None
        _shift(tree, line - 1, col - 1)
        self._splice(tree, top)
        return tree.body

    def _joined(self, edit: _Edit) -> ast.JoinedStr:
        """An f-string (with the strings concatenated to it) as 3.11 builds it: every node spans the whole group."""
        loc = self._loc(edit.start, edit.end)
        kind = "u" if self.text.startswith("u", edit.start) else None
        values: list[ast.expr] = []
        literal: list[str] = []
        for string in edit.strings:
            if isinstance(string, _Str):
                literal.append(self._plain(string))
            else:
                token_loc = self._loc(string.start, string.end)
                self._parts(string.parts, string.raw, values, literal, (loc, token_loc, kind))
        _flush(values, literal, loc, kind)
        return ast.JoinedStr(values=values, **loc)

    def _plain(self, string: _Str) -> str:
        text = self.text[string.start : string.end]
        prefix = _NAME.match(text)
        letters = prefix.group().lower() if prefix else ""
        if "b" in letters:
            raise self.source.error("cannot mix bytes and nonbytes literals", string.start)
        quote = 3 if text[len(letters) :].startswith(("'''", '"""')) else 1
        try:
            return _decode(text[len(letters) + quote : -quote], "r" in letters, fstring=False)
        except ValueError as exc:
            raise self.source.error(str(exc), string.start) from None

    def _parts(
        self,
        parts: list[tuple[int, int] | _Field],
        raw: bool,
        values: list[ast.expr],
        literal: list[str],
        where: tuple[dict[str, int], dict[str, int], str | None],
    ) -> None:
        loc, token_loc, kind = where
        for part in parts:
            if isinstance(part, tuple):
                try:
                    literal.append(_decode(self.text[part[0] : part[1]], raw, fstring=True))
                except ValueError as exc:
                    raise self.source.error(str(exc), part[0]) from None
                continue
            if part.debug_end >= 0:
                # the text of ``expr=`` and the spaces after it; 3.12 leaves comments out
                literal.append(self.text[part.start + 1 : part.expr_end + 1])
                literal.append(_COMMENT.sub("", self.text[part.expr_end + 1 : part.debug_end]))
            _flush(values, literal, loc, kind)
            value = self._fragment(part.start + 1, part.expr_end)
            conversion = part.conversion
            if part.debug_end >= 0 and conversion < 0 and part.spec is None:
                conversion = ord("r")
            spec = None
            if part.spec is not None:
                spec_values: list[ast.expr] = []
                spec_literal: list[str] = []
                self._parts(part.spec, raw, spec_values, spec_literal, (loc, token_loc, kind))
                # 3.11 gives the spec's trailing text the position (and kind) of its own string, not the group's.
                _flush(spec_values, spec_literal, token_loc, None)
                spec = ast.JoinedStr(values=spec_values, **token_loc)
            values.append(ast.FormattedValue(value=value, conversion=conversion, format_spec=spec, **loc))


def _flush(values: list[ast.expr], literal: list[str], loc: dict[str, int], kind: str | None) -> None:
    text = "".join(literal)
    literal.clear()
    if text:
        values.append(ast.Constant(value=text, kind=kind, **loc))


def _shift(tree: ast.AST, lines: int, cols: int) -> None:
    """Move a piece parsed on its own to its place: ``lines`` down, ``cols`` bytes right on its first line."""
    stack = [tree]
    while stack:
        node: Any = stack.pop()
        if "end_lineno" in node._attributes:
            if node.lineno == 1:
                node.col_offset += cols
            if node.end_lineno == 1:
                node.end_col_offset += cols
            node.lineno += lines
            node.end_lineno += lines
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)


def _start(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _spans_any(node: ast.AST, places: list[tuple[int, int]]) -> bool:
    """Whether one of the sorted (line, column) ``places`` lies inside the node (always, for nodes without a position)."""
    if "end_lineno" not in node._attributes:
        return True
    start = _start(node)
    decorators = getattr(node, "decorator_list", None)
    if decorators:  # a def or class starts at its keyword; its decorators are above it
        start = min(start, _start(decorators[0]))
    at = bisect_left(places, start)
    return at < len(places) and places[at] <= (node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _unalias(node: ast.Assign) -> None:
    """``_ = X = v`` / ``_ = X[0] = v`` (a rewritten ``type`` statement) back to ``X = v``."""
    target = node.targets[-1]
    if isinstance(target, ast.Subscript):
        target = target.value
    target.ctx = ast.Store()  # type: ignore[attr-defined]
    node.targets = [target]

"""CommonMark-safe text: what the product writes into markdown stays the text it is.

Names, paths, messages and quotes come from the scanned project; in markdown they must not
open a heading, a list, a link, emphasis or raw HTML. :func:`inline` escapes every character
CommonMark could read as syntax and folds line breaks into spaces, so a value stays on its
line. :func:`prose` does the same for the product's own sentences, and puts what reads as
code into code spans: spans already quoted with backticks, placeholders such as
``<your-idp>``, and paths, globs, ARNs and URLs such as ``agentcore/cdk/cdk.out/*.template.json``.
:func:`code` makes one code span of any text.
"""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\v\f]+")
# Every ASCII punctuation character CommonMark may read as syntax inside a line.
_SYNTAX = re.compile(r"([\\`*\[\]<>!&~|#])")
# `_` opens emphasis only at a word boundary: between two letters or digits it is text.
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# A line that starts with these would open a block (list, quote, heading, thematic break...).
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")
_BACKTICKED = re.compile(r"(`+)(.+?)\1")
# Placeholders (`<your-idp>`), paths and globs (`a/b.json`, `*.template.json`), ARNs and URLs.
_CODE_TOKEN = re.compile(
    r"(?<![\w`])("
    r"\S*<[A-Za-z][\w .:/-]{0,60}>\S*"  # a placeholder, alone or inside a URL, ARN or path
    r"|[\w.:~/-]*\*[\w.*/:~-]*"  # a glob or an IAM wildcard
    r"|(?:arn|https?|s3|file):[^\s'\"`]+"  # an ARN or a URL
    r"|(?:\.{0,2}/)?[\w.-]+(?:/[\w.*-]+)+/?(?::\d+)?"  # a path, with a line number
    r"|--[a-z][\w-]*(?:=\S+)?"  # a command-line option
    r"|[a-z][a-z0-9_]*=(?:true|false|\d+|\"[^\"\s]*\")"  # an argument: aws=true, offset=25
    r")"
)
_TRAILING = ".,;:)"


def one_line(text: str) -> str:
    """``text`` with every line break folded into a space."""
    return _LINE_BREAKS.sub(" ", text)


def inline(text: str) -> str:
    """``text`` as literal inline markdown: no markup, no HTML, no line break."""
    escaped = _UNDERSCORE.sub(r"\\_", _SYNTAX.sub(r"\\\1", one_line(text)))
    return _BLOCK_START.sub(_escape_block_start, escaped)


def _escape_block_start(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(1)}{match.group(3)}\\{match.group(4)}"


def code(text: str) -> str:
    """``text`` as one code span, whatever backticks it holds."""
    value = one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {value} " if value.startswith("`") or value.endswith("`") or not value.strip() else value
    return f"{fence}{padded}{fence}"


def _code_or_text(segment: str) -> list[str]:
    parts: list[str] = []
    position = 0
    for match in _CODE_TOKEN.finditer(segment):
        token = match.group(1)
        trailing = ""
        while token and token[-1] in _TRAILING and token.count("(") <= token.count(")") - (token[-1] == ")"):
            trailing = token[-1] + trailing
            token = token[:-1]
        if not token or not _looks_like_code(token):
            continue
        parts.append(inline(segment[position : match.start(1)]))
        parts.append(code(token))
        position = match.start(1) + len(token)
    parts.append(inline(segment[position:]))
    return parts


def _looks_like_code(token: str) -> bool:
    if "<" in token or "*" in token or ":" in token or "=" in token or token.startswith("--"):
        return True
    # A path: a file name with an extension, a directory, or two separators ("a/b" alone may be prose, "and/or").
    last = token.rstrip("/").rsplit("/", 1)[-1]
    return token.endswith("/") or token.startswith(("/", "./", "../")) or token.count("/") >= 2 or "." in last


def prose(text: str) -> str:
    """The product's own sentence as markdown: code-like parts in code spans, the rest literal."""
    flat = one_line(text)
    parts: list[str] = []
    position = 0
    for match in _BACKTICKED.finditer(flat):
        parts.extend(_code_or_text(flat[position : match.start()]))
        parts.append(code(match.group(2).strip() or match.group(2)))
        position = match.end()
    parts.extend(_code_or_text(flat[position:]))
    return "".join(parts)


def fenced(text: str, info: str = "") -> str:
    """``text`` as a fenced code block: a fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"

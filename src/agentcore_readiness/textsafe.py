"""Safe echoing of text that came from scanned files or from users.

Anything we quote back (a snippet, a string, a header) is cut to a short excerpt, has
likely secrets masked and has invisible and control characters removed, so a scanned
project cannot smuggle instructions to the model that reads our output, nor make us
print a credential.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
FIELD_LIMIT = 100_000

# Zero-width, bidi controls, tag characters and other invisible format characters.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_SECRETISH = re.compile(
    r"(sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{12,}"
    r"|(?:AKIA|ASIA)[A-Z0-9]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|(?:sk|rk)_live_[A-Za-z0-9]{16,}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----)"
)


def mask_secret(value: str, keep: int = 4) -> str:
    """``sk-a…(51 chars)``: a short prefix and the length, never the value."""
    prefix = value[:keep]
    return f"{prefix}…({len(value)} chars)"


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def strip_invisible(text: str) -> str:
    if text.isascii():  # the common case: only C0 controls and DEL can hide in ASCII
        return _ASCII_CONTROL.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)


# Secrets without a telling prefix, recognised by where they sit:
# a URL query parameter named like a credential (?api_key=..., &X-Amz-Signature=...),
_URL_QUERY_SECRET = re.compile(
    r"(?i)([?&;][a-z0-9_.-]{0,64}?(?:key|token|secret|password|passwd|pwd|signature|sig|credential|auth)"
    r"[a-z0-9_.-]{0,32}=)([^&#\s'\"<>…]+)"
)
# the password of a URL's user info (https://user:password@host),
_URL_PASSWORD = re.compile(r"(://[^/\s:@'\"]{1,256}:)([^@\s/'\"…]{1,256})(@)")
# a quoted value assigned to a credential-like name (password = "...", "apiKey": "..."),
_ASSIGNED_SECRET = re.compile(
    r"(?i)\b([a-z0-9_.-]{0,64}?(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
    r"token|credentials?)s?[\"']?[ \t]{0,8}[:=][ \t]{0,8})([\"'])([^\"'\n…]{4,})\2"
)
# an unquoted NAME=value of such a name (ENV DB_PASSWORD=..., a .env line),
_ENV_SECRET = re.compile(
    r"(?i)\b([a-z0-9_]{0,64}?(?:password|passwd|pwd|secret|api_?key|access_?key|private_?key|token)s?=)"
    r"([^\s'\"&;,…]{4,})"
)
# and a 40-character AWS secret access key (mixed case and digits, or / and +).
_AWS_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=:._-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=._-])")
_PLACEHOLDER = re.compile(r"^(?:[{$<%\[(*]|\.\.\.|x+$|os\.|env\.|process\.env)", re.IGNORECASE)


def _hidden(value: str) -> str:
    """A credential without a telling prefix: only its length is shown."""
    if _PLACEHOLDER.match(value) or value.startswith(("http://", "https://")):
        return value
    return mask_secret(value, keep=0)


def _looks_like_aws_secret(match: re.Match[str]) -> str:
    value = match.group(0)
    has_lower = any(c.islower() for c in value)
    has_upper = any(c.isupper() for c in value)
    has_other = any(c.isdigit() or c in "/+" for c in value)
    return mask_secret(value, keep=0) if has_lower and has_upper and has_other else value


def mask_secrets(text: str) -> str:
    """Mask credentials in ``text``: known token formats (their prefix and length shown),
    and values that sit where credentials sit (only their length shown)."""
    text = _SECRETISH.sub(lambda m: mask_secret(m.group(0)), text)
    if "=" in text or ":" in text:
        if "=" in text:
            text = _URL_QUERY_SECRET.sub(lambda m: m.group(1) + _hidden(m.group(2)), text)
            text = _ENV_SECRET.sub(lambda m: m.group(1) + _hidden(m.group(2)), text)
        if "@" in text:
            text = _URL_PASSWORD.sub(lambda m: m.group(1) + _hidden(m.group(2)) + m.group(3), text)
        if "'" in text or '"' in text:
            text = _ASSIGNED_SECRET.sub(lambda m: m.group(1) + m.group(2) + _hidden(m.group(3)) + m.group(2), text)
    if len(text) >= 40:
        text = _AWS_SECRET_KEY.sub(_looks_like_aws_secret, text)
    return text


def excerpt(text: str, limit: int = 200) -> str:
    """A safe, single-purpose quote of ``text``: masked, stripped, at most ``limit`` characters."""
    cleaned = mask_secrets(strip_invisible(text))
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def clean_text(text: str, limit: int = FIELD_LIMIT) -> str:
    """Output-boundary cleaning of any string: invisible and control characters removed,
    secrets masked, length capped."""
    return excerpt(text, limit) if text else text


def _clean(value: Any, done: dict[str, str]) -> Any:
    if isinstance(value, str):
        cleaned = done.get(value)
        if cleaned is None:
            cleaned = done[value] = clean_text(value)
        return cleaned
    if isinstance(value, dict):
        return {k: _clean(v, done) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, done) for v in value]
    return value


def sanitize_model(model: M) -> M:
    """A copy of ``model`` with every string cleaned by :func:`clean_text` (each distinct
    string once: a report repeats its rule names, fixes and paths many times)."""
    data = model.model_dump(mode="python", by_alias=True)
    return type(model).model_validate(_clean(data, {}))

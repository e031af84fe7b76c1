"""What a secret looks like: key formats, secret-like names, placeholders.

Pure and dependency-free (``re`` only), so the code index can run it in worker
processes. Three questions are answered here:

* :func:`scan_known_formats`: which substrings of a file are credentials of a known
  format (Anthropic, OpenAI, AWS, PEM private keys, Slack, GitHub, Stripe, Google,
  Hugging Face), with obvious dummies left out by rule;
* :func:`is_secret_name`: whether a name (an environment variable, a variable, a
  keyword argument, a dict key) names a secret rather than something about one;
* :func:`placeholder_reason` / :func:`generic_secret_value`: whether a literal value
  is a placeholder or a plausible secret.

Values never leave this module in clear: callers get :func:`mask` (a short prefix and
the length).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass

# ---------------------------------------------------------------------------
# Known key formats


@dataclass(frozen=True)
class KeyFormat:
    kind: str
    label: str
    pattern: re.Pattern[str]
    provider: str
    """A credential name to suggest in fixes (``agentcore add credential --name …``)."""
    level: str = "fail"


_B = r"(?<![A-Za-z0-9_-])"  # start boundary: not inside a longer token
_E = r"(?![A-Za-z0-9_-])"

KEY_FORMATS: tuple[KeyFormat, ...] = (
    KeyFormat(
        "anthropic",
        "Anthropic API key",
        re.compile(_B + r"sk-ant-[A-Za-z0-9]{2,10}-[A-Za-z0-9_-]{20,}" + _E),
        "Anthropic",
    ),
    KeyFormat(
        "openai-project",
        "OpenAI API key",
        re.compile(_B + r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}" + _E),
        "OpenAI",
    ),
    KeyFormat("openai", "OpenAI-style API key (sk-…)", re.compile(_B + r"sk-[A-Za-z0-9]{32,}" + _E), "OpenAI"),
    KeyFormat(
        "aws-access-key-id",
        "AWS access key ID",
        re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])"),
        "Aws",
    ),
    KeyFormat(
        "private-key",
        "private key (PEM)",
        re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"),
        "PrivateKey",
    ),
    KeyFormat("slack-token", "Slack token", re.compile(_B + r"xox[abposr]-[0-9A-Za-z-]{10,}" + _E), "Slack"),
    KeyFormat(
        "slack-webhook",
        "Slack webhook URL",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}"),
        "SlackWebhook",
    ),
    KeyFormat(
        "github-token", "GitHub token", re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}" + _E), "GitHub"
    ),
    KeyFormat(
        "github-pat",
        "GitHub fine-grained token",
        re.compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{50,}"),
        "GitHub",
    ),
    KeyFormat(
        "stripe-live",
        "Stripe live secret key",
        re.compile(r"(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{20,}" + _E),
        "Stripe",
    ),
    KeyFormat(
        "stripe-test",
        "Stripe test-mode secret key",
        re.compile(r"(?<![A-Za-z0-9_])(?:sk|rk)_test_[A-Za-z0-9]{20,}" + _E),
        "StripeTest",
        level="warn",
    ),
    KeyFormat("google-api-key", "Google API key", re.compile(_B + r"AIza[0-9A-Za-z_-]{35}" + _E), "Google"),
    KeyFormat(
        "huggingface", "Hugging Face token", re.compile(r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}" + _E), "HuggingFace"
    ),
)

# One pass over the text finds every candidate; the per-format patterns then decide.
_ANCHORS = re.compile(r"sk-|sk_|rk_|AKIA|ASIA|ABIA|ACCA|PRIVATE KEY|xox|hooks\.slack|gh[pousr]_|github_pat_|AIza|hf_")
_AWS_SECRET = re.compile(r"""(?<![A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])""")
_PEM_BODY = re.compile(r"(?:\\n|\\r|[\s\"'+(),])*([A-Za-z0-9+/=]{16,})")


@dataclass(frozen=True)
class SecretHit:
    kind: str
    label: str
    provider: str
    line: int
    column: int
    masked: str
    length: int
    level: str = "fail"
    related_line: int | None = None
    """Another line that belongs to the same credential (an AWS secret access key)."""
    fingerprint: str = ""
    """A one-way digest of the value: the same key repeated in a file is one finding."""


def fingerprint(value: str) -> str:
    """A short one-way digest of a secret value, to recognise repeats without keeping the value."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def mask(value: str, keep: int = 4) -> str:
    """A short prefix and the length, never the value: ``sk-a…(108 chars)``."""
    return f"{value[:keep]}…({len(value)} chars)"


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    position = find("\n")
    while position != -1:
        starts.append(position + 1)
        position = find("\n", position + 1)
    return starts


def _line_col(starts: list[int], offset: int) -> tuple[int, int]:
    low, high = 0, len(starts) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if starts[mid] <= offset:
            low = mid
        else:
            high = mid - 1
    return low + 1, offset - starts[low]


def has_candidates(text: str) -> bool:
    return _ANCHORS.search(text) is not None


def scan_known_formats(text: str) -> list[SecretHit]:
    """Credentials of a known format in ``text``, dummies left out (see :func:`dummy_reason`).

    An AWS access key ID is reported as a credential (``fail``) only when a secret access
    key (40 characters of base64, mixed case and digits) is in the same text; alone it
    identifies a key but does not grant access (``warn``). A PEM header counts only with
    key material after it.
    """
    if not has_candidates(text):
        return []
    starts = _line_starts(text)
    hits: list[SecretHit] = []
    seen: set[int] = set()
    aws_ids: list[tuple[int, str]] = []
    for key_format in KEY_FORMATS:
        for match in key_format.pattern.finditer(text):
            value = match.group(0)
            start = match.start()
            if start in seen:
                continue
            if key_format.kind == "private-key":
                body = _PEM_BODY.match(text, match.end())
                material = body.group(1) if body else ""
                if len(material) < 40 or dummy_reason(material):
                    continue
                value = value + material
            elif dummy_reason(_variable_part(key_format.kind, value)):
                continue
            seen.add(start)
            if key_format.kind == "aws-access-key-id":
                aws_ids.append((start, value))
                continue
            line, column = _line_col(starts, start)
            hits.append(
                SecretHit(
                    key_format.kind,
                    key_format.label,
                    key_format.provider,
                    line,
                    column,
                    mask(value, 7 if value.startswith("sk-") else 4),
                    len(value),
                    key_format.level,
                    fingerprint=fingerprint(value),
                )
            )
    if aws_ids:
        secret = next((m for m in _AWS_SECRET.finditer(text) if _looks_like_aws_secret(m.group(1))), None)
        for start, value in aws_ids:
            line, column = _line_col(starts, start)
            if secret is not None:
                secret_line, _ = _line_col(starts, secret.start(1))
                hits.append(
                    SecretHit(
                        "aws-access-key",
                        f"AWS access key (ID with its secret access key on line {secret_line})",
                        "Aws",
                        line,
                        column,
                        mask(value),
                        len(value),
                        related_line=secret_line,
                        fingerprint=fingerprint(value),
                    )
                )
            else:
                hits.append(
                    SecretHit(
                        "aws-access-key-id",
                        "AWS access key ID (no secret access key found beside it)",
                        "Aws",
                        line,
                        column,
                        mask(value),
                        len(value),
                        "warn",
                        fingerprint=fingerprint(value),
                    )
                )
    hits.sort(key=lambda h: (h.line, h.column))
    return hits


def _variable_part(kind: str, value: str) -> str:
    if kind == "aws-access-key-id":
        return value[4:]
    if kind in ("slack-webhook",):
        return value.rsplit("/", 1)[-1]
    for prefix in ("sk-ant-", "sk-proj-", "sk-svcacct-", "sk-admin-", "github_pat_", "sk-", "xox"):
        if value.startswith(prefix):
            rest = value[len(prefix) :]
            return rest.split("-", 1)[-1] if prefix == "sk-ant-" else rest
    return value.split("_", 2)[-1] if "_" in value[:8] else value[4:]


def _looks_like_aws_secret(value: str) -> bool:
    return (
        any(c.islower() for c in value)
        and any(c.isupper() for c in value)
        and any(c.isdigit() for c in value)
        and entropy(value) > 4.0
        and not dummy_reason(value)
    )


# ---------------------------------------------------------------------------
# Placeholders and dummies

_DUMMY_WORDS = (
    "example",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "replace_me",
    "replace-me",
    "replaceme",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "xxxx",
    "redacted",
    "fake",
    "sample",
    "mock",
    "not_a_real",
    "not-a-real",
    "notarealkey",
    "notreal",
    "insert_",
    "insert-",
    "todo",
    "foobar",
)
_DUMMY_EXACT = frozenset(
    {
        "secret",
        "password",
        "passwd",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "none",
        "null",
        "undefined",
        "admin",
        "root",
        "default",
        "changeit",
        "letmein",
    }
)
_TEMPLATE = re.compile(r"^(?:<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%\([^)]*\)s|\$[A-Z_][A-Z0-9_]*|\{[^}]*\})$")
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zyxwvutsrqponmlkjihgfedcba")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    length = len(value)
    return -sum(n / length * math.log2(n / length) for n in counts.values())


def dummy_reason(value: str) -> str | None:
    """Why ``value`` is an obvious dummy (placeholder word, template, repeated or
    sequential characters), or ``None`` when it may be real.
    """
    lowered = value.lower()
    if not lowered:
        return "empty"
    for word in _DUMMY_WORDS:
        if word in lowered:
            return f"placeholder word {word.strip('_-')!r}"
    if "test" in lowered and not lowered.startswith(("sk_test_", "rk_test_")):
        return "placeholder word 'test'"
    if _TEMPLATE.match(value):
        return "template placeholder"
    if len(set(lowered)) <= 3:
        return "repeated characters"
    core = lowered.strip("-_")
    if len(core) >= 6 and any(core in seq * 3 for seq in _SEQUENCES):
        return "sequential characters"
    if len(value) >= 16 and entropy(value) < 2.5:
        return "low entropy"
    return None


_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)+$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@", re.IGNORECASE)


def placeholder_reason(value: str) -> str | None:
    """Why a literal assigned to a secret-like name is not a plausible secret."""
    if len(value) < 8:
        return "shorter than 8 characters"
    if any(c.isspace() for c in value):
        return "contains whitespace (a message, not a secret)"
    if _ENV_NAME.match(value):
        return "names an environment variable"
    if _IDENTIFIER.match(value):
        return "an identifier, not a secret"
    if _URL.match(value):
        credentials = _URL_CREDENTIALS.match(value)
        if credentials is None:
            return "a URL without credentials"
        return dummy_reason(credentials.group(1))
    if value.lower() in _DUMMY_EXACT:
        return "placeholder word"
    if value.startswith(("arn:", "s3://")):
        return "an ARN or S3 URI"
    return dummy_reason(value)


def generic_secret_value(value: str) -> bool:
    return placeholder_reason(value) is None


# ---------------------------------------------------------------------------
# Secret-like names

_SECRET_WORDS = frozenset(
    {
        "token",
        "tokens",
        "secret",
        "secrets",
        "password",
        "passwords",
        "passwd",
        "pwd",
        "pass",
        "credential",
        "credentials",
        "creds",
        "apikey",
        "secretkey",
        "privatekey",
        "accesskey",
    }
)
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "access",
        "secret",
        "private",
        "signing",
        "encryption",
        "master",
        "license",
        "licence",
        "auth",
        "client",
        "app",
        "service",
        "admin",
        "subscription",
        "webhook",
        "hmac",
        "jwt",
        "bearer",
        "account",
        "developer",
        "consumer",
        "openai",
        "anthropic",
        "stripe",
        "slack",
        "github",
        "google",
        "gemini",
        "mistral",
        "cohere",
        "groq",
        "tavily",
        "serper",
        "exa",
        "brave",
        "pinecone",
        "langsmith",
        "langchain",
        "huggingface",
        "hf",
        "sendgrid",
        "twilio",
        "mailgun",
        "datadog",
        "dd",
    }
)
_NOT_SECRET_QUALIFIERS = frozenset(
    {
        "public",
        "partition",
        "sort",
        "primary",
        "foreign",
        "cache",
        "object",
        "s3",
        "idempotency",
        "hash",
        "range",
        "dedup",
        "deduplication",
        "routing",
        "lookup",
        "next",
        "page",
        "pagination",
        "continuation",
        "max",
        "min",
        "num",
        "stop",
        "eos",
        "bos",
        "pad",
        "unk",
        "sep",
        "cls",
        "mask",
        "start",
        "end",
        "special",
        "resume",
        "sync",
        "total",
        "input",
        "output",
        "prompt",
        "completion",
        "reasoning",
        "cached",
    }
)
_NOT_SECRET_LAST = frozenset(
    {
        "id",
        "ids",
        "arn",
        "arns",
        "url",
        "urls",
        "uri",
        "endpoint",
        "host",
        "hostname",
        "port",
        "region",
        "name",
        "names",
        "path",
        "file",
        "filename",
        "dir",
        "header",
        "type",
        "format",
        "length",
        "len",
        "size",
        "ttl",
        "timeout",
        "expiry",
        "expiration",
        "expires",
        "seconds",
        "minutes",
        "version",
        "algorithm",
        "alg",
        "prefix",
        "suffix",
        "field",
        "param",
        "env",
        "var",
        "count",
        "limit",
        "limits",
        "enabled",
        "provider",
        "scope",
        "scopes",
        "audience",
        "issuer",
        "location",
        "prompt",
        "label",
        "message",
        "msg",
        "text",
        "hint",
        "placeholder",
        "pattern",
        "regex",
        "policy",
        "usage",
        "budget",
        "rotation",
        "store",
        "manager",
        "client",
        "mode",
        "source",
        "kind",
        "key_name",
        "role",
        "roles",
        "status",
    }
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def name_tokens(name: str) -> list[str]:
    """``OPENAI_API_KEY`` -> ``['openai', 'api', 'key']``; ``clientSecret`` -> ``['client', 'secret']``."""
    spaced = _CAMEL.sub("_", name.strip())
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def secret_word_in(tokens: list[str], *, strict_key: bool) -> bool:
    """Whether the tokens name a secret. ``key`` alone counts only for environment
    names (``strict_key=False``); in code it needs a qualifier (``api_key``,
    ``secret_key``) because ``key`` there is usually a cache or dict key.
    """
    for index, word in enumerate(tokens):
        previous = tokens[index - 1] if index else ""
        if previous in _NOT_SECRET_QUALIFIERS:
            continue
        if word in _SECRET_WORDS:
            if word == "pass" and len(tokens) == 1:
                continue
            return True
        if word in ("key", "keys"):
            if previous in _KEY_QUALIFIERS:
                return True
            if not strict_key and previous not in _NOT_SECRET_QUALIFIERS:
                return True
    return False


def is_secret_name(name: str, *, env: bool = False) -> bool:
    """Whether ``name`` names a secret (``DB_PASSWORD``, ``api_key``, ``clientSecret``),
    not something about one (``SECRET_ARN``, ``TOKEN_URL``, ``MAX_TOKENS``, ``API_KEY_ID``).
    """
    tokens = name_tokens(name)
    if not tokens:
        return False
    if tokens[-1] in _NOT_SECRET_LAST or "_".join(tokens[-2:]) in _NOT_SECRET_LAST:
        return False
    if tokens[0] in ("max", "min", "num", "n"):
        return False
    return secret_word_in(tokens, strict_key=not env)


# The platform's own non-secret variables (the skill's allowlist).
_ENV_ALLOW = (
    re.compile(r"^MEMORY_[A-Z0-9_]+_ID$"),
    re.compile(r"^AGENTCORE_GATEWAY_[A-Z0-9_]+_URL$"),
    re.compile(r"^AWS_(?:DEFAULT_)?REGION$"),
    re.compile(r"^BEDROCK_AGENTCORE_[A-Z0-9_]*$"),
    re.compile(r"^[A-Z0-9_]+_(?:ARN|ID)$"),
)

ENV_ALLOWLIST_TEXT = (
    "MEMORY_*_ID, AGENTCORE_GATEWAY_*_URL, AWS_REGION, AWS_DEFAULT_REGION, BEDROCK_AGENTCORE_*, *_ARN, *_ID; "
    "and names that locate or describe a secret rather than hold it (*_URL, *_NAME, *_PATH, *_FILE, "
    "*_HEADER, *_TTL, MAX_*, …)"
)


def is_secret_env_name(name: str) -> bool:
    """An environment variable name that holds a secret, outside the allowlist."""
    upper = name.upper()
    if any(pattern.match(upper) for pattern in _ENV_ALLOW):
        return False
    return is_secret_name(name, env=True)


_WORD = r"[A-Za-z][a-z]{2,}(?:[A-Z][a-z]+)*"
_WORD_VALUE = re.compile(rf"^{_WORD}(?:[-_:./ ]{_WORD})*$")


def bare_key_name(name: str) -> bool:
    """A secret-like environment name only because it ends in ``KEY`` with no word saying which
    kind (``TAG_KEY``, ``LOOKUP_KEY``): whether it holds a secret depends on its use or value.
    """
    tokens = name_tokens(name)
    return is_secret_name(name, env=True) and not secret_word_in(tokens, strict_key=True)


def word_value(value: str) -> bool:
    """A value made of words (``Environment``, ``CostCenter``, ``cost-center``): a name, not a secret."""
    return len(value) <= 64 and _WORD_VALUE.match(value) is not None


def credential_name_for(name: str) -> str:
    """A credential name for ``agentcore add credential`` from a variable name:
    ``OPENAI_API_KEY`` -> ``OpenaiApiKey``. Letters and digits only, starting with a letter.
    """
    tokens = [t for t in name_tokens(name) if t not in ("os", "env", "environ")]
    text = "".join(t[:1].upper() + t[1:] for t in tokens) or "ApiKey"
    if not text[0].isalpha():
        text = "Key" + text
    return text[:48]

"""Properties of the wildcard matcher: it agrees with a reference matcher, and its time
stays bounded on adversarial patterns (no exponential backtracking)."""

from __future__ import annotations

import time
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from agentcore_readiness.iam_policy import pattern_covers, wildcard_match

ALPHABET = "ab*?"
BUDGET_SECONDS = 0.25


def reference_match(pattern: str, text: str) -> bool:
    """Textbook dynamic programming: slow but obviously right."""

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        if pattern[i] == "*":
            return match(i + 1, j) or (j < len(text) and match(i, j + 1))
        return j < len(text) and pattern[i] in ("?", text[j]) and match(i + 1, j + 1)

    return match(0, 0)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=12), st.text(alphabet="ab", max_size=14))
def test_matches_like_the_reference(pattern: str, text: str) -> None:
    assert wildcard_match(pattern, text) == reference_match(pattern, text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="a?", min_size=1, max_size=40), min_size=1, max_size=60),
    st.integers(min_value=1, max_value=2048),
    st.sampled_from(["b", "?b", "", "a"]),
)
def test_time_stays_bounded_on_adversarial_patterns(pieces: list[str], length: int, tail: str) -> None:
    # Star-separated runs of "a" and "?" against a long run of "a": the worst case for a
    # backtracking matcher (and for regex translations of globs).
    pattern = "*" + "*".join(pieces) + "*" + tail
    text = "a" * length
    started = time.perf_counter()
    wildcard_match(pattern, text)
    wildcard_match(pattern, text, ignore_case=True)
    assert time.perf_counter() - started < BUDGET_SECONDS


def test_known_exponential_pattern_is_fast() -> None:
    pattern = "a*" * 40 + "b"
    started = time.perf_counter()
    assert not wildcard_match(pattern, "a" * 2048)
    assert not wildcard_match("*" + "?*" * 60 + "b", "a" * 2048)
    assert time.perf_counter() - started < BUDGET_SECONDS


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=ALPHABET, max_size=8), st.text(alphabet=ALPHABET, max_size=8), st.text(alphabet="ab", max_size=10)
)
def test_pattern_covers_is_sound(outer: str, inner: str, text: str) -> None:
    if pattern_covers(outer, inner) and wildcard_match(inner, text):
        assert wildcard_match(outer, text)

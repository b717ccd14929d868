"""Name normalisation: what every front door relies on for comparisons."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.domain.names import (
    _normalized_by_dnspython,
    is_subdomain,
    normalize_name,
    relative_label,
)
from homing.errors import NameError_


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Home.Example.NET", "home.example.net."),
        ("home.example.net.", "home.example.net."),
        ("  home.example.net ", "home.example.net."),
        ("_acme-challenge.home.example.net", "_acme-challenge.home.example.net."),
        ("bücher.example", "xn--bcher-kva.example."),
        ("xn--bcher-kva.example", "xn--bcher-kva.example."),
    ],
)
def test_normalize_accepts(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        ".",
        "a..b",
        "-a.example",
        "a-.example",
        "a b.example",
        "a/b.example",
        "x" * 64 + ".com",
        ".".join(["abcdefghi"] * 30),
        "a\x00b.example",
        "*.example",
    ],
)
def test_normalize_rejects(raw: str) -> None:
    with pytest.raises(NameError_):
        normalize_name(raw)


@given(st.text(max_size=300))
def test_normalize_never_crashes(raw: str) -> None:
    try:
        result = normalize_name(raw)
    except NameError_:
        return
    assert result.endswith(".")
    assert result == result.lower()
    assert len(result) <= 254
    assert normalize_name(result) == result


def _outcome(normalize: Callable[[str], str], raw: str) -> str:
    try:
        return normalize(raw)
    except NameError_:
        return "refused"


plain_labels = st.text(alphabet="aZ09-_.xn", min_size=1, max_size=70) | st.just("xn--bcher-kva")


@given(
    st.lists(plain_labels, min_size=1, max_size=6).map(".".join)
    | st.integers(1, 64).map(lambda n: "a" * n + ".example")
    | st.integers(240, 256).map(lambda n: ("abcdefg." * 40)[:n])
    | st.text(max_size=40),
    st.sampled_from(["", ".", " ", ".."]),
)
def test_the_plain_name_path_gives_what_dnspython_gives(raw: str, tail: str) -> None:
    """Names of letters, digits, '-' and '_' skip dnspython: held to it, refusals included."""
    text = raw + tail
    assert _outcome(normalize_name, text) == _outcome(_normalized_by_dnspython, text.strip())


LONGEST = ("a" * 63 + ".") * 3 + "a" * 61
"""253 characters: the longest name there is (255 octets on the wire)."""


@pytest.mark.parametrize(
    ("raw", "accepted"),
    [(LONGEST, True), (LONGEST + ".", True), (LONGEST + "a", False), (LONGEST + "a.", False)],
)
def test_the_longest_names_are_judged_as_dnspython_judges_them(raw: str, accepted: bool) -> None:
    assert _outcome(normalize_name, raw) == _outcome(_normalized_by_dnspython, raw)
    assert (_outcome(normalize_name, raw) != "refused") is accepted


def test_subdomain_and_label() -> None:
    assert is_subdomain("a.b.example.", "example.")
    assert is_subdomain("example.", "example.")
    assert not is_subdomain("badexample.", "example.")
    assert relative_label("a.b.example.", "example.") == "a.b"
    assert relative_label("example.", "example.") == ""

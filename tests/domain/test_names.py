"""Name normalisation: what every front door relies on for comparisons."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.domain.names import is_subdomain, normalize_name, relative_label
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


def test_subdomain_and_label() -> None:
    assert is_subdomain("a.b.example.", "example.")
    assert is_subdomain("example.", "example.")
    assert not is_subdomain("badexample.", "example.")
    assert relative_label("a.b.example.", "example.") == "a.b"
    assert relative_label("example.", "example.") == ""

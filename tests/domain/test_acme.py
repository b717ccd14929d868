"""The acme-dns rules: TXT and subdomain syntax, allowfrom, and which values are kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.domain.acme import (
    KEPT_VALUES,
    allowed_from,
    parse_allowfrom,
    txt_change,
    valid_subdomain,
    valid_txt,
)
from homing.domain.dnsupdate import UpdateRcode, plan
from homing.domain.edits import txt_rdata
from homing.domain.records import RRset

NAME = "c0ffee.dyn.example."
DIGEST = "uHBPTMZPfRvfYX2vSNN0AGImriERFu2I4_m8gRZe3aA"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (DIGEST, True),
        ("-" * 43, True),
        (DIGEST[:-1], False),
        (DIGEST + "A", False),
        (DIGEST[:-1] + "=", False),
        (DIGEST[:-1] + "+", False),
        (DIGEST[:-1] + "\n", False),
        (DIGEST[:-1] + "é", False),
        (43, False),
        (None, False),
    ],
)
def test_txt_is_43_base64url_characters(value: object, ok: bool) -> None:
    assert valid_txt(value) is ok


def test_subdomain_is_one_label() -> None:
    assert valid_subdomain("0f395cf3-9a57-4536-a613-f3995c636e1b")
    for bad in ["", "a.b", "-a", "a-", "a" * 64, "a b", "ä", None, ["a"]]:
        assert not valid_subdomain(bad), bad


def test_allowfrom_needs_cidr_and_is_normalised() -> None:
    assert parse_allowfrom(None) == ()
    assert parse_allowfrom(["192.0.2.7/24", "2001:db8::1/64", "192.0.2.0/24"]) == (
        "192.0.2.0/24",
        "2001:db8::/64",
    )
    for bad in ["192.0.2.7", "192.0.2.0/33", "nonsense/8", 7, None]:
        with pytest.raises(ValueError):
            parse_allowfrom([bad])
    for bad_list in ["10.0.0.0/8", {"a": 1}, ["10.0.0.0/8"] * 33]:
        with pytest.raises(ValueError):
            parse_allowfrom(bad_list)


def test_allowed_from() -> None:
    assert allowed_from("203.0.113.9", ())
    assert allowed_from("192.0.2.9", ("192.0.2.0/24",))
    assert allowed_from("::ffff:192.0.2.9", ("192.0.2.0/24",))
    assert not allowed_from("198.51.100.1", ("192.0.2.0/24",))
    assert not allowed_from(None, ("192.0.2.0/24",))
    assert not allowed_from("not-an-address", ("192.0.2.0/24",))


def _after(current: list[str], value: str) -> tuple[str, ...]:
    state = {(NAME, "TXT"): RRset(NAME, "TXT", 1, tuple(current))} if current else {}
    change = txt_change(NAME, current, value)
    if change is None:
        return tuple(current)
    result = plan("dyn.example.", change.prerequisites, change.updates, state)
    assert result.rcode is UpdateRcode.NOERROR
    return result.changes[0].rdatas


def test_the_newest_two_values_are_kept_in_order() -> None:
    a, b, c = (txt_rdata(ch * 43) for ch in "abc")
    assert _after([], "a" * 43) == (a,)
    assert _after([a], "b" * 43) == (a, b)
    assert _after([a, b], "c" * 43) == (b, c)
    assert _after([a, b], "b" * 43) == (a, b)


def test_a_change_planned_from_an_old_state_fails_instead_of_dropping_a_value() -> None:
    a, b = txt_rdata("a" * 43), txt_rdata("b" * 43)
    change = txt_change(NAME, [a], "c" * 43)
    assert change is not None
    moved_on = {(NAME, "TXT"): RRset(NAME, "TXT", 1, (a, b))}
    result = plan("dyn.example.", change.prerequisites, change.updates, moved_on)
    assert result.rcode is UpdateRcode.NXRRSET
    first = txt_change(NAME, [], "c" * 43)
    assert first is not None
    assert plan("dyn.example.", first.prerequisites, first.updates, moved_on).rcode is (
        UpdateRcode.YXRRSET
    )


@given(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=12))
def test_never_more_than_two_values(letters: list[str]) -> None:
    current: list[str] = []
    for letter in letters:
        current = list(_after(current, letter * 43))
        assert 1 <= len(current) <= KEPT_VALUES
        assert txt_rdata(letter * 43) in current  # a value sent again stays where it is

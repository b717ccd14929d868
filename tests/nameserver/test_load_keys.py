"""The shortcuts held to their references: name keys, and rows grouped into RRsets.

``compiled._Keys`` builds a name's key from its first label and its parent's
kept key; ``compiled._plain_key`` is the reference. ``compiled.owner_key`` and
``compiled.strictly_below``, with which a view applies a change, are held to
dnspython's parse and ``is_subdomain``. ``snapshots._grouped``
joins runs of adjacent rows when it can tell that no (name, type) has two
runs; grouping every row by (name, type) is the reference. Both are fed
generated input that mixes the common shapes with every way to be invalid.
"""

from __future__ import annotations

import dns.exception
import dns.name
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from homing.domain.records import RRset
from homing.nameserver.compiled import _Keys, _plain_key, name_key, owner_key, strictly_below
from homing.store.snapshots import _grouped

LABEL_TEXT = st.text(alphabet="abcXYZ019-_.\\é", min_size=0, max_size=70)
NAME = st.one_of(
    st.lists(st.sampled_from(["home", "a", "x" * 63, "x" * 64, "", "B", "é"]), max_size=5).map(
        lambda labels: ".".join([*labels, "dyn", "example", ""])
    ),
    LABEL_TEXT,
    st.builds(lambda a, b: f"{a}.{b}", LABEL_TEXT, LABEL_TEXT),
    st.just("x." * 127 + "."),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(NAME, max_size=30))
def test_keys_are_the_plain_keys(names: list[str]) -> None:
    keys = _Keys()
    for name in names:
        assert keys.of(name) == _plain_key(name), name


@settings(max_examples=400, deadline=None)
@given(NAME)
def test_an_owner_key_is_the_key_of_dnspythons_name(text: str) -> None:
    try:
        expected = name_key(dns.name.from_text(text))
    except dns.exception.DNSException:
        with pytest.raises(dns.exception.DNSException):
            owner_key(text)
        return
    assert owner_key(text) == expected


ZONES = ["dyn.example.", "example.", "xample.", "home.dyn.example.", "."]


@settings(max_examples=400, deadline=None)
@given(NAME, st.sampled_from(ZONES))
def test_strictly_below_is_dnspythons_proper_subdomain(text: str, zone: str) -> None:
    try:
        name = dns.name.from_text(text)
    except dns.exception.DNSException:
        assume(False)
    origin = dns.name.from_text(zone)
    below = name.is_subdomain(origin) and name != origin
    assert strictly_below(name_key(name), name_key(origin)) == below


def test_a_label_that_ends_in_the_zones_bytes_is_not_below_it() -> None:
    assert not strictly_below(owner_key("a\\007example.com."), owner_key("example.com."))
    assert strictly_below(owner_key("a.example.com."), owner_key("example.com."))


def _reference(rows: list[tuple[str, str, int, str]]) -> set[RRset]:
    merged: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for name, rtype, ttl, rdata in rows:
        lowest, values = merged.get((name, rtype), (ttl, []))
        merged[name, rtype] = (min(lowest, ttl), [*values, rdata])
    return {RRset(n, r, ttl, tuple(v)) for (n, r), (ttl, v) in merged.items()}


ROW = st.tuples(
    st.sampled_from(["a.", "b.", "c."]),
    st.sampled_from(["A", "AAAA", "TXT"]),
    st.integers(0, 3),
    st.sampled_from(["1", "2", "3"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ROW, max_size=12))
def test_rows_group_into_the_rrsets_of_the_reference(rows: list[tuple[str, str, int, str]]) -> None:
    grouped = _grouped(rows)
    assert len(grouped) == len({(r.name, r.rtype) for r in grouped})
    assert set(grouped) == _reference(rows)
    # Each RRset sits where its first record is.
    firsts = list(dict.fromkeys((name, rtype) for name, rtype, _, _ in rows))
    assert [(r.name, r.rtype) for r in grouped] == firsts

"""Journal payloads survive the round trip that other processes depend on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from homing.core.journal import decode_change, encode_change
from homing.domain.records import RRset, ZoneChange

rrsets = st.builds(
    RRset,
    st.from_regex(r"[a-z]{1,10}\.example\.", fullmatch=True),
    st.sampled_from(["A", "AAAA", "TXT"]),
    st.integers(0, 86400),
    st.lists(st.text(max_size=20), max_size=3).map(tuple),
)


@given(st.lists(rrsets, max_size=5), st.lists(rrsets, max_size=5), st.integers(1, 2**32 - 1))
def test_round_trip(new: list[RRset], old: list[RRset], serial: int) -> None:
    change = ZoneChange(
        zone="example.", serial=serial, rrsets=tuple(new), removed=tuple(old), added=tuple(new)
    )
    assert decode_change(zone="example.", serial=serial, payload=encode_change(change)) == change

"""apply_edit: the pure rules for what an update does to a host's records."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from homing.domain.edits import (
    HostEdit,
    HostFlags,
    apply_edit,
    group_records,
    txt_rdata,
    txt_value,
    valid_txt,
)
from homing.domain.records import RRset

FQDN = "home.dyn.example."
OFF = HostFlags(offline=False, wildcard=False)


def test_v4_only_leaves_aaaa() -> None:
    current = group_records([(FQDN, "AAAA", 60, "2001:db8::1"), (FQDN, "A", 60, "192.0.2.1")])
    result = apply_edit(
        fqdn=FQDN,
        ttl=60,
        current=current,
        flags=OFF,
        edit=HostEdit(ipv4=ipaddress.IPv4Address("192.0.2.2")),
    )
    assert result.changed == (RRset(FQDN, "A", 60, ("192.0.2.2",)),)
    assert result.rrsets[(FQDN, "AAAA")].rdatas == ("2001:db8::1",)


def test_same_address_changes_nothing() -> None:
    current = group_records([(FQDN, "A", 60, "192.0.2.1")])
    result = apply_edit(
        fqdn=FQDN,
        ttl=60,
        current=current,
        flags=OFF,
        edit=HostEdit(ipv4=ipaddress.IPv4Address("192.0.2.1")),
    )
    assert result.changed == ()


def test_wildcard_mirrors_and_offline_removes() -> None:
    edit = HostEdit(ipv4=ipaddress.IPv4Address("192.0.2.9"), wildcard=True)
    result = apply_edit(fqdn=FQDN, ttl=60, current={}, flags=OFF, edit=edit)
    assert result.rrsets[("*." + FQDN, "A")].rdatas == ("192.0.2.9",)
    offline = apply_edit(
        fqdn=FQDN, ttl=60, current=result.rrsets, flags=result.flags, edit=HostEdit(offline=True)
    )
    assert offline.rrsets == {}
    assert {(r.name, r.rdatas) for r in offline.changed} == {(FQDN, ()), ("*." + FQDN, ())}


def test_txt_goes_to_the_acme_name_too() -> None:
    result = apply_edit(fqdn=FQDN, ttl=60, current={}, flags=OFF, edit=HostEdit(txt='a "b"'))
    assert result.rrsets[("_acme-challenge." + FQDN, "TXT")].rdatas == (txt_rdata('a "b"'),)
    cleared = apply_edit(
        fqdn=FQDN, ttl=60, current=result.rrsets, flags=OFF, edit=HostEdit(clear_txt=True)
    )
    assert cleared.rrsets == {}


@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=255)
)
def test_txt_round_trip(value: str) -> None:
    assert valid_txt(value)
    assert txt_value(txt_rdata(value)) == value


def test_txt_validation() -> None:
    assert not valid_txt("")
    assert not valid_txt("x" * 256)
    assert not valid_txt("tab\there")
    assert not valid_txt("é")

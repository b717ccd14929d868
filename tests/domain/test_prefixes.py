"""IPv6 prefixes and interface identifiers: parsing, combining, keeping identifiers."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.domain.edits import HostEdit, HostFlags, apply_edit, follower_edit, group_records
from homing.domain.prefixes import (
    Ipv6Identity,
    check_prefix_length,
    combine,
    parse_interface_id,
    parse_prefix,
    readdress,
)
from homing.domain.records import RecordType
from homing.errors import AddressError

V6 = ipaddress.IPv6Address
FQDN = "nas.dyn.example."


def test_parse_prefix_drops_host_bits() -> None:
    assert parse_prefix("2001:db8:1:2::5/64") == ipaddress.IPv6Network("2001:db8:1:2::/64")
    assert parse_prefix(" 2001:db8::/56 ") == ipaddress.IPv6Network("2001:db8::/56")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2001:db8::/129", "prefix length 129 is outside 1-128"),
        ("2001:db8::/0", "prefix length 0 is outside 1-128"),
        ("198.51.100.0/24", "an IPv4 address takes no prefix length"),
        ("2001:db8::/x", "not a prefix length"),
        ("<ip6lanprefix>", "not an IPv6 prefix"),
        ("fe80::1%eth0/64", "scoped"),
        ("2001:db8::/0064", "not a prefix length"),
    ],
)
def test_bad_prefixes(text: str, message: str) -> None:
    with pytest.raises(AddressError, match=message):
        parse_prefix(text)


def test_interface_ids_and_eui64() -> None:
    assert parse_interface_id("::1234") == V6("::1234")
    # RFC 4291 appendix A: 00:11:22:33:44:55 -> 0211:22ff:fe33:4455.
    assert parse_interface_id("00:11:22:33:44:55") == V6("::211:22ff:fe33:4455")
    assert parse_interface_id("02-11-22-33-44-55") == V6("::11:22ff:fe33:4455")
    for bad in ("::", "nope", "00:11:22:33:44", "x" * 60):
        with pytest.raises(AddressError):
            parse_interface_id(bad)
    with pytest.raises(AddressError, match="1 to 128"):
        check_prefix_length(129)


def test_readdress_prefers_the_identifier_then_keeps_each_records() -> None:
    prefix = parse_prefix("2001:db8:9:900::/56")
    kept = readdress(
        prefix, current=("2001:db8:1:2::a", "2001:db8:1:3::b"), identity=Ipv6Identity()
    )
    assert kept == ("2001:db8:9:902::a", "2001:db8:9:903::b")
    chosen = Ipv6Identity(interface_id=V6("::11"), prefix_length=64)
    assert readdress(prefix, current=("2001:db8:1:2::a",), identity=chosen) == (
        "2001:db8:9:900::11",
    )
    with pytest.raises(AddressError, match="needs an AAAA record or an IPv6 interface identifier"):
        readdress(prefix, current=(), identity=Ipv6Identity())


def test_a_prefix_edit_moves_the_aaaa_and_wildcard() -> None:
    current = group_records([(FQDN, "AAAA", 60, "2001:db8:1:2::11")])
    result = apply_edit(
        fqdn=FQDN,
        ttl=60,
        current=current,
        flags=HostFlags(offline=False, wildcard=True),
        edit=HostEdit(ipv6_prefix=parse_prefix("2001:db8:5:6::/64")),
    )
    assert result.values(FQDN, RecordType.AAAA) == ("2001:db8:5:6::11",)
    assert result.rrsets[(f"*.{FQDN}", "AAAA")].rdatas == ("2001:db8:5:6::11",)


def test_follower_edit_takes_the_prefix_the_address_lies_in() -> None:
    leader = Ipv6Identity(prefix_length=56)
    moved = follower_edit(HostEdit(ipv6=V6("2001:db8:1:2ff::1")), leader=leader)
    assert moved == HostEdit(ipv6_prefix=ipaddress.IPv6Network("2001:db8:1:200::/56"))
    assert follower_edit(HostEdit(txt="x"), leader=leader) is None
    both = follower_edit(
        HostEdit(
            ipv4=ipaddress.IPv4Address("198.51.100.1"), ipv6_prefix=parse_prefix("2001:db8::/64")
        ),
        leader=leader,
    )
    assert both is not None and both.ipv4 == ipaddress.IPv4Address("198.51.100.1")


@given(
    network=st.integers(min_value=0, max_value=2**128 - 1),
    identifier=st.integers(min_value=1, max_value=2**128 - 1),
    length=st.integers(min_value=1, max_value=128),
)
def test_combine_takes_network_bits_then_identifier_bits(
    network: int, identifier: int, length: int
) -> None:
    prefix = ipaddress.IPv6Network((V6(network), length), strict=False)
    combined = combine(prefix, V6(identifier), length=length)
    assert combined in prefix
    host_mask = (1 << (128 - length)) - 1
    assert int(combined) & host_mask == identifier & host_mask


@given(st.text(max_size=60))
def test_parse_prefix_never_crashes(text: str) -> None:
    try:
        parsed = parse_prefix(text)
    except AddressError:
        return
    assert 1 <= parsed.prefixlen <= 128

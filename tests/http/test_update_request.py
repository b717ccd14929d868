"""Reading routers' update queries: names, address parameters, credentials, unknown keys."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.errors import InputError
from homing.http.protocols.update_request import (
    LONE_PART,
    Family,
    query_pairs,
    read_addresses,
    read_query,
)


def test_names_credentials_and_unknown_parameters() -> None:
    query = read_query(
        "hostname=a.dyn.example,b.dyn.example&myip=1.2.3.4&_ip6addr=2001:db8::1"
        "&user=alice&pwd=s%26cret&wildcard=NOCHG"
    )
    assert query.hostnames == ("a.dyn.example", "b.dyn.example")
    assert query.credentials == ("alice", "s&cret")
    assert query.switches == {"wildcard": "NOCHG"}
    assert query.unknown == ("_ip6addr",)
    assert "s&cret" not in repr(query)


@pytest.mark.parametrize(
    ("raw", "hostnames"),
    [
        ("home.dyn.example", ("home.dyn.example",)),  # inadyn's custom URL ending in '?'
        ("hostname=YES&myip=1.2.3.4", ()),
        ("hostname=&myip=1.2.3.4", ()),
        ("myipv4=1.2.3.4", ()),
    ],
)
def test_hostname_fallbacks(raw: str, hostnames: tuple[str, ...]) -> None:
    assert read_query(raw).hostnames == hostnames


def test_lone_part_beside_a_hostname_is_unknown_never_shown() -> None:
    query = read_query("hostname=h.dyn.example&secret-looking-thing")
    assert query.unknown == (LONE_PART,)


@pytest.mark.parametrize(
    ("raw", "ipv4", "ipv6", "prefix", "remove", "preserve"),
    [
        ("myip=1.2.3.4,2001:db8::1", "1.2.3.4", "2001:db8::1", None, set(), set()),
        ("ip=2001:db8::1&ipv4=1.2.3.4", "1.2.3.4", "2001:db8::1", None, set(), set()),
        ("myip=1.2.3.4,2001:db8:1:2::/64", "1.2.3.4", None, "2001:db8:1:2::/64", set(), set()),
        ("myipv4=1.2.3.4&myipv6=preserve", "1.2.3.4", None, None, set(), {Family.IPV6}),
        ("myip6=&myipv4=1.2.3.4", "1.2.3.4", None, None, {Family.IPV6}, set()),
        ("ip6=2001:db8::2&ipv4=", None, "2001:db8::2", None, {Family.IPV4}, set()),
        ("myip=", None, None, None, set(), set()),  # ddclient's empty myip: not a removal
        ("myip=preserve", None, None, None, set(), {Family.IPV4, Family.IPV6}),
        ("myipv6=preserve&ipv6=2001:db8::3", None, "2001:db8::3", None, set(), set()),
    ],
)
def test_address_parameters(
    raw: str,
    ipv4: str | None,
    ipv6: str | None,
    prefix: str | None,
    remove: set[Family],
    preserve: set[Family],
) -> None:
    read = read_addresses(query_pairs(raw)[0])
    assert (str(read.ipv4) if read.ipv4 else None) == ipv4
    assert (str(read.ipv6) if read.ipv6 else None) == ipv6
    assert (str(read.ipv6_prefix) if read.ipv6_prefix else None) == prefix
    assert (set(read.remove), set(read.preserve)) == (remove, preserve)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("myip=<ipaddr>", "myip: not an IP address: '<ipaddr>'"),
        ("myipv6=preserve,2001:db8::1", "myipv6: preserve stands alone"),
        ("myip=1.2.3.4&ip=5.6.7.8", "ip: more than one IPv4 address given"),
        ("myip=2001:db8::/64,2001:db8:1::/64", "more than one IPv6 prefix"),
        ("myip=10.0.0.0/8", "an IPv4 address takes no prefix length"),
        ("myip=2001:db8::/130", "prefix length 130"),
        ("myip=ff02::/64", "multicast"),
    ],
)
def test_bad_addresses(raw: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_addresses(query_pairs(raw)[0])


@given(st.text(max_size=300))
def test_any_query_is_read_or_refused_cleanly(raw: str) -> None:
    query = read_query(raw)
    assert all(len(u) <= 40 for u in query.unknown)
    try:
        addresses = read_addresses(list(query.pairs))
    except InputError as exc:
        assert str(exc)  # one reason, never empty
        return
    for value in (addresses.ipv4, addresses.ipv6):
        assert value is None or isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address)

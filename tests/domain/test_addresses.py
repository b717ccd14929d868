"""Which addresses a host may publish."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.domain.addresses import AddressPolicy, client_address, parse_address
from homing.errors import AddressError


@pytest.mark.parametrize("raw", ["203.0.113.7", "192.168.1.10", "2001:db8::1", " 10.0.0.1 "])
def test_unicast_policy_accepts(raw: str) -> None:
    assert parse_address(raw) == ipaddress.ip_address(raw.strip())


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "ff02::1",
        "255.255.255.255",
        "::ffff:1.2.3.4",
        "fe80::1%eth0",
        "1.2.3",
        "1.2.3.4.5",
        "x" * 100,
        "1.2.3.4/24",
    ],
)
def test_rejects(raw: str) -> None:
    with pytest.raises(AddressError):
        parse_address(raw)


def test_global_policy_refuses_private() -> None:
    with pytest.raises(AddressError):
        parse_address("192.168.1.1", policy=AddressPolicy.GLOBAL)
    assert str(parse_address("8.8.8.8", policy=AddressPolicy.GLOBAL)) == "8.8.8.8"


def test_client_address_unmaps() -> None:
    assert str(client_address("::ffff:198.51.100.4")) == "198.51.100.4"
    assert client_address("not-an-ip") is None


@given(st.text(max_size=60))
def test_parse_never_crashes(raw: str) -> None:
    try:
        address = parse_address(raw)
    except AddressError:
        return
    assert not address.is_unspecified and not address.is_multicast

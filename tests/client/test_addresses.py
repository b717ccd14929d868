"""Which detected addresses may be published."""

from __future__ import annotations

import ipaddress

import pytest

from homing.client.addresses import Addresses, Family, usable_address
from homing.client.errors import DetectionError


@pytest.mark.parametrize(
    ("text", "family", "public_only", "message"),
    [
        ("", Family.IPV4, True, "not an IP address"),
        ("x" * 100, Family.IPV4, True, "not an IP address"),
        ("127.0.0.1", Family.IPV4, False, "cannot be published"),
        ("169.254.1.1", Family.IPV4, False, "cannot be published"),
        ("0.0.0.0", Family.IPV4, False, "cannot be published"),
        ("224.0.0.1", Family.IPV4, False, "cannot be published"),
        ("::ffff:93.184.216.34", Family.IPV6, False, "cannot be published"),
        ("fe80::1", Family.IPV6, False, "cannot be published"),
        ("192.168.1.1", Family.IPV4, True, "not a public address"),
        ("2001:db8::1", Family.IPV6, True, "not a public address"),
        ("93.184.216.34", Family.IPV6, True, "not an ipv6 address"),
    ],
)
def test_refused(text: str, family: Family, public_only: bool, message: str) -> None:
    with pytest.raises(DetectionError, match=message):
        usable_address(text, family, public_only=public_only)


def test_accepted() -> None:
    assert str(usable_address(" 93.184.216.34\n", Family.IPV4, public_only=True)) == "93.184.216.34"
    assert str(usable_address("192.168.1.1", Family.IPV4, public_only=False)) == "192.168.1.1"


def test_addresses_pair() -> None:
    v4 = ipaddress.IPv4Address("93.184.216.34")
    v6 = ipaddress.IPv6Address("2606:2800:220:1::1")
    both = Addresses().replaced(v4).replaced(v6)
    assert both == Addresses(ipv4=v4, ipv6=v6)
    assert both.only(frozenset({Family.IPV6})) == Addresses(ipv6=v6)
    assert str(both) == f"{v4},{v6}"
    assert str(Addresses()) == "none"

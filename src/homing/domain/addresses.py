"""IP address parsing and the rules for which addresses a host may publish."""

from __future__ import annotations

import ipaddress
from enum import Enum

from homing.errors import AddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
BROADCAST = ipaddress.IPv4Address("255.255.255.255")


class AddressPolicy(Enum):
    """Which addresses an update may publish (operator setting ``address_policy``)."""

    UNICAST = "unicast"
    GLOBAL = "global"


def parse_address(text: str, *, policy: AddressPolicy = AddressPolicy.UNICAST) -> IPAddress:
    """Parse one IPv4 or IPv6 address and check it against ``policy``.

    Unspecified, multicast and (for IPv4) broadcast addresses are never
    publishable; LAN addresses are, unless the policy demands global ones.
    IPv4-mapped IPv6 addresses are refused: they mean a v4 host behind a
    dual-stack socket, and publishing them as AAAA would mislead resolvers.
    """
    raw = text.strip()
    if not raw or len(raw) > 45:
        raise AddressError("not an IP address")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        raise AddressError(f"not an IP address: {raw[:45]!r}") from None
    if address.is_unspecified:
        raise AddressError(f"unspecified address {address} cannot be published")
    if address.is_multicast:
        raise AddressError(f"multicast address {address} cannot be published")
    if isinstance(address, ipaddress.IPv4Address) and address == BROADCAST:
        raise AddressError("broadcast address cannot be published")
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            raise AddressError(f"IPv4-mapped address {address} cannot be published as AAAA")
        if address.scope_id is not None:
            raise AddressError("scoped (zone-id) IPv6 addresses cannot be published")
    if policy is AddressPolicy.GLOBAL and not address.is_global:
        raise AddressError(f"{address} is not a globally routable address")
    return address


def client_address(text: str) -> IPAddress | None:
    """The caller's address as seen on the socket, unmapped; None if unparsable."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def split_families(
    texts: list[str], *, policy: AddressPolicy = AddressPolicy.UNICAST
) -> tuple[ipaddress.IPv4Address | None, ipaddress.IPv6Address | None]:
    """At most one IPv4 and one IPv6 address from a list such as dyndns2's ``myip=v4,v6``."""
    ipv4: ipaddress.IPv4Address | None = None
    ipv6: ipaddress.IPv6Address | None = None
    for text in texts:
        address = parse_address(text, policy=policy)
        if isinstance(address, ipaddress.IPv4Address):
            if ipv4 is not None and ipv4 != address:
                raise AddressError("more than one IPv4 address given")
            ipv4 = address
        else:
            if ipv6 is not None and ipv6 != address:
                raise AddressError("more than one IPv6 address given")
            ipv6 = address
    return ipv4, ipv6

"""IPv6 prefixes and interface identifiers: a new delegated prefix, each AAAA's identifier kept.

A router whose provider hands it a new prefix announces it as
``2001:db8:abcd:ef00::/64`` (FRITZ!Box's ``<ip6lanprefix>``). The hosts
behind it keep their interface identifiers, so each new address is the new
prefix's network bits followed by the old address's (or the configured
identifier's) remaining bits — deSEC's semantics, and nsupdate.info's
"related hosts". Pure functions; the writer applies them inside its
transaction.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from homing.errors import AddressError

DEFAULT_PREFIX_LENGTH = 64
MIN_PREFIX_LENGTH = 1
MAX_PREFIX_LENGTH = 128
_MAC = re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$")
_ALL_BITS = (1 << 128) - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Ipv6Identity:
    """A host's IPv6 settings: its interface identifier (or None) and its prefix length."""

    interface_id: ipaddress.IPv6Address | None = None
    prefix_length: int = DEFAULT_PREFIX_LENGTH


def parse_prefix(text: str) -> ipaddress.IPv6Network:
    """``2001:db8:1:2::/64`` (host bits allowed and dropped) → the network; AddressError if not."""
    raw = text.strip()
    address_text, sep, length_text = raw.partition("/")
    if not sep or len(raw) > 49:
        raise AddressError(f"not an IPv6 prefix: {raw[:49]!r}")
    if not length_text.isdigit() or len(length_text) > 3:
        raise AddressError(f"not a prefix length: {length_text[:10]!r}")
    length = int(length_text)
    try:
        address = ipaddress.ip_address(address_text)
    except ValueError:
        raise AddressError(f"not an IPv6 prefix: {raw[:49]!r}") from None
    if isinstance(address, ipaddress.IPv4Address):
        raise AddressError(f"an IPv4 address takes no prefix length: {raw[:49]!r}")
    if address.scope_id is not None:
        raise AddressError("scoped (zone-id) IPv6 prefixes cannot be published")
    if not MIN_PREFIX_LENGTH <= length <= MAX_PREFIX_LENGTH:
        raise AddressError(
            f"prefix length {length} is outside {MIN_PREFIX_LENGTH}-{MAX_PREFIX_LENGTH}"
        )
    return ipaddress.IPv6Network((address, length), strict=False)


def check_prefix_length(length: int) -> int:
    """A host's prefix length setting, or AddressError naming the allowed range."""
    if not MIN_PREFIX_LENGTH <= length <= MAX_PREFIX_LENGTH:
        raise AddressError(
            f"an IPv6 prefix length is {MIN_PREFIX_LENGTH} to {MAX_PREFIX_LENGTH}, not {length}"
        )
    return length


def parse_interface_id(text: str) -> ipaddress.IPv6Address:
    """``::1234`` as it is, or a MAC address (``00:11:22:33:44:55``) as its modified EUI-64.

    RFC 4291 appendix A: insert ``ff:fe`` in the middle and flip the
    universal/local bit of the first octet.
    """
    raw = text.strip().lower()
    if _MAC.fullmatch(raw):
        octets = bytearray(int(part, 16) for part in re.split("[:-]", raw))
        octets[0] ^= 0x02
        eui64 = bytes(octets[:3]) + b"\xff\xfe" + bytes(octets[3:])
        return ipaddress.IPv6Address(b"\x00" * 8 + eui64)
    if len(raw) > 45:
        raise AddressError("not an interface identifier")
    try:
        identifier = ipaddress.IPv6Address(raw)
    except ValueError:
        raise AddressError(
            f"not an interface identifier (::1234 or a MAC address): {raw[:45]!r}"
        ) from None
    if identifier.is_unspecified:
        raise AddressError("the interface identifier :: names no interface")
    return identifier


def combine(
    prefix: ipaddress.IPv6Network, identifier: ipaddress.IPv6Address, *, length: int
) -> ipaddress.IPv6Address:
    """The first ``length`` bits of ``prefix``, the rest from ``identifier``."""
    mask = (_ALL_BITS << (128 - length)) & _ALL_BITS
    bits = (int(prefix.network_address) & mask) | (int(identifier) & ~mask & _ALL_BITS)
    return ipaddress.IPv6Address(bits)


def network_of(address: ipaddress.IPv6Address, length: int) -> ipaddress.IPv6Network:
    """The prefix a full address lies in, for a host's prefix length."""
    return ipaddress.IPv6Network((address, length), strict=False)


def readdress(
    prefix: ipaddress.IPv6Network, *, current: tuple[str, ...], identity: Ipv6Identity
) -> tuple[str, ...]:
    """The AAAA values after ``prefix`` arrives; AddressError if there is nothing to keep.

    The configured identifier wins: it begins at the host's prefix length, or
    where the prefix ends if the prefix is shorter (so a /56 host's
    identifier ``0:0:0:1::12`` picks subnet 01 of any /56 or /64 it is
    sent). Otherwise every current AAAA keeps its own bits beyond the prefix.
    """
    if identity.interface_id is not None:
        length = min(prefix.prefixlen, identity.prefix_length)
        return (str(combine(prefix, identity.interface_id, length=length)),)
    if not current:
        raise AddressError(
            f"a prefix ({prefix}) needs an AAAA record or an IPv6 interface identifier "
            "on the host to keep"
        )
    moved = (
        combine(prefix, ipaddress.IPv6Address(value), length=prefix.prefixlen) for value in current
    )
    return tuple(dict.fromkeys(str(a) for a in moved))

"""A name that publishes the machine's delegated IPv6 prefix with its own interface identifier.

``ipv6_suffix = "::11"`` (or ``"::11/56"``, ddns-updater's spelling, or a
MAC address for its EUI-64) in an ``[[update]]`` table, or
``ipv6_suffix_interface = "eth0"`` for the EUI-64 of that interface's MAC:
the detected IPv6 address gives the prefix (its first
``ipv6_prefix_length`` bits, default 64) and the suffix gives the rest. So
a router or any machine on the LAN can keep names of other devices behind
the same prefix up to date (issue 10).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from pathlib import Path

from homing.client.addresses import Addresses
from homing.client.options import Options
from homing.domain.prefixes import (
    DEFAULT_PREFIX_LENGTH,
    MAX_PREFIX_LENGTH,
    MIN_PREFIX_LENGTH,
    combine,
    network_of,
    parse_interface_id,
)
from homing.errors import AddressError

SYS_CLASS_NET = Path("/sys/class/net")


@dataclass(frozen=True, kw_only=True)
class Ipv6Suffix:
    """The identifier put behind the detected prefix, and how long that prefix is."""

    identifier: ipaddress.IPv6Address
    prefix_length: int = DEFAULT_PREFIX_LENGTH

    def apply(self, addresses: Addresses) -> Addresses:
        """``addresses`` with the IPv6 address moved to this suffix inside its prefix."""
        if addresses.ipv6 is None:
            return addresses
        prefix = network_of(addresses.ipv6, self.prefix_length)
        return replace(addresses, ipv6=combine(prefix, self.identifier, length=self.prefix_length))


def prefix_length(options: Options) -> int:
    """The ``ipv6_prefix_length`` of an ``[[update]]`` table (the bits the prefix covers)."""
    return options.integer(
        "ipv6_prefix_length", DEFAULT_PREFIX_LENGTH, low=MIN_PREFIX_LENGTH, high=MAX_PREFIX_LENGTH
    )


def parse_suffix(options: Options, *, sys_class_net: Path = SYS_CLASS_NET) -> Ipv6Suffix | None:
    """The table's suffix settings, or None when it publishes the detected address as it is."""
    text = options.optional_string("ipv6_suffix")
    interface = options.optional_string("ipv6_suffix_interface")
    length = prefix_length(options)
    if text is not None and interface is not None:
        raise options.error("ipv6_suffix_interface", "give ipv6_suffix or ipv6_suffix_interface")
    if interface is not None:
        mac = _mac_of(interface, sys_class_net)
        if mac is None:
            raise options.error(
                "ipv6_suffix_interface", f"no interface {interface!r} with a MAC address"
            )
        text = mac
    if text is None:
        return None
    identifier_text, sep, length_text = text.partition("/")
    if sep:
        if not length_text.isdigit() or not MIN_PREFIX_LENGTH <= int(length_text) <= 128:
            raise options.error("ipv6_suffix", f"not a prefix length: {length_text[:10]!r}")
        length = int(length_text)
    try:
        identifier = parse_interface_id(identifier_text)
    except AddressError as exc:
        raise options.error("ipv6_suffix", str(exc)) from None
    return Ipv6Suffix(identifier=identifier, prefix_length=length)


def _mac_of(interface: str, sys_class_net: Path) -> str | None:
    if "/" in interface or interface in {"", ".", ".."}:
        return None
    try:
        mac = (sys_class_net / interface / "address").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return mac if mac and mac != "00:00:00:00:00:00" else None

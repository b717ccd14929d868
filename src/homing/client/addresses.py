"""Address families and the detected pair of addresses that names are updated to."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from enum import Enum

from homing.client.errors import DetectionError
from homing.domain.addresses import IPAddress


class Family(Enum):
    """An address family; the value is the config table and state key (``ipv4``)."""

    IPV4 = "ipv4"
    IPV6 = "ipv6"

    @property
    def record_type(self) -> str:
        return "A" if self is Family.IPV4 else "AAAA"

    @property
    def version(self) -> int:
        return 4 if self is Family.IPV4 else 6


def family_of(address: IPAddress) -> Family:
    return Family.IPV4 if address.version == 4 else Family.IPV6


@dataclass(frozen=True)
class Addresses:
    """At most one address per family: what this machine is reachable at."""

    ipv4: ipaddress.IPv4Address | None = None
    ipv6: ipaddress.IPv6Address | None = None

    def get(self, family: Family) -> IPAddress | None:
        return self.ipv4 if family is Family.IPV4 else self.ipv6

    def replaced(self, address: IPAddress) -> Addresses:
        """A copy with ``address`` as its family's address."""
        if isinstance(address, ipaddress.IPv4Address):
            return replace(self, ipv4=address)
        return replace(self, ipv6=address)

    def only(self, families: frozenset[Family]) -> Addresses:
        return Addresses(
            ipv4=self.ipv4 if Family.IPV4 in families else None,
            ipv6=self.ipv6 if Family.IPV6 in families else None,
        )

    def items(self) -> list[tuple[Family, IPAddress]]:
        return [(f, a) for f in Family if (a := self.get(f)) is not None]

    def __str__(self) -> str:
        return ",".join(str(a) for _, a in self.items()) or "none"


def usable_address(text: str, family: Family, *, public_only: bool) -> IPAddress:
    """``text`` as an address this machine may publish for ``family``, else DetectionError.

    Detected addresses are checked harder than the provider checks updates:
    a wrong answer here would move a name, so loopback, link-local, multicast
    and (with ``public_only``) private or documentation ranges are refused.
    """
    raw = text.strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        shown = raw[:40] + ("…" if len(raw) > 40 else "")
        raise DetectionError(f"not an IP address: {shown!r}") from None
    if address.version != family.version:
        raise DetectionError(f"{address} is not an {family.value} address")
    if isinstance(address, ipaddress.IPv6Address) and (
        address.ipv4_mapped is not None or address.scope_id is not None
    ):
        raise DetectionError(f"{address} cannot be published")
    if (
        address.is_unspecified
        or address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address == ipaddress.IPv4Address("255.255.255.255")
    ):
        raise DetectionError(f"{address} cannot be published")
    if public_only and not address.is_global:
        raise DetectionError(f"{address} is not a public address (set public_only = false)")
    return address

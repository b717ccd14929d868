"""The acme-dns rules as pure functions: what a TXT value, a subdomain and ``allowfrom`` may be,
and how a new challenge value replaces the older of the two kept.

These follow joohoi/acme-dns (v1 API) so that its clients (lego, acme.sh,
certbot-dns-acmedns) work unchanged: a TXT value is exactly 43 characters of
base64url (an ACME DNS-01 key authorisation digest, RFC 8555 section 8.4),
``allowfrom`` entries are CIDR networks, and an account keeps its two most
recent values so that a certificate for ``example.net`` and ``*.example.net``
(two authorisations, one challenge name) validates in one order.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from homing.domain.dnsupdate import UpdateRR
from homing.domain.edits import txt_rdata

TXT_LENGTH = 43
KEPT_VALUES = 2
TXT_TTL = 1
"""Seconds, as acme-dns answers: a validator must never see a stale challenge from a cache."""
MAX_ALLOWFROM = 32

_TXT = re.compile(r"[A-Za-z0-9_-]{43}")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)


class Registration(StrEnum):
    """Who may ``POST /register`` (setting ``acme_registration``)."""

    OPEN = "open"
    ADMIN = "admin"
    CLOSED = "closed"

    def allows(self, *, is_admin: bool) -> bool:
        return self is Registration.OPEN or (self is Registration.ADMIN and is_admin)


def valid_txt(value: object) -> bool:
    """A DNS-01 value as acme-dns accepts it: 43 characters of the base64url alphabet."""
    return isinstance(value, str) and _TXT.fullmatch(value) is not None


def valid_subdomain(value: object) -> bool:
    """One DNS label of letters, digits and inner hyphens (acme-dns hands out UUIDs)."""
    return isinstance(value, str) and _LABEL.fullmatch(value) is not None


def parse_allowfrom(entries: object) -> tuple[str, ...]:
    """``allowfrom`` as stored (normalised CIDR text); raises ValueError for anything else.

    Like acme-dns (Go's ``net.ParseCIDR``) every entry needs a prefix length;
    host bits are dropped (``192.0.2.7/24`` becomes ``192.0.2.0/24``).
    """
    if entries is None:
        return ()
    if not isinstance(entries, list) or len(entries) > MAX_ALLOWFROM:
        raise ValueError(f"allowfrom must be a list of at most {MAX_ALLOWFROM} CIDR networks")
    found: list[str] = []
    for entry in entries:
        if not isinstance(entry, str) or "/" not in entry or len(entry) > 64:
            raise ValueError(f"not a CIDR network: {entry!r}")
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise ValueError(f"not a CIDR network: {entry!r}") from None
        if str(network) not in found:
            found.append(str(network))
    return tuple(found)


def allowed_from(source: str | None, allowfrom: Sequence[str]) -> bool:
    """True when the caller's address lies in one of the networks (or none are set)."""
    if not allowfrom:
        return True
    if source is None:
        return False
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(n, strict=False) for n in allowfrom)


@dataclass(frozen=True, slots=True)
class TxtChange:
    """An RFC 2136 change that sets ``value`` and keeps the newest older one.

    The prerequisites pin the values read before (value-dependent, RFC 2136
    2.4.2), so a change planned from a state that another update changed in
    between fails with NXRRSET/YXRRSET instead of dropping a value.
    """

    prerequisites: tuple[UpdateRR, ...]
    updates: tuple[UpdateRR, ...]


def txt_change(name: str, current: Sequence[str], value: str) -> TxtChange | None:
    """The change putting ``value`` after ``current`` (rdata, oldest first).

    None when ``value`` is already published: a client repeating itself
    changes nothing (and the other value stays).
    """
    rdata = txt_rdata(value)
    if rdata in current:
        return None
    if current:
        prerequisites = tuple(UpdateRR(name, "TXT", "IN", 0, r) for r in current)
    else:
        prerequisites = (UpdateRR(name, "TXT", "NONE", 0, None),)
    keep = current[-(KEPT_VALUES - 1) :]
    updates = tuple(UpdateRR(name, "TXT", "NONE", 0, r) for r in current if r not in keep)
    return TxtChange(prerequisites, (*updates, UpdateRR(name, "TXT", "IN", TXT_TTL, rdata)))

"""Reading a router's update query: what names, addresses and switches it asks for.

Routers send what their firmware was written for (issue 10), so this reads
every shape the field uses, each cited in ``tests/http/test_router_requests.py``:

* names in ``hostname`` (a comma list; absent, empty or ``YES`` means the
  credential's host), or a lone query token without ``=`` (inadyn's custom
  URL ending in ``?``);
* addresses in ``myip``, ``ip``, ``myipv4``, ``ipv4``, ``myipv6``, ``ipv6``,
  ``myip6``, ``ip6``, each a comma list that may mix families and hold an
  IPv6 prefix (``2001:db8:1:2::/64``); ``preserve`` keeps the family(ies) the
  parameter names, and a family parameter sent empty removes that family;
* credentials as ``username``/``password``, ``user``/``pass`` or
  ``user``/``pwd`` when there is no Basic header;
* Dyn's switches (``system``, ``wildcard``, ``mx``, ``backmx``, ``offline``).

Anything else is ignored and reported in ``unknown`` (every peer ignores
parameters it does not know). Pure: a query string in, ``UpdateQuery`` out;
``read_addresses`` raises ``InputError`` with a one-line reason for what
cannot be read (after authentication, so that the refusal is recorded).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import unquote_plus

from homing.domain.addresses import AddressPolicy, parse_address
from homing.domain.prefixes import parse_prefix
from homing.errors import AddressError, InputError

PRESERVE = "preserve"
NEUTRAL = ("myip", "ip")
IPV4_PARAMETERS = ("myipv4", "ipv4")
IPV6_PARAMETERS = ("myipv6", "ipv6", "myip6", "ip6")
ADDRESS_PARAMETERS = (*NEUTRAL, *IPV4_PARAMETERS, *IPV6_PARAMETERS)
CREDENTIAL_PAIRS = (("username", "password"), ("user", "pass"), ("user", "pwd"))
SWITCHES = ("system", "wildcard", "mx", "backmx", "offline")
KNOWN = frozenset(
    {"hostname", *ADDRESS_PARAMETERS, *SWITCHES, *(k for pair in CREDENTIAL_PAIRS for k in pair)}
)
HOST_FALLBACK = {"", "yes"}
"""``hostname`` values that mean "the host of this credential" (deSEC accepts ``YES``)."""
MAX_UNKNOWN_SHOWN = 10
LONE_PART = "(part without =)"
"""Stands in ``unknown`` for a lone token beside ``hostname``: its text may be anything."""


class Family(Enum):
    IPV4 = 4
    IPV6 = 6


@dataclass(frozen=True, slots=True, kw_only=True)
class Addresses:
    """What the address parameters ask for, family by family."""

    ipv4: ipaddress.IPv4Address | None = None
    ipv6: ipaddress.IPv6Address | None = None
    ipv6_prefix: ipaddress.IPv6Network | None = None
    remove: frozenset[Family] = frozenset()
    preserve: frozenset[Family] = frozenset()

    @property
    def mentioned(self) -> frozenset[Family]:
        """Families the request said something about (a value, ``preserve`` or removal)."""
        given = {Family.IPV4} if self.ipv4 else set()
        if self.ipv6 or self.ipv6_prefix:
            given.add(Family.IPV6)
        return frozenset(given) | self.remove | self.preserve


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateQuery:
    """One update request's query, read (see the module docstring)."""

    hostnames: tuple[str, ...]
    switches: dict[str, str]
    credentials: tuple[str, str] | None = field(repr=False)
    pairs: tuple[tuple[str, str], ...] = field(repr=False)
    """Every (key, value): ``read_addresses`` reads them once the caller is known."""
    unknown: tuple[str, ...] = ()


def query_pairs(raw: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(key, value) pairs and lone tokens (parts without ``=``) of a raw query string."""
    pairs: list[tuple[str, str]] = []
    lone: list[str] = []
    for part in raw.split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if sep:
            pairs.append((unquote_plus(key).strip().lower(), unquote_plus(value)))
        else:
            lone.append(unquote_plus(part).strip())
    return pairs, lone


def _values(pairs: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in pairs if k == key]


def _credentials(pairs: list[tuple[str, str]]) -> tuple[str, str] | None:
    for login_key, secret_key in CREDENTIAL_PAIRS:
        logins, secrets = _values(pairs, login_key), _values(pairs, secret_key)
        if logins and secrets and logins[-1] and secrets[-1]:
            return logins[-1], secrets[-1]
    return None


def read_addresses(
    pairs: list[tuple[str, str]], *, policy: AddressPolicy = AddressPolicy.UNICAST
) -> Addresses:
    """The address parameters' meaning; InputError names the parameter that cannot be read."""
    ipv4: ipaddress.IPv4Address | None = None
    ipv6: ipaddress.IPv6Address | None = None
    prefix: ipaddress.IPv6Network | None = None
    remove: set[Family] = set()
    preserve: set[Family] = set()
    for key, value in pairs:
        if key not in ADDRESS_PARAMETERS:
            continue
        families = (
            {Family.IPV4}
            if key in IPV4_PARAMETERS
            else {Family.IPV6}
            if key in IPV6_PARAMETERS
            else {Family.IPV4, Family.IPV6}
        )
        items = [item.strip() for item in value.split(",")]
        if not any(items):
            if key not in NEUTRAL:
                remove |= families
            continue
        if PRESERVE in (item.lower() for item in items):
            if len(items) > 1:
                raise InputError(f"{key}: {PRESERVE} stands alone, not in a list")
            preserve |= families
            continue
        for item in items:
            if not item:
                continue
            try:
                if "/" in item:
                    network = parse_prefix(item)
                    parse_address(str(network.network_address), policy=policy)
                    if prefix is not None and prefix != network:
                        raise AddressError("more than one IPv6 prefix given")
                    prefix = network
                    continue
                address = parse_address(item, policy=policy)
            except AddressError as exc:
                raise InputError(f"{key}: {exc}") from None
            if isinstance(address, ipaddress.IPv4Address):
                if ipv4 is not None and ipv4 != address:
                    raise InputError(f"{key}: more than one IPv4 address given")
                ipv4 = address
            else:
                if ipv6 is not None and ipv6 != address:
                    raise InputError(f"{key}: more than one IPv6 address given")
                ipv6 = address
    # An address given anywhere wins over another parameter's ``preserve`` or removal.
    given = {Family.IPV4} if ipv4 else set()
    if ipv6 or prefix:
        given.add(Family.IPV6)
    return Addresses(
        ipv4=ipv4,
        ipv6=ipv6,
        ipv6_prefix=prefix,
        remove=frozenset(remove - given),
        preserve=frozenset(preserve - given - remove),
    )


def read_query(raw: str) -> UpdateQuery:
    """A dyndns2 or deSEC-style query string's names, switches and credentials; never raises."""
    pairs, lone = query_pairs(raw)
    named = [h.strip() for value in _values(pairs, "hostname") for h in value.split(",")]
    hostnames = [h for h in named if h.lower() not in HOST_FALLBACK]
    unknown = {k for k, _ in pairs if k not in KNOWN}
    if not hostnames:
        hostnames = [token for token in lone if token]
    elif lone:
        unknown.add(LONE_PART)
    switches = {k: v for k, v in pairs if k in SWITCHES}
    return UpdateQuery(
        hostnames=tuple(hostnames),
        switches=switches,
        credentials=_credentials(pairs),
        pairs=tuple(pairs),
        unknown=tuple(u[:40] for u in sorted(unknown)[:MAX_UNKNOWN_SHOWN]),
    )

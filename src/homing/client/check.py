"""``homing client check``: does each name resolve, at its authoritative servers, to us?

The question users otherwise answer by hand from another network. Each
name is asked with recursion off, at the ``dns_server`` the config gives
or else at the zone's own name servers (found through the system
resolver), so a cache in between cannot hide a stale record.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from homing.client.addresses import Addresses, Family
from homing.client.config import Target

QUERY_TIMEOUT = 5.0


class LookupProblem(Exception):
    """The server answered, but not with records or NXDOMAIN."""


@dataclass(frozen=True)
class NameCheck:
    """What one name resolves to, per family, and whether that is what was detected."""

    target: Target
    server: str
    found: dict[Family, frozenset[str]]
    problem: str | None
    detected: Addresses

    @property
    def ok(self) -> bool:
        if self.problem is not None:
            return False
        return all(
            self.found.get(f) == frozenset({str(a)})
            for f, a in self.detected.only(self.target.families).items()
        )


async def authoritative_servers(name: str) -> list[tuple[str, int]]:
    """Addresses of the name servers of the zone holding ``name`` (system resolver)."""
    zone = await dns.asyncresolver.zone_for_name(name)
    servers: list[tuple[str, int]] = []
    for ns in await dns.asyncresolver.resolve(zone, "NS"):
        for rtype in ("A", "AAAA"):
            try:
                answer = await dns.asyncresolver.resolve(ns.to_text(), rtype)
            except dns.exception.DNSException:
                continue
            servers += [(r.to_text(), 53) for r in answer]
    return servers


async def query(name: str, family: Family, server: tuple[str, int]) -> frozenset[str]:
    """The A or AAAA records of ``name`` at ``server``, recursion off, UDP then TCP."""
    message = dns.message.make_query(name, dns.rdatatype.from_text(family.record_type))
    message.flags &= ~dns.flags.RD
    host, port = server
    response, _ = await dns.asyncquery.udp_with_fallback(
        message, host, port=port, timeout=QUERY_TIMEOUT
    )
    if response.rcode() not in {dns.rcode.NOERROR, dns.rcode.NXDOMAIN}:
        raise LookupProblem(f"{dns.rcode.to_text(response.rcode())} from {host}")
    found = set()
    for rrset in response.answer:
        if rrset.rdtype == message.question[0].rdtype:
            found |= {str(ipaddress.ip_address(r.to_text())) for r in rrset}
    return frozenset(found)


async def check_name(target: Target, detected: Addresses) -> NameCheck:
    """Resolve ``target``'s name for each of its families; never raises for DNS trouble."""
    found: dict[Family, frozenset[str]] = {}
    shown = "-"
    try:
        servers = [target.dns_server] if target.dns_server else None
        servers = servers or await authoritative_servers(target.name)
        if not servers:
            return NameCheck(target, shown, found, "no authoritative server found", detected)
        server = servers[0]
        shown = f"{server[0]}:{server[1]}" if server[1] != 53 else server[0]
        for family in sorted(target.families, key=lambda f: f.value):
            found[family] = await query(target.name, family, server)
    except (dns.exception.DNSException, LookupProblem, OSError) as exc:
        return NameCheck(target, shown, found, str(exc) or type(exc).__name__, detected)
    return NameCheck(target, shown, found, None, detected)

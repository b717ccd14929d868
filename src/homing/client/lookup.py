"""What a name resolves to at its authoritative servers, asked with recursion off.

Both ``homing client check`` and the start-up repair need the provider's
published view, not a cache's: the query goes to the ``dns_server`` the
config gives, or else to the zone's own name servers (found through the
system resolver).
"""

from __future__ import annotations

import ipaddress

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from homing.client.addresses import Family
from homing.client.config import Target
from homing.client.errors import LookupProblem

QUERY_TIMEOUT = 5.0
LOOKUP_ERRORS = (dns.exception.DNSException, OSError)


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


async def server_for(target: Target) -> tuple[str, int]:
    """The configured ``dns_server`` (a name resolved here), else the first of the zone's own
    servers; a zone not delegated yet is a problem that says what to set."""
    if target.dns_server is not None:
        host, port = target.dns_server
        try:
            ipaddress.ip_address(host)
        except ValueError:
            answer = await dns.asyncresolver.resolve_name(host)
            addresses = list(answer.addresses())
            if not addresses:
                raise LookupProblem(f"dns_server {host} has no address") from None
            return addresses[0], port
        return host, port
    try:
        servers = await authoritative_servers(target.name)
    except dns.exception.DNSException as exc:
        raise LookupProblem(
            f"cannot find the DNS servers of {target.name} ({type(exc).__name__}): its zone may "
            "not be delegated yet; set dns_server to your provider's DNS server in the "
            "[[update]] table (the web UI's snippet has it)"
        ) from None
    if not servers:
        raise LookupProblem("no authoritative server found")
    return servers[0]


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


async def resolve(target: Target, server: tuple[str, int]) -> dict[Family, frozenset[str]]:
    """Each of ``target``'s families as ``server`` publishes it."""
    return {
        family: await query(target.name, family, server)
        for family in sorted(target.families, key=lambda f: f.value)
    }

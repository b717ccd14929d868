"""What a DO=1 answer from a signed zone adds: the RRSIGs, and the NSEC3 proof of a denial.

The engine builds the answer as for any query; this adds, from what the zone
keeps (``signatures.ZoneSignatures``), nothing made per query:

* each answer RRset's RRSIG; an answer synthesised from a wildcard gets the
  wildcard's RRSIG under the name asked (its label count tells a validator
  that it was synthesised) and the NSEC3 that covers the next closer name;
* a negative answer's SOA RRSIG and its NSEC3 proof (RFC 5155 7.2): the
  closest encloser proof for NXDOMAIN, the name's own record for NODATA,
  both for NODATA at a wildcard.
"""

from __future__ import annotations

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from homing.nameserver.compiled import name_key
from homing.nameserver.signatures import ZoneSignatures
from homing.nameserver.view import ZoneContents


def wants_signatures(query: dns.message.Message) -> bool:
    return query.edns >= 0 and bool(query.ednsflags & dns.flags.DO)


def _wildcard_of(zone: ZoneContents, name: dns.name.Name) -> dns.name.Name:
    """The wildcard that synthesised ``name``: ``*.`` its closest existing ancestor."""
    encloser = name.parent()
    while encloser != zone.origin and not zone.node_exists(encloser):
        encloser = encloser.parent()
    return dns.name.Name((b"*", *encloser.labels))


def _owned(rrsig: dns.rrset.RRset, owner: dns.name.Name, ttl: int) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(owner, ttl, list(rrsig))


def add_signatures(
    zone: ZoneContents,
    signatures: ZoneSignatures,
    qname: dns.name.Name,
    response: dns.message.Message,
) -> None:
    """Add what a validator needs to ``response`` (see the module docstring)."""
    answer: list[dns.rrset.RRset] = []
    authority: list[dns.rrset.RRset] = []
    last = qname
    for rrset in response.answer:
        if not rrset.name.is_subdomain(zone.origin):
            continue
        owner = rrset.name
        if owner not in zone.nodes:
            owner = _wildcard_of(zone, rrset.name)
            authority += signatures.proof(signatures.chain.wildcard_answer(rrset.name, owner))
        rrsig = signatures.rrsig(name_key(owner), rrset.rdtype)
        if rrsig is not None:
            answer.append(_owned(rrsig, rrset.name, rrset.ttl))
        if rrset.rdtype == dns.rdatatype.CNAME:
            last = rrset[0].target
    negative = next((r for r in response.authority if r.rdtype == dns.rdatatype.SOA), None)
    if negative is not None and last.is_subdomain(zone.origin):
        rrsig = signatures.rrsig(name_key(zone.origin), dns.rdatatype.SOA)
        if rrsig is not None:
            authority.append(_owned(rrsig, zone.origin, negative.ttl))
        chain = signatures.chain
        if response.rcode() == dns.rcode.NXDOMAIN:
            authority += signatures.proof(chain.nxdomain(last))
        elif zone.node_exists(last):
            authority += signatures.proof(chain.nodata(last))
        else:
            authority += signatures.proof(chain.wildcard_nodata(last, _wildcard_of(zone, last)))
    response.answer += answer
    seen: set[tuple[dns.name.Name, int, int]] = set()
    for rrset in authority:
        key = (rrset.name, rrset.rdtype, rrset.covers)
        if key not in seen:
            seen.add(key)
            response.authority.append(rrset)

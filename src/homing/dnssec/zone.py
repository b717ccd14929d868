"""A whole zone signed at once: its RRsets, the key's apex records, the NSEC3 chain, RRSIGs.

This is what a zone transfer of a signed zone carries and what a view starts
from when it loads a signed zone; later changes re-sign only what they touch
(``signer.sign`` for an RRset, ``nsec3.Chain.put``/``remove`` for the chain).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import dns.name
import dns.rdatatype
import dns.rdtypes.ANY.SOA
import dns.rrset

from homing.dnssec import nsec3
from homing.dnssec.keys import ZoneKey
from homing.dnssec.signer import sign


def apex_records(key: ZoneKey, ttl: int, others: Sequence[ZoneKey] = ()) -> list[dns.rrset.RRset]:
    """DNSKEY, CDS and CDNSKEY (RFC 7344, RFC 8078) and NSEC3PARAM at the apex.

    ``others`` (a rollover's second key) are in the DNSKEY set only: CDS and
    CDNSKEY name ``key``, the one the parent's DS should name.
    """
    origin = key.zone
    return [
        dns.rrset.from_rdata_list(origin, ttl, [k.dnskey for k in (key, *others)]),
        dns.rrset.from_rdata(origin, ttl, key.cds()),
        dns.rrset.from_rdata(origin, ttl, key.cdnskey()),
        dns.rrset.from_rdata(origin, ttl, nsec3.nsec3param()),
    ]


def names_with_ancestors(
    origin: dns.name.Name, names: Iterable[dns.name.Name]
) -> set[dns.name.Name]:
    """Every name and each ancestor up to the apex: the nodes, empty non-terminals included."""
    nodes = {origin}
    for name in names:
        while name != origin and name not in nodes:
            nodes.add(name)
            name = name.parent()
    return nodes


def denial_ttl(soa: dns.rrset.RRset) -> int:
    """RFC 9077: NSEC3 records live as long as a negative answer, min(SOA TTL, MINIMUM)."""
    rdata = next(iter(soa))
    assert isinstance(rdata, dns.rdtypes.ANY.SOA.SOA)
    return min(soa.ttl, rdata.minimum)


def chain_of(origin: dns.name.Name, rrsets: Iterable[dns.rrset.RRset], ttl: int) -> nsec3.Chain:
    """The NSEC3 chain over the zone's nodes and the types each holds."""
    types: dict[dns.name.Name, set[int]] = {}
    for rrset in rrsets:
        types.setdefault(rrset.name, set()).add(rrset.rdtype)
    chain = nsec3.Chain(origin, ttl)
    for name in names_with_ancestors(origin, types):
        chain.put(name, types.get(name, ()))
    return chain


def sign_zone(
    rrsets: list[dns.rrset.RRset], key: ZoneKey, *, now: int, others: Sequence[ZoneKey] = ()
) -> list[dns.rrset.RRset]:
    """The zone (SOA and NS included in ``rrsets``) with everything DNSSEC adds, signed."""
    soa = next(r for r in rrsets if r.rdtype == dns.rdatatype.SOA)
    data = [*rrsets, *apex_records(key, soa.ttl, others)]
    chain = chain_of(key.zone, data, denial_ttl(soa))
    data += [chain.record(digest) for digest in chain.hashes()]
    return data + [sign(rrset, key, *others, now=now) for rrset in data]

"""RRSIGs for RRsets, made when the data changes and refreshed before they expire.

A signature is valid from an hour before it is made (a validator whose
clock runs behind still accepts it) to 14 days after; it is made again once
fewer than 7 days are left, so a zone whose names never change still never
serves an expired signature. ECDSA signatures are deterministic (RFC 6979,
as dnspython makes them): the same RRset signed in the same second gives the
same bytes. Only the provider signs (``nameserver.signatures``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.RRSIG import RRSIG

from homing.dnssec.keys import ZoneKey

INCEPTION_SKEW_SECONDS = 3600
VALIDITY_SECONDS = 14 * 86400
REFRESH_SECONDS = 7 * 86400
"""A signature with less than this left is made again."""
RRSIG_FIELDS = struct.Struct("!HBBIIIH")
"""Type covered, algorithm, labels, original TTL, expiration, inception, key tag."""
RECORD_FIELDS = struct.Struct("!HHI")
RDLENGTH = struct.Struct("!H")


@dataclass(frozen=True, slots=True)
class Unsigned:
    """An RRset as its signature covers it (RFC 4034 3.1.8.1): owner and rdata canonical.

    ``of`` makes one from a dnspython RRset; the compiled view makes one from the
    wire bytes it holds for types whose rdata names no domain name (``compiled``),
    which spares building the RRset at all.
    """

    name: dns.name.Name
    owner: bytes
    """``name`` in canonical wire form (lower case, uncompressed)."""
    rdtype: int
    ttl: int
    rdatas: tuple[bytes, ...]
    """Each record's canonical rdata, in canonical (sorted) order."""

    @classmethod
    def of(cls, rrset: dns.rrset.RRset) -> Unsigned:
        owner = rrset.name.canonicalize().to_wire()
        assert owner is not None
        rdatas = sorted({rdata.to_digestable() for rdata in rrset})
        return cls(rrset.name, owner, rrset.rdtype, rrset.ttl, tuple(rdatas))

    @classmethod
    def of_wire(
        cls, name: dns.name.Name, owner: bytes, rdtype: int, ttl: int, rdatas: Iterable[bytes]
    ) -> Unsigned:
        """From rdata already canonical on the wire (A, AAAA, TXT: no names inside)."""
        return cls(name, owner, rdtype, ttl, tuple(sorted(set(rdatas))))


def sign(rrset: dns.rrset.RRset | Unsigned, *keys: ZoneKey, now: int) -> dns.rrset.RRset:
    """The RRSIG set covering ``rrset``, one signature per key, with the RRset's own TTL.

    One key as a rule; two during a key rollover (``homing.dnssec.rollover``).
    The same bytes as ``dns.dnssec.sign`` (tests hold the two equal), at about
    half its cost: the signed data is packed here from canonical bytes, and the
    RRSIG is built once, with its signature (issue 12: signing is most of a
    signed update's extra cost).
    """
    unsigned = rrset if isinstance(rrset, Unsigned) else Unsigned.of(rrset)
    name = unsigned.name
    labels = len(name.labels) - 1 - (1 if name.is_wild() else 0)
    inception, expiration = now - INCEPTION_SKEW_SECONDS, now + VALIDITY_SECONDS
    fields = RECORD_FIELDS.pack(unsigned.rdtype, dns.rdataclass.IN, unsigned.ttl)
    records = b"".join(
        unsigned.owner + fields + RDLENGTH.pack(len(rdata)) + rdata for rdata in unsigned.rdatas
    )
    signatures = []
    for key in keys:
        head = (unsigned.rdtype, key.algorithm, labels, unsigned.ttl, expiration, inception)
        signed = RRSIG_FIELDS.pack(*head, key.key_tag) + key.signer + records
        # dnspython's rdata constructors carry no annotations.
        rdata = RRSIG(  # type: ignore[no-untyped-call]
            dns.rdataclass.IN,
            dns.rdatatype.RRSIG,
            *head,
            key.key_tag,
            key.zone,
            key.sign_data(signed),
        )
        signatures.append(rdata)
    return dns.rrset.from_rdata_list(name, unsigned.ttl, signatures)


def needs_refresh(rrsig: dns.rrset.RRset, *, now: int) -> bool:
    """True when any signature in ``rrsig`` has less than REFRESH_SECONDS left."""
    return any(
        isinstance(rdata, RRSIG) and rdata.expiration - now < REFRESH_SECONDS for rdata in rrsig
    )


def covered(rrsig: dns.rrset.RRset) -> dns.rdatatype.RdataType:
    """The type an RRSIG set covers."""
    first = next(iter(rrsig))
    assert isinstance(first, RRSIG)
    return first.type_covered

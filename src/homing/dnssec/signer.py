"""RRSIGs for RRsets, made when the data changes and refreshed before they expire.

A signature is valid from an hour before it is made (a validator whose
clock runs behind still accepts it) to 14 days after; it is made again once
fewer than 7 days are left, so a zone whose names never change still never
serves an expired signature. ECDSA signatures are deterministic (RFC 6979,
dnspython's default), so every process that signs the same RRset at the
same second makes the same bytes.
"""

from __future__ import annotations

import dns.dnssec
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.RRSIG import RRSIG

from homing.dnssec.keys import ZoneKey

INCEPTION_SKEW_SECONDS = 3600
VALIDITY_SECONDS = 14 * 86400
REFRESH_SECONDS = 7 * 86400
"""A signature with less than this left is made again."""


def sign(rrset: dns.rrset.RRset, *keys: ZoneKey, now: int) -> dns.rrset.RRset:
    """The RRSIG set covering ``rrset``, one signature per key, with the RRset's own TTL.

    One key as a rule; two during a key rollover (``homing.dnssec.rollover``).
    """
    signatures = [
        dns.dnssec.sign(
            rrset,
            key.private,
            key.zone,
            key.dnskey,
            inception=now - INCEPTION_SKEW_SECONDS,
            expiration=now + VALIDITY_SECONDS,
        )
        for key in keys
    ]
    return dns.rrset.from_rdata_list(rrset.name, rrset.ttl, signatures)


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

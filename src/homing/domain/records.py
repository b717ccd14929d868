"""Record sets and zone changes: the vocabulary shared by the store, the events and the DNS view.

Every value is immutable text so that a change can be logged, journaled (the
IXFR diff) and applied to the in-memory view without touching dnspython types
in the core. Names are normalised absolute text (see ``domain.names``); rdata is
presentation format as dnspython prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class RecordType(StrEnum):
    """Record types a host may own."""

    A = "A"
    AAAA = "AAAA"
    TXT = "TXT"
    CNAME = "CNAME"
    MX = "MX"


@dataclass(frozen=True, slots=True)
class RRset:
    """All records of one name and type; an empty ``rdatas`` means "none"."""

    name: str
    rtype: str
    ttl: int
    rdatas: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SOAFields:
    """The SOA of a zone; the serial lives with it so one object describes the apex."""

    mname: str
    rname: str
    serial: int
    refresh: int = 3600
    retry: int = 600
    expire: int = 1209600
    minimum: int = 60
    ttl: int = 3600


@dataclass(frozen=True, slots=True)
class ZoneSigning:
    """A signed zone's keys as the DNS view needs them: the algorithm and private key (PEM).

    This key is the one the parent's DS should name (it alone is in CDS and
    CDNSKEY). During a key rollover ``others`` holds the second key, which is
    published in DNSKEY and signs every RRset too (double signature, RFC 7583
    section 3.3.1), so a validator whose DS names either key validates.
    """

    algorithm: int
    private_pem: bytes = field(repr=False)
    others: tuple[ZoneSigning, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneSnapshot:
    """A whole zone: what the DNS view loads at start and after a zone is (re)created."""

    zone: str
    soa: SOAFields
    nameservers: tuple[str, ...]
    ns_ttl: int
    rrsets: tuple[RRset, ...]
    signing: ZoneSigning | None = None
    """Set when the zone is signed (DNSSEC): the view signs what it serves."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneChange:
    """One committed change of a zone: the RRsets that replace old ones, and the new serial.

    ``rrsets`` carries the complete new state of each touched (name, type); an
    RRset with no rdatas deletes it. ``removed`` / ``added`` are the IXFR
    journal view of the same change (RFC 1995 section 4).
    """

    zone: str
    serial: int
    rrsets: tuple[RRset, ...]
    removed: tuple[RRset, ...] = field(default=())
    added: tuple[RRset, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ZoneRemoved:
    """A zone was deleted: the DNS view drops it."""

    zone: str


ViewEvent = ZoneSnapshot | ZoneChange | ZoneRemoved

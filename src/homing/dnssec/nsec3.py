"""NSEC3 denial of existence (RFC 5155) with the parameters of RFC 9276: no salt, 0 iterations.

Why NSEC3 and not compact denial ("black lies", RFC 9824): a compact denial
must be signed per query, since its NSEC is owned by the name asked; NSEC3
records exist ahead of time, so their signatures are made when names come
and go, like every other signature here, and a zone transfer carries a
complete chain that secondaries (Knot, NSD) serve and ``dnssec-verify``
checks. Unlike plain NSEC, the chain does not list the host names (they
are hashed), which matters for a DDNS provider whose users' names are
their own business.

The chain holds every name of the zone, empty non-terminals included (RFC
5155 7.1), by hash in sorted order. A change reports which hashes' records
are new or different (the name's own and its predecessor's), so only those
are signed again. The proofs return hashes; ``record`` makes the NSEC3 RRset
of one of them.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
from collections.abc import Iterable

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM
from dns.rdtypes.util import Bitmap

SHA1 = 1
ITERATIONS = 0
SALT = b""
FLAGS = 0
"""No opt-out: there are no unsigned delegations to skip."""
BASE32HEX = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHIJKLMNOPQRSTUV")


def hash_name(name: dns.name.Name) -> bytes:
    """The raw SHA-1 of the canonical wire form (iterations 0, empty salt)."""
    wire = name.canonicalize().to_wire()
    assert wire is not None
    return hash_wire(wire)


def hash_wire(canonical: bytes) -> bytes:
    """``hash_name`` of a name already in canonical wire form (the compiled view's keys)."""
    return hashlib.sha1(canonical, usedforsecurity=False).digest()


def hashed_owner(digest: bytes, origin: dns.name.Name) -> dns.name.Name:
    label = base64.b32encode(digest).decode().translate(BASE32HEX).lower()
    return dns.name.Name((label.encode(), *origin.labels))


def nsec3param() -> NSEC3PARAM:
    """The apex record that tells secondaries and validators the chain's parameters."""
    # dnspython's rdata constructors carry no annotations.
    return NSEC3PARAM(  # type: ignore[no-untyped-call]
        dns.rdataclass.IN, dns.rdatatype.NSEC3PARAM, SHA1, FLAGS, ITERATIONS, SALT
    )


class Chain:
    """The zone's names by hash, with the types each holds (empty for a non-terminal)."""

    def __init__(self, origin: dns.name.Name, ttl: int) -> None:
        self.origin = origin
        self.ttl = ttl
        self._hashes: list[bytes] = []
        self._types: dict[bytes, frozenset[int]] = {}

    def __len__(self) -> int:
        return len(self._hashes)

    def hashes(self) -> list[bytes]:
        return list(self._hashes)

    def put(self, name: dns.name.Name, types: Iterable[int]) -> set[bytes]:
        """Hold ``name`` with ``types``; returns the hashes whose records changed."""
        return self.put_hash(hash_name(name), types)

    def put_hash(self, digest: bytes, types: Iterable[int]) -> set[bytes]:
        """``put`` for the name whose hash is ``digest``."""
        held = frozenset(types)
        if digest in self._types:
            if self._types[digest] == held:
                return set()
            self._types[digest] = held
            return {digest}
        at = bisect.bisect_left(self._hashes, digest)
        self._hashes.insert(at, digest)
        self._types[digest] = held
        return {digest, self._hashes[at - 1]}

    def remove(self, name: dns.name.Name) -> set[bytes]:
        """Forget ``name``; returns the hashes whose records changed (its predecessor's)."""
        return self.remove_hash(hash_name(name))

    def remove_hash(self, digest: bytes) -> set[bytes]:
        """``remove`` for the name whose hash is ``digest``."""
        if digest not in self._types:
            return set()
        at = bisect.bisect_left(self._hashes, digest)
        del self._hashes[at]
        del self._types[digest]
        return {self._hashes[at - 1]} if self._hashes else set()

    def holds(self, name: dns.name.Name) -> bool:
        return hash_name(name) in self._types

    def holds_hash(self, digest: bytes) -> bool:
        return digest in self._types

    def record(self, digest: bytes) -> dns.rrset.RRset:
        """The NSEC3 RRset owned by ``digest``'s hashed name."""
        at = bisect.bisect_left(self._hashes, digest)
        following = self._hashes[(at + 1) % len(self._hashes)]
        types = self._types[digest]
        if types:
            types = types | {dns.rdatatype.RRSIG}
        windows = Bitmap.from_rdtypes(sorted(dns.rdatatype.RdataType.make(t) for t in types))
        rdata = NSEC3(  # type: ignore[no-untyped-call]
            dns.rdataclass.IN,
            dns.rdatatype.NSEC3,
            SHA1,
            FLAGS,
            ITERATIONS,
            SALT,
            following,
            windows.windows,
        )
        return dns.rrset.from_rdata(hashed_owner(digest, self.origin), self.ttl, rdata)

    def covering(self, name: dns.name.Name) -> bytes:
        """The hash whose record covers ``name``'s hash (``name`` must not be held)."""
        return self.covering_hash(hash_name(name))

    def covering_hash(self, digest: bytes) -> bytes:
        """The hash whose record covers ``digest`` (a hash the chain does not hold)."""
        return self._hashes[bisect.bisect_left(self._hashes, digest) - 1]

    def closest_encloser(self, qname: dns.name.Name) -> tuple[dns.name.Name, dns.name.Name]:
        """(closest encloser, next closer name) of a name that is not held."""
        closer = qname
        encloser = qname.parent()
        while not self.holds(encloser):
            closer, encloser = encloser, encloser.parent()
        return encloser, closer

    def nxdomain(self, qname: dns.name.Name) -> list[bytes]:
        """RFC 5155 7.2.2: the encloser's match, the next closer's and the wildcard's covers."""
        encloser, closer = self.closest_encloser(qname)
        wildcard = dns.name.Name((b"*", *encloser.labels))
        return _unique([hash_name(encloser), self.covering(closer), self.covering(wildcard)])

    def nodata(self, qname: dns.name.Name) -> list[bytes]:
        """RFC 5155 7.2.3 and 7.2.4: the record of the name itself (an ENT's too)."""
        return [hash_name(qname)]

    def wildcard_answer(self, qname: dns.name.Name, wildcard: dns.name.Name) -> list[bytes]:
        """RFC 5155 7.2.6: the next closer name (one label below the encloser) is covered."""
        encloser = wildcard.parent()
        closer = qname
        while closer.parent() != encloser:
            closer = closer.parent()
        return [self.covering(closer)]

    def wildcard_nodata(self, qname: dns.name.Name, wildcard: dns.name.Name) -> list[bytes]:
        """RFC 5155 7.2.5: the encloser's match, the next closer's cover, the wildcard's match."""
        encloser = wildcard.parent()
        return _unique(
            [hash_name(encloser), *self.wildcard_answer(qname, wildcard), hash_name(wildcard)]
        )


def _unique(digests: list[bytes]) -> list[bytes]:
    return list(dict.fromkeys(digests))

"""A zone's signing key: made here, kept as PKCS#8 PEM, published as DNSKEY, CDS, CDNSKEY.

One combined signing key (CSK, flags 257: the SEP bit set) signs every
RRset of the zone, the DNSKEY set included, which is what an online signer
of a small dynamic zone wants: one key, one DS at the parent (two keys for
the time of a rollover, ``homing.dnssec.rollover``). ECDSA P-256
(algorithm 13) is the default, Ed25519 (15) the alternative; both give
small signatures, which keeps DNSSEC answers small (amplification).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, utils
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS

from homing.errors import InputError

CSK_FLAGS = 257
"""ZONE and SEP: the key that signs the zone is also the one the parent's DS names."""

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
ECDSA_SHA256 = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
P256_BYTES = 32


class Algorithm(enum.IntEnum):
    ECDSAP256SHA256 = 13
    ED25519 = 15

    @classmethod
    def parse(cls, text: str) -> Algorithm:
        """``ecdsap256sha256`` or ``ed25519`` (or the number), as the CLI and API take it."""
        wanted = text.strip().lower()
        for algorithm in cls:
            if wanted in {algorithm.name.lower(), str(algorithm.value)}:
                return algorithm
        names = ", ".join(a.name.lower() for a in cls)
        raise InputError(f"unknown DNSSEC algorithm {text!r} (use one of: {names})")


@dataclass(frozen=True, slots=True)
class ZoneKey:
    """One key of one zone; ``private`` never leaves the server (not in logs, API or metrics)."""

    zone: dns.name.Name
    algorithm: Algorithm
    private: PrivateKey = field(repr=False)
    flags: int = CSK_FLAGS
    dnskey: DNSKEY = field(init=False, repr=False)
    key_tag: int = field(init=False)
    """RFC 4034 appendix B, worked out once: every signature names it."""
    signer: bytes = field(init=False, repr=False)
    """The zone's name in canonical wire form: the signer name in every signature's data."""

    def __post_init__(self) -> None:
        key = dns.dnssec.make_dnskey(self.private.public_key(), self.algorithm, self.flags)
        object.__setattr__(self, "dnskey", key)
        object.__setattr__(self, "key_tag", dns.dnssec.key_id(key))
        object.__setattr__(self, "signer", self.zone.canonicalize().to_wire())

    def sign_data(self, data: bytes) -> bytes:
        """The signature field of an RRSIG over ``data``: raw r || s for ECDSA (RFC 6605),
        deterministic (RFC 6979) as dnspython makes it; Ed25519 is deterministic itself."""
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.sign(data)
        der = self.private.sign(data, ECDSA_SHA256)
        r, s = utils.decode_dss_signature(der)
        return r.to_bytes(P256_BYTES, "big") + s.to_bytes(P256_BYTES, "big")

    def ds(self) -> DS:
        """The DS for the parent (digest SHA-256, type 2, as every registry takes)."""
        return dns.dnssec.make_ds(self.zone, self.dnskey, "SHA256")

    def cds(self) -> dns.rdata.Rdata:
        return dns.dnssec.make_cds(self.zone, self.dnskey, "SHA256")

    def cdnskey(self) -> dns.rdata.Rdata:
        return dns.dnssec.make_cdnskey(self.private.public_key(), self.algorithm, self.flags)

    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @classmethod
    def from_pem(
        cls, zone: dns.name.Name, algorithm: Algorithm, pem: bytes, flags: int = CSK_FLAGS
    ) -> ZoneKey:
        private = serialization.load_pem_private_key(pem, password=None)
        if algorithm is Algorithm.ED25519 and isinstance(private, ed25519.Ed25519PrivateKey):
            return cls(zone, algorithm, private, flags)
        if algorithm is Algorithm.ECDSAP256SHA256 and isinstance(
            private, ec.EllipticCurvePrivateKey
        ):
            return cls(zone, algorithm, private, flags)
        raise ValueError(f"a stored key of {zone} does not match its algorithm {algorithm.name}")


def generate(zone: dns.name.Name, algorithm: Algorithm = Algorithm.ECDSAP256SHA256) -> ZoneKey:
    private: PrivateKey
    if algorithm is Algorithm.ED25519:
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    return ZoneKey(zone, algorithm, private)


def ds_line(key: ZoneKey, ttl: int) -> str:
    """``example.net. 3600 IN DS 12345 13 2 ABCD…``: what the registrar is given."""
    ds = key.ds()
    digest = ds.digest.hex().upper()
    return f"{key.zone.to_text()} {ttl} IN DS {ds.key_tag} {ds.algorithm} {ds.digest_type} {digest}"


def dnskey_line(key: ZoneKey, ttl: int) -> str:
    """The DNSKEY in master-file form, for registrars that take the key instead of a DS."""
    return f"{key.zone.to_text()} {ttl} IN DNSKEY {key.dnskey.to_text()}"

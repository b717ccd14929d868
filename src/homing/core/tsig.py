"""TSIG keys (RFC 8945): creating and removing them, their scope, and the DNS keyring.

A key belongs to one zone and may change only the names and record types it
is scoped to (like BIND's update-policy, deSEC's token policies). The secret
is shown once at creation; the store keeps it because verifying a TSIG needs
the shared secret itself. The keyring reads keys from the store on demand, so
a key added by ``homing tsig add`` works at once in a running server.
"""

from __future__ import annotations

import base64
import fnmatch
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import dns.message
import dns.name
import dns.tsig
from sqlalchemy.exc import IntegrityError

from homing.core.write_path import DirectWrites, WritePath
from homing.domain.names import is_subdomain, normalize_name
from homing.errors import ConflictError, InputError, NameError_, NotFoundError
from homing.store.rows import TsigKeyRow
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

ALGORITHMS: dict[str, dns.name.Name] = {
    "hmac-sha1": dns.tsig.HMAC_SHA1,
    "hmac-sha224": dns.tsig.HMAC_SHA224,
    "hmac-sha256": dns.tsig.HMAC_SHA256,
    "hmac-sha384": dns.tsig.HMAC_SHA384,
    "hmac-sha512": dns.tsig.HMAC_SHA512,
}
"""HMAC-MD5 is left out on purpose (RFC 8945 section 6: not to be used)."""
SECRET_BYTES = {"hmac-sha1": 20, "hmac-sha224": 28, "hmac-sha256": 32, "hmac-sha384": 48}
DEFAULT_ALGORITHM = "hmac-sha256"
UPDATABLE_TYPES = frozenset({"A", "AAAA", "TXT", "CNAME", "MX", "SRV", "CAA", "PTR"})
DEFAULT_TYPES = ("A", "AAAA", "TXT")


@dataclass(frozen=True, slots=True)
class KeyScope:
    """What a key may change: name patterns (``*`` wildcards; none = the whole zone), types."""

    zone: str
    names: tuple[str, ...]
    types: tuple[str, ...]

    @classmethod
    def of(cls, key: TsigKeyRow) -> KeyScope:
        return cls(zone=key.zone, names=key.names, types=key.types)

    def allows_name(self, name: str) -> bool:
        if not is_subdomain(name, self.zone):
            return False
        return not self.names or any(fnmatch.fnmatchcase(name, p) for p in self.names)

    def allows(self, name: str, rtype: str) -> bool:
        return self.allows_name(name) and rtype in self.types


def _pattern(text: str, zone: str) -> str:
    """A name pattern as stored: absolute, lower case, ``*`` only as whole leading labels."""
    raw = text.strip().lower().rstrip(".")
    stars = 0
    while raw.startswith("*."):
        raw, stars = raw[2:], stars + 1
    try:
        name = normalize_name(raw)
    except NameError_ as exc:
        raise InputError(f"name pattern {text!r}: {exc}") from None
    if not is_subdomain(name, zone):
        raise InputError(f"name pattern {text!r} is outside zone {zone}")
    return "*." * stars + name


def _types(texts: Sequence[str]) -> tuple[str, ...]:
    found: list[str] = []
    for text in texts:
        for part in text.replace(",", " ").split():
            rtype = part.upper()
            if rtype not in UPDATABLE_TYPES:
                allowed = ", ".join(sorted(UPDATABLE_TYPES))
                raise InputError(f"record type {part!r} cannot be updated (allowed: {allowed})")
            if rtype not in found:
                found.append(rtype)
    return tuple(found) or DEFAULT_TYPES


def new_secret(algorithm: str) -> str:
    """A random secret as long as the HMAC's output (RFC 8945 section 6), in base64."""
    return base64.b64encode(secrets.token_bytes(SECRET_BYTES.get(algorithm, 64))).decode()


class TsigKeys:
    """The management use cases for TSIG keys."""

    def __init__(self, *, store: Store, writes: WritePath | None = None) -> None:
        self._store = store
        self._writes = writes or DirectWrites(store)

    async def add(
        self,
        name: str,
        *,
        zone: str,
        algorithm: str = DEFAULT_ALGORITHM,
        names: Sequence[str] = (),
        types: Sequence[str] = (),
    ) -> tuple[TsigKeyRow, str]:
        """Create a key; the secret is returned once."""
        key_name = normalize_name(name)
        zone_name = normalize_name(zone)
        if algorithm not in ALGORITHMS:
            raise InputError(f"unknown algorithm {algorithm!r} (use {', '.join(ALGORITHMS)})")
        patterns = " ".join(_pattern(p, zone_name) for p in names)
        secret = new_secret(algorithm)

        async def create(txn: WriteTransaction) -> None:
            zone_row = await txn.zone(zone_name)
            if zone_row is None:
                raise NotFoundError(f"no zone {zone_name}")
            try:
                await txn.insert(
                    "tsig_keys",
                    name=key_name,
                    zone_id=zone_row.id,
                    algorithm=algorithm,
                    secret=secret,
                    names=patterns,
                    types=" ".join(_types(types)),
                    created_at=datetime.now(UTC),
                )
            except IntegrityError:
                raise ConflictError(f"TSIG key {key_name} already exists") from None

        await self._writes.transaction(create)
        row = self._store.lookup_tsig_key(key_name)
        assert row is not None
        return row, secret

    async def remove(self, name: str) -> None:
        key = self._store.lookup_tsig_key(normalize_name(name))
        if key is None:
            raise NotFoundError(f"no TSIG key {normalize_name(name)}")

        async def remove(txn: WriteTransaction) -> None:
            await txn.delete_row("tsig_keys", key.id)

        try:
            await self._writes.transaction(remove)
        except IntegrityError:
            raise ConflictError(
                f"TSIG key {key.name} is used by a secondary; remove that first"
            ) from None

    async def list(self) -> list[TsigKeyRow]:
        return await self._store.tsig_keys()


class StoreKeyring:
    """The DNS parser's keyring: looks a key up in the store each time (a point read)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def row(self, name: dns.name.Name) -> TsigKeyRow | None:
        return self._store.lookup_tsig_key(name.to_text().lower())

    def __call__(self, _message: dns.message.Message, name: dns.name.Name) -> dns.tsig.Key | None:
        row = self.row(name)
        if row is None:
            return None
        return dns.tsig.Key(name, row.secret, ALGORITHMS[row.algorithm])

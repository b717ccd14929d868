"""DNSSEC management: sign a zone, stop signing it, and what to give the parent.

Enabling makes a key, stores it and bumps the serial with a zone reload in
the journal, so a running server (and each of its DNS workers) loads the zone
again, now signed, and secondaries transfer it. Nothing is shown of the
private key: ``status`` and ``ds`` tell the algorithm, the key tag and the
records for the registrar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import dns.name

from homing.core.journal import JournalKind
from homing.dnssec import keys
from homing.dnssec.signer import INCEPTION_SKEW_SECONDS, VALIDITY_SECONDS
from homing.domain.names import normalize_name
from homing.errors import ConflictError, NotFoundError
from homing.store.rows import ZoneRow
from homing.store.store import Store
from homing.store.transaction import WriteTransaction


@dataclass(frozen=True, slots=True, kw_only=True)
class DnssecStatus:
    zone: str
    signed: bool
    algorithm: str | None = None
    key_tag: int | None = None
    ds: tuple[str, ...] = ()
    dnskey: tuple[str, ...] = ()
    signature_validity_days: int = VALIDITY_SECONDS // 86400
    inception_backdate_minutes: int = INCEPTION_SKEW_SECONDS // 60


class Dnssec:
    """The use cases behind ``homing dnssec`` (and, later, the API's zone DNSSEC calls)."""

    def __init__(self, *, store: Store, origin: str) -> None:
        self._store = store
        self._origin = origin

    async def enable(
        self, zone: str, algorithm: keys.Algorithm = keys.Algorithm.ECDSAP256SHA256
    ) -> DnssecStatus:
        name = normalize_name(zone)
        now = datetime.now(UTC)
        async with self._store.write() as txn:
            row = await self._zone(txn, name)
            if await txn.zone_signing(row.id) is not None:
                raise ConflictError(f"zone {name} is signed already (see: homing dnssec status)")
            key = keys.generate(dns.name.from_text(name), algorithm)
            await txn.insert(
                "dnssec_keys",
                zone_id=row.id,
                algorithm=int(algorithm),
                flags=key.dnskey.flags,
                private_key=key.private_pem().decode(),
                state="active",
                created_at=now,
            )
            await self._reload(txn, row, now)
        return await self.status(name)

    async def disable(self, zone: str) -> None:
        name = normalize_name(zone)
        now = datetime.now(UTC)
        async with self._store.write() as txn:
            row = await self._zone(txn, name)
            removed = await txn.delete_where("dnssec_keys", zone_id=row.id)
            if not removed:
                raise NotFoundError(f"zone {name} is not signed")
            await self._reload(txn, row, now)

    async def status(self, zone: str) -> DnssecStatus:
        name = normalize_name(zone)
        async with self._store.read() as txn:
            row = await txn.zone(name)
            if row is None:
                raise NotFoundError(f"no zone {name}")
            signing = await txn.zone_signing(row.id)
        if signing is None:
            return DnssecStatus(zone=name, signed=False)
        algorithm = keys.Algorithm(signing.algorithm)
        key = keys.ZoneKey.from_pem(dns.name.from_text(name), algorithm, signing.private_pem)
        return DnssecStatus(
            zone=name,
            signed=True,
            algorithm=algorithm.name.lower(),
            key_tag=key.key_tag,
            ds=(keys.ds_line(key, row.soa_ttl),),
            dnskey=(keys.dnskey_line(key, row.soa_ttl),),
        )

    @staticmethod
    async def _zone(txn: WriteTransaction, name: str) -> ZoneRow:
        row = await txn.zone(name)
        if row is None:
            raise NotFoundError(f"no zone {name}")
        return row

    async def _reload(self, txn: WriteTransaction, row: ZoneRow, now: datetime) -> None:
        """A new serial and a zone reload in the journal: every server loads the zone anew."""
        serial = await txn.bump_serial(row.id)
        await txn.append_journal(
            zone_id=row.id,
            zone=row.name,
            serial=serial,
            kind=JournalKind.ZONE.value,
            origin=self._origin,
            payload="",
            at=now,
        )

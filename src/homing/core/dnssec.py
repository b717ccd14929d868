"""DNSSEC management: sign a zone, roll its key, stop signing it, and what to give the parent.

Enabling makes a key, stores it and bumps the serial with a zone reload in
the journal, so a running server (and each of its DNS workers) loads the zone
again, now signed, and secondaries transfer it. A key rollover
(``homing.dnssec.rollover``) is a few such writes: its start, each timed step
the server takes (``advance``), and the operator's ``complete``; each one
reloads the zone the same way. Nothing is shown of the private keys:
``status`` and ``ds`` tell algorithms, key tags, states and the records for
the registrar.

Each write is one transaction on the ``WritePath`` (issue 9, item 2): inside
``homing serve`` the writer's, so the zone is served signed (or unsigned) by
every DNS view of this server when the call returns; in the CLI one of its own,
which running servers follow through the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import dns.name

from homing.config import Settings
from homing.core.journal import JournalKind
from homing.core.write_path import DirectWrites, WritePath
from homing.dnssec import keys
from homing.dnssec import rollover as roll
from homing.dnssec.signer import INCEPTION_SKEW_SECONDS, VALIDITY_SECONDS
from homing.domain.names import normalize_name
from homing.errors import ConflictError, NotFoundError
from homing.store.rows import DnssecKeyRow, ZoneRow
from homing.store.store import Store
from homing.store.transaction import ReadTransaction, WriteTransaction

ROLLOVER_CHECK_SECONDS = 60.0
"""How often a server looks for a rollover step that is due (sooner with a short delay)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyStatus:
    key_tag: int
    algorithm: str
    state: str
    """``homing.dnssec.rollover.KeyState``: active, published, leaving or retiring."""
    ds: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RolloverStatus:
    phase: str
    """``homing.dnssec.rollover.Phase``: publish, submit or retire."""
    due_at: datetime | None
    """When the server takes the next step; None while it waits for the operator."""
    next_step: str
    """What happens next, or what the operator must do, in one sentence."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DnssecStatus:
    zone: str
    signed: bool
    algorithm: str | None = None
    key_tag: int | None = None
    """The active key's: the one CDS names and the parent's DS should name."""
    ds: tuple[str, ...] = ()
    dnskey: tuple[str, ...] = ()
    keys: tuple[KeyStatus, ...] = ()
    rollover: RolloverStatus | None = None
    signature_validity_days: int = VALIDITY_SECONDS // 86400
    inception_backdate_minutes: int = INCEPTION_SKEW_SECONDS // 60


Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _times(rows: list[DnssecKeyRow]) -> list[roll.KeyTimes]:
    return [
        roll.KeyTimes(
            id=row.id,
            state=roll.KeyState(row.state),
            created_at=row.created_at,
            changed_at=row.changed_at,
        )
        for row in rows
    ]


def _key(zone: str, row: DnssecKeyRow) -> keys.ZoneKey:
    algorithm = keys.Algorithm(row.algorithm)
    return keys.ZoneKey.from_pem(
        dns.name.from_text(zone), algorithm, row.private_key.encode(), row.flags
    )


class Dnssec:
    """The use cases behind ``homing dnssec`` and the API's zone DNSSEC calls."""

    @classmethod
    def from_settings(
        cls, *, store: Store, origin: str, settings: Settings, writes: WritePath | None = None
    ) -> Dnssec:
        return cls(
            store=store,
            origin=origin,
            writes=writes,
            propagation_seconds=settings.dnssec_propagation_seconds,
            parent_ds_ttl_seconds=settings.dnssec_parent_ds_ttl_seconds,
        )

    @property
    def check_seconds(self) -> float:
        """How often to call ``advance``: a step is taken at most this late."""
        return max(1.0, min(ROLLOVER_CHECK_SECONDS, self._propagation / 2))

    def __init__(
        self,
        *,
        store: Store,
        origin: str,
        propagation_seconds: int,
        parent_ds_ttl_seconds: int,
        clock: Clock = _utc_now,
        writes: WritePath | None = None,
    ) -> None:
        self._store = store
        self._writes = writes or DirectWrites(store)
        self._origin = origin
        self._propagation = propagation_seconds
        self._parent_ds_ttl = parent_ds_ttl_seconds
        self._clock = clock

    async def enable(
        self, zone: str, algorithm: keys.Algorithm = keys.Algorithm.ECDSAP256SHA256
    ) -> DnssecStatus:
        name = normalize_name(zone)
        now = self._clock()

        async def sign(txn: WriteTransaction) -> None:
            row = await self._zone(txn, name)
            if await txn.dnssec_keys(row.id):
                raise ConflictError(f"zone {name} is signed already (see: homing dnssec status)")
            await self._new_key(txn, row, algorithm, roll.KeyState.ACTIVE, now)
            await self._reload(txn, row, now)

        await self._writes.transaction(sign)
        return await self.status(name)

    async def disable(self, zone: str) -> None:
        """Stop signing; during a rollover too (both keys go: the zone is then unsigned)."""
        name = normalize_name(zone)
        now = self._clock()

        async def unsign(txn: WriteTransaction) -> None:
            row = await self._zone(txn, name)
            removed = await txn.delete_where("dnssec_keys", zone_id=row.id)
            if not removed:
                raise NotFoundError(f"zone {name} is not signed")
            await self._reload(txn, row, now)

        await self._writes.transaction(unsign)

    async def rollover(self, zone: str, algorithm: keys.Algorithm | None = None) -> DnssecStatus:
        """Start a key rollover: a new key (same algorithm unless told) published and signing."""
        name = normalize_name(zone)
        now = self._clock()

        async def start(txn: WriteTransaction) -> None:
            row = await self._zone(txn, name)
            # The reload first: its update of the zone row makes a second rollover of the
            # zone (from another node on PostgreSQL) wait for this one, then see its key.
            await self._reload(txn, row, now)
            rows = await txn.dnssec_keys(row.id)
            current = roll.check_start(_times(rows), name)
            old = next(r for r in rows if r.id == current.id)
            chosen = algorithm or keys.Algorithm(old.algorithm)
            tag = _key(name, old).key_tag
            await self._new_key(txn, row, chosen, roll.KeyState.PUBLISHED, now, avoid_tag=tag)

        await self._writes.transaction(start)
        return await self.status(name)

    async def complete(self, zone: str) -> DnssecStatus:
        """The parent serves the new DS: the old key retires once caches forget the old DS."""
        name = normalize_name(zone)
        now = self._clock()

        async def finish(txn: WriteTransaction) -> None:
            row = await self._zone(txn, name)
            rows = await txn.dnssec_keys(row.id)
            if not rows:
                raise ConflictError(f"zone {name} is not signed (homing dnssec enable {name})")
            step = roll.complete(_times(rows), await self._timings(txn, row), name)
            await self._apply(txn, row, step, now)

        await self._writes.transaction(finish)
        return await self.status(name)

    async def advance(self) -> list[tuple[str, str]]:
        """Take every rollover step that is due (the server calls this periodically).

        Each zone is decided again inside its write transaction, so two
        servers sharing a database never take one step twice.
        """
        async with self._store.read() as txn:
            zones = await txn.rolling_zones()
        stepped: list[tuple[str, str]] = []
        for name in zones:
            now = self._clock()

            async def take(
                txn: WriteTransaction, name: str = name, now: datetime = now
            ) -> roll.Step | None:
                row = await self._zone(txn, name)
                times = _times(await txn.dnssec_keys(row.id))
                step = roll.timed_step(times, await self._timings(txn, row), now)
                if step is not None:
                    await self._apply(txn, row, step, now)
                return step

            step = await self._writes.transaction(take)
            if step is not None:
                stepped.append((name, step.phase.value))
        return stepped

    async def status(self, zone: str) -> DnssecStatus:
        name = normalize_name(zone)
        async with self._store.read() as txn:
            row = await txn.zone(name)
            if row is None:
                raise NotFoundError(f"no zone {name}")
            rows = await txn.dnssec_keys(row.id)
            timings = await self._timings(txn, row)
        if not rows:
            return DnssecStatus(zone=name, signed=False)
        by_id = {r.id: _key(name, r) for r in rows}
        active_row = next(r for r in rows if r.state == roll.KeyState.ACTIVE)
        active = by_id[active_row.id]
        return DnssecStatus(
            zone=name,
            signed=True,
            algorithm=active.algorithm.name.lower(),
            key_tag=active.key_tag,
            ds=(keys.ds_line(active, row.soa_ttl),),
            dnskey=(keys.dnskey_line(active, row.soa_ttl),),
            keys=tuple(
                KeyStatus(
                    key_tag=by_id[r.id].key_tag,
                    algorithm=by_id[r.id].algorithm.name.lower(),
                    state=r.state,
                    ds=keys.ds_line(by_id[r.id], row.soa_ttl),
                )
                for r in rows
            ),
            rollover=self._rollover_status(name, rows, by_id, timings, row.soa_ttl),
        )

    @staticmethod
    def _rollover_status(
        zone: str,
        rows: list[DnssecKeyRow],
        by_id: dict[int, keys.ZoneKey],
        timings: roll.Timings,
        ttl: int,
    ) -> RolloverStatus | None:
        times = _times(rows)
        phase = roll.phase_of(times)
        if phase is roll.Phase.NONE:
            return None
        due = roll.due_at(times, timings)
        when = due.isoformat(timespec="seconds") if due else ""
        tag = {r.state: by_id[r.id].key_tag for r in rows}
        if phase is roll.Phase.PUBLISH:
            text = (
                f"nothing yet: the new key {tag[roll.KeyState.PUBLISHED]} is in every cache by "
                f"{when}; then CDS names it and homing dnssec ds {zone} prints its DS"
            )
        elif phase is roll.Phase.SUBMIT:
            active = next(r for r in rows if r.state == roll.KeyState.ACTIVE)
            text = (
                f"put this DS at the parent in place of the old one: "
                f"{keys.ds_line(by_id[active.id], ttl)}; once the parent serves it, run: "
                f"homing dnssec rollover {zone} --complete"
            )
        else:
            text = (
                f"nothing: the old key {tag[roll.KeyState.RETIRING]} is removed at {when}, "
                "once resolvers have forgotten the old DS"
            )
        return RolloverStatus(phase=phase.value, due_at=due, next_step=text)

    async def _timings(self, txn: ReadTransaction, row: ZoneRow) -> roll.Timings:
        return roll.Timings(
            dnskey_ttl=row.soa_ttl,
            max_zone_ttl=max(row.soa_ttl, await txn.max_record_ttl(row.id)),
            propagation=self._propagation,
            parent_ds_ttl=self._parent_ds_ttl,
        )

    @staticmethod
    async def _zone(txn: WriteTransaction, name: str) -> ZoneRow:
        row = await txn.zone(name)
        if row is None:
            raise NotFoundError(f"no zone {name}")
        return row

    @staticmethod
    async def _new_key(
        txn: WriteTransaction,
        row: ZoneRow,
        algorithm: keys.Algorithm,
        state: roll.KeyState,
        now: datetime,
        avoid_tag: int | None = None,
    ) -> None:
        """Store a new key; a rollover's differs in key tag from the old (no ambiguous DS)."""
        key = keys.generate(dns.name.from_text(row.name), algorithm)
        while key.key_tag == avoid_tag:
            key = keys.generate(dns.name.from_text(row.name), algorithm)
        await txn.insert(
            "dnssec_keys",
            zone_id=row.id,
            algorithm=int(algorithm),
            flags=key.dnskey.flags,
            private_key=key.private_pem().decode(),
            state=state.value,
            created_at=now,
            changed_at=now,
        )

    async def _apply(
        self, txn: WriteTransaction, row: ZoneRow, step: roll.Step, now: datetime
    ) -> None:
        for key_id, state in step.changes:
            if state is None:
                await txn.delete_row("dnssec_keys", key_id)
            else:
                await txn.update_row("dnssec_keys", key_id, state=state.value, changed_at=now)
        await self._reload(txn, row, now)

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

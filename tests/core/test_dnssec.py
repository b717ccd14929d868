"""DNSSEC management over a real store: a key rollover from start to end, and its refusals.

The clock is the test's, so the timings (DNSKEY TTL, largest TTL, propagation
delay, the parent's DS TTL) are checked to the second without waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dns.name
import pytest

from homing.core.admin import Admin
from homing.core.dnssec import Dnssec
from homing.dnssec.keys import Algorithm, ZoneKey
from homing.errors import ConflictError, NotFoundError
from homing.store.store import Store

ZONE = "dyn.example."
PROPAGATION, PARENT_DS_TTL, SOA_TTL = 60, 7200, 300


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def skip(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def dnssec(store: Store, clock: Clock) -> Dnssec:
    await Admin(store=store, origin="test").add_zone(ZONE, ttl=SOA_TTL)
    return Dnssec(
        store=store,
        origin="test",
        propagation_seconds=PROPAGATION,
        parent_ds_ttl_seconds=PARENT_DS_TTL,
        clock=clock,
    )


async def _reloads(store: Store) -> int:
    async with store.read() as txn:
        return sum(entry.kind == "zone" for entry in await txn.journal_after(0))


async def _cds_key_tag(store: Store) -> tuple[int, int]:
    """(tag of the key CDS names, number of keys that sign) as the DNS view loads the zone."""
    async with store.read() as txn:
        snapshot = await txn.zone_snapshot(ZONE)
    assert snapshot is not None and snapshot.signing is not None
    signing = snapshot.signing
    key = ZoneKey.from_pem(
        dns.name.from_text(ZONE), Algorithm(signing.algorithm), signing.private_pem
    )
    return key.key_tag, 1 + len(signing.others)


async def test_a_rollover_from_start_to_end(dnssec: Dnssec, store: Store, clock: Clock) -> None:
    first = await dnssec.enable(ZONE)
    assert first.rollover is None and [k.state for k in first.keys] == ["active"]
    reloads = await _reloads(store)
    started = await dnssec.rollover(ZONE, Algorithm.ED25519)
    old, new = started.keys
    assert (old.state, new.state, new.algorithm) == ("active", "published", "ed25519")
    assert old.key_tag != new.key_tag
    assert started.rollover is not None and started.rollover.phase == "publish"
    assert started.rollover.due_at == clock.now + timedelta(seconds=SOA_TTL + PROPAGATION)
    assert "nothing yet" in started.rollover.next_step
    # The DS for the parent does not move before the new DNSKEY is in every cache.
    assert started.ds == first.ds and started.key_tag == first.key_tag
    assert await _cds_key_tag(store) == (old.key_tag, 2)
    assert await _reloads(store) == reloads + 1

    clock.skip(SOA_TTL + PROPAGATION - 1)
    assert await dnssec.advance() == []
    clock.skip(1)
    assert await dnssec.advance() == [(ZONE, "submit")]
    assert await dnssec.advance() == []
    submit = await dnssec.status(ZONE)
    assert [(k.key_tag, k.state) for k in submit.keys] == [
        (old.key_tag, "leaving"),
        (new.key_tag, "active"),
    ]
    assert submit.ds == (new.ds,) and submit.key_tag == new.key_tag
    assert submit.rollover is not None and submit.rollover.due_at is None
    assert submit.rollover.next_step.startswith("put this DS at the parent in place of the old")
    assert new.ds in submit.rollover.next_step
    assert f"homing dnssec rollover {ZONE} --complete" in submit.rollover.next_step
    assert await _cds_key_tag(store) == (new.key_tag, 2)
    assert await _reloads(store) == reloads + 2

    clock.skip(3600)  # the operator took an hour to change the DS
    retire = await dnssec.complete(ZONE)
    assert [k.state for k in retire.keys] == ["retiring", "active"]
    assert retire.rollover is not None and retire.rollover.phase == "retire"
    assert retire.rollover.due_at == clock.now + timedelta(seconds=PARENT_DS_TTL + PROPAGATION)
    assert await _reloads(store) == reloads + 3
    with pytest.raises(ConflictError, match="complete already"):
        await dnssec.complete(ZONE)
    clock.skip(PARENT_DS_TTL + PROPAGATION)
    assert await dnssec.advance() == [(ZONE, "none")]
    done = await dnssec.status(ZONE)
    assert [(k.key_tag, k.state) for k in done.keys] == [(new.key_tag, "active")]
    assert done.rollover is None and done.algorithm == "ed25519"
    assert await _cds_key_tag(store) == (new.key_tag, 1)
    assert await _reloads(store) == reloads + 4


async def _unchanged(store: Store) -> tuple[int, list[tuple[int, str]]]:
    """The zone's serial and its keys: a refused call must leave both as they were."""
    async with store.read() as txn:
        zone = await txn.zone(ZONE)
        assert zone is not None
        return zone.serial, [(k.id, k.state) for k in await txn.dnssec_keys(zone.id)]


async def test_refusals_write_nothing(dnssec: Dnssec, store: Store) -> None:
    with pytest.raises(ConflictError, match="not signed"):
        await dnssec.rollover(ZONE)
    with pytest.raises(ConflictError, match="not signed"):
        await dnssec.complete(ZONE)
    with pytest.raises(NotFoundError, match="no zone nowhere"):
        await dnssec.rollover("nowhere.example")
    await dnssec.enable(ZONE)
    with pytest.raises(ConflictError, match="no key rollover to complete"):
        await dnssec.complete(ZONE)
    await dnssec.rollover(ZONE)
    before = await _unchanged(store)
    with pytest.raises(ConflictError, match="in a key rollover already"):
        await dnssec.rollover(ZONE)
    with pytest.raises(ConflictError, match="too early"):
        await dnssec.complete(ZONE)
    with pytest.raises(ConflictError, match="signed already"):
        await dnssec.enable(ZONE)
    assert await _unchanged(store) == before


async def test_disable_during_a_rollover_removes_both_keys(dnssec: Dnssec, store: Store) -> None:
    await dnssec.enable(ZONE)
    await dnssec.rollover(ZONE)
    await dnssec.disable(ZONE)
    status = await dnssec.status(ZONE)
    assert (status.signed, status.keys, status.rollover) == (False, (), None)
    async with store.read() as txn:
        assert await txn.rolling_zones() == []
        snapshot = await txn.zone_snapshot(ZONE)
    assert snapshot is not None and snapshot.signing is None
    assert await dnssec.advance() == []
    # Signed again, the zone rolls from a clean start.
    await dnssec.enable(ZONE)
    assert (await dnssec.rollover(ZONE)).rollover is not None

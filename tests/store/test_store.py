"""The store's promises, held on SQLite and on PostgreSQL alike (tests/store/conftest.py).

Two ``Store`` objects on one database stand for two processes or two nodes:
their write transactions must not lose serial bumps, and a follower reading the
journal by id must never skip an entry that a slower commit wrote later.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from homing.core.admin import Admin
from homing.core.tsig import TsigKeys
from homing.domain.records import RRset
from homing.store import schema as t
from homing.store.alerts import alert_cursor, history_after, save_alert_cursor
from homing.store.interface import Storage
from homing.store.location import Backend, Database
from homing.store.reads import as_utc
from homing.store.rows import NewHistory
from homing.store.store import Store

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HIGH_SERIAL = 4_000_000_000
"""Above 2**31: an RFC 1982 serial a 32-bit signed column could not hold."""


async def _zone(store: Store, name: str = "dyn.example") -> int:
    zone = await Admin(store=store, origin="test").add_zone(name)
    return zone.id


async def test_point_reads_find_what_was_written_and_nothing_else(store: Store) -> None:
    admin = Admin(store=store, origin="test")
    await admin.add_zone("dyn.example")
    await admin.add_user("alice", password=None)
    host, secret = await admin.add_host("home.dyn.example", owner="alice")
    assert (await store.find_host("home.dyn.example.")) == host
    assert await store.find_host("away.dyn.example.") is None
    assert (await store.find_hosts(["home.dyn.example.", "away.dyn.example."])).keys() == {
        "home.dyn.example."
    }
    user = await store.find_user("alice")
    assert user is not None and user.name == "alice" and not user.is_admin
    zone = await store.find_zone("dyn.example.")
    assert zone is not None and zone.nameservers
    assert [t.host for t in await store.tokens(host_id=host.id)] == ["home.dyn.example."]
    assert secret not in repr(await store.tokens())
    (token,) = await store.tokens(host_id=host.id)
    assert await store.find_token(token.token_hash) == token
    assert await store.find_token_by_id(token.id) == token
    assert await store.find_token_by_id(token.id + 1) is None


async def test_the_history_after_a_position_reads_the_same_on_both(store: Store) -> None:
    """The alert follower's page (``history_after``: the driver on SQLite) and its limit."""
    rows = [
        NewHistory(
            at=NOW, host_id=None, fqdn=f"h{n}.dyn.example.", outcome="good", front_door="api"
        )
        for n in range(5)
    ]
    async with store.write() as txn:
        await txn.add_history(rows)
    page = await history_after(store, 0, limit=3)
    assert [r.fqdn for r in page] == ["h0.dyn.example.", "h1.dyn.example.", "h2.dyn.example."]
    assert as_utc(page[0].at) == NOW
    rest = await history_after(store, page[-1].id, limit=3)
    assert [r.fqdn for r in rest] == ["h3.dyn.example.", "h4.dyn.example."]
    assert await history_after(store, rest[-1].id, limit=3) == []
    with pytest.raises(ValueError, match="POINT_READS"):
        await store.rows_of(select(t.users), {})


@pytest.mark.parametrize("inline", [False, True])
async def test_a_serial_goes_to_the_time_or_one_more_and_wraps_to_one(
    store: Store, inline: bool
) -> None:
    zone_id = await _zone(store)
    now = int(time.time())
    for before, after in ((5, now), (HIGH_SERIAL, HIGH_SERIAL + 1), (2**32 - 1, 1)):
        async with store.write(inline=inline) as txn:
            await txn.update_row("zones", zone_id, serial=before)
        async with store.write(inline=inline) as txn:
            bumped = await txn.bump_serial(zone_id)
        zone = await store.find_zone("dyn.example.")
        assert zone is not None
        assert after <= bumped == zone.serial <= (after if after != now else int(time.time()))


async def test_serial_bumps_of_two_writers_are_never_lost(database: Database) -> None:
    one, two = await Store.open(database), Store(database)
    try:
        zone_id = await _zone(one)
        async with one.write() as txn:
            await txn.update_row("zones", zone_id, serial=HIGH_SERIAL)
        rounds = 15

        async def bump(store: Store) -> None:
            for _ in range(rounds):
                async with store.write() as txn:
                    await txn.bump_serial(zone_id)

        await asyncio.gather(bump(one), bump(two))
        zone = await two.find_zone("dyn.example.")
        assert zone is not None and zone.serial == HIGH_SERIAL + 2 * rounds
    finally:
        await one.close()
        await two.close()


async def test_a_journal_follower_never_skips_an_entry(database: Database) -> None:
    """Ids read in order are commit order: entries seen one page at a time are all of them."""
    writers = [await Store.open(database), Store(database)]
    follower = Store(database)
    try:
        zone_id = await _zone(writers[0])
        done = asyncio.Event()

        async def write(store: Store, mark: str) -> None:
            for i in range(20):
                async with store.write() as txn:
                    serial = await txn.bump_serial(zone_id)
                    await txn.append_journal(
                        zone_id=zone_id,
                        zone="dyn.example.",
                        serial=serial,
                        kind="change",
                        origin=mark,
                        payload=str(i),
                        at=NOW,
                    )
                    await asyncio.sleep(0)

        async def follow() -> list[int]:
            seen: list[int] = []
            last = 0
            while True:
                finished = done.is_set()
                async with follower.read() as txn:
                    for entry in await txn.journal_after(last):
                        seen.append(entry.id)
                        last = entry.id
                if finished:
                    return seen
                await asyncio.sleep(0.001)

        following = asyncio.create_task(follow())
        await asyncio.gather(*(write(s, f"w{n}") for n, s in enumerate(writers)))
        done.set()
        seen = await following
        everything = [e.id for e in await follower.zone_journal("dyn.example.")]
        assert seen == everything
        serials = [e.serial for e in await follower.zone_journal("dyn.example.")]
        assert serials == sorted(serials) and len(set(serials)) == len(serials)
    finally:
        for store in (*writers, follower):
            await store.close()


async def test_tsig_keys_reach_the_keyring_of_every_process(database: Database) -> None:
    here, there = await Store.open(database), await Store.open(database)
    try:
        await _zone(here)
        row, _secret = await TsigKeys(store=here).add("k1", zone="dyn.example")
        assert here.lookup_tsig_key("k1.") == row
        deadline = time.monotonic() + 5
        while there.lookup_tsig_key("k1.") is None:
            assert time.monotonic() < deadline, "the other process never saw the new key"
            await asyncio.sleep(0.05)
        await TsigKeys(store=here).remove("k1")
        assert here.lookup_tsig_key("k1.") is None
        while there.lookup_tsig_key("k1.") is not None:
            assert time.monotonic() < deadline, "the other process kept a removed key"
            await asyncio.sleep(0.05)
    finally:
        await here.close()
        await there.close()


async def test_ids_given_by_a_bulk_insert_are_not_handed_out_again(store: Store) -> None:
    zone_id = await _zone(store)
    user = await Admin(store=store, origin="test").add_user("alice", password=None)
    async with store.write() as txn:
        first = await txn.max_id("hosts") + 1
        await txn.insert_many(
            "hosts",
            [
                {
                    "id": first + i,
                    "zone_id": zone_id,
                    "owner_id": user.id,
                    "fqdn": f"h{i}.dyn.example.",
                    "ttl": 60,
                    "wildcard": False,
                    "offline": False,
                    "created_at": NOW,
                    "nochg_count": 0,
                }
                for i in range(3)
            ],
        )
    host, _token = await Admin(store=store, origin="test").add_host(
        "new.dyn.example", owner="alice"
    )
    assert host.id == first + 3


async def test_hostile_lengths_and_long_rdata_are_stored_on_both(store: Store) -> None:
    """Lengths are the core's to check: an over-long refused name must not fail the batch."""
    zone_id = await _zone(store)
    long_name = "x" * 1000
    long_txt = '"' + "t" * 3000 + '"'
    async with store.write() as txn:
        await txn.add_history(
            [
                NewHistory(
                    at=NOW,
                    host_id=None,
                    fqdn=long_name,
                    outcome="notfqdn",
                    front_door="dyndns2",
                    source="s" * 200,
                    credential="c" * 300,
                )
            ]
        )
        await txn.replace_rrsets([(zone_id, None, RRset("t.dyn.example.", "TXT", 60, (long_txt,)))])
    [row] = await store.history(limit=1)
    assert row.fqdn == long_name and row.credential == "c" * 300
    async with store.read() as txn:
        records = await txn.records_named(zone_id, ["t.dyn.example."])
    assert [r.rdata for r in records] == [long_txt]


async def test_upserts_insert_once_then_update(store: Store) -> None:
    assert await alert_cursor(store) is None
    await save_alert_cursor(store, 5)
    await save_alert_cursor(store, 9)
    assert await alert_cursor(store) == 9


async def test_times_come_back_as_the_same_instant(store: Store) -> None:
    await _zone(store)
    async with store.write() as txn:
        await txn.add_history(
            [NewHistory(at=NOW, host_id=None, fqdn=None, outcome="good", front_door="api")]
        )
    [row] = await store.history(limit=1)
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    assert at == NOW
    if store.backend is Backend.POSTGRESQL:
        assert row.at.utcoffset() is not None and row.at.utcoffset().total_seconds() == 0


async def test_the_store_is_every_slice_of_its_interface(store: Store) -> None:
    """mypy checks the signatures (store/interface.py); this checks the same object at run time."""
    assert isinstance(store, Storage)
    async with store.write() as txn:
        assert {"bump_serial", "append_journal", "replace_rrsets"} <= set(dir(txn))


async def _journal_commit(store: Store, zone_id: int) -> None:
    async with store.write() as txn:
        await txn.append_journal(
            zone_id=zone_id,
            zone="dyn.example.",
            serial=await txn.bump_serial(zone_id),
            kind="change",
            origin="test",
            payload="",
            at=NOW,
        )


async def test_a_journal_commit_wakes_the_other_processes_not_itself(database: Database) -> None:
    """PostgreSQL's NOTIFY reaches the other nodes; SQLite has only the writer's poll.

    Notices arrive in commit order: when ``here`` hears ``there``'s commit, its own
    earlier one would already have woken it, had it not been filtered out.
    """
    here, there = await Store.open(database), await Store.open(database)
    woken = {"here": 0, "there": 0}
    heard = {name: asyncio.Event() for name in woken}

    def wake(name: str) -> None:
        woken[name] += 1
        heard[name].set()

    try:
        zone_id = await _zone(here)
        here.follow_commits(lambda: wake("here"))
        there.follow_commits(lambda: wake("there"))
        if database.backend is Backend.SQLITE:
            await _journal_commit(here, zone_id)
            assert woken == {"here": 0, "there": 0}
            return
        # Each listener wakes once when it starts listening (the catch-up after connecting).
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in heard.values())), 10)
        for event in heard.values():
            event.clear()
        await _journal_commit(here, zone_id)
        await asyncio.wait_for(heard["there"].wait(), 10)
        await _journal_commit(there, zone_id)
        await asyncio.wait_for(heard["here"].wait(), 10)
        assert woken == {"here": 2, "there": 2}
    finally:
        await here.close()
        await there.close()


async def test_a_zone_snapshot_groups_the_records_it_read(store: Store) -> None:
    zone_id = await _zone(store)
    async with store.write() as txn:
        await txn.replace_rrsets(
            [
                (zone_id, None, RRset("a.dyn.example.", "A", 60, ("192.0.2.1", "192.0.2.2"))),
                (zone_id, None, RRset("a.dyn.example.", "TXT", 30, ('"x"',))),
            ]
        )
    async with store.read() as txn:
        snapshot = await txn.zone_snapshot("dyn.example.")
    assert snapshot is not None and snapshot.zone == "dyn.example."
    assert {(r.name, r.rtype, r.ttl, tuple(sorted(r.rdatas))) for r in snapshot.rrsets} == {
        ("a.dyn.example.", "A", 60, ("192.0.2.1", "192.0.2.2")),
        ("a.dyn.example.", "TXT", 30, ('"x"',)),
    }

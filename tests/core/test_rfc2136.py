"""The RFC 2136 use case over the real writer and store: scope, refusals, atomic changes."""

from __future__ import annotations

import os

from homing.core.rfc2136 import DynamicUpdates, ReplayGuard
from homing.core.tsig import TsigKeys
from homing.domain.dnsupdate import UpdateRcode, UpdateRR
from homing.domain.records import ZoneChange
from support import Core

ZONE = "dyn.example."


async def setup(core: Core) -> DynamicUpdates:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    await core.admin.add_host("home.dyn.example", owner="alice")
    return DynamicUpdates(
        store=core.store,
        writer=core.writer,
        brake=core.brake,
        refusals=core.refusals,
        unsigned_from=["10.0.0.0/8"],
    )


def add(name: str, rtype: str, rdata: str) -> UpdateRR:
    return UpdateRR(name, rtype, "IN", 60, rdata)


async def test_scoped_key_changes_only_its_names_and_types(core: Core) -> None:
    updates = await setup(core)
    key, _ = await TsigKeys(store=core.store).add(
        "home-key", zone="dyn.example", names=["home.dyn.example", "*.home.dyn.example"]
    )
    ok = await updates.apply(
        zone=ZONE,
        prerequisites=[],
        updates=[
            add("home.dyn.example.", "A", "192.0.2.5"),
            add("x.home.dyn.example.", "TXT", '"t"'),
        ],
        key=key,
        source="192.0.2.200",
        mac=os.urandom(32),
    )
    assert ok is UpdateRcode.NOERROR
    changes = [e for e in core.events if isinstance(e, ZoneChange)]
    assert {r.name for r in changes[-1].rrsets} == {"home.dyn.example.", "x.home.dyn.example."}
    for outside in (
        add("other.dyn.example.", "A", "192.0.2.6"),
        add("home.dyn.example.", "MX", "10 mx.example."),
    ):
        refused = await updates.apply(
            zone=ZONE,
            prerequisites=[],
            updates=[outside],
            key=key,
            source="192.0.2.200",
            mac=os.urandom(32),
        )
        assert refused is UpdateRcode.REFUSED
    core.refusals.flush()  # the second refusal of the window is counted, written when it ends
    await core.writer.sync()
    history = await core.store.history(limit=10)
    refusals = [h for h in history if h.outcome == "badauth" and h.front_door == "rfc2136"]
    assert sum(h.count for h in refusals) == 2
    assert all(h.credential == "tsig:home-key." and h.source == "192.0.2.200" for h in refusals)
    host = await core.store.find_host("home.dyn.example.")
    assert host is not None
    records = {(r.name, r.rtype) for r in await core.store.host_records(host.id)}
    assert records == {("home.dyn.example.", "A")}


async def test_delete_all_at_a_name_keeps_types_outside_the_scope(core: Core) -> None:
    updates = await setup(core)
    wide, _ = await TsigKeys(store=core.store).add(
        "wide", zone="dyn.example", types=["A", "AAAA", "TXT", "MX"]
    )
    narrow, _ = await TsigKeys(store=core.store).add("narrow", zone="dyn.example", types=["TXT"])
    await updates.apply(
        zone=ZONE,
        prerequisites=[],
        updates=[add("svc.dyn.example.", "A", "192.0.2.7"), add("svc.dyn.example.", "TXT", '"v"')],
        key=wide,
        source="192.0.2.1",
        mac=os.urandom(32),
    )
    result = await updates.apply(
        zone=ZONE,
        prerequisites=[],
        updates=[UpdateRR("svc.dyn.example.", "ANY", "ANY", 0, None)],
        key=narrow,
        source="192.0.2.1",
        mac=os.urandom(32),
    )
    assert result is UpdateRcode.NOERROR
    last = [e for e in core.events if isinstance(e, ZoneChange)][-1]
    assert [(r.rtype, r.rdatas) for r in last.rrsets] == [("TXT", ())]


async def test_unsigned_updates_only_from_listed_networks(core: Core) -> None:
    updates = await setup(core)
    update = [add("lan.dyn.example.", "A", "10.1.2.3")]
    refused = await updates.apply(
        zone=ZONE, prerequisites=[], updates=update, key=None, source="192.0.2.9"
    )
    assert refused is UpdateRcode.REFUSED
    allowed = await updates.apply(
        zone=ZONE, prerequisites=[], updates=update, key=None, source="10.9.9.9"
    )
    assert allowed is UpdateRcode.NOERROR


async def test_key_of_another_zone_and_unknown_zone(core: Core) -> None:
    updates = await setup(core)
    await core.admin.add_zone("other.example")
    key, _ = await TsigKeys(store=core.store).add("k", zone="other.example")
    update = [add("a.dyn.example.", "A", "192.0.2.1")]
    assert (
        await updates.apply(zone=ZONE, prerequisites=[], updates=update, key=key, source="::1")
        is UpdateRcode.REFUSED
    )
    unsigned = DynamicUpdates(
        store=core.store,
        writer=core.writer,
        brake=core.brake,
        refusals=core.refusals,
        unsigned_from=["::1/128"],
    )
    assert (
        await unsigned.apply(
            zone="nowhere.example.",
            prerequisites=[],
            updates=[add("a.nowhere.example.", "A", "192.0.2.1")],
            key=None,
            source="::1",
        )
        is UpdateRcode.NOTAUTH
    )


async def test_a_signed_update_is_accepted_once(core: Core) -> None:
    updates = await setup(core)
    key, _ = await TsigKeys(store=core.store).add("k", zone="dyn.example")
    mac = os.urandom(32)
    update = [add("a.dyn.example.", "A", "192.0.2.1")]
    first = await updates.apply(
        zone=ZONE, prerequisites=[], updates=update, key=key, source="::1", mac=mac
    )
    assert first is UpdateRcode.NOERROR
    again = await updates.apply(
        zone=ZONE, prerequisites=[], updates=update, key=key, source="::1", mac=mac
    )
    assert again is UpdateRcode.REFUSED
    await core.writer.sync()
    (refusal,) = [h for h in await core.store.history(limit=5) if h.outcome == "badauth"]
    assert refusal.detail == "REFUSED: replayed signed update"


def test_replay_guard_forgets_after_the_window() -> None:
    guard = ReplayGuard(window=0.0)
    assert guard.first_time(b"mac")
    assert guard.first_time(b"mac")
    guard = ReplayGuard()
    assert guard.first_time(b"mac") and not guard.first_time(b"mac")
    assert guard.first_time(b"other")


async def test_bad_signatures_are_kept_in_the_history_but_bounded(core: Core) -> None:
    updates = await setup(core)
    checked = 0
    for _ in range(50):
        check = updates.tsig_check("192.0.2.66")
        if check.admitted():
            checked += 1
            check.failed("BADSIG")
        check.close()
    assert checked == core.brake.limits.max_failures  # then refused before any check
    assert updates.tsig_check("192.0.2.67").admitted()  # a key is never locked, a source is
    await core.writer.sync()
    rows = [h for h in await core.store.history(limit=100) if h.source == "192.0.2.66"]
    assert 1 <= len(rows) <= 20
    assert rows[-1].detail == "NOTAUTH: TSIG BADSIG" and rows[-1].front_door == "rfc2136"
    assert {r.outcome for r in rows} == {"badauth", "abuse"}

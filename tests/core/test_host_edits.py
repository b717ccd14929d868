"""Host edits in the writer's transaction: followers move with their leader, atomically."""

from __future__ import annotations

import ipaddress

from homing.core.auth import Principal
from homing.domain.edits import HostEdit
from homing.domain.host_settings import Ipv6SettingsChange
from homing.domain.outcomes import AuthOutcome, FrontDoor, UpdateOutcome
from homing.domain.prefixes import parse_prefix
from homing.domain.records import ZoneChange
from support import Core


async def _principal(core: Core) -> Principal:
    authn = await core.auth.basic(
        "alice", "alice-password", source="192.0.2.1", front_door=FrontDoor.DYNDNS2
    )
    assert authn.outcome is AuthOutcome.OK and authn.principal is not None
    return authn.principal


async def _aaaa(core: Core, fqdn: str) -> list[str]:
    host = await core.store.find_host(fqdn)
    assert host is not None
    return sorted(r.rdata for r in await core.store.host_records(host.id) if r.rtype == "AAAA")


async def test_one_update_moves_every_follower_in_one_zone_change(core: Core) -> None:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    await core.admin.add_user("bob", password="bob-password")
    for name, owner in (("home", "alice"), ("nas", "alice"), ("tv", "alice"), ("bob", "bob")):
        await core.admin.add_host(f"{name}.dyn.example", owner=owner)
    for name, iid in (("nas", "::11"), ("tv", "::22")):
        await core.admin.update_host(
            f"{name}.dyn.example",
            ipv6=Ipv6SettingsChange(interface_id=iid, follows="home.dyn.example"),
        )
    # A follow link across owners (say, after a host changed hands) is never used.
    bob = await core.store.find_host("bob.dyn.example.")
    home = await core.store.find_host("home.dyn.example.")
    assert bob is not None and home is not None
    async with core.store.write() as txn:
        await txn.update_row("hosts", bob.id, follows_id=home.id, ipv6_interface_id="::33")
    serial_events = len(core.events)
    results = await core.updates.apply_update(
        await _principal(core),
        hostnames=["home.dyn.example"],
        edit=HostEdit(
            ipv4=ipaddress.IPv4Address("198.51.100.7"),
            ipv6=ipaddress.IPv6Address("2001:db8:4:5::1"),
        ),
        source="192.0.2.1",
        front_door=FrontDoor.DYNDNS2,
    )
    assert [r.outcome for r in results] == [UpdateOutcome.GOOD]
    changes = [e for e in core.events[serial_events:] if isinstance(e, ZoneChange)]
    assert len(changes) == 1  # one transaction, one serial, one journal entry, one NOTIFY
    changed = {(rr.name, rr.rtype): rr.rdatas for rr in changes[0].rrsets}
    assert changed[("nas.dyn.example.", "AAAA")] == ("2001:db8:4:5::11",)
    assert changed[("tv.dyn.example.", "A")] == ("198.51.100.7",)
    assert ("bob.dyn.example.", "AAAA") not in changed
    assert await _aaaa(core, "tv.dyn.example.") == ["2001:db8:4:5::22"]
    assert await _aaaa(core, "bob.dyn.example.") == []
    nas = await core.store.find_host("nas.dyn.example.")
    assert nas is not None
    history = await core.store.history(host_id=nas.id, limit=5)
    assert [(h.outcome, h.detail) for h in history] == [("good", "follows home.dyn.example.")]


async def test_a_prefix_without_anything_to_keep_is_badinput_and_changes_nothing(
    core: Core,
) -> None:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    await core.admin.add_host("home.dyn.example", owner="alice")
    before = len(core.events)
    results = await core.updates.apply_update(
        await _principal(core),
        hostnames=["home.dyn.example"],
        edit=HostEdit(ipv6_prefix=parse_prefix("2001:db8:9::/64")),
        source="192.0.2.1",
        front_door=FrontDoor.DYNDNS2,
    )
    assert [r.outcome for r in results] == [UpdateOutcome.BADINPUT]
    assert "needs an AAAA record or an IPv6 interface identifier" in results[0].detail
    assert not [e for e in core.events[before:] if isinstance(e, ZoneChange)]
    assert await _aaaa(core, "home.dyn.example.") == []


async def test_a_new_follower_takes_its_leaders_addresses_at_once(core: Core) -> None:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    for name in ("home", "nas", "bare"):
        await core.admin.add_host(f"{name}.dyn.example", owner="alice")
    await core.updates.apply_update(
        await _principal(core),
        hostnames=["home.dyn.example"],
        edit=HostEdit(
            ipv4=ipaddress.IPv4Address("198.51.100.8"),
            ipv6=ipaddress.IPv6Address("2001:db8:6:7::1"),
        ),
        source="192.0.2.1",
        front_door=FrontDoor.DYNDNS2,
    )
    await core.admin.update_host(
        "nas.dyn.example",
        ipv6=Ipv6SettingsChange(interface_id="::11", follows="home.dyn.example"),
    )
    assert await _aaaa(core, "nas.dyn.example.") == ["2001:db8:6:7::11"]
    # Without an identifier or an AAAA of its own, a follower takes the IPv4 address only.
    await core.admin.update_host("bare.dyn.example", ipv6=Ipv6SettingsChange(follows="home"))
    bare = await core.store.find_host("bare.dyn.example.")
    assert bare is not None
    records = await core.store.host_records(bare.id)
    assert [(r.rtype, r.rdata) for r in records] == [("A", "198.51.100.8")]
    await core.writer.sync()  # the journal carries it to the running writer's view
    assert any(
        isinstance(e, ZoneChange)
        and any(rr.name == "nas.dyn.example." and rr.rtype == "AAAA" for rr in e.rrsets)
        for e in core.events
    )

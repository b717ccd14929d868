"""Write-transaction statements that carry rules of their own: journal pruning, and the
hosts of an update read with their followers in one statement."""

from __future__ import annotations

from homing.core.rfc2136 import DynamicUpdates
from homing.domain.dnsupdate import UpdateRcode, UpdateRR
from support import Core


async def test_prune_keeps_the_newest_entries_of_each_zone(core: Core) -> None:
    for zone in ("one.example", "two.example"):
        await core.admin.add_zone(zone)
    updates = DynamicUpdates(
        store=core.store,
        writer=core.writer,
        brake=core.brake,
        refusals=core.refusals,
        unsigned_from=["192.0.2.0/24"],
    )
    for i in range(6):
        rcode = await updates.apply(
            zone="one.example.",
            prerequisites=[],
            updates=[UpdateRR(f"h{i}.one.example.", "A", "IN", 60, "192.0.2.1")],
            key=None,
            source="192.0.2.1",
        )
        assert rcode is UpdateRcode.NOERROR
    await core.admin.add_zone("gone.example")
    await core.admin.remove_zone("gone.example")
    before = await core.store.zone_journal("one.example.")
    assert len(before) > 3
    async with core.store.write() as txn:
        removed = await txn.prune_journal(keep=3, removed_after=0)
    after = await core.store.zone_journal("one.example.")
    assert [e.id for e in after] == [e.id for e in before[-3:]]
    assert len(await core.store.zone_journal("two.example.")) == 1
    assert removed == len(before) - 3 + 1  # and the removal marker of gone.example


async def test_hosts_and_their_followers_in_one_read_are_the_two_reads_it_replaces(
    core: Core,
) -> None:
    await core.admin.add_zone("dyn.example")
    for user in ("alice", "bob"):
        await core.admin.add_user(user, password="a long password here")
    owners = {"a": "alice", "b": "alice", "c": "alice", "d": "bob", "e": "alice", "f": "alice"}
    for name, owner in owners.items():
        await core.admin.add_host(f"{name}.dyn.example", owner=owner)
    async with core.store.read() as txn:
        ids = {h.fqdn[0]: h.id for h in await txn.hosts()}
    # b and c follow a (so does bob's d, which must not count); e follows b; f follows no one.
    async with core.store.write() as txn:
        for follower, leader in (("b", "a"), ("c", "a"), ("d", "a"), ("e", "b")):
            await txn.update_row("hosts", ids[follower], follows_id=ids[leader])
    for wanted in ([ids["a"], ids["b"], 999_999], [ids["e"]], [ids["f"], ids["d"]], []):
        async with core.store.read() as txn:
            hosts, followers = await txn.hosts_and_followers(wanted)
            by_id = await txn.hosts_by_id(wanted)
            expected = await txn.followers_of(by_id.values())
        assert hosts == by_id
        assert dict(followers) == dict(expected)
    assert [h.fqdn for h in followers.get(ids["a"], [])] == []  # the last ask had no ids
    async with core.store.read() as txn:
        _, followers = await txn.hosts_and_followers([ids["a"]])
    assert [h.fqdn for h in followers[ids["a"]]] == ["b.dyn.example.", "c.dyn.example."]

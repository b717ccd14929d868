"""Write-transaction statements that carry rules of their own: journal pruning."""

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

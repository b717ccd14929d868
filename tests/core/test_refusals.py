"""Refusals: the first of a window written at once, the rest one row with their count."""

from __future__ import annotations

from homing.core.refusals import Refusals
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from support import Core


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_one_row_per_source_and_window_with_its_count(core: Core) -> None:
    clock = Clock()
    refusals = Refusals(writer=core.writer, window=60, clock=clock)
    opened = [
        refusals.record(front_door=FrontDoor.DYNDNS2, source="192.0.2.9", detail="wrong")
        for _ in range(300)
    ]
    assert opened == [True] + [False] * 299
    other = refusals.record(front_door=FrontDoor.DYNDNS2, source="192.0.2.10", detail="wrong")
    locked = refusals.record(
        front_door=FrontDoor.DYNDNS2, source="192.0.2.9", detail="x", outcome=UpdateOutcome.ABUSE
    )
    assert other and locked  # another source, another outcome: their own windows
    clock.now = 61
    assert refusals.record(front_door=FrontDoor.DYNDNS2, source="192.0.2.9", detail="wrong")
    refusals.flush()
    await core.writer.sync()
    rows = [(r.source, r.outcome, r.count) for r in reversed(await core.store.history())]
    assert rows == [
        ("192.0.2.9", "badauth", 1),
        ("192.0.2.10", "badauth", 1),
        ("192.0.2.9", "abuse", 1),
        ("192.0.2.9", "badauth", 299),
        ("192.0.2.9", "badauth", 1),
    ]

"""TCPSlots: the per-source cap, the fair share when full, and busy connections kept."""

from __future__ import annotations

import asyncio

from homing.nameserver.tcp_slots import TCPSlots


def _tasks(count: int) -> list[asyncio.Task[None]]:
    return [asyncio.ensure_future(asyncio.sleep(3600)) for _ in range(count)]


async def test_a_busy_connection_is_never_the_one_shed() -> None:
    slots = TCPSlots(total=3, per_source=3)
    first, second, third, newcomer = _tasks(4)
    for task in (first, second, third):
        assert slots.admit("192.0.2.1", task)
    slots.busy("192.0.2.1", first, True)
    assert slots.admit("198.51.100.7", newcomer)
    await asyncio.sleep(0)
    assert not first.cancelled()
    assert second.cancelled()
    assert len(slots) == 3
    for task in (first, third, newcomer):
        task.cancel()


async def test_only_busy_connections_means_the_newcomer_waits() -> None:
    slots = TCPSlots(total=2, per_source=2)
    first, second, newcomer = _tasks(3)
    for task in (first, second):
        assert slots.admit("192.0.2.1", task)
        slots.busy("192.0.2.1", task, True)
    assert not slots.admit("198.51.100.7", newcomer)
    assert (slots.refused, slots.evicted, len(slots)) == (1, 0, 2)
    for task in (first, second, newcomer):
        task.cancel()


async def test_release_is_idempotent_and_frees_the_source() -> None:
    slots = TCPSlots(total=1, per_source=1)
    (task,) = _tasks(1)
    assert slots.admit("192.0.2.1", task)
    slots.release("192.0.2.1", task)
    slots.release("192.0.2.1", task)
    assert len(slots) == 0
    assert slots.admit("192.0.2.1", task)
    task.cancel()

"""``/health``'s write check: the probe, and writes that failed in the store meanwhile.

A full disk is driven for real in tests/integration/test_hardening.py; here
the writer is a stand-in whose probe always commits, so only a failed write
reported to its commit listeners can make the check fail.
"""

from __future__ import annotations

from homing.core.writer import BatchCommitted, CommitListener
from homing.http.protocols.health import FAILED_WRITE_SECONDS, PROBE_SECONDS, WriteCheck


class ProbeAlwaysCommits:
    """The part of ``ChangeWriter`` the check uses."""

    def __init__(self) -> None:
        self.listeners: list[CommitListener] = []
        self.probes = 0

    def on_commit(self, listener: CommitListener) -> None:
        self.listeners.append(listener)

    async def probe(self) -> None:
        self.probes += 1

    def report(self, batch: BatchCommitted) -> None:
        for listener in self.listeners:
            listener(batch)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _failed(*, store: bool) -> BatchCommitted:
    return BatchCommitted(jobs=1, seconds=0.01, ok=False, store_failed=store)


async def test_a_write_that_failed_in_the_store_fails_the_check_for_a_while() -> None:
    writer, clock = ProbeAlwaysCommits(), Clock()
    check = WriteCheck(writer, clock=clock)  # type: ignore[arg-type]
    assert await check.writable()
    writer.report(_failed(store=True))
    clock.now += FAILED_WRITE_SECONDS - 1
    assert not await check.writable(), "the probe commits, but an update failed"
    writer.report(_failed(store=True))  # failing again: the time counts from here
    clock.now += FAILED_WRITE_SECONDS - 1
    assert not await check.writable()
    clock.now += 1
    assert await check.writable()
    assert writer.probes == 2


async def test_a_write_refused_for_what_it_asked_leaves_the_check_alone() -> None:
    writer, clock = ProbeAlwaysCommits(), Clock()
    check = WriteCheck(writer, clock=clock)  # type: ignore[arg-type]
    writer.report(_failed(store=False))
    writer.report(BatchCommitted(jobs=3, seconds=0.01, ok=True))
    assert await check.writable()
    clock.now += PROBE_SECONDS / 2
    assert await check.writable()
    assert writer.probes == 1, "the probe's result is shared between requests"

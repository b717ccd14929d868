"""Who may hold one of the DNS server's TCP connections: a cap per source and a fair share.

TCP costs the server a socket and a task per connection for as long as the
client keeps it, so one client could hold every slot and lock everyone else
out (1,100 connections from one address did, before these limits). Each
source address may hold at most ``per_source`` connections. When all
``total`` slots are taken, a newcomer still gets in if some source holds
more than its share: that source's oldest idle connection (waiting for a
query, not in the middle of answering one) is closed to make room, as a
server under a connection flood must shed someone and the biggest holder is
the fairest choice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(slots=True)
class _Slot:
    source: str
    task: asyncio.Task[None]
    busy: bool = False


class TCPSlots:
    """Admits and evicts TCP connections (see the module docstring)."""

    def __init__(self, *, total: int, per_source: int) -> None:
        self.total = total
        self.per_source = per_source
        self._by_source: dict[str, dict[asyncio.Task[None], _Slot]] = {}
        self._count = 0
        self.refused = 0
        self.evicted = 0

    def __len__(self) -> int:
        return self._count

    def tasks(self) -> list[asyncio.Task[None]]:
        """Every connection's task (to stop them all)."""
        return [task for held in self._by_source.values() for task in held]

    def admit(self, source: str, task: asyncio.Task[None]) -> bool:
        """Take a slot for ``task``; False when the source or the server has none to give."""
        held = self._by_source.get(source, {})
        if len(held) >= self.per_source or (self._count >= self.total and not self._evict(held)):
            self.refused += 1
            return False
        self._by_source.setdefault(source, held)[task] = _Slot(source, task)
        self._count += 1
        return True

    def release(self, source: str, task: asyncio.Task[None]) -> None:
        """Give the slot back (a no-op for a connection already evicted)."""
        held = self._by_source.get(source)
        if held is None or held.pop(task, None) is None:
            return
        self._count -= 1
        if not held:
            del self._by_source[source]

    def busy(self, source: str, task: asyncio.Task[None], busy: bool) -> None:
        """Mark a connection as answering (never evicted then) or waiting (evictable)."""
        held = self._by_source.get(source)
        slot = held.get(task) if held else None
        if slot is not None:
            slot.busy = busy

    def _evict(self, newcomer: dict[asyncio.Task[None], _Slot]) -> bool:
        biggest = max(self._by_source.values(), key=len, default={})
        if len(biggest) <= len(newcomer) + 1:
            return False
        for slot in biggest.values():
            if not slot.busy:
                slot.task.cancel()
                self.release(slot.source, slot.task)
                self.evicted += 1
                return True
        return False

"""Delivery in the background: a bounded queue and a worker per destination, with retries.

``post`` puts an alert in its destination's queue and returns at once; a
worker per destination (started when there is work, gone when there is
none) delivers in order, retrying transient failures after 1, 2, 4, ...
times ``retry_seconds`` (with jitter, capped at ``RETRY_CAP_SECONDS``). So a
slow or dead receiver holds back only its own alerts, never an update and
never other users' alerts. A full queue drops the new alert with a warning:
a receiver that has been down for days must not grow the provider's memory.
Every alert ends in exactly one ``on_done`` call (delivered, given up or
dropped), which is what lets the follower move its cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from homing.alerts.rules import Alert
from homing.alerts.senders import DeliveryError, Sender

log = logging.getLogger(__name__)

RETRY_CAP_SECONDS = 900.0


@dataclass(frozen=True, slots=True)
class Destination:
    """Where an alert goes: a channel (``email``, ``webhook``) and an address on it."""

    channel: str
    address: str

    def __str__(self) -> str:
        return f"{self.channel} {self.address}"


Done = Callable[[Alert], None]


@dataclass(slots=True)
class _Item:
    alert: Alert
    on_done: Done | None


class Outbox:
    """Queues and workers per destination (see the module docstring)."""

    def __init__(
        self,
        senders: Mapping[str, Sender],
        *,
        attempts: int,
        retry_seconds: float,
        queue_size: int,
        rng: random.Random | None = None,
    ) -> None:
        self._senders = dict(senders)
        self._attempts = attempts
        self._retry_seconds = retry_seconds
        self._queue_size = queue_size
        self._rng = rng or random.Random()
        self._queues: dict[Destination, asyncio.Queue[_Item]] = {}
        self._workers: dict[Destination, asyncio.Task[None]] = {}
        self.results: Counter[tuple[str, str]] = Counter()
        """(channel, delivered|failed|dropped) → alerts, for /metrics."""

    @property
    def channels(self) -> frozenset[str]:
        """The channels this outbox can deliver on (email needs an SMTP server)."""
        return frozenset(self._senders)

    def pending(self) -> int:
        """Alerts queued or being delivered."""
        return sum(q.qsize() for q in self._queues.values()) + len(self._workers)

    def post(self, destination: Destination, alert: Alert, on_done: Done | None = None) -> bool:
        """Queue ``alert`` for ``destination``; False (and ``on_done`` now) if dropped."""
        queue = self._queues.get(destination)
        if queue is None:
            queue = self._queues[destination] = asyncio.Queue(self._queue_size)
        if destination.channel not in self._senders or queue.full():
            why = "queue full" if queue.full() else "channel not configured"
            log.warning("%s alert for %s dropped: %s", alert.kind.value, destination, why)
            self.results[destination.channel, "dropped"] += 1
            if on_done is not None:
                on_done(alert)
            return False
        queue.put_nowait(_Item(alert, on_done))
        if destination not in self._workers:
            self._workers[destination] = asyncio.get_running_loop().create_task(
                self._work(destination, queue), name=f"alerts-{destination.channel}"
            )
        return True

    async def _work(self, destination: Destination, queue: asyncio.Queue[_Item]) -> None:
        try:
            while not queue.empty():
                item = queue.get_nowait()
                # Cancelled (stop) means unfinished: no on_done, so the cursor stays before it.
                await self._deliver(destination, item.alert)
                if item.on_done is not None:
                    item.on_done(item.alert)
        finally:
            # No await between the empty check and here: a post() now starts a new worker.
            self._workers.pop(destination, None)
            if queue.empty():
                self._queues.pop(destination, None)

    async def _deliver(self, destination: Destination, alert: Alert) -> None:
        sender = self._senders[destination.channel]
        for attempt in range(1, self._attempts + 1):
            try:
                await sender.send(destination.address, alert)
            except Exception as exc:
                if not isinstance(exc, DeliveryError):
                    log.exception(
                        "%s alert to %s failed unexpectedly", alert.kind.value, destination
                    )
                    exc = DeliveryError(str(exc))
                log.warning(
                    "%s alert to %s, try %d of %d: %s",
                    alert.kind.value,
                    destination,
                    attempt,
                    self._attempts,
                    exc,
                )
                if exc.permanent:
                    break
            else:
                self.results[destination.channel, "delivered"] += 1
                log.info("%s alert delivered to %s", alert.kind.value, destination)
                return
            if attempt < self._attempts:
                wait = min(RETRY_CAP_SECONDS, self._retry_seconds * 2 ** (attempt - 1))
                await asyncio.sleep(wait * self._rng.uniform(0.5, 1.0))
        self.results[destination.channel, "failed"] += 1
        log.warning("%s alert to %s given up", alert.kind.value, destination)

    async def stop(self) -> None:
        """Cancel the workers; what they had not delivered is read again after a restart."""
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker

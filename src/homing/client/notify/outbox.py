"""Delivers events in the background, each channel on its own, with retries.

``post`` only puts an event in a queue and returns, so an update never
waits for a notification; each channel has its own worker, so a slow
webhook never holds back the heartbeat. A delivery that keeps failing is
dropped with a warning after ``attempts`` tries: notifications must not
pile up while a receiver is down for days.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Sequence

from homing.client.backoff import backoff_seconds
from homing.client.notify import Event, Notifier, NotifyError

log = logging.getLogger(__name__)

QUEUE_LIMIT = 100


class Outbox:
    """One queue and one worker per notifier; use as ``async with Outbox(...)``."""

    def __init__(
        self,
        notifiers: Sequence[Notifier],
        *,
        attempts: int = 5,
        retry_base: float = 2.0,
        retry_cap: float = 120.0,
        drain_seconds: float = 10.0,
        rng: random.Random | None = None,
    ) -> None:
        self._queues = {n: asyncio.Queue[Event](QUEUE_LIMIT) for n in notifiers}
        self._attempts = attempts
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._drain_seconds = drain_seconds
        self._rng = rng
        self._workers: list[asyncio.Task[None]] = []
        self.delivered = 0
        self.dropped = 0

    def post(self, event: Event) -> None:
        """Queue ``event`` for every notifier that wants its kind; never blocks."""
        for notifier, queue in self._queues.items():
            if event.kind not in notifier.kinds:
                continue
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self.dropped += 1
                log.warning(
                    "%s: too many undelivered notifications, dropping one", notifier.description
                )

    async def __aenter__(self) -> Outbox:
        self._workers = [
            asyncio.create_task(self._work(n, q), name=f"notify-{n.description}")
            for n, q in self._queues.items()
        ]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Give queued events ``drain_seconds`` to go out (``once`` exits right after)."""
        drained = asyncio.gather(*(q.join() for q in self._queues.values()))
        try:
            await asyncio.wait_for(drained, self._drain_seconds)
        except TimeoutError:
            log.warning("notifications still undelivered at exit are dropped")
        for worker in self._workers:
            worker.cancel()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    async def _work(self, notifier: Notifier, queue: asyncio.Queue[Event]) -> None:
        while True:
            event = await queue.get()
            try:
                await self._deliver(notifier, event)
            finally:
                queue.task_done()

    async def _deliver(self, notifier: Notifier, event: Event) -> None:
        for attempt in range(1, self._attempts + 1):
            try:
                await notifier.deliver(event)
            except NotifyError as exc:
                log.warning(
                    "%s: %s notification, try %d of %d: %s",
                    notifier.description,
                    event.kind.value,
                    attempt,
                    self._attempts,
                    exc,
                )
            else:
                self.delivered += 1
                return
            if attempt < self._attempts:
                wait = backoff_seconds(
                    attempt, base=self._retry_base, cap=self._retry_cap, rng=self._rng
                )
                await asyncio.sleep(wait)
        self.dropped += 1
        log.warning("%s: %s notification dropped", notifier.description, event.kind.value)

"""Committed changes fan out from here to the views (DNS answers now; NOTIFY and alerts later).

Subscribers are called synchronously, in commit order, on the event loop, so
the DNS view is patched before the update that caused the change is answered.
Views in other processes (the DNS workers) take a moment longer: the writer
awaits ``settle`` before it answers, and each registered settler returns once
its view serves everything published so far.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from homing.domain.records import ViewEvent

log = logging.getLogger(__name__)

Subscriber = Callable[[ViewEvent], None]
Settler = Callable[[], Awaitable[None]]


class EventBus:
    """Delivers each view event to every subscriber; one failing subscriber spares the rest."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._settlers: list[Settler] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def add_settler(self, settler: Settler) -> None:
        """``settler`` is awaited by ``settle``: a view that applies events out of process."""
        self._settlers.append(settler)

    async def settle(self) -> None:
        """Return once every view serves every event published so far."""
        for settler in self._settlers:
            try:
                await settler()
            except Exception:
                log.exception("settler %r failed", settler)

    def publish(self, event: ViewEvent) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("subscriber %r failed on %s", subscriber, type(event).__name__)

"""Committed changes fan out from here to the views (DNS answers now; NOTIFY and alerts later).

Subscribers are called synchronously, in commit order, on the event loop, so
the DNS view is patched before the update that caused the change is answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from homing.domain.records import ViewEvent

log = logging.getLogger(__name__)

Subscriber = Callable[[ViewEvent], None]


class EventBus:
    """Delivers each view event to every subscriber; one failing subscriber spares the rest."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def publish(self, event: ViewEvent) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("subscriber %r failed on %s", subscriber, type(event).__name__)

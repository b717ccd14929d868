"""What the client tells people: an address changed, a name keeps failing, a pass was healthy.

Every channel (webhook, Apprise, heartbeat ping) is one ``Notifier``: it
says which event kinds it wants and delivers one event, raising
``NotifyError`` when it could not. ``homing.client.notify.outbox`` runs
the deliveries in the background, with retries, so no update waits on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from homing.client.addresses import Addresses
from homing.client.errors import ClientError


class EventKind(Enum):
    """Why a notification is sent; the value is the webhook's ``event`` field."""

    CHANGED = "changed"  # a provider now publishes a new address for a name
    FAILING = "failing"  # updates of a name failed ``failures_before_alert`` times in a row
    STOPPED = "stopped"  # the provider refused (badauth, nohost, ...): updates stopped
    HEALTHY = "healthy"  # a pass found every name up to date (heartbeat)
    UNHEALTHY = "unhealthy"  # a pass found a name or a source in trouble (heartbeat /fail)


@dataclass(frozen=True, kw_only=True)
class Event:
    """One thing to tell; ``name`` is empty for the heartbeat's pass events."""

    kind: EventKind
    at: float
    name: str = ""
    provider: str = ""
    old: Addresses = field(default_factory=Addresses)
    new: Addresses = field(default_factory=Addresses)
    answer: str = ""
    failures: int = 0
    detail: str = ""


class NotifyError(ClientError):
    """A notification could not be delivered (it is retried, then dropped with a warning)."""


class Notifier(Protocol):
    """One channel that events are delivered to."""

    @property
    def description(self) -> str:
        """The channel for logs, without secrets (``webhook hooks.example.net``)."""
        ...

    @property
    def kinds(self) -> frozenset[EventKind]:
        """The event kinds this channel is sent."""
        ...

    async def deliver(self, event: Event) -> None:
        """Send ``event`` once; raise NotifyError if it did not arrive."""
        ...

"""What every provider is: one ``update`` call, answered in terms the scheduler acts on.

A provider module (one file each) holds a frozen settings dataclass parsed
from its ``[[update]]`` table and the provider that ``build`` returns. The
provider translates its protocol's answer into an ``AnswerKind``; the
scheduler alone decides what to do next (see ``homing.client.policy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import httpx

from homing.client.addresses import Addresses


class AnswerKind(Enum):
    """What an answer means for the next attempt."""

    UPDATED = "updated"  # dyndns2 good: the name now has the addresses
    UNCHANGED = "unchanged"  # dyndns2 nochg: it already had them; do not repeat
    REJECTED = "rejected"  # badauth, nohost, abuse, ...: stop until the config changes
    SERVER_ERROR = "server_error"  # 911, dnserr: the provider is broken; wait >= 30 min
    RATE_LIMITED = "rate_limited"  # HTTP 429: wait as long as Retry-After says
    FAILED = "failed"  # network error, timeout, unexpected answer: back off and retry

    @property
    def done(self) -> bool:
        return self in {AnswerKind.UPDATED, AnswerKind.UNCHANGED}


@dataclass(frozen=True)
class ProviderAnswer:
    """One update attempt's result: its kind, the provider's words (one line), a wait."""

    kind: AnswerKind
    text: str
    retry_after: float | None = None


class Provider(Protocol):
    """Sets one name's addresses at a provider."""

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        """Publish ``addresses`` (every family given) for ``name``; never raises for I/O."""
        ...


class ProviderSettings(Protocol):
    """A provider's parsed ``[[update]]`` table."""

    def build(self, http: httpx.AsyncClient) -> Provider:
        """The provider, sending its HTTP requests (if any) through ``http``."""
        ...

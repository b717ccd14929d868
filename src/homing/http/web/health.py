"""A host's health badge, from its last update and its latest history rows.

* ``failing``: the newest history row of the host is a refusal (``abuse``,
  ``badauth``, ``dnserr``, ...): its client is trying and not getting through.
* ``new``: never updated, and created within the stale period: waiting for
  its first client, which is not yet a problem.
* ``stale``: no accepted update (``good`` or ``nochg``) within the stale
  period (setting ``web_stale_hours``), or never one for longer than that.
* ``fresh``: otherwise.

Failing wins over stale: a refusal is something the owner can fix now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from homing.domain.outcomes import UpdateOutcome
from homing.http.web.times import as_utc
from homing.store.rows import HistoryRow, HostRow

ACCEPTED = frozenset({UpdateOutcome.GOOD.value, UpdateOutcome.NOCHG.value})


class Health(StrEnum):
    FRESH = "fresh"
    NEW = "new"
    STALE = "stale"
    FAILING = "failing"


@dataclass(frozen=True, slots=True, kw_only=True)
class HostHealth:
    health: Health
    last_seen: datetime | None
    reason: str


def last_accepted(host: HostRow, history: Sequence[HistoryRow]) -> datetime | None:
    """When a client last reached us with success: the newer of the record change and a nochg."""
    seen = [as_utc(row.at) for row in history if row.outcome in ACCEPTED]
    if host.updated_at is not None:
        seen.append(as_utc(host.updated_at))
    return max(seen, default=None)


def host_health(
    host: HostRow, history: Sequence[HistoryRow], *, now: datetime, stale_after: timedelta
) -> HostHealth:
    """The badge for ``host``; ``history`` is newest first."""
    seen = last_accepted(host, history)
    if history and history[0].outcome not in ACCEPTED:
        reason = f"last attempt refused: {history[0].outcome}"
        return HostHealth(health=Health.FAILING, last_seen=seen, reason=reason)
    if seen is None:
        if now - as_utc(host.created_at) <= stale_after:
            return HostHealth(
                health=Health.NEW, last_seen=None, reason="waiting for its first update"
            )
        return HostHealth(health=Health.STALE, last_seen=None, reason="never updated")
    if now - seen > stale_after:
        return HostHealth(health=Health.STALE, last_seen=seen, reason="no update for a while")
    return HostHealth(health=Health.FRESH, last_seen=seen, reason="updated recently")

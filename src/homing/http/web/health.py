"""A host's health badge, from its last update and its latest history rows.

* ``failing``: since its last accepted update the host's own client has been
  refused: any refusal that follows a valid credential (``nohost``,
  ``abuse``, ``dnserr``, ...), a wrong password from the address the host
  last updated from, or repeated wrong passwords while it was never updated.
  One wrong password from anyone else is a red mark on the strip, not a
  failing host (issue 15): the name is public, guessing is not the owner's fault.
  Only refusals of the stale period count: older ones make the host stale.
* ``new``: never updated, and created within the stale period: waiting for
  its first client, which is not yet a problem.
* ``stale``: no accepted update (``good`` or ``nochg``) within the stale
  period (setting ``web_stale_hours``), or never one for longer than that.
* ``fresh``: otherwise.

Failing wins over stale: a refusal is something the owner can fix now.
``store/pages.py`` applies the same rule in SQL to count and filter hosts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from homing.http.web.times import as_utc
from homing.store.pages import ACCEPTED, REPEATED_REFUSALS, STRANGER_OUTCOME
from homing.store.rows import HistoryRow, HostRow


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


def own_refusals(
    host: HostRow, history: Sequence[HistoryRow], *, since: datetime
) -> list[HistoryRow]:
    """The refusals since the last accepted update that say the host's client is failing
    (newest first), or none when they may all be strangers' guesses."""
    boundary = as_utc(host.updated_at) if host.updated_at is not None else None
    refusals = []
    for row in history:
        at = as_utc(row.at)
        if row.outcome in ACCEPTED or (boundary is not None and at <= boundary):
            break
        if at >= since:
            refusals.append(row)
    if any(r.outcome != STRANGER_OUTCOME for r in refusals):
        return refusals
    if host.last_source is not None and any(r.source == host.last_source for r in refusals):
        return refusals
    if host.last_source is None and sum(r.count for r in refusals) >= REPEATED_REFUSALS:
        return refusals
    return []


def host_health(
    host: HostRow, history: Sequence[HistoryRow], *, now: datetime, stale_after: timedelta
) -> HostHealth:
    """The badge for ``host``; ``history`` is newest first."""
    seen = last_accepted(host, history)
    refused = own_refusals(host, history, since=now - stale_after)
    if refused:
        reason = f"last attempt refused: {refused[0].outcome}"
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

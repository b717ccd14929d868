"""Which history rows and hosts deserve an alert, to whom, and what the alert says. Pure.

Changes are ``good`` rows (a host's records were changed). Failures are the
refusals kept in the history: wrong credentials (``badauth``), lock-outs and
floods (``abuse``), and requests for names the credential may not touch. A
row is the concern of the user it points at: the host's owner, the account
named by the credential, or the account or host named as the login of a
failed sign-in. A failed attempt with an unknown token names nobody.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from homing.domain.outcomes import UpdateOutcome
from homing.store.rows import HistoryRow

MAX_SAMPLES = 5
"""Refused attempts listed in one failure alert; the rest are counted."""
_TOKEN_CREDENTIAL = re.compile(r"^token#(\d+)\b")
_ACCOUNT_PREFIX = "password:"


class AlertEvent(StrEnum):
    """What a user can ask to be told about (``homing alert set --on``)."""

    CHANGES = "changes"
    FAILURES = "failures"
    STALE = "stale"


class AlertKind(StrEnum):
    """What one alert is about (the webhook's ``event`` field)."""

    CHANGE = "change"
    FAILURE = "failure"
    STALE = "stale"
    TEST = "test"
    SERVER = "server"
    """Told to administrators: the server itself needs attention (its certificate)."""


EVENT_OF = {
    AlertKind.CHANGE: AlertEvent.CHANGES,
    AlertKind.FAILURE: AlertEvent.FAILURES,
    AlertKind.STALE: AlertEvent.STALE,
}
FAILURE_OUTCOMES = frozenset(
    {
        UpdateOutcome.BADAUTH,
        UpdateOutcome.ABUSE,
        UpdateOutcome.NOHOST,
        UpdateOutcome.NOTFQDN,
        UpdateOutcome.NUMHOST,
        UpdateOutcome.BADAGENT,
        UpdateOutcome.BADINPUT,
    }
)


def kind_of(row: HistoryRow) -> AlertKind | None:
    """CHANGE for a change, FAILURE for a refusal, None for the rest (``nochg``)."""
    if row.outcome == UpdateOutcome.GOOD:
        return AlertKind.CHANGE
    if row.outcome in FAILURE_OUTCOMES:
        return AlertKind.FAILURE
    return None


def is_auth_failure(row: HistoryRow) -> bool:
    """A refused credential: ``badauth``, or ``abuse`` not tied to a host (a lock-out).

    ``abuse`` with a host is the flood brake on unchanged updates from a
    caller whose credentials were fine.
    """
    if row.outcome == UpdateOutcome.BADAUTH:
        return True
    return row.outcome == UpdateOutcome.ABUSE and row.host_id is None


def token_id(credential: str | None) -> int | None:
    found = _TOKEN_CREDENTIAL.match(credential or "")
    return int(found.group(1)) if found else None


def password_user(credential: str | None) -> str | None:
    if credential and credential.startswith(_ACCOUNT_PREFIX):
        return credential[len(_ACCOUNT_PREFIX) :]
    return None


class OwnerIndex(Protocol):
    """Owners of what history rows name (the store fills one for a page of rows)."""

    @property
    def host_owner(self) -> Mapping[int, int]: ...
    @property
    def user_by_name(self) -> Mapping[str, int]: ...
    @property
    def host_owner_by_fqdn(self) -> Mapping[str, int]: ...
    @property
    def token_owner(self) -> Mapping[int, int]: ...


def concerned_user(row: HistoryRow, owners: OwnerIndex) -> int | None:
    """The id of the user a history row concerns, or None (see the module docstring)."""
    if row.host_id is not None and row.host_id in owners.host_owner:
        return owners.host_owner[row.host_id]
    name = password_user(row.credential)
    if name is not None:
        return owners.user_by_name.get(name)
    token = token_id(row.credential)
    if token is not None:
        return owners.token_owner.get(token)
    if row.credential is None and row.fqdn:
        login = row.fqdn
        fqdn = login.lower().rstrip(".") + "."
        return owners.user_by_name.get(login, owners.host_owner_by_fqdn.get(fqdn))
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """One message to one user; ``history_id`` is the oldest history row it covers."""

    kind: AlertKind
    user: str
    subject: str
    lines: tuple[str, ...]
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    history_id: int | None = None

    def json(self) -> dict[str, Any]:
        """The webhook body: the kind, the user, the time and the alert's own fields."""
        return {
            "event": self.kind.value,
            "user": self.user,
            "at": self.at.isoformat(timespec="seconds"),
            "summary": self.subject,
            **self.data,
        }

    def text(self) -> str:
        """The email body."""
        return "\n".join((*self.lines, "", "-- Homing")) + "\n"


def _row_json(row: HistoryRow) -> dict[str, Any]:
    return {
        "history_id": row.id,
        "host": row.fqdn,
        "outcome": row.outcome,
        "front_door": row.front_door,
        "source": row.source,
        "old": row.old_value,
        "new": row.new_value,
        "detail": row.detail,
        "at": row.at.isoformat(timespec="seconds"),
    }


def change_alert(row: HistoryRow, *, user: str) -> Alert:
    host = (row.fqdn or "?").rstrip(".")
    return Alert(
        kind=AlertKind.CHANGE,
        user=user,
        subject=f"{host} now {row.new_value or '-'}",
        lines=(
            f"{host} was updated through {row.front_door} from {row.source or 'unknown'}.",
            f"before: {row.old_value or '-'}",
            f"now:    {row.new_value or '-'}",
            f"at:     {row.at:%Y-%m-%d %H:%M:%S} UTC",
        ),
        at=row.at,
        data=_row_json(row),
        history_id=row.id,
    )


def failure_alert(rows: Sequence[HistoryRow], *, user: str, total: int) -> Alert:
    """One alert for ``total`` refused attempts, listing the first few (``rows``)."""
    first = rows[0]
    noun = "attempt" if total == 1 else "attempts"
    lines = [f"{total} refused update {noun} concerning your account:"]
    for row in rows[:MAX_SAMPLES]:
        lines.append(
            f"  {row.at:%Y-%m-%d %H:%M:%S} UTC  {row.outcome}  {row.fqdn or '-'}  "
            f"from {row.source or 'unknown'} via {row.front_door}: {row.detail or ''}".rstrip()
        )
    if total > MAX_SAMPLES:
        lines.append(f"  ... and {total - MAX_SAMPLES} more")
    return Alert(
        kind=AlertKind.FAILURE,
        user=user,
        subject=f"{total} refused update {noun} (first from {first.source or 'unknown'})",
        lines=tuple(lines),
        at=rows[-1].at,
        data={"count": total, "attempts": [_row_json(r) for r in rows[:MAX_SAMPLES]]},
        history_id=first.id,
    )


def stale_alert(*, host: str, user: str, last_update: datetime, hours: int, now: datetime) -> Alert:
    name = host.rstrip(".")
    return Alert(
        kind=AlertKind.STALE,
        user=user,
        subject=f"{name} has not been updated for {hours} hours",
        lines=(
            f"{name} has had no update since {last_update:%Y-%m-%d %H:%M:%S} UTC "
            f"(your limit: {hours} hours).",
            "Its client may be down, or its credentials revoked.",
        ),
        at=now,
        data={"host": host, "last_update": last_update.isoformat(timespec="seconds")},
    )


def probe_alert(*, user: str, now: datetime) -> Alert:
    return Alert(
        kind=AlertKind.TEST,
        user=user,
        subject="test alert",
        lines=("This is a test alert: Homing can reach you here.",),
        at=now,
    )

"""Times as the pages show them: UTC, plus "5 min ago" for the recent past.

The SQLite store hands back naive datetimes that are UTC; they are made
aware here once, so comparisons with ``now`` never mix the two kinds.
"""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def shown(moment: datetime | None) -> str:
    """``2025-03-01 14:05 UTC``; an em dash for never."""
    if moment is None:
        return "—"
    return f"{as_utc(moment):%Y-%m-%d %H:%M} UTC"


def clock(moment: datetime | None) -> str:
    """``2025-03-01 14:05``, for a table whose column head already says UTC."""
    return shown(moment).removesuffix(" UTC")


def ago(moment: datetime | None, *, now: datetime) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``; ``never`` for None."""
    if moment is None:
        return "never"
    seconds = (now - as_utc(moment)).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day ago" if days == 1 else f"{days} days ago"

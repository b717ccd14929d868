"""A host's recent history as a strip of hours on a small inline SVG (no chart library, no JS).

The last seven days are 168 cells, one per clock hour (UTC), oldest on the
left. A cell with history gets one mark in the colour of its most telling
row: red for a refusal, green for a change, grey for an unchanged update.
Hours, not moments: marks of one day no longer melt into one dot, so a
refusal in the morning and the successful update after it stand side by
side in their order (issue 15). The geometry is computed here so the
template only draws it and the tests can check it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from homing.domain.outcomes import UpdateOutcome
from homing.http.web.times import as_utc
from homing.store.rows import HistoryRow

HOUR = timedelta(hours=1)
HOURS = 7 * 24
CELL = 2
MARGIN = 6
WIDTH = 2 * MARGIN + HOURS * CELL
HEIGHT = 24
RANK = {"same": 0, "change": 1, "refused": 2}
MARK_HEIGHT = {"same": 10, "change": 16, "refused": 22}


@dataclass(frozen=True, slots=True, kw_only=True)
class Mark:
    x: float
    y: float
    height: float
    kind: str  # "change", "same" or "refused": a CSS class
    title: str


def mark_kind(outcome: str) -> str:
    if outcome == UpdateOutcome.GOOD.value:
        return "change"
    if outcome == UpdateOutcome.NOCHG.value:
        return "same"
    return "refused"


def window_end(now: datetime) -> datetime:
    """The end of the current clock hour: the strip's right edge."""
    hour = as_utc(now).replace(minute=0, second=0, microsecond=0)
    return hour + HOUR


def timeline(history: Sequence[HistoryRow], *, now: datetime) -> list[Mark]:
    """One mark per hour of the last seven days that has history (left to right)."""
    end = window_end(now)
    start = end - HOURS * HOUR
    cells: dict[int, list[HistoryRow]] = {}
    for row in history:
        at = as_utc(row.at)
        if start <= at < end:
            cells.setdefault(int((at - start) / HOUR), []).append(row)
    marks = []
    for cell, rows in sorted(cells.items()):
        kind = max((mark_kind(r.outcome) for r in rows), key=RANK.__getitem__)
        counts = Counter(r.outcome for r in rows)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        newest = max(rows, key=lambda r: r.id)
        value = f", now {newest.new_value}" if newest.new_value else ""
        height = MARK_HEIGHT[kind]
        marks.append(
            Mark(
                x=MARGIN + cell * CELL,
                y=(HEIGHT - height) / 2,
                height=height,
                kind=kind,
                title=f"{start + cell * HOUR:%Y-%m-%d %H}:00 UTC: {summary}{value}",
            )
        )
    return marks


def day_ticks(now: datetime) -> list[int]:
    """The x of each midnight (UTC) inside the strip, for faint day separators."""
    end = window_end(now)
    start = end - HOURS * HOUR
    return [MARGIN + h * CELL for h in range(1, HOURS) if (start + h * HOUR).hour == 0]

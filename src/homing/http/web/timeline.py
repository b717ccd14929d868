"""A host's recent history as marks on a small inline SVG strip (no chart library, no JS).

Each history row within the window becomes a mark at its time: green for a
change, grey for an unchanged update, red for a refusal. The geometry is
computed here so the template only draws it and the tests can check it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from homing.domain.outcomes import UpdateOutcome
from homing.http.web.times import as_utc
from homing.store.rows import HistoryRow

WIDTH = 240
HEIGHT = 24
MARGIN = 6
DRAW_ORDER = {"same": 0, "change": 1, "refused": 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Mark:
    x: float
    kind: str  # "change", "same" or "refused": a CSS class
    title: str


def mark_kind(outcome: str) -> str:
    if outcome == UpdateOutcome.GOOD.value:
        return "change"
    if outcome == UpdateOutcome.NOCHG.value:
        return "same"
    return "refused"


def timeline(history: Sequence[HistoryRow], *, now: datetime, window: timedelta) -> list[Mark]:
    """Marks for the rows of the last ``window`` (oldest on the left, now at the right edge)."""
    start = now - window
    span = WIDTH - 2 * MARGIN
    marks = []
    for row in history:
        at = as_utc(row.at)
        if not start <= at <= now:
            continue
        fraction = (at - start) / window
        value = f" {row.new_value}" if row.new_value else ""
        title = f"{at:%Y-%m-%d %H:%M} UTC {row.outcome}{value}"
        marks.append(
            Mark(x=round(MARGIN + fraction * span, 1), kind=mark_kind(row.outcome), title=title)
        )
    # Refusals drawn last, so one never hides under an update at the same moment.
    marks.sort(key=lambda m: (m.x, DRAW_ORDER[m.kind]))
    return marks

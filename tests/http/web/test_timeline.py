"""The history strip: marks placed by time within the window, refusals drawn on top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homing.http.web.timeline import CELL, MARGIN, WIDTH, day_ticks, timeline
from homing.store.rows import HistoryRow

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def row(row_id: int, outcome: str, at: datetime, value: str | None = None) -> HistoryRow:
    return HistoryRow(
        id=row_id,
        at=at.replace(tzinfo=None),
        host_id=1,
        fqdn="home.dyn.example.",
        outcome=outcome,
        old_value=None,
        new_value=value,
        credential=None,
        source=None,
        front_door="dyndns2",
        detail=None,
    )


def test_one_mark_per_hour_in_order_the_refusal_beside_the_later_update() -> None:
    morning = NOW.replace(hour=8, minute=10)
    rows = [
        row(5, "good", NOW.replace(minute=0), "A=192.0.2.1"),  # the current hour: right edge
        row(4, "good", NOW.replace(hour=9, minute=40), "A=192.0.2.9"),
        row(3, "badauth", morning),
        row(2, "nochg", morning.replace(minute=50)),
        row(1, "good", NOW - 2 * WEEK),  # outside the window
    ]
    marks = timeline(rows, now=NOW)
    assert [(m.x, m.kind) for m in marks] == [
        (WIDTH - MARGIN - 5 * CELL, "refused"),  # 08:00, drawn red over the nochg of that hour
        (WIDTH - MARGIN - 4 * CELL, "change"),  # 09:00, to its right
        (WIDTH - MARGIN - CELL, "change"),
    ]
    assert marks[0].title == "2025-06-01 08:00 UTC: 1 badauth, 1 nochg"
    assert marks[1].title == "2025-06-01 09:00 UTC: 1 good, now A=192.0.2.9"
    assert marks[0].height > marks[1].height > 0


def test_day_ticks_at_each_midnight_of_the_week() -> None:
    ticks = day_ticks(NOW)
    assert len(ticks) == 7
    assert ticks[-1] == WIDTH - MARGIN - 13 * CELL  # midnight, 13 hours before 13:00

"""The history strip: marks placed by time within the window, refusals drawn on top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homing.http.web.timeline import MARGIN, WIDTH, timeline
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


def test_marks_by_time_and_kind() -> None:
    rows = [
        row(4, "badauth", NOW),
        row(3, "good", NOW, "A=192.0.2.1"),
        row(2, "nochg", NOW - WEEK / 2),
        row(1, "good", NOW - 2 * WEEK),  # outside the window
    ]
    marks = timeline(rows, now=NOW, window=WEEK)
    assert [(m.x, m.kind) for m in marks] == [
        (WIDTH / 2, "same"),
        (WIDTH - MARGIN, "change"),
        (WIDTH - MARGIN, "refused"),
    ]
    assert marks[1].title == "2025-06-01 12:00 UTC good A=192.0.2.1"

"""The operator's 24-hour window: growth per minute, gaps as zeros, a day at most."""

from __future__ import annotations

from homing.activity import MINUTES, ActivityWindow, Series

T0 = 1_800_000_000.0


def totals(updates: int, refused: int = 0, queries: int = 0) -> dict[Series, int]:
    return {Series.UPDATES: updates, Series.REFUSED: refused, Series.QUERIES: queries}


def test_each_minute_records_the_growth_since_the_last() -> None:
    window = ActivityWindow()
    window.sample(totals(100, 5, 1000), now=T0)  # the baseline, not a minute of activity
    assert window.minutes(Series.UPDATES) == []
    window.sample(totals(103, 5, 1600), now=T0 + 60)
    window.sample(totals(103, 9, 1600), now=T0 + 75)  # the same minute: ignored
    window.sample(totals(110, 9, 1700), now=T0 + 240)  # two minutes slept through
    assert window.minutes(Series.UPDATES) == [3, 0, 0, 7]
    assert window.minutes(Series.REFUSED) == [0, 0, 0, 4]
    assert window.minutes(Series.QUERIES) == [600, 0, 0, 100]


def test_a_counter_that_restarts_counts_what_it_shows_and_a_day_is_kept() -> None:
    window = ActivityWindow()
    window.sample(totals(50), now=T0)
    window.sample(totals(4), now=T0 + 60)  # DNS workers restarted: their count began again
    assert window.minutes(Series.UPDATES) == [4]
    for minute in range(2, MINUTES + 10):
        window.sample(totals(4 + minute), now=T0 + 60 * minute)
    assert len(window.minutes(Series.UPDATES)) == MINUTES
    assert window.minutes(Series.UPDATES)[-1] == 1

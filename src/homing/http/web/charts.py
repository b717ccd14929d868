"""The operator's charts: a day of one activity series as bars of inline SVG (no JS, no library).

The window's 1,440 minutes (``homing.activity``, newest at the right edge)
become ``BUCKETS`` bars of ten minutes; a bar's height is its rate over the
day's highest, and its tooltip says the rate and the time. Minutes before
the provider started have no bar at all, rather than a bar of zero. The
geometry is computed here, so the template only draws it and the tests can
check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from homing.activity import MINUTES

WIDTH = 720
HEIGHT = 120
BUCKETS = 144
BUCKET_MINUTES = MINUTES // BUCKETS
BAR = WIDTH / BUCKETS
TOP = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    x: float
    y: float
    height: float
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    title: str
    unit: str
    bars: list[Bar]
    peak: float
    latest: float | None
    hours: int
    """How many hours of the day the provider has recorded (it keeps them since its start)."""


def chart(minutes: list[int], *, title: str, per_second: bool, now: datetime) -> Chart:
    """Bars for ``minutes`` (per-minute counts, oldest first, the last one just ended)."""
    recorded = minutes[-MINUTES:]
    missing = MINUTES - len(recorded)
    divisor = 60.0 if per_second else 1.0
    unit = "per second" if per_second else "per minute"
    rates: list[float | None] = []
    for bucket in range(BUCKETS):
        start = bucket * BUCKET_MINUTES - missing
        values = recorded[max(start, 0) : max(start + BUCKET_MINUTES, 0)]
        rates.append(sum(values) / len(values) / divisor if values else None)
    peak = max((r for r in rates if r is not None), default=0.0)
    end = now.replace(second=0, microsecond=0)
    bars = []
    for bucket, rate in enumerate(rates):
        if rate is None:
            continue
        height = (HEIGHT - TOP) * rate / peak if peak else 0.0
        begins = end - timedelta(minutes=(BUCKETS - bucket) * BUCKET_MINUTES)
        bars.append(
            Bar(
                x=round(bucket * BAR, 2),
                y=round(HEIGHT - height, 2),
                height=round(height, 2),
                title=f"{begins:%H:%M} UTC, 10 min: {rate:,.2f} {unit}",
            )
        )
    latest = recorded[-1] / divisor if recorded else None
    return Chart(
        title=title,
        unit=unit,
        bars=bars,
        peak=peak,
        latest=latest,
        hours=len(recorded) // 60,
    )

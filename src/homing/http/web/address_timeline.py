"""A host's picture of the last seven days: its addresses as segments, refusals as marks.

"What happened last night?" at a glance (issue 15): one lane per family
(IPv4, IPv6) where each address the host had is a segment from the update
that set it to the one that replaced it, in alternating tones so that a
change always shows; below them, each hour with refused attempts gets a red
mark whose tooltip counts them. Day lines mark midnight (UTC). The
geometry is computed here from the history rows that changed something
(``good``) or were refused, so the template only draws it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from homing.domain.outcomes import UpdateOutcome
from homing.http.web.timeline import HOUR, HOURS, window_end
from homing.http.web.times import as_utc
from homing.store.pages import ACCEPTED
from homing.store.rows import HistoryRow

PER_HOUR = 4
LABEL = 44
WIDTH = LABEL + HOURS * PER_HOUR
LANE = 22
GAP = 6
TONES = 3
FAMILIES = (("A", "IPv4"), ("AAAA", "IPv6"))
MAX_ROWS = 2000
"""Changes and refusals read for one picture: a week of a client that changes every 5 min."""
CHANGED = UpdateOutcome.GOOD.value
SHOWN = tuple(o.value for o in UpdateOutcome if o is not UpdateOutcome.NOCHG)
"""The outcomes the picture reads: changes and refusals (a week of nochg would crowd them out)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    x: float
    width: float
    value: str
    tone: int
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane:
    label: str
    y: float
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefusalMark:
    x: float
    count: int
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressTimeline:
    lanes: list[Lane]
    refusals: list[RefusalMark]
    days: list[tuple[float, str]]
    refusal_y: float
    height: float
    changes: int


def values_of(summary: str | None) -> dict[str, str]:
    """``A=192.0.2.1 AAAA=2001:db8::1`` (a history row's value) by record type."""
    found: dict[str, str] = {}
    for part in (summary or "").split():
        rtype, sep, value = part.partition("=")
        if sep:
            found[rtype] = value.replace(",", ", ")
    return found


def _x(moment: datetime, start: datetime) -> float:
    hours = (as_utc(moment) - start) / HOUR
    return round(LABEL + max(0.0, min(hours, HOURS)) * PER_HOUR, 2)


def _lane(
    label: str,
    *,
    y: float,
    first: str | None,
    points: list[tuple[datetime, str | None]],
    start: datetime,
    now: datetime,
) -> Lane:
    """One family's segments: ``first`` from the window's start, then each change."""
    lane = Lane(label=label, y=y)
    spans: list[tuple[datetime, datetime | None, str]] = []
    current, since = first, start
    for at, value in points:
        if value == current:
            continue
        if current is not None:
            spans.append((since, at, current))
        current, since = value, at
    if current is not None:
        spans.append((since, None, current))
    for tone, (begins, ends, value) in enumerate(spans):
        x = _x(begins, start)
        until = "now" if ends is None else f"{ends:%a %H:%M} UTC"
        lane.segments.append(
            Segment(
                x=x,
                width=max(_x(ends or now, start) - x, 1.0),
                value=value,
                tone=tone % TONES,
                title=f"{label} {value} from {begins:%a %H:%M} to {until}",
            )
        )
    return lane


def address_timeline(
    rows: Sequence[HistoryRow], *, before: HistoryRow | None, now: datetime
) -> AddressTimeline:
    """The picture from the week's changes and refusals (``rows``, any order) and ``before``,
    the last change before the week (what the host had when it began)."""
    end = window_end(now)
    start = end - HOURS * HOUR
    changes = sorted((r for r in rows if r.outcome == CHANGED), key=lambda r: r.id)
    lanes = [
        _lane(
            label,
            y=index * (LANE + GAP),
            first=values_of(before.new_value).get(rtype) if before else None,
            points=[(as_utc(r.at), values_of(r.new_value).get(rtype)) for r in changes],
            start=start,
            now=as_utc(now),
        )
        for index, (rtype, label) in enumerate(FAMILIES)
    ]
    hours: Counter[int] = Counter()
    for row in rows:
        at = as_utc(row.at)
        if row.outcome not in ACCEPTED and start <= at < end:
            hours[int((at - start) / HOUR)] += 1
    refusal_y = len(FAMILIES) * (LANE + GAP)
    refusals = [
        RefusalMark(
            x=LABEL + hour * PER_HOUR,
            count=count,
            title=f"{start + hour * HOUR:%a %d %b %H}:00 UTC: {count} refused",
        )
        for hour, count in sorted(hours.items())
    ]
    days = [
        (float(LABEL + h * PER_HOUR), f"{start + h * HOUR:%a %d}")
        for h in range(HOURS)
        if (start + h * HOUR).hour == 0
    ]
    return AddressTimeline(
        lanes=lanes,
        refusals=refusals,
        days=days,
        refusal_y=refusal_y,
        height=refusal_y + LANE,
        changes=len(changes),
    )


def week_start(now: datetime) -> datetime:
    return window_end(now) - timedelta(hours=HOURS)

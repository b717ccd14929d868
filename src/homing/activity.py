"""The last 24 hours of the provider's activity, minute by minute, for the operator's charts.

Prometheus (``/metrics``, ``contrib/grafana/``) is the place for longer
history and for alerting; this is the picture an operator gets without
one (issue 15). Once a minute the provider adds how much each counter grew
(updates applied, attempts refused, DNS queries answered) to a ring of
1,440 slots per series: fixed memory, nothing stored, started afresh with
the process.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

MINUTES = 24 * 60


class Series(StrEnum):
    UPDATES = "updates"
    REFUSED = "refused"
    QUERIES = "queries"


def _ring() -> dict[Series, deque[int]]:
    return {s: deque(maxlen=MINUTES) for s in Series}


@dataclass
class ActivityWindow:
    """Per-minute growth of each series, oldest first, at most ``MINUTES`` of them."""

    _slots: dict[Series, deque[int]] = field(default_factory=_ring)
    _last: dict[Series, int] | None = None
    _last_minute: int = 0

    def sample(self, totals: Mapping[Series, int], *, now: float) -> None:
        """Record the counters' ``totals`` at ``now`` (seconds): the first call only sets the
        baseline; minutes skipped since the last call (a sleeping machine) count as zero."""
        minute = int(now // 60)
        if self._last is None:
            self._last, self._last_minute = dict(totals), minute
            return
        if minute <= self._last_minute:
            return
        for series in Series:
            ring = self._slots[series]
            ring.extend([0] * min(minute - self._last_minute - 1, MINUTES))
            # A counter that went down (workers restarted) grew by what it shows now.
            grown = totals[series] - self._last[series]
            ring.append(grown if grown >= 0 else totals[series])
        self._last, self._last_minute = dict(totals), minute

    def minutes(self, series: Series) -> list[int]:
        """The recorded minutes of ``series``, oldest first (fewer than a day after start)."""
        return list(self._slots[series])

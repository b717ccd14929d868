"""Counting floods per key (unchanged updates, sign-ups) in a sliding window.

Keys are strings such as a host id or an address. State is in memory: a
restart forgets it; with several nodes, ``core/shared_counts.py`` tells the
others what one counted. The brake on guessing credentials is ``core/brake.py``.
"""

from __future__ import annotations

import time

MAX_TRACKED_KEYS = 100_000


class FloodCounter:
    """Counts events per key in a sliding window and says when a limit is passed."""

    def __init__(self, *, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._times: dict[str, list[float]] = {}

    def exceeded(self, key: str) -> bool:
        now = time.monotonic()
        times = [t for t in self._times.get(key, ()) if t > now - self.window]
        if times:
            self._times[key] = times
        else:
            self._times.pop(key, None)
        return len(times) >= self.limit

    def count(self, key: str) -> None:
        self.add(key, at=time.monotonic())

    def add(self, key: str, *, at: float) -> None:
        """Count one event at monotonic time ``at`` (another node's, in ``SharedFloodCounter``)."""
        if len(self._times) >= MAX_TRACKED_KEYS:
            self._times.clear()
        self._times.setdefault(key, []).append(at)

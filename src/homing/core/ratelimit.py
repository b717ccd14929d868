"""Counting failures and floods per key, to slow and then refuse abusers.

Keys are strings such as ``ip:198.51.100.7`` or ``account:alice``. State is in
memory: a restart forgets it, which is acceptable for a brake on guessing (the
history keeps the record of every refusal).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

MAX_TRACKED_KEYS = 100_000


@dataclass(slots=True)
class _Counter:
    times: list[float] = field(default_factory=list)
    blocked_until: float = 0.0


class FailureLimiter:
    """After ``slow_after`` failures in ``window`` seconds answers are delayed; after
    ``max_failures`` the key is refused for ``lockout`` seconds."""

    def __init__(
        self, *, max_failures: int, window: float, lockout: float, slow_after: int = 3
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self.slow_after = slow_after
        self._counters: dict[str, _Counter] = {}

    def _now(self) -> float:
        return time.monotonic()

    def blocked(self, key: str) -> bool:
        counter = self._counters.get(key)
        return counter is not None and counter.blocked_until > self._now()

    def failure(self, key: str) -> float:
        """Count a failure; return how long to delay the answer (seconds)."""
        now = self._now()
        counter = self._counters.get(key)
        if counter is None:
            if len(self._counters) >= MAX_TRACKED_KEYS:
                self._prune(now)
            counter = self._counters[key] = _Counter()
        counter.times = [t for t in counter.times if t > now - self.window]
        counter.times.append(now)
        failures = len(counter.times)
        if failures >= self.max_failures:
            counter.blocked_until = now + self.lockout
        if failures <= self.slow_after:
            return 0.0
        return float(min(2.0, 0.1 * 2 ** (failures - self.slow_after - 1)))

    def success(self, key: str) -> None:
        counter = self._counters.get(key)
        if counter is not None and counter.blocked_until <= self._now():
            del self._counters[key]

    def _prune(self, now: float) -> None:
        self._counters = {
            k: c
            for k, c in self._counters.items()
            if c.blocked_until > now or (c.times and c.times[-1] > now - self.window)
        }
        if len(self._counters) >= MAX_TRACKED_KEYS:
            self._counters.clear()


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
        if len(self._times) >= MAX_TRACKED_KEYS:
            self._times.clear()
        self._times.setdefault(key, []).append(time.monotonic())

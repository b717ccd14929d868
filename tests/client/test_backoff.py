"""Backoff grows, stays under its cap, and is jittered."""

from __future__ import annotations

import random

from homing.client.backoff import backoff_seconds


def test_grows_then_caps_with_jitter() -> None:
    rng = random.Random(1)
    waits = [backoff_seconds(n, base=10, cap=3600, rng=rng) for n in range(1, 15)]
    assert 5 <= waits[0] <= 10
    assert 40 <= waits[3] <= 80
    assert all(1800 <= w <= 3600 for w in waits[10:])
    assert len({round(w, 6) for w in waits[10:]}) > 1
    assert backoff_seconds(10_000, base=10, cap=60) <= 60
    assert 5 <= backoff_seconds(0, base=10, cap=60) <= 10

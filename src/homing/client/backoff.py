"""Exponential backoff with jitter, so that many clients failing together do not retry together."""

from __future__ import annotations

import random


def backoff_seconds(
    failures: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Wait after ``failures`` consecutive failures: ``base * 2**(failures-1)``, capped.

    "Equal jitter": half of the step is fixed, so waits still grow, and half
    is random, so clients that failed at the same moment drift apart.
    """
    step = min(cap, base * 2.0 ** min(max(failures, 1) - 1, 32))
    return step / 2 + (rng or random).uniform(0, step / 2)

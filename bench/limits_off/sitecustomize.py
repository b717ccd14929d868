"""Issue 11's HTTP limits and credential brake turned off, for ``bench/limits_cost.py`` only.

Put on ``PYTHONPATH`` of a ``homing serve`` (``limits_cost.py`` does), Python
imports this at start-up: the brake then reserves nothing and counts nothing
(every reservation is admitted, a success clears nothing), and HTTP
connections get uvicorn's plain httptools protocol instead of the guarded one
(no head size or time limits, no connections per source). What stays on is
uvicorn's own ``limit_concurrency`` (one comparison per request). The server
is otherwise the same code, so the difference between the two runs is what
the limits cost. Never used outside the benchmark.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

import homing.app
from homing.core.brake import Brake, Reservation
from homing.http.connections import ConnectionLimits


def _admit(_brake: Brake, _ticket: Reservation) -> None:
    return None


def _no_count(_brake: Brake, _ticket: Reservation) -> float:
    return 0.0


def _plain_protocol(_limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    return HttpToolsProtocol


Brake._open = _admit  # type: ignore[method-assign]
Brake._failed = _no_count  # type: ignore[method-assign]
Brake._succeeded = _admit  # type: ignore[method-assign, assignment]
homing.app.guarded_protocol = _plain_protocol  # type: ignore[attr-defined]

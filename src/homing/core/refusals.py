"""Refused attempts into the history and the log: one row per source, target and window.

Every front door's refusals (wrong credentials, lock-outs, bad TSIG
signatures, scope violations) come here. The first refusal of a source
against a target in a window is written and logged at once, so the owner's
audit page, badge and alerts hear of it; the rest of that window is only
counted, and written as one more row with its ``count`` when the window
closes (issue 11: 300 refusals from one locked-out address were 300 rows on
the victim's host, and as many log lines).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from homing.core.writer import ChangeWriter
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.store.rows import NewHistory

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
MAX_OPEN_WINDOWS = 10_000

_Key = tuple[str | None, str | None, int | None, str, str]
"""Source, target name, target host, front door, outcome."""


@dataclass(slots=True)
class _Window:
    started: float
    count: int = 0
    """Refusals after the first, not yet written."""
    last: NewHistory | None = None
    timer: asyncio.TimerHandle | None = None


class Refusals:
    """Writes refusals to the history, aggregated (see the module docstring)."""

    def __init__(
        self,
        *,
        writer: ChangeWriter,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._writer = writer
        self._window = window
        self._clock = clock
        self._open: dict[_Key, _Window] = {}

    def record(
        self,
        *,
        front_door: FrontDoor,
        source: str | None,
        detail: str,
        outcome: UpdateOutcome = UpdateOutcome.BADAUTH,
        host_id: int | None = None,
        fqdn: str | None = None,
        credential: str | None = None,
        login: str | None = None,
    ) -> bool:
        """Count one refusal; True when it opened a window (and was written and logged now).

        ``login`` (already redacted when it looks like a secret) goes into the log line only.
        """
        row = NewHistory(
            at=datetime.now(UTC),
            host_id=host_id,
            fqdn=fqdn,
            outcome=outcome.value,
            front_door=front_door.value,
            credential=credential,
            source=source,
            detail=detail,
        )
        key = (source, fqdn, host_id, front_door.value, outcome.value)
        now = self._clock()
        window = self._open.get(key)
        if window is not None and now - window.started < self._window:
            window.count += 1
            window.last = row
            if window.timer is None:
                window.timer = _call_later(window.started + self._window - now, self._close, key)
            return False
        if window is not None:
            self._close(key)
        if len(self._open) >= MAX_OPEN_WINDOWS:
            self.flush()
        self._open[key] = _Window(started=now)
        if login is None:
            log.info("refused %s from %s: %s", front_door.value, source, detail)
        else:
            log.info(
                "refused %s login %r from %s: %s", front_door.value, login[:64], source, detail
            )
        self._writer.record([row])
        return True

    def flush(self) -> None:
        """Write every window's count now (at shutdown, or when too many are open)."""
        for key in list(self._open):
            self._close(key)

    def _close(self, key: _Key) -> None:
        window = self._open.pop(key, None)
        if window is None:
            return
        if window.timer is not None:
            window.timer.cancel()
        if window.count and window.last is not None:
            last = window.last
            seconds = f"{self._window:g}"
            log.info(
                "refused %s from %s %d more times in %s s: %s",
                last.front_door,
                last.source,
                window.count,
                seconds,
                last.detail,
            )
            self._writer.record(
                [
                    replace(
                        last,
                        count=window.count,
                        detail=f"{last.detail} ({window.count} more in {seconds} s)",
                    )
                ]
            )


def _call_later(
    delay: float, callback: Callable[[_Key], None], key: _Key
) -> asyncio.TimerHandle | None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None  # no loop (a synchronous caller): the next refusal or flush() writes it
    return loop.call_later(max(0.0, delay), callback, key)

"""A summary of one user's refused attempts in the making: the first rows, and every count.

The follower gathers a user's refused attempts between two failure alerts
(``failure_quiet_seconds``). It keeps the first ``MAX_SAMPLES`` rows to show
and the (history id, attempts) of every row, so that when another node has
told the user of part of them (``store/alert_claims.py``) the rest can still
be told, each attempt once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homing.alerts.rules import MAX_SAMPLES, Alert, failure_alert
from homing.store.alerts import AlertSettingsRow
from homing.store.rows import HistoryRow


@dataclass(slots=True)
class Summary:
    """Refused attempts of one user not yet told (see the module docstring)."""

    settings: AlertSettingsRow
    rows: list[HistoryRow] = field(default_factory=list)
    total: int = 0
    counts: list[tuple[int, int]] = field(default_factory=list)

    @property
    def first_id(self) -> int:
        return self.counts[0][0]

    @property
    def last_id(self) -> int:
        return self.counts[-1][0]

    def add(self, row: HistoryRow) -> None:
        if len(self.rows) < MAX_SAMPLES:
            self.rows.append(row)
        self.total += row.count
        self.counts.append((row.id, row.count))

    def alert(self) -> Alert:
        return failure_alert(self.rows, user=self.settings.user, total=self.total)

    def after(self, told: int) -> tuple[list[HistoryRow], list[tuple[int, int]]]:
        """The sample rows and the counts of the rows after history id ``told``."""
        return [r for r in self.rows if r.id > told], [(i, n) for i, n in self.counts if i > told]

    def then(self, later: Summary | None) -> Summary:
        """This summary followed by ``later`` (rows read since), as one."""
        if later is not None:
            self.rows = (self.rows + later.rows)[:MAX_SAMPLES]
            self.total += later.total
            self.counts += later.counts
        return self

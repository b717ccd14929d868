"""Alert claims (issue 9): a claim is made once; a failure summary's told-through mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homing.store.alert_claims import claim_alerts, claim_failures, prune_alert_claims
from homing.store.store import Store

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
QUIET = timedelta(minutes=10)


async def test_an_alert_is_claimed_once(store: Store) -> None:
    assert await claim_alerts(store, [], at=NOW) == set()
    assert await claim_alerts(store, ["change:1", "change:2", "change:1"], at=NOW) == {
        "change:1",
        "change:2",
    }
    assert await claim_alerts(store, ["change:2", "change:3"], at=NOW) == {"change:3"}


async def test_a_failure_summary_tells_each_row_once_per_quiet_time(store: Store) -> None:
    claim = claim_failures
    assert await claim(store, 7, first_id=3, through_id=9, at=NOW, quiet=QUIET) is None
    # Another node cut its summary at row 12: rows 3-9 were told, 10-12 are left for later.
    assert await claim(store, 7, first_id=3, through_id=12, at=NOW, quiet=QUIET) == 9
    # Rows after the mark, but within the quiet time: not yet.
    later = NOW + timedelta(minutes=5)
    assert await claim(store, 7, first_id=10, through_id=12, at=later, quiet=QUIET) == 9
    after = NOW + QUIET
    assert await claim(store, 7, first_id=10, through_id=12, at=after, quiet=QUIET) is None
    # Another user has a mark of their own.
    assert await claim(store, 8, first_id=3, through_id=4, at=NOW, quiet=QUIET) is None


async def test_old_claims_are_pruned(store: Store) -> None:
    await claim_alerts(store, ["change:1"], at=NOW)
    await claim_alerts(store, ["change:2"], at=NOW + timedelta(days=2))
    async with store.write() as txn:
        assert await prune_alert_claims(txn, before=NOW + timedelta(days=1)) == 1
    assert await claim_alerts(store, ["change:1", "change:2"], at=NOW) == {"change:1"}

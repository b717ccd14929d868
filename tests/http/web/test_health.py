"""Health badges: failing beats stale, nochg counts as contact, never updated is new, then stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from homing.http.web.health import Health, host_health
from homing.store.rows import HistoryRow, HostRow

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def host(updated_at: datetime | None) -> HostRow:
    return HostRow(
        id=1,
        fqdn="home.dyn.example.",
        zone_id=1,
        zone="dyn.example.",
        owner_id=1,
        owner="alice",
        ttl=60,
        wildcard=False,
        offline=False,
        created_at=NOW - 10 * DAY,
        updated_at=updated_at,
        last_source=None,
        last_front_door=None,
        nochg_count=0,
    )


def row(outcome: str, at: datetime, row_id: int = 1) -> HistoryRow:
    # Naive, as the SQLite store returns them.
    return HistoryRow(
        id=row_id,
        at=at.replace(tzinfo=None),
        host_id=1,
        fqdn="home.dyn.example.",
        outcome=outcome,
        old_value=None,
        new_value=None,
        credential=None,
        source=None,
        front_door="dyndns2",
        detail=None,
    )


def health(updated_at: datetime | None, *rows: HistoryRow) -> Health:
    return host_health(host(updated_at), list(rows), now=NOW, stale_after=DAY).health


def test_fresh_stale_and_never() -> None:
    assert health(NOW - timedelta(hours=1)) is Health.FRESH
    assert health(NOW - 2 * DAY) is Health.STALE
    assert health(None) is Health.STALE  # created ten days ago and never updated
    young = replace(host(None), created_at=NOW - DAY / 2)
    assert host_health(young, [], now=NOW, stale_after=DAY).health is Health.NEW


def test_an_unchanged_update_keeps_a_host_fresh() -> None:
    old_change = NOW - 5 * DAY
    assert health(old_change, row("nochg", NOW - timedelta(minutes=5))) is Health.FRESH


def test_a_refusal_as_latest_row_is_failing_until_an_update_succeeds() -> None:
    recent = NOW - timedelta(minutes=30)
    refused = row("abuse", NOW - timedelta(minutes=1), 2)
    assert health(recent, refused, row("good", recent)) is Health.FAILING
    assert health(recent, row("good", NOW, 3), refused) is Health.FRESH
    result = host_health(host(None), [row("nohost", NOW)], now=NOW, stale_after=DAY)
    assert (result.health, result.reason) == (Health.FAILING, "last attempt refused: nohost")


def test_one_wrong_password_from_a_stranger_does_not_make_a_host_failing() -> None:
    recent = NOW - timedelta(minutes=30)
    known = replace(host(recent), last_source="198.51.100.7")

    def from_(source: str, row_id: int) -> HistoryRow:
        return replace(row("badauth", NOW - timedelta(minutes=row_id), row_id), source=source)

    stranger = [from_("203.0.113.66", 1), from_("203.0.113.67", 2), from_("203.0.113.68", 3)]
    assert host_health(known, stranger, now=NOW, stale_after=DAY).health is Health.FRESH
    # The host's own client (its last address) with a wrong password: failing at once.
    own = [from_("198.51.100.7", 1)]
    assert host_health(known, own, now=NOW, stale_after=DAY).health is Health.FAILING
    # Never updated: one guess is nothing, repeated wrong passwords are a misconfigured router.
    young = replace(host(None), created_at=NOW - timedelta(hours=1))
    assert host_health(young, stranger[:1], now=NOW, stale_after=DAY).health is Health.NEW
    assert host_health(young, stranger, now=NOW, stale_after=DAY).health is Health.FAILING
    # Refusals older than the stale period leave the host stale, not failing.
    old = [replace(from_("198.51.100.7", 1), at=(NOW - 2 * DAY).replace(tzinfo=None))]
    stale = replace(known, updated_at=NOW - 3 * DAY)
    assert host_health(stale, old, now=NOW, stale_after=DAY).health is Health.STALE

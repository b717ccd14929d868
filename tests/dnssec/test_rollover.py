"""The rollover state machine: its phases, its timings from the TTLs, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from homing.dnssec.rollover import (
    KeyState,
    KeyTimes,
    Phase,
    Step,
    check_start,
    complete,
    due_at,
    phase_of,
    timed_step,
)
from homing.dnssec.rollover import Timings as RolloverTimings
from homing.errors import ConflictError

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TIMINGS = RolloverTimings(dnskey_ttl=3600, max_zone_ttl=7200, propagation=300, parent_ds_ttl=86400)


def _key(
    key_id: int, state: KeyState, created: datetime, changed: datetime | None = None
) -> KeyTimes:
    return KeyTimes(id=key_id, state=state, created_at=created, changed_at=changed or created)


def _after(keys: list[KeyTimes], step: Step, now: datetime) -> list[KeyTimes]:
    """The keys once ``step`` is written at ``now``, as core.dnssec writes it."""
    changes = dict(step.changes)
    return [
        _key(k.id, state, k.created_at, now)
        for k in keys
        if (state := changes.get(k.id, k.state)) is not None
    ]


def test_a_rollover_goes_through_its_phases_with_waits_from_the_ttls() -> None:
    old = _key(1, KeyState.ACTIVE, T0 - timedelta(days=30))
    assert check_start([old], "dyn.example.") == old
    keys = [old, _key(2, KeyState.PUBLISHED, T0)]
    assert phase_of(keys) is Phase.PUBLISH
    # The new DNSKEY is in every cache after the DNSKEY TTL and the propagation delay.
    ready = T0 + timedelta(seconds=3600 + 300)
    assert due_at(keys, TIMINGS) == ready
    assert timed_step(keys, TIMINGS, ready - timedelta(seconds=1)) is None
    step = timed_step(keys, TIMINGS, ready)
    assert step == Step(changes=((1, KeyState.LEAVING), (2, KeyState.ACTIVE)), phase=Phase.SUBMIT)
    keys = _after(keys, step, ready)
    assert phase_of(keys) is Phase.SUBMIT
    # The parent's DS is the operator's to change: the server never moves on by itself.
    assert due_at(keys, TIMINGS) is None
    assert timed_step(keys, TIMINGS, ready + timedelta(days=365)) is None
    submitted = ready + timedelta(hours=5)
    step = complete(keys, TIMINGS, "dyn.example.")
    assert step == Step(changes=((1, KeyState.RETIRING),), phase=Phase.RETIRE)
    keys = _after(keys, step, submitted)
    # Resolvers may keep the old DS for the parent's DS TTL.
    gone = submitted + timedelta(seconds=86400 + 300)
    assert due_at(keys, TIMINGS) == gone
    assert timed_step(keys, TIMINGS, gone - timedelta(seconds=1)) is None
    step = timed_step(keys, TIMINGS, gone)
    assert step == Step(changes=((1, None),), phase=Phase.NONE)
    keys = _after(keys, step, gone)
    assert [(k.id, k.state) for k in keys] == [(2, KeyState.ACTIVE)]
    assert phase_of(keys) is Phase.NONE


def test_the_old_key_stays_until_answers_signed_without_the_new_one_expired() -> None:
    """With a short DS TTL, the largest TTL of the zone decides when the old key may leave."""
    timings = RolloverTimings(dnskey_ttl=60, max_zone_ttl=86400, propagation=10, parent_ds_ttl=1)
    keys = [
        _key(1, KeyState.RETIRING, T0 - timedelta(days=9), T0 + timedelta(minutes=5)),
        _key(2, KeyState.ACTIVE, T0, T0 + timedelta(minutes=2)),
    ]
    assert due_at(keys, timings) == T0 + timedelta(seconds=86400 + 10)


def test_a_second_rollover_and_an_early_complete_are_refused() -> None:
    publishing = [_key(1, KeyState.ACTIVE, T0), _key(2, KeyState.PUBLISHED, T0)]
    with pytest.raises(ConflictError, match="in a key rollover already"):
        check_start(publishing, "dyn.example.")
    with pytest.raises(ConflictError, match=r"too early: .* only from 2026-12-01T13:05:00"):
        complete(publishing, TIMINGS, "dyn.example.")
    retiring = [_key(1, KeyState.RETIRING, T0), _key(2, KeyState.ACTIVE, T0)]
    with pytest.raises(ConflictError, match="complete already"):
        complete(retiring, TIMINGS, "dyn.example.")
    with pytest.raises(ConflictError, match="no key rollover"):
        complete([_key(1, KeyState.ACTIVE, T0)], TIMINGS, "dyn.example.")
    with pytest.raises(ConflictError, match="not signed"):
        check_start([], "dyn.example.")


def test_a_broken_key_set_is_an_error_not_a_guess() -> None:
    two_new = [_key(1, KeyState.ACTIVE, T0), *(_key(n, KeyState.PUBLISHED, T0) for n in (2, 3))]
    with pytest.raises(ValueError, match="one published key"):
        due_at(two_new, TIMINGS)

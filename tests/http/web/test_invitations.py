"""Invitation tokens: signed under the server key, expiring, tied to one account and its state."""

from __future__ import annotations

from datetime import UTC, datetime

from homing.http.web.invitations import (
    Invitation,
    InvitationCodec,
    InvitationProblem,
    account_state,
)
from homing.http.web.sessions import SessionCodec
from homing.store.rows import UserRow

KEY = bytes(range(32))
NOW = 1_700_000_000.0
STATE = "2025-01-01T00:00:00\0"


def test_round_trip_and_expiry() -> None:
    codec = InvitationCodec(key=KEY, lifetime_seconds=3600)
    token = codec.issue(user_id=7, user="carol", state=STATE, now=NOW)
    found = codec.read(token, now=NOW + 3599)
    assert isinstance(found, Invitation)
    assert (found.user_id, found.user, found.expires) == (7, "carol", int(NOW + 3600))
    assert codec.read(token, now=NOW + 3600) is InvitationProblem.EXPIRED


def test_forged_or_foreign_tokens_are_invalid() -> None:
    codec = InvitationCodec(key=KEY)
    token = codec.issue(user_id=7, user="carol", state=STATE, now=NOW)
    payload, _, signature = token.partition(".")
    other_key = InvitationCodec(key=bytes(32)).issue(user_id=7, user="carol", state=STATE, now=NOW)
    session_cookie, _ = SessionCodec(key=KEY, lifetime_seconds=60).issue(
        user_id=7, user="carol", password_hash=None, now=NOW
    )
    for bad in (
        payload + "." + signature[:-2] + "AA",
        payload + "x." + signature,
        payload,
        other_key,
        session_cookie,  # the same key, another purpose
        "",
        "é.ü",
    ):
        assert codec.read(bad, now=NOW) is InvitationProblem.INVALID, bad


def test_open_only_for_the_same_account_without_a_chosen_password() -> None:
    codec = InvitationCodec(key=KEY)
    created = datetime(2025, 1, 1, tzinfo=UTC)
    carol = UserRow(id=7, name="carol", password_hash=None, is_admin=False, created_at=created)
    token = codec.issue(user_id=7, user="carol", state=account_state(carol), now=NOW)
    found = codec.read(token, now=NOW)
    assert isinstance(found, Invitation)
    assert codec.still_open(found, user_id=7, state=account_state(carol))
    chosen = UserRow(
        id=7, name="carol", password_hash="$argon2id$x", is_admin=False, created_at=created
    )
    assert not codec.still_open(found, user_id=7, state=account_state(chosen))
    recreated = UserRow(
        id=7, name="carol", password_hash=None, is_admin=False, created_at=datetime.now(UTC)
    )
    assert not codec.still_open(found, user_id=7, state=account_state(recreated))
    assert not codec.still_open(found, user_id=8, state=account_state(carol))

"""Who a history row concerns, and which rows are alerts or authentication failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from homing.alerts.rules import AlertKind, concerned_user, is_auth_failure, kind_of
from homing.store.rows import HistoryRow


@dataclass
class Owners:
    host_owner: dict[int, int] = field(default_factory=lambda: {7: 1})
    user_by_name: dict[str, int] = field(default_factory=lambda: {"alice": 1, "bob": 2})
    host_owner_by_fqdn: dict[str, int] = field(default_factory=lambda: {"home.dyn.example.": 1})
    token_owner: dict[int, int] = field(default_factory=lambda: {42: 2})


def row(
    outcome: str, *, host_id: int | None = None, fqdn: str | None = None, cred: str | None = None
) -> HistoryRow:
    return HistoryRow(
        id=1,
        at=datetime(2026, 11, 30, tzinfo=UTC),
        host_id=host_id,
        fqdn=fqdn,
        outcome=outcome,
        old_value=None,
        new_value=None,
        credential=cred,
        source="192.0.2.1",
        front_door="dyndns2",
        detail=None,
    )


@pytest.mark.parametrize(
    ("history", "user"),
    [
        (row("good", host_id=7, fqdn="home.dyn.example."), 1),
        (row("nohost", fqdn="x.dyn.example.", cred="password:bob"), 2),
        (row("nohost", fqdn="x.dyn.example.", cred="token#42 hm_abc…"), 2),
        (row("badauth", fqdn="alice"), 1),
        (row("badauth", fqdn="HOME.dyn.example"), 1),
        (row("badauth"), None),  # an unknown DuckDNS token names nobody
        (row("badauth", fqdn="dyn.example.", cred="tsig:k."), None),
    ],
)
def test_the_concerned_user(history: HistoryRow, user: int | None) -> None:
    assert concerned_user(history, Owners()) == user


def test_kinds_and_auth_failures() -> None:
    assert kind_of(row("good")) is AlertKind.CHANGE
    assert kind_of(row("nochg")) is None
    assert kind_of(row("abuse", host_id=7)) is AlertKind.FAILURE
    assert is_auth_failure(row("badauth"))
    assert is_auth_failure(row("abuse"))
    assert not is_auth_failure(row("abuse", host_id=7))  # the flood brake, not a credential
    assert not is_auth_failure(row("nohost"))

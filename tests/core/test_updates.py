"""The one update path: authorisation, outcomes, durability, history and journal."""

from __future__ import annotations

import ipaddress

from homing.core.auth import Principal
from homing.domain.edits import HostEdit
from homing.domain.outcomes import AuthOutcome, FrontDoor, UpdateOutcome
from homing.domain.records import ZoneChange, ZoneSnapshot
from support import Core


async def _setup(core: Core) -> tuple[Principal, str]:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    _, token = await core.admin.add_host("home.dyn.example", owner="alice")
    authn = await core.auth.basic(
        "alice", "alice-password", source="192.0.2.1", front_door=FrontDoor.DYNDNS2
    )
    assert authn.outcome is AuthOutcome.OK and authn.principal is not None
    return authn.principal, token


def _v4(text: str) -> HostEdit:
    return HostEdit(ipv4=ipaddress.IPv4Address(text))


async def test_good_then_nochg_and_event_before_answer(core: Core) -> None:
    principal, _ = await _setup(core)
    results = await core.updates.apply_update(
        principal,
        hostnames=["home.dyn.example"],
        edit=_v4("203.0.113.7"),
        source="192.0.2.1",
        front_door=FrontDoor.DYNDNS2,
    )
    assert [r.outcome for r in results] == [UpdateOutcome.GOOD]
    assert results[0].ipv4 == ("203.0.113.7",)
    changes = [e for e in core.events if isinstance(e, ZoneChange)]
    assert changes and changes[-1].rrsets[0].rdatas == ("203.0.113.7",)
    again = await core.updates.apply_update(
        principal,
        hostnames=["HOME.dyn.example."],
        edit=_v4("203.0.113.7"),
        source="192.0.2.1",
        front_door=FrontDoor.DYNDNS2,
    )
    assert [r.outcome for r in again] == [UpdateOutcome.NOCHG]
    records = await core.store.host_records((await core.store.find_host("home.dyn.example.")).id)  # type: ignore[union-attr]
    assert [(r.rtype, r.rdata) for r in records] == [("A", "203.0.113.7")]


async def test_results_in_order_with_refusals(core: Core) -> None:
    principal, _ = await _setup(core)
    await core.admin.add_user("bob", password="bob-password")
    await core.admin.add_host("bob.dyn.example", owner="bob")
    results = await core.updates.apply_update(
        principal,
        hostnames=["nope", "home.dyn.example", "bob.dyn.example", "missing.dyn.example"],
        edit=_v4("203.0.113.8"),
        source=None,
        front_door=FrontDoor.DYNDNS2,
    )
    assert [r.outcome for r in results] == [
        UpdateOutcome.NOTFQDN,
        UpdateOutcome.GOOD,
        UpdateOutcome.NOHOST,
        UpdateOutcome.NOHOST,
    ]
    await core.writer.sync()
    history = await core.store.history(limit=20)
    outcomes = sorted(h.outcome for h in history)
    assert outcomes.count("nohost") == 2 and outcomes.count("notfqdn") == 1


async def test_numhost_and_all_or_nothing(core: Core) -> None:
    principal, _ = await _setup(core)
    many = await core.updates.apply_update(
        principal,
        hostnames=["home.dyn.example"] * 21,
        edit=_v4("203.0.113.9"),
        source=None,
        front_door=FrontDoor.DYNDNS2,
    )
    assert [r.outcome for r in many] == [UpdateOutcome.NUMHOST]
    refused = await core.updates.apply_update(
        principal,
        hostnames=["home.dyn.example", "other.dyn.example"],
        edit=_v4("203.0.113.9"),
        source=None,
        front_door=FrontDoor.DUCKDNS,
        all_or_nothing=True,
    )
    assert [r.outcome for r in refused] == [UpdateOutcome.NOHOST]
    host = await core.store.find_host("home.dyn.example.")
    assert host is not None and await core.store.host_records(host.id) == []


async def test_token_scope_and_bad_credentials(core: Core) -> None:
    _, token = await _setup(core)
    await core.admin.add_host("work.dyn.example", owner="alice")
    authn = await core.auth.basic(
        "home.dyn.example", token, source="192.0.2.2", front_door=FrontDoor.DYNDNS2
    )
    assert authn.principal is not None and authn.principal.host == "home.dyn.example."
    results = await core.updates.apply_update(
        authn.principal,
        hostnames=["work.dyn.example"],
        edit=_v4("203.0.113.10"),
        source=None,
        front_door=FrontDoor.DYNDNS2,
    )
    assert [r.outcome for r in results] == [UpdateOutcome.NOHOST]
    wrong = await core.auth.basic(
        "alice", "wrong-password", source="192.0.2.3", front_door=FrontDoor.DYNDNS2
    )
    assert wrong.outcome is AuthOutcome.BADAUTH
    bare = await core.auth.token(token, source="192.0.2.2", front_door=FrontDoor.DUCKDNS)
    assert bare.outcome is AuthOutcome.OK
    revoked_id = (await core.admin.tokens(host="home.dyn.example"))[0].id
    await core.admin.revoke_token(revoked_id)
    after = await core.auth.token(token, source="192.0.2.2", front_door=FrontDoor.DUCKDNS)
    assert after.outcome is AuthOutcome.BADAUTH


async def test_lockout_gives_abuse(core: Core) -> None:
    await _setup(core)
    outcomes = []
    for _ in range(7):
        authn = await core.auth.basic(
            "alice", "bad-password", source="192.0.2.66", front_door=FrontDoor.DYNDNS2
        )
        outcomes.append(authn.outcome)
    assert outcomes[0] is AuthOutcome.BADAUTH
    assert outcomes[-1] is AuthOutcome.ABUSE
    right = await core.auth.basic(
        "alice", "alice-password", source="192.0.2.66", front_door=FrontDoor.DYNDNS2
    )
    assert right.outcome is AuthOutcome.ABUSE


async def test_nochg_flood_becomes_abuse(core: Core) -> None:
    principal, _ = await _setup(core)
    seen = []
    for _ in range(8):
        results = await core.updates.apply_update(
            principal,
            hostnames=["home.dyn.example"],
            edit=_v4("203.0.113.11"),
            source=None,
            front_door=FrontDoor.DYNDNS2,
        )
        seen.append(results[0].outcome)
    assert seen[0] is UpdateOutcome.GOOD
    assert UpdateOutcome.NOCHG in seen
    assert seen[-1] is UpdateOutcome.ABUSE


async def test_foreign_changes_are_followed(core: Core) -> None:
    """A management command (other origin) creating a zone reaches the view via the journal."""
    await core.admin.add_zone("later.example")
    await core.writer.sync()
    assert any(isinstance(e, ZoneSnapshot) and e.zone == "later.example." for e in core.events)

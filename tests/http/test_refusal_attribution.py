"""Refused updates land on the host they were aimed at, so its owner sees them (issue 5).

The login (a user name or a host's name) or the names in the request point
at a host; the history row gets its id, and the owner's history, the
dashboard badge and the failure alerts follow. The answer is the same
whether or not the names exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homing.alerts.rules import concerned_user
from homing.core.api_tokens import ApiTokens
from homing.domain.outcomes import FrontDoor
from homing.http.web.health import Health, host_health
from homing.http.web.timeline import timeline
from homing.store import alerts as alert_store
from homing.store.rows import HistoryRow

from .conftest import Site

WRONG = ("alice", "not-the-password")


async def _rows(site: Site) -> list[HistoryRow]:
    await site.core.writer.sync()
    return list(reversed(await site.core.store.history()))


async def test_a_wrong_password_for_a_named_host_is_on_that_host(site: Site) -> None:
    answer = await site.client.get(
        "/nic/update", params={"hostname": "home.dyn.example", "myip": "192.0.2.1"}, auth=WRONG
    )
    assert (answer.status_code, answer.text) == (200, "badauth\n")
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None
    (row,) = await _rows(site)
    assert (row.host_id, row.fqdn, row.outcome) == (host.id, "home.dyn.example.", "badauth")
    assert row.detail == "wrong login or secret (login 'alice')"
    # The owner's strip shows it in red, but one wrong password from anyone is not a failing
    # host (issue 15); repeated ones for a host never updated are (a router set up wrong) ...
    now = datetime.now(UTC)
    history = await site.core.store.history(host_id=host.id)
    assert [m.kind for m in timeline(history, now=now)] == ["refused"]
    badge = host_health(host, history, now=now, stale_after=timedelta(hours=24))
    assert badge.health is Health.NEW
    for _ in range(2):
        await site.client.get("/nic/update", params={"hostname": "home.dyn.example"}, auth=WRONG)
    site.core.refusals.flush()  # the two are one row with count 2 when the minute ends
    await site.core.writer.sync()
    history = await site.core.store.history(host_id=host.id)
    badge = host_health(host, history, now=now, stale_after=timedelta(hours=24))
    assert badge.health is Health.FAILING
    # ... failure alerts go to the owner ...
    owners = await alert_store.owners(
        site.core.store, host_ids=[host.id], names=[row.fqdn or ""], token_ids=[]
    )
    assert concerned_user(row, owners) == host.owner_id
    # ... and the owner's own history (not only an administrator's) has it.
    _, secret = await ApiTokens(store=site.core.store).create(user="alice", name="audit")
    listed = await site.client.get("/api/v1/history", headers={"Authorization": f"Bearer {secret}"})
    assert [(i["host"], i["result"], i["count"]) for i in listed.json()["items"]] == [
        ("home.dyn.example", "badauth", 2),
        ("home.dyn.example", "badauth", 1),
    ]


async def test_a_host_name_as_login_with_a_wrong_token(site: Site) -> None:
    answer = await site.client.get(
        "/nic/update", params={"myip": "192.0.2.1"}, auth=("home.dyn.example", "hm_forged")
    )
    assert answer.text == "badauth\n"
    (row,) = await _rows(site)
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None and row.host_id == host.id
    assert row.detail == "wrong login or secret"


async def test_a_wrong_duckdns_token_for_a_named_domain(site: Site) -> None:
    answer = await site.client.get("/update", params={"domains": "home", "token": "forged"})
    assert answer.text == "KO"
    (row,) = await _rows(site)
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None and (row.host_id, row.fqdn) == (host.id, "home.dyn.example.")


async def test_lock_outs_are_on_the_host_too(site: Site) -> None:
    params = {"hostname": "home.dyn.example"}
    for _ in range(6):  # 5 failures per address lock it out
        await site.client.get("/nic/update", params=params, auth=WRONG)
    site.core.refusals.flush()  # later refusals of a window are one row with their count
    rows = await _rows(site)
    assert [(r.outcome, r.count) for r in rows] == [("badauth", 1), ("abuse", 1), ("badauth", 4)]
    assert len({r.host_id for r in rows}) == 1 and rows[0].host_id is not None


async def test_unknown_names_get_the_same_answer_and_no_host(site: Site) -> None:
    known = await site.client.get(
        "/nic/update", params={"hostname": "home.dyn.example"}, auth=WRONG
    )
    unknown = await site.client.get(
        "/nic/update", params={"hostname": "nothere.dyn.example"}, auth=("nobody", "whatever")
    )
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    assert {k: v for k, v in known.headers.items() if k != "date"} == {
        k: v for k, v in unknown.headers.items() if k != "date"
    }
    _, row = await _rows(site)
    assert (row.host_id, row.fqdn, row.detail) == (None, "nobody", "wrong login or secret")


async def test_a_wrong_web_password_names_no_host(site: Site) -> None:
    # No host is named: the row keeps the login, for administrators and the owner's alerts.
    await site.core.auth.basic("alice", "nope", source="192.0.2.3", front_door=FrontDoor.WEB)
    (row,) = await _rows(site)
    assert (row.host_id, row.fqdn) == (None, "alice")

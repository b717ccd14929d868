"""User A can never see or touch user B's hosts, through any resource (issue 5)."""

from __future__ import annotations

import pytest

from .conftest import Api

BOB = "bob.dyn.example"
BOB_REQUESTS = [
    ("GET", f"/api/v1/hosts/{BOB}", None),
    ("PATCH", f"/api/v1/hosts/{BOB}", {"ttl": 300, "notes": "mine now"}),
    ("DELETE", f"/api/v1/hosts/{BOB}", None),
    ("GET", f"/api/v1/hosts/{BOB}/records", None),
    ("GET", f"/api/v1/hosts/{BOB}/records/A", None),
    ("PUT", f"/api/v1/hosts/{BOB}/records/A", {"values": ["203.0.113.66"]}),
    ("DELETE", f"/api/v1/hosts/{BOB}/records/A", None),
    ("GET", f"/api/v1/hosts/{BOB}/tokens", None),
    ("POST", f"/api/v1/hosts/{BOB}/tokens", {"label": "stolen"}),
    ("DELETE", f"/api/v1/hosts/{BOB}/tokens/2", None),
    ("GET", f"/api/v1/history?host={BOB}", None),
]


async def _bob_state(api: Api) -> tuple[object, ...]:
    host = await api.core.store.find_host(BOB + ".")
    assert host is not None
    records = await api.core.store.host_records(host.id)
    tokens = await api.core.store.tokens(host_id=host.id)
    return host, tuple(records), tuple(tokens)


@pytest.mark.parametrize(("method", "path", "body"), BOB_REQUESTS)
async def test_another_users_host_is_not_found_and_unchanged(
    api: Api, method: str, path: str, body: dict[str, object] | None
) -> None:
    put = await api.client.put(
        f"/api/v1/hosts/{BOB}/records/A", headers=api.bob, json={"values": ["192.0.2.7"]}
    )
    assert put.status_code == 200
    before = await _bob_state(api)
    answer = await api.client.request(method, path, headers=api.alice, json=body)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert await _bob_state(api) == before


async def test_lists_hold_only_the_callers_hosts(api: Api) -> None:
    await api.client.put(
        f"/api/v1/hosts/{BOB}/records/A", headers=api.bob, json={"values": ["192.0.2.7"]}
    )
    await api.client.put(
        "/api/v1/hosts/home.dyn.example/records/A",
        headers=api.alice,
        json={"values": ["192.0.2.1"]},
    )
    hosts = await api.client.get("/api/v1/hosts", headers=api.alice)
    assert [h["name"] for h in hosts.json()["items"]] == ["home.dyn.example"]
    history = await api.client.get("/api/v1/history", headers=api.alice)
    assert {row["host"] for row in history.json()["items"]} == {"home.dyn.example"}
    mine = await api.client.get("/api/v1/me/tokens", headers=api.alice)
    assert {t["user"] for t in mine.json()["items"]} == {"alice"}


async def test_another_users_api_token_cannot_be_revoked(api: Api) -> None:
    tokens = await api.client.get("/api/v1/me/tokens", headers=api.bob)
    bobs = tokens.json()["items"][0]["id"]
    answer = await api.client.delete(f"/api/v1/me/tokens/{bobs}", headers=api.alice)
    assert answer.status_code == 404
    assert (await api.client.get("/api/v1/me", headers=api.bob)).status_code == 200


async def test_an_update_token_of_another_host_cannot_be_revoked_through_mine(api: Api) -> None:
    host = await api.core.store.find_host(BOB + ".")
    assert host is not None
    [token] = await api.core.store.tokens(host_id=host.id)
    answer = await api.client.delete(
        f"/api/v1/hosts/home.dyn.example/tokens/{token.id}", headers=api.alice
    )
    assert answer.status_code == 404
    assert [t.revoked_at for t in await api.core.store.tokens(host_id=host.id)] == [None]


async def test_admin_sees_and_changes_every_host(api: Api) -> None:
    hosts = await api.client.get("/api/v1/hosts", headers=api.root)
    assert {h["name"] for h in hosts.json()["items"]} == {"home.dyn.example", BOB}
    put = await api.client.put(
        f"/api/v1/hosts/{BOB}/records/TXT", headers=api.root, json={"values": ["by admin"]}
    )
    assert put.json()["values"] == ["by admin"]


async def test_the_owner_can_do_what_the_stranger_could_not(api: Api) -> None:
    for index in (5, 3, 4, 6, 7, 8, 9, 10, 0, 1, 2):  # create the A RRset first, delete last
        method, path, body = BOB_REQUESTS[index]
        answer = await api.client.request(method, path, headers=api.bob, json=body)
        assert answer.status_code in {200, 201, 204}, (method, path, answer.text)
    assert await api.core.store.find_host(BOB + ".") is None

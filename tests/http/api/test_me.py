"""``/me`` and ``/me/tokens``: the caller's account and their own API tokens."""

from __future__ import annotations

from datetime import timedelta

from .conftest import Api, bearer


async def test_me_shows_the_account_and_the_token_in_use(api: Api) -> None:
    answer = await api.client.get("/api/v1/me", headers=api.root)
    body = answer.json()
    assert (body["name"], body["admin"], body["has_password"]) == ("root", True, False)
    assert body["token"]["user"] == "root" and body["token"]["read_only"] is False


async def test_create_a_scoped_token_and_use_it(api: Api) -> None:
    made = await api.client.post(
        "/api/v1/me/tokens",
        headers=api.alice,
        json={
            "name": "acme",
            "expires_in": "30d",
            "hosts": ["home.dyn.example"],
            "types": ["txt"],
        },
    )
    assert made.status_code == 201
    token = made.json()
    assert token["token"].startswith("hm_api_")
    assert (token["hosts"], token["types"]) == (["home.dyn.example"], ["TXT"])
    assert token["expires_at"] is not None
    scoped = bearer(token["token"])
    put = await api.client.put(
        "/api/v1/hosts/home.dyn.example/records/TXT", headers=scoped, json={"values": ["v"]}
    )
    assert put.status_code == 200
    listed = await api.client.get("/api/v1/me/tokens", headers=api.alice)
    assert [t["name"] for t in listed.json()["items"]] == ["test", "acme"]
    assert all("token" not in t for t in listed.json()["items"])
    revoked = await api.client.delete(f"/api/v1/me/tokens/{token['id']}", headers=api.alice)
    assert revoked.status_code == 204
    assert (await api.client.get("/api/v1/me", headers=scoped)).status_code == 401


async def test_token_creation_is_validated(api: Api) -> None:
    for body, field in [
        ({"name": "x", "expires_in": "forever"}, "expires_in"),
        ({"name": "x", "hosts": ["bob.dyn.example"]}, "hosts"),
        ({"name": "x", "types": ["SRV"]}, "types"),
        ({"name": ""}, "name"),
        ({"name": "x", "read_only": "yes"}, "read_only"),
    ]:
        answer = await api.client.post("/api/v1/me/tokens", headers=api.alice, json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["field"] == field


async def test_a_token_never_creates_one_that_outlives_it(api: Api) -> None:
    hourly = await api.token("alice", lifetime=timedelta(hours=1))
    child = await api.client.post("/api/v1/me/tokens", headers=hourly, json={"name": "child"})
    assert child.status_code == 201
    parent_end = (await api.client.get("/api/v1/me", headers=hourly)).json()["token"]
    assert child.json()["expires_at"] == parent_end["expires_at"]
    longer = await api.client.post(
        "/api/v1/me/tokens", headers=hourly, json={"name": "x", "expires_in": "2h"}
    )
    assert longer.status_code == 422 and longer.json()["error"]["field"] == "expires_in"
    shorter = await api.client.post(
        "/api/v1/me/tokens", headers=hourly, json={"name": "x", "expires_in": "10m"}
    )
    assert shorter.status_code == 201


async def test_an_expiring_host_token_mints_no_permanent_update_token(api: Api) -> None:
    scoped = await api.token("alice", lifetime=timedelta(hours=1), hosts=("home.dyn.example",))
    minted = await api.client.post(
        "/api/v1/hosts/home.dyn.example/tokens", headers=scoped, json={"label": "router"}
    )
    assert minted.status_code == 403
    assert [t.label for t in await api.core.admin.tokens(host="home.dyn.example")] == ["initial"]

"""Read-only, host-scoped and type-scoped tokens are held to their scope on every endpoint."""

from __future__ import annotations

import pytest

from .conftest import Api

HOME = "/api/v1/hosts/home.dyn.example"
WRITES = [
    ("POST", "/api/v1/hosts", {"name": "new.dyn.example"}),
    ("PATCH", HOME, {"notes": "x"}),
    ("DELETE", HOME, None),
    ("PUT", f"{HOME}/records/A", {"values": ["192.0.2.9"]}),
    ("DELETE", f"{HOME}/records/A", None),
    ("POST", f"{HOME}/tokens", {"label": "x"}),
    ("DELETE", f"{HOME}/tokens/1", None),
    ("POST", "/api/v1/me/tokens", {"name": "x"}),
    ("DELETE", "/api/v1/me/tokens/1", None),
]
READS = [
    "/api/v1/me",
    "/api/v1/me/tokens",
    "/api/v1/zones",
    "/api/v1/hosts",
    HOME,
    f"{HOME}/records",
    f"{HOME}/tokens",
    "/api/v1/history",
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_read_only_token_never_writes(
    api: Api, method: str, path: str, body: dict[str, object] | None
) -> None:
    headers = await api.token("alice", read_only=True)
    host_before = await api.core.store.find_host("home.dyn.example.")
    answer = await api.client.request(method, path, headers=headers, json=body)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert await api.core.store.find_host("home.dyn.example.") == host_before


async def test_read_only_token_reads(api: Api) -> None:
    headers = await api.token("alice", read_only=True)
    for path in READS:
        assert (await api.client.get(path, headers=headers)).status_code == 200, path


async def test_read_only_admin_token_cannot_administer(api: Api) -> None:
    headers = await api.token("root", read_only=True)
    assert (await api.client.get("/api/v1/users", headers=headers)).status_code == 200
    made = await api.client.post("/api/v1/users", headers=headers, json={"name": "eve"})
    assert made.status_code == 403


async def test_host_scoped_token_sees_only_its_hosts(api: Api) -> None:
    await api.core.admin.add_host("other.dyn.example", owner="alice")
    headers = await api.token("alice", hosts=("home.dyn.example.",))
    listed = await api.client.get("/api/v1/hosts", headers=headers)
    assert [h["name"] for h in listed.json()["items"]] == ["home.dyn.example"]
    other = "/api/v1/hosts/other.dyn.example"
    assert (await api.client.get(other, headers=headers)).status_code == 404
    put = await api.client.put(
        f"{other}/records/A", headers=headers, json={"values": ["192.0.2.3"]}
    )
    assert put.status_code == 404
    history = await api.client.get(
        "/api/v1/history", params={"host": "other.dyn.example"}, headers=headers
    )
    assert history.status_code == 404
    mine = await api.client.put(
        f"{HOME}/records/A", headers=headers, json={"values": ["192.0.2.3"]}
    )
    assert mine.status_code == 200
    created = await api.client.post(
        "/api/v1/hosts", headers=headers, json={"name": "n.dyn.example"}
    )
    assert created.status_code == 403


async def test_type_scoped_token_touches_only_its_types(api: Api) -> None:
    await api.client.put(f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.1"]})
    headers = await api.token("alice", types=("TXT",))
    txt = await api.client.put(f"{HOME}/records/TXT", headers=headers, json={"values": ["acme"]})
    assert txt.status_code == 200
    a = await api.client.put(f"{HOME}/records/A", headers=headers, json={"values": ["192.0.2.2"]})
    assert a.status_code == 403
    assert (await api.client.get(f"{HOME}/records/A", headers=headers)).status_code == 403
    assert (await api.client.delete(f"{HOME}/records/A", headers=headers)).status_code == 403
    listed = await api.client.get(f"{HOME}/records", headers=headers)
    assert [r["type"] for r in listed.json()] == ["TXT"]
    for method, path, body in [
        ("PATCH", HOME, {"ttl": 30}),
        ("DELETE", HOME, None),
        ("POST", f"{HOME}/tokens", {}),
        ("POST", "/api/v1/me/tokens", {"name": "wider"}),
    ]:
        answer = await api.client.request(method, path, headers=headers, json=body)
        assert answer.status_code == 403, (method, path)
    a_records = await api.client.get(f"{HOME}/records/A", headers=api.alice)
    assert a_records.json()["values"] == ["192.0.2.1"]


async def test_scoped_admin_token_cannot_use_admin_endpoints(api: Api) -> None:
    headers = await api.token("root", types=("TXT",))
    assert (await api.client.get("/api/v1/users", headers=headers)).status_code == 403


async def test_non_admin_gets_403_on_admin_endpoints(api: Api) -> None:
    for method, path, body in [
        ("GET", "/api/v1/users", None),
        ("POST", "/api/v1/users", {"name": "eve"}),
        ("GET", "/api/v1/users/bob", None),
        ("DELETE", "/api/v1/users/bob", None),
        ("POST", "/api/v1/zones", {"name": "other.example"}),
        ("PATCH", "/api/v1/zones/dyn.example", {"record_types": ["MX"]}),
        ("DELETE", "/api/v1/zones/dyn.example", None),
    ]:
        answer = await api.client.request(method, path, headers=api.alice, json=body)
        assert answer.status_code == 403, (method, path)
    assert await api.core.store.find_user("bob") is not None
    assert [z.name for z in await api.core.store.zones()] == ["dyn.example."]

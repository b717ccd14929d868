"""``/hosts`` and ``/hosts/{fqdn}/tokens``: create, read, update, delete; update tokens."""

from __future__ import annotations

from homing.domain.outcomes import AuthOutcome, FrontDoor
from homing.domain.records import ZoneChange

from .conftest import Api

HOME = "/api/v1/hosts/home.dyn.example"


async def test_create_host_returns_a_working_update_token(api: Api) -> None:
    answer = await api.client.post(
        "/api/v1/hosts",
        headers=api.alice,
        json={"name": "Cabin.dyn.example.", "ttl": 120, "notes": "the cabin"},
    )
    assert answer.status_code == 201
    body = answer.json()
    assert (body["name"], body["owner"], body["ttl"], body["notes"]) == (
        "cabin.dyn.example",
        "alice",
        120,
        "the cabin",
    )
    authn = await api.core.auth.token(
        body["update_token"], source=None, front_door=FrontDoor.DUCKDNS
    )
    assert authn.outcome is AuthOutcome.OK
    assert authn.principal is not None and authn.principal.host == "cabin.dyn.example."


async def test_create_host_errors(api: Api) -> None:
    cases = [
        ({"name": "home.dyn.example"}, 409, "conflict", None),
        ({"name": "elsewhere.example.org"}, 422, "invalid_value", "name"),
        ({"name": "dyn.example"}, 422, "invalid_value", "name"),
        ({"name": "bad name.dyn.example"}, 422, "invalid_value", "name"),
        ({"name": "x.dyn.example", "ttl": "60"}, 422, "invalid_value", "ttl"),
        ({}, 422, "missing_field", "name"),
        ({"name": "x.dyn.example", "owner": "bob"}, 403, "forbidden", None),
    ]
    for body, status, code, field in cases:
        answer = await api.client.post("/api/v1/hosts", headers=api.alice, json=body)
        assert answer.status_code == status, body
        assert answer.json()["error"]["code"] == code
        assert answer.json()["error"].get("field") == field
    malformed = await api.client.post(
        "/api/v1/hosts",
        headers={**api.alice, "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "malformed_json"


async def test_admin_creates_a_host_for_another_user(api: Api) -> None:
    answer = await api.client.post(
        "/api/v1/hosts", headers=api.root, json={"name": "b2.dyn.example", "owner": "bob"}
    )
    assert answer.status_code == 201 and answer.json()["owner"] == "bob"
    nobody = await api.client.post(
        "/api/v1/hosts", headers=api.root, json={"name": "b3.dyn.example", "owner": "nobody"}
    )
    assert nobody.json()["error"]["field"] == "owner"


async def test_patch_ttl_moves_the_records_along(api: Api) -> None:
    await api.client.put(f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.1"]})
    answer = await api.client.patch(HOME, headers=api.alice, json={"ttl": 600, "notes": "n"})
    assert (answer.json()["ttl"], answer.json()["notes"]) == (600, "n")
    record = await api.client.get(f"{HOME}/records/A", headers=api.alice)
    assert record.json()["ttl"] == 600
    change = api.core.events[-1]
    assert isinstance(change, ZoneChange) and change.rrsets[0].ttl == 600
    too_long = await api.client.patch(HOME, headers=api.alice, json={"notes": "x" * 1001})
    assert too_long.json()["error"]["field"] == "notes"


async def test_delete_host_removes_it_from_dns_before_answering(api: Api) -> None:
    await api.client.put(f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.1"]})
    answer = await api.client.delete(HOME, headers=api.alice)
    assert answer.status_code == 204
    change = api.core.events[-1]
    assert isinstance(change, ZoneChange)
    assert [(r.name, r.rtype, r.rdatas) for r in change.rrsets] == [("home.dyn.example.", "A", ())]
    assert (await api.client.get(HOME, headers=api.alice)).status_code == 404


async def test_update_tokens_create_list_revoke(api: Api) -> None:
    made = await api.client.post(f"{HOME}/tokens", headers=api.alice, json={"label": "router"})
    assert made.status_code == 201
    token = made.json()
    assert token["token"].startswith("hm_") and token["token"].startswith(token["prefix"])
    listed = await api.client.get(f"{HOME}/tokens", headers=api.alice)
    assert [t["label"] for t in listed.json()["items"]] == ["initial", "router"]
    assert all("token" not in t for t in listed.json()["items"])
    gone = await api.client.delete(f"{HOME}/tokens/{token['id']}", headers=api.alice)
    assert gone.status_code == 204
    authn = await api.core.auth.token(token["token"], source=None, front_door=FrontDoor.DUCKDNS)
    assert authn.outcome is AuthOutcome.BADAUTH
    listed = await api.client.get(f"{HOME}/tokens", headers=api.alice)
    assert listed.json()["items"][1]["revoked_at"] is not None
    bad_id = await api.client.delete(f"{HOME}/tokens/abc", headers=api.alice)
    assert bad_id.status_code == 404


async def test_patch_ipv6_settings_and_follows(api: Api) -> None:
    await api.core.admin.add_host("nas.dyn.example", owner="alice")
    answer = await api.client.patch(
        "/api/v1/hosts/nas.dyn.example",
        headers=api.alice,
        json={"ipv6_interface_id": "::11", "ipv6_prefix_length": 56, "follows": "home.dyn.example"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["ipv6_interface_id"], body["ipv6_prefix_length"], body["follows"]) == (
        "::11",
        56,
        "home.dyn.example",
    )
    cleared = await api.client.patch(
        "/api/v1/hosts/nas.dyn.example",
        headers=api.alice,
        json={"ipv6_interface_id": "", "follows": ""},
    )
    assert (cleared.json()["ipv6_interface_id"], cleared.json()["follows"]) == (None, None)


async def test_patch_ipv6_refusals(api: Api) -> None:
    cases = [
        (api.alice, {"follows": "bob.dyn.example"}, 422, "follows"),  # bob's host: not visible
        (api.root, {"follows": "bob.dyn.example"}, 403, None),  # visible, but another owner
        (api.alice, {"follows": "home.dyn.example"}, 422, "follows"),  # itself
        (api.alice, {"ipv6_interface_id": "<iid>"}, 422, "ipv6_interface_id"),
        (api.alice, {"ipv6_prefix_length": 129}, 422, "ipv6_prefix_length"),
        (api.alice, {"ipv6_interface_id": 11}, 422, "ipv6_interface_id"),
    ]
    for headers, body, status, field in cases:
        answer = await api.client.patch(HOME, headers=headers, json=body)
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["error"].get("field") == field, body
    unchanged = (await api.client.get(HOME, headers=api.alice)).json()
    assert (unchanged["ipv6_interface_id"], unchanged["follows"]) == (None, None)


async def test_create_several_hosts_in_one_request(api: Api) -> None:
    answer = await api.client.post(
        "/api/v1/hosts",
        headers=api.alice,
        json={"hosts": [{"name": "a.dyn.example", "ttl": 300}, {"name": "b.dyn.example"}]},
    )
    assert answer.status_code == 201
    created = answer.json()["hosts"]
    assert [(h["name"], h["ttl"]) for h in created] == [
        ("a.dyn.example", 300),
        ("b.dyn.example", 60),
    ]
    for host in created:
        authn = await api.core.auth.token(
            host["update_token"], source=None, front_door=FrontDoor.DUCKDNS
        )
        assert authn.principal is not None and authn.principal.host == host["name"] + "."


async def test_a_list_with_one_bad_host_creates_none(api: Api) -> None:
    cases = [
        ([{"name": "c.dyn.example"}, {"name": "home.dyn.example"}], 409, "conflict", None),
        ([{"name": "c.dyn.example"}, {"name": "c.dyn.example"}], 422, "invalid_value", "hosts"),
        ([{"name": "c.dyn.example"}, {"name": "x.other.example"}], 422, "invalid_value", "name"),
        (
            [{"name": "c.dyn.example"}, {"name": "d.dyn.example", "nom": 1}],
            422,
            "unknown_field",
            "hosts[1].nom",
        ),
        ([{"name": "c.dyn.example"}, {"ttl": 60}], 422, "missing_field", "hosts[1].name"),
        ([{"name": "c.dyn.example", "owner": "bob"}], 403, "forbidden", None),
        ([], 422, "invalid_value", "hosts"),
        (["c.dyn.example"], 422, "invalid_value", "hosts"),
        ([{"name": f"n{i}.dyn.example"} for i in range(1001)], 422, "invalid_value", "hosts"),
    ]
    for hosts, status, code, field in cases:
        answer = await api.client.post("/api/v1/hosts", headers=api.alice, json={"hosts": hosts})
        assert answer.status_code == status, hosts[:3]
        assert answer.json()["error"]["code"] == code
        assert answer.json()["error"].get("field") == field
    assert await api.core.store.find_host("c.dyn.example.") is None
    mixed = await api.client.post(
        "/api/v1/hosts", headers=api.alice, json={"hosts": [{"name": "c.dyn.example"}], "ttl": 5}
    )
    assert mixed.status_code == 422 and mixed.json()["error"]["field"] == "ttl"

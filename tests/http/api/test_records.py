"""``/hosts/{fqdn}/records``: RRsets replaced through the writer, served by DNS, kept in history."""

from __future__ import annotations

from homing.core.auth import Principal
from homing.domain.edits import HostEdit
from homing.domain.outcomes import FrontDoor
from homing.domain.records import ZoneChange

from .conftest import Api

HOME = "/api/v1/hosts/home.dyn.example"


async def test_put_a_record_is_committed_journaled_and_published(api: Api) -> None:
    serial = (await api.core.store.zones())[0].serial
    answer = await api.client.put(
        f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.1", "192.0.2.2"]}
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "name": "home.dyn.example",
        "type": "A",
        "ttl": 60,
        "values": ["192.0.2.1", "192.0.2.2"],
    }
    [zone] = await api.core.store.zones()
    assert zone.serial > serial
    change = api.core.events[-1]
    assert isinstance(change, ZoneChange) and change.serial == zone.serial
    assert [(r.name, r.rtype, r.rdatas) for r in change.rrsets] == [
        ("home.dyn.example.", "A", ("192.0.2.1", "192.0.2.2"))
    ]
    assert [e.serial for e in await api.core.store.zone_journal("dyn.example.")][-1] == zone.serial
    [row] = await api.core.store.history()
    assert (row.front_door, row.outcome, row.new_value) == ("api", "good", "A=192.0.2.1,192.0.2.2")


async def test_values_are_normalised_and_txt_is_plain_text(api: Api) -> None:
    aaaa = await api.client.put(
        f"{HOME}/records/aaaa", headers=api.alice, json={"values": ["2001:DB8:0::1"], "ttl": 300}
    )
    assert aaaa.json()["values"] == ["2001:db8::1"] and aaaa.json()["ttl"] == 300
    txt = await api.client.put(
        f"{HOME}/records/TXT", headers=api.alice, json={"values": ['say "hi"']}
    )
    assert txt.json()["values"] == ['say "hi"']
    listed = await api.client.get(f"{HOME}/records", headers=api.alice)
    assert {r["type"]: r["values"] for r in listed.json()} == {
        "AAAA": ["2001:db8::1"],
        "TXT": ['say "hi"'],
    }


async def test_invalid_values_name_the_field(api: Api) -> None:
    for rtype, values in [
        ("A", ["2001:db8::1"]),
        ("A", ["not-an-ip"]),
        ("AAAA", ["192.0.2.1"]),
        ("A", ["224.0.0.1"]),
        ("TXT", ["x" * 256]),
        ("A", []),
    ]:
        answer = await api.client.put(
            f"{HOME}/records/{rtype}", headers=api.alice, json={"values": values}
        )
        assert answer.status_code == 422, (rtype, values)
        assert answer.json()["error"]["field"] == "values"
    bad_ttl = await api.client.put(
        f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.1"], "ttl": 0}
    )
    assert bad_ttl.json()["error"] == {
        "code": "invalid_value",
        "message": "ttl must be from 1 to 86400",
        "field": "ttl",
    }
    unknown = await api.client.put(
        f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.1"], "tll": 5}
    )
    assert unknown.json()["error"]["code"] == "unknown_field"
    assert await api.core.store.history() == []


async def test_mx_and_cname_only_where_the_zone_allows(api: Api) -> None:
    mx = {"values": ["10 mail.example.net"]}
    refused = await api.client.put(f"{HOME}/records/MX", headers=api.alice, json=mx)
    assert refused.status_code == 403
    allowed = await api.client.patch(
        "/api/v1/zones/dyn.example", headers=api.root, json={"record_types": ["MX", "CNAME"]}
    )
    assert allowed.json()["record_types"] == ["A", "AAAA", "TXT", "MX", "CNAME"]
    done = await api.client.put(f"{HOME}/records/MX", headers=api.alice, json=mx)
    assert done.json()["values"] == ["10 mail.example.net."]


async def test_a_cname_stands_alone(api: Api) -> None:
    await api.client.patch(
        "/api/v1/zones/dyn.example", headers=api.root, json={"record_types": ["CNAME"]}
    )
    await api.client.put(f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.1"]})
    cname = {"values": ["target.example.net"]}
    clash = await api.client.put(f"{HOME}/records/CNAME", headers=api.alice, json=cname)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "conflict"
    await api.client.delete(f"{HOME}/records/A", headers=api.alice)
    alone = await api.client.put(f"{HOME}/records/CNAME", headers=api.alice, json=cname)
    assert alone.json()["values"] == ["target.example.net."]
    beside = await api.client.put(f"{HOME}/records/TXT", headers=api.alice, json={"values": ["x"]})
    assert beside.status_code == 409
    two = await api.client.put(
        f"{HOME}/records/CNAME", headers=api.alice, json={"values": ["a.example", "b.example"]}
    )
    assert two.status_code == 422


async def test_delete_removes_the_rrset_from_dns(api: Api) -> None:
    await api.client.put(f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.1"]})
    gone = await api.client.delete(f"{HOME}/records/A", headers=api.alice)
    assert gone.status_code == 204
    change = api.core.events[-1]
    assert isinstance(change, ZoneChange)
    assert [(r.rtype, r.rdatas) for r in change.rrsets] == [("A", ())]
    assert (await api.client.get(f"{HOME}/records/A", headers=api.alice)).status_code == 404
    again = await api.client.delete(f"{HOME}/records/A", headers=api.alice)
    assert again.status_code == 404


async def test_unknown_record_type_is_not_found(api: Api) -> None:
    answer = await api.client.get(f"{HOME}/records/SRV", headers=api.alice)
    assert answer.status_code == 404


async def test_wildcard_hosts_mirror_addresses(api: Api) -> None:
    user = await api.core.store.find_user("alice")
    assert user is not None
    dyndns2 = Principal(
        user_id=user.id, user="alice", is_admin=False, host_id=None, host=None, credential="t"
    )
    await api.core.updates.apply_update(
        dyndns2,
        hostnames=["home.dyn.example"],
        edit=HostEdit(wildcard=True),
        source=None,
        front_door=FrontDoor.DYNDNS2,
    )
    await api.client.put(f"{HOME}/records/A", headers=api.alice, json={"values": ["192.0.2.5"]})
    listed = await api.client.get(f"{HOME}/records", headers=api.alice)
    assert {(r["name"], r["type"]): r["values"] for r in listed.json()} == {
        ("home.dyn.example", "A"): ["192.0.2.5"],
        ("*.home.dyn.example", "A"): ["192.0.2.5"],
    }

"""``/zones`` and ``/users``: administrators manage them; everyone may list zones.

The writer here never polls the journal: what the API changes reaches the
DNS view through the writer's own transaction, by the time the call returns.
"""

from __future__ import annotations

import dns.message
import dns.rdatatype
import pytest

from homing.domain.records import ZoneRemoved, ZoneSnapshot
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine

from .conftest import Api


@pytest.fixture
def writer_poll_seconds() -> float:
    return 3600.0


async def test_zones_are_listed_for_everyone(api: Api) -> None:
    answer = await api.client.get("/api/v1/zones", headers=api.alice)
    [zone] = answer.json()["items"]
    assert (zone["name"], zone["record_types"]) == ("dyn.example", ["A", "AAAA", "TXT"])
    one = await api.client.get("/api/v1/zones/dyn.example.", headers=api.alice)
    assert one.json() == zone
    assert (
        await api.client.get("/api/v1/zones/nope.example", headers=api.alice)
    ).status_code == 404


async def test_admin_adds_and_removes_a_zone(api: Api) -> None:
    made = await api.client.post(
        "/api/v1/zones",
        headers=api.root,
        json={
            "name": "other.example",
            "nameservers": ["ns1.other.example"],
            "record_types": ["MX"],
        },
    )
    assert made.status_code == 201
    assert made.json()["record_types"] == ["A", "AAAA", "TXT", "MX"]
    assert any(isinstance(e, ZoneSnapshot) and e.zone == "other.example." for e in api.core.events)
    again = await api.client.post("/api/v1/zones", headers=api.root, json={"name": "other.example"})
    assert again.status_code == 409
    busy = await api.client.delete("/api/v1/zones/dyn.example", headers=api.root)
    assert busy.status_code == 409
    gone = await api.client.delete("/api/v1/zones/other.example", headers=api.root)
    assert gone.status_code == 204
    assert ZoneRemoved("other.example.") in api.core.events


async def test_admin_manages_users(api: Api) -> None:
    made = await api.client.post(
        "/api/v1/users", headers=api.root, json={"name": "carol", "password": "long-password"}
    )
    assert made.status_code == 201
    assert (made.json()["name"], made.json()["has_password"]) == ("carol", True)
    short = await api.client.post(
        "/api/v1/users", headers=api.root, json={"name": "dave", "password": "short"}
    )
    assert short.json()["error"]["field"] == "password"
    bad = await api.client.post("/api/v1/users", headers=api.root, json={"name": "-x"})
    assert bad.json()["error"]["field"] == "name"
    dup = await api.client.post("/api/v1/users", headers=api.root, json={"name": "bob"})
    assert dup.status_code == 409
    listed = await api.client.get("/api/v1/users", headers=api.root)
    assert [u["name"] for u in listed.json()["items"]] == ["alice", "bob", "carol", "root"]
    assert (await api.client.get("/api/v1/users/carol", headers=api.root)).status_code == 200
    self_removal = await api.client.delete("/api/v1/users/root", headers=api.root)
    assert self_removal.status_code == 409
    removed = await api.client.delete("/api/v1/users/bob", headers=api.root)
    assert removed.status_code == 204
    assert await api.core.store.find_host("bob.dyn.example.") is None
    assert (await api.client.get("/api/v1/me", headers=api.bob)).status_code == 401


async def test_admin_signs_a_zone_and_gets_the_ds(api: Api) -> None:
    unsigned = await api.client.get("/api/v1/zones/dyn.example/dnssec", headers=api.alice)
    assert unsigned.json() == {"zone": "dyn.example", "signed": False, "ds": [], "dnskey": []}
    refused = await api.client.post("/api/v1/zones/dyn.example/dnssec", headers=api.alice, json={})
    assert refused.status_code == 403
    bad = await api.client.post(
        "/api/v1/zones/dyn.example/dnssec", headers=api.root, json={"algorithm": "rsasha1"}
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "algorithm")
    signed = await api.client.post(
        "/api/v1/zones/dyn.example/dnssec", headers=api.root, json={"algorithm": "ed25519"}
    )
    assert signed.status_code == 201
    body = signed.json()
    assert (body["signed"], body["algorithm"], body["denial"]) == (True, "ed25519", "nsec3")
    [ds] = body["ds"]
    assert ds.startswith(f"dyn.example. 3600 IN DS {body['key_tag']} 15 2 ")
    assert "PRIVATE" not in signed.text
    snapshot = [e for e in api.core.events if isinstance(e, ZoneSnapshot)][-1]
    assert snapshot.zone == "dyn.example." and snapshot.signing is not None
    again = await api.client.post("/api/v1/zones/dyn.example/dnssec", headers=api.root, json={})
    assert again.status_code == 409
    read = await api.client.get("/api/v1/zones/dyn.example/dnssec", headers=api.alice)
    assert read.json() == body
    gone = await api.client.delete("/api/v1/zones/dyn.example/dnssec", headers=api.root)
    assert gone.status_code == 204
    assert [e for e in api.core.events if isinstance(e, ZoneSnapshot)][-1].signing is None
    missing = await api.client.delete("/api/v1/zones/dyn.example/dnssec", headers=api.root)
    assert missing.status_code == 404


async def test_admin_rolls_the_key_of_a_signed_zone(api: Api) -> None:
    url = "/api/v1/zones/dyn.example/dnssec/rollover"
    unsigned = await api.client.post(url, headers=api.root, json={})
    assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (409, "conflict")
    await api.client.post("/api/v1/zones/dyn.example/dnssec", headers=api.root, json={})
    refused = await api.client.post(url, headers=api.alice, json={})
    assert refused.status_code == 403
    bad = await api.client.post(url, headers=api.root, json={"algorithm": "rsasha1"})
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "algorithm")
    both = await api.client.post(
        url, headers=api.root, json={"algorithm": "ed25519", "complete": True}
    )
    assert both.status_code == 422
    early = await api.client.post(url, headers=api.root, json={"complete": True})
    assert early.status_code == 409
    started = await api.client.post(url, headers=api.root, json={"algorithm": "ed25519"})
    assert started.status_code == 200, started.text
    body = started.json()
    assert [(k["algorithm"], k["state"]) for k in body["keys"]] == [
        ("ecdsap256sha256", "active"),
        ("ed25519", "published"),
    ]
    assert body["rollover"]["phase"] == "publish" and body["rollover"]["due_at"].endswith("Z")
    assert body["ds"] == [body["keys"][0]["ds"]]
    assert "PRIVATE" not in started.text
    snapshot = [e for e in api.core.events if isinstance(e, ZoneSnapshot)][-1]
    assert snapshot.signing is not None and len(snapshot.signing.others) == 1
    second = await api.client.post(url, headers=api.root, json={})
    assert second.status_code == 409
    read = await api.client.get("/api/v1/zones/dyn.example/dnssec", headers=api.alice)
    assert read.json() == body


async def test_signing_through_the_api_is_served_signed_on_return(api: Api) -> None:
    """One journal entry and one serial bump; the view serves DNSKEY with its RRSIG."""
    async with api.core.store.read() as txn:
        entries = await txn.journal_after(0)
    zone = await api.core.store.find_zone("dyn.example.")
    assert zone is not None
    signed = await api.client.post("/api/v1/zones/dyn.example/dnssec", headers=api.root, json={})
    assert signed.status_code == 201
    async with api.core.store.read() as txn:
        [entry] = await txn.journal_after(entries[-1].id)
    assert (entry.kind, entry.serial) == ("zone", zone.serial + 1)
    view = CompiledView()
    for event in api.core.events:
        view.apply(event)
    assert view.serial("dyn.example.") == zone.serial + 1
    query = dns.message.make_query("dyn.example.", "DNSKEY", want_dnssec=True, payload=4096)
    wire = Engine(view).answer(query.to_wire(), tcp=True)
    assert isinstance(wire, bytes)
    answer = dns.message.from_wire(wire).answer
    assert {rrset.rdtype for rrset in answer} == {dns.rdatatype.DNSKEY, dns.rdatatype.RRSIG}

"""The acme-dns API over HTTP: registration modes, updates, and every bad input refused cleanly."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homing.config import Settings
from homing.domain.records import ZoneChange
from homing.http.app import build_http_app
from homing.http.protocols.acmedns import MAX_BODY_BYTES, MalformedBody, parse_body
from support import Core, http_context

CALLER = "198.51.100.20"
DIGEST = "uHBPTMZPfRvfYX2vSNN0AGImriERFu2I4_m8gRZe3aA"


@asynccontextmanager
async def api(core: Core, tmp_path: Path, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = build_http_app(http_context(core, Settings(data_dir=tmp_path, **options)))
    transport = httpx.ASGITransport(app=app, client=(CALLER, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        yield client


async def seed(core: Core) -> None:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("root", password="root-password", admin=True)
    await core.admin.add_user("alice", password="alice-password")


def headers(account: dict[str, Any], **changes: str) -> dict[str, str]:
    return {
        "X-Api-User": changes.get("user", account["username"]),
        "X-Api-Key": changes.get("key", account["password"]),
    }


async def txt_at(core: Core, fulldomain: str) -> list[str]:
    async with core.store.read() as txn:
        zone = await txn.zone("dyn.example.")
        assert zone is not None
        rows = await txn.records_named(zone.id, [fulldomain + "."])
    return [r.rdata for r in rows if r.rtype == "TXT"]


async def test_register_and_update_as_acme_dns_clients_expect(core: Core, tmp_path: Path) -> None:
    await seed(core)
    async with api(core, tmp_path, acme_registration="open") as client:
        registered = await client.post("/register", json={"allowfrom": ["198.51.100.0/24"]})
        assert registered.status_code == 201
        account = registered.json()
        assert set(account) == {"username", "password", "fulldomain", "subdomain", "allowfrom"}
        assert account["fulldomain"] == account["subdomain"] + ".dyn.example"
        assert account["allowfrom"] == ["198.51.100.0/24"]
        bare = await client.post("/register")  # no body at all, as lego sends it
        assert bare.status_code == 201 and bare.json()["allowfrom"] == []
        second = DIGEST[::-1]
        for value in (DIGEST, second):
            updated = await client.post(
                "/update",
                headers=headers(account),
                json={"subdomain": account["subdomain"], "txt": value},
            )
            assert updated.status_code == 200
            assert updated.json() == {"txt": value}
    assert await txt_at(core, account["fulldomain"]) == [f'"{DIGEST}"', f'"{second}"']
    assert isinstance(core.events[-1], ZoneChange)


async def test_registration_modes(core: Core, tmp_path: Path) -> None:
    await seed(core)
    async with api(core, tmp_path, acme_registration="closed") as client:
        closed = await client.post("/register", auth=("root", "root-password"))
        assert (closed.status_code, closed.json()) == (403, {"error": "registration_closed"})
    async with api(core, tmp_path) as client:  # the default: admin
        anonymous = await client.post("/register")
        assert (anonymous.status_code, anonymous.json()) == (401, {"error": "forbidden"})
        assert anonymous.headers["www-authenticate"].startswith("Basic")
        wrong = await client.post("/register", auth=("root", "not-the-password"))
        assert wrong.status_code == 401
        user = await client.post("/register", auth=("alice", "alice-password"))
        assert (user.status_code, user.json()) == (403, {"error": "forbidden"})
        admin = await client.post("/register", auth=("root", "root-password"))
        assert admin.status_code == 201
    assert len(await core.store.acme_accounts()) == 1
    history = await core.store.history(limit=20)
    assert any(h.credential == "password:root" and h.front_door == "acmedns" for h in history)


async def test_register_refusals(core: Core, tmp_path: Path) -> None:
    async with api(core, tmp_path, acme_registration="open") as client:
        no_zone = await client.post("/register")
        assert (no_zone.status_code, no_zone.json()) == (503, {"error": "not_configured"})
        await seed(core)
        cases: list[tuple[bytes, int, str]] = [
            (b"{", 400, "malformed_json_payload"),
            (b"[]", 400, "malformed_json_payload"),
            (b'{"allowfrom": "10.0.0.0/8"}', 400, "invalid_allowfrom_cidr"),
            (b'{"allowfrom": ["10.0.0.1"]}', 400, "invalid_allowfrom_cidr"),
            (b'{"allowfrom": ["10.0.0.0/33"]}', 400, "invalid_allowfrom_cidr"),
            (b'{"allowfrom": [' + b'"a",' * MAX_BODY_BYTES + b'"a"]}', 413, "body_too_large"),
        ]
        for body, status, code in cases:
            response = await client.post("/register", content=body)
            assert (response.status_code, response.json()) == (status, {"error": code}), body
    assert await core.store.acme_accounts() == []


async def test_bad_updates_change_nothing(core: Core, tmp_path: Path) -> None:
    await seed(core)
    async with api(core, tmp_path, acme_registration="open") as client:
        mine = (await client.post("/register", json={"allowfrom": ["198.51.100.0/24"]})).json()
        fenced = (await client.post("/register", json={"allowfrom": ["192.0.2.0/24"]})).json()
        good = {"subdomain": mine["subdomain"], "txt": DIGEST}

        def body(**changes: object) -> bytes:
            return json.dumps({**good, **changes}).encode()

        cases: list[tuple[dict[str, str], bytes, int, str]] = [
            (headers(mine), b'{"subdomain": ', 400, "malformed_json_payload"),
            (headers(mine), b"", 400, "malformed_json_payload"),
            (headers(mine), b'"just a string"', 400, "malformed_json_payload"),
            (headers(mine), b"\xff\xfe", 400, "malformed_json_payload"),
            (headers(mine), b"[" * 3000 + b"]" * 3000, 413, "body_too_large"),
            (headers(mine), b"[" * 2000 + b"]" * 2000, 400, "malformed_json_payload"),
            (headers(mine), body(txt="x" * MAX_BODY_BYTES), 413, "body_too_large"),
            (headers(mine, key=fenced["password"]), body(), 401, "forbidden"),
            (headers(mine, key=""), body(), 401, "forbidden"),
            (headers(mine, user=fenced["username"]), body(), 401, "forbidden"),
            (headers(mine, user="not-a-user"), body(), 401, "forbidden"),
            (headers(mine), body(txt=DIGEST[:-1]), 400, "bad_txt"),
            (headers(mine), body(txt=DIGEST + "A"), 400, "bad_txt"),
            (headers(mine), body(txt=DIGEST[:-1] + "!"), 400, "bad_txt"),
            (headers(mine), body(txt=43), 400, "bad_txt"),
            (headers(mine), body(txt=None), 400, "bad_txt"),
            (headers(mine), body(subdomain=fenced["subdomain"]), 401, "forbidden"),
            (headers(mine), body(subdomain="../etc"), 400, "bad_subdomain"),
            (headers(mine), body(subdomain=["list"]), 400, "bad_subdomain"),
            (headers(fenced), body(subdomain=fenced["subdomain"]), 401, "forbidden"),
        ]
        for sent, content, status, code in cases:
            response = await client.post("/update", headers=sent, content=content)
            assert (response.status_code, response.json()) == (status, {"error": code}), content
        wrong_method = await client.get("/register")
        assert wrong_method.status_code == 405
    await core.writer.sync()
    assert not any(isinstance(e, ZoneChange) for e in core.events)
    for account in (mine, fenced):
        assert await txt_at(core, account["fulldomain"]) == []


async def test_duckdns_get_update_still_works_next_to_acme_dns_post(
    core: Core, tmp_path: Path
) -> None:
    await seed(core)
    _, token = await core.admin.add_host("home.dyn.example", owner="alice")
    async with api(core, tmp_path) as client:
        duck = await client.get("/update", params={"domains": "home", "token": token})
        assert duck.text == "OK"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=10), inner, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda value: json.dumps(value).encode()),
    )
)
def test_the_body_parser_returns_an_object_or_says_malformed(raw: bytes) -> None:
    try:
        parsed = parse_body(raw, empty_ok=True)
    except MalformedBody:
        return
    assert isinstance(parsed, dict)


def test_edge_bodies() -> None:
    assert parse_body(b"   ", empty_ok=True) == {}
    assert parse_body(b'{"txt": "x", "extra": 1}', empty_ok=False) == {"txt": "x", "extra": 1}
    for raw in (b"", b"null", b"NaN", b"\x00", b"[" * 5000):
        with pytest.raises(MalformedBody):
            parse_body(raw, empty_ok=False)

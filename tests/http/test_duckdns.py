"""The DuckDNS API: OK/KO, verbose output, TXT for ACME, path form."""

from __future__ import annotations

from .conftest import Site


async def test_update_with_bare_label_and_verbose(site: Site) -> None:
    response = await site.client.get(
        "/update",
        params={"domains": "home", "token": site.token, "ip": "203.0.113.3", "verbose": "true"},
    )
    assert response.text == "OK\n203.0.113.3\n\nUPDATED"
    again = await site.client.get(
        "/update",
        params={
            "domains": "home.dyn.example",
            "token": site.token,
            "ip": "203.0.113.3",
            "verbose": "true",
        },
    )
    assert again.text == "OK\n203.0.113.3\n\nNOCHANGE"


async def test_source_address_ipv6_and_clear(site: Site) -> None:
    plain = await site.client.get("/update", params={"domains": "home", "token": site.token})
    assert plain.text == "OK"
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None
    assert [r.rdata for r in await site.core.store.host_records(host.id)] == ["198.51.100.20"]
    v6 = await site.client.get(
        "/update", params={"domains": "home", "token": site.token, "ipv6": "2001:db8::9"}
    )
    assert v6.text == "OK"
    assert {r.rdata for r in await site.core.store.host_records(host.id)} == {
        "198.51.100.20",
        "2001:db8::9",
    }
    cleared = await site.client.get(
        "/update", params={"domains": "home", "token": site.token, "clear": "true"}
    )
    assert cleared.text == "OK"
    assert await site.core.store.host_records(host.id) == []


async def test_txt_set_and_clear_for_acme(site: Site) -> None:
    response = await site.client.get(
        "/update",
        params={
            "domains": "home",
            "token": site.token,
            "txt": "challenge-value",
            "verbose": "true",
        },
    )
    assert response.text == "OK\nchallenge-value\nUPDATED"
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None
    records = {(r.name, r.rtype, r.rdata) for r in await site.core.store.host_records(host.id)}
    assert records == {
        ("home.dyn.example.", "TXT", '"challenge-value"'),
        ("_acme-challenge.home.dyn.example.", "TXT", '"challenge-value"'),
    }
    cleared = await site.client.get(
        "/update", params={"domains": "home", "token": site.token, "txt": "x", "clear": "true"}
    )
    assert cleared.text == "OK"
    assert await site.core.store.host_records(host.id) == []


async def test_path_form(site: Site) -> None:
    response = await site.client.get(f"/update/home/{site.token}/203.0.113.99")
    assert response.text == "OK"


async def test_ko_cases_change_nothing(site: Site) -> None:
    cases = [
        {"domains": "home", "token": "hm_wrong"},
        {"domains": "home", "token": ""},
        {"domains": "", "token": site.token},
        {"domains": "home,stranger", "token": site.token, "ip": "203.0.113.1"},
        {"domains": "home", "token": site.token, "ip": "not-an-ip"},
        {"domains": "home", "token": site.token, "txt": "\x01bad"},
        {"domains": "home", "token": site.token, "txt": "x" * 256},
        {"domains": "home" * 2000, "token": site.token},
        {"domains": "home", "token": site.token, "ip": "203.0.113.1", "ttl": "5"},
    ]
    for params in cases:
        response = await site.client.get("/update", params=params)
        assert response.text == "KO", params
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None and await site.core.store.host_records(host.id) == []


async def test_checkip_and_health(site: Site) -> None:
    assert (await site.client.get("/ip")).text == "198.51.100.20\n"
    checkip = await site.client.get("/checkip")
    assert "Current IP Address: 198.51.100.20" in checkip.text
    health = await site.client.get("/health")
    assert health.json() == {"status": "ok", "zones": 1}

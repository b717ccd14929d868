"""dyndns2 at /nic/update and /v3/update: codes, statuses and bad input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homing.http.protocols.dyndns2 import basic_credentials

from .conftest import Site

AUTH = ("alice", "alice-password")


async def test_missing_credentials_get_a_challenge(site: Site) -> None:
    response = await site.client.get("/nic/update", params={"hostname": "home.dyn.example"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert response.text.strip() == "badauth"


async def test_good_nochg_and_source_fallback(site: Site) -> None:
    first = await site.client.get(
        "/nic/update", params={"hostname": "home.dyn.example", "myip": "203.0.113.7"}, auth=AUTH
    )
    assert (first.status_code, first.text) == (200, "good 203.0.113.7\n")
    second = await site.client.get(
        "/v3/update", params={"hostname": "home.dyn.example", "myip": "203.0.113.7"}, auth=AUTH
    )
    assert second.text == "nochg 203.0.113.7\n"
    fallback = await site.client.get(
        "/nic/update", params={"hostname": "home.dyn.example"}, auth=AUTH
    )
    assert fallback.text == "good 198.51.100.20\n"


async def test_dual_stack_and_multiple_hosts(site: Site) -> None:
    await site.core.admin.add_host("cam.dyn.example", owner="alice")
    response = await site.client.get(
        "/nic/update",
        params={
            "hostname": "home.dyn.example,cam.dyn.example,bad..name",
            "myip": "203.0.113.5,2001:db8::5",
        },
        auth=AUTH,
    )
    assert response.text.splitlines() == [
        "good 203.0.113.5,2001:db8::5",
        "good 203.0.113.5,2001:db8::5",
        "notfqdn",
    ]


async def test_token_login_and_host_default(site: Site) -> None:
    response = await site.client.get(
        "/nic/update", params={"myip": "203.0.113.44"}, auth=("home.dyn.example", site.token)
    )
    assert response.text == "good 203.0.113.44\n"


@pytest.mark.parametrize(
    ("params", "auth", "expected"),
    [
        ({"hostname": "home.dyn.example"}, ("alice", "wrong-password"), "badauth"),
        ({"hostname": "home.dyn.example"}, ("nobody", "whatever-pass"), "badauth"),
        ({"hostname": "other.dyn.example"}, AUTH, "nohost"),
        ({"hostname": "home"}, AUTH, "notfqdn"),
        ({"hostname": ",".join(["home.dyn.example"] * 21)}, AUTH, "numhost"),
        ({"hostname": "home.dyn.example", "myip": "300.1.1.1"}, AUTH, "badinput"),
        ({"hostname": "home.dyn.example", "myip": "224.0.0.1"}, AUTH, "badinput"),
        ({"hostname": "home.dyn.example", "myip": "1.2.3.4,5.6.7.8"}, AUTH, "badinput"),
        ({"hostname": "home.dyn.example", "system": "bogus"}, AUTH, "badsys"),
        ({"hostname": "home.dyn.example", "wildcard": "MAYBE"}, AUTH, "badinput"),
        ({"hostname": "home.dyn.example", "myip": "203.0.113.5" + "0" * 5000}, AUTH, "badinput"),
        ({"hostname": "bad_label!.dyn.example"}, AUTH, "notfqdn"),
    ],
)
async def test_refusals(
    site: Site, params: dict[str, str], auth: tuple[str, str], expected: str
) -> None:
    response = await site.client.get("/nic/update", params=params, auth=auth)
    assert response.status_code == 200
    assert response.text.split()[0] == expected
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None and await site.core.store.host_records(host.id) == []


async def test_offline_wildcard_mx(site: Site) -> None:
    params = {
        "hostname": "home.dyn.example",
        "myip": "203.0.113.70",
        "wildcard": "ON",
        "mx": "mail.example.org",
        "backmx": "YES",
    }
    response = await site.client.get("/nic/update", params=params, auth=AUTH)
    assert response.text.startswith("good")
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None and host.wildcard
    records = {(r.name, r.rtype, r.rdata) for r in await site.core.store.host_records(host.id)}
    assert ("*.home.dyn.example.", "A", "203.0.113.70") in records
    assert ("home.dyn.example.", "MX", "20 mail.example.org.") in records
    offline = await site.client.get(
        "/nic/update", params={"hostname": "home.dyn.example", "offline": "YES"}, auth=AUTH
    )
    assert offline.text.startswith("good")
    records = {(r.rtype, r.rdata) for r in await site.core.store.host_records(host.id)}
    assert ("A", "203.0.113.70") not in records


async def test_other_methods_are_badagent(site: Site) -> None:
    response = await site.client.delete("/nic/update", auth=AUTH)
    assert response.text.strip() == "badagent"


async def test_hostile_authorization_headers(site: Site) -> None:
    for header in ["Basic", "Basic !!!", "Bearer abc", "Basic " + "A" * 5000, "Basic Zm9v"]:
        response = await site.client.get(
            "/nic/update",
            params={"hostname": "home.dyn.example"},
            headers={"Authorization": header},
        )
        assert response.status_code == 401


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(st.text(max_size=200))
def test_basic_credentials_never_crash(header: str) -> None:
    result = basic_credentials(header)
    assert result is None or isinstance(result[0], str)

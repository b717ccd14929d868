"""dyndns2 at /nic/update and /v3/update: codes, statuses and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Router

from homing.config import Settings
from homing.http.app import build_http_app
from homing.http.protocols.dyndns2 import basic_credentials
from support import http_context

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


async def test_query_credentials_and_desec_style_update_path(site: Site) -> None:
    answer = await site.client.get(
        "/update",
        params={
            "username": "alice",
            "password": "alice-password",
            "hostname": "home.dyn.example",
            "myipv4": "203.0.113.61",
            "myipv6": "preserve",
        },
    )
    assert (answer.status_code, answer.text) == (200, "good 203.0.113.61\n")
    duck = await site.client.get("/update", params={"domains": "home", "token": "wrong"})
    assert duck.text == "KO"  # DuckDNS keeps /update when the request is DuckDNS-shaped
    bare = await site.client.get("/update", params={"hostname": "home.dyn.example"})
    assert bare.status_code == 401 and bare.text == "badauth\n"


async def test_unknown_parameters_are_ignored_and_counted(site: Site) -> None:
    counter = site.counted
    answer = await site.client.get(
        "/nic/update",
        params={"hostname": "home.dyn.example", "myip": "203.0.113.62", "_ip6addr": "x"},
        auth=AUTH,
    )
    assert answer.text == "good 203.0.113.62\n"
    assert counter["dyndns2"] == 1


async def test_host_fallbacks(site: Site) -> None:
    only = await site.client.get("/nic/update", params={"myip": "203.0.113.63"}, auth=AUTH)
    assert only.text == "good 203.0.113.63\n"  # the account's only host
    await site.core.admin.add_host("cam.dyn.example", owner="alice")
    ambiguous = await site.client.get("/nic/update", params={"hostname": "YES"}, auth=AUTH)
    assert ambiguous.text == "notfqdn\n"
    named = await site.client.get(
        "/nic/update", params={"myip": "203.0.113.64"}, auth=("cam.dyn.example", site.token)
    )
    assert named.text == "badauth\n"  # home's token does not open cam


async def test_badinput_is_recorded_for_the_owner(site: Site) -> None:
    answer = await site.client.get(
        "/nic/update", params={"hostname": "home.dyn.example", "myip": "<ipaddr>"}, auth=AUTH
    )
    assert answer.text == "badinput myip: not an IP address: '<ipaddr>'\n"
    await site.core.writer.sync()
    host = await site.core.store.find_host("home.dyn.example.")
    assert host is not None
    history = await site.core.store.history(host_id=host.id, limit=5)
    assert [(h.outcome, h.detail) for h in history] == [
        ("badinput", "myip: not an IP address: '<ipaddr>'")
    ]
    assert await site.core.store.host_records(host.id) == []


async def test_a_re_sent_prefix_is_never_abuse(site: Site) -> None:
    first = await site.client.get(
        "/nic/update",
        params={"hostname": "home.dyn.example", "myip": "2001:db8:1:2::1"},
        auth=AUTH,
    )
    assert first.text == "good 2001:db8:1:2::1\n"
    # nochg_limit is 5 in these tests; a FRITZ!Box re-sends its prefix far more often.
    for _ in range(8):
        again = await site.client.get(
            "/nic/update",
            params={"hostname": "home.dyn.example", "myip": "2001:db8:1:2::/64"},
            auth=AUTH,
        )
        assert again.text == "nochg 2001:db8:1:2::1\n"


async def _answers(app: Any, method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        return await client.request(
            method, path, params={"hostname": "home.dyn.example", "myip": "203.0.113.9"}, auth=AUTH
        )


@pytest.mark.parametrize("path", ["/nic/update", "/v3/update"])
async def test_a_routers_get_takes_the_short_way_and_answers_as_the_stack_does(
    site: Site, path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GETs of the dyndns2 paths skip Starlette's stack (``HomingApp``): the same answers as a
    POST through it, HSTS under TLS, and an HTTP 500 for an unexpected failure."""
    settings = Settings(data_dir=tmp_path, tls_cert=tmp_path / "cert.pem")
    app = build_http_app(http_context(site.core, settings))
    routed: list[str] = []
    route = Router.__call__

    async def counted(self: Router, scope: Any, receive: Any, send: Any) -> None:
        routed.append(scope["method"])
        await route(self, scope, receive, send)

    monkeypatch.setattr(Router, "__call__", counted)
    got = await _answers(app, "GET", path)
    assert (got.status_code, got.text) == (200, "good 203.0.113.9\n")
    assert got.headers["strict-transport-security"] == "max-age=31536000"
    posted = await _answers(app, "POST", path)
    assert (posted.status_code, posted.text) == (200, "nochg 203.0.113.9\n")
    assert posted.headers["strict-transport-security"] == "max-age=31536000"
    assert routed == ["POST"]

    async def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(site.core.updates, "apply_update", broken)
    for method in ("GET", "POST"):
        failed = await _answers(app, method, path)
        assert (failed.status_code, failed.text) == (500, "Internal Server Error")


async def test_without_tls_the_short_way_adds_no_hsts(site: Site) -> None:
    got = await site.client.get(
        "/nic/update", params={"hostname": "home.dyn.example", "myip": "203.0.113.10"}, auth=AUTH
    )
    assert got.text == "good 203.0.113.10\n"
    assert "strict-transport-security" not in got.headers


async def _raw(app: Any, method: str, query: bytes, path: str = "/nic/update") -> tuple[int, bytes]:
    """The app's answer to a query string as the server hands it over, bytes unchecked."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [
            (b"host", b"ddns.test"),
            (b"authorization", b"Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ="),
        ],
        "client": ("198.51.100.20", 40000),
        "server": ("ddns.test", 80),
    }
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


@pytest.mark.parametrize("path", ["/nic/update", "/update"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("query", "answer"),
    [
        (
            b"hostname=home.dyn.example&myip=203.0.113.8&x=\xff",
            b"badinput the query is not UTF-8\n",
        ),
        (
            b"hostname=home.dyn.example&myip=203.0.113.8&x=" + b"a" * 5000,
            b"badinput request too long\n",
        ),
    ],
)
async def test_a_query_that_cannot_be_read_is_badinput_and_changes_nothing(
    site: Site, tmp_path: Path, method: str, query: bytes, answer: bytes, path: str
) -> None:
    """``/update`` too: a POST there is asked first whether it is acme-dns's."""
    app = build_http_app(http_context(site.core, Settings(data_dir=tmp_path)))
    assert await _raw(app, method, query, path) == (200, answer)
    assert [r.outcome for r in await site.core.store.history()] == []
    fine = await _raw(app, method, b"hostname=home.dyn.example&myip=203.0.113.8", path)
    assert fine == (200, b"good 203.0.113.8\n")

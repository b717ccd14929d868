"""The web UI over the real core and store, driven in-process with httpx (one client per user)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from homing.config import Settings
from homing.http.app import build_http_app
from homing.http.context import HttpContext
from homing.http.web.server_secret import load_or_create_secret
from homing.http.web.sessions import SessionCodec
from support import Core, http_context

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORDS = {"alice": "alice-password", "bob": "bob-password", "root": "root-password"}


def address_cell(value: str) -> str:
    """An A/AAAA value as the records table shows it: breakable only between groups."""
    return '<code class="addr">' + re.sub(r"([.:])", r"\1<wbr>", value) + "</code>"


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


@dataclass
class Web:
    core: Core
    app: Starlette
    app_context: HttpContext
    settings: Settings
    alice_token: str
    bob_token: str
    new_client: Callable[[], httpx.AsyncClient]

    def codec(self) -> SessionCodec:
        """A codec with the server's own key, to forge cookies the way only the server can."""
        return SessionCodec(
            key=load_or_create_secret(self.settings.data_dir),
            lifetime_seconds=self.settings.web_session_seconds,
        )

    async def signed_in(self, client: httpx.AsyncClient, user: str) -> str:
        """Sign ``client`` in as ``user``; returns the dashboard's HTML."""
        response = await sign_in(client, user, PASSWORDS[user])
        assert response.status_code == 303, response.text
        dashboard = await client.get(response.headers["location"])
        assert dashboard.status_code == 200
        return dashboard.text


async def submitted(client: httpx.AsyncClient, url: str, data: dict[str, str]) -> httpx.Response:
    """A form posted as a browser does: the answer must be 303 See Other (POST-redirect-GET,
    so a reload never posts twice); the page returned is the one the redirect leads to."""
    answer = await client.post(url, data=data)
    assert answer.status_code == 303, answer.text[:400]
    return await client.get(answer.headers["location"])


async def sign_in(
    client: httpx.AsyncClient, user: str, password: str, *, next_path: str = "/"
) -> httpx.Response:
    form = await client.get("/login")
    return await client.post(
        "/login",
        data={"csrf": csrf_of(form.text), "user": user, "password": password, "next": next_path},
    )


@pytest.fixture
async def web(core: Core, tmp_path: Path) -> AsyncIterator[Web]:
    await core.admin.add_zone("dyn.example")
    for name, password in PASSWORDS.items():
        await core.admin.add_user(name, password=password, admin=name == "root")
    _, alice_token = await core.admin.add_host("home.dyn.example", owner="alice")
    _, bob_token = await core.admin.add_host("cabin.dyn.example", owner="bob")
    settings = Settings(data_dir=tmp_path / "data")
    context = http_context(core, settings)
    app = build_http_app(context)
    clients: list[httpx.AsyncClient] = []

    def new_client() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
        client = httpx.AsyncClient(transport=transport, base_url="http://ddns.test")
        clients.append(client)
        return client

    yield Web(
        core=core,
        app=app,
        app_context=context,
        settings=settings,
        alice_token=alice_token,
        bob_token=bob_token,
        new_client=new_client,
    )
    for client in clients:
        await client.aclose()

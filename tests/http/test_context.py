"""Whose address is the caller's: X-Forwarded-For is believed only from trusted proxies."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from homing.config import Settings
from homing.http.app import build_http_app
from support import Core, http_context


async def caller_seen(
    core: Core, tmp_path: Path, *, peer: str, trusted: list[str], forwarded: str | None
) -> str:
    settings = Settings(data_dir=tmp_path, trusted_proxies=trusted)
    app = build_http_app(http_context(core, settings))
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        response = await client.get("/ip", headers=headers)
    assert response.status_code == 200
    return response.text.strip()


@pytest.mark.parametrize(
    ("peer", "trusted", "forwarded", "expected"),
    [
        # By default the header is a lie anyone can tell.
        ("198.51.100.20", [], "203.0.113.9", "198.51.100.20"),
        # A peer outside the trusted networks is not believed either.
        ("198.51.100.20", ["10.0.0.0/8"], "203.0.113.9", "198.51.100.20"),
        # Behind a trusted proxy, the address it appended is the caller.
        ("10.0.0.2", ["10.0.0.0/8"], "203.0.113.9", "203.0.113.9"),
        # The rightmost untrusted hop wins; what the client prepended is ignored.
        ("10.0.0.2", ["10.0.0.0/8"], "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        # IPv6 callers and proxies.
        ("fd00::1", ["fd00::/8"], "2001:db8::42", "2001:db8::42"),
        # A trusted proxy without the header, or with garbage in it: the proxy itself.
        ("10.0.0.2", ["10.0.0.0/8"], None, "10.0.0.2"),
        ("10.0.0.2", ["10.0.0.0/8"], "not-an-address", "10.0.0.2"),
        ("10.0.0.2", ["10.0.0.0/8"], "203.0.113.9, <script>", "10.0.0.2"),
        # Every hop trusted: a client on the proxies' own network.
        ("10.0.0.2", ["10.0.0.0/8"], "10.1.1.1, 10.0.0.3", "10.1.1.1"),
        # Garbage behind trusted hops ends the walk at the last trusted one.
        ("10.0.0.2", ["10.0.0.0/8"], "203.0.113.9, junk, 10.0.0.3", "10.0.0.3"),
    ],
)
async def test_forwarded_for_is_believed_only_from_trusted_proxies(
    core: Core,
    tmp_path: Path,
    peer: str,
    trusted: list[str],
    forwarded: str | None,
    expected: str,
) -> None:
    seen = await caller_seen(core, tmp_path, peer=peer, trusted=trusted, forwarded=forwarded)
    assert seen == expected


async def test_update_without_myip_uses_the_forwarded_address(core: Core, tmp_path: Path) -> None:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    await core.admin.add_host("home.dyn.example", owner="alice")
    settings = Settings(data_dir=tmp_path, trusted_proxies=["127.0.0.0/8"])
    app = build_http_app(http_context(core, settings))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        response = await client.get(
            "/nic/update",
            params={"hostname": "home.dyn.example"},
            headers={"X-Forwarded-For": "203.0.113.44"},
            auth=("alice", "alice-password"),
        )
    assert response.text == "good 203.0.113.44\n"
    history = await core.store.history(limit=1)
    assert history[0].source == "203.0.113.44"

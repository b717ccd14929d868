"""The HTTP app over the real core and store, driven in-process through httpx's ASGI transport."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from homing.config import Settings
from homing.http.app import build_http_app
from support import Core, http_context


@dataclass
class Site:
    client: httpx.AsyncClient
    core: Core
    token: str
    counted: Counter[str]
    """Ignored unknown update parameters, per front door (what ``/metrics`` shows)."""


@pytest.fixture
async def site(core: Core, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    _, token = await core.admin.add_host("home.dyn.example", owner="alice")
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    ctx = http_context(core, settings)
    app = build_http_app(ctx)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        yield Site(client=client, core=core, token=token, counted=ctx.unknown_parameters)

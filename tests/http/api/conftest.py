"""The REST API over the real core and store: three users, two hosts, an API token each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from homing.config import Settings
from homing.core.api_tokens import ApiTokens, TokenScope
from homing.http.app import build_http_app
from support import Core, http_context


@dataclass
class Api:
    client: httpx.AsyncClient
    core: Core
    tokens: ApiTokens
    alice: dict[str, str]
    bob: dict[str, str]
    root: dict[str, str]

    async def token(
        self, user: str, *, lifetime: timedelta | None = None, **scope: object
    ) -> dict[str, str]:
        """Headers carrying a new API token of ``user`` with the given scope."""
        _, secret = await self.tokens.create(
            user=user,
            name="test",
            lifetime=lifetime,
            scope=TokenScope(**scope),  # type: ignore[arg-type]
        )
        return bearer(secret)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
async def api(core: Core, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    await core.admin.add_zone("dyn.example")
    for name, admin in (("alice", False), ("bob", False), ("root", True)):
        await core.admin.add_user(name, password=None, admin=admin)
    await core.admin.add_host("home.dyn.example", owner="alice")
    await core.admin.add_host("bob.dyn.example", owner="bob")
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    ctx = http_context(core, settings)
    app = build_http_app(ctx)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.30", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        found = Api(
            client=client,
            core=core,
            tokens=ctx.api.tokens,
            alice={},
            bob={},
            root={},
        )
        found.alice = await found.token("alice")
        found.bob = await found.token("bob")
        found.root = await found.token("root")
        yield found

"""PostgreSQL stopped and started under a running store: one clear error, then it recovers.

``/health`` answers 503 meanwhile, as load balancers expect of a node without its store.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import httpx
import pytest
from starlette.applications import Starlette

from homing.core.admin import Admin
from homing.core.events import EventBus
from homing.core.writer import ChangeWriter
from homing.errors import StoreError
from homing.http.protocols.health import routes as health_routes
from homing.store.location import Database
from homing.store.store import Store
from pgserver import PostgresServer

HEALTH_DEADLINE = 30.0


async def test_a_database_restart_is_a_store_error_then_nothing() -> None:
    server = PostgresServer()  # its own: the session's server must not stop under others
    server.start()
    try:
        store = await Store.open(Database.postgresql(server.new_database()))
        admin = Admin(store=store, origin="test")
        try:
            await admin.add_zone("dyn.example")
            writer = ChangeWriter(store=store, bus=EventBus(), origin="test")
            await writer.start()
            context = SimpleNamespace(store=store, api=SimpleNamespace(writer=writer))
            app = Starlette(routes=health_routes(context))  # type: ignore[arg-type]
            health = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
            server.halt()
            # What a load balancer sees: this node's store is gone (503), not a crash (500).
            assert (await health.get("/health")).status_code == 503
            calls = {
                "point read": lambda: store.find_zone("dyn.example."),
                "list": store.zones,
                "write": lambda: admin.add_user("bob", password=None),
            }
            for name, call in calls.items():
                with pytest.raises(StoreError, match=r"^database postgresql://") as caught:
                    await call()
                assert "\n" not in str(caught.value), name
            server.restart()
            # No reconnect by hand: each pool replaces the connections it found broken.
            assert await store.find_zone("dyn.example.") is not None
            assert [z.name for z in await store.zones()] == ["dyn.example."]
            assert (await admin.add_user("bob", password=None)).name == "bob"
            # /health probes a write at most every few seconds: wait for the next probe.
            async with asyncio.timeout(HEALTH_DEADLINE):
                while (await health.get("/health")).status_code != 200:
                    await asyncio.sleep(0.2)
            assert (await health.get("/health")).json() == {"status": "ok", "zones": 1}
            await health.aclose()
            await writer.stop()
        finally:
            await store.close()
    finally:
        server.stop()

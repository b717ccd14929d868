"""Shown once across nodes (issue 15): a POST on one node, its redirect's GET on another.

The value waits in the shared database sealed under the URL's key: two
``Store`` objects on one database stand for two nodes (SQLite and
PostgreSQL), two apps over one database for two nodes behind a load balancer.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from homing.core.admin import Admin
from homing.http.app import build_http_app
from homing.http.web.once import ShownOnce
from homing.store import schema as t
from homing.store.location import Database
from homing.store.store import Store

from .conftest import Web, csrf_of

SECRET = "hm_api_not-really-a-token"
API_TOKEN = re.compile(r'<code id="new-token" class="token">(hm_api_[^<]+)</code>')


@pytest.fixture(params=["sqlite", "postgresql"])
async def nodes(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[list[Store]]:
    """Two stores on one database, and the ids of two users in it."""
    if request.param == "sqlite":
        database = Database.sqlite(tmp_path / "homing.sqlite3")
    else:
        database = Database.postgresql(request.getfixturevalue("postgres_url"))
    one = await Store.open(database)
    two = Store(database)
    admin = Admin(store=one, origin="test")
    await admin.add_user("alice", password=None)
    await admin.add_user("bob", password=None)
    yield [one, two]
    await two.close()
    await one.close()


async def _ids(store: Store) -> tuple[int, int]:
    alice, bob = await store.find_user("alice"), await store.find_user("bob")
    assert alice is not None and bob is not None
    return alice.id, bob.id


async def test_put_on_one_node_is_taken_once_on_another(nodes: list[Store]) -> None:
    alice, bob = await _ids(nodes[0])
    here, there = ShownOnce(store=nodes[0]), ShownOnce(store=nodes[1])
    key = await here.put(alice, {"api_token": SECRET, "invitation": ["bob", "https://x/"]})
    assert await there.take(bob, key) == {}  # another user's: nothing, and left in place
    assert await there.take(alice, key) == {
        "api_token": SECRET,
        "invitation": ["bob", "https://x/"],
    }
    assert await here.take(alice, key) == {}  # once
    async with nodes[0].read() as txn:
        assert (await txn.conn.execute(select(t.shown_once))).all() == []


async def test_two_nodes_taking_one_key_at_once_show_it_once(nodes: list[Store]) -> None:
    alice, _ = await _ids(nodes[0])
    key = await ShownOnce(store=nodes[0]).put(alice, {"token": SECRET})
    both = await asyncio.gather(*(ShownOnce(store=node).take(alice, key) for node in nodes))
    assert sorted(both, key=len) == [{}, {"token": SECRET}]


async def test_the_database_never_holds_the_secret_or_its_key(nodes: list[Store]) -> None:
    alice, _ = await _ids(nodes[0])
    key = await ShownOnce(store=nodes[0]).put(alice, {"token": SECRET})
    async with nodes[1].read() as txn:
        [row] = (await txn.conn.execute(select(t.shown_once))).all()
    assert SECRET not in row.sealed and key not in row.key_id and key not in row.sealed
    assert row.user_id == alice


async def test_expired_values_are_not_shown_and_are_cleared(nodes: list[Store]) -> None:
    alice, _ = await _ids(nodes[0])
    old = ShownOnce(store=nodes[0], lifetime=timedelta(seconds=-1))
    stale = await old.put(alice, {"token": SECRET})
    assert await ShownOnce(store=nodes[1]).take(alice, stale) == {}
    await old.put(alice, {"token": "first"})
    await ShownOnce(store=nodes[0]).put(alice, {"token": "second"})  # clears the expired
    async with nodes[0].read() as txn:
        assert len((await txn.conn.execute(select(t.shown_once))).all()) == 1


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.text(max_size=80), st.binary(max_size=40).map(lambda b: b.hex())))
async def test_hostile_keys_show_nothing_and_break_nothing(nodes: list[Store], text: str) -> None:
    alice, _ = await _ids(nodes[0])
    assert await ShownOnce(store=nodes[1]).take(alice, text) == {}


async def test_a_token_made_on_one_node_shows_on_the_node_the_redirect_reaches(
    web: Web,
) -> None:
    """Two apps over one database: what the old in-memory version lost on the second node."""
    other = build_http_app(web.app_context)
    transport = httpx.ASGITransport(app=other, client=("198.51.100.20", 40000))
    first = web.new_client()
    csrf = csrf_of(await web.signed_in(first, "alice"))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://ddns.test", cookies=first.cookies
    ) as second:
        form = {"csrf": csrf, "name": "script", "expires_in": "", "read_only": ""}
        posted = await first.post("/tokens/api", data=form)
        assert posted.status_code == 303
        shown = await second.get(posted.headers["location"])
        assert shown.status_code == 200
        found = API_TOKEN.search(shown.text)
        assert found is not None
        [row] = await web.core.store.api_tokens()
        assert found.group(1).startswith(row.prefix)
        assert found.group(1) not in (await first.get(posted.headers["location"])).text

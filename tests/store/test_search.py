"""Host name search through the trigram indexes (store/search.py), on SQLite and PostgreSQL.

The indexed answer must be the LIKE scan's answer, for any names and any
text: a differential test (hypothesis) over names and texts with LIKE's
wildcards, quotes, non-ASCII letters, NULs and texts shorter than a trigram.
The triggers of migration 0013 keep the FTS5 table and the per-owner totals
in step with every insert, rename, change of owner and deletion.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text

from homing.core.admin import Admin
from homing.store import schema as t
from homing.store import search
from homing.store.location import Backend
from homing.store.pages import HostFilter, host_page_query
from homing.store.store import Store

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NAME_CHARS = "abcz019-._%\\\"'é"
"""Stored names are lower-case A-labels; a few others test the escaping of both paths."""
TEXT_CHARS = NAME_CHARS + "AZÉ*?[]\x00 "


@dataclass
class Account:
    store: Store
    zone_id: int
    owner_id: int
    other_id: int


@pytest.fixture
async def account(store: Store) -> AsyncIterator[Account]:
    admin = Admin(store=store, origin="test")
    zone = await admin.add_zone("dyn.example")
    owner = await admin.add_user("alice", password=None)
    other = await admin.add_user("bob", password=None)
    yield Account(store=store, zone_id=zone.id, owner_id=owner.id, other_id=other.id)


async def put_names(
    account: Account,
    names: list[str],
    *,
    owner_id: int | None = None,
    indexed: int | None = None,
) -> None:
    """Exactly these hosts (FQDNs without the trailing dot), replacing any before; the first
    ``indexed`` of them (None: all) put into SQLite's index, as the writer does in time, the
    others left above the mark (``search.index_new_names``)."""
    count = len(names) if indexed is None else indexed
    await _insert_names(account, names[:count], owner_id=owner_id, replace_all=True)
    async with account.store.write() as txn:
        while await txn.index_new_names():
            pass
    await _insert_names(account, names[count:], owner_id=owner_id, replace_all=False)


async def _insert_names(
    account: Account, names: list[str], *, owner_id: int | None, replace_all: bool
) -> None:
    async with account.store.write() as txn:
        if replace_all:
            await txn.conn.execute(delete(t.hosts))
        rows = [
            {
                "zone_id": account.zone_id,
                "owner_id": owner_id or account.owner_id,
                "fqdn": f"{name}.",
                "ttl": 60,
                "wildcard": False,
                "offline": False,
                "created_at": NOW,
                "nochg_count": 0,
            }
            for name in names
        ]
        if rows:
            await txn.insert_many("hosts", rows)
    if account.store.backend is Backend.POSTGRESQL:
        async with account.store.write() as txn:
            # What autovacuum does in time: new names move from GIN's pending list into the
            # index proper, whose costs the planner then weighs as they are.
            await txn.conn.execute(text("SELECT gin_clean_pending_list('ix_hosts_fqdn_trgm')"))
            await txn.conn.execute(text("ANALYZE hosts"))


async def scanned(account: Account, where: HostFilter) -> list[str]:
    """The names of ``where`` as the plain LIKE scan finds them (PostgreSQL: no index)."""
    async with account.store.read() as txn:
        if account.store.backend is Backend.POSTGRESQL:
            await txn.conn.execute(text("SET LOCAL enable_bitmapscan = off"))
            await txn.conn.execute(text("SET LOCAL enable_indexscan = off"))
        query = host_page_query(select(t.hosts.c.fqdn), replace(where, name_query=None))
        return list((await txn.conn.scalars(query)).all())


async def indexed(account: Account, where: HostFilter) -> list[str]:
    """The same through the trigram index: FTS5 on SQLite, GIN pg_trgm (forced) on PostgreSQL."""
    async with account.store.read() as txn:
        if account.store.backend is Backend.POSTGRESQL:
            await txn.conn.execute(text("SET LOCAL enable_seqscan = off"))
            await txn.conn.execute(text("SET LOCAL enable_indexscan = off"))
            query = host_page_query(select(t.hosts.c.fqdn), where)
        else:
            with patch.object(search, "INDEXED_MATCHES", 10**9):  # however many match
                planned = await search.plan_search(txn.conn, where)
            query = host_page_query(select(t.hosts.c.fqdn), planned)
        return list((await txn.conn.scalars(query)).all())


names_st = st.lists(
    st.text(alphabet=NAME_CHARS, min_size=1, max_size=12).map(str.lower),
    max_size=25,
    unique=True,
)
texts_st = st.lists(st.text(alphabet=TEXT_CHARS, min_size=1, max_size=6), min_size=1, max_size=6)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=names_st, texts=texts_st, share=st.floats(0, 1))
async def test_the_index_finds_what_the_scan_finds(
    account: Account, names: list[str], texts: list[str], share: float
) -> None:
    """``share`` of the names are in the index, the others above its mark."""
    await put_names(account, names, indexed=int(len(names) * share))
    for text_ in texts:
        where = HostFilter(owner_id=account.owner_id, contains=text_)
        expected = await scanned(account, where)
        wanted = text_.lower()
        assert set(expected) == {
            f"{n}." for n in names if wanted in f"{n}." and not search.never_in_names(wanted)
        }
        assert await indexed(account, where) == expected, text_
        page = await account.store.host_page(where, limit=100)
        assert [h.fqdn for h in page.items] == expected, text_


async def test_rare_texts_read_the_index_and_dense_ones_the_name_order(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"nas{i:03d}.dyn.example" for i in range(40)] + ["cam-rare.dyn.example"]
    await put_names(account, names)
    monkeypatch.setattr(search, "INDEXED_MATCHES", 10)
    rare, dense, short, single, dotted, busy_pair = (
        HostFilter(owner_id=account.owner_id, contains=c)
        for c in ("rare", "nas0", "m-", "n", "e.", "s0")
    )
    async with account.store.read() as txn:
        if account.store.backend is Backend.SQLITE:
            assert (await search.plan_search(txn.conn, rare)).name_query == '"rare"'
            for scanned_ in (dense, single, dotted, busy_pair):
                assert (await search.plan_search(txn.conn, scanned_)).name_query is None
            pair = (await search.plan_search(txn.conn, short)).name_query
            assert pair == '"m-r"', pair  # the trigrams that start with it
            none = await search.plan_search(txn.conn, replace(short, contains="zq"))
            assert none.name_query is not None
    page = await account.store.host_page(rare, limit=5)
    assert [h.fqdn for h in page.items] == ["cam-rare.dyn.example."] and not page.more
    for where in (short, replace(short, contains="M-")):
        found = await account.store.host_page(where, limit=5)
        assert [h.fqdn for h in found.items] == ["cam-rare.dyn.example."]
    assert (await account.store.host_page(replace(short, contains="zq"), limit=5)).items == []
    first = await account.store.host_page(dense, limit=30)
    assert len(first.items) == 30 and first.more
    rest = await account.store.host_page(replace(dense, after=first.items[-1].fqdn), limit=30)
    assert [h.fqdn for h in first.items + rest.items] == sorted(n + "." for n in names[:40])
    assert not rest.more
    assert await account.store.count_hosts(rare) == 1
    assert await account.store.count_hosts(dense) == 40
    mine = await account.store.host_page(replace(rare, owner_id=account.other_id), limit=5)
    assert mine.items == []


async def test_triggers_keep_search_and_totals_in_step_with_every_write(
    account: Account,
) -> None:
    store = account.store
    alice, bob = HostFilter(owner_id=account.owner_id), HostFilter(owner_id=account.other_id)
    await put_names(account, ["one.dyn.example", "two.dyn.example", "three.dyn.example"])
    assert (await store.count_hosts(alice), await store.count_hosts(HostFilter())) == (3, 3)
    found = await store.find_host("two.dyn.example.")
    assert found is not None
    async with store.write() as txn:
        await txn.update_row("hosts", found.id, fqdn="renamed.dyn.example.")
    async with store.write() as txn:
        moved = await txn.host("three.dyn.example.")
        assert moved is not None
        await txn.update_row("hosts", moved.id, owner_id=account.other_id)
    assert await store.count_hosts(alice) == 2 and await store.count_hosts(bob) == 1
    assert await store.count_hosts(HostFilter()) == 3
    for text_, owner, names in (
        ("two", alice, []),
        ("renamed", alice, ["renamed.dyn.example."]),
        ("three", alice, []),
        ("three", bob, ["three.dyn.example."]),
        ("dyn.example", HostFilter(), ["one.", "renamed.", "three."]),
    ):
        where = replace(owner, contains=text_)
        expected = [n if n.endswith("example.") else f"{n}dyn.example." for n in names]
        assert [h.fqdn for h in (await store.host_page(where, limit=10)).items] == expected
        assert await indexed(account, where) == expected
    async with store.write() as txn:
        await txn.delete_row("hosts", found.id)
    assert await indexed(account, replace(alice, contains="renamed")) == []
    assert await store.count_hosts(alice) == 1
    await Admin(store=store, origin="test").remove_user("bob")
    assert await store.count_hosts(HostFilter()) == 1
    assert await store.count_hosts(bob) == 0


async def test_names_above_the_mark_are_found_then_indexed_in_batches(
    account: Account,
) -> None:
    """New hosts are found before the writer indexes them; renames and deletions above the
    mark touch no index entry; a host that takes a deleted host's id is indexed at once."""
    store = account.store
    names = [f"cam{i}.dyn.example" for i in range(5)]
    await put_names(account, names, indexed=2)
    cams = HostFilter(owner_id=account.owner_id, contains="cam")
    everything = [f"cam{i}.dyn.example." for i in range(5)]
    assert await indexed(account, cams) == everything
    async with store.write() as txn:
        renamed = await txn.host("cam3.dyn.example.")
        gone = await txn.host("cam4.dyn.example.")
        assert renamed is not None and gone is not None
        await txn.update_row("hosts", renamed.id, fqdn="cam3x.dyn.example.")
        await txn.delete_row("hosts", gone.id)
    expected = [*everything[:3], "cam3x.dyn.example."]
    assert await indexed(account, cams) == expected
    async with store.write() as txn:
        if store.backend is Backend.SQLITE:  # PostgreSQL's index is its own
            assert await search.index_new_names(txn.conn, limit=1) == 1
            assert await search.index_new_names(txn.conn, limit=5) == 1
        assert await txn.index_new_names() == 0
    assert await indexed(account, cams) == expected
    async with store.write() as txn:
        last = await txn.host("cam3x.dyn.example.")
        assert last is not None
        await txn.delete_row("hosts", last.id)
    await _insert_names(account, ["cam9.dyn.example"], owner_id=None, replace_all=False)
    async with store.write() as txn:
        again = await txn.host("cam9.dyn.example.")
        assert again is not None
        if store.backend is Backend.SQLITE:
            assert again.id == last.id  # SQLite reuses the largest id
    assert await indexed(account, cams) == [*everything[:3], "cam9.dyn.example."]
    if store.backend is Backend.SQLITE:
        async with store.read() as txn:
            rows = await txn.conn.execute(text("SELECT count(*) FROM host_names"))
            assert rows.scalar_one() == 4  # every host in the index: none twice, none missed


async def test_postgresql_plans_a_rare_text_on_the_trigram_index(account: Account) -> None:
    if account.store.backend is not Backend.POSTGRESQL:
        pytest.skip("SQLite is told which plan to take (above)")
    await put_names(account, [f"filler{i:05d}.dyn.example" for i in range(3000)] + ["x-rare"])
    async with account.store.read() as txn:
        where = HostFilter(contains="rare")
        query = host_page_query(select(t.hosts.c.fqdn), where).limit(49)
        compiled = query.compile(txn.conn.engine, compile_kwargs={"literal_binds": True})
        plan = (await txn.conn.execute(text(f"EXPLAIN {compiled}"))).scalars().all()
    assert any("ix_hosts_fqdn_trgm" in line for line in plan), plan

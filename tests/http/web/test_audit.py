"""The audit page: whose rows, refusals, filters and cursor pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from homing.http.web.audit import PAGE_SIZE
from homing.store.rows import NewHistory

from .conftest import Web

ROW = re.compile(r'<tr class="(\w+)">')
OLDER = re.compile(r'href="(/audit\?before=[^"]+)" rel="next"')


async def seed(web: Web) -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    hosts = {h.fqdn: h for h in await web.core.store.hosts()}
    rows = [
        NewHistory(
            at=start + timedelta(seconds=i),
            host_id=hosts["home.dyn.example."].id,
            fqdn="home.dyn.example.",
            outcome="good" if i % 2 else "nochg",
            front_door="dyndns2",
            new_value=f"A=192.0.2.{i % 250}",
            source="198.51.100.7",
        )
        for i in range(PAGE_SIZE + 10)
    ]
    rows.append(
        NewHistory(
            at=start + timedelta(minutes=5),
            host_id=hosts["cabin.dyn.example."].id,
            fqdn="cabin.dyn.example.",
            outcome="good",
            front_door="duckdns",
            source="198.51.100.8",
        )
    )
    rows.append(
        NewHistory(
            at=start + timedelta(minutes=6),
            host_id=None,
            fqdn="mallory",
            outcome="badauth",
            front_door="dyndns2",
            source="203.0.113.66",
            detail="wrong login or secret",
        )
    )
    web.core.writer.record(rows)
    await web.core.writer.sync()


async def test_owner_pages_through_their_hosts_rows_only(web: Web) -> None:
    await seed(web)
    client = web.new_client()
    await web.signed_in(client, "alice")
    first = await client.get("/audit")
    assert len(ROW.findall(first.text)) == PAGE_SIZE
    assert "cabin.dyn.example" not in first.text
    assert "mallory" not in first.text
    assert "198.51.100.7" in first.text
    older = OLDER.search(first.text)
    assert older is not None
    second = await client.get(older.group(1).replace("&amp;", "&"))
    assert len(ROW.findall(second.text)) == 10
    assert OLDER.search(second.text) is None
    assert "← Newest" in second.text
    # Bob's host named in the filter shows nothing of bob's.
    probe = await client.get("/audit", params={"host": "cabin.dyn.example"})
    assert ROW.findall(probe.text) == []


async def test_admin_sees_everything_and_filters(web: Web) -> None:
    await seed(web)
    client = web.new_client()
    await web.signed_in(client, "root")
    refused = await client.get("/audit", params={"refused": "1"})
    assert ROW.findall(refused.text) == ["refused"]
    assert "mallory" in refused.text
    assert "203.0.113.66" in refused.text
    assert "wrong login or secret" in refused.text
    cabin = await client.get("/audit", params={"host": "cabin.dyn.example"})
    assert ROW.findall(cabin.text) == ["change"]
    assert "duckdns" in cabin.text

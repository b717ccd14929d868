"""``homing backup`` while updates pour in, then ``homing restore`` serves exactly that moment."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import sqlite3
from pathlib import Path

import httpx

from .dnsquery import addresses
from .server import ServerProcess, homing, seed_load_hosts

HOSTS = 8
BASE = 0x0A000000


def _address(n: int) -> str:
    return str(ipaddress.IPv4Address(BASE + n))


def _stored(database: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT name, rdata FROM records WHERE rtype = 'A'").fetchall()
    return {name: rdata for name, rdata in rows}


async def test_a_restored_backup_serves_the_moment_it_was_taken(tmp_path: Path) -> None:
    data = tmp_path / "data"
    tokens = await seed_load_hosts(data, HOSTS)
    (data / "web-session.key").write_text("ab" * 32 + "\n")
    server = ServerProcess(data).start()
    acked: dict[int, int] = {}
    stop = asyncio.Event()
    backup = tmp_path / "backups" / "homing.tar.gz"

    async def update(client: httpx.AsyncClient, i: int, n: int) -> None:
        response = await client.get(
            "/update",
            params={"domains": f"h{i}.load.example", "token": tokens[i], "ip": _address(n)},
        )
        assert response.text == "OK", response.text
        acked[i] = n

    async def hammer(client: httpx.AsyncClient, i: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            await update(client, i, n)

    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            tasks = [asyncio.create_task(hammer(client, i)) for i in range(HOSTS)]
            while sum(acked.values()) < 200:
                await asyncio.sleep(0.01)
            before = dict(acked)
            result = await asyncio.to_thread(homing, data, "backup", str(backup))
            during = dict(acked)
            assert sum(during.values()) > sum(before.values()), "the load ran during the backup"
            stop.set()
            await asyncio.gather(*tasks)
            # After the backup: changes the restore must not show.
            for i in range(HOSTS):
                await update(client, i, 100_000 + i)
    finally:
        assert server.stop() == 0, server.log()
    assert "written to" in result.stdout
    assert backup.stat().st_mode & 0o777 == 0o600

    restored = tmp_path / "restored"
    homing(restored, "restore", str(backup))
    assert (restored / "web-session.key").read_text() == "ab" * 32 + "\n"
    in_backup = _stored(restored / "homing.sqlite3")
    for i in range(HOSTS):
        n = int(ipaddress.IPv4Address(in_backup[f"h{i}.load.example."])) - BASE
        # Every update acknowledged before the backup began is in it, and nothing later than
        # what had been acknowledged when it ended (or the one update then in flight).
        assert before.get(i, 0) <= n <= during[i] + 1, (i, n, before.get(i), during[i])

    again = ServerProcess(restored).start()
    try:
        for i in range(HOSTS):
            name = f"h{i}.load.example"
            assert addresses(again.dns, name) == {in_backup[name + "."]}
        async with httpx.AsyncClient(base_url=again.url, timeout=10) as client:
            response = await client.get(
                "/update",
                params={"domains": "h0.load.example", "token": tokens[0], "ip": "192.0.2.55"},
            )
        assert response.text == "OK"
        assert addresses(again.dns, "h0.load.example") == {"192.0.2.55"}
    finally:
        assert again.stop() == 0, again.log()


def test_restore_refuses_a_data_directory_in_use(tmp_path: Path) -> None:
    data = tmp_path / "data"
    homing(data, "zone", "add", "one.example")
    homing(data, "backup", str(tmp_path / "b.tar.gz"))
    homing(tmp_path / "other", "zone", "add", "two.example")
    result = homing(tmp_path / "other", "restore", str(tmp_path / "b.tar.gz"), check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "not empty" in result.stderr
    assert "two.example." in homing(tmp_path / "other", "zone", "list").stdout

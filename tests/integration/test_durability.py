"""No acknowledged update is lost: kill -9 the server under concurrent load, then look."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import httpx

from .dnsquery import addresses
from .server import ServerProcess, seed_load_hosts

HOSTS = 16
KILL_AFTER_ACKS = 600


async def test_kill_during_load_loses_no_acknowledged_update(tmp_path: Path) -> None:
    data = tmp_path / "data"
    tokens = await seed_load_hosts(data, HOSTS)
    server = ServerProcess(data).start()
    acked: dict[int, int] = {}
    sent: dict[int, int] = {}
    total = 0
    enough = asyncio.Event()

    async def hammer(i: int, client: httpx.AsyncClient) -> None:
        nonlocal total
        n = 0
        while True:
            n += 1
            sent[i] = n
            try:
                response = await client.get(
                    "/update",
                    params={
                        "domains": f"h{i}.load.example",
                        "token": tokens[i],
                        "ip": str(ipaddress.IPv4Address(0x0A000000 + n)),
                    },
                )
            except httpx.HTTPError:
                return
            if response.text != "OK":
                return
            acked[i] = n
            total += 1
            if total >= KILL_AFTER_ACKS:
                enough.set()

    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        tasks = [asyncio.create_task(hammer(i, client)) for i in range(HOSTS)]
        await asyncio.wait_for(enough.wait(), timeout=60)
        server.kill()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)

    restarted = ServerProcess(data).start()
    try:
        for i in range(HOSTS):
            published = addresses(restarted.dns, f"h{i}.load.example")
            assert len(published) == 1
            stored = int(ipaddress.IPv4Address(published.pop())) - 0x0A000000
            # The last acknowledged update survived, or the one in flight when killed.
            assert stored in {acked.get(i, 0), sent[i]}, (i, stored, acked.get(i), sent[i])
    finally:
        assert restarted.stop() == 0

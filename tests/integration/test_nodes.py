"""Two ``homing serve`` nodes on one real PostgreSQL (issue 9): each answers what the other took.

One pair of nodes serves the module. Each node answers DNS from its own
memory; an update at either is committed to the shared database, announced
with NOTIFY, and read from the journal by the other node's writer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import httpx
import pytest

from homing.core.admin import Admin
from homing.store.location import Database
from homing.store.store import Store
from pgserver import PostgresServer

from .dnsquery import addresses, ask, wait_for
from .secondary_servers import free_port, knot
from .server import ServerProcess, homing

FOLLOW_TIMEOUT = 5.0
"""Far above the delay bench/nodes.py measures; only a node that never follows fails."""


@dataclass
class Nodes:
    url: str
    data: Path
    a: ServerProcess
    b: ServerProcess
    token: str


def _cli(nodes_url: str, data: Path, *args: str) -> str:
    return homing(data, "--database-url", nodes_url, *args).stdout


@pytest.fixture(scope="module")
def nodes(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Nodes]:
    url = postgres_server.new_database()
    root = tmp_path_factory.mktemp("nodes")
    cli = root / "cli"
    _cli(url, cli, "zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
    _cli(url, cli, "user", "add", "alice")
    out = _cli(url, cli, "host", "add", "home.dyn.example", "--owner", "alice")
    servers = []
    for name in ("a", "b"):
        config = root / f"{name}.toml"
        config.write_text(f'database_url = "{url}"\ndns_workers = 0\n')
        servers.append(ServerProcess(root / name, config=config).start())
    try:
        yield Nodes(
            url=url, data=cli, a=servers[0], b=servers[1], token=out.strip().splitlines()[-1]
        )
    finally:
        for server in servers:
            assert server.stop() == 0, server.log()


def _update(server: ServerProcess, fqdn: str, token: str, ip: str) -> str:
    response = httpx.get(
        f"{server.url}/nic/update", params={"hostname": fqdn, "myip": ip}, auth=(fqdn, token)
    )
    return response.text


async def _stored(url: str, fqdn: str) -> tuple[str, int]:
    """The host's address and the zone's serial as the database holds them."""
    store = await Store.open(Database.postgresql(url))
    try:
        host = await store.find_host(fqdn)
        assert host is not None
        [record] = await store.host_records(host.id)
        zone = await store.find_zone(host.zone)
        assert zone is not None
        return record.rdata, zone.serial
    finally:
        await store.close()


def _serial(server: ServerProcess) -> int:
    [rrset] = ask(server.dns, "dyn.example", "SOA").answer
    return int(rrset[0].serial)


def test_an_update_at_one_node_is_answered_by_the_other(nodes: Nodes) -> None:
    for n, (to, other) in enumerate([(nodes.a, nodes.b), (nodes.b, nodes.a)] * 3):
        ip = f"203.0.113.{10 + n}"
        assert _update(to, "home.dyn.example", nodes.token, ip) == f"good {ip}\n"
        assert addresses(to.dns, "home.dyn.example") == {ip}
        wait_for(
            lambda ip=ip, other=other: addresses(other.dns, "home.dyn.example") == {ip},
            timeout=FOLLOW_TIMEOUT,
            what="the other node to answer the update",
        )


def test_a_host_added_by_the_cli_is_usable_at_both(nodes: Nodes) -> None:
    out = _cli(nodes.url, nodes.data, "host", "add", "cam.dyn.example", "--owner", "alice")
    token = out.strip().splitlines()[-1]
    assert _update(nodes.b, "cam.dyn.example", token, "198.51.100.7") == "good 198.51.100.7\n"
    wait_for(
        lambda: addresses(nodes.a.dns, "cam.dyn.example") == {"198.51.100.7"},
        timeout=FOLLOW_TIMEOUT,
        what="node a to answer the host the CLI added",
    )


def test_concurrent_updates_at_both_nodes_converge(nodes: Nodes) -> None:
    """Same host, both nodes at once: every node and the database agree, serials too."""
    jobs = [(nodes.a if n % 2 else nodes.b, f"192.0.2.{n}") for n in range(1, 17)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda job: _update(job[0], "home.dyn.example", nodes.token, job[1]), jobs)
        )
    assert all(a.startswith(("good ", "nochg ")) for a in answers), answers
    stored, serial = asyncio.run(_stored(nodes.url, "home.dyn.example."))
    assert stored in {ip for _, ip in jobs}

    def agreed() -> bool:
        seen = [addresses(node.dns, "home.dyn.example") for node in (nodes.a, nodes.b)]
        return seen == [{stored}, {stored}] and _serial(nodes.a) == _serial(nodes.b) == serial

    wait_for(agreed, timeout=FOLLOW_TIMEOUT, what="both nodes to agree with the database")


HAMMERED = 8
KILL_AFTER_ACKS = 100


async def _load_hosts(url: str) -> list[str]:
    store = await Store.open(Database.postgresql(url))
    try:
        admin = Admin(store=store, origin="test-seed")
        added = await admin.add_hosts([f"l{i}.dyn.example" for i in range(HAMMERED)], owner="alice")
        return [token for _, token in added]
    finally:
        await store.close()


async def test_a_node_killed_under_load_loses_nothing_it_acknowledged(
    nodes: Nodes, tmp_path: Path
) -> None:
    """A third node takes updates and is killed with SIGKILL; node b serves every one it acked."""
    tokens = await _load_hosts(nodes.url)
    config = tmp_path / "c.toml"
    config.write_text(f'database_url = "{nodes.url}"\ndns_workers = 0\n')
    doomed = ServerProcess(tmp_path / "c", config=config).start()
    acked: dict[int, int] = {}
    sent: dict[int, int] = {}
    enough = asyncio.Event()

    async def hammer(i: int, client: httpx.AsyncClient) -> None:
        n = 0
        while True:
            n += 1
            sent[i] = n
            params = {"domains": f"l{i}.dyn.example", "token": tokens[i], "ip": f"10.9.{i}.{n}"}
            try:
                response = await client.get("/update", params=params)
            except httpx.HTTPError:
                return
            if response.text != "OK":
                return
            acked[i] = n
            if sum(acked.values()) >= KILL_AFTER_ACKS:
                enough.set()
            if n == 250:
                return

    async with httpx.AsyncClient(base_url=doomed.url, timeout=10) as client:
        tasks = [asyncio.create_task(hammer(i, client)) for i in range(HAMMERED)]
        await asyncio.wait_for(enough.wait(), timeout=60)
        doomed.kill()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)

    def every_ack_served() -> bool:
        for i in range(HAMMERED):
            served = addresses(nodes.b.dns, f"l{i}.dyn.example")
            if i not in acked:
                continue
            if len(served) != 1:
                return False
            last = int(next(iter(served)).rsplit(".", 1)[1])
            if not acked[i] <= last <= sent[i]:
                return False
        return True

    wait_for(every_ack_served, timeout=FOLLOW_TIMEOUT, what="node b to serve every acked update")
    assert sum(acked.values()) >= KILL_AFTER_ACKS


def test_a_knot_secondary_follows_while_both_nodes_take_updates(
    nodes: Nodes, tmp_path: Path
) -> None:
    """Knot transfers from node a; node b's updates reach it too (a follows b, NOTIFY, IXFR)."""
    port = free_port("127.0.0.4")
    _cli(nodes.url, nodes.data, "secondary", "add", "dyn.example", f"127.0.0.4:{port}")
    secondary = knot(
        tmp_path / "knot", zone="dyn.example.", primary=nodes.a.dns, address="127.0.0.4", port=port
    )
    try:
        wait_for(
            lambda: _soa_serial(secondary.server) == _serial(nodes.a),
            timeout=15,
            what="the initial transfer",
        )
        for n, node in enumerate([nodes.a, nodes.b, nodes.b, nodes.a, nodes.b]):
            ip = f"198.51.100.{60 + n}"
            assert _update(node, "home.dyn.example", nodes.token, ip) == f"good {ip}\n"
        wait_for(
            lambda: (
                addresses(secondary.server, "home.dyn.example") == {ip}
                and _soa_serial(secondary.server) == _serial(nodes.a) == _serial(nodes.b)
            ),
            timeout=FOLLOW_TIMEOUT,
            what="Knot to serve the last update, at the nodes' serial",
        )
        wait_for(lambda: "IXFR, incoming" in secondary.log(), timeout=5, what="an IXFR")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- knot log:\n{secondary.log()}") from None
    finally:
        secondary.stop()


def _soa_serial(server: tuple[str, int]) -> int | None:
    try:
        response = ask(server, "dyn.example", "SOA")
    except dns.exception.Timeout:
        return None
    return int(response.answer[0][0].serial) if response.answer else None

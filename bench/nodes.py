"""Node-to-node propagation: an update acknowledged by node A, until node B's DNS answers it.

Two ``homing serve`` nodes share one PostgreSQL server (Debian's, started in
a temporary directory with its durable defaults). Each round sends one
dyndns2 update to A and, from the moment A acknowledged it, asks B over UDP
every millisecond until B's answer carries the new address. B follows A
through LISTEN/NOTIFY and the journal (issue 9); the target is p99 < 100 ms
on loopback. Without the notices B would follow by its journal poll alone
(every journal_poll_seconds, 0.25 s by default).

    python bench/nodes.py [--rounds 200] [--workers 0] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import tempfile
import time
from pathlib import Path

import dns.message
import dns.rdatatype
from common import CLIENT_CPU, SERVER_CPU, ZONE, address_of, seed, start_homing
from updates import Connection, percentile

from homing.store.location import Database
from pgserver import PostgresServer


def _answer(sock: socket.socket, port: int, fqdn: str) -> set[str]:
    sock.sendto(dns.message.make_query(fqdn, "A").to_wire(), ("127.0.0.1", port))
    answer = dns.message.from_wire(sock.recv(4096))
    return {
        r.to_text() for rrset in answer.answer if rrset.rdtype == dns.rdatatype.A for r in rrset
    }


async def propagation(http_port: int, dns_port: int, token: str, rounds: int) -> list[float]:
    fqdn = f"h0.{ZONE}"
    auth = "Basic " + base64.b64encode(f"{fqdn}:{token}".encode()).decode()
    conn = await Connection.open("127.0.0.1", http_port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2.0)
    delays = []
    try:
        for n in range(rounds):
            ip = address_of(0x0E0000 + n)
            body = await conn.get((f"/nic/update?hostname={fqdn}&myip={ip}", auth))
            assert body.startswith(b"good "), body
            acked = time.perf_counter()
            while _answer(sock, dns_port, fqdn) != {ip}:
                if time.perf_counter() - acked > 10:
                    raise AssertionError(f"node B never answered {ip}")
                await asyncio.sleep(0.001)
            delays.append(time.perf_counter() - acked)
    finally:
        conn.close()
        sock.close()
    return delays


async def run(args: argparse.Namespace, work: Path, postgres: PostgresServer) -> list[float]:
    database = Database.postgresql(postgres.new_database())
    [token] = await seed(work / "seed", 1, database=database)
    url = database.url.render_as_string(hide_password=False)
    servers = []
    try:
        for name in ("a", "b"):
            config = work / f"{name}.toml"
            config.write_text(f'database_url = "{url}"\ndns_workers = {args.workers}\n')
            servers.append(start_homing(work / name, config=config))
        a, b = servers
        return await propagation(int(a.url.rsplit(":", 1)[1]), b.dns[1], token, args.rounds)
    finally:
        for server in servers:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=0, help="DNS workers per node")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    postgres = PostgresServer(durable=True, cpus=SERVER_CPU)
    postgres.start()
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    try:
        with tempfile.TemporaryDirectory(prefix="homing-nodes-") as tmp:
            delays = asyncio.run(run(args, Path(tmp), postgres))
    finally:
        postgres.stop()
    result = {
        "updates": len(delays),
        "p50_ms": percentile(delays, 0.5) * 1000,
        "p99_ms": percentile(delays, 0.99) * 1000,
        "max_ms": max(delays) * 1000,
    }
    print(
        f"node-to-node propagation over {result['updates']} updates: "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"max {result['max_ms']:.1f} ms"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

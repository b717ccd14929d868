"""Durable updates per second, their latency, and update-to-DNS-answer latency.

Three measurements, one script, same machine:

1. saturation: C keep-alive connections send dyndns2 updates back to back,
   each authenticated by its host's token (every update changes the address,
   so every one is a committed write);
2. fixed rate: updates sent on a schedule at --rate per second; latency is
   measured from the scheduled send time (no coordinated omission);
3. update-to-answer: one update, then at once a DNS query for the name from eight
   source ports (so every DNS worker is asked); the
   time from sending the update to the DNS answer that shows it.

The reference is SQLite itself on the same disk: single-row transactions with
the same durability settings (WAL, synchronous=FULL), one per fsync. Group
commit is what lets homing exceed that rate.

``--database postgresql`` stores everything in a PostgreSQL server of its own
(Debian's, started in the temporary directory with its durable defaults:
fsync, synchronous_commit) instead of the SQLite file, pinned to the server's
CPU as well, so the two backends are compared on the same machine (issue 9).

    python bench/updates.py [--hosts 200] [--seconds 10] [--connections 64] [--rate 1000]
                            [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import dns.asyncquery
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.update
from common import (
    CLIENT_CPU,
    SERVER_CPU,
    ZONE,
    address_of,
    cpu_seconds,
    seed,
    start_homing,
    tree,
    zone_text,
)
from references import free_port, knot

from homing.config import load_settings
from homing.core.dnssec import Dnssec
from homing.store.location import Database
from homing.store.store import Store
from pgserver import PostgresServer

SOURCES = 8


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator must not be the bottleneck."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str
    ) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def get(self, request: tuple[str, str]) -> bytes:
        path, authorization = request
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Authorization: {authorization}\r\nUser-Agent: homing-bench/1\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def update_request(tokens: list[str], host: int, ip: str) -> tuple[str, str]:
    """A dyndns2 update of host ``host`` to ``ip``: (path, Authorization header)."""
    fqdn = f"h{host}.{ZONE}"
    credentials = base64.b64encode(f"{fqdn}:{tokens[host]}".encode()).decode()
    return f"/nic/update?hostname={fqdn}&myip={ip}", f"Basic {credentials}"


def update_path(tokens: list[str], i: int, n: int) -> tuple[str, str]:
    return update_request(tokens, i % len(tokens), address_of(0x0B0000 + n))


def acknowledged(body: bytes) -> bool:
    return body.startswith(b"good ")


async def saturation(
    port: int, tokens: list[str], connections: int, seconds: float
) -> dict[str, float]:
    latencies: list[float] = []
    counter = 0
    failures = 0
    end = time.perf_counter() + seconds

    async def worker(c: int) -> None:
        nonlocal counter, failures
        conn = await Connection.open("127.0.0.1", port)
        try:
            while time.perf_counter() < end:
                counter += 1
                start = time.perf_counter()
                body = await conn.get(update_path(tokens, c + connections * counter, counter))
                latencies.append(time.perf_counter() - start)
                if not acknowledged(body):
                    failures += 1
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in range(connections)))
    elapsed = time.perf_counter() - started
    return {
        "updates": len(latencies),
        "updates_per_s": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies) * 1000,
        "failures": failures,
    }


async def fixed_rate(
    port: int, tokens: list[str], rate: float, seconds: float, connections: int
) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    interval = connections / rate
    per_connection = int(seconds * rate / connections)
    base = time.perf_counter() + 0.2

    async def worker(c: int) -> None:
        nonlocal failures
        conn = await Connection.open("127.0.0.1", port)
        try:
            for k in range(per_connection):
                scheduled = base + c * (1 / rate) + k * interval
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                n = 1_000_000 + c * per_connection + k
                body = await conn.get(update_path(tokens, c + connections * k, n))
                latencies.append(time.perf_counter() - scheduled)
                if not acknowledged(body):
                    failures += 1
        finally:
            conn.close()

    await asyncio.gather(*(worker(c) for c in range(connections)))
    return {
        "rate": rate,
        "sent": len(latencies),
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies) * 1000,
        "failures": failures,
    }


async def update_to_answer(
    http_port: int, dns_port: int, tokens: list[str], count: int
) -> dict[str, float]:
    conn = await Connection.open("127.0.0.1", http_port)
    # One socket per source port: the kernel spreads them over the DNS workers, and an
    # update counts as answered when the slowest of them sees it.
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(SOURCES)]
    for sock in sockets:
        sock.settimeout(2.0)
    total: list[float] = []
    after_ack: list[float] = []
    stale = 0
    try:
        for n in range(count):
            ip = address_of(0x0C0000 + n)
            start = time.perf_counter()
            body = await conn.get(update_request(tokens, 0, ip))
            acked = time.perf_counter()
            assert acknowledged(body), body
            query = dns.message.make_query(f"h0.{ZONE}", "A").to_wire()
            for sock in sockets:
                sock.sendto(query, ("127.0.0.1", dns_port))
            for sock in sockets:
                answer = dns.message.from_wire(sock.recv(4096))
                seen = {
                    r.to_text()
                    for rrset in answer.answer
                    if rrset.rdtype == dns.rdatatype.A
                    for r in rrset
                }
                if seen != {ip}:
                    stale += 1
            done = time.perf_counter()
            total.append(done - start)
            after_ack.append(done - acked)
    finally:
        conn.close()
        for sock in sockets:
            sock.close()
    return {
        "count": count,
        "p50_ms": percentile(total, 0.50) * 1000,
        "p99_ms": percentile(total, 0.99) * 1000,
        "dns_after_ack_p99_ms": percentile(after_ack, 0.99) * 1000,
        "stale_answers": stale,
    }


async def knot_reference(
    workdir: Path,
    data: Path,
    hosts: int,
    concurrency: int,
    seconds: float,
    database: Database | None,
) -> dict[str, float]:
    """Knot's own durable RFC 2136 path on the same names: UPDATEs from ``concurrency`` senders."""
    zonefile = workdir / "knot-bench.zone"
    zonefile.write_text(await zone_text(data, database=database))
    port = free_port()
    latencies: list[float] = []
    failures = 0
    with knot(workdir, zonefile, port, allow_update=True):
        end = time.perf_counter() + seconds

        async def sender(c: int) -> None:
            nonlocal failures
            n = 0
            while time.perf_counter() < end:
                n += 1
                update = dns.update.UpdateMessage(ZONE)
                ip = address_of(0x0D0000 + c * 65536 // concurrency + n)
                update.replace(f"h{(c + concurrency * n) % hosts}", 60, "A", ip)
                start = time.perf_counter()
                try:
                    response = await dns.asyncquery.udp(update, "127.0.0.1", port=port, timeout=5)
                except dns.exception.Timeout:
                    failures += 1
                    continue
                latencies.append(time.perf_counter() - start)
                if response.rcode() != dns.rcode.NOERROR:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(sender(c) for c in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "updates_per_s": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "failures": failures,
    }


def sqlite_reference(directory: Path, seconds: float) -> dict[str, float]:
    """One row per transaction, WAL + synchronous=FULL: the disk's durable-commit rate."""
    db = sqlite3.connect(directory / "reference.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    commits = 0
    latencies = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t (v) VALUES (?)", (str(commits),))
        db.execute("COMMIT")
        latencies.append(time.perf_counter() - start)
        commits += 1
    db.close()
    return {"commits_per_s": commits / seconds, "p50_ms": statistics.median(latencies) * 1000}


async def run(
    args: argparse.Namespace, work: Path, postgres: PostgresServer | None
) -> dict[str, dict[str, float]]:
    data = work / "data"
    database = Database.postgresql(postgres.new_database()) if postgres else None
    tokens = await seed(data, args.hosts, database=database)
    if args.dnssec:
        store = await Store.open(database or data / "homing.sqlite3")
        try:
            dnssec = Dnssec.from_settings(
                store=store, origin="bench-seed", settings=load_settings(environ={})
            )
            await dnssec.enable(ZONE)
        finally:
            await store.close()
    config = work / "homing.toml"
    settings = f"dns_workers = {args.workers}\ndns_rrl_responses_per_second = 0\n"
    if database is not None:
        settings += f'database_url = "{database.url.render_as_string(hide_password=False)}"\n'
    config.write_text(settings)
    server = start_homing(data, config=config)
    http_port = int(server.url.rsplit(":", 1)[1])
    assert server.process is not None
    roots = [server.process.pid] + ([postgres.postmaster_pid()] if postgres else [])
    try:
        before = [cpu_seconds(tree(pid)) for pid in roots]
        results = {
            "saturation": await saturation(http_port, tokens, args.connections, args.seconds),
        }
        # CPU per update (the server's processes, and PostgreSQL's): steadier than the
        # rate on a shared machine, and where the two backends differ.
        used = [cpu_seconds(tree(pid)) - b for pid, b in zip(roots, before, strict=True)]
        count = max(results["saturation"]["updates"], 1)
        results["saturation"]["homing_cpu_ms"] = used[0] / count * 1000
        results["saturation"]["postgres_cpu_ms"] = used[1] / count * 1000 if postgres else 0.0
        results |= {
            "fixed_rate": await fixed_rate(
                http_port, tokens, args.rate, args.seconds, args.connections
            ),
            "update_to_answer": await update_to_answer(
                http_port, server.dns[1], tokens, args.answers
            ),
        }
    finally:
        server.stop()
    results["knot_rfc2136"] = await knot_reference(
        work, data, args.hosts, args.connections, args.seconds, database
    )
    results["sqlite_reference"] = sqlite_reference(data, min(args.seconds, 5))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="DNS workers (on the server CPU)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--dnssec", action="store_true", help="sign the zone: every update is signed online"
    )
    args = parser.parse_args()
    postgres = None
    if args.database == "postgresql":
        # The database server shares the homing server's CPU: the same budget as SQLite.
        postgres = PostgresServer(durable=True, cpus=SERVER_CPU)
        postgres.start()
    # The load generator keeps off the servers' CPU, as dnsperf does in dns_qps.py.
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    try:
        with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp:
            results = asyncio.run(run(args, Path(tmp), postgres))
    finally:
        if postgres is not None:
            postgres.stop()
    s, f, u, k, r = (
        results[name]
        for name in (
            "saturation",
            "fixed_rate",
            "update_to_answer",
            "knot_rfc2136",
            "sqlite_reference",
        )
    )
    print(f"database: {args.database}")
    print(
        f"saturation ({args.connections} connections): {s['updates_per_s']:.0f} updates/s, "
        f"p50 {s['p50_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms, failures {s['failures']:.0f}; "
        f"CPU per update: homing {s['homing_cpu_ms']:.2f} ms, "
        f"PostgreSQL {s['postgres_cpu_ms']:.2f} ms"
    )
    print(
        f"fixed rate {f['rate']:.0f}/s: p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, "
        f"max {f['max_ms']:.1f} ms, failures {f['failures']:.0f}"
    )
    print(
        f"update-to-answer: p50 {u['p50_ms']:.2f} ms, p99 {u['p99_ms']:.2f} ms "
        f"(DNS after ack p99 {u['dns_after_ack_p99_ms']:.2f} ms), "
        f"stale answers {u['stale_answers']:.0f}"
    )
    print(
        f"knot RFC 2136 ({args.connections} senders): {k['updates_per_s']:.0f} updates/s, "
        f"p50 {k['p50_ms']:.1f} ms, p99 {k['p99_ms']:.1f} ms, failures {k['failures']:.0f}; "
        f"homing/knot = {s['updates_per_s'] / max(k['updates_per_s'], 1e-9):.2f}"
    )
    print(
        f"sqlite reference: {r['commits_per_s']:.0f} single-row durable commits/s; "
        f"homing/sqlite = {s['updates_per_s'] / r['commits_per_s']:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

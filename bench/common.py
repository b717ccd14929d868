"""Shared bench plumbing: seeding a data directory fast, running homing pinned to a CPU."""

from __future__ import annotations

import ipaddress
import os
import random
import sqlite3
import string
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from homing.config import load_settings  # noqa: E402
from homing.core.admin import Admin  # noqa: E402
from homing.core.credentials import new_token, token_hash, token_prefix  # noqa: E402
from homing.core.dnssec import Dnssec  # noqa: E402
from homing.domain.records import RRset  # noqa: E402
from homing.store.location import Database  # noqa: E402
from homing.store.store import Store  # noqa: E402
from integration.server import ServerProcess  # noqa: E402

ZONE = "bench.example."
START_TIMEOUT = 600.0
"""A million hosts: the benchmark waits for them, and reports how long it took."""
LABEL_ALPHABET = string.ascii_lowercase + string.digits
SERVER_CPU = "0"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLIENT_CPU = "1" if (os.cpu_count() or 1) > 1 else "0"


def address_of(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


async def seed(data: Path, hosts: int, *, database: Database | None = None) -> list[str]:
    """A zone with ``hosts`` hosts h0..hN (one A record each); returns their tokens.

    In the data directory's SQLite file, or in ``database`` (PostgreSQL) when given.
    """
    store = await Store.open(database or data / "homing.sqlite3")
    admin = Admin(store=store, origin="bench-seed")
    zone = await admin.add_zone(ZONE, nameservers=[f"ns1.{ZONE}"])
    user = await admin.add_user("bench", password="bench-password")
    tokens = [new_token() for _ in range(hosts)]
    now = datetime.now(UTC)
    async with store.write() as txn:
        for i in range(hosts):
            host_id = await txn.insert(
                "hosts",
                zone_id=zone.id,
                owner_id=user.id,
                fqdn=f"h{i}.{ZONE}",
                ttl=60,
                wildcard=False,
                offline=False,
                created_at=now,
                nochg_count=0,
            )
            await txn.insert(
                "tokens",
                token_hash=token_hash(tokens[i]),
                prefix=token_prefix(tokens[i]),
                user_id=user.id,
                host_id=host_id,
                label="bench",
                created_at=now,
            )
            await txn.replace_rrsets(
                [(zone.id, host_id, RRset(f"h{i}.{ZONE}", "A", 60, (address_of(i),)))]
            )
    await store.close()
    return tokens


async def zone_text(data: Path, *, database: Database | None = None) -> str:
    """The seeded zone in master-file format, for NSD and Knot to serve the same data."""
    store = await Store.open(database or data / "homing.sqlite3")
    async with store.read() as txn:
        snapshot = await txn.zone_snapshot(ZONE)
    await store.close()
    assert snapshot is not None
    zone = dns.zone.Zone(ZONE)
    soa = snapshot.soa
    zone.find_rdataset("@", "SOA", create=True).add(
        dns.rdata.from_text(
            "IN",
            "SOA",
            f"{soa.mname} {soa.rname} {soa.serial} "
            f"{soa.refresh} {soa.retry} {soa.expire} {soa.minimum}",
        ),
        soa.ttl,
    )
    ns = zone.find_rdataset("@", "NS", create=True)
    for name in snapshot.nameservers:
        ns.add(dns.rdata.from_text("IN", "NS", name), snapshot.ns_ttl)
    for rrset in snapshot.rrsets:
        rdataset = zone.find_rdataset(rrset.name, rrset.rtype, create=True)
        for rdata in rrset.rdatas:
            rdataset.add(
                dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rrset.rtype), rdata),
                rrset.ttl,
            )
    return zone.to_text()


async def sign_zone(where: Path | Database) -> None:
    """Sign ``ZONE`` as ``homing dnssec enable`` does, before the server starts."""
    store = await Store.open(where)
    try:
        dnssec = Dnssec.from_settings(
            store=store, origin="bench-seed", settings=load_settings(environ={})
        )
        await dnssec.enable(ZONE)
    finally:
        await store.close()


def tree(pid: int) -> list[int]:
    """The process and its descendants (processes, not threads)."""
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found.extend(tree(int(child)))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def start_homing(
    data: Path, *, config: Path | None = None, cpus: str = SERVER_CPU, peak: TreePeak | None = None
) -> ServerProcess:
    """``homing serve`` pinned to ``cpus``; ``peak``, when given, samples its tree from exec on."""
    server = ServerProcess(
        data,
        config=config,
        prefix=["taskset", "-c", cpus],
        start_timeout=START_TIMEOUT,
        dns_workers=None,
    )
    if peak is not None:
        peak.watch(server)
    return server.start()


class TreePeak:
    """The highest RSS of a server's process tree, sampled every ``interval`` seconds.

    The provider peaks while it loads, before its workers do, so the sum of
    each process's own peak (VmHWM) overstates the tree's; a sample of the
    tree's sum is what a machine has to hold. A thread reads ``statm`` of
    every process in the tree from the moment the server is exec'd until
    ``stop``; a peak between two samples is missed.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.highest_mib = 0.0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, server: ServerProcess) -> None:
        self._thread = threading.Thread(target=self._sample, args=(server,), daemon=True)
        self._thread.start()

    def stop(self) -> float:
        """Stop sampling; the highest RSS seen, in MiB."""
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        return self.highest_mib

    def _sample(self, server: ServerProcess) -> None:
        while not self._done.wait(self.interval):
            if server.process is None:
                continue
            try:
                pages = sum(
                    int(Path(f"/proc/{pid}/statm").read_text().split()[1])
                    for pid in tree(server.process.pid)
                )
            except (FileNotFoundError, ProcessLookupError):
                continue  # a process ended between the listing and the read
            self.highest_mib = max(self.highest_mib, pages * PAGE_SIZE / 2**20)


@dataclass(frozen=True)
class Population:
    """What ``seed_many`` put in the database: every host name, and tokens for some."""

    names: list[str]
    tokens: dict[str, str]


def _label(rng: random.Random) -> str:
    return "".join(rng.choices(LABEL_ALPHABET, k=rng.randint(6, 14)))


async def seed_many(data: Path, hosts: int, *, with_tokens: int = 10_000) -> Population:
    """``hosts`` hosts with random names, one A and one AAAA each, written by SQLite directly.

    The schema comes from the real migrations and the zone and user from the
    real management code; the hosts go in with executemany, about a hundred
    times faster than one management call per host (a bulk import is issue 13).
    """
    store = await Store.open(data / "homing.sqlite3")
    admin = Admin(store=store, origin="bench-seed")
    zone = await admin.add_zone(ZONE, nameservers=[f"ns1.{ZONE}"])
    user = await admin.add_user("bench", password="bench-password")
    await store.close()
    rng = random.Random(8)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < hosts:
        name = f"{_label(rng)}.{ZONE}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    tokens = {name: new_token() for name in names[:with_tokens]}
    db = sqlite3.connect(data / "homing.sqlite3")
    with db:
        db.executemany(
            "INSERT INTO hosts (id, zone_id, owner_id, fqdn, ttl, wildcard, offline, created_at,"
            " nochg_count, notes) VALUES (?, ?, ?, ?, 60, 0, 0, ?, 0, '')",
            ((i + 1, zone.id, user.id, name, now) for i, name in enumerate(names)),
        )
        db.executemany(
            "INSERT INTO records (zone_id, host_id, name, rtype, ttl, rdata)"
            " VALUES (?, ?, ?, ?, 60, ?)",
            (
                row
                for i, name in enumerate(names)
                for row in (
                    (zone.id, i + 1, name, "A", address_of(i)),
                    (zone.id, i + 1, name, "AAAA", ipv6_of(i)),
                )
            ),
        )
        db.executemany(
            "INSERT INTO tokens (token_hash, prefix, user_id, host_id, label, created_at)"
            " VALUES (?, ?, ?, ?, 'bench', ?)",
            (
                (token_hash(token), token_prefix(token), user.id, i + 1, now)
                for i, token in enumerate(tokens.values())
            ),
        )
        # The search index as a server that has run a while has it (store/search.py): else
        # the provider would spend the first minutes of a benchmark indexing the names.
        db.execute("INSERT INTO host_names (host_names) VALUES ('rebuild')")
        db.execute("UPDATE host_names_upto SET upto = (SELECT coalesce(max(id), 0) FROM hosts)")
    db.close()
    return Population(names=names, tokens=tokens)


def ipv6_of(i: int) -> str:
    return str(ipaddress.IPv6Address((0x20010DB8 << 96) | i))


def population_zone(population: Population) -> str:
    """The seeded zone as a master file, written straight from the population."""
    lines = [
        f"$ORIGIN {ZONE}",
        f"@ 3600 IN SOA ns1.{ZONE} hostmaster.{ZONE} 1 3600 600 1209600 60",
        f"@ 3600 IN NS ns1.{ZONE}",
    ]
    for i, name in enumerate(population.names):
        lines.append(f"{name} 60 IN A {address_of(i)}")
        lines.append(f"{name} 60 IN AAAA {ipv6_of(i)}")
    return "\n".join(lines) + "\n"

"""Shared bench plumbing: seeding a data directory fast, running homing pinned to a CPU."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from homing.core.admin import Admin  # noqa: E402
from homing.core.credentials import new_token, token_hash, token_prefix  # noqa: E402
from homing.domain.records import RRset  # noqa: E402
from homing.store.store import Store  # noqa: E402
from integration.server import ServerProcess  # noqa: E402

ZONE = "bench.example."
SERVER_CPU = "0"
CLIENT_CPU = "1" if (os.cpu_count() or 1) > 1 else "0"


def address_of(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


async def seed(data: Path, hosts: int) -> list[str]:
    """A zone with ``hosts`` hosts h0..hN (one A record each); returns their tokens."""
    store = await Store.open(data / "homing.sqlite3")
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


async def zone_text(data: Path) -> str:
    """The seeded zone in master-file format, for NSD and Knot to serve the same data."""
    store = await Store.open(data / "homing.sqlite3")
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


def start_homing(data: Path, *, config: Path | None = None) -> ServerProcess:
    server = ServerProcess(data, config=config, prefix=["taskset", "-c", SERVER_CPU])
    return server.start()

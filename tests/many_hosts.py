"""Many hosts in every state of health, written into SQLite directly (issue 15).

One management call per host would take minutes for the suite's 20,000
hosts and hours for bench/'s million; ``executemany`` takes a second per
100,000 rows, plus about 15 s for the triggers of migration 0013 (each
name's trigrams into the search index, the owner's total). The schema
comes from the real migrations, the zone and the users from the real
management code, so only the bulk rows skip the core. What
each host is (fresh, stale, failing, refused by a stranger, new) follows
from its number, and ``ManyHosts`` says which ones the pages must count.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from homing.core.admin import Admin
from homing.core.api_tokens import ApiTokens
from homing.store.store import Store

ZONE = "many.example"
OWNER = "bulk"
OWNER_PASSWORD = "bulk-password"
ADMIN = "root"
ADMIN_PASSWORD = "root-password"
WORDS = ("cam", "nas", "router", "pi")
HOME_ADDRESS = "198.51.100.7"
STRANGER = "203.0.113.66"
STALE_HOURS = 24


@dataclass
class ManyHosts:
    names: list[str] = field(default_factory=list)
    """Every FQDN (without the trailing dot), sorted as the pages sort them."""
    failing: set[str] = field(default_factory=set)
    stale: set[str] = field(default_factory=set)
    owner_token: str = ""
    admin_token: str = ""


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def host_name(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]}{i:07d}.{ZONE}"


async def seed_many_hosts(database: Path, count: int) -> ManyHosts:
    """Zone many.example with ``count`` hosts of user ``bulk``, and an admin ``root``.

    By number: every tenth host is stale (updated three days ago), the one
    after it fresh, the one after that never updated and old (stale too);
    every 97th fresh-or-new host has an ``abuse`` refusal since its update
    (failing), every 89th a stranger's wrong password (not failing). The
    rest were created an hour ago and never updated (new).
    """
    store = await Store.open(database)
    admin = Admin(store=store, origin="many-hosts")
    zone = await admin.add_zone(ZONE)
    owner = await admin.add_user(OWNER, password=OWNER_PASSWORD)
    await admin.add_user(ADMIN, password=ADMIN_PASSWORD, admin=True)
    tokens = ApiTokens(store=store)
    seeded = ManyHosts()
    _, seeded.owner_token = await tokens.create(user=OWNER, name="many")
    _, seeded.admin_token = await tokens.create(user=ADMIN, name="many")
    await store.close()
    now = datetime.now(UTC)
    hosts, records, history = [], [], []
    for i in range(count):
        name = host_name(i)
        kind = i % 10
        created = now - timedelta(days=5) if kind in (0, 1, 2) else now - timedelta(hours=1)
        updated = {0: now - timedelta(days=3), 1: now - timedelta(hours=1)}.get(kind)
        source = HOME_ADDRESS if updated else None
        hosts.append(
            (
                i + 1,
                zone.id,
                owner.id,
                name + ".",
                _at(created),
                _at(updated) if updated else None,
                source,
            )
        )
        if updated:
            records.append(
                (zone.id, i + 1, name + ".", f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
            )
        if kind in (0, 2):
            seeded.stale.add(name)
        elif i % 97 == 0:
            history.append(
                (_at(now - timedelta(minutes=10)), i + 1, name + ".", "abuse", HOME_ADDRESS)
            )
            seeded.failing.add(name)
        elif i % 89 == 0:
            history.append(
                (_at(now - timedelta(minutes=5)), i + 1, name + ".", "badauth", STRANGER)
            )
        seeded.names.append(name)
    seeded.names.sort()
    db = sqlite3.connect(database)
    with db:
        db.executemany(
            "INSERT INTO hosts (id, zone_id, owner_id, fqdn, ttl, wildcard, offline, created_at,"
            " updated_at, last_source, nochg_count, notes) VALUES (?, ?, ?, ?, 60, 0, 0, ?, ?, ?,"
            " 0, '')",
            hosts,
        )
        db.executemany(
            "INSERT INTO records (zone_id, host_id, name, rtype, ttl, rdata)"
            " VALUES (?, ?, ?, 'A', 60, ?)",
            records,
        )
        db.executemany(
            "INSERT INTO history (at, host_id, fqdn, outcome, source, front_door)"
            " VALUES (?, ?, ?, ?, ?, 'dyndns2')",
            history,
        )
    db.close()
    return seeded

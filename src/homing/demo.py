"""The ready-made demo account of ``make run``: a zone, a user and a host to try updates on.

Created on the first start only; the demo host's token is kept in the data
directory (readable by its owner only) so every start can print the same
copy-paste commands.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from homing.core.admin import Admin

DEMO_ZONE = "ddns.test."
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo account, on loopback
DEMO_HOST = "home.ddns.test."
TOKEN_FILE = "demo-token"  # noqa: S105 - a file name


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoAccount:
    zone: str
    user: str
    password: str
    host: str
    token: str


async def ensure_demo(admin: Admin, data_dir: Path) -> DemoAccount:
    """Create the demo zone, user and host unless they exist; return their credentials."""
    token_path = data_dir / TOKEN_FILE
    if DEMO_ZONE not in {z.name for z in await admin.zones()}:
        await admin.add_zone(DEMO_ZONE, nameservers=[f"ns1.{DEMO_ZONE}"])
    if DEMO_USER not in {u.name for u in await admin.users()}:
        await admin.add_user(DEMO_USER, password=DEMO_PASSWORD)
    if DEMO_HOST not in {h.fqdn for h in await admin.hosts()} or not token_path.exists():
        if DEMO_HOST in {h.fqdn for h in await admin.hosts()}:
            _, token = await admin.create_token(host=DEMO_HOST, label="demo")
        else:
            _, token = await admin.add_host(DEMO_HOST, owner=DEMO_USER)
        fd = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
    token = token_path.read_text().strip()
    return DemoAccount(
        zone=DEMO_ZONE, user=DEMO_USER, password=DEMO_PASSWORD, host=DEMO_HOST, token=token
    )

"""The journal: how a committed change is written down so other processes can follow it.

Each write transaction appends one entry per touched zone. ``change`` entries
carry the RRsets in JSON (the IXFR diff, and the new state of each touched
RRset); ``zone`` entries say "reload this zone" (created, or its SOA edited);
``removed`` entries drop a zone. The ``origin`` tells a process its own
entries (already applied) from foreign ones (a management command, another node).
"""

from __future__ import annotations

import json
import os
import secrets
from enum import StrEnum

from homing.domain.records import RRset, ZoneChange


class JournalKind(StrEnum):
    CHANGE = "change"
    ZONE = "zone"
    REMOVED = "removed"


def new_origin(role: str) -> str:
    """A label unique to this process, stored with every journal entry it writes."""
    return f"{role}-{os.getpid()}-{secrets.token_hex(4)}"


def _pack(rrsets: tuple[RRset, ...]) -> list[list[object]]:
    return [[r.name, r.rtype, r.ttl, list(r.rdatas)] for r in rrsets]


def _unpack(items: object) -> tuple[RRset, ...]:
    if not isinstance(items, list):
        raise ValueError("journal payload: RRset list expected")
    result = []
    for item in items:
        name, rtype, ttl, rdatas = item
        result.append(RRset(str(name), str(rtype), int(ttl), tuple(str(r) for r in rdatas)))
    return tuple(result)


def encode_change(change: ZoneChange) -> str:
    return json.dumps(
        {
            "rrsets": _pack(change.rrsets),
            "removed": _pack(change.removed),
            "added": _pack(change.added),
        },
        separators=(",", ":"),
    )


def decode_change(*, zone: str, serial: int, payload: str) -> ZoneChange:
    data = json.loads(payload)
    return ZoneChange(
        zone=zone,
        serial=serial,
        rrsets=_unpack(data["rrsets"]),
        removed=_unpack(data["removed"]),
        added=_unpack(data["added"]),
    )

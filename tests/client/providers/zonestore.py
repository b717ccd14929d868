"""The records a provider stand-in keeps: zones and A/AAAA records in memory.

Every provider's stand-in (in its own test module) wraps one ``ZoneStore``
with that provider's paths and JSON shapes, so the shared contract tests
(``contract.py``) can put a record in and read it back whatever the API.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

_ids = itertools.count(1000)


@dataclass
class StoredRecord:
    """One record as the provider holds it; ``extra`` carries fields the client must keep."""

    id: str
    name: str  # fully qualified, no trailing dot
    type: str
    content: str
    ttl: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ZoneStore:
    """Zones (name → id) and their records."""

    zones: dict[str, str] = field(default_factory=lambda: {"example.net": "zone-1"})
    records: dict[str, StoredRecord] = field(default_factory=dict)

    def add(self, name: str, type_: str, content: str, ttl: int, **extra: Any) -> StoredRecord:
        record = StoredRecord(str(next(_ids)), name.lower(), type_, content, ttl, dict(extra))
        self.records[record.id] = record
        return record

    def find(self, name: str, type_: str | None = None) -> list[StoredRecord]:
        return [
            r
            for r in self.records.values()
            if r.name == name.lower() and (type_ is None or r.type == type_)
        ]

    def zone_named(self, zone_id: str) -> str | None:
        return next((n for n, i in self.zones.items() if i == zone_id), None)

    def absolute(self, relative: str, zone: str) -> str:
        """A name relative to ``zone`` (``""`` or ``@`` is the apex) made absolute."""
        return zone if relative in {"", "@"} else f"{relative}.{zone}".lower()

    def relative(self, name: str, zone: str) -> str:
        return "" if name == zone else name[: -len(zone) - 1]

    def view(self, name: str, type_: str) -> list[tuple[str, int]]:
        """(content, ttl) of ``name``'s records of ``type_``, sorted: what tests compare."""
        return sorted((r.content, r.ttl) for r in self.find(name, type_))

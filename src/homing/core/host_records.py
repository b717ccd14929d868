"""A host's records as the REST API edits them: whole RRsets at the host's name, via the writer.

Each change is an RFC 2136-style zone update handed to ``ChangeWriter``, so
it gets what every other change gets: one transaction with the serial bump,
the journal entry (IXFR, other nodes), the history row, the DNS view patch
and NOTIFY. Prerequisites carry the CNAME rule (RFC 1034 3.6.2: a CNAME
stands alone), so a race with another update is a conflict, never a silent
skip. A host with the wildcard flag gets its A/AAAA mirrored at ``*.host``,
as dyndns2's ``wildcard=ON`` does. Values are checked and normalised by
dnspython; TXT values are plain text here, quoted in presentation format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from homing.core.dynamic_update import ZoneUpdate
from homing.core.writer import ChangeWriter
from homing.domain.addresses import AddressPolicy, parse_address
from homing.domain.dnsupdate import UpdateRcode, UpdateRR
from homing.domain.edits import group_records, owned_names, txt_rdata, txt_value, valid_txt
from homing.domain.outcomes import FrontDoor
from homing.domain.records import RecordType, RRset
from homing.errors import (
    AddressError,
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    StoreError,
)
from homing.store.rows import HostRow
from homing.store.store import Store

MAX_VALUES = 20
ALL_TYPES = tuple(t.value for t in RecordType)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeSource:
    """Who changes the records, for the history: the credential, the caller's address, and the
    front door (the REST API, or the web UI, which edits records the same way)."""

    credential: str
    source: str | None
    front_door: FrontDoor = FrontDoor.API


def normalise_value(rtype: str, value: str, *, policy: AddressPolicy) -> str:
    """One value as presentation-format rdata, or InputError naming ``values``."""
    if rtype in {RecordType.A, RecordType.AAAA}:
        try:
            address = parse_address(value, policy=policy)
        except AddressError as exc:
            raise InputError(str(exc), field="values") from None
        if (address.version == 4) != (rtype == RecordType.A):
            raise InputError(f"{address} is not an {rtype} value", field="values")
        return str(address)
    if rtype == RecordType.TXT:
        if not valid_txt(value):
            raise InputError("a TXT value has 1 to 255 printable ASCII characters", field="values")
        return txt_rdata(value)
    try:
        rdata = dns.rdata.from_text(
            dns.rdataclass.IN,
            dns.rdatatype.from_text(rtype),
            value,
            origin=dns.name.root,
            relativize=False,
        )
    except (dns.exception.DNSException, ValueError, UnicodeError) as exc:
        raise InputError(
            f"not a valid {rtype} value {value[:60]!r}: {exc}", field="values"
        ) from None
    return rdata.to_text().lower()


def shown_value(rtype: str, rdata: str) -> str:
    """The inverse of ``normalise_value`` for the API's answers (TXT unquoted)."""
    return txt_value(rdata) if rtype == RecordType.TXT else rdata


class HostRecords:
    """Reads and replaces the RRsets of a host (see the module docstring)."""

    def __init__(self, *, store: Store, writer: ChangeWriter, policy: AddressPolicy) -> None:
        self._store = store
        self._writer = writer
        self._policy = policy

    async def rrsets(self, host: HostRow) -> list[RRset]:
        """Every RRset attached to the host (its name, ``*.`` and ``_acme-challenge.``)."""
        records = await self._store.host_records(host.id)
        grouped = group_records((r.name, r.rtype, r.ttl, r.rdata) for r in records)
        return [grouped[key] for key in sorted(grouped)]

    async def allowed_types(self, host: HostRow) -> tuple[str, ...]:
        zones = {z.id: z for z in await self._store.zones()}
        zone = zones.get(host.zone_id)
        return zone.record_types if zone is not None else ()

    async def replace(
        self,
        host: HostRow,
        rtype: str,
        values: Sequence[str],
        *,
        ttl: int | None,
        by: ChangeSource,
    ) -> RRset:
        """Make the host's ``rtype`` RRset exactly ``values`` (normalised); returns it."""
        await self._check_type(host, rtype)
        if not values:
            raise InputError("give at least one value (DELETE removes the RRset)", field="values")
        if len(values) > MAX_VALUES:
            raise InputError(f"at most {MAX_VALUES} values", field="values")
        if rtype == RecordType.CNAME and len(values) > 1:
            raise InputError("a CNAME has exactly one value", field="values")
        rdatas = tuple(
            dict.fromkeys(normalise_value(rtype, v, policy=self._policy) for v in values)
        )
        if rtype == RecordType.CNAME and rdatas[0].rstrip(".") == host.fqdn.rstrip("."):
            raise InputError("a CNAME cannot point at itself", field="values")
        used_ttl = host.ttl if ttl is None else ttl
        names = self._names(host, rtype)
        updates = [UpdateRR(n, rtype, "ANY", 0, None) for n in names]
        updates += [UpdateRR(n, rtype, "IN", used_ttl, r) for n in names for r in rdatas]
        await self._submit(host, self._prerequisites(host, rtype), updates, by)
        return RRset(host.fqdn, rtype, used_ttl, rdatas)

    async def delete(self, host: HostRow, rtype: str, *, by: ChangeSource) -> None:
        """Remove the host's ``rtype`` RRset (NotFoundError if it has none)."""
        await self._check_type(host, rtype, adding=False)
        current = await self._store.host_records(host.id)
        if not any(r.name == host.fqdn and r.rtype == rtype for r in current):
            raise NotFoundError(f"{host.fqdn} has no {rtype} records")
        updates = [UpdateRR(n, rtype, "ANY", 0, None) for n in self._names(host, rtype)]
        await self._submit(host, (), updates, by)

    async def retime(self, host: HostRow, ttl: int, *, by: ChangeSource) -> None:
        """Give every RRset of the host the TTL ``ttl`` (after the host's TTL changed)."""
        updates = [
            UpdateRR(rrset.name, rrset.rtype, "IN", ttl, rdata)
            for rrset in await self.rrsets(host)
            if rrset.ttl != ttl
            for rdata in rrset.rdatas
        ]
        if updates:
            await self._submit(host, (), updates, by)

    async def _check_type(self, host: HostRow, rtype: str, *, adding: bool = True) -> None:
        if rtype not in ALL_TYPES:
            raise InputError(f"unknown record type {rtype[:10]!r}", field="type")
        if adding and rtype not in await self.allowed_types(host):
            raise ForbiddenError(f"zone {host.zone} does not allow {rtype} records for hosts")

    @staticmethod
    def _names(host: HostRow, rtype: str) -> tuple[str, ...]:
        name, wildcard, _ = owned_names(host.fqdn)
        mirrored = host.wildcard and rtype in {RecordType.A, RecordType.AAAA}
        return (name, wildcard) if mirrored else (name,)

    @staticmethod
    def _prerequisites(host: HostRow, rtype: str) -> tuple[UpdateRR, ...]:
        """RFC 2136 2.4.3 "RRset does not exist" for whatever a CNAME cannot stand next to."""
        if rtype == RecordType.CNAME:
            others = [t for t in ALL_TYPES if t != RecordType.CNAME]
            return tuple(UpdateRR(host.fqdn, t, "NONE", 0, None) for t in others)
        return (UpdateRR(host.fqdn, RecordType.CNAME.value, "NONE", 0, None),)

    async def _submit(
        self,
        host: HostRow,
        prerequisites: Sequence[UpdateRR],
        updates: Sequence[UpdateRR],
        by: ChangeSource,
    ) -> None:
        plan = await self._writer.submit_zone_update(
            ZoneUpdate(
                zone=host.zone,
                prerequisites=prerequisites,
                updates=updates,
                credential=by.credential,
                source=by.source,
                front_door=by.front_door,
            )
        )
        if plan.rcode is UpdateRcode.YXRRSET:
            raise ConflictError(f"a CNAME cannot stand with other records at {host.fqdn}")
        if plan.rcode is UpdateRcode.NOTAUTH:
            raise NotFoundError(f"zone {host.zone} no longer exists")
        if plan.rcode is not UpdateRcode.NOERROR:
            raise StoreError(f"the change of {host.fqdn} was refused: {plan.rcode}")

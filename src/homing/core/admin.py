"""Management use cases (zones, users, hosts, tokens) as the CLI and the REST API call them.

Each use case is one write transaction on its ``WritePath``: the writer's
inside ``homing serve`` (so the change is in DNS when the call returns), one
of its own in the CLI. Whatever changes what DNS answers (a zone created or
removed, a host's records deleted) is appended to the journal in the same
transaction; the writer turns it into view events, and a running server
follows the CLI's entries within its journal poll interval.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from homing.core.credentials import hash_password, new_token, token_hash, token_prefix
from homing.core.following import CLI_CHANGE, catch_up, ipv6_columns
from homing.core.host_edits import UpdateMeta
from homing.core.journal import JournalKind, encode_change
from homing.core.write_path import DirectWrites, WritePath
from homing.core.zone_rows import DEFAULT_HOST_TTL as DEFAULT_HOST_TTL
from homing.core.zone_rows import check_zone_free, insert_zone
from homing.domain.edits import group_records
from homing.domain.host_settings import Ipv6SettingsChange
from homing.domain.names import is_subdomain, normalize_name
from homing.domain.records import RecordType, RRset, ZoneChange
from homing.errors import ConflictError, InputError, NotFoundError
from homing.store.rows import HistoryRow, HostRow, RecordRow, TokenRow, UserRow, ZoneRow
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MIN_TTL, MAX_TTL = 1, 86400
DEFAULT_SOA_TTL = 3600
MAX_NOTES_LENGTH = 1000
MAX_HOSTS_PER_CALL = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class NewHost:
    """One host to create: its name, owner, TTL and notes."""

    fqdn: str
    owner: str
    ttl: int = DEFAULT_HOST_TTL
    notes: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HostDetails:
    host: HostRow
    records: list[RecordRow]
    history: list[HistoryRow]
    followers: list[HostRow]


def email_to_rname(email: str) -> str:
    """``hostmaster@example.net`` → ``hostmaster.example.net.`` (dots in the local part escaped)."""
    local, sep, domain = email.partition("@")
    if not sep or not local or not domain:
        raise InputError(f"not an email address: {email!r}")
    if not re.fullmatch(r"[A-Za-z0-9._+-]{1,64}", local):
        raise InputError(f"unsupported characters in email address {email!r}")
    return local.replace(".", "\\.") + "." + normalize_name(domain)


def check_ttl(ttl: int) -> int:
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise InputError(f"TTL must be between {MIN_TTL} and {MAX_TTL} seconds, not {ttl}")
    return ttl


def check_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


class Admin:
    """The management use cases over one store; ``origin`` marks this process's journal entries.

    ``writes`` is where the transactions run (see the module docstring).
    """

    def __init__(self, *, store: Store, origin: str, writes: WritePath | None = None) -> None:
        self._store = store
        self._origin = origin
        self._writes = writes or DirectWrites(store)

    # -- zones ---------------------------------------------------------------------------

    async def add_zone(
        self,
        name: str,
        *,
        nameservers: list[str] | None = None,
        email: str | None = None,
        ttl: int = DEFAULT_SOA_TTL,
    ) -> ZoneRow:
        zone = normalize_name(name)
        ns = [normalize_name(n) for n in nameservers] if nameservers else [f"ns1.{zone}"]
        rname = email_to_rname(email) if email else f"hostmaster.{zone}"
        check_ttl(ttl)
        now = datetime.now(UTC)

        async def create(txn: WriteTransaction) -> ZoneRow | None:
            await check_zone_free(txn, zone)
            zone_id, serial = await insert_zone(
                txn, zone=zone, nameservers=ns, rname=rname, soa_ttl=ttl, now=now
            )
            await self._journal(txn, zone_id, zone, serial, JournalKind.ZONE, "", now)
            return await txn.zone(zone)

        row = await self._writes.transaction(create)
        assert row is not None
        return row

    async def remove_zone(self, name: str, *, force: bool = False) -> None:
        zone = normalize_name(name)
        now = datetime.now(UTC)

        async def remove(txn: WriteTransaction) -> None:
            row = await txn.zone(zone)
            if row is None:
                raise NotFoundError(f"no zone {zone}")
            hosts = await txn.hosts(zone_id=row.id)
            if hosts and not force:
                raise ConflictError(
                    f"zone {zone} still has {len(hosts)} host(s); remove them or use --force"
                )
            # Journal first: deleting the zone cascades to its journal rows, and SQLite would
            # hand the freed highest id to the next insert, which a follower has already seen.
            await self._journal(txn, None, zone, row.serial, JournalKind.REMOVED, "", now)
            await txn.delete_row("zones", row.id)

        await self._writes.transaction(remove)

    async def zones(self) -> list[ZoneRow]:
        return await self._store.zones()

    async def set_record_types(self, name: str, types: list[str]) -> ZoneRow:
        """Which record types owners may set on their hosts in this zone (A, AAAA, TXT always)."""
        zone = normalize_name(name)
        allowed = {t.value for t in RecordType}
        chosen = ["A", "AAAA", "TXT"]
        for text in types:
            rtype = text.strip().upper()
            if rtype not in allowed:
                raise InputError(f"unknown record type {text[:10]!r}", field="record_types")
            if rtype not in chosen:
                chosen.append(rtype)

        async def choose(txn: WriteTransaction) -> ZoneRow | None:
            row = await txn.zone(zone)
            if row is None:
                raise NotFoundError(f"no zone {zone}")
            await txn.update_row("zones", row.id, record_types=" ".join(chosen))
            return await txn.zone(zone)

        updated = await self._writes.transaction(choose)
        assert updated is not None
        return updated

    # -- users ---------------------------------------------------------------------------

    async def add_user(self, name: str, *, password: str | None, admin: bool = False) -> UserRow:
        if not USER_NAME.fullmatch(name):
            raise InputError(
                f"invalid user name {name!r}: 1-64 letters, digits or . _ @ + - "
                "(starting with a letter or digit)"
            )
        hashed = hash_password(check_password(password)) if password is not None else None

        async def create(txn: WriteTransaction) -> None:
            if await self._store.find_user(name) is not None:
                raise ConflictError(f"user {name} already exists")
            await txn.insert(
                "users",
                name=name,
                password_hash=hashed,
                is_admin=admin,
                created_at=datetime.now(UTC),
            )

        await self._writes.transaction(create)
        user = await self._store.find_user(name)
        assert user is not None
        return user

    async def set_password(self, name: str, password: str) -> None:
        hashed = hash_password(check_password(password))

        async def change(txn: WriteTransaction) -> None:
            user = await self._store.find_user(name)
            if user is None:
                raise NotFoundError(f"no user {name}")
            await txn.update_row("users", user.id, password_hash=hashed)

        await self._writes.transaction(change)

    async def set_first_password(self, name: str, password: str) -> None:
        """Set the password of an account that has none yet (an invitation being accepted).

        Checked inside the write transaction, which holds the write lock, so
        two submissions of one invitation cannot both set a password.
        """
        hashed = hash_password(check_password(password))

        async def first(txn: WriteTransaction) -> None:
            user = await self._store.find_user(name)
            if user is None:
                raise NotFoundError(f"no user {name}")
            if user.password_hash is not None:
                raise ConflictError(f"user {name} has chosen a password already")
            await txn.update_row("users", user.id, password_hash=hashed)

        await self._writes.transaction(first)

    async def remove_user(self, name: str) -> int:
        """Remove the user, their hosts (and those hosts' records) and tokens; returns #hosts."""
        user = await self._store.find_user(name)
        if user is None:
            raise NotFoundError(f"no user {name}")
        now = datetime.now(UTC)

        async def remove(txn: WriteTransaction) -> int:
            hosts = await txn.hosts(owner_id=user.id)
            for host in hosts:
                await self._delete_host(txn, host, now)
            await txn.delete_row("users", user.id)
            return len(hosts)

        return await self._writes.transaction(remove)

    async def users(self) -> list[UserRow]:
        return await self._store.users()

    # -- hosts ---------------------------------------------------------------------------

    async def add_host(
        self, fqdn: str, *, owner: str, ttl: int = DEFAULT_HOST_TTL
    ) -> tuple[HostRow, str]:
        """Create a host and its first update token; the token is returned once, never stored."""
        [added] = await self.create_hosts([NewHost(fqdn=fqdn, owner=owner, ttl=ttl)])
        return added

    async def add_hosts(
        self, fqdns: Sequence[str], *, owner: str, ttl: int = DEFAULT_HOST_TTL
    ) -> list[tuple[HostRow, str]]:
        """Several hosts of one owner with one TTL (``homing host add a b c``): all or none."""
        return await self.create_hosts([NewHost(fqdn=f, owner=owner, ttl=ttl) for f in fqdns])

    async def create_hosts(self, wanted: Sequence[NewHost]) -> list[tuple[HostRow, str]]:
        """Create hosts, each with its first token, in one transaction: all or none."""
        if not wanted:
            raise InputError("give at least one host name")
        if len(wanted) > MAX_HOSTS_PER_CALL:
            raise InputError(f"at most {MAX_HOSTS_PER_CALL} hosts at once (zone import: more)")
        names = [normalize_name(spec.fqdn) for spec in wanted]
        seen: set[str] = set()
        for name, spec in zip(names, wanted, strict=True):
            check_ttl(spec.ttl)
            if len(spec.notes) > MAX_NOTES_LENGTH:
                raise InputError(f"notes have at most {MAX_NOTES_LENGTH} characters")
            if name.startswith("*.") or name.split(".", 1)[0] == "_acme-challenge":
                raise InputError(f"{name} is reserved; name the host itself")
            if name in seen:
                raise InputError(f"{name} is given twice")
            seen.add(name)
        tokens = [new_token() for _ in names]
        now = datetime.now(UTC)

        async def create(txn: WriteTransaction) -> dict[str, HostRow]:
            owners: dict[str, UserRow] = {}
            for spec in wanted:
                if spec.owner not in owners:
                    user = await self._store.find_user(spec.owner)
                    if user is None:
                        raise NotFoundError(f"no user {spec.owner}")
                    owners[spec.owner] = user
            for name, spec, token in zip(names, wanted, tokens, strict=True):
                user = owners[spec.owner]
                zone = await self._zone_for(txn, name)
                if name == zone.name:
                    raise InputError(f"{name} is the zone apex; a host must be below it")
                if await txn.host(name) is not None:
                    raise ConflictError(f"host {name} already exists")
                if await txn.acme_account(name) is not None:
                    # Its owner could otherwise overwrite that account's challenge by DuckDNS txt=.
                    raise ConflictError(f"{name} is an acme-dns challenge name")
                host_id = await txn.insert(
                    "hosts",
                    zone_id=zone.id,
                    owner_id=user.id,
                    fqdn=name,
                    ttl=spec.ttl,
                    wildcard=False,
                    offline=False,
                    created_at=now,
                    nochg_count=0,
                    notes=spec.notes,
                )
                await self._insert_token(
                    txn, token, user_id=user.id, host_id=host_id, label="initial"
                )
            return await txn.hosts_named(names)

        hosts = await self._writes.transaction(create)
        return [(hosts[name], token) for name, token in zip(names, tokens, strict=True)]

    async def remove_host(self, fqdn: str) -> None:
        name = normalize_name(fqdn)

        async def remove(txn: WriteTransaction) -> None:
            host = await txn.host(name)
            if host is None:
                raise NotFoundError(f"no host {name}")
            await self._delete_host(txn, host, datetime.now(UTC))

        await self._writes.transaction(remove)

    async def update_host(
        self,
        fqdn: str,
        *,
        ttl: int | None = None,
        notes: str | None = None,
        ipv6: Ipv6SettingsChange | None = None,
        by: UpdateMeta = CLI_CHANGE,
    ) -> HostRow:
        """Change a host's TTL (for its future records), notes and IPv6 settings.

        The records follow a new TTL via ``HostRecords.retime``, through the
        writer. A host that now follows another takes its leader's addresses
        in this same transaction (``core.following``).
        """
        name = normalize_name(fqdn)
        values: dict[str, object] = {}
        if ttl is not None:
            values["ttl"] = check_ttl(ttl)
        if notes is not None:
            if len(notes) > MAX_NOTES_LENGTH:
                raise InputError(f"notes have at most {MAX_NOTES_LENGTH} characters")
            values["notes"] = notes

        async def change(txn: WriteTransaction) -> HostRow | None:
            host = await txn.host(name)
            if host is None:
                raise NotFoundError(f"no host {name}")
            if ipv6 is not None:
                values.update(await ipv6_columns(txn, host, ipv6))
            if values:
                await txn.update_row("hosts", host.id, **values)
            updated = await txn.host(name)
            if ipv6 is not None and updated is not None:
                await catch_up(txn, updated, by=by, origin=self._origin)
            return updated

        updated = await self._writes.transaction(change)
        assert updated is not None
        return updated

    async def hosts(self, *, owner: str | None = None) -> list[HostRow]:
        if owner is None:
            return await self._store.hosts()
        user = await self._store.find_user(owner)
        if user is None:
            raise NotFoundError(f"no user {owner}")
        return await self._store.hosts(owner_id=user.id)

    async def show_host(self, fqdn: str, *, history: int = 10) -> HostDetails:
        name = normalize_name(fqdn)
        host = await self._store.find_host(name)
        if host is None:
            raise NotFoundError(f"no host {name}")
        return HostDetails(
            host=host,
            records=await self._store.host_records(host.id),
            history=await self._store.history(host_id=host.id, limit=history),
            followers=await self.followers(name),
        )

    # -- tokens --------------------------------------------------------------------------

    async def create_token(
        self, *, host: str | None = None, user: str | None = None, label: str = ""
    ) -> tuple[TokenRow, str]:
        """A new token for one host, or for all hosts of an account; returned once."""
        if (host is None) == (user is None):
            raise InputError("give exactly one of --host or --user")
        if len(label) > 100:
            raise InputError("a token label has at most 100 characters")
        token = new_token()

        async def create(txn: WriteTransaction) -> None:
            if host is not None:
                row = await txn.host(normalize_name(host))
                if row is None:
                    raise NotFoundError(f"no host {normalize_name(host)}")
                user_id, host_id = row.owner_id, row.id
            else:
                assert user is not None
                account = await self._store.find_user(user)
                if account is None:
                    raise NotFoundError(f"no user {user}")
                user_id, host_id = account.id, None
            await self._insert_token(txn, token, user_id=user_id, host_id=host_id, label=label)

        await self._writes.transaction(create)
        found = await self._store.find_token(token_hash(token))
        assert found is not None
        return found, token

    async def tokens(self, *, host: str | None = None) -> list[TokenRow]:
        if host is None:
            return await self._store.tokens()
        row = await self._store.find_host(normalize_name(host))
        if row is None:
            raise NotFoundError(f"no host {normalize_name(host)}")
        return await self._store.tokens(host_id=row.id)

    async def revoke_token(self, token_id: int) -> None:
        async def revoke(txn: WriteTransaction) -> None:
            if not await txn.update_row("tokens", token_id, revoked_at=datetime.now(UTC)):
                raise NotFoundError(f"no token {token_id}")

        await self._writes.transaction(revoke)

    async def followers(self, fqdn: str) -> list[HostRow]:
        """The hosts that follow ``fqdn``'s IPv6 prefix (same owner only)."""
        host = await self._store.find_host(normalize_name(fqdn))
        if host is None:
            raise NotFoundError(f"no host {normalize_name(fqdn)}")
        async with self._store.read() as txn:
            return (await txn.followers_of([host])).get(host.id, [])

    # -- helpers -------------------------------------------------------------------------

    async def _zone_for(self, txn: WriteTransaction, name: str) -> ZoneRow:
        best: str | None = None
        for zone in await txn.zone_names():
            if is_subdomain(name, zone) and (best is None or len(zone) > len(best)):
                best = zone
        if best is None:
            raise NotFoundError(f"{name} is in none of our zones (add one with `homing zone add`)")
        zone_row = await txn.zone(best)
        assert zone_row is not None
        return zone_row

    async def _insert_token(
        self, txn: WriteTransaction, token: str, *, user_id: int, host_id: int | None, label: str
    ) -> None:
        await txn.insert(
            "tokens",
            token_hash=token_hash(token),
            prefix=token_prefix(token),
            user_id=user_id,
            host_id=host_id,
            label=label,
            created_at=datetime.now(UTC),
        )

    async def _delete_host(self, txn: WriteTransaction, host: HostRow, now: datetime) -> None:
        """Delete a host; its records leave DNS through a journaled change."""
        records = (await txn.records_for_hosts([host.id])).get(host.id, [])
        await txn.delete_row("hosts", host.id)
        if not records:
            return
        old = group_records((r.name, r.rtype, r.ttl, r.rdata) for r in records)
        serial = await txn.bump_serial(host.zone_id)
        change = ZoneChange(
            zone=host.zone,
            serial=serial,
            rrsets=tuple(RRset(name, rtype, 0, ()) for name, rtype in old),
            removed=tuple(old.values()),
        )
        await self._journal(
            txn, host.zone_id, host.zone, serial, JournalKind.CHANGE, encode_change(change), now
        )

    async def _journal(
        self,
        txn: WriteTransaction,
        zone_id: int | None,
        zone: str,
        serial: int,
        kind: JournalKind,
        payload: str,
        now: datetime,
    ) -> None:
        await txn.append_journal(
            zone_id=zone_id,
            zone=zone,
            serial=serial,
            kind=kind.value,
            origin=self._origin,
            payload=payload,
            at=now,
        )

"""Management of hosts and their update tokens: create, change, remove, show, list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from homing.core.admin_base import AdminBase, check_ttl
from homing.core.credentials import new_token, token_hash
from homing.core.following import CLI_CHANGE, catch_up, ipv6_columns
from homing.core.host_edits import UpdateMeta
from homing.core.zone_rows import DEFAULT_HOST_TTL
from homing.domain.host_settings import Ipv6SettingsChange
from homing.domain.names import normalize_name
from homing.errors import ConflictError, InputError, NotFoundError
from homing.store.rows import HistoryRow, HostRow, RecordRow, TokenRow, UserRow
from homing.store.transaction import WriteTransaction

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


class HostAdmin(AdminBase):
    """The host and token use cases of ``Admin``."""

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

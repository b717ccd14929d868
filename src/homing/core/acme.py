"""acme-dns accounts and their challenge updates (the joohoi/acme-dns v1 API, as a use case).

An account owns one name, ``<subdomain>.<zone>``, where it may publish DNS-01
TXT values; users point ``_acme-challenge.<their name>`` at it with a CNAME.
The account's key is 40 characters of ``secrets.token_urlsafe`` (240 random
bits) and is stored only as its SHA-256, like update tokens: acme-dns uses
bcrypt because it treats the key like a password, but a key nobody chose
cannot be guessed or looked up in a dictionary, so a slow hash would add
nothing except tens of milliseconds of CPU to every update. A TXT update is
an RFC 2136 change handed to the writer, so it gets the serial bump, the
journal entry (IXFR, NOTIFY), the history row and the DNS view update of
every other change; registering only adds an account row and changes no DNS
data, so it is one transaction of its own, like the management commands.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from homing.core.brake import Brake, CredentialKind
from homing.core.credentials import redact_login, token_hash
from homing.core.dynamic_update import ZoneUpdate, apply_zone_update
from homing.core.refusals import Refusals
from homing.core.write_path import DirectWrites, WritePath
from homing.core.writer import ChangeWriter
from homing.domain.acme import (
    allowed_from,
    parse_allowfrom,
    txt_change,
    valid_subdomain,
    valid_txt,
)
from homing.domain.dnsupdate import UpdateRcode, UpdateRR
from homing.domain.names import normalize_name
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.errors import ConfigError, InputError, NotFoundError, StoreError
from homing.store.rows import AcmeAccountRow, NewHistory, ZoneRow
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

log = logging.getLogger(__name__)

KEY_BYTES = 30
"""30 random bytes are 40 base64url characters: the key length acme-dns hands out."""
MAX_LOGIN_LENGTH = 64
MAX_KEY_LENGTH = 1024
UPDATE_ATTEMPTS = 5
NAME_ATTEMPTS = 5
_NO_ACCOUNT_HASH = token_hash("no such account")


class AcmeOutcome(StrEnum):
    """The result of ``POST /update``, named by acme-dns's error codes."""

    OK = "ok"
    FORBIDDEN = "forbidden"
    BAD_SUBDOMAIN = "bad_subdomain"
    BAD_TXT = "bad_txt"
    DB_ERROR = "db_error"


@dataclass(frozen=True, slots=True, kw_only=True)
class AcmeCredentials:
    """A new account as ``/register`` answers it; the key is shown this once."""

    username: str
    password: str
    fulldomain: str
    subdomain: str
    allowfrom: tuple[str, ...]


class AcmeAccounts:
    """Registering, listing and removing accounts (HTTP ``/register`` and ``homing acme``).

    ``writes``: the writer inside ``homing serve``, a transaction of its own in the CLI.
    """

    def __init__(
        self, *, store: Store, origin: str, zone: str | None, writes: WritePath | None = None
    ) -> None:
        self._store = store
        self._origin = origin
        self._zone = zone
        self._writes = writes or DirectWrites(store)

    async def zone(self) -> str:
        """The zone accounts are created in: the configured one, else the only zone.

        Raises ``ConfigError`` naming the setting when there is none to take (an
        operator's mistake, not the caller's).
        """
        if self._zone:
            return normalize_name(self._zone)
        zones = await self._store.zones()
        if len(zones) != 1:
            found = f"{len(zones)} zones exist" if zones else "no zone exists"
            raise ConfigError(
                f"setting acme_zone: {found}; set acme_zone (or default_zone) to the zone "
                "that holds acme-dns challenge names"
            )
        return zones[0].name

    async def register(
        self,
        *,
        allowfrom: object = None,
        source: str | None,
        front_door: FrontDoor,
        registered_by: str | None = None,
    ) -> AcmeCredentials:
        """Create an account; ``allowfrom`` as the JSON body gave it (InputError if malformed)."""
        try:
            networks = parse_allowfrom(allowfrom)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        zone_name = await self.zone()
        username, password = str(uuid.uuid4()), secrets.token_urlsafe(KEY_BYTES)
        now = datetime.now(UTC)

        async def create(txn: WriteTransaction) -> tuple[str, str]:
            zone = await txn.zone(zone_name)
            if zone is None:
                raise ConfigError(f"setting acme_zone: zone {zone_name} does not exist")
            subdomain, fqdn = await self._free_name(txn, zone)
            await txn.insert(
                "acme_accounts",
                username=username,
                key_hash=token_hash(password),
                zone_id=zone.id,
                fqdn=fqdn,
                allowfrom=" ".join(networks),
                created_at=now,
                created_from=source,
            )
            await txn.add_history(
                [
                    NewHistory(
                        at=now,
                        host_id=None,
                        fqdn=fqdn,
                        outcome=UpdateOutcome.GOOD.value,
                        front_door=front_door.value,
                        credential=registered_by or "open registration",
                        source=source,
                        detail=f"acme-dns account {username} registered",
                    )
                ]
            )
            return subdomain, fqdn

        subdomain, fqdn = await self._writes.transaction(create)
        return AcmeCredentials(
            username=username,
            password=password,
            fulldomain=fqdn.rstrip("."),
            subdomain=subdomain,
            allowfrom=networks,
        )

    async def accounts(self) -> list[AcmeAccountRow]:
        return await self._store.acme_accounts()

    async def remove(self, username: str) -> AcmeAccountRow:
        """Delete the account and its TXT values (journaled, so a running server follows)."""
        account = await self._store.find_acme_account(username)
        if account is None:
            raise NotFoundError(f"no acme-dns account {username}")
        now = datetime.now(UTC)

        async def remove(txn: WriteTransaction) -> None:
            await txn.delete_row("acme_accounts", account.id)
            await apply_zone_update(
                txn,
                ZoneUpdate(
                    zone=account.zone,
                    prerequisites=(),
                    updates=(UpdateRR(account.fqdn, "TXT", "ANY", 0, None),),
                    credential=f"acmedns-remove:{username}",
                    source=None,
                    front_door=FrontDoor.CLI,
                ),
                origin=self._origin,
                at=now,
            )

        await self._writes.transaction(remove)
        return account

    @staticmethod
    async def _free_name(txn: WriteTransaction, zone: ZoneRow) -> tuple[str, str]:
        """A fresh UUID label whose name holds no host, account or record yet."""
        for _ in range(NAME_ATTEMPTS):
            subdomain = str(uuid.uuid4())
            fqdn = f"{subdomain}.{zone.name}"
            taken = (
                await txn.host(fqdn) is not None
                or await txn.acme_account(fqdn) is not None
                or await txn.records_named(zone.id, [fqdn])
            )
            if not taken:
                return subdomain, fqdn
        raise StoreError("no free acme-dns name found")


class AcmeUpdates:
    """``POST /update``: the account's credentials, its networks, then the TXT change."""

    def __init__(
        self,
        *,
        store: Store,
        writer: ChangeWriter,
        brake: Brake,
        refusals: Refusals,
    ) -> None:
        self._store = store
        self._writer = writer
        self._brake = brake
        self._refusals = refusals

    async def update(
        self,
        *,
        username: str,
        key: str,
        subdomain: str | None,
        txt: str | None,
        source: str | None,
    ) -> AcmeOutcome:
        """Set ``txt`` as the account's newest value; OK only once committed and served."""
        account = await self._authenticate(username, key, source)
        if account is None:
            return AcmeOutcome.FORBIDDEN
        if not allowed_from(source, account.allowfrom):
            self._refuse(account.fqdn, username, source, "address not in the account's allowfrom")
            return AcmeOutcome.FORBIDDEN
        if not valid_subdomain(subdomain):
            return AcmeOutcome.BAD_SUBDOMAIN
        if f"{subdomain}.{account.zone}".lower() != account.fqdn:
            self._refuse(account.fqdn, username, source, "subdomain of another account")
            return AcmeOutcome.FORBIDDEN
        if txt is None or not valid_txt(txt):
            return AcmeOutcome.BAD_TXT
        try:
            return await self._apply(account, txt, source)
        except StoreError:
            log.exception("acme-dns update of %s could not be stored", account.fqdn)
            return AcmeOutcome.DB_ERROR

    async def _apply(self, account: AcmeAccountRow, txt: str, source: str | None) -> AcmeOutcome:
        for _ in range(UPDATE_ATTEMPTS):
            async with self._store.read() as txn:
                rows = await txn.records_named(account.zone_id, [account.fqdn])
            current = [r.rdata for r in rows if r.rtype == "TXT"]
            change = txt_change(account.fqdn, current, txt)
            if change is None:
                return AcmeOutcome.OK
            plan = await self._writer.submit_zone_update(
                ZoneUpdate(
                    zone=account.zone,
                    prerequisites=change.prerequisites,
                    updates=change.updates,
                    credential=f"acmedns:{account.username}",
                    source=source,
                    front_door=FrontDoor.ACMEDNS,
                )
            )
            if plan.rcode is UpdateRcode.NOERROR:
                return AcmeOutcome.OK
            if plan.rcode not in {UpdateRcode.NXRRSET, UpdateRcode.YXRRSET}:
                log.error("acme-dns update of %s answered %s", account.fqdn, plan.rcode)
                return AcmeOutcome.DB_ERROR
            # Another update of this name came in between the read and the write: read again.
        log.error("acme-dns update of %s kept racing other updates", account.fqdn)
        return AcmeOutcome.DB_ERROR

    async def _authenticate(
        self, username: str, key: str, source: str | None
    ) -> AcmeAccountRow | None:
        # The key is 40 random characters: a token to the brake, limited per source only.
        with self._brake.reserve(source=source, login=None, kind=CredentialKind.TOKEN) as ticket:
            if ticket.refused is not None:
                self._refuse(None, username, source, ticket.refused.value)
                return None
            account = None
            if 0 < len(username) <= MAX_LOGIN_LENGTH and 0 < len(key) <= MAX_KEY_LENGTH:
                account = await self._store.find_acme_account(username)
            stored = account.key_hash if account is not None else _NO_ACCOUNT_HASH
            if account is not None and hmac.compare_digest(token_hash(key), stored):
                ticket.succeeded()
                return account
            self._refuse(None, username, source, "wrong acme-dns user or key")
            delay = ticket.failed()
        if delay:
            await asyncio.sleep(delay)
        return None

    def _refuse(self, fqdn: str | None, username: str, source: str | None, why: str) -> None:
        login = redact_login(username[:MAX_LOGIN_LENGTH])
        self._refusals.record(
            front_door=FrontDoor.ACMEDNS,
            source=source,
            detail=why,
            fqdn=fqdn,
            credential=f"acmedns:{login}"[:100],
            login=login,
        )

"""REST API tokens: created per user with a name, an optional expiry and scope; shown once.

Like update tokens (``core/credentials.py``) they carry 192 random bits and
are stored only as their SHA-256, so finding one is one indexed lookup. The
``hm_api_`` prefix makes a leaked token recognisable (secret scanners, logs).
The scope narrows what the token's owner could do anyway: read-only, certain
hosts, certain record types (deSEC's token policies, in small). Failed bearer
authentications go through the one brake of every front door (``core/brake.py``):
counted per source address, slowed, then locked out, and written to the history.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from homing.core.brake import Brake, CredentialKind
from homing.core.credentials import token_hash
from homing.core.refusals import Refusals
from homing.core.write_path import DirectWrites, WritePath
from homing.domain.names import normalize_name
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.domain.records import RecordType
from homing.errors import ForbiddenError, InputError, NameError_, NotFoundError
from homing.store.rows import ApiTokenRow, HostRow
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

log = logging.getLogger(__name__)

API_TOKEN_PREFIX = "hm_api_"  # noqa: S105 - a public marker, not a secret
API_TOKEN_BYTES = 24
MAX_TOKEN_NAME = 100
MAX_SCOPE_HOSTS = 100
MAX_SECRET_LENGTH = 256
MAX_LIFETIME = timedelta(days=3650)
_LIFETIME = re.compile(r"([1-9][0-9]{0,5})([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SUMMARY_PART = re.compile(r"([A-Z][A-Z0-9]*)=")
_FLAGS = frozenset({"offline", "-"})


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(API_TOKEN_BYTES)


def parse_lifetime(text: str) -> timedelta:
    """``90s``, ``15m``, ``12h``, ``30d``, ``2w`` → a timedelta (at most ten years)."""
    match = _LIFETIME.fullmatch(text.strip().lower())
    if match is None:
        raise InputError(
            f"not a lifetime: {text[:20]!r} (a number and s, m, h, d or w, e.g. 30d)",
            field="expires_in",
        )
    lifetime = timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    if lifetime > MAX_LIFETIME:
        raise InputError("a token lives at most 3650 days", field="expires_in")
    return lifetime


def utc(value: datetime) -> datetime:
    """Store timestamps come back naive (SQLite); they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class AuthFailure(StrEnum):
    """Why a bearer token was refused (each maps to one API error code)."""

    MISSING = "missing_token"
    INVALID = "invalid_token"
    EXPIRED = "token_expired"
    LOCKED_OUT = "too_many_attempts"


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenScope:
    """What a token may do beyond its owner's rights: empty tuples mean "all"."""

    read_only: bool = False
    hosts: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    @property
    def narrowed(self) -> bool:
        return bool(self.hosts or self.types)

    def visible_values(self, summary: str | None) -> str | None:
        """A history value (``A=192.0.2.1 TXT="a b" offline``) cut to the token's types.

        A TXT-only token must not read addresses through the history any more
        than through the records (issue 11).
        """
        if summary is None or not self.types:
            return summary
        kept = [
            part
            for part in _summary_parts(summary)
            if (match := _SUMMARY_PART.match(part)) is None or match.group(1) in self.types
        ]
        return " ".join(kept) or "-"


def _summary_parts(summary: str) -> list[str]:
    """``TYPE=values`` parts and flags (``offline``) of a history value; spaces inside quotes
    (TXT) and inside a value (``MX=10 mx.example.``) do not start a part."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in summary + " ":
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == " " and not quoted:
            word = "".join(current)
            current = []
            value_goes_on = word not in _FLAGS and not _SUMMARY_PART.match(word)
            if parts and word and value_goes_on and "=" in parts[-1]:
                parts[-1] += " " + word  # the rest of a value with spaces
            elif word:
                parts.append(word)
            continue
        current.append(ch)
    return parts


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiPrincipal:
    """The caller of an API request: a user, through one token with its scope."""

    user_id: int
    user: str
    is_admin: bool
    token_id: int
    scope: TokenScope
    expires_at: datetime | None = None
    """The token's end: tokens it creates end no later (issue 11)."""

    @property
    def credential(self) -> str:
        return f"api#{self.token_id}"

    def sees(self, host: HostRow) -> bool:
        """May read the host: owner (or admin), and the host is in the token's scope."""
        owned = self.is_admin or host.owner_id == self.user_id
        return owned and (not self.scope.hosts or host.fqdn in self.scope.hosts)

    def allows_type(self, rtype: str) -> bool:
        return not self.scope.types or rtype in self.scope.types

    def require_write(self) -> None:
        if self.scope.read_only:
            raise ForbiddenError("this token is read-only")

    def require_full(self, what: str) -> None:
        """Writable and not narrowed to hosts or types: for acts that reach beyond a scope."""
        self.require_write()
        if self.scope.narrowed:
            raise ForbiddenError(f"a token scoped to hosts or record types cannot {what}")

    def require_admin(self, *, write: bool) -> None:
        if not self.is_admin:
            raise ForbiddenError("only administrators may do this")
        if self.scope.narrowed:
            raise ForbiddenError("a scoped token cannot use the administrators' endpoints")
        if write:
            self.require_write()


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiAuthentication:
    principal: ApiPrincipal | None = None
    failure: AuthFailure | None = None


def _types(texts: Sequence[str]) -> tuple[str, ...]:
    known = {t.value for t in RecordType}
    found: list[str] = []
    for text in texts:
        rtype = text.strip().upper()
        if rtype not in known:
            raise InputError(
                f"unknown record type {text[:10]!r} (use {', '.join(sorted(known))})",
                field="types",
            )
        if rtype not in found:
            found.append(rtype)
    return tuple(found)


class ApiTokens:
    """Creating, listing and revoking API tokens (``homing apitoken`` and ``/api/v1/me/tokens``).

    ``writes``: the writer inside ``homing serve``, a transaction of its own in the CLI.
    """

    def __init__(self, *, store: Store, writes: WritePath | None = None) -> None:
        self._store = store
        self._writes = writes or DirectWrites(store)

    async def create(
        self,
        *,
        user: str,
        name: str,
        lifetime: timedelta | None = None,
        scope: TokenScope = TokenScope(),
        not_after: datetime | None = None,
    ) -> tuple[ApiTokenRow, str]:
        """A new token for ``user``; the secret is returned this once and never stored.

        ``not_after`` is the end of the token creating this one: the new token ends
        then at the latest (no lifetime given: exactly then; a longer one: refused).
        """
        label = name.strip()
        if not 0 < len(label) <= MAX_TOKEN_NAME or not label.isprintable():
            raise InputError(
                f"a token name has 1 to {MAX_TOKEN_NAME} printable characters", field="name"
            )
        if len(scope.hosts) > MAX_SCOPE_HOSTS:
            raise InputError(f"at most {MAX_SCOPE_HOSTS} hosts in a scope", field="hosts")
        account = await self._store.find_user(user)
        if account is None:
            raise NotFoundError(f"no user {user}")
        hosts = await self._scope_hosts(scope.hosts, owner_id=account.id, admin=account.is_admin)
        secret = new_api_token()
        now = datetime.now(UTC)
        expires_at = now + lifetime if lifetime is not None else None
        if not_after is not None:
            if expires_at is not None and expires_at > not_after:
                raise InputError(
                    "a token cannot outlive the token creating it (that one expires "
                    f"{not_after:%Y-%m-%d %H:%M:%S} UTC)",
                    field="expires_in",
                )
            expires_at = expires_at or not_after

        async def create(txn: WriteTransaction) -> None:
            await txn.insert(
                "api_tokens",
                token_hash=token_hash(secret),
                prefix=secret[: len(API_TOKEN_PREFIX) + 4],
                user_id=account.id,
                name=label,
                read_only=scope.read_only,
                hosts=" ".join(hosts),
                types=" ".join(_types(scope.types)),
                created_at=now,
                expires_at=expires_at,
            )

        await self._writes.transaction(create)
        row = await self._store.find_api_token(token_hash(secret))
        assert row is not None
        return row, secret

    async def tokens(self, *, user_id: int | None = None) -> list[ApiTokenRow]:
        return await self._store.api_tokens(user_id=user_id)

    async def revoke(self, token_id: int, *, user_id: int | None = None) -> ApiTokenRow:
        """Revoke a token (of ``user_id`` only, when given); revoking twice is harmless."""
        mine = await self._store.api_tokens(user_id=user_id)
        found = next((row for row in mine if row.id == token_id), None)
        if found is None:
            raise NotFoundError(f"no API token {token_id}")
        if found.revoked_at is None:

            async def revoke(txn: WriteTransaction) -> None:
                await txn.update_row("api_tokens", token_id, revoked_at=datetime.now(UTC))

            await self._writes.transaction(revoke)
        return found

    async def _scope_hosts(
        self, names: Sequence[str], *, owner_id: int, admin: bool
    ) -> tuple[str, ...]:
        found: list[str] = []
        for raw in names:
            try:
                fqdn = normalize_name(raw)
            except NameError_ as exc:
                raise InputError(f"host {raw[:80]!r}: {exc}", field="hosts") from None
            host = await self._store.find_host(fqdn)
            if host is None or not (admin or host.owner_id == owner_id):
                raise InputError(f"no host {fqdn} of this user", field="hosts")
            if fqdn not in found:
                found.append(fqdn)
        return tuple(found)


class BearerAuth:
    """Checks bearer tokens, through the one brake, with refusals in the history."""

    def __init__(self, *, store: Store, brake: Brake, refusals: Refusals) -> None:
        self._store = store
        self._brake = brake
        self._refusals = refusals

    async def authenticate(self, secret: str | None, *, source: str | None) -> ApiAuthentication:
        """The principal behind a bearer token, or why there is none."""
        if secret is None and not self._brake.source_locked(source):
            return ApiAuthentication(failure=AuthFailure.MISSING)
        with self._brake.reserve(source=source, login=None, kind=CredentialKind.TOKEN) as ticket:
            if ticket.refused is not None:
                self._refuse(source, ticket.refused.value, UpdateOutcome.ABUSE)
                return ApiAuthentication(failure=AuthFailure.LOCKED_OUT)
            row = None
            if secret is not None and 0 < len(secret) <= MAX_SECRET_LENGTH:
                row = await self._store.find_api_token(token_hash(secret))
            failure: AuthFailure | None = None
            if row is None or row.revoked_at is not None:
                failure = AuthFailure.INVALID
            elif row.expires_at is not None and utc(row.expires_at) <= datetime.now(UTC):
                failure = AuthFailure.EXPIRED
            if failure is not None or row is None:
                detail = "expired API token" if failure is AuthFailure.EXPIRED else "bad API token"
                self._refuse(source, detail, UpdateOutcome.BADAUTH)
                delay = ticket.failed()
                if delay:
                    await asyncio.sleep(delay)
                return ApiAuthentication(failure=failure or AuthFailure.INVALID)
            ticket.succeeded()
        return ApiAuthentication(principal=principal_of(row))

    def _refuse(self, source: str | None, detail: str, outcome: UpdateOutcome) -> None:
        self._refusals.record(
            front_door=FrontDoor.API, source=source, outcome=outcome, detail=detail
        )


def principal_of(row: ApiTokenRow) -> ApiPrincipal:
    return ApiPrincipal(
        user_id=row.user_id,
        user=row.user,
        is_admin=row.is_admin,
        token_id=row.id,
        scope=TokenScope(read_only=row.read_only, hosts=row.hosts, types=row.types),
        expires_at=utc(row.expires_at) if row.expires_at is not None else None,
    )

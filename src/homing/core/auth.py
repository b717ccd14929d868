"""Who is asking: credentials to a Principal, with brakes on guessing.

Three kinds of credential reach the update API: an account's (user, password);
an update token, alone (DuckDNS) or in the password field of Basic auth with
the user name or the host name as login; argon2 verification runs in a worker
thread so the DNS server on the same event loop never stalls. Failures are
counted per source address and per login: first answers are slowed, then the
address or login is locked out and gets ``abuse``. Every refusal is written to
the history.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from homing.core.credentials import TOKEN_PREFIX, PasswordVerifier, token_hash
from homing.core.ratelimit import FailureLimiter
from homing.core.writer import ChangeWriter
from homing.domain.outcomes import AuthOutcome, FrontDoor
from homing.store.rows import NewHistory, TokenRow
from homing.store.store import Store

log = logging.getLogger(__name__)

MAX_LOGIN_LENGTH = 255
MAX_SECRET_LENGTH = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """An authenticated caller: an account, possibly narrowed to one host by its token."""

    user_id: int
    user: str
    is_admin: bool
    host_id: int | None
    host: str | None
    credential: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Authentication:
    outcome: AuthOutcome
    principal: Principal | None = None


def _token_label(token: TokenRow) -> str:
    return f"token#{token.id} {token.prefix}…"


class Authenticator:
    """Checks credentials against the store (see the module docstring)."""

    def __init__(
        self,
        *,
        store: Store,
        writer: ChangeWriter,
        max_failures: int,
        window: float,
        lockout: float,
    ) -> None:
        self._store = store
        self._writer = writer
        self._verifier = PasswordVerifier()
        self._by_source = FailureLimiter(max_failures=max_failures, window=window, lockout=lockout)
        self._by_login = FailureLimiter(
            max_failures=max_failures * 2, window=window, lockout=lockout
        )

    async def basic(
        self, login: str, secret: str, *, source: str | None, front_door: FrontDoor
    ) -> Authentication:
        """dyndns2 Basic auth: (user, password), (user, token) or (host FQDN, token)."""
        login = login.strip()
        login_key = "login:" + login.lower().rstrip(".")
        refused = self._refused(source, login_key)
        if refused:
            return await self._refuse(
                AuthOutcome.ABUSE, login, source, front_door, "locked out after repeated failures"
            )
        if not login or len(login) > MAX_LOGIN_LENGTH or len(secret) > MAX_SECRET_LENGTH:
            return await self._fail(login_key, login, source, front_door, "malformed credentials")
        if secret.startswith(TOKEN_PREFIX):
            principal = await self._token_for_login(login, secret)
        else:
            principal = await self._password(login, secret)
        if principal is None:
            return await self._fail(login_key, login, source, front_door, "wrong login or secret")
        self._succeeded(source, login_key)
        return Authentication(outcome=AuthOutcome.OK, principal=principal)

    async def token(
        self, secret: str, *, source: str | None, front_door: FrontDoor
    ) -> Authentication:
        """A bare update token (DuckDNS)."""
        if self._refused(source, None):
            return await self._refuse(
                AuthOutcome.ABUSE, None, source, front_door, "locked out after repeated failures"
            )
        found = None
        if 0 < len(secret) <= MAX_SECRET_LENGTH:
            found = await self._store.find_token(token_hash(secret))
        if found is None or found.revoked_at is not None:
            return await self._fail(None, None, source, front_door, "unknown or revoked token")
        self._succeeded(source, None)
        return Authentication(outcome=AuthOutcome.OK, principal=self._from_token(found))

    async def _password(self, login: str, secret: str) -> Principal | None:
        user = await self._store.find_user(login)
        stored = user.password_hash if user else None
        if not self._verifier.cached(stored, secret):
            ok = await asyncio.to_thread(self._verifier.verify, stored, secret)
            if not ok:
                return None
        if user is None:
            return None
        return Principal(
            user_id=user.id,
            user=user.name,
            is_admin=user.is_admin,
            host_id=None,
            host=None,
            credential=f"password:{user.name}",
        )

    async def _token_for_login(self, login: str, secret: str) -> Principal | None:
        found = await self._store.find_token(token_hash(secret))
        if found is None or found.revoked_at is not None:
            return None
        principal = self._from_token(found)
        wanted = login.lower().rstrip(".")
        if wanted == found.user.lower():
            return principal
        if found.host is not None and found.host.rstrip(".") == wanted:
            return principal
        if found.host is None:
            host = await self._store.find_host(wanted + ".")
            if host is not None and host.owner_id == found.user_id:
                return principal
        return None

    @staticmethod
    def _from_token(token: TokenRow) -> Principal:
        # The token row carries its user (an inner join): no second read on the hot path.
        return Principal(
            user_id=token.user_id,
            user=token.user,
            is_admin=False,
            host_id=token.host_id,
            host=token.host,
            credential=_token_label(token),
        )

    def _refused(self, source: str | None, login_key: str | None) -> bool:
        by_source = source is not None and self._by_source.blocked("ip:" + source)
        return by_source or (login_key is not None and self._by_login.blocked(login_key))

    def _succeeded(self, source: str | None, login_key: str | None) -> None:
        if source is not None:
            self._by_source.success("ip:" + source)
        if login_key is not None:
            self._by_login.success(login_key)

    async def _fail(
        self,
        login_key: str | None,
        login: str | None,
        source: str | None,
        front_door: FrontDoor,
        detail: str,
    ) -> Authentication:
        delay = 0.0
        if source is not None:
            delay = self._by_source.failure("ip:" + source)
        if login_key is not None:
            delay = max(delay, self._by_login.failure(login_key))
        if delay:
            await asyncio.sleep(delay)
        return await self._refuse(AuthOutcome.BADAUTH, login, source, front_door, detail)

    async def _refuse(
        self,
        outcome: AuthOutcome,
        login: str | None,
        source: str | None,
        front_door: FrontDoor,
        detail: str,
    ) -> Authentication:
        log.info("refused %s login %r from %s: %s", front_door.value, login, source, detail)
        self._writer.record(
            [
                NewHistory(
                    at=datetime.now(UTC),
                    host_id=None,
                    fqdn=login[:MAX_LOGIN_LENGTH] if login else None,
                    outcome=outcome.value,
                    front_door=front_door.value,
                    source=source,
                    detail=detail,
                )
            ]
        )
        return Authentication(outcome=outcome)

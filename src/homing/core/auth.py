"""Who is asking: credentials to a Principal, with brakes on guessing.

Three kinds of credential reach the update API: an account's (user, password);
an update token, alone (DuckDNS) or in the password field of Basic auth with
the user name or the host name as login; argon2 verification runs in a worker
thread so the DNS server on the same event loop never stalls. Every check
first takes a reservation from the one brake of all front doors
(``core/brake.py``): tokens are limited per source address, passwords per
(login, source); a refused reservation gets ``abuse`` without a check. Every
refusal goes to the history (``core/refusals.py``, counted per source and
window), with the host it was aimed at when the login or the request names
one of ours, so that host's owner sees it on the audit page, in the badge and
in failure alerts (the answer stays the same either way). A login that looks
like a token is cut to its first characters before it is logged or stored.

An account with the TOTP second factor on is not opened by its password
alone: the web sign-in (``two_step``) gets ``CODE_REQUIRED`` and then asks
for a code (``one_time_code``); the update protocols refuse the password and
take update tokens instead. Wrong codes count like wrong passwords, and a
right password does not reset the counters until the code is right too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from homing.core.brake import Brake, CredentialKind, Reservation
from homing.core.credentials import TOKEN_PREFIX, PasswordVerifier, redact_login, token_hash
from homing.core.refusals import Refusals
from homing.core.totp import Clock, TwoFactor
from homing.core.write_path import WritePath
from homing.domain.names import normalize_name
from homing.domain.outcomes import AuthOutcome, FrontDoor, UpdateOutcome
from homing.errors import NameError_
from homing.store.rows import HostRow, TokenRow, UserRow
from homing.store.store import Store

log = logging.getLogger(__name__)

MAX_LOGIN_LENGTH = 255
MAX_SECRET_LENGTH = 1024
MAX_TARGETS = 20
"""Names of a refused request looked up to find the host it was aimed at."""


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
        brake: Brake,
        refusals: Refusals,
        clock: Clock = time.time,
        writes: WritePath | None = None,
    ) -> None:
        """``writes``: where the second factor's writes run (the writer in ``homing serve``)."""
        self._store = store
        self._brake = brake
        self._refusals = refusals
        self._verifier = PasswordVerifier()
        self.two_factor = TwoFactor(store=store, clock=clock, writes=writes)

    async def basic(
        self,
        login: str,
        secret: str,
        *,
        source: str | None,
        front_door: FrontDoor,
        targets: Sequence[str] = (),
        two_step: bool = False,
    ) -> Authentication:
        """dyndns2 Basic auth: (user, password), (user, token) or (host FQDN, token).

        ``targets`` are the host names the request is about (for the history of
        a refusal); ``two_step`` callers can ask for a TOTP code next.
        """
        login = login.strip()
        attempt = _Attempt(login=login, source=source, front_door=front_door, targets=targets)
        kind = CredentialKind.TOKEN if secret.startswith(TOKEN_PREFIX) else CredentialKind.PASSWORD
        async with self._brake.reserve(source=source, login=login, kind=kind) as ticket:
            if ticket.refused is not None:
                return await self._refuse(AuthOutcome.ABUSE, attempt, ticket.refused.value)
            if not login or len(login) > MAX_LOGIN_LENGTH or len(secret) > MAX_SECRET_LENGTH:
                return await self._fail(ticket, attempt, "malformed credentials")
            if kind is CredentialKind.TOKEN:
                principal = await self._token_for_login(login, secret)
            else:
                user = await self._password(login, secret)
                principal = _account(user) if user is not None else None
                if user is not None and user.has_totp:
                    if not two_step:
                        detail = "password alone refused: two-factor sign-in is on (use a token)"
                        return await self._fail(ticket, attempt, detail)
                    # The counters stay as they are: only the right code completes the sign-in.
                    return Authentication(outcome=AuthOutcome.CODE_REQUIRED, principal=principal)
            if principal is None:
                return await self._fail(ticket, attempt, "wrong login or secret")
            ticket.succeeded()
        return Authentication(outcome=AuthOutcome.OK, principal=principal)

    async def one_time_code(
        self, user: str, code: str, *, source: str | None, front_door: FrontDoor
    ) -> Authentication:
        """The second step of a sign-in (or a change that needs a code): a TOTP code of ``user``."""
        attempt = _Attempt(login=user, source=source, front_door=front_door, targets=())
        reservation = self._brake.reserve(source=source, login=user, kind=CredentialKind.PASSWORD)
        async with reservation as ticket:
            if ticket.refused is not None:
                return await self._refuse(AuthOutcome.ABUSE, attempt, ticket.refused.value)
            account = await self._store.find_user(user)
            if account is None or not await self.two_factor.check(account, code):
                return await self._fail(ticket, attempt, "wrong or reused one-time code")
            ticket.succeeded()
        return Authentication(outcome=AuthOutcome.OK, principal=_account(account))

    async def token(
        self,
        secret: str,
        *,
        source: str | None,
        front_door: FrontDoor,
        targets: Sequence[str] = (),
    ) -> Authentication:
        """A bare update token (DuckDNS); ``targets`` as for ``basic``."""
        attempt = _Attempt(login=None, source=source, front_door=front_door, targets=targets)
        with self._brake.reserve(source=source, login=None, kind=CredentialKind.TOKEN) as ticket:
            if ticket.refused is not None:
                return await self._refuse(AuthOutcome.ABUSE, attempt, ticket.refused.value)
            found = None
            if 0 < len(secret) <= MAX_SECRET_LENGTH:
                found = await self._store.find_token(token_hash(secret))
            if found is None or found.revoked_at is not None:
                return await self._fail(ticket, attempt, "unknown or revoked token")
            ticket.succeeded()
        return Authentication(outcome=AuthOutcome.OK, principal=self._from_token(found))

    async def _password(self, login: str, secret: str) -> UserRow | None:
        user = await self._store.find_user(login)
        stored = user.password_hash if user else None
        if not self._verifier.cached(stored, secret):
            ok = await asyncio.to_thread(self._verifier.verify, stored, secret)
            if not ok:
                return None
        return user

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

    async def _fail(self, ticket: Reservation, attempt: _Attempt, detail: str) -> Authentication:
        delay = ticket.failed()
        if delay:
            await asyncio.sleep(delay)
        return await self._refuse(AuthOutcome.BADAUTH, attempt, detail)

    async def _refuse(self, outcome: AuthOutcome, attempt: _Attempt, detail: str) -> Authentication:
        login = redact_login(attempt.login) if attempt.login else attempt.login
        host = await self._aimed_at(attempt)
        if host is not None and login and login.lower().rstrip(".") + "." != host.fqdn:
            detail = f"{detail} (login {login[:64]!r})"
        self._refusals.record(
            front_door=attempt.front_door,
            source=attempt.source,
            outcome=UpdateOutcome(outcome.value),
            detail=detail,
            host_id=host.id if host else None,
            fqdn=host.fqdn if host else (login[:MAX_LOGIN_LENGTH] if login else None),
            login=login,
        )
        return Authentication(outcome=outcome)

    async def _aimed_at(self, attempt: _Attempt) -> HostRow | None:
        """The host a refused attempt was aimed at: the login when it is a host's name, else
        the first existing host the request names. The same lookups run whether or not the
        names exist, and the caller's answer never depends on the result."""
        names: list[str] = []
        for raw in [attempt.login or "", *attempt.targets][:MAX_TARGETS]:
            try:
                name = normalize_name(raw)
            except NameError_:
                continue
            if name.count(".") >= 2:
                names.append(name)
        found = await self._store.find_hosts(names)
        return next((found[n] for n in names if n in found), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Attempt:
    """What a refusal's history row says about the request."""

    login: str | None
    source: str | None
    front_door: FrontDoor
    targets: Sequence[str]


def _account(user: UserRow) -> Principal:
    return Principal(
        user_id=user.id,
        user=user.name,
        is_admin=user.is_admin,
        host_id=None,
        host=None,
        credential=f"password:{user.name}",
    )

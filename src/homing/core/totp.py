"""The optional second factor: TOTP codes (RFC 6238), checked once each.

An owner turns it on by scanning a QR code (or typing the secret) into an
authenticator app and confirming with a current code; from then on the web
sign-in asks for a code after the password. A code is accepted for the
previous, current and next 30-second step (RFC 6238 section 5.2 allows for
clock drift and slow typing), and never twice: the newest step used is kept
on the user and claimed with a conditional UPDATE, so a code watched over a
shoulder or replayed by a proxy is refused even within its window.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

import pyotp
import segno

from homing.core.write_path import DirectWrites, WritePath
from homing.errors import InputError, NotFoundError
from homing.store.rows import UserRow
from homing.store.store import Store
from homing.store.totp import claim_totp_step, save_totp_secret
from homing.store.transaction import WriteTransaction

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
ISSUER = "Homing"
Clock = Callable[[], float]


def new_secret() -> str:
    """160 random bits in base32, the length RFC 4226 section 4 recommends."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, user: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (nothing loaded from elsewhere; white behind it so
    it scans in dark mode too)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, light="#fff", title="TOTP QR code"))


def matching_step(secret: str, code: str, *, now: float, after: int | None) -> int | None:
    """The time step ``code`` belongs to (within the drift), if later than ``after``; else None."""
    code = code.replace(" ", "").strip()
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


class TwoFactor:
    """Turning the second factor on and off, and checking a user's code (see the docstring)."""

    def __init__(
        self, *, store: Store, clock: Clock = time.time, writes: WritePath | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self._writes = writes or DirectWrites(store)

    async def check(self, user: UserRow, code: str) -> bool:
        """True once per step for a right code of a user who has the second factor on."""
        if user.totp_secret is None:
            return False
        step = matching_step(user.totp_secret, code, now=self._clock(), after=user.totp_last_step)
        if step is None:
            return False
        secret = user.totp_secret

        async def claim(txn: WriteTransaction) -> bool:
            return await claim_totp_step(txn, user_id=user.id, secret=secret, step=step)

        return await self._writes.transaction(claim)

    async def enable(self, user: UserRow, *, secret: str, code: str) -> None:
        """Turn it on with ``secret``, once ``code`` shows the owner's app has it."""
        step = matching_step(secret, code, now=self._clock(), after=None)
        if step is None:
            raise InputError("That code does not match; check the app's clock and try again.")

        async def save(txn: WriteTransaction) -> bool:
            return await save_totp_secret(txn, user_id=user.id, secret=secret, step=step)

        if not await self._writes.transaction(save):
            raise NotFoundError(f"no user {user.name}")

    async def turn_off(self, name: str) -> bool:
        """Remove the second factor (after a code check, or by an administrator's CLI).

        Returns whether it was on.
        """
        user = await self._store.find_user(name)
        if user is None:
            raise NotFoundError(f"no user {name}")

        async def remove(txn: WriteTransaction) -> bool:
            return await save_totp_secret(txn, user_id=user.id, secret=None, step=None)

        await self._writes.transaction(remove)
        return user.has_totp

"""Signed session cookies and CSRF tokens: no server-side session table.

A cookie says who signed in, until when, and a fingerprint of the password
hash at that moment, all under an HMAC-SHA256 with the server's key. The
server trusts nothing in it that the signature does not cover; changing the
password changes the fingerprint, so every older cookie stops working.
CSRF tokens are HMACs of the session's random nonce: one per session,
checkable without storing anything (the synchroniser-token pattern without
the table). Before sign-in, the login form gets the same protection from a
nonce in a short-lived cookie (double submit, but signed).
"""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from enum import StrEnum

from homing.http.web.signing import b64, keyed_mac, same, unb64

COOKIE_VERSION = "1"
NONCE_BYTES = 16
FINGERPRINT_CHARS = 22


class SessionProblem(StrEnum):
    """Why a cookie does not give a session."""

    MISSING = "missing"
    INVALID = "invalid"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """What a valid cookie carries; the user must still exist with the same password."""

    user_id: int
    user: str
    expires: int
    nonce: str
    fingerprint: str


class SessionCodec:
    """Issues and checks session cookies and CSRF tokens under one key."""

    def __init__(self, *, key: bytes, lifetime_seconds: float) -> None:
        self._key = key
        self.lifetime_seconds = lifetime_seconds

    def _mac(self, purpose: str, message: str) -> str:
        return keyed_mac(self._key, purpose, message)

    def fingerprint(self, password_hash: str | None) -> str:
        """A keyed digest of the stored hash: reveals nothing, changes with the password."""
        return self._mac("password", password_hash or "")[:FINGERPRINT_CHARS]

    def issue(
        self, *, user_id: int, user: str, password_hash: str | None, now: float
    ) -> tuple[str, Session]:
        session = Session(
            user_id=user_id,
            user=user,
            expires=int(now + self.lifetime_seconds),
            nonce=b64(secrets.token_bytes(NONCE_BYTES)),
            fingerprint=self.fingerprint(password_hash),
        )
        fields = [
            COOKIE_VERSION,
            str(session.user_id),
            session.user,
            str(session.expires),
            session.nonce,
            session.fingerprint,
        ]
        payload = b64("\n".join(fields).encode())
        return f"{payload}.{self._mac('session', payload)}", session

    def read(self, cookie: str | None, *, now: float) -> Session | SessionProblem:
        """The session a cookie carries, or why there is none (signature checked first)."""
        if not cookie:
            return SessionProblem.MISSING
        payload, dot, signature = cookie.partition(".")
        if not dot or not same(signature, self._mac("session", payload)):
            return SessionProblem.INVALID
        try:
            fields = unb64(payload).decode().split("\n")
            version, user_id, user, expires, nonce, fingerprint = fields
            session = Session(
                user_id=int(user_id),
                user=user,
                expires=int(expires),
                nonce=nonce,
                fingerprint=fingerprint,
            )
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return SessionProblem.INVALID
        if version != COOKIE_VERSION:
            return SessionProblem.INVALID
        if session.expires <= now:
            return SessionProblem.EXPIRED
        return session

    def csrf_token(self, session: Session) -> str:
        return self._mac("csrf", session.nonce)

    def check_csrf(self, session: Session, token: str | None) -> bool:
        return token is not None and same(token, self.csrf_token(session))

    @staticmethod
    def new_login_nonce() -> str:
        return b64(secrets.token_bytes(NONCE_BYTES))

    def login_csrf_token(self, nonce: str) -> str:
        return self._mac("login-csrf", nonce)

    def check_login_csrf(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or token is None:
            return False
        return same(token, self.login_csrf_token(nonce))

    def seal(self, purpose: str, fields: list[str], *, expires: int) -> str:
        """A short-lived signed token for a form (the "password ok" step, a TOTP set-up).

        Signed, not encrypted: it carries nothing the page it sits in does not show.
        """
        payload = b64("\n".join([COOKIE_VERSION, str(expires), *fields]).encode())
        return f"{payload}.{self._mac(purpose, payload)}"

    def unseal(self, purpose: str, token: str | None, *, now: float) -> list[str] | None:
        """The fields of a token sealed for ``purpose`` that has not expired, else None."""
        payload, dot, signature = (token or "").partition(".")
        if not dot or not same(signature, self._mac(purpose, payload)):
            return None
        try:
            version, expires, *fields = unb64(payload).decode().split("\n")
            if version != COOKIE_VERSION or int(expires) <= now:
                return None
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        return fields

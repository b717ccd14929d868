"""Password hashing (argon2) and update tokens (random, stored only as SHA-256 hashes).

Tokens carry at least 128 bits of entropy, so a fast hash is safe for them and
lets the store find a token by its hash in one indexed lookup. Passwords are
low-entropy and get argon2; verifying one costs tens of milliseconds, so a
successful verification is remembered briefly (keyed by a keyed hash of the
password and the stored hash, so a password change invalidates it).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "hm_"  # noqa: S105 - a public marker, not a secret
TOKEN_BYTES = 24
VERIFIED_TTL_SECONDS = 300.0
VERIFIED_MAX_ENTRIES = 10_000
_SECRET_LIKE = re.compile(r"[A-Za-z0-9_\-+/=]{20,}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_token() -> str:
    """A fresh update token (192 random bits), shown to the owner exactly once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_prefix(token: str) -> str:
    """The first characters of a token: enough to recognise it in a list, useless to guess it."""
    return token[: len(TOKEN_PREFIX) + 4]


def looks_like_secret(text: str) -> bool:
    """A login that is probably a token or key typed into the user-name field.

    Ours carry a prefix; others' (acme-dns keys, pasted API keys) are long runs
    of base64 or hex without the dots of a host name. acme-dns user names are
    UUIDs and stay readable.
    """
    text = text.strip()
    if text.startswith(TOKEN_PREFIX):
        return True
    return _SECRET_LIKE.fullmatch(text) is not None and _UUID.fullmatch(text) is None


def redact_login(login: str) -> str:
    """``login`` as it may be logged or stored: a secret-looking one cut to its first characters."""
    if looks_like_secret(login):
        return login.strip()[:4] + "…(redacted)"
    return login


class PasswordVerifier:
    """argon2 verification with a short-lived memory of successes."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._verified: dict[bytes, float] = {}

    def _key_for(self, stored_hash: str, password: str) -> bytes:
        return hmac.digest(
            self._key,
            stored_hash.encode() + b"\0" + password.encode("utf-8", "surrogatepass"),
            "sha256",
        )

    def cached(self, stored_hash: str | None, password: str) -> bool:
        """True when this password was verified against this hash a short while ago (cheap)."""
        if not stored_hash:
            return False
        until = self._verified.get(self._key_for(stored_hash, password))
        return until is not None and until > time.monotonic()

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """The full argon2 check (tens of milliseconds: call it off the event loop)."""
        if not stored_hash:
            _hasher.hash("timing-equaliser")
            return False
        if self.cached(stored_hash, password):
            return True
        try:
            _hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        now = time.monotonic()
        if len(self._verified) >= VERIFIED_MAX_ENTRIES:
            self._verified = {k: v for k, v in self._verified.items() if v > now}
            if len(self._verified) >= VERIFIED_MAX_ENTRIES:
                self._verified.clear()
        self._verified[self._key_for(stored_hash, password)] = now + VERIFIED_TTL_SECONDS
        return True

"""The signing primitives behind session cookies, CSRF tokens and invitation links.

Every token is ``base64url(payload).base64url(HMAC-SHA256(key, purpose NUL payload))``;
the purpose keeps one kind of token from passing for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def keyed_mac(key: bytes, purpose: str, message: str) -> str:
    return b64(hmac.digest(key, f"{purpose}\0{message}".encode(), hashlib.sha256))


def same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (an attacker's, say)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())

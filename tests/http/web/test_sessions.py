"""Session cookies and CSRF tokens: signed, expiring, bound to the password, per session."""

from __future__ import annotations

import base64

from homing.http.web.sessions import Session, SessionCodec, SessionProblem

NOW = 1_700_000_000.0


def codec(key: bytes = b"k" * 32) -> SessionCodec:
    return SessionCodec(key=key, lifetime_seconds=600)


def issue(c: SessionCodec, password_hash: str = "$argon2id$hash") -> tuple[str, Session]:
    return c.issue(user_id=7, user="alice.b@example", password_hash=password_hash, now=NOW)


def test_round_trip_until_expiry() -> None:
    c = codec()
    cookie, session = issue(c)
    assert c.read(cookie, now=NOW + 599) == session
    assert session.user == "alice.b@example"
    assert session.expires == NOW + 600
    assert c.read(cookie, now=NOW + 600) is SessionProblem.EXPIRED
    assert c.read(None, now=NOW) is SessionProblem.MISSING


def test_tampering_and_another_key_are_invalid() -> None:
    c = codec()
    cookie, _ = issue(c)
    payload, signature = cookie.split(".")
    fields = base64.urlsafe_b64decode(payload + "==").decode().split("\n")
    fields[1] = "1"  # someone else's user id, keeping the old signature
    forged = base64.urlsafe_b64encode("\n".join(fields).encode()).decode().rstrip("=")
    assert c.read(f"{forged}.{signature}", now=NOW) is SessionProblem.INVALID
    assert c.read(payload + "." + signature[:-2] + "AA", now=NOW) is SessionProblem.INVALID
    assert c.read(payload, now=NOW) is SessionProblem.INVALID
    assert c.read("é.ü", now=NOW) is SessionProblem.INVALID
    assert codec(b"x" * 32).read(cookie, now=NOW) is SessionProblem.INVALID


def test_fingerprint_follows_the_password_hash_and_hides_it() -> None:
    c = codec()
    _, session = issue(c, "$argon2id$old")
    assert session.fingerprint == c.fingerprint("$argon2id$old")
    assert session.fingerprint != c.fingerprint("$argon2id$new")
    assert "argon2" not in session.fingerprint


def test_csrf_token_is_per_session() -> None:
    c = codec()
    _, first = issue(c)
    _, second = issue(c)
    token = c.csrf_token(first)
    assert c.check_csrf(first, token)
    assert not c.check_csrf(second, token)
    assert not c.check_csrf(first, None)
    assert not c.check_csrf(first, "")
    assert not c.check_csrf(first, "ü" + token)


def test_login_csrf_is_bound_to_its_nonce() -> None:
    c = codec()
    nonce = c.new_login_nonce()
    token = c.login_csrf_token(nonce)
    assert c.check_login_csrf(nonce, token)
    assert not c.check_login_csrf(c.new_login_nonce(), token)
    assert not c.check_login_csrf(None, token)
    assert not c.check_login_csrf(nonce, None)

"""Invitation links: stateless, HMAC-signed, expiring, and good for choosing a password once.

An administrator creates a user without a password and hands them a link
to ``/invite/<token>``. The token says which user (id and name), until
when, and carries a keyed fingerprint of the account's state (its creation
time and password hash) when it was made, all under an HMAC-SHA256 with the
web UI's server key (``server_secret``), in a purpose of its own so that no
session cookie or CSRF token can pass for an invitation. Nothing is stored:
once the invitee has chosen a password the fingerprint no longer matches,
so the link stops working, as it does when the link expires or the user is
deleted, even if re-created under the same name (SQLite may even hand out
the same id again; the creation time differs).
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from enum import StrEnum

from homing.http.web.signing import b64, keyed_mac, same, unb64
from homing.store.rows import UserRow

INVITATION_VERSION = "1"
INVITATION_SECONDS = 7 * 86400
FINGERPRINT_CHARS = 22


class InvitationProblem(StrEnum):
    """Why a link does not invite anyone."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True, slots=True, kw_only=True)
class Invitation:
    """What a valid link carries; the user must still exist with the same password hash."""

    user_id: int
    user: str
    expires: int
    fingerprint: str


def account_state(user: UserRow) -> str:
    """What must stay the same for a link to work: the same account, still without its password."""
    return f"{user.created_at.isoformat()}\0{user.password_hash or ''}"


class InvitationCodec:
    """Issues and checks invitation tokens under the server key."""

    def __init__(self, *, key: bytes, lifetime_seconds: int = INVITATION_SECONDS) -> None:
        self._key = key
        self.lifetime_seconds = lifetime_seconds

    def _mac(self, purpose: str, message: str) -> str:
        return keyed_mac(self._key, purpose, message)

    def fingerprint(self, state: str) -> str:
        return self._mac("invite-account", state)[:FINGERPRINT_CHARS]

    def issue(self, *, user_id: int, user: str, state: str, now: float) -> str:
        """A link token for the user; ``state`` is ``account_state`` of the user now."""
        fields = [
            INVITATION_VERSION,
            str(user_id),
            user,
            str(int(now + self.lifetime_seconds)),
            self.fingerprint(state),
        ]
        payload = b64("\n".join(fields).encode())
        return f"{payload}.{self._mac('invite', payload)}"

    def read(self, token: str, *, now: float) -> Invitation | InvitationProblem:
        """The invitation a token carries (signature checked first), or why there is none."""
        payload, dot, signature = token.partition(".")
        if not dot or not same(signature, self._mac("invite", payload)):
            return InvitationProblem.INVALID
        try:
            version, user_id, user, expires, fingerprint = unb64(payload).decode().split("\n")
            invitation = Invitation(
                user_id=int(user_id), user=user, expires=int(expires), fingerprint=fingerprint
            )
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return InvitationProblem.INVALID
        if version != INVITATION_VERSION:
            return InvitationProblem.INVALID
        if invitation.expires <= now:
            return InvitationProblem.EXPIRED
        return invitation

    def still_open(self, invitation: Invitation, *, user_id: int, state: str) -> bool:
        """The link's user is this one and has not chosen a password since it was made."""
        unchanged = same(invitation.fingerprint, self.fingerprint(state))
        return unchanged and user_id == invitation.user_id

"""The TOTP slice of the store: a user's second-factor secret, and claiming a code's time step.

Claiming is one conditional UPDATE, so two requests racing with the same code
(or two processes) cannot both succeed: the one whose UPDATE matches a row
wins, the other finds the step already taken (RFC 6238 section 5.2: a
verifier must not accept the second attempt of a code it has accepted).
"""

from __future__ import annotations

from sqlalchemy import update

from homing.store import schema as t
from homing.store.transaction import WriteTransaction


async def save_totp_secret(
    txn: WriteTransaction, *, user_id: int, secret: str | None, step: int | None
) -> bool:
    """Set (or with ``None`` remove) the user's secret; ``step`` is the code just used, if any."""
    statement = (
        update(t.users)
        .where(t.users.c.id == user_id)
        .values(totp_secret=secret, totp_last_step=step)
    )
    result = await txn.conn.execute(statement)
    return bool(result.rowcount)


async def claim_totp_step(txn: WriteTransaction, *, user_id: int, secret: str, step: int) -> bool:
    """Record ``step`` as used, unless it (or a later one) was used or the secret changed."""
    users = t.users
    statement = (
        update(users)
        .where(
            (users.c.id == user_id)
            & (users.c.totp_secret == secret)
            & (users.c.totp_last_step.is_(None) | (users.c.totp_last_step < step))
        )
        .values(totp_last_step=step)
    )
    result = await txn.conn.execute(statement)
    return bool(result.rowcount)

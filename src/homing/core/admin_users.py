"""Management of accounts: add, remove, list, and their passwords."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from homing.core.admin_base import AdminBase
from homing.core.credentials import hash_password
from homing.errors import ConflictError, InputError, NotFoundError
from homing.store.rows import UserRow
from homing.store.transaction import WriteTransaction

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


def check_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


class UserAdmin(AdminBase):
    """The account use cases of ``Admin``."""

    async def add_user(self, name: str, *, password: str | None, admin: bool = False) -> UserRow:
        if not USER_NAME.fullmatch(name):
            raise InputError(
                f"invalid user name {name!r}: 1-64 letters, digits or . _ @ + - "
                "(starting with a letter or digit)"
            )
        hashed = hash_password(check_password(password)) if password is not None else None

        async def create(txn: WriteTransaction) -> None:
            if await self._store.find_user(name) is not None:
                raise ConflictError(f"user {name} already exists")
            await txn.insert(
                "users",
                name=name,
                password_hash=hashed,
                is_admin=admin,
                created_at=datetime.now(UTC),
            )

        await self._writes.transaction(create)
        user = await self._store.find_user(name)
        assert user is not None
        return user

    async def set_password(self, name: str, password: str) -> None:
        hashed = hash_password(check_password(password))

        async def change(txn: WriteTransaction) -> None:
            user = await self._store.find_user(name)
            if user is None:
                raise NotFoundError(f"no user {name}")
            await txn.update_row("users", user.id, password_hash=hashed)

        await self._writes.transaction(change)

    async def set_first_password(self, name: str, password: str) -> None:
        """Set the password of an account that has none yet (an invitation being accepted).

        Checked inside the write transaction, which holds the write lock, so
        two submissions of one invitation cannot both set a password.
        """
        hashed = hash_password(check_password(password))

        async def first(txn: WriteTransaction) -> None:
            user = await self._store.find_user(name)
            if user is None:
                raise NotFoundError(f"no user {name}")
            if user.password_hash is not None:
                raise ConflictError(f"user {name} has chosen a password already")
            await txn.update_row("users", user.id, password_hash=hashed)

        await self._writes.transaction(first)

    async def remove_user(self, name: str) -> int:
        """Remove the user, their hosts (and those hosts' records) and tokens; returns #hosts."""
        user = await self._store.find_user(name)
        if user is None:
            raise NotFoundError(f"no user {name}")
        now = datetime.now(UTC)

        async def remove(txn: WriteTransaction) -> int:
            hosts = await txn.hosts(owner_id=user.id)
            for host in hosts:
                await self._delete_host(txn, host, now)
            await txn.delete_row("users", user.id)
            return len(hosts)

        return await self._writes.transaction(remove)

    async def users(self) -> list[UserRow]:
        return await self._store.users()

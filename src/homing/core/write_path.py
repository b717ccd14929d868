"""Where a management use case's write transaction runs: the writer's, or one of its own.

Inside ``homing serve`` every write goes through the one writer
(``ChangeWriter.transaction``), so serials, the journal and the change events
come from one place and a management change is in DNS when its call returns
(issue 9, item 2). A management command run from the shell is another process:
it commits on its own (``DirectWrites``), and the running servers follow it
through the journal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from homing.store.store import Store
from homing.store.transaction import WriteTransaction

T = TypeVar("T")

Operation = Callable[[WriteTransaction], Awaitable[T]]
"""A use case's writes: run inside one transaction, committed when it returns."""


class WritePath(Protocol):
    """Runs an operation in one write transaction and returns its result once committed."""

    async def transaction(self, operation: Operation[T]) -> T: ...


class DirectWrites:
    """A transaction of its own per operation: for processes without a writer (the CLI)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def transaction(self, operation: Operation[T]) -> T:
        async with self._store.write() as txn:
            return await operation(txn)

"""An alert follower over the real core: webhooks and email to loopback receivers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from homing.alerts.follower import AlertFollower
from homing.alerts.outbox import Outbox
from homing.alerts.senders import EmailSender, Sender, WebhookSender
from homing.store.store import Store
from support import Core


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def make_follower(
    core: Core, http: httpx.AsyncClient, clock: Clock
) -> Callable[..., AlertFollower]:
    """A follower wired to the writer; retries after ~10 ms so tests need not wait.

    Given another ``store`` (a second node's), it only polls, as another node would.
    """

    def make(
        *,
        smtp_port: int | None = None,
        quiet: float = 600.0,
        store: Store | None = None,
        shared: bool = False,
    ) -> AlertFollower:
        senders: dict[str, Sender] = {"webhook": WebhookSender(http=http, allow_private=True)}
        if smtp_port is not None:
            senders["email"] = EmailSender(
                host="127.0.0.1", port=smtp_port, security="none", sender="homing@ddns.test"
            )
        outbox = Outbox(senders, attempts=4, retry_seconds=0.01, queue_size=10)
        follower = AlertFollower(
            store=store or core.store,
            outbox=outbox,
            failure_quiet_seconds=quiet,
            stale_check_seconds=3600,
            poll_seconds=0.05,
            clock=clock,
            shared=shared,
        )
        if store is None:
            core.writer.on_commit(follower.wake)
        return follower

    return make

"""Two nodes' alert followers over one PostgreSQL database: each alert goes out once.

Both read every history row; the claims in the database decide which one sends
(``store/alert_claims.py``). The second follower has a store of its own, as
another ``homing serve`` would, and only polls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from alerts.receivers import WebhookReceiver, smtp_sink
from alerts.test_follower import DEADLINE, MakeFollower, _account, _next, _update
from homing.alerts.follower import AlertFollower
from homing.alerts.preferences import set_alerts
from homing.alerts.rules import AlertKind, kind_of
from homing.domain.outcomes import FrontDoor
from homing.store import alerts as alert_store
from homing.store.database import Database
from homing.store.store import Store
from support import Core


@pytest.fixture
async def store(postgres_url: str) -> AsyncIterator[Store]:
    """The first node's store (the core's): PostgreSQL whatever the suite's database."""
    opened = await Store.open(Database.postgresql(postgres_url))
    yield opened
    await opened.close()


@pytest.fixture
async def other_node(postgres_url: str, store: Store) -> AsyncIterator[Store]:
    opened = await Store.open(Database.postgresql(postgres_url))
    yield opened
    await opened.close()


async def _until(condition: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(DEADLINE):
        while not await condition():
            await asyncio.sleep(0.02)


def _idle(core: Core, *followers: AlertFollower) -> Callable[[], Awaitable[bool]]:
    """Every follower has read the whole history and has nothing queued or held back."""

    async def idle() -> bool:
        last = await alert_store.last_history_id(core.store)
        return all(
            f.position == f.safe_cursor() == last and f.outbox.pending() == 0 for f in followers
        )

    return idle


def _drain(queue: asyncio.Queue[Any]) -> list[Any]:
    return [queue.get_nowait() for _ in range(queue.qsize())]


async def test_each_change_goes_out_once_by_webhook_and_email(
    core: Core, make_follower: MakeFollower, other_node: Store
) -> None:
    token = await _account(core)
    async with WebhookReceiver().running() as hook, smtp_sink() as (port, mails):
        await set_alerts(
            core.store,
            "alice",
            email="alice@example.net",
            webhook=hook.url,
            allow_private_webhook=True,
        )
        followers = [
            make_follower(smtp_port=port, shared=True),
            make_follower(smtp_port=port, shared=True, store=other_node),
        ]
        for follower in followers:
            await follower.start()
        try:
            for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
                await _update(core, token, address)
            await _until(_idle(core, *followers))
        finally:
            for follower in followers:
                await follower.stop()
        bodies, sent = _drain(hook.bodies), _drain(mails)
    assert sorted(b["new"] for b in bodies) == ["A=203.0.113.1", "A=203.0.113.2", "A=203.0.113.3"]
    assert len({b["history_id"] for b in bodies}) == 3
    assert sorted(mail["Subject"] for _, mail in sent) == [
        f"[homing] home.dyn.example now A=203.0.113.{n}" for n in (1, 2, 3)
    ]


async def test_refused_attempts_are_told_once_across_nodes(
    core: Core, make_follower: MakeFollower, other_node: Store
) -> None:
    await _account(core)

    async def refuse(times: int) -> None:
        for _ in range(times):
            await core.auth.basic(
                "alice", "wrong-password", source="192.0.2.66", front_door=FrontDoor.DYNDNS2
            )
        core.refusals.flush()
        await core.writer.sync()

    async with WebhookReceiver().running() as hook:
        await set_alerts(
            core.store, "alice", webhook=hook.url, events=["failures"], allow_private_webhook=True
        )
        first = make_follower(shared=True)
        await first.start()
        await first.stop()
        start = await alert_store.last_history_id(core.store)
        await refuse(3)
        # A short quiet time, so that the second run is summed up within the test.
        followers = [
            make_follower(shared=True, quiet=0.3),
            make_follower(shared=True, quiet=0.3, store=other_node),
        ]
        for follower in followers:
            await follower.start()
        try:
            opening = await _next(hook.bodies)
            await refuse(2)
            await _until(_idle(core, *followers))
        finally:
            for follower in followers:
                await follower.stop()
        bodies = [opening, *_drain(hook.bodies)]
    rows = await alert_store.history_after(core.store, start, limit=100)
    refused = [r for r in rows if kind_of(r) is AlertKind.FAILURE]
    assert opening["count"] == 3
    # Every attempt is counted once, in one summary or the next, never by both nodes.
    assert sum(b["count"] for b in bodies) == sum(r.count for r in refused) == 5
    told = [a["history_id"] for b in bodies for a in b["attempts"]]
    assert len(told) == len(set(told))
    assert {b["event"] for b in bodies} == {"failure"}

"""Alerts from real updates to real receivers: email, webhooks, retries, restarts, stale hosts."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from alerts.conftest import Clock
from alerts.receivers import WebhookReceiver, smtp_sink
from homing.alerts.follower import AlertFollower
from homing.alerts.preferences import set_alerts
from homing.core.host_edits import HostResult
from homing.domain.edits import HostEdit
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.store import alerts as alert_store
from support import Core

HOST = "home.dyn.example"
DEADLINE = 10.0
MakeFollower = Callable[..., AlertFollower]


async def _account(core: Core) -> str:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password="alice-password")
    _, token = await core.admin.add_host(HOST, owner="alice")
    return token


async def _update(core: Core, token: str, address: str) -> HostResult:
    authn = await core.auth.basic(HOST, token, source="198.51.100.20", front_door=FrontDoor.DYNDNS2)
    assert authn.principal is not None
    [result] = await core.updates.apply_update(
        authn.principal,
        hostnames=[HOST],
        edit=HostEdit(ipv4=ipaddress.IPv4Address(address)),
        source="198.51.100.20",
        front_door=FrontDoor.DYNDNS2,
    )
    return result


async def _next(queue: asyncio.Queue[Any]) -> Any:
    return await asyncio.wait_for(queue.get(), DEADLINE)


async def test_a_change_is_sent_by_email_and_webhook(
    core: Core, make_follower: MakeFollower
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
        follower = make_follower(smtp_port=port)
        await follower.start()
        try:
            assert (await _update(core, token, "203.0.113.7")).outcome is UpdateOutcome.GOOD
            body = await _next(hook.bodies)
            recipients, mail = await _next(mails)
        finally:
            await follower.stop()
    assert body["event"] == "change"
    assert body["user"] == "alice"
    assert body["host"] == HOST + "."
    assert body["new"] == "A=203.0.113.7"
    assert body["front_door"] == "dyndns2"
    assert recipients == ["alice@example.net"]
    assert mail["Subject"] == f"[homing] {HOST} now A=203.0.113.7"
    assert "from 198.51.100.20" in mail.get_payload()


async def test_refused_attempts_are_summed_up_per_user(
    core: Core, make_follower: MakeFollower
) -> None:
    await _account(core)
    async with WebhookReceiver().running() as hook:
        await set_alerts(
            core.store, "alice", webhook=hook.url, events=["failures"], allow_private_webhook=True
        )
        # A first follower stores its cursor; the refusals then land while none runs, so
        # the next one reads all three at once, whatever the speed of the machine.
        first = make_follower()
        await first.start()
        await first.stop()
        for _ in range(3):
            await core.auth.basic(
                "alice", "wrong-password", source="192.0.2.66", front_door=FrontDoor.DYNDNS2
            )
        core.refusals.flush()  # the 2nd and 3rd are one row with count 2 when the window ends
        await core.writer.sync()
        follower = make_follower()
        await follower.start()
        try:
            body = await _next(hook.bodies)
        finally:
            await follower.stop()
    assert body["event"] == "failure"
    assert body["count"] == 3
    assert [a["source"] for a in body["attempts"]] == ["192.0.2.66"] * len(body["attempts"])
    assert {a["outcome"] for a in body["attempts"]} == {"badauth"}
    assert hook.bodies.empty()


async def test_a_failing_receiver_gets_the_alert_on_a_retry(
    core: Core, make_follower: MakeFollower
) -> None:
    token = await _account(core)
    async with WebhookReceiver(statuses=[500, 503]).running() as hook:
        await set_alerts(core.store, "alice", webhook=hook.url, allow_private_webhook=True)
        follower = make_follower()
        await follower.start()
        try:
            await _update(core, token, "203.0.113.8")
            body = await _next(hook.bodies)
        finally:
            await follower.stop()
    assert [hook.arrived.get_nowait() for _ in range(3)] == [500, 503, 200]
    assert body["new"] == "A=203.0.113.8"
    assert follower.outbox.results["webhook", "delivered"] == 1


async def test_a_hanging_receiver_never_delays_updates_nor_loses_alerts(
    core: Core, make_follower: MakeFollower
) -> None:
    token = await _account(core)
    async with WebhookReceiver(hang=True).running() as stuck:
        await set_alerts(core.store, "alice", webhook=stuck.url, allow_private_webhook=True)
        follower = make_follower()
        await follower.start()
        await _update(core, token, "203.0.113.1")
        await _next(stuck.arrived)  # the alert's delivery is now hanging
        started = time.monotonic()
        result = await _update(core, token, "203.0.113.2")
        elapsed = time.monotonic() - started
        assert result.outcome is UpdateOutcome.GOOD
        assert elapsed < 2.0, f"an update took {elapsed:.2f} s behind a hanging webhook"
        await follower.stop()
    # Stopped mid-delivery: the cursor stays before both changes, and a new follower sends them.
    first_row = (await core.store.history(limit=50))[-1].id
    cursor = await alert_store.alert_cursor(core.store)
    assert cursor is not None and cursor < first_row
    async with WebhookReceiver().running() as hook:
        await set_alerts(core.store, "alice", webhook=hook.url, allow_private_webhook=True)
        restarted = make_follower()
        await restarted.start()
        try:
            values = {(await _next(hook.bodies))["new"] for _ in range(2)}
        finally:
            await restarted.stop()
    assert values == {"A=203.0.113.1", "A=203.0.113.2"}


async def test_a_host_gone_stale_is_reported_once_per_silence(
    core: Core, make_follower: MakeFollower, clock: Clock
) -> None:
    token = await _account(core)
    async with WebhookReceiver().running() as hook:
        await set_alerts(
            core.store,
            "alice",
            webhook=hook.url,
            events=["stale"],
            stale_hours=2,
            allow_private_webhook=True,
        )
        follower = make_follower()
        await follower.start()
        try:
            clock.now += timedelta(hours=1)
            assert await follower.check_stale() == 0
            clock.now += timedelta(hours=1, minutes=1)
            assert await follower.check_stale() == 1
            body = await _next(hook.bodies)
            assert body["event"] == "stale"
            assert body["host"] == HOST + "."
            assert await follower.check_stale() == 0
            await _update(core, token, "203.0.113.9")
            clock.now += timedelta(hours=2, minutes=1)
            assert await follower.check_stale() == 1
            assert (await _next(hook.bodies))["event"] == "stale"
        finally:
            await follower.stop()
    # Changes were not asked for: only the two stale alerts came.
    assert hook.bodies.empty()

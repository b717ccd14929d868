"""Background delivery: retried until the receiver takes it, dropped after the last try."""

from __future__ import annotations

import json
import random

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from homing.client.http import new_http_client
from homing.client.notify import Event, EventKind
from homing.client.notify.heartbeat import Heartbeat
from homing.client.notify.outbox import Outbox
from homing.client.notify.webhook import Webhook

from ..standins import HttpStandIn, text, wait_until

CHANGED = Event(kind=EventKind.CHANGED, at=0.0, name="home.example.net", provider="dyndns2")


def _fast(notifiers: list[Webhook | Heartbeat], attempts: int = 3) -> Outbox:
    return Outbox(
        notifiers, attempts=attempts, retry_base=0.01, retry_cap=0.05, rng=random.Random(1)
    )


async def test_a_failing_receiver_is_retried_until_it_takes_the_event() -> None:
    answers = [500, 502, 200]

    async def flaky(request: Request) -> Response:
        return PlainTextResponse("", status_code=answers[len(receiver.seen) - 1])

    async with (
        HttpStandIn(flaky) as receiver,
        new_http_client(timeout=1.0) as http,
        _fast([Webhook(url=f"{receiver.url}/hook", http=http)]) as outbox,
    ):
        outbox.post(CHANGED)
        await wait_until(lambda: outbox.delivered == 1, what="the third try")
    assert len(receiver.seen) == 3
    assert all(json.loads(s.body)["event"] == "changed" for s in receiver.seen)
    assert outbox.dropped == 0


async def test_dropped_after_the_last_try_and_other_channels_unaffected() -> None:
    async with (
        HttpStandIn(text("down", 503)) as broken,
        HttpStandIn(text("OK")) as monitor,
        new_http_client(timeout=1.0) as http,
    ):
        webhook = Webhook(url=f"{broken.url}/hook", http=http)
        heartbeat = Heartbeat(url=f"{monitor.url}/ping/abc", http=http)
        async with _fast([webhook, heartbeat], attempts=2) as outbox:
            outbox.post(CHANGED)
            outbox.post(Event(kind=EventKind.UNHEALTHY, at=0.0, detail="b: failing"))
            await wait_until(lambda: outbox.dropped == 1, what="the webhook to give up")
            await wait_until(lambda: outbox.delivered == 1, what="the heartbeat")
    assert len(broken.seen) == 2  # the heartbeat's event was not sent to the webhook
    assert [(s.method, s.path, s.body) for s in monitor.seen] == [
        ("POST", "/ping/abc/fail", b"b: failing")
    ]


async def test_post_never_waits_for_a_hanging_receiver() -> None:
    async def hang(request: Request) -> Response:
        await receiver.release.wait()
        return PlainTextResponse("late")

    async with HttpStandIn(hang) as receiver, new_http_client(timeout=30.0) as http:
        outbox = Outbox([Webhook(url=receiver.url, http=http)], drain_seconds=0.1)
        async with outbox:
            for _ in range(200):  # more than the queue holds: the excess is dropped
                outbox.post(CHANGED)
            await wait_until(lambda: len(receiver.seen) == 1, what="the first delivery")
        assert outbox.dropped >= 200 - 100 - 1

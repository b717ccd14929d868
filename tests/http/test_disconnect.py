"""A read whose client has gone is cancelled; writes finish; ``homing serve`` stops within
seconds of SIGTERM while a request is still running (issue 15)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.types import Message, Receive, Scope, Send

from homing.http.disconnect import CancelOnDisconnect
from integration.server import ServerProcess, homing

WAIT = 10.0


class Slow:
    """An ASGI app that reads its body, then waits until released (or cancelled)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.body = b""
        self.cancelled = False
        self.finished = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        more = True
        while more:
            message = await receive()
            self.body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})
        self.finished = True


class Client:
    """The server side of one connection: body chunks, then a disconnect when told."""

    def __init__(self, *chunks: bytes) -> None:
        self.messages: list[Message] = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks)
        ]
        self.gone = asyncio.Event()
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        if self.messages:
            return self.messages.pop(0)
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        self.sent.append(message)


def scope(method: str, path: str = "/") -> Scope:
    return {"type": "http", "method": method, "path": path}


async def test_a_read_is_cancelled_when_its_client_leaves() -> None:
    app, client = Slow(), Client(b"")
    running = asyncio.ensure_future(
        CancelOnDisconnect(app)(scope("GET"), client.receive, client.send)
    )
    await asyncio.sleep(0)
    client.gone.set()
    await asyncio.wait_for(running, WAIT)
    assert app.cancelled and not app.finished and client.sent == []


async def test_a_read_whose_client_stays_is_answered_with_its_whole_body() -> None:
    app, client = Slow(), Client(b"a" * 10, b"b" * 10)
    running = asyncio.ensure_future(
        CancelOnDisconnect(app)(scope("GET"), client.receive, client.send)
    )
    app.release.set()
    await asyncio.wait_for(running, WAIT)
    assert app.finished and app.body == b"a" * 10 + b"b" * 10
    assert client.sent[-1]["body"] == b"done"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/hosts"), ("GET", "/nic/update"), ("GET", "/update/home/hm_x"), ("GET", "/update")],
)
async def test_a_write_finishes_although_its_client_left(method: str, path: str) -> None:
    app, client = Slow(), Client(b"x=1")
    running = asyncio.ensure_future(
        CancelOnDisconnect(app)(scope(method, path), client.receive, client.send)
    )
    client.gone.set()
    for _ in range(20):  # yield to the loop: anything the disconnect would set off runs now
        await asyncio.sleep(0)
    assert not running.done() and not app.cancelled
    app.release.set()
    await asyncio.wait_for(running, WAIT)
    assert app.finished and not app.cancelled


def test_serve_stops_on_sigterm_while_a_request_is_still_running(tmp_path: Path) -> None:
    data = tmp_path / "data"
    homing(data, "zone", "add", "dyn.example")
    server = ServerProcess(data).start()
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname or "", url.port or 0), timeout=WAIT) as sock:
        # A form whose body never arrives: its handler waits for the rest of it.
        sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: ddns.test\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nuser="
        )
        status = server.stop()  # SIGTERM, then waits (integration.server.STOP_TIMEOUT)
    assert status == 0, server.log()
    assert "graceful shutdown exceeded" in server.log()

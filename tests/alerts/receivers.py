"""Real receivers on loopback for alert delivery: a webhook endpoint and an SMTP sink."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class WebhookReceiver:
    """Answers POSTs with the next status of ``statuses`` (200 once they run out).

    With ``hang`` set, it reads the request and never answers. ``bodies``
    gets every JSON body that was answered 2xx; ``arrived`` every request.
    """

    statuses: list[int] = field(default_factory=list)
    hang: bool = False
    bodies: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    arrived: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    url: str = ""
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = await reader.readexactly(length)
            status = self.statuses.pop(0) if self.statuses else 200
            self.arrived.put_nowait(status)
            if self.hang:
                await self._release.wait()
                return
            if 200 <= status < 300:
                self.bodies.put_nowait(json.loads(body))
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._handlers.discard(task)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[WebhookReceiver]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        try:
            yield self
        finally:
            self._release.set()
            await asyncio.gather(*self._handlers)
            server.close()
            await server.wait_closed()


class _Sink:
    def __init__(self) -> None:
        self.messages: asyncio.Queue[tuple[list[str], Message]] = asyncio.Queue()

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.messages.put_nowait((list(envelope.rcpt_tos), message_from_bytes(content)))
        return "250 OK"


@contextlib.asynccontextmanager
async def smtp_sink() -> AsyncIterator[tuple[int, asyncio.Queue[tuple[list[str], Message]]]]:
    """aiosmtpd's SMTP server on 127.0.0.1, port 0, on the test's own event loop."""
    sink = _Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, hostname="homing.test"), "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], sink.messages
    finally:
        server.close()
        await server.wait_closed()

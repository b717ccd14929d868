"""UDP and TCP listeners around the answer engine: framing, timeouts, limits; no DNS logic.

UDP and TCP share one port per address (a DNS client retries a truncated UDP
answer over TCP on the same port). With DNS workers (``workers``) this
process keeps TCP and only reserves each UDP port: the socket is bound with
SO_REUSEPORT and handed to the first worker (``reserved_udp``), and the
workers answer UDP. TCP messages carry a two-byte length
(RFC 1035 4.2.2, RFC 7766): several queries may follow on one connection and
are answered in order; a connection idle for ``tcp_timeout`` is closed, and
so is one whose client stops reading its answers for as long. How many
connections a source may hold is ``TCPSlots``' business.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import socket
import time
from collections.abc import Coroutine
from typing import Any, cast

from homing.nameserver.engine import Engine
from homing.nameserver.ratelimit import SLIP, ResponseRateLimit, truncated
from homing.nameserver.tcp_slots import TCPSlots
from homing.nameserver.view import ZoneLookup

log = logging.getLogger(__name__)

PORT_RETRIES = 20
TCP_LENGTH_BYTES = 2


MAX_PENDING_UDP = 256
"""Asynchronous UDP requests (UPDATE, NOTIFY) in flight at once; more are dropped, as a
busy server would, and the client retries."""


class _UDPProtocol(asyncio.DatagramProtocol):
    def __init__(self, engine: Engine, rate_limit: ResponseRateLimit | None) -> None:
        self.engine = engine
        self.rate_limit = rate_limit
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's UDP transport does not subclass asyncio.DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        try:
            reply = self.engine.answer(data, tcp=False, peer=str(addr[0]))
        except Exception:
            log.exception("answer failed for a UDP query from %s", addr[0])
            return
        if isinstance(reply, bytes):
            if self.rate_limit is not None:
                self.rate_limit.tick(int(time.monotonic()))
                verdict = self.rate_limit.check(str(addr[0]))
                if verdict:
                    reply = truncated(data) if verdict == SLIP else None
            if self.transport is not None and reply is not None:
                self.transport.sendto(reply, addr)
        elif reply is not None:
            if len(self.pending) >= MAX_PENDING_UDP:
                log.warning("too many UDP requests in flight; dropped one from %s", addr[0])
                reply.close()
                return
            task = asyncio.ensure_future(self._send_later(reply, addr))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)

    async def _send_later(
        self, reply: Coroutine[Any, Any, list[bytes]], addr: tuple[str | int, ...]
    ) -> None:
        try:
            messages = await reply
        except Exception:
            log.exception("handler failed for a UDP request from %s", addr[0])
            return
        if self.transport is not None and not self.transport.is_closing():
            for message in messages:
                self.transport.sendto(message, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("UDP error: %s", exc)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET


class DNSServer:
    """Serves a ZoneView on UDP and TCP at each address; ``bound`` tells the real ports."""

    def __init__(
        self,
        view: ZoneLookup,
        addresses: list[tuple[str, int]],
        *,
        engine: Engine | None = None,
        tcp_timeout: float = 10.0,
        max_tcp_connections: int = 1000,
        max_tcp_per_source: int = 20,
        serve_udp: bool = True,
        rate_limit: ResponseRateLimit | None = None,
    ) -> None:
        self.engine = engine or Engine(view)
        self.addresses = addresses
        self.tcp_timeout = tcp_timeout
        self.tcp_slots = TCPSlots(total=max_tcp_connections, per_source=max_tcp_per_source)
        self.bound: list[tuple[str, int]] = []
        self._udp: list[asyncio.DatagramTransport] = []
        self._tcp: list[asyncio.Server] = []
        self.serve_udp = serve_udp
        self.rate_limit = rate_limit
        """Response rate limiting of the UDP answers given here (none over TCP)."""
        self.reserved_udp: list[socket.socket] = []
        """Bound UDP sockets nobody reads here yet: the DNS workers take them (serve_udp off)."""

    async def start(self) -> None:
        try:
            for host, port in self.addresses:
                await self._listen(host, port)
        except BaseException:
            await self.stop()
            raise

    async def _listen(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(PORT_RETRIES):
            udp_sock = socket.socket(_family(host), socket.SOCK_DGRAM)
            try:
                if _family(host) == socket.AF_INET6:
                    udp_sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                if not self.serve_udp:
                    udp_sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                udp_sock.bind((host, port))
                real_port = udp_sock.getsockname()[1]
                tcp = await asyncio.start_server(
                    self._serve_tcp, host=host, port=real_port, reuse_address=True
                )
            except OSError as exc:
                udp_sock.close()
                if port == 0 and exc.errno == errno.EADDRINUSE:
                    continue
                raise
            self._tcp.append(tcp)
            self.bound.append((host, real_port))
            if not self.serve_udp:
                self.reserved_udp.append(udp_sock)
                log.info("DNS listening on %s port %d (TCP; UDP in the workers)", host, real_port)
                return
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _UDPProtocol(self.engine, self.rate_limit), sock=udp_sock
            )
            self._udp.append(transport)
            log.info("DNS listening on %s port %d (UDP and TCP)", host, real_port)
            return
        raise OSError(errno.EADDRINUSE, f"no free port for UDP and TCP on {host}")

    async def stop(self) -> None:
        for sock in self.reserved_udp:
            sock.close()
        self.reserved_udp.clear()
        for transport in self._udp:
            transport.close()
        for server in self._tcp:
            server.close()
        connections = self.tcp_slots.tasks()
        for task in connections:
            task.cancel()
        for task in connections:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for server in self._tcp:
            await server.wait_closed()
        self._udp.clear()
        self._tcp.clear()
        self.bound.clear()

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        peername = writer.get_extra_info("peername")
        peer = str(peername[0]) if peername else ""
        if not self.tcp_slots.admit(peer, task):
            log.debug("TCP connection from %s refused: no slot left for it", peer)
            writer.close()
            return
        try:
            await self._tcp_session(reader, writer, peer, task)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        finally:
            self.tcp_slots.release(peer, task)
            await self._close(writer)

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        """Close, flushing what is buffered, but never wait on a client that does not read."""
        writer.close()
        try:
            async with asyncio.timeout(self.tcp_timeout):
                await writer.wait_closed()
        except (TimeoutError, ConnectionError, asyncio.CancelledError):
            writer.transport.abort()

    async def _tcp_session(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: str,
        task: asyncio.Task[None],
    ) -> None:
        while True:
            async with asyncio.timeout(self.tcp_timeout):
                prefix = await reader.readexactly(TCP_LENGTH_BYTES)
                length = int.from_bytes(prefix, "big")
                if length == 0:
                    return
                wire = await reader.readexactly(length)
            self.tcp_slots.busy(peer, task, True)
            try:
                reply = self.engine.answer(wire, tcp=True, peer=peer)
                # Handlers are awaited here, so answers on a connection stay in order.
                messages = [reply] if isinstance(reply, bytes) else await reply if reply else []
            except Exception:
                log.exception("answer failed for a TCP query from %s", peer)
                return
            finally:
                self.tcp_slots.busy(peer, task, False)
            for message in messages:
                writer.write(len(message).to_bytes(TCP_LENGTH_BYTES, "big") + message)
            # A client that sends queries but never reads the answers is cut off.
            async with asyncio.timeout(self.tcp_timeout):
                await writer.drain()

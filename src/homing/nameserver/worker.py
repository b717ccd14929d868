"""A DNS worker process: answers UDP on the shared ports from its own compiled view.

The provider starts one worker per CPU (``dns_workers``); each binds every
DNS address with SO_REUSEPORT, so the kernel spreads queries over them, and
each answers in a plain loop over non-blocking sockets: no event loop, no
threads, nothing between receiving a batch of datagrams (``datagrams``:
one ``recvmmsg``) and sending its answers (one ``sendmmsg``) but the fast
path.

The worker's view follows the provider's: it starts from the compiled zones
the provider sends, applies every numbered event after them, and reports the
number it has applied (``Applied``) so that the provider answers an update
only once every worker serves it. It never signs: the DNSSEC signatures an
event needs come with it, and refreshed ones in ``Resigned`` (``signatures``).
It binds its sockets only when the provider says it has caught up
(``Listen``), so a restarted worker never answers from an old view.

What the fast path declines is answered here by the reference engine,
except what needs the provider's store or keys (UPDATE, NOTIFY, TSIG, zone
transfers): that is forwarded over the channel and the reply sent back from
here, from the socket the question came in on.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import select
import signal
import socket
import sys
import time
from itertools import repeat

import dns.exception
import dns.message
import dns.rdatatype

from homing.logs import setup_logging
from homing.nameserver import channel
from homing.nameserver.compiled import CompiledView
from homing.nameserver.datagrams import AVAILABLE as BATCHES_AVAILABLE
from homing.nameserver.datagrams import DatagramBatch
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath
from homing.nameserver.ratelimit import IPV4_SIZE, SEND, SLIP, ResponseRateLimit, truncated

log = logging.getLogger("homing.nameserver.worker")  # also when run as __main__

RECV_SIZE = 8192
DRAIN_BATCH = 64
"""Datagrams answered per socket before the channel is looked at again."""
MAX_FORWARDED = 256
"""Requests waiting for the provider; more are dropped, as a busy server would."""
COUNTS_INTERVAL = 1.0
RECEIVE_BUFFER = 4 << 20
CHANNEL_READ = 1 << 20
OPCODE_BITS = 0x78
TRANSFERS = (dns.rdatatype.AXFR, dns.rdatatype.IXFR)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bind_udp(host: str, port: int) -> socket.socket:
    """A UDP socket on (host, port) that shares the port with the other workers."""
    sock = socket.socket(_family(host), socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class Worker:
    """One worker's loop (see the module docstring)."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.frames = channel.FrameReader()
        self.view = CompiledView(signs=False)
        self.fast = FastPath(self.view)
        self.engine = Engine(self.view, fast=self.fast)
        self.setup: channel.Setup | None = None
        self.sockets: dict[int, socket.socket] = {}
        self.batches: dict[int, DatagramBatch] = {}
        """Datagrams by the batch (``datagrams``); the plain loop where libc cannot."""
        self.poll = select.epoll()
        self.outgoing = bytearray()
        self.waiting_to_write = False
        self.applied = 0
        self.acked = -1
        self.forwarded: dict[int, tuple[socket.socket, tuple[str | int, ...]]] = {}
        self.next_request = 0
        self.last_counts: channel.Counts | None = None
        self.rrl: ResponseRateLimit | None = None
        self.running = True

    def run(self) -> None:
        # Until it listens, the worker only unpickles the provider's zones (memory.py).
        gc.disable()
        self.control.setblocking(False)
        self.poll.register(self.control.fileno(), select.EPOLLIN)
        next_counts = time.monotonic() + COUNTS_INTERVAL
        while self.running:
            for fd, events in self.poll.poll(COUNTS_INTERVAL):
                if fd == self.control.fileno():
                    if events & select.EPOLLIN:
                        self._read_channel()
                    if events & select.EPOLLOUT:
                        self._flush()
                elif fd in self.batches:
                    self._drain_batch(self.sockets[fd], self.batches[fd])
                else:
                    self._drain(self.sockets[fd])
            if self.applied != self.acked:
                self._send(channel.Applied(self.applied))
                self.acked = self.applied
            now = time.monotonic()
            if now >= next_counts:
                next_counts = now + COUNTS_INTERVAL
                self._send_counts()

    def _read_channel(self) -> None:
        while True:
            try:
                data = self.control.recv(CHANNEL_READ)
            except BlockingIOError:
                return
            if not data:
                log.info("the provider is gone; worker stops")
                self.running = False
                return
            for message in self.frames.feed(data):
                self._handle(message)

    def _handle(self, message: channel.Message) -> None:
        if isinstance(message, channel.Event):
            self.view.apply(message.event, message.signatures)
            self.applied = message.seq
        elif isinstance(message, channel.Resigned):
            self.view.install_refreshed(message.refreshed)
        elif isinstance(message, channel.Reply):
            target = self.forwarded.pop(message.request, None)
            if target is not None:
                sock, addr = target
                for wire in message.messages:
                    self._sendto(sock, wire, addr)
        elif isinstance(message, channel.ZoneState):
            self.view.install(message.zone)
        elif isinstance(message, channel.Synced):
            self.applied = message.seq
        elif isinstance(message, channel.Setup):
            self.setup = message
            setup_logging(message.log_level, message.log_format)
            self.fast = FastPath(self.view, udp_max_payload=message.udp_max_payload)
            self.engine = Engine(self.view, fast=self.fast, udp_max_payload=message.udp_max_payload)
            if message.rate_limit.rate:
                self.rrl = ResponseRateLimit(message.rate_limit)
        elif isinstance(message, channel.Listen):
            self._listen()
        elif isinstance(message, channel.Stop):
            self.running = False

    def _listen(self) -> None:
        assert self.setup is not None
        gc.freeze()
        gc.enable()
        for (host, port), fd in zip(self.setup.addresses, self.setup.inherited, strict=True):
            sock = socket.socket(fileno=fd) if fd >= 0 else bind_udp(host, port)
            sock.setblocking(False)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            except OSError:
                log.debug("could not enlarge the receive buffer of %s:%d", host, port)
            self.sockets[sock.fileno()] = sock
            if BATCHES_AVAILABLE:
                self.batches[sock.fileno()] = DatagramBatch(sock)
            self.poll.register(sock.fileno(), select.EPOLLIN)
        log.info("DNS worker %d answering (pid %d)", self.setup.index, os.getpid())

    def _drain_batch(self, sock: socket.socket, batch: DatagramBatch) -> None:
        """``_drain`` by the batch: the same answers, one system call each way.

        The fast path is mapped over the batch (no Python loop per datagram); only
        the datagrams it declines, and rate limiting, are looked at one by one.
        """
        count = batch.receive()
        if not count:
            return
        wires = batch.datagrams(count)
        replies: list[bytes | None] = list(map(self.fast.answer, wires, repeat(False)))
        if None in replies:
            for k, reply in enumerate(replies):
                if reply is None:
                    replies[k] = self._slow(sock, wires[k], batch.source(k))
        rrl = self.rrl
        if rrl is not None:
            rrl.tick(int(time.monotonic()))
            verdicts = _verdicts(rrl, batch, count, replies)
            if verdicts is not None and any(verdicts):
                for k, verdict in enumerate(verdicts):
                    if verdict and replies[k] is not None:
                        replies[k] = truncated(wires[k]) if verdict == SLIP else None
        batch.send(replies)

    def _drain(self, sock: socket.socket) -> None:
        receive, send, answer, rrl = sock.recvfrom, sock.sendto, self.fast.answer, self.rrl
        if rrl is not None:
            rrl.tick(int(time.monotonic()))
        for _ in range(DRAIN_BATCH):
            try:
                wire, addr = receive(RECV_SIZE)
            except BlockingIOError:
                return
            except OSError as exc:
                log.debug("UDP receive error: %s", exc)
                return
            reply = answer(wire, False)
            if reply is None:
                reply = self._slow(sock, wire, addr)
                if reply is None:
                    continue
            if rrl is not None and (verdict := rrl.check(addr[0])):
                reply = truncated(wire) if verdict == SLIP else None
                if reply is None:
                    continue
            try:
                send(reply, addr)
            except OSError as exc:
                log.debug("UDP send to %s failed: %s", addr[0], exc)

    def _slow(self, sock: socket.socket, wire: bytes, addr: tuple[str | int, ...]) -> bytes | None:
        """The reference engine's answer, or None after forwarding what only the provider can do."""
        if len(wire) > 2 and wire[2] & OPCODE_BITS:
            return self._forward(sock, wire, addr)
        try:
            message = dns.message.from_wire(wire, keyring=False)
        except (dns.exception.DNSException, ValueError, IndexError, UnicodeError):
            message = None
        if message is not None and (
            message.had_tsig or any(q.rdtype in TRANSFERS for q in message.question)
        ):
            return self._forward(sock, wire, addr)
        reply = self.engine.answer_reference(wire, tcp=False, peer=str(addr[0]))
        if reply is None or isinstance(reply, bytes):
            return reply
        reply.close()
        return self._forward(sock, wire, addr)

    def _forward(
        self, sock: socket.socket, wire: bytes, addr: tuple[str | int, ...]
    ) -> bytes | None:
        """Send ``wire`` to the provider; its reply goes out later (None: nothing to send now)."""
        if len(self.forwarded) >= MAX_FORWARDED:
            log.warning("too many requests waiting for the provider; dropped one from %s", addr[0])
            return None
        self.next_request += 1
        self.forwarded[self.next_request] = (sock, addr)
        self._send(channel.Forward(self.next_request, wire, str(addr[0])))
        return None

    @staticmethod
    def _sendto(sock: socket.socket, wire: bytes, addr: tuple[str | int, ...]) -> None:
        try:
            sock.sendto(wire, addr)
        except OSError as exc:
            log.debug("UDP send to %s failed: %s", addr[0], exc)

    def _send_counts(self) -> None:
        rrl = self.rrl
        counts = channel.Counts(
            dict(self.engine.counts()),
            rrl.dropped if rrl else 0,
            rrl.slipped if rrl else 0,
        )
        if counts != self.last_counts:
            self.last_counts = counts
            self._send(counts)

    def _send(self, message: channel.Message) -> None:
        self.outgoing += channel.encode(message)
        self._flush()

    def _flush(self) -> None:
        while self.outgoing:
            try:
                sent = self.control.send(self.outgoing)
            except BlockingIOError:
                if not self.waiting_to_write:
                    self.poll.modify(self.control.fileno(), select.EPOLLIN | select.EPOLLOUT)
                    self.waiting_to_write = True
                return
            except OSError as exc:
                if exc.errno in (errno.EPIPE, errno.ECONNRESET):
                    self.running = False
                    return
                raise
            del self.outgoing[:sent]
        if self.waiting_to_write:
            self.poll.modify(self.control.fileno(), select.EPOLLIN)
            self.waiting_to_write = False


def _verdicts(
    rrl: ResponseRateLimit, batch: DatagramBatch, count: int, replies: list[bytes | None]
) -> list[int] | None:
    """Rate limiting's verdict on each answer of a batch; None when every one is sent.

    A batch where every query has an answer is counted whole (``check_networks``),
    its IPv4 networks read as words straight from the kernel's addresses.
    """
    if None not in replies:
        if batch.address_size == IPV4_SIZE:
            return rrl.check_networks(rrl.ipv4_networks(batch.ipv4_words(count)))
        if rrl.ipv6_bytes:
            return rrl.check_networks(batch.addresses(count, rrl.ipv6_bytes))
    return [
        rrl.check_packed(address) if reply is not None else SEND
        for address, reply in zip(batch.addresses(count), replies, strict=True)
    ]


def main() -> None:
    """``python -m homing.nameserver.worker FD``: FD is the inherited channel socket."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the provider decides when workers stop
    control = socket.socket(fileno=int(sys.argv[1]))
    Worker(control).run()


if __name__ == "__main__":
    main()

"""Datagrams by the batch (recvmmsg/sendmmsg) against the plain recvfrom/sendto loop.

The batch is what the DNS workers use; the plain loop is the reference it
is held to: the same queries from the same sources give the same replies
to the same sources in the same order, the same forwarded requests, and
the same rate-limiting verdicts. Real sockets on loopback throughout.
"""

from __future__ import annotations

import select
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dns.flags
import dns.message
import dns.opcode
import dns.update
import pytest

from homing.nameserver import channel
from homing.nameserver.datagrams import AVAILABLE, BATCH, DatagramBatch
from homing.nameserver.ratelimit import RateLimitSettings, ResponseRateLimit
from homing.nameserver.worker import Worker

from .conftest import ZONE, snapshot

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="libc has no recvmmsg")
DEADLINE = 10.0
SOURCES = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
MARKER_SOURCE = "127.0.0.9"


def _udp(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((host, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    return sock


def _queries() -> list[bytes]:
    """Every way through the worker: fast answers, the reference, forwards and garbage."""
    wires = []
    for n, (name, rtype) in enumerate(
        [
            ("home", "A"),
            ("HoMe", "AAAA"),
            ("home", "MX"),
            ("missing", "A"),
            ("alias", "A"),
            ("big", "TXT"),
            ("x.wild", "A"),
            ("www.example.org.", "A"),
        ]
        * 6
    ):
        qname = name if name.endswith(".") else f"{name}.{ZONE}"
        query = dns.message.make_query(qname, rtype, use_edns=0 if n % 2 else None, id=n + 1)
        wires.append(query.to_wire())
    update = dns.update.UpdateMessage(ZONE, id=999)
    update.add(f"home.{ZONE}", 60, "A", "192.0.2.77")
    wires.append(update.to_wire())
    # Garbage, and a datagram larger than a slot (both loops read its first 8,192 bytes).
    wires += [b"", b"\x00" * 5, b"\xff" * 40, wires[0][:2] + b"\x01\x00" + b"\x00" * 9000]
    return wires


def _worker() -> tuple[Worker, socket.socket]:
    control, provider = socket.socketpair()
    control.setblocking(False)
    worker = Worker(control)
    worker.view.apply(snapshot())
    worker.rrl = ResponseRateLimit(RateLimitSettings(rate=10, slip=2, ipv4_prefix=32))
    return worker, provider


def _received(sock: socket.socket) -> list[bytes]:
    sock.setblocking(False)
    found = []
    while True:
        try:
            found.append(sock.recv(65535))
        except BlockingIOError:
            return found


@contextmanager
def _closing(*socks: socket.socket) -> Iterator[None]:
    try:
        yield
    finally:
        for sock in socks:
            sock.close()


def _serve(batched: bool, wires: list[bytes]) -> tuple[list[list[bytes]], list[channel.Message]]:
    """The replies each source gets, and what went to the provider, for one way of draining."""
    worker, provider = _worker()
    server = _udp("127.0.0.1")
    server.setblocking(False)
    clients = [_udp(host) for host in SOURCES]
    marker = _udp(MARKER_SOURCE)
    with _closing(server, provider, worker.control, marker, *clients):
        batch = DatagramBatch(server)
        for n, wire in enumerate(wires):
            clients[n % len(clients)].sendto(wire, server.getsockname())
        # The marker goes last: once its answer is back, every datagram before it was read.
        mark = dns.message.make_query(f"home.{ZONE}", "A", id=4242).to_wire()
        marker.sendto(mark, server.getsockname())
        deadline = time.monotonic() + DEADLINE
        while not select.select([marker], [], [], 0)[0]:
            assert time.monotonic() < deadline, "the marker was never answered"
            select.select([server], [], [], 0.1)
            if batched:
                worker._drain_batch(server, batch)
            else:
                worker._drain(server)
        assert _received(marker)[0][:2] == mark[:2]
        provider.setblocking(False)
        frames = channel.FrameReader()
        forwarded = list(frames.feed(b"".join(_received(provider))))
        return [_received(client) for client in clients], forwarded


def _in_one_second(batched: bool, wires: list[bytes]) -> tuple[object, ...]:
    """``_serve`` within one rate-limiting window (a second boundary changes the verdicts)."""
    for _ in range(5):
        second = int(time.monotonic())
        served = _serve(batched, wires)
        if int(time.monotonic()) == second:
            return served
    pytest.fail("no run fitted in one second")


def test_the_batch_serves_what_the_plain_loop_serves() -> None:
    wires = _queries()
    plain = _in_one_second(False, wires)
    batched = _in_one_second(True, wires)
    assert batched == plain
    replies, forwarded = plain
    assert isinstance(replies, list) and isinstance(forwarded, list)
    messages = [dns.message.from_wire(r) for per_source in replies for r in per_source]
    # Rate limiting dropped some and slipped some (TC, no records) with a budget of 10 each.
    assert 3 * 10 < len(messages) < len(wires)
    assert any(m.flags & dns.flags.TC and not m.answer for m in messages)
    # The reference engine answered what the fast path declines (the CNAME chain).
    assert any(m.answer and m.answer[0].rdtype == dns.rdatatype.CNAME for m in messages)
    # The UPDATE, and what only looks like another opcode, went to the provider with the source.
    assert [(m.wire, m.peer) for m in forwarded if isinstance(m, channel.Forward)] == [
        (wires[n], SOURCES[n % len(SOURCES)]) for n in (48, 51)
    ]


def test_a_batch_of_answers_alone_is_limited_as_the_plain_loop_limits_it() -> None:
    """Every query answered: the batch is counted whole, its IPv4 networks read as words."""
    wires = [dns.message.make_query(f"home.{ZONE}", "A", id=n + 1).to_wire() for n in range(20 * 3)]
    plain = _in_one_second(False, wires)
    batched = _in_one_second(True, wires)
    assert batched == plain
    replies, forwarded = plain
    assert isinstance(replies, list) and not forwarded
    # Each source sent 20 with a budget of 10: 10 answers, then every second one slipped.
    assert [len(per_source) for per_source in replies] == [15, 15, 15]


def test_ipv4_words_are_the_sources_as_words_of_this_machine() -> None:
    server = _udp("127.0.0.1")
    server.setblocking(False)
    clients = [_udp(host) for host in ("127.0.0.2", "127.1.2.3", "127.255.254.253")]
    with _closing(server, *clients):
        batch = DatagramBatch(server)
        for client in clients * 2:
            client.sendto(b"x", server.getsockname())
        seen: list[tuple[int, str]] = []
        deadline = time.monotonic() + DEADLINE
        while len(seen) < 6:
            assert time.monotonic() < deadline
            select.select([server], [], [], 0.1)
            count = batch.receive()
            words = batch.ipv4_words(count)
            seen += [(words[k], str(batch.source(k)[0])) for k in range(count)]
        for word, host in seen:
            assert word == int.from_bytes(socket.inet_aton(host), sys.byteorder)
        assert {host for _, host in seen} == {"127.0.0.2", "127.1.2.3", "127.255.254.253"}


def test_a_batch_takes_at_most_its_slots_and_keeps_sources_and_order() -> None:
    server = _udp("::1")
    server.setblocking(False)
    clients = [_udp("::1") for _ in range(3)]
    with _closing(server, *clients):
        batch = DatagramBatch(server)
        sent = [(n % 3, f"datagram {n}".encode() * (n % 7)) for n in range(BATCH + 10)]
        for client, data in sent:
            clients[client].sendto(data, server.getsockname())
        got: list[tuple[bytes, object, bytes]] = []
        replied: dict[object, list[bytes]] = {}
        deadline = time.monotonic() + DEADLINE
        while len(got) < len(sent):
            assert time.monotonic() < deadline
            select.select([server], [], [], 0.1)
            count = batch.receive()
            assert count <= BATCH
            replies: list[bytes | None] = []
            for data, address, k in zip(
                batch.datagrams(count), batch.addresses(count), range(count), strict=True
            ):
                source = batch.source(k)[:2]
                got.append((data, source, address))
                replies.append(b"reply " + data if len(got) % 2 else None)
                if len(got) % 2:
                    replied.setdefault(source, []).append(b"reply " + data)
            batch.send(replies)
        assert [data for data, _, _ in got] == [data for _, data in sent]
        names = [client.getsockname()[:2] for client in clients]
        assert [source for _, source, _ in got] == [names[client] for client, _ in sent]
        assert {address for _, _, address in got} == {socket.inet_pton(socket.AF_INET6, "::1")}
        for name, receiver in zip(names, clients, strict=True):
            assert _received(receiver) == replied.get(name, [])

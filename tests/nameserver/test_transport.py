"""The UDP and TCP listeners on real loopback sockets: framing, pipelining, timeouts, limits."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable

import dns.asyncquery
import dns.flags
import dns.message
import dns.rcode
import pytest

from homing.nameserver.transport import DNSServer
from homing.nameserver.view import ZoneView

from .conftest import BIG_TXT_COUNT

DEADLINE = 5.0
SLOW_DEADLINE = 60.0


@pytest.fixture
async def server(view: ZoneView) -> AsyncIterator[DNSServer]:
    running = DNSServer(view, [("127.0.0.1", 0)], tcp_timeout=0.5, max_tcp_connections=4)
    await running.start()
    yield running
    await running.stop()


def query_wire(name: str, rdtype: str = "A", *, query_id: int = 0) -> bytes:
    query = dns.message.make_query(name, rdtype, use_edns=False)
    query.id = query_id
    return query.to_wire()


def framed(wire: bytes) -> bytes:
    return len(wire).to_bytes(2, "big") + wire


async def read_framed(reader: asyncio.StreamReader) -> dns.message.Message:
    async with asyncio.timeout(DEADLINE):
        length = int.from_bytes(await reader.readexactly(2), "big")
        return dns.message.from_wire(await reader.readexactly(length))


async def test_udp_answers(server: DNSServer) -> None:
    host, port = server.bound[0]
    query = dns.message.make_query("home.ddns.test.", "A")
    response = await dns.asyncquery.udp(query, host, port=port, timeout=DEADLINE)
    assert response.rcode() == dns.rcode.NOERROR
    assert [r.to_text() for r in response.answer[0]] == ["192.0.2.1"]


async def test_truncated_udp_answer_is_complete_over_tcp_on_the_same_port(
    server: DNSServer,
) -> None:
    host, port = server.bound[0]
    query = dns.message.make_query("big.ddns.test.", "TXT", use_edns=False)
    over_udp = await dns.asyncquery.udp(query, host, port=port, timeout=DEADLINE)
    assert over_udp.flags & dns.flags.TC
    over_tcp = await dns.asyncquery.tcp(query, host, port=port, timeout=DEADLINE)
    assert not over_tcp.flags & dns.flags.TC
    assert len(over_tcp.answer[0]) == BIG_TXT_COUNT


async def test_pipelined_tcp_queries_are_answered_in_order(server: DNSServer) -> None:
    host, port = server.bound[0]
    reader, writer = await asyncio.open_connection(host, port)
    names = [f"n{i}.wild.ddns.test." for i in range(20)] + ["nobody.ddns.test."]
    writer.write(b"".join(framed(query_wire(n, query_id=i)) for i, n in enumerate(names)))
    await writer.drain()
    for i, name in enumerate(names):
        response = await read_framed(reader)
        assert response.id == i
        assert response.question[0].name.to_text() == name
    assert response.rcode() == dns.rcode.NXDOMAIN
    writer.close()
    await writer.wait_closed()


async def test_query_split_across_segments_is_reassembled(server: DNSServer) -> None:
    host, port = server.bound[0]
    reader, writer = await asyncio.open_connection(host, port)
    message = framed(query_wire("home.ddns.test.", query_id=7))
    for piece in (message[:1], message[1:5], message[5:]):
        writer.write(piece)
        await writer.drain()
    response = await read_framed(reader)
    assert response.id == 7
    assert response.answer
    writer.close()
    await writer.wait_closed()


async def test_idle_tcp_connection_is_closed(server: DNSServer) -> None:
    host, port = server.bound[0]
    reader, writer = await asyncio.open_connection(host, port)
    async with asyncio.timeout(DEADLINE):
        assert await reader.read() == b""
    writer.close()


async def test_tcp_garbage_gets_formerr_and_the_connection_goes_on(server: DNSServer) -> None:
    host, port = server.bound[0]
    reader, writer = await asyncio.open_connection(host, port)
    garbage = bytes.fromhex("0101 0000 0001 0000 0000 0000".replace(" ", "")) + b"\xc0\x0c"
    writer.write(framed(garbage) + framed(query_wire("home.ddns.test.", query_id=9)))
    await writer.drain()
    first = await read_framed(reader)
    assert first.id == 0x0101
    assert first.rcode() == dns.rcode.FORMERR
    second = await read_framed(reader)
    assert second.id == 9
    assert second.answer
    writer.close()
    await writer.wait_closed()


async def test_zero_length_message_ends_the_connection(server: DNSServer) -> None:
    host, port = server.bound[0]
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"\x00\x00")
    await writer.drain()
    async with asyncio.timeout(DEADLINE):
        assert await reader.read() == b""
    writer.close()


async def test_connections_over_the_limit_are_closed(server: DNSServer) -> None:
    host, port = server.bound[0]
    held = [await asyncio.open_connection(host, port) for _ in range(server.tcp_slots.total)]
    for reader, writer in held:
        writer.write(framed(query_wire("home.ddns.test.")))
        await writer.drain()
        assert (await read_framed(reader)).answer
    reader, writer = await asyncio.open_connection(host, port)
    async with asyncio.timeout(DEADLINE):
        assert await reader.read() == b""
    writer.close()
    for _, held_writer in held:
        held_writer.close()


async def test_udp_garbage_does_not_stop_the_server(server: DNSServer) -> None:
    host, port = server.bound[0]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for junk in (b"", b"\x00", b"\xff" * 11, b"\x00" * 4096):
            sock.sendto(junk, (host, port))
    query = dns.message.make_query("home.ddns.test.", "A")
    response = await dns.asyncquery.udp(query, host, port=port, timeout=DEADLINE)
    assert response.answer


async def test_ipv6_loopback(view: ZoneView) -> None:
    server = DNSServer(view, [("::1", 0), ("127.0.0.1", 0)])
    await server.start()
    try:
        assert [h for h, _ in server.bound] == ["::1", "127.0.0.1"]
        query = dns.message.make_query("home.ddns.test.", "AAAA")
        for host, port in server.bound:
            response = await dns.asyncquery.udp(query, host, port=port, timeout=DEADLINE)
            assert [r.to_text() for r in response.answer[0]] == ["2001:db8::1"]
            tcp = await dns.asyncquery.tcp(query, host, port=port, timeout=DEADLINE)
            assert tcp.answer
    finally:
        await server.stop()
    assert server.bound == []


async def test_a_taken_port_is_an_error(server: DNSServer, view: ZoneView) -> None:
    host, port = server.bound[0]
    second = DNSServer(view, [(host, port)])
    with pytest.raises(OSError):
        await second.start()
    assert second.bound == []


async def _connect(
    host: str, port: int, source: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(host, port, local_addr=(source, 0))


async def _answered(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    writer.write(framed(query_wire("home.ddns.test.")))
    await writer.drain()
    return bool((await read_framed(reader)).answer)


async def _closed_by_server(reader: asyncio.StreamReader) -> bool:
    async with asyncio.timeout(DEADLINE):
        return await reader.read() == b""


async def _until(condition: Callable[[], bool], deadline: float = DEADLINE) -> None:
    async with asyncio.timeout(deadline):
        while not condition():
            await asyncio.sleep(0.01)


@pytest.fixture
async def shared(view: ZoneView) -> AsyncIterator[DNSServer]:
    """Four slots in all, at most three per source."""
    running = DNSServer(
        view, [("127.0.0.1", 0)], tcp_timeout=0.5, max_tcp_connections=4, max_tcp_per_source=3
    )
    await running.start()
    yield running
    await running.stop()


async def test_one_source_holds_at_most_its_cap_and_others_still_get_in(
    shared: DNSServer,
) -> None:
    host, port = shared.bound[0]
    flood = [await _connect(host, port, "127.0.0.2") for _ in range(3)]
    for reader, writer in flood:
        assert await _answered(reader, writer)
    reader, writer = await _connect(host, port, "127.0.0.2")
    assert await _closed_by_server(reader)
    writer.close()
    other = await _connect(host, port, "127.0.0.3")
    assert await _answered(*other)
    assert shared.tcp_slots.refused == 1
    for _, held in [*flood, other]:
        held.close()


async def test_a_full_server_sheds_the_biggest_holders_oldest_idle_connection(
    shared: DNSServer,
) -> None:
    host, port = shared.bound[0]
    flood = [await _connect(host, port, "127.0.0.2") for _ in range(3)]
    neighbour = await _connect(host, port, "127.0.0.3")
    for connection in [*flood, neighbour]:
        assert await _answered(*connection)
    newcomer = await _connect(host, port, "127.0.0.4")
    assert await _answered(*newcomer)
    assert await _closed_by_server(flood[0][0])
    assert shared.tcp_slots.evicted == 1
    for reader, writer in [*flood[1:], neighbour]:
        assert await _answered(reader, writer)
    late = await _connect(host, port, "127.0.0.5")
    # Every source now holds at most two: nobody has more than a newcomer's fair share.
    assert await _closed_by_server(late[0])
    for _, writer in [*flood, neighbour, newcomer, late]:
        writer.close()


async def test_a_client_that_never_reads_its_answers_is_cut_off(server: DNSServer) -> None:
    host, port = server.bound[0]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    sock.setblocking(False)
    reader, writer = await asyncio.open_connection(sock=sock)
    query = framed(query_wire("big.ddns.test.", "TXT"))
    writer.write(query * 3000)
    # Thousands of answers to produce first: a generous deadline for a busy machine.
    await _until(lambda: len(server.tcp_slots) == 1, SLOW_DEADLINE)
    await _until(lambda: len(server.tcp_slots) == 0, SLOW_DEADLINE)
    # The server dropped the connection with the answers the client never read.
    async with asyncio.timeout(SLOW_DEADLINE):
        with contextlib.suppress(ConnectionResetError):
            while await reader.read(1 << 16):
                pass
    writer.transport.abort()


async def test_stop_closes_held_connections(view: ZoneView) -> None:
    running = DNSServer(view, [("127.0.0.1", 0)])
    await running.start()
    host, port = running.bound[0]
    reader, writer = await asyncio.open_connection(host, port)
    await _until(lambda: len(running.tcp_slots) == 1)
    await running.stop()
    assert await _closed_by_server(reader)
    assert len(running.tcp_slots) == 0
    writer.close()

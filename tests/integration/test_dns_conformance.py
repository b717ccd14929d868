"""DNS behaviour as the real dig and kdig see it, over UDP and TCP, IPv4 and IPv6.

The server here is our DNSServer in a background thread, fed the test zone of
``tests/nameserver`` (it has a TXT set too big for 512 bytes), so truncation
and EDNS sizes can be checked with the tools operators use.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator

import pytest

from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath
from homing.nameserver.transport import DNSServer

from ..nameserver.conftest import BIG_TXT_COUNT, snapshot
from .dnsquery import dig, kdig

START_TIMEOUT = 10.0


class ThreadedServer:
    """A DNSServer on its own event loop thread, listening on 127.0.0.1 and ::1."""

    def __init__(self) -> None:
        self.bound: list[tuple[str, int]] = []
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        view = CompiledView()
        view.apply(snapshot())
        engine = Engine(view, fast=FastPath(view))
        server = DNSServer(view, [("127.0.0.1", 0), ("::1", 0)], engine=engine)
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await server.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            raise
        self.bound = list(server.bound)
        self._ready.set()
        await self._stop.wait()
        await server.stop()

    def start(self) -> ThreadedServer:
        self._thread.start()
        assert self._ready.wait(START_TIMEOUT), "DNS server did not start"
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(START_TIMEOUT)
        assert not self._thread.is_alive()


@pytest.fixture(scope="module")
def servers() -> Iterator[list[tuple[str, int]]]:
    running = ThreadedServer().start()
    yield running.bound
    running.stop()


@pytest.fixture
def v4(servers: list[tuple[str, int]]) -> tuple[str, int]:
    return servers[0]


def status(out: str) -> str:
    found = re.search(r"status: (\w+)", out)
    assert found, out
    return found.group(1)


def flags(out: str) -> set[str]:
    found = re.search(r"flags: ([a-z ]+);", out, re.IGNORECASE)
    assert found, out
    return set(found.group(1).split())


def section(out: str, title: str) -> list[str]:
    """Record lines of one section of dig's output (e.g. 'ANSWER')."""
    found = re.search(rf";; {title} SECTION:\n(.*?)(?:\n\n|\Z)", out, re.S)
    return found.group(1).splitlines() if found else []


@pytest.mark.parametrize("transport", ["+notcp", "+tcp"])
def test_dig_case_is_echoed(v4: tuple[str, int], transport: str) -> None:
    out = dig(v4, transport, "HoMe.dDnS.TEST", "A")
    assert status(out) == "NOERROR"
    assert "aa" in flags(out)
    assert ";HoMe.dDnS.TEST.\t" in out
    assert any("192.0.2.1" in line for line in section(out, "ANSWER"))


def test_dig_truncated_udp_then_tcp(v4: tuple[str, int]) -> None:
    truncated = dig(v4, "+bufsize=512", "+ignore", "big.ddns.test", "TXT")
    assert "tc" in flags(truncated)
    assert section(truncated, "ANSWER") == []
    retried = dig(v4, "+bufsize=512", "big.ddns.test", "TXT")
    assert "Truncated, retrying in TCP mode" in retried
    assert len(section(retried, "ANSWER")) == BIG_TXT_COUNT


def test_kdig_udp_answers_stop_at_the_max_payload(v4: tuple[str, int]) -> None:
    """A client offering 4096 bytes still gets at most 1232 over UDP (amplification)."""
    for size in ("700", "1232", "4096"):
        out = kdig(v4, f"+bufsize={size}", "+ignore", "big.ddns.test", "TXT")
        assert "tc" in flags(out)
        assert section(out, "ANSWER") == []
    retried = kdig(v4, "+bufsize=4096", "big.ddns.test", "TXT")
    assert "(TCP)" in retried
    assert retried.count("\tTXT\t") == BIG_TXT_COUNT


def test_nxdomain_and_nodata_carry_the_soa(v4: tuple[str, int]) -> None:
    nxdomain = dig(v4, "nobody.ddns.test", "A")
    assert status(nxdomain) == "NXDOMAIN"
    authority = section(nxdomain, "AUTHORITY")
    assert len(authority) == 1 and "\tSOA\t" in authority[0]
    assert authority[0].split()[1] == "30"
    nodata = kdig(v4, "+tcp", "home.ddns.test", "MX")
    assert status(nodata) == "NOERROR"
    assert "ANSWER: 0" in nodata and "AUTHORITY: 1" in nodata


def test_outside_names_are_refused_without_recursion(v4: tuple[str, int]) -> None:
    out = dig(v4, "+rec", "www.example.org", "A")
    assert status(out) == "REFUSED"
    assert "ra" not in flags(out)


def test_any_is_minimal(v4: tuple[str, int]) -> None:
    out = kdig(v4, "home.ddns.test", "ANY")
    assert status(out) == "NOERROR"
    assert "ANSWER: 1" in out


def test_formerr_on_garbage_and_the_server_keeps_answering(v4: tuple[str, int]) -> None:
    no_question = dig(v4, "+header-only", "home.ddns.test", "A")
    assert status(no_question) == "FORMERR"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5.0)
        sock.sendto(b"\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c", v4)
        reply, _ = sock.recvfrom(512)
    assert reply[:2] == b"\xab\xcd" and reply[3] & 0x0F == 1  # FORMERR
    assert status(dig(v4, "home.ddns.test", "A")) == "NOERROR"


def test_unknown_edns_version_and_opcode(v4: tuple[str, int]) -> None:
    assert status(kdig(v4, "+edns=1", "home.ddns.test", "A")) == "BADVERS"
    assert status(dig(v4, "+opcode=STATUS", "ddns.test", "SOA")) == "NOTIMP"


def test_ipv6_over_udp_and_tcp(servers: list[tuple[str, int]]) -> None:
    v6 = servers[1]
    assert v6[0] == "::1"
    assert "2001:db8::1" in dig(v6, "home.ddns.test", "AAAA")
    assert "2001:db8::1" in kdig(v6, "+tcp", "home.ddns.test", "AAAA")


def test_a_tcp_flood_from_one_address_leaves_room_for_others(v4: tuple[str, int]) -> None:
    """1,100 connections from one address (the attack): others still get TCP answers."""
    flood: list[socket.socket] = []
    try:
        for _ in range(1100):
            sock = socket.create_connection(v4, timeout=5, source_address=("127.0.0.2", 0))
            flood.append(sock)
        out = dig(v4, "-b", "127.0.0.3", "+tcp", "home.ddns.test", "A")
        assert status(out) == "NOERROR"
        assert any("192.0.2.1" in line for line in section(out, "ANSWER"))
    finally:
        for sock in flood:
            sock.close()

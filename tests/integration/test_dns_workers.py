"""DNS worker processes: every worker serves an update before it is acknowledged (signed as
the provider signed it, in a signed zone), and a dead or stuck worker comes back with current
data while the others go on answering."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype
import dns.rrset
import httpx
import pytest

from .conftest import Seeded
from .dnsquery import wait_for
from .server import ServerProcess, homing

HOST = "home.dyn.example."
UPDATES = 400
SOURCES = 24
"""Enough source ports that both workers get some: all on one worker has odds of 2**-23."""
WORKER_LINE = re.compile(r"DNS worker (\d+) answering \(pid (\d+)\)")


@pytest.fixture
def two_workers(seeded: Seeded, tmp_path: Path) -> Iterator[ServerProcess]:
    config = tmp_path / "homing.toml"
    config.write_text("dns_workers = 2\ndns_rrl_responses_per_second = 0\n")
    process = ServerProcess(seeded.data, config=config).start()
    yield process
    assert process.stop() == 0, process.log()


def _worker_pids(server: ServerProcess) -> dict[int, int]:
    """The newest pid of each worker, from the log lines the workers write when they answer."""
    return {int(m.group(1)): int(m.group(2)) for m in WORKER_LINE.finditer(server.log())}


class Sources:
    """UDP sockets with their own source ports: the kernel spreads them over the workers."""

    def __init__(self, count: int) -> None:
        self.sockets = []
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(("127.0.0.1", 0))
            self.sockets.append(sock)

    def ask_all(self, server: tuple[str, int], name: str) -> list[set[str]]:
        return [self.ask(sock, server, name) for sock in self.sockets]

    @staticmethod
    def ask(sock: socket.socket, server: tuple[str, int], name: str) -> set[str]:
        query = dns.message.make_query(name, "A")
        response = dns.query.udp(query, server[0], port=server[1], timeout=2.0, sock=sock)
        return {r.to_text() for rrset in response.answer for r in rrset}

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def _worker_answers(server: ServerProcess) -> dict[str, float]:
    text = httpx.get(f"{server.url}/metrics").text
    found = re.findall(r'homing_dns_worker_queries_total\{worker="(\d+)"\} (\S+)', text)
    return {worker: float(count) for worker, count in found}


def _wait_until_both_workers_answered(server: ServerProcess) -> None:
    wait_for(
        lambda: (
            len(_worker_answers(server)) == 2
            and all(count > 0 for count in _worker_answers(server).values())
        ),
        timeout=10,
        what="both workers to have answered",
    )


@pytest.mark.timeout(600)
def test_every_worker_serves_an_update_before_it_is_acknowledged(
    two_workers: ServerProcess, seeded: Seeded
) -> None:
    server = two_workers
    sources = Sources(SOURCES)
    stale = []
    try:
        with httpx.Client(base_url=server.url, auth=(HOST.rstrip("."), seeded.token)) as client:
            for n in range(UPDATES):
                address = f"198.51.{n // 250}.{n % 250 + 1}"
                answer = client.get("/nic/update", params={"myip": address}).text
                assert answer == f"good {address}\n"
                for seen in sources.ask_all(server.dns, HOST):
                    if seen != {address}:
                        stale.append((n, seen))
    finally:
        sources.close()
    assert stale == []
    _wait_until_both_workers_answered(server)


def _signed_a(answer: dns.message.Message) -> tuple[dns.rrset.RRset, dns.rrset.RRset]:
    name = dns.name.from_text(HOST)
    found = answer.find_rrset(answer.answer, name, 1, dns.rdatatype.A)
    return found, answer.find_rrset(answer.answer, name, 1, dns.rdatatype.RRSIG, dns.rdatatype.A)


def test_every_worker_serves_an_update_signed_as_the_provider_signed_it(
    two_workers: ServerProcess, seeded: Seeded
) -> None:
    """Workers install the provider's signatures (``nameserver.signatures``): every worker's
    RRSIG validates with the zone's DNSKEY and is the provider's, byte for byte. (ECDSA here
    is deterministic, so that workers never sign is proven in tests/nameserver.)"""
    server = two_workers
    host, port = server.dns

    def over_tcp(name: str, rdtype: str) -> dns.message.Message:
        query = dns.message.make_query(name, rdtype, want_dnssec=True, payload=4096)
        return dns.query.tcp(query, host, port=port, timeout=2.0)  # the provider answers TCP

    homing(seeded.data, "dnssec", "enable", "dyn.example")
    wait_for(
        lambda: len(over_tcp("dyn.example.", "DNSKEY").answer) == 2,
        timeout=10,
        what="the running server to sign the zone",
    )
    apex = over_tcp("dyn.example.", "DNSKEY")
    origin = dns.name.from_text("dyn.example.")
    keyring = {origin: apex.find_rrset(apex.answer, origin, 1, dns.rdatatype.DNSKEY)}
    with httpx.Client(base_url=server.url, auth=(HOST.rstrip("."), seeded.token)) as client:
        assert client.get("/nic/update", params={"myip": "192.0.2.44"}).text == "good 192.0.2.44\n"
    provider_a, provider_rrsig = _signed_a(over_tcp(HOST, "A"))
    assert {r.to_text() for r in provider_a} == {"192.0.2.44"}
    sources = Sources(SOURCES)
    try:
        for sock in sources.sockets:
            query = dns.message.make_query(HOST, "A", want_dnssec=True, payload=1232)
            answer = dns.query.udp(query, host, port=port, timeout=2.0, sock=sock)
            served, rrsig = _signed_a(answer)
            dns.dnssec.validate(served, rrsig, keyring)
            assert [r.to_wire() for r in rrsig] == [r.to_wire() for r in provider_rrsig]
    finally:
        sources.close()
    _wait_until_both_workers_answered(server)


def test_a_killed_worker_comes_back_with_current_data(
    two_workers: ServerProcess, seeded: Seeded
) -> None:
    server = two_workers
    before = _worker_pids(server)
    assert sorted(before) == [0, 1]
    answered = 0
    lost = 0
    stop = threading.Event()

    def load() -> None:
        nonlocal answered, lost
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            query = dns.message.make_query(HOST, "A")
            try:
                dns.query.udp(query, server.dns[0], port=server.dns[1], timeout=0.5)
                answered += 1
            except dns.exception.Timeout:
                lost += 1

    thread = threading.Thread(target=load)
    thread.start()
    try:
        wait_for(lambda: answered > 50, timeout=10, what="queries to flow")
        os.kill(before[0], signal.SIGKILL)
        at_kill = answered
        wait_for(lambda: answered > at_kill + 200, timeout=10, what="answers after the kill")
        wait_for(
            lambda: _worker_pids(server).get(0, before[0]) != before[0],
            timeout=15,
            what="worker 0 to be started again",
        )
    finally:
        stop.set()
        thread.join()
    assert lost < answered / 10
    with httpx.Client(base_url=server.url, auth=(HOST.rstrip("."), seeded.token)) as client:
        assert client.get("/nic/update", params={"myip": "203.0.113.99"}).text.startswith("good")
    sources = Sources(SOURCES)
    try:
        assert sources.ask_all(server.dns, HOST) == [{"203.0.113.99"}] * SOURCES
    finally:
        sources.close()


def test_a_stuck_worker_does_not_hold_updates(two_workers: ServerProcess, seeded: Seeded) -> None:
    server = two_workers
    stuck = _worker_pids(server)[1]
    os.kill(stuck, signal.SIGSTOP)
    try:
        # The settle timeout is 2 s; a worker waited on for ever would make this time out.
        with httpx.Client(
            base_url=server.url, auth=(HOST.rstrip("."), seeded.token), timeout=20
        ) as client:
            assert client.get("/nic/update", params={"myip": "203.0.113.50"}).text.startswith(
                "good"
            )
        wait_for(
            lambda: _worker_pids(server).get(1) not in (None, stuck),
            timeout=15,
            what="the stuck worker to be replaced",
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(stuck, signal.SIGCONT)
    assert "did not apply a change" in server.log()
    sources = Sources(SOURCES)
    try:
        assert sources.ask_all(server.dns, HOST) == [{"203.0.113.50"}] * SOURCES
    finally:
        sources.close()


def _burst(sock: socket.socket, server: tuple[str, int], count: int) -> tuple[int, int]:
    """Send ``count`` queries at once, then read what comes back: (full answers, truncated)."""
    for n in range(count):
        query = dns.message.make_query(HOST, "A")
        query.id = n
        sock.sendto(query.to_wire(), server)
    full = slipped = 0
    sock.settimeout(1.0)
    try:
        while full + slipped < count:
            response = dns.message.from_wire(sock.recv(4096))
            if response.flags & dns.flags.TC:
                slipped += 1
            else:
                full += 1
    except TimeoutError:
        pass
    return full, slipped


def test_rate_limiting_holds_back_one_network_and_spares_another(
    seeded: Seeded, tmp_path: Path
) -> None:
    config = tmp_path / "homing.toml"
    config.write_text("dns_workers = 2\ndns_rrl_responses_per_second = 20\ndns_rrl_slip = 2\n")
    server = ServerProcess(seeded.data, config=config).start()
    flooder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flooder.bind(("127.0.0.1", 0))
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(("127.0.1.1", 0))  # another /24
    try:
        full, slipped = _burst(flooder, server.dns, 400)
        # One source port lands on one worker: its budget, twice if the burst spans a second.
        assert 20 <= full <= 40
        assert 150 <= slipped <= 200
        assert _burst(other, server.dns, 10) == (10, 0)
        query = dns.message.make_query(HOST, "A")
        tcp = dns.query.tcp(query, server.dns[0], port=server.dns[1], timeout=2.0)
        assert tcp.authority and not tcp.flags & dns.flags.TC  # NODATA: no update yet
        wait_for(
            lambda: (
                'homing_dns_rate_limited_total{action="dropped"} 0.0'
                not in httpx.get(f"{server.url}/metrics").text
            ),
            timeout=10,
            what="the limited answers to be counted",
        )
    finally:
        flooder.close()
        other.close()
        assert server.stop() == 0, server.log()

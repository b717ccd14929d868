"""DNSSEC answers in-process: the fast path's cost per answer with DO=1 next to DO=0.

No sockets: one signed zone of ``--hosts`` random hosts (an A and an AAAA
each, ECDSA P-256) compiled into a view, and ``FastPath.answer`` timed in
CPU time of this thread (``thread_time_ns``: a shared machine's other work
does not count) over ``dns_qps.py``'s uniform mix (95% A/AAAA of known
names, 5% NXDOMAIN directly below the apex), asked with EDNS and DO=0, then
with DO=1, interleaved ``--rounds`` times; the best round of each is
reported per kind of answer. What ``dns_dnssec.py`` measures through the
real server and dnsperf, without the system calls around it (which make up
most of a query's cost there, and evict the caches this loop keeps warm).
Then the mix as the DNS worker serves it: ``recvmmsg``, the answers and
``sendmmsg`` (``datagrams.DatagramBatch``) over a loopback socket pair, a
thousand queries queued at a time (a saturated worker), the kernel's work
counted in the thread's CPU time.

    python bench/dnssec_answers.py [--hosts 10000] [--queries 50000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import socket
import time
from collections.abc import Callable

import dns.message
import dns.name
from common import LABEL_ALPHABET, ZONE, address_of, ipv6_of

from homing.dnssec import keys
from homing.domain.records import RRset, SOAFields, ZoneSigning, ZoneSnapshot
from homing.nameserver.compiled import CompiledView
from homing.nameserver.datagrams import SLOT, DatagramBatch
from homing.nameserver.fastpath import FastPath
from homing.nameserver.worker import RECEIVE_BUFFER

QUEUED = 1000
"""Queries queued before the loop drains them: well within the receive buffer."""


def signed_zone(hosts: int) -> tuple[ZoneSnapshot, list[str]]:
    rng = random.Random(8)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < hosts:
        name = "".join(rng.choices(LABEL_ALPHABET, k=rng.randint(6, 14))) + "." + ZONE
        if name not in seen:
            seen.add(name)
            names.append(name)
    rrsets = []
    for i, name in enumerate(names):
        rrsets.append(RRset(name, "A", 60, (address_of(i),)))
        rrsets.append(RRset(name, "AAAA", 60, (ipv6_of(i),)))
    pem = keys.generate(dns.name.root, keys.Algorithm.ECDSAP256SHA256).private_pem()
    zone = ZoneSnapshot(
        zone=ZONE,
        soa=SOAFields(mname=f"ns1.{ZONE}", rname=f"hostmaster.{ZONE}", serial=1, minimum=60),
        nameservers=(f"ns1.{ZONE}",),
        ns_ttl=3600,
        rrsets=tuple(rrsets),
        signing=ZoneSigning(int(keys.Algorithm.ECDSAP256SHA256), pem),
    )
    return zone, names


def query_wires(names: list[str], count: int, dnssec: bool) -> dict[str, list[bytes]]:
    """The uniform mix's queries by kind and in order ("mix"), as dnsperf sends them (EDNS,
    DO as asked)."""
    rng = random.Random(42)
    kinds: dict[str, list[bytes]] = {"positive": [], "nxdomain": [], "mix": []}
    for n, i in enumerate(rng.choices(range(len(names)), k=count)):
        if n % 20 == 0:
            kind, name, qtype = "nxdomain", f"missing{i}.{ZONE}", "A"
        else:
            kind, name, qtype = "positive", names[i], "A" if n % 2 else "AAAA"
        query = dns.message.make_query(name, qtype, use_edns=0, want_dnssec=dnssec, payload=1232)
        query.id = n & 0xFFFF
        kinds[kind].append(query.to_wire())
        kinds["mix"].append(kinds[kind][-1])
    return kinds


def per_answer_ns(answer: Callable[[bytes, bool], bytes | None], wires: list[bytes]) -> float:
    clock = time.thread_time_ns
    started = clock()
    for wire in wires:
        if answer(wire, False) is None:
            raise SystemExit("the fast path declined a query of the mix")
    return (clock() - started) / len(wires)


def served_ns(answer: Callable[[bytes, bool], bytes | None], wires: list[bytes]) -> float:
    """CPU time per query of the worker's loop (``worker.Worker._drain_batch``: recvmmsg,
    the answers, sendmmsg) over loopback."""
    server, client = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
    with server, client:
        for sock in (server, client):
            sock.bind(("127.0.0.1", 0))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            sock.setblocking(False)
        to_server = server.getsockname()
        batch, clock = DatagramBatch(server), time.thread_time_ns
        spent = 0
        for first in range(0, len(wires), QUEUED):
            for wire in wires[first : first + QUEUED]:
                client.sendto(wire, to_server)
            started = clock()
            while count := batch.receive():
                for k in range(count):
                    reply = answer(batch.datagram(k), False)
                    if reply is None:
                        raise SystemExit("the fast path declined a query of the mix")
                    batch.reply(k, reply)
                batch.send()
            spent += clock() - started
            with contextlib.suppress(BlockingIOError):
                while client.recv(SLOT):
                    pass
    return spent / len(wires)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    zone, names = signed_zone(args.hosts)
    started = time.perf_counter()
    view = CompiledView()
    view.apply(zone)
    print(f"{args.hosts} hosts compiled and signed in {time.perf_counter() - started:.1f} s")
    fast = FastPath(view)
    mixes = {do: query_wires(names, args.queries, do) for do in (False, True)}
    for do in (False, True):  # every signature's wire bytes made once, as a warm server has
        for wires in mixes[do].values():
            per_answer_ns(fast.answer, wires)
    best: dict[tuple[bool, str], float] = {}
    for _ in range(args.rounds):
        for do in (False, True):
            for kind, wires in mixes[do].items():
                took = per_answer_ns(fast.answer, wires)
                best[do, kind] = min(best.get((do, kind), took), took)
            took = served_ns(fast.answer, mixes[do]["mix"])
            best[do, "served"] = min(best.get((do, "served"), took), took)
    print(f"{'µs per query':22} {'DO=0':>6} {'DO=1':>6} {'DO=0/DO=1':>10}")
    for kind, label in (
        ("positive", "positive answer"),
        ("nxdomain", "NXDOMAIN"),
        ("mix", "the mix"),
        ("served", "the mix, served"),
    ):
        plain, signed = best[False, kind] / 1000, best[True, kind] / 1000
        print(f"{label:22} {plain:6.2f} {signed:6.2f} {plain / signed:10.2f}")


if __name__ == "__main__":
    main()

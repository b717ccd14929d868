"""A bounded fuzz run against a real ``homing serve``: DNS over UDP and TCP, dyndns2 and DuckDNS.

DNS: random bytes and mutated real messages (queries of every kind, EDNS,
UPDATE, NOTIFY, AXFR/IXFR requests, TSIG-signed ones; bytes flipped,
inserted, cut), ``--packets`` in all, a share over TCP. Messages whose QR bit
is set (responses) go out from sockets of their own, so any answer arriving
there is an answer to a response (a reflection loop waiting to happen).
HTTP: random dyndns2 and DuckDNS requests (names, addresses, credentials,
sizes). The run reports crashes (the server or a DNS worker gone, a
traceback or an error in its log, HTTP 5xx, DNS no longer answering a
plain query afterwards) and answers to responses; both must be 0.

    python bench/fuzz.py [--packets 1000000] [--tcp-share 0.2] [--http 5000] [--seed 11]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import socket
import struct
import tempfile
import threading
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsigkeyring
import dns.update
import httpx
from common import CLIENT_CPU, ZONE, seed, start_homing

UDP_RATE = 40_000
"""Packets per second over UDP: the fuzzer must not only fill the socket buffer."""
TEMPLATE_TYPES = ("A", "AAAA", "TXT", "MX", "NS", "SOA", "ANY", "CNAME", "SRV", "CAA", "AXFR")


def templates() -> list[bytes]:
    """Real messages to mutate: what clients, resolvers, secondaries and updaters send."""
    names = [ZONE, f"h0.{ZONE}", f"h1.{ZONE}", f"nx.{ZONE}", "example.org.", f"*.h2.{ZONE}"]
    keyring = dns.tsigkeyring.from_text({"fuzz.": base64.b64encode(b"k" * 32).decode()})
    found: list[bytes] = []
    for name in names:
        for rtype in TEMPLATE_TYPES:
            query = dns.message.make_query(name, rtype, want_dnssec=rtype == "SOA")
            found.append(query.to_wire())
            found.append(dns.message.make_query(name, rtype, use_edns=0, payload=4096).to_wire())
    update = dns.update.UpdateMessage(ZONE)
    update.replace(f"h0.{ZONE}", 60, "A", "192.0.2.1")
    found.append(update.to_wire())
    signed = dns.update.UpdateMessage(ZONE, keyring=keyring)
    signed.add(f"h3.{ZONE}", 60, "TXT", '"fuzz"')
    found.append(signed.to_wire())
    notify = dns.message.make_query(ZONE, "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    found.append(notify.to_wire())
    ixfr = dns.message.make_query(ZONE, "IXFR")
    found.append(ixfr.to_wire())
    response = dns.message.make_response(dns.message.make_query(f"h0.{ZONE}", "A"))
    found.append(response.to_wire())
    return found


def mutate(rng: random.Random, pool: list[bytes]) -> bytes:
    """A random message (a third) or a real one with a few bytes changed, cut or added."""
    if rng.random() < 0.33:
        return rng.randbytes(rng.randint(0, 600))
    wire = bytearray(rng.choice(pool))
    for _ in range(rng.randint(1, 4)):
        action = rng.random()
        if action < 0.6 and wire:
            wire[rng.randrange(len(wire))] = rng.getrandbits(8)
        elif action < 0.8:
            wire[rng.randrange(len(wire) + 1) :] = rng.randbytes(rng.randint(0, 8))
        else:
            at = rng.randrange(len(wire) + 1)
            wire[at:at] = rng.randbytes(rng.randint(1, 32))
    if rng.random() < 0.1 and len(wire) >= 4:
        wire[2] |= 0x80  # a response: must never be answered
    return bytes(wire)


def is_response(wire: bytes) -> bool:
    return len(wire) >= 3 and bool(wire[2] & 0x80)


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value = 0

    def add(self, n: int = 1) -> None:
        with self.lock:
            self.value += n


def drain_udp(sock: socket.socket, answers: Counter, stop: threading.Event) -> None:
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            sock.recv(65535)
        except TimeoutError:
            continue
        except OSError:
            return
        answers.add()


def fuzz_udp(
    server: tuple[str, int], count: int, rng: random.Random, pool: list[bytes]
) -> dict[str, int]:
    queries = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    responses = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answered_queries, answered_responses = Counter(), Counter()
    stop = threading.Event()
    threads = [
        threading.Thread(target=drain_udp, args=(queries, answered_queries, stop), daemon=True),
        threading.Thread(target=drain_udp, args=(responses, answered_responses, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    sent_responses = 0
    started = time.monotonic()
    for i in range(count):
        wire = mutate(rng, pool)
        target = responses if is_response(wire) else queries
        sent_responses += target is responses
        with contextlib.suppress(OSError):  # a datagram the kernel refuses never reached it
            target.sendto(wire, server)
        if i % 1000 == 999:
            ahead = (i + 1) / UDP_RATE - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
    time.sleep(1.0)  # late answers still count
    stop.set()
    for thread in threads:
        thread.join()
    queries.close()
    responses.close()
    return {
        "udp_packets": count,
        "udp_responses_sent": sent_responses,
        "udp_answers": answered_queries.value,
        "udp_answers_to_responses": answered_responses.value,
    }


def _tcp_connection(server: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(server, timeout=5)
    sock.setblocking(False)
    return sock


def _drain_tcp(sock: socket.socket) -> int:
    """Bytes waiting on a non-blocking socket (answers, which we do not parse), -1 at EOF."""
    total = 0
    while True:
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return total
        except OSError:
            return -1
        if not chunk:
            return -1 if total == 0 else total
        total += len(chunk)


def fuzz_tcp(
    server: tuple[str, int], count: int, rng: random.Random, pool: list[bytes]
) -> dict[str, int]:
    """Framed messages over a few connections (reopened when the server closes one); the
    responses among them go over a connection of their own, which must never get a byte."""
    queries = [_tcp_connection(server) for _ in range(4)]
    responses = _tcp_connection(server)
    answered_bytes = reopened = answered_responses = sent_responses = 0
    for i in range(count):
        wire = mutate(rng, pool)[:65535]
        framed = struct.pack("!H", len(wire)) + wire
        if is_response(wire):
            sent_responses += 1
            try:
                responses.sendall(framed)
            except (BlockingIOError, OSError):
                responses.close()
                responses = _tcp_connection(server)
            got = _drain_tcp(responses)
            if got > 0:
                answered_responses += 1
            elif got < 0:
                responses.close()
                responses = _tcp_connection(server)
            continue
        slot = i % len(queries)
        try:
            queries[slot].setblocking(True)
            queries[slot].settimeout(5)
            queries[slot].sendall(framed)
            queries[slot].setblocking(False)
        except OSError:
            queries[slot].close()
            queries[slot] = _tcp_connection(server)
            reopened += 1
            continue
        got = _drain_tcp(queries[slot])
        if got < 0:
            queries[slot].close()
            queries[slot] = _tcp_connection(server)
            reopened += 1
        else:
            answered_bytes += got
    time.sleep(1.0)
    if _drain_tcp(responses) > 0:
        answered_responses += 1
    for sock in (*queries, responses):
        sock.close()
    return {
        "tcp_packets": count,
        "tcp_responses_sent": sent_responses,
        "tcp_answer_bytes": answered_bytes,
        "tcp_reconnects": reopened,
        "tcp_answers_to_responses": answered_responses,
    }


def _junk(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.-_:%/\\\"'<>&;= \t\u00e9\u2028"
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 5, 30, 300, 3000])))


async def fuzz_http(url: str, tokens: list[str], count: int, rng: random.Random) -> dict[str, int]:
    """Random dyndns2 and DuckDNS requests; any 5xx or transport error is a failure.

    Each request comes from its own loopback address, so the brake's delays for a
    failing address (which are not under test here) never pace the run."""
    statuses: dict[str, int] = {}
    errors = 0
    requests = []
    for i in range(count):
        name = rng.choice([f"h{rng.randrange(50)}.{ZONE}".rstrip("."), _junk(rng)])
        secret = rng.choice([rng.choice(tokens), "hm_" + _junk(rng), _junk(rng)])
        address = rng.choice(["192.0.2.1", "2001:db8::1", _junk(rng), "", "1.2.3.4,::1"])
        source = f"127.{(i >> 16) & 255}.{(i >> 8) & 255}.{(i & 255) | 1}"
        if rng.random() < 0.5:
            params = {"hostname": name, "myip": address, _junk(rng)[:20]: _junk(rng)}
            login = rng.choice([name, "bench", _junk(rng)])
            requests.append((source, "/nic/update", params, (login, secret)))
        else:
            params = {
                "domains": rng.choice([name.split(".")[0], name, _junk(rng)]),
                "token": secret,
                "ip": address,
                "txt": _junk(rng),
                "verbose": rng.choice(["true", "", _junk(rng)]),
                "clear": rng.choice(["true", "false", _junk(rng)]),
            }
            requests.append((source, "/update", params, None))

    async def one(
        source: str, path: str, params: dict[str, str], auth: tuple[str, str] | None
    ) -> None:
        nonlocal errors
        # Plain HTTP on loopback: no CA bundle to load for each of the clients.
        transport = httpx.AsyncHTTPTransport(local_address=source, verify=False)
        async with httpx.AsyncClient(base_url=url, transport=transport, timeout=30) as client:
            try:
                answer = await client.get(path, params=params, auth=auth)
            except httpx.HTTPError:
                errors += 1
                return
        kind = f"{answer.status_code // 100}xx"
        statuses[kind] = statuses.get(kind, 0) + 1

    for start in range(0, count, 16):
        await asyncio.gather(*(one(*request) for request in requests[start : start + 16]))
    return {"http_requests": count, "http_5xx": statuses.get("5xx", 0), "http_errors": errors}


def still_answers(server: tuple[str, int]) -> bool:
    query = dns.message.make_query(f"h0.{ZONE}", "A")
    try:
        udp = dns.query.udp(query, server[0], port=server[1], timeout=5)
        tcp = dns.query.tcp(query, server[0], port=server[1], timeout=5)
    except (OSError, dns.exception.DNSException):
        return False
    return udp.rcode() == tcp.rcode() == dns.rcode.NOERROR and bool(udp.answer)


async def run(args: argparse.Namespace, work: Path) -> dict[str, int]:
    data = work / "data"
    tokens = await seed(data, 50)
    config = work / "homing.toml"
    # Rate limiting and the brake off: every fuzzed request reaches the code it aims at.
    config.write_text(
        f"dns_workers = {args.workers}\ndns_rrl_responses_per_second = 0\n"
        "auth_max_failures = 1000000\n"
    )
    server = start_homing(data, config=config)
    rng = random.Random(args.seed)
    pool = templates()
    tcp = int(args.packets * args.tcp_share)
    results: dict[str, int] = {}
    try:
        started = time.monotonic()
        results |= fuzz_udp(server.dns, args.packets - tcp, rng, pool)
        print(json.dumps(results), flush=True)
        results |= fuzz_tcp(server.dns, tcp, rng, pool)
        print(json.dumps(results), flush=True)
        results |= await fuzz_http(server.url, tokens, args.http, rng)
        results["seconds"] = round(time.monotonic() - started)
        alive = server.process is not None and server.process.poll() is None
        results["dns_answers_after"] = int(still_answers(server.dns))
        log = server.log()
        results["log_tracebacks"] = log.count("Traceback")
        results["log_errors"] = sum(" ERROR " in line for line in log.splitlines())
        results["worker_exits"] = sum(
            "worker" in line and "exit" in line for line in log.splitlines()
        )
        results["server_alive"] = int(alive)
    finally:
        server.stop()
    results["crashes"] = (
        (1 - results["server_alive"])
        + (1 - results["dns_answers_after"])
        + results["log_tracebacks"]
        + results["worker_exits"]
        + results["http_5xx"]
    )
    results["answers_to_responses"] = (
        results["udp_answers_to_responses"] + results["tcp_answers_to_responses"]
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--tcp-share", type=float, default=0.2)
    parser.add_argument("--http", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    with tempfile.TemporaryDirectory(prefix="homing-fuzz-") as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    print(
        f"{args.packets} DNS packets ({results['udp_packets']} UDP, {results['tcp_packets']} TCP; "
        f"{results['udp_responses_sent'] + results['tcp_responses_sent']} with QR=1), "
        f"{results['http_requests']} HTTP requests in {results['seconds']} s: "
        f"crashes {results['crashes']}, answers to responses {results['answers_to_responses']}"
    )
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

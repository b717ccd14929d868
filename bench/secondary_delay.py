"""How long a change takes to be served by a standard secondary (Knot, NSD) fed by homing.

One HTTP update, then the secondary is asked every 2 ms until it answers the
new address: the delay covers commit, NOTIFY, the secondary's SOA query, the
IXFR, and its own commit. Runs --runs times per secondary and reports the
median, p90 and max.

    python bench/secondary_delay.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import httpx
from common import address_of, start_homing

from integration.secondary_servers import Secondary, free_port, knot, nsd
from integration.server import ServerProcess, homing

ZONE = "dyn.example."
HOST = "home.dyn.example."
DEADLINE = 10.0


def answer(server: tuple[str, int]) -> set[str]:
    query = dns.message.make_query(HOST, "A")
    try:
        response = dns.query.udp(query, server[0], port=server[1], timeout=0.2)
    except dns.exception.Timeout:
        return set()
    return {
        r.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for r in rrset
    }


def wait(condition: Callable[[], bool], what: str) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > DEADLINE:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.002)
    return time.perf_counter() - start


def measure(primary: ServerProcess, secondary: Secondary, runs: int) -> dict[str, float]:
    client = httpx.Client(auth=("bench", "bench-password"))
    delays = []
    for n in range(runs + 1):
        address = address_of(0x0E0000 + n + int(time.time()) % 10_000 * 100)
        start = time.perf_counter()
        reply = client.get(f"{primary.url}/nic/update", params={"hostname": HOST, "myip": address})
        assert reply.text.startswith("good"), reply.text
        wait(lambda: answer(secondary.server) == {address}, "the secondary")  # noqa: B023
        if n:  # the first run includes the secondary's initial transfer
            delays.append(time.perf_counter() - start)
    client.close()
    ordered = sorted(delays)
    return {
        "runs": runs,
        "median_ms": statistics.median(ordered) * 1000,
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp:
        work = Path(tmp)
        data = work / "data"
        homing(data, "zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
        homing(data, "user", "add", "bench", "--password-stdin", stdin="bench-password\n")
        homing(data, "host", "add", HOST, "--owner", "bench")
        ports = {"knot": free_port("127.0.0.2"), "nsd": free_port("127.0.0.3")}
        homing(data, "secondary", "add", ZONE, f"127.0.0.2:{ports['knot']}")
        homing(data, "secondary", "add", ZONE, f"127.0.0.3:{ports['nsd']}")
        primary = start_homing(data)
        try:
            for name, start in (
                (
                    "knot",
                    lambda: knot(
                        work / "knot",
                        zone=ZONE,
                        primary=primary.dns,
                        address="127.0.0.2",
                        port=ports["knot"],
                    ),
                ),
                (
                    "nsd",
                    lambda: nsd(
                        work / "nsd",
                        zone=ZONE,
                        primary=primary.dns,
                        address="127.0.0.3",
                        port=ports["nsd"],
                    ),
                ),
            ):
                secondary = start()
                try:
                    results[name] = measure(primary, secondary, args.runs)
                finally:
                    secondary.stop()
        finally:
            primary.stop()
    print(f"update-to-secondary delay, {args.runs} runs each")
    for name, row in results.items():
        print(
            f"{name:5} median {row['median_ms']:7.1f} ms  p90 {row['p90_ms']:7.1f} ms  "
            f"max {row['max_ms']:7.1f} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

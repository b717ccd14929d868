"""HTTP requests per second that touch no disk (``/ip``), to see what the HTTP limits cost.

``updates.py`` is bound by fsync, whose rate on the shared machine swings by
a factor of five between runs; the per-request work of the HTTP protocol
(head size and time limits, connections per source) and of the brake
(a reservation per credential check) is CPU. This script measures the CPU
part: C keep-alive connections ask ``/ip`` back to back for S seconds, and
the brake's reservation cycle is timed in-process.

Run it with another checkout's interpreter to measure that checkout's server
(``/path/to/other/.venv/bin/python bench/http_requests.py``).

    python bench/http_requests.py [--connections 32] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from common import CLIENT_CPU, seed, start_homing

REQUEST = b"GET /ip HTTP/1.1\r\nHost: bench\r\n\r\n"


async def _client(port: int, until: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    while time.monotonic() < until:
        writer.write(REQUEST)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        done += 1
    writer.close()
    counts.append(done)


async def requests_per_second(port: int, connections: int, seconds: float) -> float:
    counts: list[int] = []
    until = time.monotonic() + seconds
    await asyncio.gather(*(_client(port, until, counts) for _ in range(connections)))
    return sum(counts) / seconds


def brake_cycle_microseconds() -> float | None:
    """One reservation, check and success of a token, as every update does (None: no brake)."""
    try:
        from homing.core.brake import Brake, BrakeLimits, CredentialKind
    except ImportError:
        return None
    brake = Brake(limits=BrakeLimits(max_failures=10, window=300, lockout=900))
    rounds = 200_000
    started = time.perf_counter()
    for i in range(rounds):
        with brake.reserve(
            source=f"192.0.2.{i & 255}", login=None, kind=CredentialKind.TOKEN
        ) as ticket:
            ticket.succeeded()
    return (time.perf_counter() - started) / rounds * 1e6


async def run(args: argparse.Namespace, work: Path) -> dict[str, float | None]:
    data = work / "data"
    await seed(data, 1)
    config = work / "homing.toml"
    config.write_text("dns_workers = 0\n")
    server = start_homing(data, config=config)
    try:
        port = int(server.url.rsplit(":", 1)[1])
        rate = await requests_per_second(port, args.connections, args.seconds)
    finally:
        server.stop()
    return {"ip_requests_per_s": round(rate), "brake_cycle_us": brake_cycle_microseconds()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    print(json.dumps(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

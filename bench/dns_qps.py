"""DNS queries per second: homing vs NSD and Knot serving the same zone, same machine.

Each server gets one CPU (taskset) and one worker; dnsperf runs on the other
CPU. Homing runs twice: as configured (repeated questions come from its
answer cache) and with the cache off (every answer built afresh). The mix
is 90% existing A names, 5% NODATA (AAAA), 5% NXDOMAIN. The figures that
matter are the ratios, because the machines are shared and noisy.

    python bench/dns_qps.py [--hosts 10000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import tempfile
from pathlib import Path

from common import CLIENT_CPU, ZONE, seed, start_homing, zone_text
from references import free_port, knot, nsd


def query_file(path: Path, hosts: int, count: int = 100_000) -> None:
    rng = random.Random(42)
    lines = []
    for _ in range(count):
        roll = rng.random()
        i = rng.randrange(hosts)
        if roll < 0.90:
            lines.append(f"h{i}.{ZONE} A")
        elif roll < 0.95:
            lines.append(f"h{i}.{ZONE} AAAA")
        else:
            lines.append(f"missing{i}.{ZONE} A")
    path.write_text("\n".join(lines) + "\n")


def dnsperf(port: int, queries: Path, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "taskset",
            "-c",
            CLIENT_CPU,
            "dnsperf",
            "-s",
            "127.0.0.1",
            "-p",
            str(port),
            "-d",
            str(queries),
            "-l",
            str(seconds),
            "-c",
            "8",
            "-q",
            "200",
            "-t",
            "2",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lost = re.search(r"Queries lost:\s+(\d+)", out)
    latency = re.search(r"Average Latency \(s\):\s+([\d.]+)", out)
    return {
        "qps": qps,
        "lost": float(lost.group(1)) if lost else 0.0,
        "avg_latency_ms": float(latency.group(1)) * 1000 if latency else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp:
        work = Path(tmp)
        data = work / "data"
        asyncio.run(seed(data, args.hosts))
        zonefile = work / "bench.example.zone"
        zonefile.write_text(asyncio.run(zone_text(data)))
        queries = work / "queries.txt"
        query_file(queries, args.hosts)

        server = start_homing(data)
        try:
            results["homing"] = dnsperf(server.dns[1], queries, args.seconds)
        finally:
            server.stop()
        # The same server with its answer cache off: the cost of a fresh answer.
        no_cache = work / "no-cache.toml"
        no_cache.write_text("dns_cache_entries = 0\n")
        server = start_homing(data, config=no_cache)
        try:
            results["homing-nocache"] = dnsperf(server.dns[1], queries, args.seconds)
        finally:
            server.stop()
        port = free_port()
        with nsd(work, zonefile, port):
            results["nsd"] = dnsperf(port, queries, args.seconds)
        port = free_port()
        with knot(work, zonefile, port):
            results["knot"] = dnsperf(port, queries, args.seconds)

    print(f"DNS qps, {args.hosts} hosts, {args.seconds}s per server, 1 CPU each")
    print(f"{'server':14} {'qps':>10} {'lost':>8} {'avg ms':>8} {'homing/x':>9}")
    for name, row in results.items():
        ratio = results["homing"]["qps"] / row["qps"] if row["qps"] else 0.0
        print(
            f"{name:14} {row['qps']:10.0f} {row['lost']:8.0f} "
            f"{row['avg_latency_ms']:8.3f} {ratio:9.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

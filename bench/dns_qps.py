"""DNS queries per CPU-second: homing against NSD and Knot on the same names, same machine.

The population is ``--hosts`` hosts with random names, an A and an AAAA
each (seeded straight into SQLite, see ``common.seed_many``); NSD and Knot
serve the same names from a master file. Each server is pinned to CPU 0 with
one worker; dnsperf and this script run on CPU 1. Query mixes:

* ``uniform``: every host equally likely, A or AAAA, plus 5% NXDOMAIN;
* ``zipf``: hosts by a Zipf law (s = 1.1), the same 5% NXDOMAIN;
* ``hot``: 200 hosts asked again and again.

Homing also runs ``uniform`` while updates flow (dyndns2, random hosts, at
``--update-rates``), and with two workers on both CPUs. The figure is
queries answered per CPU-second of the server's whole process tree (every
process counted once, from /proc/PID/stat), because one dnsperf saturates
its CPU before a fast server does; the ratios are what to read. Beside it,
per CPU-second of the answering processes alone: homing's DNS workers (not
the provider process, which takes the updates), NSD's server children
(not its parent and xfrd), Knot's one process. Start-up is
the time from exec until the last host answers, with the RSS and the PSS
(shared pages divided between the processes that map them) of the tree.

    python bench/dns_qps.py [--hosts 1000000] [--seconds 10] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from common import (
    CLIENT_CPU,
    SERVER_CPU,
    ZONE,
    Population,
    address_of,
    cpu_seconds,
    population_zone,
    seed_many,
    start_homing,
    tree,
)
from references import free_port, knot, nsd
from updates import Connection

PAGE = os.sysconf("SC_PAGE_SIZE")
HOT_SET = 200


def query_file(path: Path, population: Population, mix: str, count: int = 500_000) -> None:
    rng = random.Random(42)
    names = population.names
    if mix == "hot":
        names = names[:HOT_SET]
    weights = None
    if mix == "zipf":
        weights = [1 / (rank + 1) ** 1.1 for rank in range(len(names))]
    picks = rng.choices(range(len(names)), weights=weights, k=count)
    lines = []
    for n, i in enumerate(picks):
        if mix != "hot" and n % 20 == 0:
            lines.append(f"missing{i}.{ZONE} A")
        else:
            lines.append(f"{names[i]} {'A' if n % 2 else 'AAAA'}")
    path.write_text("\n".join(lines) + "\n")


def memory_mib(pids: list[int]) -> dict[str, float]:
    rss = pss = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return {"rss_mib": rss / 1024, "pss_mib": pss / 1024}


def dnsperf(
    port: int, queries: Path, seconds: int, pids: list[int], flags: tuple[str, ...] = ()
) -> dict[str, float]:
    """dnsperf's run against ``port``, with the CPU the server's processes used meanwhile;
    ``flags``: more of dnsperf's options (``-D`` for the DO bit)."""
    before = cpu_seconds(pids)
    children = pids[1:] or pids
    before_children = cpu_seconds(children)
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
            "500",
            "-t",
            "2",
            *flags,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = cpu_seconds(pids) - before
    used_children = cpu_seconds(children) - before_children
    completed = float(re.search(r"Queries completed:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    lost = re.search(r"Queries lost:\s+(\d+)", out)
    return {
        "qps": completed / seconds,
        "cpu_s": used,
        "per_cpu_s": completed / used if used else 0.0,
        "per_answering_cpu_s": completed / used_children if used_children else 0.0,
        "lost": float(lost.group(1)) if lost else 0.0,
    }


class UpdateFeed:
    """dyndns2 updates of random hosts at a fixed rate, in the background, until stopped."""

    def __init__(self, port: int, population: Population, rate: float) -> None:
        self.port, self.rate = port, rate
        self.hosts = list(population.tokens.items())
        self.sent = self.good = self.skipped = 0
        self.answers: Counter[str] = Counter()
        self.first_address = int(time.time() * 1000) % 0x400000
        """Where this feed's addresses start, so that no run repeats another's (no nochg)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> UpdateFeed:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    async def _run(self) -> None:
        idle: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(16):
            idle.put_nowait(await Connection.open("127.0.0.1", self.port))
        rng = random.Random(5)
        interval = 1 / self.rate
        next_at = time.perf_counter()

        async def one(conn: Connection, n: int) -> None:
            fqdn, token = rng.choice(self.hosts)
            credentials = base64.b64encode(f"{fqdn}:{token}".encode()).decode()
            ip = address_of(0x0C000000 + self.first_address + n)
            request = (f"/nic/update?hostname={fqdn}&myip={ip}",)
            body = await conn.get((request[0], f"Basic {credentials}"))
            self.good += body.startswith(b"good")
            self.answers[body.split(b" ")[0].strip().decode(errors="replace")] += 1
            idle.put_nowait(conn)

        pending: set[asyncio.Task[None]] = set()
        while not self._stop.is_set():
            next_at += interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            self.sent += 1
            if idle.empty():
                self.skipped += 1
                continue
            task = asyncio.create_task(one(idle.get_nowait(), self.sent))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
        while not idle.empty():
            idle.get_nowait().close()


def wait_until(condition: Callable[[], bool], limit: float) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > limit:
            raise RuntimeError("timed out")
        time.sleep(0.05)
    return time.monotonic() - start


def answers(port: int, name: str) -> bool:
    out = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+short", "+time=1", "+tries=1", name, "A"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return bool(out.strip()) and not out.startswith(";")


def http_port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].rstrip("/"))


def run_homing(
    data: Path,
    work: Path,
    population: Population,
    queries: dict[str, Path],
    args: argparse.Namespace,
) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    runs = ((1, SERVER_CPU, 0), (1, SERVER_CPU, 1_000_000), (2, f"{SERVER_CPU},{CLIENT_CPU}", 0))
    for workers, cpus, rrl in runs:
        config = work / f"homing-{workers}-{rrl}.toml"
        config.write_text(f"dns_workers = {workers}\ndns_rrl_responses_per_second = {rrl}\n")
        started = time.monotonic()
        server = start_homing(data, config=config, cpus=cpus)
        try:
            port = server.dns[1]
            last = population.names[-1]
            wait_until(lambda port=port, last=last: answers(port, last), 120)
            assert server.process is not None
            pids = tree(server.process.pid)
            results[f"homing-{workers}w{'-rrl' if rrl else ''}-startup"] = {
                "seconds": time.monotonic() - started,
                **memory_mib(pids),
            }
            if rrl:
                # Rate limiting on, never reached: what counting every answer costs.
                results["homing-uniform-rrl"] = dnsperf(
                    port, queries["uniform"], args.seconds, pids
                )
                continue
            if workers == 1:
                for mix, path in queries.items():
                    results[f"homing-{mix}"] = dnsperf(port, path, args.seconds, pids)
                for rate in args.update_rates:
                    with UpdateFeed(http_port(server.url), population, rate) as feed:
                        row = dnsperf(port, queries["uniform"], args.seconds, pids)
                    row["updates_good"] = feed.good
                    row["updates_skipped"] = feed.skipped
                    results[f"homing-uniform-{rate:g}ups"] = row
            else:
                results["homing-uniform-2w"] = dnsperf(port, queries["uniform"], args.seconds, pids)
            pids = tree(server.process.pid)
            results[f"homing-{workers}w-after"] = memory_mib(pids)
        finally:
            server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--update-rates", type=float, nargs="*", default=[50, 500])
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp:
        work = Path(tmp)
        data = work / "data"
        started = time.monotonic()
        population = asyncio.run(seed_many(data, args.hosts))
        print(f"seeded {args.hosts} hosts in {time.monotonic() - started:.1f} s", flush=True)
        zonefile = work / "bench.example.zone"
        zonefile.write_text(population_zone(population))
        queries = {mix: work / f"{mix}.txt" for mix in ("uniform", "zipf", "hot")}
        for mix, path in queries.items():
            query_file(path, population, mix)
        results.update(run_homing(data, work, population, queries, args))
        for name, reference in (("nsd", nsd), ("knot", knot)):
            port = free_port()
            started = time.monotonic()
            with reference(work, zonefile, port) as pid:
                last = population.names[-1]
                wait_until(lambda port=port, last=last: answers(port, last), 600)
                pids = tree(pid)
                results[f"{name}-startup"] = {
                    "seconds": time.monotonic() - started,
                    **memory_mib(pids),
                }
                for mix, path in queries.items():
                    results[f"{name}-{mix}"] = dnsperf(port, path, args.seconds, pids)
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    print(f"\nDNS, {args.hosts} hosts (A+AAAA), {args.seconds} s per run; per CPU-second")
    print(
        f"{'run':26} {'qps':>9} {'cpu s':>6} {'q/cpu-s':>9} {'/NSD':>6} {'/Knot':>6}"
        f" {'q/ans-cpu-s':>12} {'/NSD':>6}"
    )
    for name, row in results.items():
        if "per_cpu_s" not in row:
            continue
        mix = next((m for m in ("uniform", "zipf", "hot") if f"-{m}" in name), "uniform")
        ratios = [
            row["per_cpu_s"] / results[f"{ref}-{mix}"]["per_cpu_s"]
            if results.get(f"{ref}-{mix}", {}).get("per_cpu_s")
            else 0.0
            for ref in ("nsd", "knot")
        ]
        nsd_answering = results.get(f"nsd-{mix}", {}).get("per_answering_cpu_s", 0.0)
        answering = row["per_answering_cpu_s"]
        print(
            f"{name:26} {row['qps']:9.0f} {row['cpu_s']:6.2f} {row['per_cpu_s']:9.0f}"
            f" {ratios[0]:6.2f} {ratios[1]:6.2f} {answering:12.0f}"
            f" {answering / nsd_answering if nsd_answering else 0.0:6.2f}"
        )
    print(f"\n{'start-up':26} {'seconds':>9} {'RSS MiB':>9} {'PSS MiB':>9}")
    for name, row in results.items():
        if "rss_mib" in row:
            print(
                f"{name:26} {row.get('seconds', 0.0):9.1f} {row['rss_mib']:9.0f}"
                f" {row['pss_mib']:9.0f}"
            )


if __name__ == "__main__":
    main()

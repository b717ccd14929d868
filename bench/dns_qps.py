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
(not its parent and xfrd), Knot's one process.

NSD and Knot are started first and kept running; every homing run is
followed at once by an NSD and a Knot run on the same queries, and each
ratio is taken within that pair. The machine's speed drifts by tens of
percent over minutes, so references measured minutes apart moved the
ratios more than the code did. ``--rounds`` repeats every pair; the
report gives the median ratio and the range. Start-up is the time from exec
until the last host answers, with the RSS and the PSS (shared pages divided
between the processes that map them) of the tree, and the tree's highest RSS
sampled every 50 ms from exec until then (``common.TreePeak``; in the
``-after`` row, until the runs ended).

    python bench/dns_qps.py [--hosts 1000000] [--seconds 10] [--rounds 2]
                            [--update-rates 50 500] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from common import (
    CLIENT_CPU,
    SERVER_CPU,
    ZONE,
    Population,
    ServerProcess,
    TreePeak,
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


Row = dict[str, float]
REFERENCES = {"nsd": nsd, "knot": knot}
MIXES = ("uniform", "zipf", "hot")


@dataclass
class Reference:
    """A reference server, started once and kept running for the whole script."""

    name: str
    port: int
    pids: list[int]


def start_references(
    stack: ExitStack, work: Path, zonefile: Path, population: Population
) -> tuple[list[Reference], dict[str, Row]]:
    """NSD and Knot serving the same names, each timed from exec until the last name answers."""
    started_refs: list[Reference] = []
    startup: dict[str, Row] = {}
    for name, reference in REFERENCES.items():
        port = free_port()
        started = time.monotonic()
        pid = stack.enter_context(reference(work, zonefile, port))
        last = population.names[-1]
        wait_until(lambda port=port, last=last: answers(port, last), 600)
        pids = tree(pid)
        startup[f"{name}-startup"] = {"seconds": time.monotonic() - started, **memory_mib(pids)}
        started_refs.append(Reference(name, port, pids))
    return started_refs, startup


@dataclass
class Case:
    """One of homing's runs: its name, its query mix, and the updates flowing meanwhile."""

    name: str
    mix: str
    updates_per_second: float = 0.0


def paired(
    server: ServerProcess,
    case: Case,
    queries: Path,
    population: Population,
    references: list[Reference],
    seconds: int,
) -> Row:
    """One homing run, then each reference on the same queries at once, with the ratios.

    The machine's speed drifts by tens of percent over minutes: a reference run
    minutes apart moved the ratios more than the code did (bench/README.md).
    """
    assert server.process is not None
    pids = tree(server.process.pid)
    port = server.dns[1]
    if case.updates_per_second:
        with UpdateFeed(http_port(server.url), population, case.updates_per_second) as feed:
            row = dnsperf(port, queries, seconds, pids)
        row["updates_good"] = feed.good
        row["updates_skipped"] = feed.skipped
    else:
        row = dnsperf(port, queries, seconds, pids)
    for ref in references:
        reference = dnsperf(ref.port, queries, seconds, ref.pids)
        row[f"{ref.name}_per_cpu_s"] = reference["per_cpu_s"]
        row[f"vs_{ref.name}"] = row["per_cpu_s"] / reference["per_cpu_s"]
        row[f"answering_vs_{ref.name}"] = (
            row["per_answering_cpu_s"] / reference["per_answering_cpu_s"]
        )
    return row


def cases(workers: int, rrl: int, update_rates: list[float]) -> list[Case]:
    if rrl:
        # Rate limiting on, never reached: what counting every answer costs.
        return [Case("homing-uniform-rrl", "uniform")]
    if workers > 1:
        return [Case(f"homing-uniform-{workers}w", "uniform")]
    return [Case(f"homing-{mix}", mix) for mix in MIXES] + [
        Case(f"homing-uniform-{rate:g}ups", "uniform", rate) for rate in update_rates
    ]


def run_homing(
    data: Path,
    work: Path,
    population: Population,
    queries: dict[str, Path],
    references: list[Reference],
    args: argparse.Namespace,
) -> dict[str, Row | list[Row]]:
    results: dict[str, Row | list[Row]] = {}
    runs = ((1, SERVER_CPU, 0), (1, SERVER_CPU, 1_000_000), (2, f"{SERVER_CPU},{CLIENT_CPU}", 0))
    for workers, cpus, rrl in runs:
        config = work / f"homing-{workers}-{rrl}.toml"
        config.write_text(f"dns_workers = {workers}\ndns_rrl_responses_per_second = {rrl}\n")
        started = time.monotonic()
        peak = TreePeak()
        server = start_homing(data, config=config, cpus=cpus, peak=peak)
        try:
            port = server.dns[1]
            last = population.names[-1]
            wait_until(lambda port=port, last=last: answers(port, last), 120)
            assert server.process is not None
            pids = tree(server.process.pid)
            results[f"homing-{workers}w{'-rrl' if rrl else ''}-startup"] = {
                "seconds": time.monotonic() - started,
                **memory_mib(pids),
                "peak_mib": peak.highest_mib,
            }
            for _ in range(args.rounds):
                for case in cases(workers, rrl, args.update_rates):
                    row = paired(
                        server, case, queries[case.mix], population, references, args.seconds
                    )
                    rounds = results.setdefault(case.name, [])
                    assert isinstance(rounds, list)
                    rounds.append(row)
            pids = tree(server.process.pid)
            results[f"homing-{workers}w-after"] = {**memory_mib(pids), "peak_mib": peak.stop()}
        finally:
            peak.stop()
            server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="Paired runs of each case.")
    parser.add_argument("--update-rates", type=float, nargs="*", default=[50, 500])
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    results: dict[str, Row | list[Row]] = {}
    with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        data = work / "data"
        started = time.monotonic()
        population = asyncio.run(seed_many(data, args.hosts))
        print(f"seeded {args.hosts} hosts in {time.monotonic() - started:.1f} s", flush=True)
        zonefile = work / "bench.example.zone"
        zonefile.write_text(population_zone(population))
        queries = {mix: work / f"{mix}.txt" for mix in MIXES}
        for mix, path in queries.items():
            query_file(path, population, mix)
        references, startup = start_references(stack, work, zonefile, population)
        results.update(startup)
        results.update(run_homing(data, work, population, queries, references, args))
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def _median(rows: list[Row], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def _span(rows: list[Row], key: str) -> str:
    values = sorted(row[key] for row in rows)
    median = statistics.median(values)
    return (
        f"{median:.2f}" if len(values) == 1 else f"{median:.2f} ({values[0]:.2f}-{values[-1]:.2f})"
    )


def report(results: dict[str, Row | list[Row]], args: argparse.Namespace) -> None:
    print(
        f"\nDNS, {args.hosts} hosts (A+AAAA), {args.seconds} s per run, {args.rounds} rounds;"
        " each homing run followed by NSD and Knot on the same queries; medians (range)"
    )
    print(
        f"{'run':22} {'q/cpu-s':>9} {'NSD q/cpu-s':>12} {'/NSD':>17} {'/Knot':>17}"
        f" {'answering /NSD':>17}"
    )
    for name, rows in results.items():
        if not isinstance(rows, list):
            continue
        print(
            f"{name:22} {_median(rows, 'per_cpu_s'):9.0f} {_median(rows, 'nsd_per_cpu_s'):12.0f}"
            f" {_span(rows, 'vs_nsd'):>17} {_span(rows, 'vs_knot'):>17}"
            f" {_span(rows, 'answering_vs_nsd'):>17}"
        )
    for name, rows in results.items():
        if isinstance(rows, list) and any("updates_good" in row for row in rows):
            # A feed that found every connection waiting sent fewer updates: the provider
            # then spent less CPU, and the ratio looks better than the rate it names.
            counts = ", ".join(
                f"{row['updates_good']:.0f} good, {row['updates_skipped']:.0f} skipped"
                for row in rows
            )
            print(f"  {name} updates per round: {counts}")
    print(f"\n{'start-up':26} {'seconds':>9} {'RSS MiB':>9} {'PSS MiB':>9} {'peak MiB':>9}")
    for name, row in results.items():
        if isinstance(row, dict) and "rss_mib" in row:
            peak = f"{row['peak_mib']:9.0f}" if "peak_mib" in row else ""
            print(
                f"{name:26} {row.get('seconds', 0.0):9.1f} {row['rss_mib']:9.0f}"
                f" {row['pss_mib']:9.0f} {peak}"
            )


if __name__ == "__main__":
    main()

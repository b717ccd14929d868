"""The provider's CPU per dyndns2 update, by thread, at several update rates, with no queries.

``dns_qps.py`` shows what the updates cost the DNS side as a whole; this
script says where that cost sits. It seeds ``--hosts`` hosts (as
``dns_qps.py`` does), starts homing pinned to CPU 0 with one DNS worker and
rate limiting off, and for each of ``--rates`` sends dyndns2 updates of random
hosts for ``--seconds`` (``dns_qps.UpdateFeed``). For each round it reports,
per update answered ``good``:

* the provider's event loop thread: user and system CPU in milliseconds;
* the provider's other threads together (the commit hand-off, the WAL
  checkpoints, aiosqlite's threads);
* the DNS worker's CPU (applying the change, answering the provider);
* the provider's and the worker's context switches (voluntary + involuntary);
* the jobs per write transaction (``homing_writer_batch_jobs`` from
  ``/metrics``): at a high rate, updates that arrive during a commit share the
  next one, which makes them cheaper for a reason other than the code.

The rates are run in the order given, ``--rounds`` times over, so that a
drift of the machine shows as a spread between rounds rather than as a
difference between rates.

    python bench/update_cost.py [--hosts 1000000] [--seconds 10] [--rounds 2]
                                [--rates 50 500] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from common import CLIENT_CPU, SERVER_CPU, Population, seed_many, start_homing, tree
from dns_qps import UpdateFeed, answers, http_port, wait_until

TICKS = os.sysconf("SC_CLK_TCK")
Row = dict[str, float]


@dataclass(frozen=True)
class ThreadTimes:
    """One thread's CPU seconds and context switches so far."""

    user: float
    system: float
    switches: int


def thread_times(pid: int) -> dict[int, ThreadTimes]:
    """Every thread of ``pid`` by its id (the loop thread's id is the pid)."""
    found: dict[int, ThreadTimes] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            status = (task / "status").read_text().splitlines()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between the listing and the read
        switches = sum(int(line.split()[1]) for line in status if "ctxt_switches" in line)
        found[int(task.name)] = ThreadTimes(
            int(fields[11]) / TICKS, int(fields[12]) / TICKS, switches
        )
    return found


def spent(before: dict[int, ThreadTimes], after: dict[int, ThreadTimes]) -> dict[int, ThreadTimes]:
    """What each thread used between the two readings: a new thread counts from zero, and one
    that ended meanwhile is missing (an undercount, never an overcount)."""
    zero = ThreadTimes(0.0, 0.0, 0)
    return {
        tid: ThreadTimes(
            now.user - before.get(tid, zero).user,
            now.system - before.get(tid, zero).system,
            now.switches - before.get(tid, zero).switches,
        )
        for tid, now in after.items()
    }


def batches(url: str) -> tuple[float, float]:
    """The writer's (write transactions, jobs) so far, from ``/metrics``."""
    with urllib.request.urlopen(f"{url.rstrip('/')}/metrics", timeout=10) as response:
        text = response.read().decode()
    found = dict(re.findall(r"^homing_writer_batch_jobs_(count|sum) (\S+)$", text, re.MULTILINE))
    return float(found["count"]), float(found["sum"])


def one_round(
    provider: int, worker: int, url: str, population: Population, rate: float, seconds: float
) -> Row:
    # /metrics is read outside the CPU readings: its own request is not an update's cost.
    transactions, jobs = batches(url)
    before = thread_times(provider), thread_times(worker)
    with UpdateFeed(http_port(url), population, rate) as feed:
        time.sleep(seconds)
    used_provider = spent(before[0], thread_times(provider))
    used_worker = spent(before[1], thread_times(worker))
    transactions_after, jobs_after = batches(url)
    good = max(1, feed.good)
    loop = used_provider.get(provider, ThreadTimes(0.0, 0.0, 0))
    others = [t for tid, t in used_provider.items() if tid != provider]
    worker_cpu = sum(t.user + t.system for t in used_worker.values())
    return {
        "rate": rate,
        "good": float(feed.good),
        "skipped": float(feed.skipped),
        "loop_user_ms": loop.user * 1000 / good,
        "loop_system_ms": loop.system * 1000 / good,
        "other_threads_ms": sum(t.user + t.system for t in others) * 1000 / good,
        "provider_ms": (loop.user + loop.system + sum(t.user + t.system for t in others))
        * 1000
        / good,
        "provider_switches": sum(t.switches for t in used_provider.values()) / good,
        "worker_ms": worker_cpu * 1000 / good,
        "worker_switches": sum(t.switches for t in used_worker.values()) / good,
        "jobs_per_transaction": (jobs_after - jobs) / max(1.0, transactions_after - transactions),
    }


def report(rows: list[Row]) -> None:
    print(
        f"{'rate':>6} {'good':>6} {'loop user':>10} {'loop sys':>9} {'other thr':>10} "
        f"{'provider':>9} {'switches':>9} {'worker':>7} {'jobs/tx':>8}   (per update)"
    )
    for row in rows:
        print(
            f"{row['rate']:6g} {row['good']:6.0f} {row['loop_user_ms']:10.2f} "
            f"{row['loop_system_ms']:9.2f} {row['other_threads_ms']:10.2f} "
            f"{row['provider_ms']:9.2f} {row['provider_switches']:9.1f} {row['worker_ms']:7.2f} "
            f"{row['jobs_per_transaction']:8.2f}"
        )
    for rate in sorted({row["rate"] for row in rows}):
        medians = statistics.median(r["provider_ms"] for r in rows if r["rate"] == rate)
        print(f"provider CPU per update at {rate:g}/s: median {medians:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rates", type=float, nargs="*", default=[50, 500])
    parser.add_argument("--json", type=Path, help="Also write the rows here.")
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp:
        work = Path(tmp)
        population = asyncio.run(seed_many(work / "data", args.hosts))
        config = work / "homing.toml"
        config.write_text("dns_workers = 1\ndns_rrl_responses_per_second = 0\n")
        server = start_homing(work / "data", config=config, cpus=SERVER_CPU)
        try:
            port = server.dns[1]
            last = population.names[-1]
            wait_until(lambda: answers(port, last), 120)
            assert server.process is not None
            provider, worker = tree(server.process.pid)[:2]
            for _ in range(args.rounds):
                for rate in args.rates:
                    row = one_round(provider, worker, server.url, population, rate, args.seconds)
                    rows.append(row)
                    print(
                        f"  {rate:g}/s: {row['good']:.0f} good, "
                        f"{row['provider_ms']:.2f} ms provider CPU per update",
                        flush=True,
                    )
        finally:
            server.stop()
    report(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

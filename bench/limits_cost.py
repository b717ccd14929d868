"""What issue 11's limits cost: the same server with them off and on, runs interleaved.

Three pairs, each run ``--rounds`` times as off, on, off, on... so that a
shared machine's drift falls on both sides alike; the range of each side is
reported, not only its mean:

* **DNS**: dnsperf's uniform mix over ``--hosts`` random names (one DNS
  worker on the server's CPU, as ``dns_qps.py``), queries per CPU-second of
  the server's processes, with response rate limiting off
  (``dns_rrl_responses_per_second = 0``) and on but never reached
  (1,000,000 per second to one client network). The UDP payload cap is a
  comparison that is always made.
* **Updates**: ``updates.py``'s saturation run (64 keep-alive connections,
  each update a committed change, host-token Basic auth), updates per
  second and CPU per update, with the brake and the HTTP protocol limits
  turned off (``bench/limits_off/sitecustomize.py`` on the server's
  ``PYTHONPATH``) and on (the server as shipped). Bound by fsync; the CPU
  per update is the steadier figure.
* **HTTP without disk**: ``http_requests.py``'s ``GET /ip`` over 32 keep-alive
  connections, the HTTP limits off and on the same way.

On a machine too noisy to resolve a few percent end to end, the work the
limits add is also timed in-process: one RRL decision, one brake reservation
cycle of a token (reserve, check, success).

    python bench/limits_cost.py [--hosts 10000] [--seconds 5] [--rounds 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import CLIENT_CPU, SERVER_CPU, cpu_seconds, seed, seed_many, tree
from dns_qps import answers, dnsperf, query_file
from http_requests import brake_cycle_microseconds, requests_per_second
from updates import saturation

from homing.nameserver.ratelimit import RateLimitSettings, ResponseRateLimit
from integration.server import ServerProcess

LIMITS_OFF = Path(__file__).resolve().parent / "limits_off"
UPDATE_HOSTS = 200


def start(data: Path, settings: str, *, limits_off: bool) -> ServerProcess:
    config = data.parent / f"{data.name}.toml"
    config.write_text(settings)
    prefix = ["taskset", "-c", SERVER_CPU]
    if limits_off:
        prefix += ["env", f"PYTHONPATH={LIMITS_OFF}"]
    return ServerProcess(
        data, config=config, prefix=prefix, start_timeout=300, dns_workers=None
    ).start()


def dns_run(data: Path, queries: Path, last_name: str, seconds: int, rrl: int) -> float:
    server = start(
        data, f"dns_workers = 1\ndns_rrl_responses_per_second = {rrl}\n", limits_off=False
    )
    try:
        port = server.dns[1]
        deadline = time.monotonic() + 300
        while not answers(port, last_name):
            if time.monotonic() > deadline:
                raise RuntimeError("the server never answered the last host")
            time.sleep(0.1)
        assert server.process is not None
        return dnsperf(port, queries, seconds, tree(server.process.pid))["per_cpu_s"]
    finally:
        server.stop()


def update_run(
    template: Path, tokens: list[str], seconds: float, *, limits_off: bool
) -> dict[str, float]:
    data = template.parent / "updates-run"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(template, data)  # fresh addresses to change: no nochg between runs
    server = start(
        data, "dns_workers = 1\ndns_rrl_responses_per_second = 0\n", limits_off=limits_off
    )
    try:
        assert server.process is not None
        pids = tree(server.process.pid)
        before = cpu_seconds(pids)
        result = asyncio.run(saturation(int(server.url.rsplit(":", 1)[1]), tokens, 64, seconds))
        used = cpu_seconds(tree(server.process.pid)) - before
        return {
            "updates_per_s": result["updates_per_s"],
            "cpu_ms_per_update": used / max(result["updates"], 1) * 1000,
            "failures": result["failures"],
        }
    finally:
        server.stop()


def ip_run(template: Path, seconds: float, *, limits_off: bool) -> float:
    data = template.parent / "ip-run"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(template, data)
    server = start(data, "dns_workers = 0\n", limits_off=limits_off)
    try:
        return asyncio.run(requests_per_second(int(server.url.rsplit(":", 1)[1]), 32, seconds))
    finally:
        server.stop()


def rrl_check_nanoseconds(rounds: int = 5, checks: int = 200_000) -> float:
    """One RRL decision (the only work RRL adds to an answer) in CPU time, best of
    ``rounds``: on a shared machine the best run is the one least disturbed."""
    limit = ResponseRateLimit(RateLimitSettings(rate=1_000_000, slip=2))
    # Packed, as a worker has them from recvmmsg (``nameserver/datagrams.py``).
    sources = [bytes((192, 0, 2, i & 255)) for i in range(checks)]
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for packed in sources:
            limit.check_packed(packed)
        best = min(best, time.process_time() - started)
    return best / checks * 1e9


def interleaved(
    rounds: int, off: Callable[[], float], on: Callable[[], float]
) -> dict[str, object]:
    figures: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(rounds):
        figures["off"].append(off())
        figures["on"].append(on())
    means = {side: statistics.mean(values) for side, values in figures.items()}
    return {
        "off": [round(v, 2) for v in figures["off"]],
        "on": [round(v, 2) for v in figures["on"]],
        "on_over_off": round(means["on"] / means["off"], 3) if means["off"] else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp:
        work = Path(tmp)
        dns_data = work / "dns"
        population = asyncio.run(seed_many(dns_data, args.hosts))
        queries = work / "uniform.txt"
        query_file(queries, population, "uniform")
        last = population.names[-1]
        results["dns_q_per_cpu_s"] = interleaved(
            args.rounds,
            lambda: dns_run(dns_data, queries, last, args.seconds, 0),
            lambda: dns_run(dns_data, queries, last, args.seconds, 1_000_000),
        )
        print(json.dumps({"dns_q_per_cpu_s": results["dns_q_per_cpu_s"]}), flush=True)
        template = work / "updates-template"
        tokens = asyncio.run(seed(template, UPDATE_HOSTS))
        runs: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
        for _ in range(args.rounds):
            for side in ("off", "on"):
                runs[side].append(
                    update_run(template, tokens, args.seconds, limits_off=side == "off")
                )
        for figure in ("updates_per_s", "cpu_ms_per_update"):
            off = [run[figure] for run in runs["off"]]
            on = [run[figure] for run in runs["on"]]
            results[figure] = {
                "off": [round(v, 2) for v in off],
                "on": [round(v, 2) for v in on],
                "on_over_off": round(statistics.mean(on) / statistics.mean(off), 3),
            }
        results["update_failures"] = {
            side: sum(run["failures"] for run in runs[side]) for side in runs
        }
        print(
            json.dumps({k: results[k] for k in ("updates_per_s", "cpu_ms_per_update")}), flush=True
        )
        results["ip_requests_per_s"] = interleaved(
            args.rounds,
            lambda: ip_run(template, args.seconds, limits_off=True),
            lambda: ip_run(template, args.seconds, limits_off=False),
        )
    results["in_process"] = {
        "rrl_check_ns": round(rrl_check_nanoseconds()),
        "brake_cycle_us": round(brake_cycle_microseconds() or 0.0, 2),
    }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

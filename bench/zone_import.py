"""How fast ``homing zone import`` turns a master file into hosts (issue 13: >= 10,000/s).

Generates a master file of --hosts names the way a provider's export looks
($ORIGIN, $TTL, relative names; every host an A record, every fourth an
AAAA, every tenth a TXT, every twentieth an MX, every fiftieth a CNAME
instead), then times the real command (`homing zone import ... --tokens-out`,
process start to exit, one fresh data directory per run; wall clock and CPU
seconds, as other work on a shared machine stretches the first) and, in-process, its
parts: reading the file, planning the hosts, the one write transaction. The
reference in the same run is dnspython's zone reader over the same file (what
the quick reader avoids).

    python bench/zone_import.py [--hosts 100000] [--runs 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dns.zone
from common import address_of

from homing.core.admin import Admin
from homing.core.zone_files import ZoneFiles
from homing.domain.masterfile import read_master_file
from homing.domain.zone_import import plan_import
from homing.store.store import Store

ZONE = "import.example."


def master_file(hosts: int) -> str:
    lines = [
        f"$ORIGIN {ZONE}",
        "$TTL 300",
        "@ IN SOA ns1 hostmaster ( 2026120101 3600 600 1209600 60 )",
        "@ IN NS ns1",
        "ns1 IN A 192.0.2.53",
    ]
    for i in range(hosts):
        name = f"h{i}"
        if i % 50 == 49:
            lines.append(f"{name} IN CNAME h{i - 1}")
            continue
        lines.append(f"{name} 60 IN A {address_of(i)}")
        if i % 4 == 0:
            lines.append(f"     60 IN AAAA 2001:db8::{i >> 16:x}:{i & 0xFFFF:x}")
        if i % 10 == 0:
            lines.append(f'{name} IN TXT "host {i}; imported"')
        if i % 20 == 0:
            lines.append(f"{name} IN MX 10 mail.{name}")
    return "\n".join(lines) + "\n"


def cli_run(text_path: Path, work: Path, run: int) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one import command."""
    data = work / f"data-{run}"
    subprocess.run(
        [sys.executable, "-m", "homing", "--data", str(data), "user", "add", "bench"],
        check=True,
        capture_output=True,
    )
    cpu_before = _children_cpu()
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "homing",
            "--data",
            str(data),
            "zone",
            "import",
            ZONE,
            str(text_path),
            "--owner",
            "bench",
            "--tokens-out",
            str(work / f"tokens-{run}.csv"),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def parts(text: str, work: Path) -> dict[str, float]:
    gc.disable()  # as ZoneFiles.import_text does while reading and planning
    started = time.perf_counter()
    records = read_master_file(text, zone=ZONE)
    read = time.perf_counter()
    plan_import(ZONE, records)
    planned = time.perf_counter()
    gc.enable()
    store = await Store.open(work / "parts" / "homing.sqlite3")
    await Admin(store=store, origin="bench").add_user("bench", password=None)
    opened = time.perf_counter()
    await ZoneFiles(store=store, origin="bench").import_text(ZONE, text, owner="bench")
    done = time.perf_counter()
    await store.close()
    return {
        "read_seconds": read - started,
        "plan_seconds": planned - read,
        "whole_import_seconds": done - opened,
        "write_seconds": (done - opened) - (planned - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    text = master_file(args.hosts)
    with tempfile.TemporaryDirectory(prefix="homing-zone-import-") as tmp:
        work = Path(tmp)
        path = work / "import.zone"
        path.write_text(text)
        runs = [cli_run(path, work, run) for run in range(args.runs)]
        breakdown = asyncio.run(parts(text, work))
        started = time.perf_counter()
        dns.zone.from_text(text, origin=ZONE, relativize=False)
        dnspython = time.perf_counter() - started
    times = [wall for wall, _ in runs]
    cpu = [used for _, used in runs]
    result = {
        "hosts": args.hosts,
        "lines": text.count("\n"),
        "cli_seconds": times,
        "cli_cpu_seconds": cpu,
        "hosts_per_second_best": args.hosts / min(times),
        "hosts_per_second_median": args.hosts / statistics.median(times),
        # On a shared machine the wall clock includes waiting for a CPU; this does not.
        "hosts_per_cpu_second_median": args.hosts / statistics.median(cpu),
        **breakdown,
        "dnspython_zone_reader_seconds": dnspython,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

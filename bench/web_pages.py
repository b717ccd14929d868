"""The web UI and the REST API over a million hosts in one account (issue 15).

Seeds --hosts hosts of one user straight into SQLite (tests/many_hosts.py:
fresh, stale, failing, refused by strangers, new), starts the real
``homing serve`` pinned to CPU 0, signs in like a browser and times each
request over loopback (--runs each, after one warm-up): the dashboard, its
failing and stale filters, a rare and a common search, one that every name
matches and a two-character one that none does (too short for the trigram
index: the scan of every name, the worst case), the first API page,
a page deep in the list (by cursor), an API search, the admin's first page.
The reference in the same run is the smallest page there is, ``GET /ip``:
what any request costs here before it does work.

    python bench/web_pages.py [--hosts 1000000] [--runs 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from common import start_homing

from homing.http.api.paging import encode_cursor
from many_hosts import OWNER, OWNER_PASSWORD, host_name, seed_many_hosts

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TIMEOUT = 600.0


def timed(client: httpx.Client, path: str, runs: int) -> dict[str, object]:
    first = time.perf_counter()
    answer = client.get(path)
    cold = time.perf_counter() - first
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200
    return {
        "path": path,
        "bytes": len(answer.content),
        "first_seconds": round(cold, 4),
        "median_seconds": round(statistics.median(seconds), 4),
        "max_seconds": round(max(seconds), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="homing-web-pages-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        started = time.perf_counter()
        seeded = asyncio.run(seed_many_hosts(data / "homing.sqlite3", args.hosts))
        seeding = time.perf_counter() - started
        config = Path(tmp) / "homing.toml"
        config.write_text("dns_workers = 0\n")
        started = time.perf_counter()
        server = start_homing(data, config=config)
        startup = time.perf_counter() - started
        try:
            results = measure(server.url, seeded.owner_token, seeded.admin_token, args)
        finally:
            server.stop()
    report = {
        "hosts": args.hosts,
        "seed_seconds": round(seeding, 1),
        "server_start_seconds": round(startup, 1),
        "requests": results,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def measure(url: str, owner_token: str, admin_token: str, args: argparse.Namespace) -> list[object]:
    rare = host_name(args.hosts - 1).split(".")[0]
    deep = encode_cursor(host_name(int(args.hosts * 0.9)) + ".")
    with httpx.Client(base_url=url, timeout=TIMEOUT) as browser:
        form = browser.get("/login")
        csrf = CSRF.search(form.text)
        assert csrf is not None
        signed = browser.post(
            "/login",
            data={"csrf": csrf.group(1), "user": OWNER, "password": OWNER_PASSWORD, "next": "/"},
        )
        assert signed.status_code == 303
        results = [
            timed(browser, "/ip", args.runs),
            timed(browser, "/", args.runs),
            timed(browser, "/?show=failing", args.runs),
            timed(browser, "/?show=stale", args.runs),
            timed(browser, f"/?q={rare}", args.runs),
            timed(browser, "/?q=nas00001", args.runs),
            timed(browser, "/?q=example", args.runs),
            timed(browser, "/?q=zq", args.runs),
        ]
    owner = {"Authorization": f"Bearer {owner_token}"}
    with httpx.Client(base_url=url, timeout=TIMEOUT, headers=owner) as api:
        results += [
            timed(api, "/api/v1/hosts", args.runs),
            timed(api, "/api/v1/hosts?limit=500", args.runs),
            timed(api, f"/api/v1/hosts?cursor={deep}", args.runs),
            timed(api, f"/api/v1/hosts?q={rare}", args.runs),
        ]
    admin = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=url, timeout=TIMEOUT, headers=admin) as api:
        results.append(timed(api, f"/api/v1/hosts?owner={OWNER}", args.runs))
        results.append(timed(api, "/api/v1/users", args.runs))
    return results


if __name__ == "__main__":
    main()

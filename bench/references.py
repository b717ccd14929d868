"""Reference servers for the benchmarks: NSD and Knot on loopback, pinned to the server CPU."""

from __future__ import annotations

import getpass
import grp
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dns.exception
import dns.message
import dns.query
from common import SERVER_CPU, ZONE


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        return int(udp.getsockname()[1])


def wait_port(port: int, deadline: float = 600.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=port, timeout=0.2)
            return
        except (OSError, dns.exception.Timeout):
            continue
    raise RuntimeError(f"no DNS answer on port {port}")


@contextmanager
def pinned_process(command: list[str], port: int) -> Iterator[int]:
    """Run ``command`` on the server CPU until the block ends; ready once DNS answers.

    Yields the pid (taskset execs the command, so it is the server's own).
    """
    process = subprocess.Popen(["taskset", "-c", SERVER_CPU, *command], stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def nsd(workdir: Path, zonefile: Path, port: int) -> Iterator[int]:
    conf = workdir / "nsd.conf"
    conf.write_text(
        f"""server:
  ip-address: 127.0.0.1@{port}
  port: {port}
  username: ""
  chroot: ""
  zonesdir: "{workdir}"
  pidfile: "{workdir}/nsd.pid"
  database: ""
  zonelistfile: "{workdir}/zone.list"
  xfrdfile: "{workdir}/xfrd.state"
  xfrdir: "{workdir}"
  server-count: 1
  rrl-ratelimit: 0
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: {ZONE}
  zonefile: "{zonefile}"
"""
    )
    with pinned_process(
        [shutil.which("nsd") or "/usr/sbin/nsd", "-d", "-c", str(conf)], port
    ) as pid:
        yield pid


@contextmanager
def knot(workdir: Path, zonefile: Path, port: int, *, allow_update: bool = False) -> Iterator[int]:
    """Knot with its default durability; ``allow_update`` lets 127.0.0.1 send RFC 2136 updates."""
    zone_options = "    acl: local-update" if allow_update else "    journal-content: none"
    (workdir / "knotdb").mkdir(exist_ok=True)
    user = getpass.getuser()
    group = grp.getgrgid(os.getgid()).gr_name
    conf = workdir / "knot.conf"
    conf.write_text(
        f"""server:
    rundir: "{workdir}"
    user: {user}:{group}
    listen: 127.0.0.1@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "{workdir}/knotdb"
log:
  - target: stderr
    any: error
acl:
  - id: local-update
    address: 127.0.0.1
    action: update
zone:
  - domain: {ZONE}
    file: "{zonefile}"
{zone_options}
"""
    )
    with pinned_process([shutil.which("knotd") or "/usr/sbin/knotd", "-c", str(conf)], port) as pid:
        yield pid

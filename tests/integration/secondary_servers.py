"""Knot and NSD as real secondaries of ``homing serve``, each on its own loopback address.

Each listens on its own 127.0.0.x so that the primary tells them apart by
source address, as it would tell real servers apart; ports are free ports.
"""

from __future__ import annotations

import getpass
import grp
import os
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from support import require_tool

STOP_TIMEOUT = 10.0


def free_port(host: str) -> int:
    """A port free for both UDP and TCP on ``host``."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
                return port
    raise AssertionError(f"no free port on {host}")


@dataclass
class Secondary:
    """A running secondary: where it answers, and its log."""

    address: str
    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.workdir / "server.log"

    @property
    def server(self) -> tuple[str, int]:
        return self.address, self.port

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def run(self, args: list[str]) -> Secondary:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=STOP_TIMEOUT)


def knot(
    workdir: Path,
    *,
    zone: str,
    primary: tuple[str, int],
    address: str,
    port: int,
    key: tuple[str, str, str] | None = None,
) -> Secondary:
    """knotd secondary of ``zone``; ``key`` = (algorithm, name, secret) signs everything."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "db").mkdir(exist_ok=True)
    user = f"{getpass.getuser()}:{grp.getgrgid(os.getgid()).gr_name}"
    key_section = ""
    key_ref = ""
    if key is not None:
        algorithm, name, secret = key
        key_section = f"key:\n  - id: {name}\n    algorithm: {algorithm}\n    secret: {secret}\n"
        key_ref = f"    key: {name}\n"
    (workdir / "knot.conf").write_text(
        f"""server:
    rundir: "{workdir}"
    user: {user}
    listen: {address}@{port}
    background-workers: 1
database:
    storage: "{workdir}/db"
log:
  - target: stderr
    any: info
{key_section}remote:
  - id: primary
    address: {primary[0]}@{primary[1]}
    via: {address}
{key_ref}acl:
  - id: from-primary
    address: {primary[0]}
    action: notify
{key_ref}zone:
  - domain: {zone}
    storage: "{workdir}"
    file: "{zone}zone"
    master: primary
    acl: from-primary
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
"""
    )
    secondary = Secondary(address=address, port=port, workdir=workdir)
    return secondary.run([require_tool("knotd"), "-c", str(workdir / "knot.conf")])


def nsd(
    workdir: Path, *, zone: str, primary: tuple[str, int], address: str, port: int
) -> Secondary:
    """nsd secondary of ``zone`` (unsigned transfers)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "nsd.conf").write_text(
        f"""server:
  ip-address: {address}@{port}
  port: {port}
  username: ""
  chroot: ""
  zonesdir: "{workdir}"
  pidfile: "{workdir}/nsd.pid"
  database: ""
  zonelistfile: "{workdir}/zone.list"
  xfrdfile: "{workdir}/xfrd.state"
  xfrdir: "{workdir}"
  verbosity: 2
  rrl-ratelimit: 0
  xfrd-reload-timeout: 0
remote-control:
  control-enable: no
zone:
  name: {zone}
  request-xfr: {primary[0]}@{primary[1]} NOKEY
  allow-notify: {primary[0]} NOKEY
  outgoing-interface: {address}
"""
    )
    secondary = Secondary(address=address, port=port, workdir=workdir)
    return secondary.run([require_tool("nsd"), "-d", "-c", str(workdir / "nsd.conf")])


def knot_authority(
    workdir: Path, *, zone: str, zone_text: str, address: str, port: int
) -> Secondary:
    """knotd as the primary of ``zone`` from ``zone_text`` (a parent zone that delegates)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "db").mkdir(exist_ok=True)
    (workdir / f"{zone}zone").write_text(zone_text)
    user = f"{getpass.getuser()}:{grp.getgrgid(os.getgid()).gr_name}"
    (workdir / "knot.conf").write_text(
        f"""server:
    rundir: "{workdir}"
    user: {user}
    listen: {address}@{port}
    background-workers: 1
database:
    storage: "{workdir}/db"
log:
  - target: stderr
    any: info
zone:
  - domain: {zone}
    storage: "{workdir}"
    file: "{zone}zone"
    zonefile-sync: -1
    journal-content: none
"""
    )
    server = Secondary(address=address, port=port, workdir=workdir)
    return server.run([require_tool("knotd"), "-c", str(workdir / "knot.conf")])

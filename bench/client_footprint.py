"""Resident memory and idle CPU of ``homing client run`` next to ddclient's, on this machine.

Both daemons update one name at a local dyndns2 stand-in (127.0.0.1), the
same way: a fixed address (homing: a command source printing it; ddclient:
``use=ip``), polling every 300 s. homing is measured again with the web
source (two echo URLs on the stand-in, ``/ip``) and with the interface
source (a netlink dump, then kernel address events on a netlink socket;
it needs an interface with a non-loopback IPv4 address, so
``public_only = false``).
After the first update arrives, each is left idle; then VmRSS
(``/proc/PID/status``) and the CPU time it used over the idle window
(utime + stime from ``/proc/PID/stat``) are read.

homing runs from its own virtual environment with only what ``pip install``
of the project brings (``.venv-footprint``, made on first use), as a user
has it: the test environment's extra packages change what the libraries
import (httpx loads its command-line helpers, rich and pygments, when they
are installed: 4.5 MiB more).

    .venv/bin/python bench/client_footprint.py [--idle-seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ADDRESS = "203.0.113.7"
NAME = "home.example.net"
TICKS = os.sysconf("SC_CLK_TCK")


class Dyndns2StandIn(BaseHTTPRequestHandler):
    """Answers every ``/nic/update`` with ``good MYIP`` and counts them; ``/ip`` echoes ADDRESS."""

    updates: list[str] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/ip":
            body = ADDRESS.encode()
        else:
            myip = parse_qs(url.query).get("myip", [""])[0]
            type(self).updates.append(myip)
            body = f"good {myip}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def measure(name: str, command: list[str], idle: float) -> dict[str, float]:
    """Start ``command``, wait for its update, let it settle, read memory and idle CPU."""
    before = len(Dyndns2StandIn.updates)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: len(Dyndns2StandIn.updates) > before, f"{name}'s update")
        time.sleep(2.0)  # let start-up work (imports, first pass) finish before the window
        start_cpu, start = cpu_seconds(process.pid), time.monotonic()
        time.sleep(idle)
        used = cpu_seconds(process.pid) - start_cpu
        elapsed = time.monotonic() - start
        rss = rss_kib(process.pid)
    finally:
        process.terminate()
        process.wait(10)
    return {
        "rss_mib": round(rss / 1024, 1),
        "idle_cpu_percent": round(100 * used / elapsed, 3),
        "idle_cpu_ms_per_minute": round(1000 * used * 60 / elapsed, 1),
        "updates": len(Dyndns2StandIn.updates) - before,
    }


def homing_command(directory: Path, url: str, source: str) -> list[str]:
    config = directory / f"client-{source}.toml"
    where = {
        "command": f'command = ["echo", "{ADDRESS}"]',
        "web": f'urls = ["{url}/ip", "{url}/ip?second"]',  # a new address needs two answers
    }.get(source, "")
    config.write_text(
        f'state_file = "{directory / source}.json"\n'
        "public_only = false\n"
        "[ipv4]\n"
        f'source = "{source}"\n'
        f"{where}\n"
        "poll_seconds = 300\n"
        "[[update]]\n"
        'provider = "dyndns2"\n'
        f'server = "{url}"\n'
        'username = "alice"\n'
        'password = "secret"\n'
        f'names = ["{NAME}"]\n'
    )
    return [str(user_install() / "bin" / "homing"), "client", "run", "--config", str(config)]


def user_install() -> Path:
    """A virtual environment with the project as ``pip install`` gives it to users."""
    repo = Path(__file__).resolve().parent.parent
    venv = repo / ".venv-footprint"
    stamp = venv / ".installed"
    if stamp.exists() and stamp.stat().st_mtime >= (repo / "pyproject.toml").stat().st_mtime:
        return venv
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-e", str(repo)]
    subprocess.run(pip, check=True)
    stamp.touch()
    return venv


def ddclient_command(directory: Path, port: int) -> list[str]:
    config = directory / "ddclient.conf"
    config.write_text(
        "daemon=300\nssl=no\nuse=ip, ip=" + ADDRESS + "\n"
        f"protocol=dyndns2\nserver=127.0.0.1:{port}\nlogin=alice\npassword=secret\n{NAME}\n"
    )
    config.chmod(0o600)
    ddclient = shutil.which("ddclient") or "/usr/sbin/ddclient"
    return [
        ddclient,
        "-daemon=300",
        "-foreground",
        "-file",
        str(config),
        "-cache",
        str(directory / "ddclient.cache"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Dyndns2StandIn)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results = {}
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        url = f"http://127.0.0.1:{port}"
        for source in ("command", "web", "interface"):
            name = f"homing client ({source} source)"
            command = homing_command(directory, url, source)
            results[name] = measure(name, command, args.idle_seconds)
        results["ddclient"] = measure(
            "ddclient", ddclient_command(directory, port), args.idle_seconds
        )
    server.shutdown()
    print(json.dumps({"idle_seconds": args.idle_seconds, **results}, indent=1))


if __name__ == "__main__":
    main()

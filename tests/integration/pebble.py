"""Debian's pebble as an offline ACME server: its own TLS certificate, loopback ports only.

Its validation authority asks only the DNS server it is given (``-dnsserver``).
Random validation sleeps, nonce rejections and authorisation reuse are turned
off so that every run does the same work; PEBBLE_VA_ALWAYS_VALID is removed
from its environment, so a certificate proves that the challenge was served.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support import require_tool

START_TIMEOUT = 20.0


@dataclass
class Pebble:
    directory: str
    ca_bundle: Path
    log_path: Path
    management: str
    """Pebble's management API: ``/roots/0`` is the root its certificates chain to."""

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _openssl(*args: str) -> None:
    subprocess.run([require_tool("openssl"), *args], check=True, capture_output=True, timeout=30)


def make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a certificate for 127.0.0.1 signed by it: (ca, cert, key)."""
    ca_key, ca, key, csr, cert = (
        folder / n for n in ("ca.key", "ca.pem", "tls.key", "tls.csr", "tls.pem")
    )
    ext = folder / "ext.cnf"
    ext.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=Homing test CA",
    )
    _openssl("req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost")
    _openssl(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return ca, cert, key


@contextmanager
def running_pebble(folder: Path, *, dns: tuple[str, int]) -> Iterator[Pebble]:
    """Pebble on free loopback ports, validating against ``dns``; stopped on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    ca, cert, key = make_tls(folder)
    port, management = _free_port(), _free_port()
    config = folder / "pebble.json"
    config.write_text(
        json.dumps(
            {
                "pebble": {
                    "listenAddress": f"127.0.0.1:{port}",
                    "managementListenAddress": f"127.0.0.1:{management}",
                    "certificate": str(cert),
                    "privateKey": str(key),
                    "httpPort": _free_port(),
                    "tlsPort": _free_port(),
                    "ocspResponderURL": "",
                    "externalAccountBindingRequired": False,
                }
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEBBLE_")}
    env.update(PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0", PEBBLE_AUTHZREUSE="0")
    log_path = folder / "pebble.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [require_tool("pebble"), "-config", str(config), "-dnsserver", f"{dns[0]}:{dns[1]}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    pebble = Pebble(
        directory=f"https://127.0.0.1:{port}/dir",
        ca_bundle=ca,
        log_path=log_path,
        management=f"https://127.0.0.1:{management}",
    )
    try:
        _wait_ready(pebble, process)
        yield pebble
    finally:
        process.terminate()
        process.wait(timeout=10)


def issuing_root(pebble: Pebble) -> str:
    """The PEM root that pebble's issued certificates chain to (new at every start)."""
    context = ssl.create_default_context(cafile=str(pebble.ca_bundle))
    with urllib.request.urlopen(f"{pebble.management}/roots/0", context=context, timeout=5) as r:
        return str(r.read().decode())


def _wait_ready(pebble: Pebble, process: subprocess.Popen[bytes]) -> None:
    context = ssl.create_default_context(cafile=str(pebble.ca_bundle))
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise AssertionError(f"pebble exited: {pebble.log()}")
        try:
            with urllib.request.urlopen(pebble.directory, context=context, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"pebble did not start: {pebble.log()}") from None
            time.sleep(0.05)

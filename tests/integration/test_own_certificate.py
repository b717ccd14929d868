"""``homing serve`` gets its own certificate from pebble over DNS-01, serves and renews it.

Pebble validates against homing's own DNS port (fixed before either starts,
since each needs the other's address), so the certificate proves that homing
published the ``_acme-challenge`` values itself. curl checks the HTTPS
endpoint with pebble's issuing root, for the zone's name and a wildcard
name; SIGHUP forces a renewal, and a TLS connection opened before it keeps
working after the new certificate is served.
"""

from __future__ import annotations

import http.client
import signal
import socket
import ssl
import stat
import subprocess
import sys
from pathlib import Path

from cryptography import x509

from support import require_tool

from .conftest import Seeded
from .dnsquery import wait_for
from .pebble import issuing_root, running_pebble
from .secondary_servers import free_port
from .server import ServerProcess

ZONE = "dyn.example"
RENEW_TIMEOUT = 60.0


def _config(path: Path, directory: str, ca_bundle: Path, domains: list[str]) -> Path:
    names = ", ".join(f'"{d}"' for d in domains)
    path.write_text(
        f'tls_acme_directory = "{directory}"\n'
        f"tls_acme_domains = [{names}]\n"
        'tls_acme_email = "hostmaster@dyn.example"\n'
        f'tls_acme_ca_bundle = "{ca_bundle}"\n'
    )
    return path


def _served_serial(port: int, root: Path, name: str) -> int:
    context = ssl.create_default_context(cafile=str(root))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=name) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def _curl(port: int, root: Path, name: str) -> str:
    result = subprocess.run(
        [
            require_tool("curl"),
            "-sS",
            "--cacert",
            str(root),
            "--resolve",
            f"{name}:{port}:127.0.0.1",
            f"https://{name}:{port}/health",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_serve_gets_serves_and_renews_its_own_certificate(seeded: Seeded, tmp_path: Path) -> None:
    dns_port = free_port("127.0.0.1")
    with running_pebble(tmp_path / "pebble", dns=("127.0.0.1", dns_port)) as pebble:
        config = _config(
            tmp_path / "homing.toml", pebble.directory, pebble.ca_bundle, [ZONE, f"*.{ZONE}"]
        )
        server = ServerProcess(seeded.data, config=config, dns_listen=f"127.0.0.1:{dns_port}")
        server.start()
        try:
            assert server.url.startswith("https://"), server.banner
            port = int(server.url.rsplit(":", 1)[1])
            root = tmp_path / "root.pem"
            root.write_text(issuing_root(pebble))
            assert '"status"' in _curl(port, root, ZONE)
            assert '"status"' in _curl(port, root, f"www.{ZONE}")
            stored = seeded.data / "tls"
            for name in ("acme-cert.pem", "acme-key.pem", "acme-account.pem"):
                assert stat.S_IMODE((stored / name).stat().st_mode) == 0o600
            first = _served_serial(port, root, ZONE)

            context = ssl.create_default_context(cafile=str(root))
            before = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
            before.sock = context.wrap_socket(
                socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname=ZONE
            )
            before.request("GET", "/health")
            assert before.getresponse().read()

            assert server.process is not None
            server.process.send_signal(signal.SIGHUP)
            wait_for(
                lambda: _served_serial(port, root, ZONE) != first,
                timeout=RENEW_TIMEOUT,
                what="a renewed certificate",
            )
            before.request("GET", "/health")
            reply = before.getresponse()
            assert reply.status == 200 and reply.read()
            before.close()
            assert "certificate renewed" in server.log()
            renewed = _served_serial(port, root, ZONE)
        except BaseException:
            server.stop()
            raise
    # The CA is gone: a renewal fails, and the server keeps serving the certificate it has.
    try:
        server.process.send_signal(signal.SIGHUP)
        wait_for(
            lambda: "renewal failed, keeping the current certificate" in server.log(),
            timeout=RENEW_TIMEOUT,
            what="the failed renewal in the log",
        )
        assert _served_serial(port, root, ZONE) == renewed
        assert '"status"' in _curl(port, root, ZONE)
    finally:
        assert server.stop() == 0, server.log()


def test_a_domain_outside_the_zones_is_one_clear_line(seeded: Seeded, tmp_path: Path) -> None:
    config = _config(
        tmp_path / "homing.toml",
        "https://127.0.0.1:1/dir",
        tmp_path / "none.pem",
        ["www.elsewhere.example"],
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "homing",
            "--data",
            str(seeded.data),
            "--config",
            str(config),
            "serve",
            "--dns",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "tls_acme_domains: www.elsewhere.example is in none of the served zones" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr

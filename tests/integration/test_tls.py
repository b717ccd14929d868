"""HTTPS as operators deploy it: a certificate in the config; plain HTTP refused off loopback."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import httpx

from support import require_tool

from .conftest import Seeded
from .server import ServerProcess, homing


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            require_tool("openssl"),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def test_updates_over_https(seeded: Seeded, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    config = tmp_path / "homing.toml"
    config.write_text(f'tls_cert = "{cert}"\ntls_key = "{key}"\n')
    server = ServerProcess(seeded.data, config=config).start()
    try:
        assert server.url.startswith("https://127.0.0.1:")
        verify = ssl.create_default_context(cafile=str(cert))
        response = httpx.get(
            f"{server.url}/nic/update",
            params={"hostname": "home.dyn.example", "myip": "203.0.113.61"},
            auth=("alice", "alice-password"),
            verify=verify,
        )
        assert response.text == "good 203.0.113.61\n"
        assert response.headers["strict-transport-security"] == "max-age=31536000"
        plain = server.url.replace("https://", "http://")
        try:
            answered = httpx.get(f"{plain}/ip", timeout=5).status_code
        except httpx.HTTPError:
            answered = None
        assert answered != 200, "plain HTTP must not be served on the TLS port"
    finally:
        assert server.stop() == 0, server.log()


def test_plain_http_off_loopback_is_refused_at_start(seeded: Seeded) -> None:
    result = homing(
        seeded.data, "serve", "--http", "0.0.0.0:0", "--dns", "127.0.0.1:0", check=False
    )
    assert result.returncode != 0
    assert result.stderr.startswith("error: ")
    assert "tls_cert" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

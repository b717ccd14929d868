"""core/doctor.py, the local checks: data directory permissions and the certificate."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from homing.config import Settings
from homing.core.doctor import local_findings
from homing.domain.delegation import Severity
from support import require_tool


def _certificate(tmp_path: Path, *, days: int, names: str) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
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
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            str(days),
            "-subj",
            "/CN=homing",
            "-addext",
            f"subjectAltName={names}",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _lines(settings: Settings, now: datetime | None = None) -> list[str]:
    return [f.line() for f in local_findings(settings, now=now) if f.topic != "clock"]


def test_files_others_can_read_are_failures(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "homing.sqlite3").write_bytes(b"")
    (data / "homing.sqlite3").chmod(0o644)
    lines = _lines(Settings(data_dir=data))
    assert (
        f"WARN data directory {data}: is open to other users (mode 0755) -> chmod 700 {data}"
        in lines
    )
    assert any(line.startswith("FAIL") and "homing.sqlite3 is readable" in line for line in lines)
    data.chmod(0o700)
    (data / "homing.sqlite3").chmod(0o600)
    assert f"OK   data directory {data}: only its owner can read it" in _lines(
        Settings(data_dir=data)
    )
    assert _lines(Settings(data_dir=tmp_path / "absent"))[0].startswith("FAIL")


def test_certificate_names_and_expiry(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path, days=30, names="DNS:ddns.example.net,DNS:*.dyn.example.net")
    settings = Settings(
        data_dir=tmp_path, tls_cert=cert, tls_key=key, public_url="https://ddns.example.net"
    )
    [line] = [line for line in _lines(settings) if line.split()[1] == "certificate"]
    assert line.startswith("OK") and "ddns.example.net, *.dyn.example.net" in line
    soon = datetime.now(UTC) + timedelta(days=20)
    assert any(line.startswith("WARN") and "expires in" in line for line in _lines(settings, soon))
    later = datetime.now(UTC) + timedelta(days=40)
    assert any(line.startswith("FAIL") and "expired on" in line for line in _lines(settings, later))
    elsewhere = Settings(
        data_dir=tmp_path, tls_cert=cert, tls_key=key, public_url="https://x.example.org"
    )
    assert any("does not name x.example.org" in line for line in _lines(elsewhere))
    wildcard = Settings(
        data_dir=tmp_path, tls_cert=cert, tls_key=key, public_url="https://a.dyn.example.net"
    )
    assert not any("does not name" in line for line in _lines(wildcard))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    broken = Settings(data_dir=tmp_path, tls_cert=garbage, tls_key=key)
    assert any(line.startswith("FAIL") and "cannot be read" in line for line in _lines(broken))


def test_the_clock_is_judged_by_the_kernel(tmp_path: Path) -> None:
    [clock] = [f for f in local_findings(Settings(data_dir=tmp_path)) if f.topic == "clock"]
    assert clock.severity in {Severity.OK, Severity.WARN}

"""The stored certificate: when it is due, which names it covers, files written whole."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from homing.tls.own_certificate import zone_for
from homing.tls.stored import StoredCertificate

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _pair(names: list[str], days: int) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(START)
        .not_valid_after(START + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def test_nothing_stored_means_get_one_now(tmp_path: Path) -> None:
    stored = StoredCertificate(tmp_path / "tls")
    assert stored.renew_at() is None
    assert not stored.usable_for(["dyn.example"])


def test_renewal_is_due_after_two_thirds_of_the_life(tmp_path: Path) -> None:
    stored = StoredCertificate(tmp_path / "tls")
    stored.save(*_pair(["dyn.example", "*.dyn.example"], days=90))
    assert stored.renew_at() == START + dt.timedelta(days=60)
    names = ["dyn.example", "*.dyn.example"]
    assert stored.usable_for(names, now=START + dt.timedelta(days=59))
    assert not stored.usable_for(names, now=START + dt.timedelta(days=61))
    assert not stored.usable_for(["dyn.example"], now=START + dt.timedelta(days=1))
    for path in (stored.cert, stored.key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.folder.stat().st_mode) == 0o700


def test_an_unreadable_certificate_is_as_none(tmp_path: Path) -> None:
    stored = StoredCertificate(tmp_path / "tls")
    stored.save(b"not a key", b"-----BEGIN CERTIFICATE-----\ngarbage\n")
    assert stored.leaf() is None
    assert stored.renew_at() is None
    assert stored.names() == set()


def test_zone_for_picks_the_longest_zone() -> None:
    zones = ["example.", "dyn.example.", "other.net."]
    assert zone_for("_acme-challenge.dyn.example.", zones) == "dyn.example."
    assert zone_for("_acme-challenge.www.example.", zones) == "example."
    assert zone_for("dyn.example.", zones) == "dyn.example."
    assert zone_for("nowhere.org.", zones) is None
    assert zone_for("xdyn.example.", ["dyn.example."]) is None

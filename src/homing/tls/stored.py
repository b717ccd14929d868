"""The certificate ``homing serve`` got for itself, as files in the data directory.

The key and the chain are written next to each other (``tls/``, mode 0600)
and replaced atomically, so a crash during a renewal leaves the old pair
whole. The account key stays too: the CA knows the server by it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

RENEW_AT_FRACTION = 2 / 3
"""Renew once two thirds of a certificate's life have passed (as certbot and Caddy do)."""


@dataclass(frozen=True, slots=True)
class StoredCertificate:
    """Where the pair lives: ``cert`` (the full chain, PEM) and ``key`` (PKCS#8 PEM)."""

    folder: Path

    @property
    def cert(self) -> Path:
        return self.folder / "acme-cert.pem"

    @property
    def key(self) -> Path:
        return self.folder / "acme-key.pem"

    @property
    def account_key(self) -> Path:
        return self.folder / "acme-account.pem"

    def leaf(self) -> x509.Certificate | None:
        """The certificate served now, or None when there is none (or it is unreadable)."""
        try:
            return x509.load_pem_x509_certificate(self.cert.read_bytes())
        except (OSError, ValueError):
            return None

    def renew_at(self) -> datetime | None:
        """When the stored certificate is due for renewal; None: get one now."""
        leaf = self.leaf()
        if leaf is None or not self.key.exists():
            return None
        start, end = leaf.not_valid_before_utc, leaf.not_valid_after_utc
        return start + (end - start) * RENEW_AT_FRACTION

    def names(self) -> set[str]:
        leaf = self.leaf()
        if leaf is None:
            return set()
        try:
            san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        except x509.ExtensionNotFound:
            return set()
        return {name.lower() for name in san.value.get_values_for_type(x509.DNSName)}

    def usable_for(self, domains: list[str], now: datetime | None = None) -> bool:
        """True when the stored pair covers ``domains`` and is not due for renewal."""
        due = self.renew_at()
        moment = now or datetime.now(UTC)
        return due is not None and moment < due and self.names() == {d.lower() for d in domains}

    def save(self, key_pem: bytes, chain_pem: bytes) -> None:
        """Replace the pair; each file lands whole (write aside, fsync, rename)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(self.key, key_pem)
        write_private(self.cert, chain_pem)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by the owner only."""
    aside = path.with_name(path.name + ".new")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    aside.replace(path)

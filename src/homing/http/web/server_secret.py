"""The web UI's signing key as a file in the data directory, readable by the owner only.

Sessions are stateless signed cookies, so the key is what makes them
unforgeable. ``homing serve`` keeps it in the database (``core/session_key.py``),
so that a session works on every node sharing it; an existing
``web-session.key`` is where that key comes from on the first start after an
upgrade (``existing_secret``), so nobody is signed out. A web UI built without
a key from the database (tests) makes and keeps the file here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from homing.errors import ConfigError

SECRET_FILE = "web-session.key"  # noqa: S105 - a file name, not a secret
SECRET_BYTES = 32


def existing_secret(data_dir: Path) -> bytes | None:
    """The key of an existing ``web-session.key`` (an installation from before issue 9), if any."""
    path = data_dir / SECRET_FILE
    return _read(path) if path.exists() else None


def load_or_create_secret(data_dir: Path) -> bytes:
    """The key from ``data_dir``, created (mode 0600) on first start."""
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made by an earlier start or by another node sharing the directory
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
    return _read(path)


def _read(path: Path) -> bytes:
    try:
        text = path.read_text().strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the web session key {path}: {exc}") from None
    if len(key) < SECRET_BYTES:
        raise ConfigError(f"the web session key {path} is too short; delete it to make a new one")
    return key

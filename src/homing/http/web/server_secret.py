"""The web UI's signing key: random, kept in the data directory, readable by the owner only.

Sessions are stateless signed cookies, so the key is what makes them
unforgeable. It lives beside the database (not in the settings, which are
often world-readable) and survives restarts, so a restart signs nobody out;
deleting the file signs everybody out.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from homing.errors import ConfigError

SECRET_FILE = "web-session.key"  # noqa: S105 - a file name, not a secret
SECRET_BYTES = 32


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
    try:
        text = path.read_text().strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the web session key {path}: {exc}") from None
    if len(key) < SECRET_BYTES:
        raise ConfigError(f"the web session key {path} is too short; delete it to make a new one")
    return key

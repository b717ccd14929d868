"""The data directory for its owner only: 0700, and 0600 for every file in it.

The database holds TSIG secrets (in clear: verifying a TSIG needs them) and
password hashes; the directory also holds the web UI's signing secret and
backups. ``homing serve`` sets the umask so nothing it creates is readable by
others, and tightens what an older release left open (issue 11: 0755 and
0644), with one log line per path it changed.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077


def restrict_umask() -> None:
    """Files and directories this process creates are its owner's only."""
    os.umask(PRIVATE_UMASK)


def secure_data_dir(data_dir: Path) -> None:
    """Create ``data_dir`` 0700, or tighten it and everything in it (see the module docstring)."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _tighten(data_dir)
    for root, dirs, files in os.walk(data_dir):
        for name in [*dirs, *files]:
            _tighten(Path(root) / name)


def _tighten(path: Path) -> None:
    """Take group's and others' bits away (0755 → 0700, 0644 → 0600)."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return  # the target is not ours to change
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077 == 0:
            return
        path.chmod(mode & ~0o077)
    except OSError as exc:
        log.warning("could not restrict permissions of %s: %s", path, exc.strerror)
        return
    log.warning(
        "restricted permissions of %s from %04o to %04o (it may hold secrets)",
        path,
        mode,
        mode & ~0o077,
    )

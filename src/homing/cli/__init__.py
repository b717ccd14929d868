"""The ``homing`` command line; each sibling module adds its commands to ``main``.

``client`` is loaded only when one of its commands runs (``base.LAZY_COMMANDS``).
"""

from __future__ import annotations

from homing.cli import (
    accounts,
    alerts,
    apitokens,
    backup,
    database,
    dnssec,
    doctor,
    interop,
    serve,
    zonefiles,
)
from homing.cli.base import main

__all__ = [
    "accounts",
    "alerts",
    "apitokens",
    "backup",
    "database",
    "dnssec",
    "doctor",
    "interop",
    "main",
    "serve",
    "zonefiles",
]

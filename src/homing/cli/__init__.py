"""The ``homing`` command line; each sibling module adds its commands to ``main``."""

from __future__ import annotations

from homing.cli import accounts, alerts, apitokens, client, interop, serve
from homing.cli.base import main

__all__ = ["accounts", "alerts", "apitokens", "client", "interop", "main", "serve"]

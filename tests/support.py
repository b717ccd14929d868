"""Helpers shared by tests (importable as ``support`` thanks to pytest's pythonpath)."""

from __future__ import annotations

from dataclasses import dataclass

from homing.core.admin import Admin
from homing.core.auth import Authenticator
from homing.core.updates import UpdateService
from homing.core.writer import ChangeWriter
from homing.domain.records import ViewEvent
from homing.store.store import Store


@dataclass
class Core:
    store: Store
    admin: Admin
    writer: ChangeWriter
    auth: Authenticator
    updates: UpdateService
    events: list[ViewEvent]


def require_tool(name: str) -> str:
    """The tool's path; a missing tool skips locally but fails under CI (CI=true)."""
    import os
    import shutil

    import pytest

    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        message = f"{name} is not installed (make test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path

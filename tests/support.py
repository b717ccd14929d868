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

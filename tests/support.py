"""Helpers shared by tests (importable as ``support`` thanks to pytest's pythonpath)."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from homing.config import Settings
from homing.core.acme import AcmeAccounts, AcmeUpdates
from homing.core.admin import Admin
from homing.core.api_services import ApiServices
from homing.core.api_tokens import ApiTokens, BearerAuth
from homing.core.auth import Authenticator
from homing.core.brake import Brake
from homing.core.dnssec import Dnssec
from homing.core.host_records import HostRecords
from homing.core.refusals import Refusals
from homing.core.updates import UpdateService
from homing.core.writer import ChangeWriter
from homing.domain.records import ViewEvent
from homing.http.context import HttpContext
from homing.store.store import Store


@dataclass
class Core:
    store: Store
    admin: Admin
    writer: ChangeWriter
    auth: Authenticator
    updates: UpdateService
    events: list[ViewEvent]
    brake: Brake
    refusals: Refusals


def http_context(core: Core, settings: Settings) -> HttpContext:
    """The HTTP front doors' view of ``core``, as ``homing serve`` wires it."""
    return HttpContext(
        settings=settings,
        auth=core.auth,
        updates=core.updates,
        store=core.store,
        acme_accounts=AcmeAccounts(
            store=core.store,
            origin="acme-test",
            zone=settings.acme_zone or settings.default_zone,
            writes=core.writer,
        ),
        acme_updates=AcmeUpdates(
            store=core.store, writer=core.writer, brake=core.brake, refusals=core.refusals
        ),
        api=ApiServices(
            store=core.store,
            admin=Admin(store=core.store, origin="api-test", writes=core.writer),
            writer=core.writer,
            tokens=ApiTokens(store=core.store, writes=core.writer),
            bearer=BearerAuth(store=core.store, brake=core.brake, refusals=core.refusals),
            records=HostRecords(store=core.store, writer=core.writer, policy=settings.policy),
            dnssec=Dnssec.from_settings(
                store=core.store, origin="api-test", settings=settings, writes=core.writer
            ),
        ),
    )


@contextmanager
def provider_in_thread(settings: Settings) -> Iterator[str]:
    """A real provider (``homing serve`` without the CLI) in its own thread and event loop,
    for synchronous clients over loopback HTTP; yields its base URL."""
    from homing.app import Provider

    loop = asyncio.new_event_loop()
    provider = Provider(settings)
    loop.run_until_complete(provider.start())
    thread = threading.Thread(target=loop.run_forever, name="provider", daemon=True)
    thread.start()
    try:
        assert provider.http_address is not None
        host, port = provider.http_address
        yield f"http://{host}:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(provider.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


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


def unit_settings(unit: Path, section: str = "Service") -> dict[str, list[str]]:
    """A systemd unit file's keys in ``section``, each with every value it is given (in order)."""
    settings: dict[str, list[str]] = {}
    current = ""
    for raw in unit.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        if current == section:
            settings.setdefault(key, []).append(value)
    return settings


def systemd_verify(unit: Path, tmp_path: Path, executable: str) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify`` on a copy of ``unit`` whose ExecStart runs ``executable``.

    verify checks that ExecStart exists: the copy points at this checkout's interpreter.
    """
    analyze = require_tool("systemd-analyze")
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace("/usr/local/bin/homing", executable))
    return subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )

"""Fixtures the client's tests share: the real ``homing serve`` with one host to update."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ..integration.server import ServerProcess, homing


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """A running server with zone dyn.example, user alice, host home.dyn.example; its token."""
    data = tmp_path / "data"
    homing(data, "zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
    homing(data, "user", "add", "alice", "--password-stdin", stdin="alice-password\n")
    token = homing(data, "host", "add", "home.dyn.example", "--owner", "alice").stdout
    process = ServerProcess(data).start()
    yield process, token.strip().splitlines()[-1]
    assert process.stop() == 0, process.log()

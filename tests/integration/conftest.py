"""A seeded data directory and a running server for the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .server import ServerProcess, homing


@dataclass
class Seeded:
    data: Path
    token: str


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    data = tmp_path / "data"
    homing(data, "zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
    homing(data, "user", "add", "alice", "--password-stdin", stdin="alice-password\n")
    out = homing(data, "host", "add", "home.dyn.example", "--owner", "alice").stdout
    return Seeded(data=data, token=out.strip().splitlines()[-1])


@pytest.fixture
def server(seeded: Seeded) -> Iterator[ServerProcess]:
    process = ServerProcess(seeded.data).start()
    yield process
    assert process.stop() == 0, process.log()

"""A throw-away network namespace with a veth pair, so tests change real interface addresses."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from support import require_tool


@contextmanager
def namespace() -> Iterator[str]:
    """The namespace's name; its ``veth0`` is up and has no address yet. Root only."""
    ip = require_tool("ip")
    if os.geteuid() != 0:
        message = "network namespaces need root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"homing-test-{uuid.uuid4().hex[:8]}"
    subprocess.run([ip, "netns", "add", name], check=True, timeout=10)
    try:
        for command in (
            ["link", "add", "veth0", "type", "veth", "peer", "name", "veth1"],
            ["link", "set", "veth0", "up"],
            ["link", "set", "veth1", "up"],
        ):
            subprocess.run([ip, "-n", name, *command], check=True, timeout=10)
        yield name
    finally:
        subprocess.run([ip, "netns", "del", name], check=False, timeout=10)


def ip_in(name: str, *args: str) -> None:
    """Run ``ip -n NAME ARGS`` (for example ``addr add 192.0.2.1/24 dev veth0``)."""
    subprocess.run([require_tool("ip"), "-n", name, *args], check=True, timeout=10)

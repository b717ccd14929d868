"""``homing serve`` as a real process on free loopback ports, and the CLI as users run it."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from homing.core.admin import Admin
from homing.store.store import Store

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
TEST_DNS_WORKERS = 1
DNS_LINE = re.compile(r"DNS\s+\(UDP\+TCP\)\s+(\S+):(\d+)$")
HTTP_LINE = re.compile(r"HTTP\s+(https?://\S+)$")


def homing(
    data: Path, *args: str, stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run one ``homing`` management command against ``data``."""
    result = subprocess.run(
        [sys.executable, "-m", "homing", "--data", str(data), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"homing {' '.join(args)} failed: {result.stderr}")
    return result


class ServerProcess:
    """A running ``homing serve``; ports come from its banner (it binds port 0)."""

    def __init__(
        self,
        data: Path,
        *extra: str,
        config: Path | None = None,
        prefix: list[str] | None = None,
        start_timeout: float = START_TIMEOUT,
        dns_listen: str = "127.0.0.1:0",
        dns_workers: int | None = TEST_DNS_WORKERS,
    ) -> None:
        self.start_timeout = start_timeout
        self.dns_workers = dns_workers
        """Unless the config file names ``dns_workers``: None is the product's default (one per
        CPU); tests take one worker, which serves as workers do at a fraction of the start-up
        (tests/integration/test_dns_workers.py runs two)."""
        self.dns_listen = dns_listen
        self.data = data
        self.prefix = prefix or []
        self.extra = extra
        self.config = config
        self.process: subprocess.Popen[str] | None = None
        self.dns: tuple[str, int] = ("", 0)
        self.url = ""
        self.log_path = data / "serve.log"
        self.banner: list[str] = []
        self._pump = threading.Thread()

    def start(self) -> ServerProcess:
        args = [*self.prefix, sys.executable, "-m", "homing", "--data", str(self.data)]
        if self.config is not None:
            args += ["--config", str(self.config)]
        args += ["serve", "--dns", self.dns_listen, "--http", "127.0.0.1:0", *self.extra]
        self.data.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("a")
        env = dict(os.environ)
        configured = self.config is not None and "dns_workers" in self.config.read_text()
        if self.dns_workers is not None and not configured:
            env["HOMING_DNS_WORKERS"] = str(self.dns_workers)
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1, env=env
        )
        log.close()
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"server did not start: {self.log()}") from None
            if line is None:
                raise AssertionError(f"server exited during start: {self.log()}")
            self.banner.append(line)
            if m := DNS_LINE.search(line.strip()):
                if not self.dns[1]:
                    self.dns = (m.group(1), int(m.group(2)))
            elif m := HTTP_LINE.search(line.strip()):
                self.url = m.group(1)
            if line.startswith("Stop with"):
                return self

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> int:
        """SIGTERM and wait; returns the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=STOP_TIMEOUT)
        self._close_pipe()
        return status

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT)
        self._close_pipe()

    def _close_pipe(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        self._pump.join(timeout=STOP_TIMEOUT)
        self.process.stdout.close()


async def seed_load_hosts(data: Path, count: int) -> list[str]:
    """Zone ``load.example`` with hosts h0..h{count-1} of user ``loader``; their tokens."""
    store = await Store.open(data / "homing.sqlite3")
    admin = Admin(store=store, origin="test-seed")
    await admin.add_zone("load.example")
    await admin.add_user("loader", password="loader-password")
    tokens = []
    for i in range(count):
        _, token = await admin.add_host(f"h{i}.load.example", owner="loader")
        tokens.append(token)
    await store.close()
    return tokens

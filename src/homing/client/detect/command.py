"""A command the user names prints the address (a router's API, a VPN tool, a script).

The first non-empty line of its standard output is the address; it must
exit 0 within the timeout. It runs without a shell, so the config gives
the program and its arguments as a list.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
from dataclasses import dataclass

from homing.client.addresses import Family, usable_address
from homing.client.detect.polling import PollingSource
from homing.client.errors import DetectionError
from homing.client.options import Options
from homing.domain.addresses import IPAddress


@dataclass(frozen=True, kw_only=True)
class CommandSettings:
    """The program and its arguments, and how often to run it."""

    command: tuple[str, ...]
    poll_seconds: float

    @classmethod
    def parse(cls, options: Options) -> CommandSettings:
        command = options.strings("command")
        if len(command) == 1:
            command = tuple(shlex.split(command[0]))
        if not command:
            raise options.error("command", "missing: the program to run is required")
        poll = options.number("poll_seconds", 300, low=1, high=86400)
        return cls(command=command, poll_seconds=poll)

    def build(self, *, family: Family, public_only: bool, timeout: float) -> CommandSource:
        return CommandSource(
            command=self.command, family=family, public_only=public_only, timeout=timeout
        )


class CommandSource(PollingSource):
    """Runs the command once per detection."""

    def __init__(
        self, *, command: tuple[str, ...], family: Family, public_only: bool, timeout: float
    ) -> None:
        self._command = command
        self._family = family
        self._public_only = public_only
        self._timeout = timeout

    @property
    def description(self) -> str:
        return f"command {shlex.join(self._command)}"

    async def detect(self) -> IPAddress:
        try:
            process = await asyncio.create_subprocess_exec(
                *self._command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise DetectionError(f"cannot run {self._command[0]}: {exc.strerror}") from None
        try:
            out, err = await asyncio.wait_for(process.communicate(), self._timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            late = f"{self._command[0]} did not finish in {self._timeout:g} s"
            raise DetectionError(late) from None
        if process.returncode != 0:
            reason = err.decode(errors="replace").strip().splitlines()
            said = f": {reason[0][:100]}" if reason else ""
            raise DetectionError(f"{self._command[0]} exited with {process.returncode}{said}")
        lines = [line.strip() for line in out.decode(errors="replace").splitlines() if line.strip()]
        if not lines:
            raise DetectionError(f"{self._command[0]} printed nothing")
        return usable_address(lines[0], self._family, public_only=self._public_only)

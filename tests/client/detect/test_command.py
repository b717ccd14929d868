"""A user command as the address source: its first line, its exit status, its time limit."""

from __future__ import annotations

import sys

import pytest

from homing.client.addresses import Family
from homing.client.detect.command import CommandSettings, CommandSource
from homing.client.errors import DetectionError


def _source(*command: str, timeout: float = 5.0) -> CommandSource:
    return CommandSource(command=command, family=Family.IPV4, public_only=True, timeout=timeout)


def _python(code: str) -> tuple[str, ...]:
    return (sys.executable, "-c", code)


async def test_first_line_is_the_address() -> None:
    source = _source(*_python("print('\\n 93.184.216.34 \\nignored')"))
    assert str(await source.detect()) == "93.184.216.34"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("import sys; print('nope', file=sys.stderr); sys.exit(3)", "exited with 3: nope"),
        ("pass", "printed nothing"),
        ("print('<html>')", "not an IP address"),
        ("print('2606:2800:220:1::1')", "is not an ipv4 address"),
        ("print('10.0.0.1')", "not a public address"),
    ],
)
async def test_bad_commands_give_clear_errors(code: str, message: str) -> None:
    with pytest.raises(DetectionError, match=message):
        await _source(*_python(code)).detect()


async def test_slow_command_is_killed() -> None:
    with pytest.raises(DetectionError, match=r"did not finish in 0\.3 s"):
        await _source(*_python("import time; time.sleep(30)"), timeout=0.3).detect()


async def test_missing_program() -> None:
    with pytest.raises(DetectionError, match="cannot run /nonexistent/tool"):
        await _source("/nonexistent/tool").detect()


def test_a_string_command_is_split_like_a_shell_would() -> None:
    from pathlib import Path

    from homing.client.options import ConfigText, Options

    options = Options(
        {"command": "/usr/bin/wan-ip --iface 'ppp 0'"},
        text=ConfigText(Path("c.toml"), ""),
        table="ipv4",
    )
    assert CommandSettings.parse(options).command == ("/usr/bin/wan-ip", "--iface", "ppp 0")

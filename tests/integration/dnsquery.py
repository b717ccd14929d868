"""Small helpers to ask the server under test, with dnspython or the real dig/kdig."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from support import require_tool


def ask(server: tuple[str, int], name: str, rtype: str = "A") -> dns.message.Message:
    query = dns.message.make_query(name, rtype)
    query.flags &= ~dns.flags.RD
    return dns.query.udp(query, server[0], port=server[1], timeout=2.0)


def addresses(server: tuple[str, int], name: str, rtype: str = "A") -> set[str]:
    response = ask(server, name, rtype)
    return {
        item.to_text()
        for rrset in response.answer
        if rrset.rdtype == dns.rdatatype.from_text(rtype)
        for item in rrset
    }


def _run(tool: str, server: tuple[str, int], options: list[str], args: tuple[str, ...]) -> str:
    path = require_tool(tool)
    result = subprocess.run(
        [path, f"@{server[0]}", "-p", str(server[1]), *options, *args],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    return result.stdout + result.stderr


def dig(server: tuple[str, int], *args: str) -> str:
    """The real dig, asking only the server under test (no recursion, one short try)."""
    return _run("dig", server, ["+norec", "+time=2", "+tries=1"], args)


def kdig(server: tuple[str, int], *args: str) -> str:
    return _run("kdig", server, ["+norec", "+time=2", "+retry=0"], args)


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> float:
    """Poll ``condition`` until true; returns the seconds it took, fails after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - start

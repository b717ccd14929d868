"""``homing serve`` as users run it: banner, updates over HTTP seen by DNS, live management."""

from __future__ import annotations

import dns.rcode
import httpx

from .conftest import Seeded
from .dnsquery import addresses, ask, dig, kdig, wait_for
from .server import ServerProcess, homing

AUTH = ("alice", "alice-password")


def test_update_is_answered_by_dig_at_once(server: ServerProcess) -> None:
    response = httpx.get(
        f"{server.url}/nic/update",
        params={"hostname": "home.dyn.example", "myip": "203.0.113.7"},
        auth=AUTH,
    )
    assert response.text == "good 203.0.113.7\n"
    # No waiting: the answer is sent after the DNS view was patched.
    out = dig(server.dns, "home.dyn.example", "A")
    assert "203.0.113.7" in out and " aa" in out
    out = dig(server.dns, "HoMe.DyN.example", "A")
    assert ";HoMe.DyN.example." in out and "203.0.113.7" in out
    out = kdig(server.dns, "+tcp", "home.dyn.example", "A")
    assert "(TCP)" in out and "203.0.113.7" in out


def test_management_commands_reach_the_running_server(
    server: ServerProcess, seeded: Seeded
) -> None:
    homing(seeded.data, "zone", "add", "other.example")
    took = wait_for(
        lambda: ask(server.dns, "other.example", "SOA").rcode() == dns.rcode.NOERROR,
        timeout=1.0,
        what="the new zone to be served",
    )
    assert took < 1.0
    out = homing(seeded.data, "host", "add", "cam.other.example", "--owner", "alice").stdout
    token = out.strip().splitlines()[-1]
    response = httpx.get(
        f"{server.url}/update",
        params={"domains": "cam.other.example", "token": token, "ip": "198.51.100.77"},
    )
    assert response.text == "OK"
    assert addresses(server.dns, "cam.other.example") == {"198.51.100.77"}
    homing(seeded.data, "host", "remove", "cam.other.example")
    wait_for(
        lambda: ask(server.dns, "cam.other.example").rcode() == dns.rcode.NXDOMAIN,
        timeout=1.0,
        what="the removed host to disappear",
    )
    token_id = homing(seeded.data, "token", "list", "--host", "home.dyn.example").stdout.split()[0]
    homing(seeded.data, "token", "revoke", token_id)
    refused = httpx.get(
        f"{server.url}/update", params={"domains": "home.dyn.example", "token": seeded.token}
    )
    assert refused.text == "KO"


def test_host_show_reports_the_last_update(server: ServerProcess, seeded: Seeded) -> None:
    httpx.get(
        f"{server.url}/nic/update",
        params={"hostname": "home.dyn.example", "myip": "203.0.113.8"},
        auth=AUTH,
    )
    shown = homing(seeded.data, "host", "show", "home.dyn.example").stdout
    assert "203.0.113.8" in shown
    assert "from 127.0.0.1 via dyndns2" in shown


def test_sigterm_stops_cleanly(seeded: Seeded) -> None:
    process = ServerProcess(seeded.data).start()
    assert process.stop() == 0
    assert "Traceback" not in process.log()


def test_cli_errors_are_one_line(seeded: Seeded) -> None:
    result = homing(
        seeded.data, "host", "add", "x.nowhere.example", "--owner", "alice", check=False
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    result = homing(
        seeded.data, "user", "add", "bad name", "--password-stdin", stdin="x" * 10, check=False
    )
    assert result.returncode == 1 and "invalid user name" in result.stderr

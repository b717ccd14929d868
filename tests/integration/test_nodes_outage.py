"""PostgreSQL stopped and started under two running nodes (issue 9 item 5).

Meanwhile both nodes answer DNS from memory, and every front door refuses
updates with its protocol's server error — ``911``, ``KO``, SERVFAIL, 503 —
never a 500 and never an acknowledgement; afterwards they take updates again
by themselves, and nothing acknowledged before is lost. A PostgreSQL of its
own: the session's server must not stop under other tests. The module also
checks what else the nodes share through it: a web session made at one node
works at the other, and an address locked out at one is locked out at both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import dns.message
import dns.query
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import dns.update
import httpx
import pytest

from pgserver import PostgresServer

from .dnsquery import addresses, wait_for
from .server import ServerProcess, homing

RECOVERY_TIMEOUT = 30.0
PASSWORD = "correct horse battery"


@dataclass
class Outage:
    database: PostgresServer
    a: ServerProcess
    b: ServerProcess
    token: str
    api_token: str
    tsig_secret: str


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    database = PostgresServer()
    database.start()
    root = tmp_path_factory.mktemp("outage")
    url = database.new_database()

    def cli(*args: str, stdin: str | None = None) -> str:
        return homing(root / "cli", "--database-url", url, *args, stdin=stdin).stdout

    servers: list[ServerProcess] = []
    try:
        cli("zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
        cli("user", "add", "alice", "--password-stdin", stdin=PASSWORD + "\n")
        token = cli("host", "add", "home.dyn.example", "--owner", "alice").strip().splitlines()[-1]
        api_token = cli("apitoken", "create", "--user", "alice", "--name", "t").split()[-1]
        tsig = cli("tsig", "add", "k.dyn.example", "--zone", "dyn.example").split()[-1]
        tsig = tsig.rsplit(":", 1)[-1]  # printed as ALGORITHM:NAME:SECRET
        for name in ("a", "b"):
            config = root / f"{name}.toml"
            # A trusted proxy on loopback: the tests name their sources by X-Forwarded-For.
            config.write_text(
                f'database_url = "{url}"\ndns_workers = 0\n'
                'auth_max_failures = 3\ntrusted_proxies = ["127.0.0.1/32"]\n'
            )
            servers.append(ServerProcess(root / name, config=config).start())
        yield Outage(
            database=database,
            a=servers[0],
            b=servers[1],
            token=token,
            api_token=api_token,
            tsig_secret=tsig,
        )
    finally:
        for server in servers:
            assert server.stop() == 0, server.log()
        database.stop()


def _dyndns2(
    node: ServerProcess, token: str, ip: str, *, source: str = "127.0.0.1"
) -> httpx.Response:
    return httpx.get(
        f"{node.url}/nic/update",
        params={"hostname": "home.dyn.example", "myip": ip},
        auth=("home.dyn.example", token),
        headers={"X-Forwarded-For": source},
        timeout=30,
    )


def _duckdns(node: ServerProcess, token: str, ip: str) -> httpx.Response:
    return httpx.get(
        f"{node.url}/update",
        params={"domains": "home.dyn.example", "token": token, "ip": ip},
        timeout=30,
    )


def _rfc2136(node: ServerProcess, secret: str, ip: str) -> int:
    keyring = dns.tsigkeyring.from_text({"k.dyn.example.": ("hmac-sha256", secret)})
    update = dns.update.UpdateMessage("dyn.example.", keyring=keyring)
    update.replace("home", 60, "A", ip)
    response = dns.query.tcp(update, node.dns[0], port=node.dns[1], timeout=30)
    return response.rcode()


def _sign_in(client: httpx.Client, node: ServerProcess) -> httpx.Response:
    page = client.get(f"{node.url}/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text[:500]
    return client.post(
        f"{node.url}/login",
        data={"user": "alice", "password": PASSWORD, "csrf": found.group(1)},
    )


def test_a_session_made_at_one_node_works_at_the_other(outage: Outage) -> None:
    with httpx.Client(timeout=30) as client:
        assert _sign_in(client, outage.a).status_code == 303
        # Cookies are not per port: the same browser now asks node b.
        page = client.get(f"{outage.b.url}/")
        assert page.status_code == 200
        assert "alice" in page.text


def test_during_an_outage_dns_answers_and_updates_are_refused(outage: Outage) -> None:
    assert _dyndns2(outage.a, outage.token, "203.0.113.1").text == "good 203.0.113.1\n"
    wait_for(
        lambda: addresses(outage.b.dns, "home.dyn.example") == {"203.0.113.1"},
        timeout=5,
        what="node b to follow",
    )
    outage.database.halt()
    try:
        for node in (outage.a, outage.b):
            assert addresses(node.dns, "home.dyn.example") == {"203.0.113.1"}
            answer = _dyndns2(node, outage.token, "203.0.113.2")
            assert answer.text.strip() == "911", answer.text
            assert _duckdns(node, outage.token, "203.0.113.2").text == "KO"
            assert _rfc2136(node, outage.tsig_secret, "203.0.113.2") == dns.rcode.SERVFAIL
            api = httpx.get(
                f"{node.url}/api/v1/hosts",
                headers={"Authorization": f"Bearer {outage.api_token}"},
                timeout=30,
            )
            assert api.status_code == 503, api.text
            with httpx.Client(timeout=30) as client:
                assert _sign_in(client, node).status_code == 503
            # Nothing was acknowledged, so nothing changed.
            assert addresses(node.dns, "home.dyn.example") == {"203.0.113.1"}
    finally:
        outage.database.restart()
    # The nodes reconnect by themselves: the next update is taken and followed.
    wait_for(
        lambda: _dyndns2(outage.b, outage.token, "203.0.113.3").text == "good 203.0.113.3\n",
        timeout=RECOVERY_TIMEOUT,
        what="node b to take updates again",
    )
    wait_for(
        lambda: addresses(outage.a.dns, "home.dyn.example") == {"203.0.113.3"},
        timeout=RECOVERY_TIMEOUT,
        what="node a to follow node b again",
    )
    assert _duckdns(outage.a, outage.token, "203.0.113.4").text == "OK"
    assert _rfc2136(outage.b, outage.tsig_secret, "203.0.113.5") == dns.rcode.NOERROR
    wait_for(
        lambda: all(
            addresses(node.dns, "home.dyn.example") == {"203.0.113.5"}
            for node in (outage.a, outage.b)
        ),
        timeout=RECOVERY_TIMEOUT,
        what="both nodes to serve the last acknowledged update",
    )


def test_an_address_locked_out_at_one_node_is_locked_out_at_the_other(outage: Outage) -> None:
    guesser = "192.0.2.77"
    answers = [_dyndns2(outage.a, "wrong", "203.0.113.9", source=guesser).text for _ in range(4)]
    assert answers[:3] == ["badauth\n"] * 3 and answers[3] == "abuse\n", answers
    # Node b heard of it: the next guess from that address is refused there unchecked.
    wait_for(
        lambda: _dyndns2(outage.b, "wrong", "203.0.113.9", source=guesser).text == "abuse\n",
        timeout=5,
        what="node b to lock the address out",
    )
    # Another address is checked as before (and told its guess is wrong).
    other = _dyndns2(outage.b, "wrong", "203.0.113.9", source="198.51.100.77")
    assert other.text == "badauth\n"

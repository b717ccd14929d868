"""Issue 11's attacks replayed against a real ``homing serve`` on loopback, and the defences.

"Another address" is another source address in 127.0.0.0/8: each test uses
its own, so the brake's counts of one test never touch another's. One server
serves the module; the tests that must stop it (counts written at shutdown,
a full disk) start their own.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.edns
import dns.message
import dns.query
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import dns.update
import httpx
import pytest

from support import require_tool

from .dnsquery import addresses, ask, wait_for
from .server import ServerProcess, homing

CONFIG = """
auth_max_failures = 5
auth_lockout_seconds = 600
http_header_timeout_seconds = 1
acme_registration = "open"
"""
TOKEN_RE = re.compile(r"hm_[A-Za-z0-9_-]+")


@dataclass
class Served:
    server: ServerProcess
    data: Path
    tokens: dict[str, str]
    tsig: str
    """``hmac-sha256:NAME:SECRET`` of a key for the whole zone, as nsupdate -y takes it."""

    def client(self, source: str) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=source)
        return httpx.Client(base_url=self.server.url, transport=transport, timeout=20)


def _seed(data: Path) -> dict[str, str]:
    homing(data, "zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
    tokens = {}
    for user, host in (("alice", "home"), ("carol", "carol"), ("dave", "dave")):
        homing(data, "user", "add", user, "--password-stdin", stdin=f"{user}-password\n")
        out = homing(data, "host", "add", f"{host}.dyn.example", "--owner", user).stdout
        tokens[host] = out.strip().splitlines()[-1]
    return tokens


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("hardening") / "data"
    tokens = _seed(data)
    tsig = homing(data, "tsig", "add", "ops", "--zone", "dyn.example").stdout.split()[-1]
    # An install as an older release left it: readable by every local user.
    data.chmod(0o755)
    (data / "homing.sqlite3").chmod(0o644)
    config = data.parent / "homing.toml"
    config.write_text(CONFIG)
    server = ServerProcess(data, config=config).start()
    yield Served(server=server, data=data, tokens=tokens, tsig=tsig)
    assert server.stop() == 0, server.log()


def _update(client: httpx.Client, login: str, secret: str, host: str) -> str:
    answer = client.get(
        "/nic/update", params={"hostname": host, "myip": "203.0.113.5"}, auth=(login, secret)
    )
    return answer.text.split()[0]


async def _concurrent_guesses(url: str, source: str, count: int) -> list[str]:
    async def one(i: int) -> str:
        transport = httpx.AsyncHTTPTransport(local_address=source)
        async with httpx.AsyncClient(base_url=url, transport=transport, timeout=30) as client:
            answer = await client.get(
                "/nic/update",
                params={"hostname": "carol.dyn.example", "myip": "203.0.113.9"},
                auth=("carol", f"guess-{i}"),
            )
            return answer.text.split()[0]

    return await asyncio.gather(*(one(i) for i in range(count)))


def test_sixty_simultaneous_guesses_get_only_the_budget_checked(served: Served) -> None:
    answers = asyncio.run(_concurrent_guesses(served.server.url, "127.0.0.2", 60))
    # Reserved before the check: at most auth_max_failures are checked, fewer when the
    # per-login cap on checks in flight refuses some at once.
    assert 1 <= answers.count("badauth") <= 5
    assert answers.count("badauth") + answers.count("abuse") == 60


def test_a_sprayer_with_a_valid_token_of_its_own_gains_nothing(served: Served) -> None:
    outcomes = []
    with served.client("127.0.0.3") as sprayer:
        for i in range(36):
            outcomes.append(_update(sprayer, "alice", f"spray-{i}", "home.dyn.example"))
            if i % 9 == 8:
                assert _update(sprayer, "dave", served.tokens["dave"], "dave.dyn.example") in {
                    "good",
                    "nochg",
                }
    assert outcomes.count("badauth") == 5 and outcomes.count("abuse") == 31


def test_guesses_from_elsewhere_never_lock_the_owner_out(served: Served) -> None:
    for source in ("127.0.0.4", "127.0.0.5", "127.0.0.6"):
        with served.client(source) as attacker:
            for i in range(9):
                _update(attacker, "home.dyn.example", f"hm_wrong{i}", "home.dyn.example")
                _update(attacker, "alice", f"wrong-{i}", "home.dyn.example")
    for source in ("127.0.0.44", "127.0.0.45", "127.0.0.46"):
        with served.client(source) as attacker:
            csrf = re.search(r'name="csrf" value="([^"]+)"', attacker.get("/login").text)
            assert csrf is not None
            codes = [
                attacker.post(
                    "/login", data={"user": "alice", "password": f"web-{i}", "csrf": csrf.group(1)}
                ).status_code
                for i in range(9)
            ]
            # Checked (401) until locked or slowed by the login's gate (429).
            assert codes[0] == 401 and codes[-1] == 429 and set(codes) == {401, 429}, codes
    with served.client("127.0.0.7") as router:
        assert _update(router, "home.dyn.example", served.tokens["home"], "home.dyn.example") in {
            "good",
            "nochg",
        }
    with served.client("127.0.0.8") as owner:
        assert _update(owner, "alice", "alice-password", "home.dyn.example") in {"good", "nochg"}
        page = owner.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        signed_in = owner.post(
            "/login",
            data={"user": "alice", "password": "alice-password", "csrf": csrf.group(1)},
        )
        assert signed_in.status_code == 303


def _exchange_raw(server: ServerProcess, wires: list[bytes], source: str) -> list[bytes]:
    """Send every message over UDP from ``source`` before reading any answer (all in flight
    at once); the answers' bytes, in the order sent."""
    sockets = []
    try:
        for wire in wires:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sockets.append(sock)
            sock.bind((source, 0))
            sock.settimeout(10)
            sock.sendto(wire, server.dns)
        return [sock.recv(65535) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _exchange(server: ServerProcess, wires: list[bytes], source: str) -> list[dns.message.Message]:
    """``_exchange_raw``, the answers parsed without checking a TSIG (a refusal is unsigned)."""
    return [dns.message.from_wire(a, keyring=False) for a in _exchange_raw(server, wires, source)]


def _signed_update(key: dns.tsig.Key, name: str) -> bytes:
    update = dns.update.UpdateMessage("dyn.example")
    update.use_tsig(key)
    update.add(name, 60, "A", "198.51.100.40")
    return update.to_wire()


def _key(spec: str) -> dns.tsig.Key:
    algorithm, name, secret = spec.split(":")
    return dns.tsig.Key(name, secret, algorithm)


def _tsig_error(message: dns.message.Message) -> int | None:
    return None if message.tsig is None else message.tsig[0].error


def test_concurrent_bad_signatures_get_only_the_budget_checked(served: Served) -> None:
    right = _key(served.tsig)
    forged = dns.tsig.Key(right.name, base64.b64encode(b"f" * 32).decode(), right.algorithm)
    wires = [_signed_update(forged, f"forged{i}.dyn.example.") for i in range(60)]
    answers = _exchange(served.server, wires, "127.0.0.40")
    outcomes = [(a.rcode(), _tsig_error(a)) for a in answers]
    checked = outcomes.count((dns.rcode.NOTAUTH, dns.rcode.BADSIG))
    assert 1 <= checked <= 5  # auth_max_failures; the rest refused before the key lookup
    assert outcomes.count((dns.rcode.REFUSED, None)) == 60 - checked
    # The key is a strong secret: its failures elsewhere never refuse it from here.
    script = (
        f"server {served.server.dns[0]} {served.server.dns[1]}\nlocal 127.0.0.41\n"
        "zone dyn.example\nupdate add right.dyn.example 60 A 198.51.100.41\nsend\n"
    )
    sent = subprocess.run(
        [require_tool("nsupdate"), "-y", served.tsig],
        input=script,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert sent.returncode == 0, sent.stderr
    assert addresses(served.server.dns, "right.dyn.example") == {"198.51.100.41"}
    assert not addresses(served.server.dns, "forged0.dyn.example")


def test_malformed_tsig_is_a_clear_refusal_and_writes_nothing(served: Served) -> None:
    right = _key(served.tsig)
    soa_before = ask(served.server.dns, "dyn.example", "SOA").answer
    name = "malformed.dyn.example."
    now = time.time()
    stale = dns.update.UpdateMessage("dyn.example")
    stale.add(name, 60, "A", "198.51.100.42")
    stale.use_tsig(right, fudge=300)
    with pytest.MonkeyPatch.context() as past:
        past.setattr(time, "time", lambda: now - 3600)
        stale_wire = stale.to_wire()
    signed = _signed_update(right, name)
    stranger = dns.tsig.Key("nobody.", right.secret, right.algorithm)
    other_algorithm = dns.tsig.Key(right.name, right.secret, "hmac-sha512")
    cases = [
        (_signed_update(stranger, name), (dns.rcode.NOTAUTH, dns.rcode.BADKEY)),
        (
            _signed_update(other_algorithm, name),
            (dns.rcode.NOTAUTH, dns.rcode.BADKEY),
        ),
        (stale_wire, (dns.rcode.NOTAUTH, dns.rcode.BADTIME)),
        (signed[:-1], (dns.rcode.FORMERR, None)),
        (signed[:-30], (dns.rcode.FORMERR, None)),
    ]
    answers = _exchange(served.server, [wire for wire, _ in cases], "127.0.0.42")
    assert [(a.rcode(), _tsig_error(a)) for a in answers] == [want for _, want in cases]
    assert not addresses(served.server.dns, name)
    assert ask(served.server.dns, "dyn.example", "SOA").answer == soa_before
    assert "Traceback" not in served.server.log()


def test_an_empty_padding_option_pads_nothing(served: Served) -> None:
    """Issue 11: an empty EDNS Padding option padded every UDP answer to 468 bytes (10.9x for
    a REFUSED); padding belongs to encrypted transports only (RFC 8467)."""
    padding = dns.edns.GenericOption(dns.edns.OptionType.PADDING, b"")
    for name in ("home.dyn.example.", "elsewhere.example."):
        query = dns.message.make_query(name, "A", use_edns=0, payload=4096, options=[padding])
        wire = query.to_wire()
        (raw,) = _exchange_raw(served.server, [wire], "127.0.0.43")
        answer = dns.message.from_wire(raw)
        assert not any(o.otype == dns.edns.OptionType.PADDING for o in answer.options)
        assert len(raw) < 2 * len(wire), name


def _raw(source: str, port: int, payload: bytes) -> bytes:
    address = ("127.0.0.1", port)
    with socket.create_connection(address, timeout=10, source_address=(source, 0)) as sock:
        with contextlib.suppress(OSError):  # refused mid-send: the answer is on its way
            sock.sendall(payload)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass  # the server closed with our unread bytes in its buffer
        return b"".join(chunks)


def test_oversized_and_dripping_request_heads_are_refused(served: Served) -> None:
    port = int(served.server.url.rsplit(":", 1)[1])
    huge = b"GET /ip HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 << 20) + b"\r\n\r\n"
    assert _raw("127.0.0.11", port, huge).startswith(b"HTTP/1.1 431 ")
    long_line = b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert _raw("127.0.0.11", port, long_line).startswith(b"HTTP/1.1 414 ")
    drippers = []
    for _ in range(40):
        sock = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.12", 0))
        sock.sendall(b"GET /ip HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        sock.settimeout(10)
        drippers.append(sock)
    try:
        for sock in drippers:
            assert sock.recv(200).startswith(b"HTTP/1.1 408 ")  # http_header_timeout_seconds
    finally:
        for sock in drippers:
            sock.close()


def test_one_address_holds_a_bounded_number_of_connections(served: Served) -> None:
    port = int(served.server.url.rsplit(":", 1)[1])
    held = [
        socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.13", 0))
        for _ in range(64)  # http_max_connections_per_source
    ]
    try:
        extra = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.13", 0))
        extra.settimeout(5)
        try:
            assert extra.recv(10) == b""  # closed at once, before the header timeout
        except ConnectionResetError:
            pass
        finally:
            extra.close()
        with served.client("127.0.0.14") as elsewhere:
            assert elsewhere.get("/ip").text.strip() == "127.0.0.14"
    finally:
        for sock in held:
            sock.close()


def test_sign_in_next_stays_on_site_and_never_fails(served: Served) -> None:
    with served.client("127.0.0.15") as browser:
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text)
        assert csrf is not None
        form = {"user": "alice", "password": "alice-password", "csrf": csrf.group(1)}
        assert browser.post("/login", data=form).status_code == 303
        for raw in ("/%09/evil.example", "/%0B", "/%0D%0ASet-Cookie:%20x=1", "/%E2%80%A8x"):
            answer = browser.get(f"/login?next={raw}")
            assert (answer.status_code, answer.headers["location"]) == (303, "/"), raw
        assert browser.get("/login?next=/audit").headers["location"] == "/audit"


def _api_token(data: Path, *args: str) -> dict[str, str]:
    out = homing(data, "apitoken", "create", "--user", "alice", "--name", "t", *args).stdout
    return {"Authorization": "Bearer " + re.findall(r"hm_api_\S+", out)[-1]}


def test_tokens_never_outlive_nor_outreach_their_parent(served: Served) -> None:
    hourly = _api_token(served.data, "--expires", "1h")
    scoped = _api_token(served.data, "--expires", "1h", "--hosts", "home.dyn.example")
    txt_only = _api_token(served.data, "--types", "TXT")
    with served.client("127.0.0.16") as api:
        child = api.post("/api/v1/me/tokens", headers=hourly, json={"name": "child"})
        parent = api.get("/api/v1/me", headers=hourly).json()["token"]
        assert child.status_code == 201 and child.json()["expires_at"] == parent["expires_at"]
        minted = api.post("/api/v1/hosts/home.dyn.example/tokens", headers=scoped, json={})
        assert minted.status_code == 403
        assert _update(api, "alice", "alice-password", "home.dyn.example") in {"good", "nochg"}
        rows = api.get("/api/v1/history", headers=txt_only).json()["items"]
        assert rows and not any("203.0.113" in f"{r['old_value']}{r['new_value']}" for r in rows)


def test_secrets_are_private_and_tokens_never_logged(served: Served) -> None:
    assert stat.S_IMODE(served.data.stat().st_mode) == 0o700
    for path in served.data.iterdir():
        if path.is_file() and path.name != "serve.log":
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    typed_in = served.tokens["carol"]
    with served.client("127.0.0.17") as confused:
        confused.get("/nic/update", params={"hostname": "x.dyn.example"}, auth=(typed_in, "pw"))
        csrf = re.search(r'name="csrf" value="([^"]+)"', confused.get("/login").text)
        assert csrf is not None
        confused.post("/login", data={"user": typed_in, "password": "pw", "csrf": csrf.group(1)})
    deadline = time.monotonic() + 10
    stored = ""
    while stored.count("(redacted)") < 2:  # the dyndns2 and the web refusal
        assert time.monotonic() < deadline, stored
        time.sleep(0.05)
        with sqlite3.connect(served.data / "homing.sqlite3") as db:
            stored = " ".join(str(v) for row in db.execute("SELECT * FROM history") for v in row)
    assert typed_in not in stored
    assert "(redacted)" in served.server.log() and typed_in not in served.server.log()


def test_the_client_daemon_never_logs_its_duckdns_token(served: Served, tmp_path: Path) -> None:
    """Issue 11: ``homing client run`` at its default INFO level logged the DuckDNS request
    URL, token included (httpx's request log)."""
    token = served.tokens["dave"]
    (tmp_path / "token").write_text(token + "\n")
    config = tmp_path / "client.toml"
    config.write_text(
        '[ipv4]\nsource = "command"\ncommand = ["echo", "93.184.216.34"]\n'
        f'[[update]]\nprovider = "duckdns"\nserver = "{served.server.url}"\n'
        f'token_file = "{tmp_path / "token"}"\nnames = ["dave.dyn.example"]\n'
    )
    command = ["client", "run", "--config", str(config), "--state", str(tmp_path / "state")]
    daemon = subprocess.Popen(
        [sys.executable, "-m", "homing", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(
            lambda: addresses(served.server.dns, "dave.dyn.example") == {"93.184.216.34"},
            timeout=30,
            what="the daemon's DuckDNS update",
        )
        updated = True
    except AssertionError:
        updated = False
    finally:
        daemon.terminate()
        out, _ = daemon.communicate(timeout=30)
    assert updated, out
    assert "duckdns:dave.dyn.example: pushing" in out, out  # it logged about its request
    assert token not in out


def test_register_without_a_zone_to_choose_is_one_clear_line(served: Served) -> None:
    homing(served.data, "zone", "add", "second.example", "--ns", "ns1.second.example")
    with served.client("127.0.0.18") as client:
        answer = client.post("/register")
    assert (answer.status_code, answer.json()) == (503, {"error": "not_configured"})
    assert "setting acme_zone: 2 zones exist" in served.server.log()


def test_a_non_utf8_settings_file_is_one_line_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "homing.toml"
    config.write_bytes(b"public_url = 'https://caf\xe9.example'\n")
    failed = homing(tmp_path / "data", "serve", "--config", str(config), check=False)
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert failed.stderr.strip().count("\n") == 0 and "setting public_url" in failed.stderr


def test_refusals_are_counted_and_tsig_failures_logged_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    tokens = _seed(data)
    config = tmp_path / "homing.toml"
    config.write_text(CONFIG)
    server = ServerProcess(data, config=config).start()
    try:
        with httpx.Client(
            base_url=server.url, transport=httpx.HTTPTransport(local_address="127.0.0.19")
        ) as attacker:
            answers = [
                _update(attacker, "home.dyn.example", f"hm_bad{i}", "home.dyn.example")
                for i in range(300)
            ]
        assert answers[:5] == ["badauth"] * 5 and set(answers[5:]) == {"abuse"}
        keyring = dns.tsigkeyring.from_text({"nokey.": base64.b64encode(b"x" * 32).decode()})
        update = dns.update.UpdateMessage("dyn.example", keyring=keyring)
        update.add("t.dyn.example.", 60, "TXT", '"x"')
        answers = [_exchange(server, [update.to_wire()], "127.0.0.1")[0] for _ in range(50)]
        # NOTAUTH(BADKEY) as RFC 8945 says, until the source is locked out: then REFUSED.
        outcomes = [(a.rcode(), _tsig_error(a)) for a in answers]
        assert (
            outcomes
            == [(dns.rcode.NOTAUTH, dns.rcode.BADKEY)] * 5 + [(dns.rcode.REFUSED, None)] * 45
        )
        with sqlite3.connect(data / "homing.sqlite3") as db:
            early = db.execute("SELECT COUNT(*) FROM history WHERE outcome != 'good'").fetchone()
        assert early[0] <= 4  # one row per source, target and outcome so far
        assert tokens["home"] not in server.log()
    finally:
        assert server.stop() == 0, server.log()
    with sqlite3.connect(data / "homing.sqlite3") as db:
        rows = db.execute(
            "SELECT outcome, front_door, count FROM history WHERE outcome != 'good'"
        ).fetchall()
    dyndns = [(o, c) for o, door, c in rows if door == "dyndns2"]
    assert sum(c for o, c in dyndns if o == "badauth") == 5
    assert sum(c for o, c in dyndns if o == "abuse") == 295
    tsig = [(o, c) for o, door, c in rows if door == "rfc2136"]
    assert sum(c for o, c in tsig if o == "badauth") == 5
    assert sum(c for o, c in tsig if o == "abuse") == 45
    assert len(rows) <= 8
    # Per outcome, the first line and the count when the window closed.
    assert server.log().count("TSIG") <= 4


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return mounted.returncode == 0


def test_health_fails_while_writes_fail(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "6m"):
        if os.environ.get("CI") == "true":
            pytest.fail("cannot mount a tmpfs to fill (needs root)")
        pytest.skip("cannot mount a tmpfs to fill (needs root)")
    try:
        data = disk / "data"
        tokens = _seed(data)
        server = ServerProcess(data, config=None).start()
        try:
            with httpx.Client(base_url=server.url, timeout=20) as client:
                assert client.get("/health").status_code == 200
                filler = disk / "filler"
                with filler.open("wb") as handle:
                    try:
                        while True:
                            handle.write(b"\0" * 65536)
                    except OSError:
                        pass
                params = {"domains": "home", "token": tokens["home"], "ip": "192.0.2.77"}
                failed = client.get("/update", params=params)
                assert failed.text != "OK"
                deadline = time.monotonic() + 30
                while client.get("/health").status_code != 503:
                    assert time.monotonic() < deadline, "health never reported the full disk"
                    time.sleep(0.2)
                filler.unlink()
                while client.get("/health").status_code != 200:
                    assert time.monotonic() < deadline + 30, "health never recovered"
                    time.sleep(0.2)
                again = client.get("/update", params={**params, "ip": "192.0.2.78"})
                assert again.text == "OK"
        finally:
            server.stop()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_all_sources_together_hold_a_bounded_number_of_connections(tmp_path: Path) -> None:
    """``http_max_connections``: while that many are open, from whatever sources, a request
    is answered 503 at once; once they close, requests are served again."""
    data = tmp_path / "data"
    homing(data, "zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
    config = tmp_path / "homing.toml"
    config.write_text("http_max_connections = 8\n")
    server = ServerProcess(data, config=config).start()
    try:
        port = int(server.url.rsplit(":", 1)[1])
        held = [
            socket.create_connection(("127.0.0.1", port), source_address=(f"127.0.0.{21 + i}", 0))
            for i in range(8)
        ]
        try:
            transport = httpx.HTTPTransport(local_address="127.0.0.30")
            with httpx.Client(base_url=server.url, transport=transport, timeout=10) as late:
                assert late.get("/ip").status_code == 503
        finally:
            for sock in held:
                sock.close()
        transport = httpx.HTTPTransport(local_address="127.0.0.30")
        with httpx.Client(base_url=server.url, transport=transport, timeout=10) as late:
            wait_for(
                lambda: late.get("/ip").status_code == 200,
                timeout=10,
                what="a request served once the connections closed",
            )
            assert late.get("/ip").text.strip() == "127.0.0.30"
    finally:
        assert server.stop() == 0, server.log()

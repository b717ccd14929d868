"""Certificates issued fully offline: pebble validates DNS-01 against ``homing serve``.

Three real ACME clients: certbot with its dns-rfc2136 plugin and lego with its
rfc2136 provider (TSIG keys scoped to one ``_acme-challenge`` name, TXT only),
and certbot answering through the acme-dns API with the one ``curl`` call
acme-dns's README documents, behind a ``_acme-challenge`` CNAME. Debian's lego
is built without its acme-dns provider, so it cannot be the acme-dns client.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.query
import dns.rcode
import dns.tsigkeyring
import dns.update
import pytest

from support import require_tool

from .conftest import Seeded
from .dnsquery import ask, dig
from .pebble import Pebble, running_pebble
from .server import ServerProcess, homing

CLIENT_TIMEOUT = 180


@dataclass
class Stack:
    server: ServerProcess
    pebble: Pebble
    work: Path


@pytest.fixture
def stack(seeded: Seeded, tmp_path: Path) -> Iterator[Stack]:
    for tool in ("pebble", "certbot", "lego", "openssl", "curl", "dig"):
        require_tool(tool)
    config = tmp_path / "homing.toml"
    config.write_text('acme_registration = "open"\n')
    server = ServerProcess(seeded.data, config=config).start()
    try:
        with running_pebble(tmp_path / "pebble", dns=server.dns) as pebble:
            yield Stack(server=server, pebble=pebble, work=tmp_path)
    finally:
        assert server.stop() == 0, server.log()


def tsig_key(stack: Stack, name: str, pattern: str, types: str) -> tuple[str, str]:
    """``homing tsig add`` as an operator runs it: (key name, secret)."""
    out = homing(
        stack.server.data,
        "tsig",
        "add",
        name,
        "--zone",
        "dyn.example",
        "--names",
        pattern,
        "--types",
        types,
    ).stdout
    _, key_name, secret = out.strip().splitlines()[-1].split(":")
    return key_name, secret


def san_of(cert: Path) -> str:
    result = subprocess.run(
        [require_tool("openssl"), "x509", "-in", str(cert), "-noout", "-ext", "subjectAltName"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout


def txt_answer(stack: Stack, name: str) -> str:
    return dig(stack.server.dns, name, "TXT")


def certbot(stack: Stack, *args: str, env: dict[str, str] | None = None) -> Path:
    """Run certbot against pebble with everything in the test's folder; the live folder."""
    base = stack.work / "certbot"
    result = subprocess.run(
        [
            require_tool("certbot"),
            "certonly",
            "--non-interactive",
            "--agree-tos",
            "--register-unsafely-without-email",
            "--server",
            stack.pebble.directory,
            "--config-dir",
            str(base / "config"),
            "--work-dir",
            str(base / "work"),
            "--logs-dir",
            str(base / "logs"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
        env={**os.environ, "REQUESTS_CA_BUNDLE": str(stack.pebble.ca_bundle), **(env or {})},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr + stack.pebble.log()
    return base / "config" / "live"


def test_certbot_dns_rfc2136(stack: Stack) -> None:
    key_name, secret = tsig_key(stack, "certbot", "_acme-challenge.home.dyn.example", "TXT")
    ini = stack.work / "rfc2136.ini"
    host, port = stack.server.dns
    ini.write_text(
        f"dns_rfc2136_server = {host}\ndns_rfc2136_port = {port}\n"
        f"dns_rfc2136_name = {key_name}\ndns_rfc2136_secret = {secret}\n"
        "dns_rfc2136_algorithm = HMAC-SHA256\n"
    )
    ini.chmod(0o600)
    live = certbot(
        stack,
        "--dns-rfc2136",
        "--dns-rfc2136-credentials",
        str(ini),
        "--dns-rfc2136-propagation-seconds",
        "1",
        "-d",
        "home.dyn.example",
    )
    assert "DNS:home.dyn.example" in san_of(live / "home.dyn.example" / "fullchain.pem")
    assert "status: NXDOMAIN" in txt_answer(stack, "_acme-challenge.home.dyn.example")
    shown = homing(stack.server.data, "host", "show", "home.dyn.example").stdout
    assert shown.count("rfc2136") >= 2  # set, then cleared, both in the host's history


def test_lego_rfc2136_apex_and_wildcard(stack: Stack) -> None:
    homing(stack.server.data, "host", "add", "lab.dyn.example", "--owner", "alice")
    key_name, secret = tsig_key(stack, "lego", "_acme-challenge.lab.dyn.example", "TXT")
    host, port = stack.server.dns
    result = subprocess.run(
        [
            require_tool("lego"),
            "--server",
            stack.pebble.directory,
            "--accept-tos",
            "--email",
            "acme@dyn.example",
            "--path",
            str(stack.work / "lego"),
            "--dns",
            "rfc2136",
            "--dns.resolvers",
            f"{host}:{port}",
            "--dns.disable-cp",
            "-d",
            "lab.dyn.example",
            "-d",
            "*.lab.dyn.example",
            "run",
        ],
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
        env={
            **os.environ,
            "LEGO_CA_CERTIFICATES": str(stack.pebble.ca_bundle),
            "RFC2136_NAMESERVER": f"{host}:{port}",
            "RFC2136_TSIG_ALGORITHM": "hmac-sha256.",
            "RFC2136_TSIG_KEY": key_name,
            "RFC2136_TSIG_SECRET": secret,
            "RFC2136_SEQUENCE_INTERVAL": "1",
            "RFC2136_PROPAGATION_TIMEOUT": "30",
            "RFC2136_POLLING_INTERVAL": "1",
        },
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr + stack.pebble.log()
    san = san_of(stack.work / "lego" / "certificates" / "lab.dyn.example.crt")
    assert "DNS:lab.dyn.example" in san and "DNS:*.lab.dyn.example" in san
    assert "status: NXDOMAIN" in txt_answer(stack, "_acme-challenge.lab.dyn.example")


HOOK = """#!/bin/sh
# The update call of acme-dns's README, once per challenge value certbot hands over.
exec curl --silent --show-error --fail -X POST \\
  -H "X-Api-User: $ACMEDNS_USER" -H "X-Api-Key: $ACMEDNS_KEY" \\
  -d "{\\"subdomain\\": \\"$ACMEDNS_SUBDOMAIN\\", \\"txt\\": \\"$CERTBOT_VALIDATION\\"}" \\
  "$ACMEDNS_API/update"
"""


def test_certbot_through_the_acme_dns_api_and_a_cname(stack: Stack) -> None:
    request = urllib.request.Request(
        f"{stack.server.url}/register",
        data=json.dumps({"allowfrom": ["127.0.0.0/8"]}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 201
        account = json.load(reply)
    # The one-time delegation an operator (or the user's RFC 2136 key) sets up.
    key_name, secret = tsig_key(stack, "delegate", "_acme-challenge.www.dyn.example", "CNAME")
    delegation = dns.update.UpdateMessage(
        "dyn.example.",
        keyring=dns.tsigkeyring.from_text({key_name: secret}),
        keyalgorithm="hmac-sha256",
    )
    delegation.add("_acme-challenge.www", 60, "CNAME", account["fulldomain"] + ".")
    host, port = stack.server.dns
    assert dns.query.tcp(delegation, host, port=port, timeout=5).rcode() == dns.rcode.NOERROR
    hook = stack.work / "acme-dns-hook.sh"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    live = certbot(
        stack,
        "--manual",
        "--preferred-challenges",
        "dns",
        "--manual-auth-hook",
        str(hook),
        "-d",
        "www.dyn.example",
        "-d",
        "*.www.dyn.example",
        env={
            "ACMEDNS_API": stack.server.url,
            "ACMEDNS_USER": account["username"],
            "ACMEDNS_KEY": account["password"],
            "ACMEDNS_SUBDOMAIN": account["subdomain"],
        },
    )
    san = san_of(live / "www.dyn.example" / "fullchain.pem")
    assert "DNS:www.dyn.example" in san and "DNS:*.www.dyn.example" in san
    # Both challenge values (apex and wildcard) were served together, through the CNAME;
    # acme-dns keeps them until the next updates replace them (it has no delete).
    answer = ask(stack.server.dns, "_acme-challenge.www.dyn.example", "TXT").answer
    assert [rrset.name.to_text() for rrset in answer] == [
        "_acme-challenge.www.dyn.example.",
        account["fulldomain"] + ".",
    ]
    assert len(answer[1]) == 2, answer

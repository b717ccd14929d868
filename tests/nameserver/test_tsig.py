"""TSIG on the query path (RFC 8945): signed answers, and each failure answered as 5.2 says."""

from __future__ import annotations

import base64
import time

import dns.message
import dns.name
import dns.rcode
import dns.tsig
import pytest

from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath

KEY_NAME = dns.name.from_text("updater.")
SECRET = base64.b64encode(b"k" * 32).decode()
KEY = dns.tsig.Key(KEY_NAME, SECRET, "hmac-sha256")


def keyring(_message: dns.message.Message, name: dns.name.Name) -> dns.tsig.Key | None:
    return KEY if name == KEY_NAME else None


@pytest.fixture
def engine(compiled: CompiledView) -> Engine:
    """As the server runs it: a signed query must pass the fast path by."""
    return Engine(compiled, keyring=keyring, fast=FastPath(compiled))


def signed_query(key: dns.tsig.Key, **tsig: object) -> dns.message.Message:
    query = dns.message.make_query("home.ddns.test.", "A")
    query.use_tsig(key, **tsig)  # type: ignore[arg-type]
    return query


def reply(engine: Engine, query: dns.message.Message) -> bytes:
    wire = engine.answer(query.to_wire(), tcp=False)
    assert isinstance(wire, bytes)
    return wire


def test_signed_query_gets_a_signed_answer(engine: Engine) -> None:
    query = signed_query(KEY)
    wire = reply(engine, query)
    response = dns.message.from_wire(wire, keyring=KEY, request_mac=query.mac)
    assert response.had_tsig
    assert response.rcode() == dns.rcode.NOERROR
    assert [r.to_text() for r in response.answer[0]] == ["192.0.2.1"]


def test_unknown_key_is_badkey_unsigned(engine: Engine) -> None:
    stranger = dns.tsig.Key("stranger.", SECRET, "hmac-sha256")
    response = dns.message.from_wire(reply(engine, signed_query(stranger)), keyring=False)
    assert response.rcode() == dns.rcode.NOTAUTH
    assert response.tsig is not None
    assert response.tsig[0].error == dns.rcode.BADKEY
    assert response.tsig[0].mac == b""


def test_wrong_secret_is_badsig_unsigned(engine: Engine) -> None:
    forged = dns.tsig.Key(KEY_NAME, base64.b64encode(b"x" * 32).decode(), "hmac-sha256")
    response = dns.message.from_wire(reply(engine, signed_query(forged)), keyring=False)
    assert response.rcode() == dns.rcode.NOTAUTH
    assert response.tsig is not None
    assert response.tsig[0].error == dns.rcode.BADSIG
    assert response.tsig[0].mac == b""


def test_stale_time_is_badtime_signed_with_the_server_time(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = signed_query(KEY, fudge=300)
    real_time = time.time()
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: real_time - 3600)
        wire = query.to_wire()
    answer = engine.answer(wire, tcp=False)
    assert isinstance(answer, bytes)
    response = dns.message.from_wire(answer, keyring=False)
    assert response.rcode() == dns.rcode.NOTAUTH
    assert response.tsig is not None
    tsig = response.tsig[0]
    assert tsig.error == dns.rcode.BADTIME
    assert tsig.mac != b""
    server_time = int.from_bytes(tsig.other, "big")
    assert abs(server_time - real_time) < 60
    assert len(tsig.mac) == 32  # an HMAC-SHA256: signed with the key, unlike BADKEY/BADSIG

"""The answer engine as a pure function: golden bytes, RFC behaviour, and fuzzed input."""

from __future__ import annotations

import struct

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import DNSRequest, Engine
from homing.nameserver.fastpath import FastPath
from homing.nameserver.view import ZoneView

from .conftest import BIG_TXT_COUNT, SERIAL, snapshot

# A query for home.ddns.test. A, id 0x1234, RD clear, no EDNS.
GOLDEN_QUERY = bytes.fromhex(
    "1234 0000 0001 0000 0000 000004686f6d65 0464646e73 0474657374 000001 0001".replace(" ", "")
)
# QR+AA, one answer by compression pointer to the question: TTL 60, 192.0.2.1.
GOLDEN_RESPONSE = GOLDEN_QUERY[:2] + bytes.fromhex(
    "8400 0001 0001 0000 0000"
    "04686f6d65 0464646e73 0474657374 00 0001 0001"
    "c00c 0001 0001 0000003c 0004 c0000201".replace(" ", "")
)


@pytest.fixture(params=["reference", "compiled"])
def engine(request: pytest.FixtureRequest, view: ZoneView) -> Engine:
    """Every case against dnspython alone and against the server's compiled view + fast path."""
    if request.param == "reference":
        return Engine(view)
    compiled = CompiledView()
    compiled.apply(snapshot())
    return Engine(compiled, fast=FastPath(compiled))


def ask(
    engine: Engine,
    qname: str,
    rdtype: str = "A",
    *,
    tcp: bool = False,
    **make_query: object,
) -> dns.message.Message:
    query = dns.message.make_query(qname, rdtype, **make_query)  # type: ignore[arg-type]
    query.flags &= ~dns.flags.RD
    wire = engine.answer(query.to_wire(), tcp=tcp)
    assert wire is not None
    response = dns.message.from_wire(wire)
    assert response.id == query.id
    assert response.flags & dns.flags.QR
    return response


def texts(response: dns.message.Message, rdtype: str = "A") -> list[str]:
    wanted = dns.rdatatype.from_text(rdtype)
    return [r.to_text() for rrset in response.answer if rrset.rdtype == wanted for r in rrset]


def test_golden_bytes(engine: Engine) -> None:
    assert engine.answer(GOLDEN_QUERY, tcp=False) == GOLDEN_RESPONSE


def test_answer_is_authoritative(engine: Engine) -> None:
    response = ask(engine, "home.ddns.test.", "AAAA")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert not response.flags & dns.flags.RA
    assert texts(response, "AAAA") == ["2001:db8::1"]
    assert response.answer[0].ttl == 60


def test_question_case_is_echoed_exactly(engine: Engine) -> None:
    response = ask(engine, "HoMe.DdNs.TeSt.")
    assert response.question[0].name.to_text() == "HoMe.DdNs.TeSt."
    assert texts(response) == ["192.0.2.1"]


def test_recursion_desired_is_echoed_but_never_offered(engine: Engine) -> None:
    query = dns.message.make_query("home.ddns.test.", "A")
    assert query.flags & dns.flags.RD
    wire = engine.answer(query.to_wire(), tcp=False)
    assert wire is not None
    response = dns.message.from_wire(wire)
    assert response.flags & dns.flags.RD
    assert not response.flags & dns.flags.RA


def test_apex_soa_and_ns(engine: Engine) -> None:
    soa = ask(engine, "ddns.test.", "SOA")
    assert soa.answer[0][0].serial == SERIAL
    ns = ask(engine, "ddns.test.", "NS")
    assert sorted(texts(ns, "NS")) == ["ns1.ddns.test.", "ns2.ddns.test."]


def test_nxdomain_carries_the_soa_with_the_negative_ttl(engine: Engine) -> None:
    response = ask(engine, "nobody.ddns.test.")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.flags & dns.flags.AA
    assert response.answer == []
    assert len(response.authority) == 1
    soa = response.authority[0]
    assert soa.rdtype == dns.rdatatype.SOA
    assert soa.name == dns.name.from_text("ddns.test.")
    assert soa.ttl == 30


def test_nodata_for_a_missing_type(engine: Engine) -> None:
    response = ask(engine, "home.ddns.test.", "MX")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    assert response.authority[0].rdtype == dns.rdatatype.SOA


def test_empty_non_terminal_is_nodata_not_nxdomain(engine: Engine) -> None:
    response = ask(engine, "under.ddns.test.")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.authority[0].rdtype == dns.rdatatype.SOA
    assert ask(engine, "leaf.deep.under.ddns.test.").rcode() == dns.rcode.NOERROR


def test_names_outside_our_zones_are_refused(engine: Engine) -> None:
    response = ask(engine, "www.example.org.")
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA
    assert response.answer == []
    assert ask(engine, "test.").rcode() == dns.rcode.REFUSED


def test_other_classes_are_refused(engine: Engine) -> None:
    response = ask(engine, "home.ddns.test.", "TXT", rdclass=dns.rdataclass.CH)
    assert response.rcode() == dns.rcode.REFUSED


@pytest.mark.parametrize("rdtype", ["AXFR", "IXFR"])
def test_zone_transfers_are_refused(engine: Engine, rdtype: str) -> None:
    assert ask(engine, "ddns.test.", rdtype, tcp=True).rcode() == dns.rcode.REFUSED


def test_cname_is_followed_within_our_zones(engine: Engine) -> None:
    response = ask(engine, "chain.ddns.test.")
    owners = [(r.name.to_text(), dns.rdatatype.to_text(r.rdtype)) for r in response.answer]
    assert owners == [
        ("chain.ddns.test.", "CNAME"),
        ("alias.ddns.test.", "CNAME"),
        ("home.ddns.test.", "A"),
    ]
    assert response.flags & dns.flags.AA


def test_cname_query_returns_the_cname_itself(engine: Engine) -> None:
    response = ask(engine, "alias.ddns.test.", "CNAME")
    assert texts(response, "CNAME") == ["home.ddns.test."]
    assert len(response.answer) == 1


def test_cname_out_of_our_zones_stops_there(engine: Engine) -> None:
    response = ask(engine, "away.ddns.test.")
    assert response.rcode() == dns.rcode.NOERROR
    assert texts(response, "CNAME") == ["www.example.org."]
    assert len(response.answer) == 1


def test_dangling_cname_reports_nxdomain_for_the_target(engine: Engine) -> None:
    # RFC 6604: the rcode describes the last name in the chain.
    response = ask(engine, "dangling.ddns.test.")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert texts(response, "CNAME") == ["missing.ddns.test."]
    assert response.authority[0].rdtype == dns.rdatatype.SOA


def test_cname_loop_is_bounded(engine: Engine) -> None:
    response = ask(engine, "loop1.ddns.test.")
    assert response.rcode() == dns.rcode.NOERROR
    assert 1 <= len(response.answer) <= 8


def test_wildcard_synthesises_the_query_name(engine: Engine) -> None:
    response = ask(engine, "Anything.Wild.ddns.test.")
    assert texts(response) == ["192.0.2.9"]
    assert response.answer[0].name.to_text() == "Anything.Wild.ddns.test."
    deeper = ask(engine, "a.b.wild.ddns.test.")
    assert texts(deeper) == ["192.0.2.9"]
    assert ask(engine, "x.wild.ddns.test.", "AAAA").rcode() == dns.rcode.NOERROR


def test_wildcard_does_not_cover_existing_names_or_siblings(engine: Engine) -> None:
    assert ask(engine, "wild.ddns.test.").rcode() == dns.rcode.NOERROR
    assert ask(engine, "x.home.ddns.test.").rcode() == dns.rcode.NXDOMAIN


def test_any_gets_one_rrset(engine: Engine) -> None:
    # RFC 8482: a minimal, non-empty answer.
    response = ask(engine, "home.ddns.test.", "ANY")
    assert len(response.answer) == 1
    assert response.answer[0].rdtype == dns.rdatatype.A
    apex = ask(engine, "ddns.test.", "ANY")
    assert [r.rdtype for r in apex.answer] == [dns.rdatatype.SOA]


def test_without_edns_a_large_answer_is_truncated(engine: Engine) -> None:
    query = dns.message.make_query("big.ddns.test.", "TXT", use_edns=False)
    wire = engine.answer(query.to_wire(), tcp=False)
    assert wire is not None
    assert len(wire) <= 512
    response = dns.message.from_wire(wire)
    assert response.flags & dns.flags.TC
    assert response.flags & dns.flags.AA
    assert response.answer == []


def test_edns_buffer_size_is_honoured(engine: Engine) -> None:
    small = ask(engine, "big.ddns.test.", "TXT", use_edns=0, payload=700)
    assert small.flags & dns.flags.TC
    assert small.edns == 0
    assert small.payload == 1232


@pytest.mark.parametrize("offered", [1232, 4096, 65535])
def test_udp_answers_never_exceed_the_max_payload(engine: Engine, offered: int) -> None:
    """Amplification: whatever size a client offers, no UDP answer exceeds 1232 bytes."""
    query = dns.message.make_query("big.ddns.test.", "TXT", use_edns=0, payload=offered)
    wire = engine.answer(query.to_wire(), tcp=False)
    assert isinstance(wire, bytes)
    assert len(wire) <= 1232
    assert dns.message.from_wire(wire).flags & dns.flags.TC


@pytest.mark.parametrize("kind", ["reference", "compiled"])
def test_a_larger_max_payload_lets_large_answers_through(view: ZoneView, kind: str) -> None:
    if kind == "reference":
        engine = Engine(view, udp_max_payload=4096)
    else:
        compiled = CompiledView()
        compiled.apply(snapshot())
        engine = Engine(
            compiled, fast=FastPath(compiled, udp_max_payload=4096), udp_max_payload=4096
        )
    large = ask(engine, "big.ddns.test.", "TXT", use_edns=0, payload=4096)
    assert not large.flags & dns.flags.TC
    assert len(texts(large, "TXT")) == BIG_TXT_COUNT
    capped = ask(engine, "big.ddns.test.", "TXT", use_edns=0, payload=1232)
    assert capped.flags & dns.flags.TC


def test_tcp_carries_the_whole_answer(engine: Engine) -> None:
    response = ask(engine, "big.ddns.test.", "TXT", tcp=True, use_edns=False)
    assert not response.flags & dns.flags.TC
    assert len(texts(response, "TXT")) == BIG_TXT_COUNT


def test_unknown_edns_version_gets_badvers(engine: Engine) -> None:
    response = ask(engine, "home.ddns.test.", use_edns=1)
    assert response.rcode() == dns.rcode.BADVERS
    assert response.answer == []


@pytest.mark.parametrize("opcode", [dns.opcode.STATUS, dns.opcode.IQUERY, dns.opcode.UPDATE])
def test_opcodes_without_a_handler_get_notimp(engine: Engine, opcode: dns.opcode.Opcode) -> None:
    query = dns.message.make_query("ddns.test.", "SOA")
    query.set_opcode(opcode)
    wire = engine.answer(query.to_wire(), tcp=False)
    assert wire is not None
    response = dns.message.from_wire(wire)
    assert response.rcode() == dns.rcode.NOTIMP
    assert response.opcode() == opcode


async def test_registered_handlers_serve_their_opcode(view: ZoneView) -> None:
    seen: list[tuple[int, bool, str]] = []

    async def notify(request: DNSRequest) -> list[bytes]:
        seen.append((request.message.opcode(), request.tcp, request.peer))
        return [dns.message.make_response(request.message).to_wire()]

    engine = Engine(view, handlers={dns.opcode.NOTIFY: notify})
    query = dns.message.make_query("ddns.test.", "SOA")
    query.set_opcode(dns.opcode.NOTIFY)
    pending = engine.answer(query.to_wire(), tcp=True, peer="192.0.2.53")
    assert pending is not None and not isinstance(pending, bytes)
    (wire,) = await pending
    assert dns.message.from_wire(wire).rcode() == dns.rcode.NOERROR
    assert seen == [(dns.opcode.NOTIFY, True, "192.0.2.53")]


async def test_zone_transfers_go_to_the_transfer_handler(view: ZoneView) -> None:
    async def transfer(request: DNSRequest) -> list[bytes]:
        response = dns.message.make_response(request.message)
        return [response.to_wire(), response.to_wire()]

    engine = Engine(view, transfer=transfer)
    pending = engine.answer(dns.message.make_query("ddns.test.", "AXFR").to_wire(), tcp=True)
    assert pending is not None and not isinstance(pending, bytes)
    assert len(await pending) == 2


def test_two_questions_get_formerr(engine: Engine) -> None:
    query = dns.message.make_query("home.ddns.test.", "A")
    query.question.append(query.question[0])
    wire = engine.answer(query.to_wire(), tcp=False)
    assert wire is not None
    assert dns.message.from_wire(wire).rcode() == dns.rcode.FORMERR


def test_unparseable_query_gets_formerr_from_the_header(engine: Engine) -> None:
    garbage = bytes.fromhex("beef 0100 0001 0000 0000 0000".replace(" ", "")) + b"\xff\xff"
    wire = engine.answer(garbage, tcp=False)
    assert wire is not None
    query_id, flags, *counts = struct.unpack("!HHHHHH", wire)
    assert query_id == 0xBEEF
    assert flags & dns.flags.QR
    assert flags & 0x000F == dns.rcode.FORMERR
    assert flags & dns.flags.RD
    assert counts == [0, 0, 0, 0]


def test_responses_and_runts_are_dropped(engine: Engine) -> None:
    response = engine.answer(GOLDEN_RESPONSE, tcp=False)
    assert response is None
    assert engine.answer(b"\x12\x34\x00", tcp=False) is None
    assert engine.answer(b"", tcp=True) is None


def _fuzz_engines() -> tuple[Engine, Engine]:
    """One engine of each kind for every example: answering never changes the view.

    The first is the server's (compiled view, fast path first), the second dnspython alone:
    hostile bytes must get the same answer, or none, from both.
    """
    view = ZoneView()
    view.apply(snapshot())
    compiled = CompiledView()
    compiled.apply(snapshot())
    return Engine(compiled, fast=FastPath(compiled)), Engine(view)


FUZZ_ENGINE, FUZZ_REFERENCE = _fuzz_engines()


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_never_raise(data: bytes) -> None:
    wire = FUZZ_ENGINE.answer(data, tcp=False)
    assert wire == FUZZ_REFERENCE.answer(data, tcp=False)
    if wire is not None:
        assert len(wire) <= 512
        assert wire[2] & 0x80  # QR set: we only ever send responses


@settings(max_examples=400, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(GOLDEN_QUERY) - 1),
    value=st.integers(min_value=0, max_value=255),
    tail=st.binary(max_size=40),
)
def test_mutated_queries_never_raise(position: int, value: int, tail: bytes) -> None:
    data = bytearray(GOLDEN_QUERY)
    data[position] = value
    wire = FUZZ_ENGINE.answer(bytes(data) + tail, tcp=True)
    assert wire == FUZZ_REFERENCE.answer(bytes(data) + tail, tcp=True)
    if wire is not None:
        dns.message.from_wire(wire, question_only=True)

"""The fast path's DO=1 answers from signed zones against the reference engine, byte for byte.

Both read the same compiled view and the same signatures: the reference adds
them with dnspython (``signed_answers``), the fast path splices their wire
bytes (``signed_fast``). Wherever the fast path answers, its bytes must be
the reference's, before and after changes (which must forget the bytes of
every signature they replace); the shapes users ask most must take it, and
their answers must validate.
"""

from __future__ import annotations

import dataclasses

import dns.flags
import dns.message
import dns.name
import dns.rcode
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homing.dnssec import keys
from homing.domain.records import RRset, SOAFields, ZoneSigning, ZoneSnapshot
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath

from .test_fastpath import draw_change, queries, zones
from .test_signed_answers import _keyring, _signed, _validated


def _served(zone: ZoneSnapshot, most: int = 1232) -> tuple[CompiledView, Engine, FastPath]:
    view = CompiledView()
    view.apply(zone)
    fast = FastPath(view, udp_max_payload=most)
    return view, Engine(view, fast=fast, udp_max_payload=most), fast


def _agree(engine: Engine, fast: FastPath, wire: bytes, tcp: bool) -> bool:
    expected = engine.answer_reference(wire, tcp=tcp)
    quick = fast.answer(wire, tcp)
    if quick is not None:
        assert quick == expected, dns.message.from_wire(wire)
    return quick is not None


def _double_signed(zone: ZoneSnapshot, algorithm: keys.Algorithm) -> ZoneSnapshot:
    """``zone`` signed by two keys, as during a rollover: every RRSIG set holds two."""
    signed = _signed(zone, algorithm)
    assert signed.signing is not None
    second = ZoneSigning(int(algorithm), keys.generate(dns.name.root, algorithm).private_pem())
    signing = ZoneSigning(signed.signing.algorithm, signed.signing.private_pem, (second,))
    return dataclasses.replace(signed, signing=signing)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    algorithm=st.sampled_from(list(keys.Algorithm)),
    rolling=st.booleans(),
)
def test_signed_fast_path_equals_the_reference(
    data: st.DataObject, algorithm: keys.Algorithm, rolling: bool
) -> None:
    zone = (_double_signed if rolling else _signed)(data.draw(zones()), algorithm)
    _, engine, fast = _served(zone, data.draw(st.sampled_from((512, 1232, 4096))))
    for _ in range(20):
        wire, tcp = data.draw(queries(zone.zone, dnssec_ok=0.9))
        _agree(engine, fast, wire, tcp)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_changes_keep_the_signed_fast_path_equal(data: st.DataObject) -> None:
    """Every change signs again what it touches; no answer keeps an old signature's bytes."""
    zone = _signed(data.draw(zones()), keys.Algorithm.ECDSAP256SHA256)
    view, engine, fast = _served(zone)
    asked = [data.draw(queries(zone.zone, dnssec_ok=1.0)) for _ in range(6)]
    serial = zone.soa.serial
    for _ in range(data.draw(st.integers(1, 4))):
        for wire, tcp in asked:
            _agree(engine, fast, wire, tcp)
        serial += 1
        change = draw_change(data, zone, serial)
        if change is not None:
            view.apply(change)
    for wire, tcp in asked:
        _agree(engine, fast, wire, tcp)


SIGNED = ZoneSnapshot(
    zone="ddns.test.",
    soa=SOAFields(mname="ns1.ddns.test.", rname="hostmaster.ddns.test.", serial=7, minimum=30),
    nameservers=("ns1.ddns.test.",),
    ns_ttl=3600,
    rrsets=(
        RRset("home.ddns.test.", "A", 60, ("192.0.2.1",)),
        RRset("home.ddns.test.", "AAAA", 60, ("2001:db8::1",)),
        RRset("nas.office.ddns.test.", "A", 60, ("192.0.2.2",)),
        RRset("big.ddns.test.", "TXT", 60, tuple(f'"{n:03} {"x" * 200}"' for n in range(8))),
        RRset("*.wild.ddns.test.", "A", 60, ("192.0.2.9",)),
    ),
)


@pytest.fixture(scope="module")
def signed() -> tuple[CompiledView, Engine, FastPath]:
    return _served(_signed(SIGNED, keys.Algorithm.ECDSAP256SHA256))


@pytest.mark.parametrize(
    ("qname", "qtype", "rcode"),
    [
        ("home.ddns.test.", "A", dns.rcode.NOERROR),
        ("HoMe.DDNS.test.", "AAAA", dns.rcode.NOERROR),
        ("home.ddns.test.", "TXT", dns.rcode.NOERROR),  # NODATA
        ("office.ddns.test.", "A", dns.rcode.NOERROR),  # an empty non-terminal
        ("missing.ddns.test.", "A", dns.rcode.NXDOMAIN),
        ("a.b.missing.ddns.test.", "AAAA", dns.rcode.NXDOMAIN),
        ("x.nas.office.ddns.test.", "A", dns.rcode.NXDOMAIN),
        ("ddns.test.", "DNSKEY", dns.rcode.NOERROR),
        ("ddns.test.", "SOA", dns.rcode.NOERROR),
        ("ddns.test.", "ANY", dns.rcode.NOERROR),
    ],
)
def test_the_common_signed_shapes_take_the_fast_path_and_validate(
    signed: tuple[CompiledView, Engine, FastPath], qname: str, qtype: str, rcode: int
) -> None:
    _, engine, fast = signed
    keyring = _keyring(engine, "ddns.test.")
    query = dns.message.make_query(qname, qtype, want_dnssec=True)
    wire = query.to_wire()
    assert _agree(engine, fast, wire, False)
    answer = fast.answer(wire, False)
    assert answer is not None
    response = dns.message.from_wire(answer)
    assert response.rcode() == rcode
    assert response.ednsflags & dns.flags.DO
    _validated(response, keyring)


def test_a_signed_answer_too_big_for_udp_is_truncated_with_do_echoed(
    signed: tuple[CompiledView, Engine, FastPath],
) -> None:
    _, engine, fast = signed
    wire = dns.message.make_query("big.ddns.test.", "TXT", want_dnssec=True).to_wire()
    assert _agree(engine, fast, wire, False)
    response = dns.message.from_wire(fast.answer(wire, False) or b"")
    assert response.flags & dns.flags.TC
    assert response.ednsflags & dns.flags.DO
    assert not response.answer
    over_tcp = fast.answer(wire, True)
    assert over_tcp is not None
    assert len(dns.message.from_wire(over_tcp).answer) == 2  # the TXT set and its RRSIG


@pytest.mark.parametrize(
    ("qname", "qtype"),
    [
        ("x.wild.ddns.test.", "A"),  # synthesised from the wildcard
        ("x.wild.ddns.test.", "TXT"),  # the wildcard's NODATA
        # A label as long as a hashed NSEC3 owner's: the renderer would compress into it.
        ("0123456789abcdef0123456789abcdef.ddns.test.", "A"),
    ],
)
def test_what_the_signed_fast_path_leaves_the_reference_answers(
    signed: tuple[CompiledView, Engine, FastPath], qname: str, qtype: str
) -> None:
    _, engine, fast = signed
    wire = dns.message.make_query(qname, qtype, want_dnssec=True).to_wire()
    assert fast.answer(wire, False) is None
    assert engine.answer(wire, tcp=False) == engine.answer_reference(wire, tcp=False)


def test_do_is_echoed_for_an_unsigned_zone_too() -> None:
    """RFC 3225 3: the DO bit of the query is copied into the response, signed zone or not."""
    _, engine, fast = _served(SIGNED)
    wire = dns.message.make_query("home.ddns.test.", "A", want_dnssec=True).to_wire()
    assert _agree(engine, fast, wire, False)
    response = dns.message.from_wire(fast.answer(wire, False) or b"")
    assert response.ednsflags & dns.flags.DO
    assert len(response.answer) == 1

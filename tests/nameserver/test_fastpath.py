"""The fast path against the reference engine: byte for byte, over generated zones and queries.

The reference is dnspython end to end (``Engine.answer_reference`` over the
dnspython ``ZoneView``); the fast path reads the ``CompiledView`` built from
the same events. Wherever the fast path answers, its bytes must be the
reference's; where it declines, the engine over the compiled view (RRsets
decoded from the compiled entries) must still be the reference's.
"""

from __future__ import annotations

import ipaddress
import struct

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homing.domain.records import RRset, SOAFields, ZoneChange, ZoneSnapshot
from homing.nameserver import channel, compiler
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath
from homing.nameserver.view import ZoneView

from .conftest import snapshot

ORIGINS = ("ddns.test.", "dyn.example.net.", "x.")
LABELS = ("a", "b", "www", "ns1", "mail", "hostmaster", "*", "deep")
TYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "NS")
QTYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "NS", "SOA", "ANY", "SRV", "HTTPS", "CAA", "PTR")
PAYLOADS = (0, 100, 511, 512, 700, 1232, 4096, 65535)


def _names(origin: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(LABELS), min_size=0, max_size=3).map(
        lambda labels: ".".join([*labels, origin.rstrip(".")]) + "."
    )


def _rdatas(rtype: str, origin: str) -> st.SearchStrategy[tuple[str, ...]]:
    targets = st.one_of(_names(origin), st.sampled_from(("www.example.org.", "ns.other.net.")))
    single: st.SearchStrategy[str]
    if rtype == "A":
        single = st.integers(0, 2**32 - 1).map(lambda i: str(ipaddress.IPv4Address(i)))
    elif rtype == "AAAA":
        single = st.integers(0, 2**128 - 1).map(lambda i: str(ipaddress.IPv6Address(i)))
    elif rtype == "TXT":
        single = st.text("abc xyz", min_size=0, max_size=300).map(lambda t: f'"{t}"')
    elif rtype == "MX":
        single = st.tuples(st.integers(0, 20), targets).map(lambda p: f"{p[0]} {p[1]}")
    else:
        single = targets
    return st.lists(single, min_size=1, max_size=4 if rtype != "CNAME" else 1).map(tuple)


@st.composite
def zones(draw: st.DrawFn) -> ZoneSnapshot:
    origin = draw(st.sampled_from(ORIGINS))
    inside = origin.rstrip(".")
    mname = draw(st.sampled_from((f"ns1.{inside}.", "ns.other.net.", f"a.b.{inside}.")))
    rname = draw(st.sampled_from((f"hostmaster.{inside}.", "admin.other.net.")))
    rrsets = []
    for _ in range(draw(st.integers(0, 12))):
        rtype = draw(st.sampled_from(TYPES))
        name = draw(_names(origin))
        if name == origin:
            continue
        rrsets.append(RRset(name, rtype, draw(st.integers(0, 86400)), draw(_rdatas(rtype, origin))))
    return ZoneSnapshot(
        zone=origin,
        soa=SOAFields(mname=mname, rname=rname, serial=draw(st.integers(1, 2**31)), minimum=30),
        nameservers=(f"ns1.{inside}.", "ns.other.net."),
        ns_ttl=3600,
        rrsets=tuple(rrsets),
    )


@st.composite
def queries(draw: st.DrawFn, origin: str, *, dnssec_ok: float = 0.5) -> tuple[bytes, bool]:
    """A query's wire and whether it comes over TCP; with EDNS, the DO bit at ``dnssec_ok``'s
    odds."""
    name = draw(st.one_of(_names(origin), st.sampled_from(("example.org.", "other.net.", "."))))
    name = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    qtype = draw(st.sampled_from(QTYPES))
    payload = draw(st.sampled_from(PAYLOADS))
    options: list[dns.edns.Option] = []
    if draw(st.booleans()):
        options.append(dns.edns.GenericOption(dns.edns.OptionType.COOKIE, b"c" * 8))
    if draw(st.booleans()):
        options.append(dns.edns.GenericOption(dns.edns.OptionType.PADDING, b""))
    if draw(st.booleans()):
        options.append(dns.edns.GenericOption(65001, b"\x01\x02"))
    edns = draw(st.sampled_from((-1, 0)))
    query = dns.message.make_query(
        name,
        qtype,
        use_edns=edns,
        payload=payload,
        options=options if edns == 0 else None,
        want_dnssec=edns == 0 and draw(st.floats(0, 1)) < dnssec_ok,
    )
    if draw(st.booleans()):
        query.flags &= ~dns.flags.RD
    return query.to_wire(), draw(st.booleans())


def draw_change(data: st.DataObject, zone: ZoneSnapshot, serial: int) -> ZoneChange | None:
    """One generated RRset below the apex deleted or replaced, at ``serial``."""
    rtype = data.draw(st.sampled_from(TYPES))
    name = data.draw(_names(zone.zone))
    if name == zone.zone:
        return None
    rdatas = data.draw(st.one_of(st.just(()), _rdatas(rtype, zone.zone)))
    return ZoneChange(zone=zone.zone, serial=serial, rrsets=(RRset(name, rtype, 60, rdatas),))


def _views(zone: ZoneSnapshot, most: int = 1232) -> tuple[Engine, Engine, FastPath]:
    """The reference engine, the served one and its fast path; ``most``: dns_udp_max_payload."""
    reference = ZoneView()
    compiled = CompiledView()
    for view in (reference, compiled):
        view.apply(zone)
    # Every answer offered to the hot answers: the second fast answer to a question
    # (``_agree`` asks twice) comes from there.
    fast = FastPath(compiled, udp_max_payload=most, hot_sample=1)
    return (
        Engine(reference, udp_max_payload=most),
        Engine(compiled, fast=fast, udp_max_payload=most),
        fast,
    )


def _agree(reference: Engine, served: Engine, fast: FastPath, wire: bytes, tcp: bool) -> bool:
    expected = reference.answer_reference(wire, tcp=tcp)
    quick = fast.answer(wire, tcp)
    if quick is not None:
        assert quick == expected, dns.message.from_wire(wire)
    assert served.answer(wire, tcp=tcp) == expected
    return quick is not None


@pytest.mark.timeout(600)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fast_path_equals_the_reference(data: st.DataObject) -> None:
    zone = data.draw(zones())
    reference, served, fast = _views(zone, data.draw(st.sampled_from((512, 1232, 4096))))
    for _ in range(20):
        wire, tcp = data.draw(queries(zone.zone))
        _agree(reference, served, fast, wire, tcp)


@pytest.mark.timeout(300)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_changes_keep_the_fast_path_equal(data: st.DataObject) -> None:
    """Changes patch the compiled view per name; the answers stay the reference's."""
    zone = data.draw(zones())
    reference_view, compiled = ZoneView(), CompiledView()
    for view in (reference_view, compiled):
        view.apply(zone)
    fast = FastPath(compiled, hot_sample=1)
    reference, served = Engine(reference_view), Engine(compiled, fast=fast)
    serial = zone.soa.serial
    asked: list[tuple[bytes, bool]] = []
    for _ in range(data.draw(st.integers(1, 5))):
        serial += 1
        if zone.rrsets and data.draw(st.booleans()):
            # An RRset that exists, asked for (and its answer kept) before it changes.
            old = data.draw(st.sampled_from(zone.rrsets))
            rdatas = data.draw(st.one_of(st.just(()), _rdatas(old.rtype, zone.zone)))
            change = ZoneChange(
                zone=zone.zone, serial=serial, rrsets=(RRset(old.name, old.rtype, 60, rdatas),)
            )
            query = dns.message.make_query(old.name, old.rtype, use_edns=0)
            asked.append((query.to_wire(), False))
            _agree(reference, served, fast, *asked[-1])
        else:
            change = draw_change(data, zone, serial)
        if change is None:
            continue
        for view in (reference_view, compiled):
            view.apply(change)
        # The questions of the last round, again: a kept answer must follow the change.
        for wire, tcp in asked[-9:]:
            _agree(reference, served, fast, wire, tcp)
        for _ in range(8):
            asked.append(data.draw(queries(zone.zone)))
            _agree(reference, served, fast, *asked[-1])


@pytest.mark.timeout(300)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_zone_pickled_for_a_worker_answers_as_the_reference(data: st.DataObject) -> None:
    """A worker installs the provider's compiled zone from its channel (pickled, the node
    table marshalled beside it): the copy answers as the reference, before and after a
    change."""
    zone = data.draw(zones())
    reference_view, provider, worker = ZoneView(), CompiledView(), CompiledView(signs=False)
    for view in (reference_view, provider):
        view.apply(zone)
    for compiled in provider.zones.values():
        (message,) = channel.FrameReader().feed(channel.encode(channel.ZoneState(compiled)))
        assert isinstance(message, channel.ZoneState)
        copy = message.zone
        assert copy.nodes == compiled.nodes
        worker.install(copy)
    fast = FastPath(worker, hot_sample=1)
    reference, served = Engine(reference_view), Engine(worker, fast=fast)
    for _ in range(10):
        _agree(reference, served, fast, *data.draw(queries(zone.zone)))
    change = draw_change(data, zone, zone.soa.serial + 1)
    if change is not None:
        for view in (reference_view, worker):
            view.apply(change)
        for _ in range(10):
            _agree(reference, served, fast, *data.draw(queries(zone.zone)))


@pytest.fixture
def engines() -> tuple[Engine, Engine, FastPath]:
    return _views(snapshot())


@pytest.mark.parametrize(
    ("qname", "qtype"),
    [
        ("home.ddns.test.", "A"),
        ("HoMe.DdNs.TeSt.", "AAAA"),
        ("home.ddns.test.", "MX"),
        ("missing.ddns.test.", "A"),
        ("under.ddns.test.", "A"),
        ("x.y.wild.ddns.test.", "A"),
        ("x.wild.ddns.test.", "TXT"),
        ("ddns.test.", "ANY"),
        ("big.ddns.test.", "TXT"),
        ("www.example.org.", "A"),
    ],
)
def test_the_common_shapes_take_the_fast_path(
    engines: tuple[Engine, Engine, FastPath], qname: str, qtype: str
) -> None:
    reference, served, fast = engines
    for edns in (-1, 0):
        wire = dns.message.make_query(qname, qtype, use_edns=edns).to_wire()
        assert _agree(reference, served, fast, wire, False)


def _golden(hexes: str) -> bytes:
    return bytes.fromhex(hexes.replace(" ", ""))


QUESTION = "0464646e73 0474657374 00"  # ddns.test.


def test_golden_nxdomain(engines: tuple[Engine, Engine, FastPath]) -> None:
    """The SOA template placed after "nope.ddns.test.": every pointer moved by the 5 bytes."""
    _, _, fast = engines
    query = _golden(f"abcd 0000 0001 0000 0000 0000 046e6f7065 {QUESTION} 0001 0001")
    soa_rdata = (
        "036e7331 c011"  # ns1 + pointer to ddns.test. at 17
        "0a686f73746d6173746572 c011"  # hostmaster + pointer
        f"{2026112701:08x} 00000e10 00000258 00127500 0000001e"
    )
    rdlength = len(_golden(soa_rdata))
    expected = _golden(
        "abcd 8403 0001 0000 0001 0000"
        f"046e6f7065 {QUESTION} 0001 0001"
        f"c011 0006 0001 0000001e {rdlength:04x} {soa_rdata}"
    )
    assert fast.answer(query, False) == expected


def test_golden_wildcard(engines: tuple[Engine, Engine, FastPath]) -> None:
    """A synthesised answer is owned by the question itself (pointer 12)."""
    _, _, fast = engines
    query = _golden(f"0001 0100 0001 0000 0000 0000 0158 0477696c64 {QUESTION} 0001 0001")
    expected = _golden(
        f"0001 8500 0001 0001 0000 0000 0158 0477696c64 {QUESTION} 0001 0001"
        "c00c 0001 0001 0000003c 0004 c0000209"
    )
    assert fast.answer(query, False) == expected


def test_golden_refused_and_truncated(engines: tuple[Engine, Engine, FastPath]) -> None:
    _, _, fast = engines
    outside = _golden("0002 0000 0001 0000 0000 0000 076578616d706c65 00 0001 0001")
    assert fast.answer(outside, False) == _golden(
        "0002 8005 0001 0000 0000 0000 076578616d706c65 00 0001 0001"
    )
    big = _golden(f"0003 0000 0001 0000 0000 0000 03626967 {QUESTION} 0010 0001")
    assert fast.answer(big, False) == _golden(
        f"0003 8600 0001 0000 0000 0000 03626967 {QUESTION} 0010 0001"
    )


@pytest.mark.parametrize(
    "wire",
    [
        b"",
        b"\x00" * 12,
        _golden(f"0001 8000 0001 0000 0000 0000 {QUESTION} 0001 0001"),  # a response
        _golden(f"0001 2800 0001 0000 0000 0000 {QUESTION} 0001 0001"),  # UPDATE
        _golden(f"0001 0000 0002 0000 0000 0000 {QUESTION} 0001 0001"),  # two questions
        _golden(f"0001 0000 0001 0000 0000 0000 {QUESTION} 0001 0003"),  # class CH
        _golden(f"0001 0000 0001 0000 0000 0000 {QUESTION} 00fc 0001"),  # AXFR
        _golden(f"0001 0000 0001 0000 0000 0000 {QUESTION} 0001 0001 ff"),  # trailing junk
        _golden("0001 0000 0001 0000 0000 0000 c00c 0001 0001"),  # compressed question
        _golden(f"0001 0000 0001 0000 0000 0001 {QUESTION} 0001 0001 00 0029 1000 0001 0000 0000"),
        _golden(f"0001 0000 0001 0000 0000 0001 {QUESTION} 0001 0001 00 0029 1000 0000 0000 0004"),
        _golden(
            f"0001 0000 0001 0000 0000 0001 {QUESTION} 0001 0001 00 0029 1000 0000 0000 0006"
            "000a 0002 0102"  # a cookie of two bytes: dnspython's parser refuses it
        ),
    ],
)
def test_what_is_not_a_plain_query_goes_to_the_reference(
    engines: tuple[Engine, Engine, FastPath], wire: bytes
) -> None:
    reference, served, fast = engines
    assert fast.answer(wire, False) is None
    assert served.answer(wire, tcp=False) == reference.answer_reference(wire, tcp=False)


@given(
    rdtype=st.sampled_from((dns.rdatatype.A, dns.rdatatype.AAAA)),
    ttl=st.integers(0, 2**31 - 1),
    count=st.integers(1, 6),
    seed=st.integers(0, 2**128 - 1),
)
def test_address_entries_equal_the_rendered_ones(
    rdtype: dns.rdatatype.RdataType, ttl: int, count: int, seed: int
) -> None:
    """The hand-written start-up compiler is held to dnspython's rendering."""
    size = 4 if rdtype == dns.rdatatype.A else 16
    packed = [((seed + i * 7919) % 2 ** (8 * size)).to_bytes(size, "big") for i in range(count)]
    packed = list(dict.fromkeys(packed))
    kind = ipaddress.IPv4Address if size == 4 else ipaddress.IPv6Address
    owner = dns.name.from_text("h1.ddns.test.")
    rrset = dns.rrset.from_text_list(
        owner, ttl, "IN", dns.rdatatype.to_text(rdtype), [str(kind(p)) for p in packed]
    )
    assert compiler.address_entry(rdtype, ttl, packed) == compiler.entry([rrset], owner)


def test_a_template_keeps_only_pointers_into_the_base_relative() -> None:
    origin = dns.name.from_text("ddns.test.")
    soa = dns.rrset.from_text(origin, 30, "IN", "SOA", "ns1.ddns.test. h.other.net. 1 2 3 4 5")
    template = compiler.template([soa], origin)
    assert template is not None
    assert template.shifts == (0, 0)  # the owner and ns1's suffix: both ddns.test.
    assert template.sensitive == frozenset({b"ns1"})
    rendered = template.render(17)
    assert struct.unpack_from("!H", rendered)[0] == 0xC011


def test_golden_nodata(engines: tuple[Engine, Engine, FastPath]) -> None:
    """NODATA at an existing name: the same SOA template, rcode NOERROR, AAAA asked of home."""
    _, _, fast = engines
    query = _golden(f"beef 0000 0001 0000 0000 0000 04686f6d65 {QUESTION} 000f 0001")
    answer = fast.answer(query, False)
    assert answer is not None
    assert answer[:12] == _golden("beef 8400 0001 0000 0001 0000")
    assert answer[12 : len(query)] == query[12:]
    assert answer[len(query) : len(query) + 2] == _golden("c011")  # the SOA owner: ddns.test.


def test_edns_shapes_are_remembered_but_not_those_with_options(
    engines: tuple[Engine, Engine, FastPath],
) -> None:
    reference, served, fast = engines
    plain = dns.message.make_query("home.ddns.test.", "A", use_edns=0, payload=1232)
    cookie = dns.message.make_query(
        "home.ddns.test.",
        "A",
        use_edns=0,
        options=[dns.edns.GenericOption(dns.edns.OptionType.COOKIE, b"k" * 8)],
    )
    for query in (plain, plain, cookie, cookie):
        assert _agree(reference, served, fast, query.to_wire(), False)
    assert len(fast._shapes) == 1


def test_the_fast_path_counts_answers_by_type_and_rcode(
    engines: tuple[Engine, Engine, FastPath],
) -> None:
    _, _, fast = engines
    asked = [
        ("home.ddns.test.", "A"),
        ("home.ddns.test.", "A"),
        ("missing.ddns.test.", "AAAA"),
        ("ddns.test.", "ANY"),
        ("www.example.org.", "TXT"),
        ("home.ddns.test.", "CAA"),
    ]
    answered = [
        fast.answer(dns.message.make_query(name, rtype).to_wire(), False) for name, rtype in asked
    ]
    assert answered[-1] is None  # types from 128 up but ANY are the reference engine's
    A, AAAA, TXT, ANY = (dns.rdatatype.from_text(t) for t in ("A", "AAAA", "TXT", "ANY"))
    assert fast.counts() == {(A, 0): 2, (AAAA, 3): 1, (ANY, 0): 1, (TXT, 5): 1}

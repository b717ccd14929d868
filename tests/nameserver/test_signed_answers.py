"""Answers from a signed zone: every RRset served with DO=1 carries a signature that
dnspython's validator accepts with the zone's DNSKEY, negative answers carry their NSEC3
proof, and DO=0 answers stay as they were (and the fast path's)."""

from __future__ import annotations

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homing.dnssec import keys, nsec3
from homing.domain.records import RRset, SOAFields, ZoneChange, ZoneSigning, ZoneSnapshot
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath

from .test_fastpath import _names, _rdatas, zones

QTYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "NS", "SOA", "DNSKEY", "CDS", "SRV")
KEYS = {a: keys.generate(dns.name.root, a) for a in keys.Algorithm}


def _signed(zone: ZoneSnapshot, algorithm: keys.Algorithm) -> ZoneSnapshot:
    pem = KEYS[algorithm].private_pem()
    return ZoneSnapshot(
        zone=zone.zone,
        soa=zone.soa,
        nameservers=zone.nameservers,
        ns_ttl=zone.ns_ttl,
        rrsets=zone.rrsets,
        signing=ZoneSigning(int(algorithm), pem),
    )


def _ask(engine: Engine, name: str, qtype: str, *, dnssec: bool = True) -> dns.message.Message:
    query = dns.message.make_query(name, qtype, want_dnssec=dnssec, payload=4096)
    wire = engine.answer(query.to_wire(), tcp=True)
    assert isinstance(wire, bytes)
    return dns.message.from_wire(wire)


def _validated(
    response: dns.message.Message, keyring: dict[dns.name.Name, dns.rrset.RRset]
) -> None:
    """Every RRset of the answer and authority sections validates; a negative proves denial."""
    (origin,) = keyring
    for section in (response.answer, response.authority):
        rrsigs = {(r.name, r.covers): r for r in section if r.rdtype == dns.rdatatype.RRSIG}
        for rrset in section:
            if rrset.rdtype == dns.rdatatype.RRSIG or not rrset.name.is_subdomain(origin):
                continue
            rrsig = rrsigs.get((rrset.name, rrset.rdtype))
            assert rrsig is not None, f"no RRSIG for {rrset.name} {rrset.rdtype!r}"
            if rrset.name.is_wild() and rrsig[0].labels < len(rrset.name) - 2:
                # A name asked with a literal "*" label, answered from a shorter wildcard:
                # valid (RFC 4035 5.3.2), but dnspython refuses any wild owner so expanded.
                continue
            dns.dnssec.validate(rrset, rrsig, keyring)
    if not response.answer:
        assert any(r.rdtype == dns.rdatatype.NSEC3 for r in response.authority)


def _keyring(engine: Engine, origin: str) -> dict[dns.name.Name, dns.rrset.RRset]:
    found = _ask(engine, origin, "DNSKEY")
    return {
        dns.name.from_text(origin): found.find_rrset(
            found.answer, dns.name.from_text(origin), 1, 48
        )
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), algorithm=st.sampled_from(list(keys.Algorithm)))
def test_every_rrset_served_with_do_validates(
    data: st.DataObject, algorithm: keys.Algorithm
) -> None:
    zone = _signed(data.draw(zones()), algorithm)
    view = CompiledView()
    view.apply(zone)
    engine = Engine(view, fast=FastPath(view))
    keyring = _keyring(engine, zone.zone)
    for _ in range(10):
        name = data.draw(_names(zone.zone))
        qtype = data.draw(st.sampled_from(QTYPES))
        response = _ask(engine, name, qtype)
        assert response.ednsflags & dns.flags.DO
        if response.rcode() != dns.rcode.REFUSED:
            _validated(response, keyring)
        plain = _ask(engine, name, qtype, dnssec=False)
        assert not any(r.rdtype == dns.rdatatype.RRSIG for r in plain.answer + plain.authority)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_changes_keep_every_answer_signed(data: st.DataObject) -> None:
    zone = _signed(data.draw(zones()), keys.Algorithm.ECDSAP256SHA256)
    view = CompiledView()
    view.apply(zone)
    engine = Engine(view, fast=FastPath(view))
    keyring = _keyring(engine, zone.zone)
    serial = zone.soa.serial
    for _ in range(data.draw(st.integers(1, 4))):
        rtype = data.draw(st.sampled_from(("A", "AAAA", "TXT", "CNAME")))
        name = data.draw(_names(zone.zone))
        if name == zone.zone:
            continue
        rdatas = data.draw(st.one_of(st.just(()), _rdatas(rtype, zone.zone)))
        serial += 1
        view.apply(
            ZoneChange(zone=zone.zone, serial=serial, rrsets=(RRset(name, rtype, 60, rdatas),))
        )
        for qname in {name, data.draw(_names(zone.zone))}:
            response = _ask(engine, qname, data.draw(st.sampled_from(QTYPES)))
            _validated(response, keyring)
    soa = _ask(engine, zone.zone, "SOA")
    assert soa.answer[0][0].serial == serial


def test_a_name_that_goes_takes_its_nsec3_record_along() -> None:
    """One NSEC3 record per name and empty non-terminal; none is left for one that went."""
    names = ("a.x.ddns.test.", "b.x.ddns.test.", "c.ddns.test.", "d.ddns.test.")
    zone = _signed(
        ZoneSnapshot(
            zone="ddns.test.",
            soa=SOAFields(mname="ns1.ddns.test.", rname="h.ddns.test.", serial=1, minimum=30),
            nameservers=("ns1.ddns.test.",),
            ns_ttl=3600,
            rrsets=tuple(RRset(name, "A", 60, ("192.0.2.1",)) for name in names),
        ),
        keys.Algorithm.ECDSAP256SHA256,
    )
    view = CompiledView()
    view.apply(zone)
    (compiled,) = view.zones.values()
    assert compiled.dnssec is not None
    for serial, gone in enumerate(("c.ddns.test.", "a.x.ddns.test.", "b.x.ddns.test."), 2):
        view.apply(ZoneChange(zone=zone.zone, serial=serial, rrsets=(RRset(gone, "A", 60, ()),)))
        owners = [*compiled.nodes, *compiled.ents]
        hashed = {nsec3.hash_name(dns.name.from_wire(key, 0)[0]) for key in owners}
        assert set(compiled.dnssec.denial) == hashed
    assert len(hashed) == 2  # the apex and d; x went with its last child


def test_a_forged_answer_fails_validation() -> None:
    """The negative twin: the check above rejects an RRset the key did not sign."""
    snapshot = ZoneSnapshot(
        zone="ddns.test.",
        soa=SOAFields(mname="ns1.ddns.test.", rname="h.ddns.test.", serial=1),
        nameservers=("ns1.ddns.test.",),
        ns_ttl=3600,
        rrsets=(RRset("home.ddns.test.", "A", 60, ("192.0.2.1",)),),
    )
    view = CompiledView()
    view.apply(_signed(snapshot, keys.Algorithm.ED25519))
    engine = Engine(view)
    keyring = _keyring(engine, "ddns.test.")
    response = _ask(engine, "home.ddns.test.", "A")
    rrsig = response.find_rrset(response.answer, dns.name.from_text("home.ddns.test."), 1, 46, 1)
    forged = dns.rrset.from_text("home.ddns.test.", 60, "IN", "A", "192.0.2.66")
    with pytest.raises(dns.dnssec.ValidationFailure):
        dns.dnssec.validate(forged, rrsig, keyring)
    dns.dnssec.validate(response.answer[0], rrsig, keyring)


def test_signatures_are_made_again_before_they_expire() -> None:
    snapshot = ZoneSnapshot(
        zone="ddns.test.",
        soa=SOAFields(mname="ns1.ddns.test.", rname="h.ddns.test.", serial=1),
        nameservers=("ns1.ddns.test.",),
        ns_ttl=3600,
        rrsets=(RRset("home.ddns.test.", "A", 60, ("192.0.2.1",)),),
    )
    view = CompiledView()
    view.apply(_signed(snapshot, keys.Algorithm.ECDSAP256SHA256))
    (zone,) = view.zones.values()
    assert zone.dnssec is not None
    start = zone.dnssec.now()
    assert view.refresh_signatures() == {}
    zone.dnssec.clock = lambda: start + 8 * 86400
    (made,) = view.refresh_signatures().values()
    assert len(made) == len(zone.dnssec.rrsigs) + len(zone.dnssec.denial)
    engine = Engine(view)
    keyring = _keyring(engine, "ddns.test.")
    response = _ask(engine, "home.ddns.test.", "A")
    rrsig = response.find_rrset(response.answer, dns.name.from_text("home.ddns.test."), 1, 46, 1)
    dns.dnssec.validate(response.answer[0], rrsig, keyring, now=start + 20 * 86400)
    assert view.refresh_signatures() == {}

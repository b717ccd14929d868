"""The in-memory view: snapshots load, changes patch it, names exist the way DNS says."""

from __future__ import annotations

import logging

import dns.name
import dns.rdatatype
import pytest

from homing.domain.records import ZoneChange, ZoneRemoved
from homing.nameserver.compiled import CompiledView, owner_key
from homing.nameserver.view import ZoneData, ZoneView

from .conftest import SERIAL, ZONE, rrset, snapshot


def name(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


def the_zone(view: ZoneView) -> ZoneData:
    zone = view.find_zone(name(ZONE))
    assert zone is not None
    return zone


def test_snapshot_loads_apex_and_hosts(view: ZoneView) -> None:
    assert view.zones() == [ZONE]
    assert view.serial(ZONE) == SERIAL
    zone = view.find_zone(name("home.ddns.test."))
    assert zone is not None
    apex = zone.nodes[zone.origin]
    assert set(apex) == {dns.rdatatype.SOA, dns.rdatatype.NS}
    assert {r.to_text() for r in zone.nodes[name("home.ddns.test.")][dns.rdatatype.A]} == {
        "192.0.2.1"
    }
    # The negative-caching TTL is min(SOA TTL, SOA minimum) (RFC 2308 section 5).
    assert zone.negative_soa.ttl == 30


def test_empty_non_terminals_exist_without_records(view: ZoneView) -> None:
    zone = the_zone(view)
    assert zone.node_exists(name("deep.under.ddns.test."))
    assert zone.node_exists(name("under.ddns.test."))
    assert not zone.node_exists(name("other.under.ddns.test."))


def test_change_replaces_rrsets_and_bumps_serial(view: ZoneView) -> None:
    view.apply(
        ZoneChange(
            zone=ZONE,
            serial=SERIAL + 1,
            rrsets=(rrset("home.ddns.test.", "A", "198.51.100.7"),),
        )
    )
    zone = the_zone(view)
    node = zone.nodes[name("home.ddns.test.")]
    assert [r.to_text() for r in node[dns.rdatatype.A]] == ["198.51.100.7"]
    assert dns.rdatatype.AAAA in node
    assert view.serial(ZONE) == SERIAL + 1
    assert zone.soa[0].serial == SERIAL + 1
    assert zone.negative_soa[0].serial == SERIAL + 1
    assert zone.nodes[zone.origin][dns.rdatatype.SOA][0].serial == SERIAL + 1


def test_deleting_the_last_rrset_removes_the_name_and_its_ancestors(view: ZoneView) -> None:
    view.apply(
        ZoneChange(zone=ZONE, serial=SERIAL + 1, rrsets=(rrset("leaf.deep.under.ddns.test.", "A"),))
    )
    zone = the_zone(view)
    assert name("leaf.deep.under.ddns.test.") not in zone.nodes
    assert not zone.node_exists(name("deep.under.ddns.test."))
    assert not zone.node_exists(name("under.ddns.test."))


def test_deleting_a_missing_rrset_is_harmless(view: ZoneView) -> None:
    view.apply(ZoneChange(zone=ZONE, serial=SERIAL + 1, rrsets=(rrset("nobody.ddns.test.", "A"),)))
    zone = the_zone(view)
    assert not zone.node_exists(name("nobody.ddns.test."))
    assert view.serial(ZONE) == SERIAL + 1


def test_wildcard_count_follows_changes(view: ZoneView) -> None:
    zone = the_zone(view)
    assert zone.has_wildcards == 1
    view.apply(ZoneChange(zone=ZONE, serial=SERIAL + 1, rrsets=(rrset("*.wild.ddns.test.", "A"),)))
    assert zone.has_wildcards == 0


STRAYS = ZoneChange(
    zone=ZONE,
    serial=SERIAL + 1,
    rrsets=(
        rrset(ZONE, "A", "192.0.2.77"),
        rrset("www.example.org.", "A", "192.0.2.78"),
        rrset("ddns.test.example.org.", "A", "192.0.2.79"),
        rrset("new.ddns.test.", "A", "192.0.2.80"),
    ),
)
"""A change with RRsets at the apex and outside the zone (ignored), and one below it."""


def test_changes_at_the_apex_or_outside_are_ignored(
    view: ZoneView, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        view.apply(STRAYS)
    zone = the_zone(view)
    assert dns.rdatatype.A not in zone.nodes[zone.origin]
    assert view.find_zone(name("www.example.org.")) is None
    assert name("ddns.test.example.org.") not in zone.nodes
    assert dns.rdatatype.A in zone.nodes[name("new.ddns.test.")]
    assert caplog.text.count("ignored") == 3


def test_the_compiled_view_ignores_changes_at_the_apex_or_outside_too(
    compiled: CompiledView, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        compiled.apply(STRAYS)
    zone = compiled.zones[owner_key(ZONE)]
    assert dns.rdatatype.A not in zone.nodes[zone.key][0::3]
    assert owner_key("www.example.org.") not in zone.nodes
    assert owner_key("ddns.test.example.org.") not in zone.nodes
    assert zone.nodes[owner_key("new.ddns.test.")][0] == dns.rdatatype.A
    assert zone.serial == SERIAL + 1
    assert caplog.text.count("ignored") == 3


def test_invalid_rdata_is_logged_and_skipped(
    view: ZoneView, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        view.apply(
            ZoneChange(
                zone=ZONE,
                serial=SERIAL + 1,
                rrsets=(rrset("home.ddns.test.", "A", "not-an-address"),),
            )
        )
    zone = the_zone(view)
    assert dns.rdatatype.A not in zone.nodes[name("home.ddns.test.")]
    assert "invalid RRset" in caplog.text


def test_change_for_an_unknown_zone_is_ignored(view: ZoneView) -> None:
    view.apply(ZoneChange(zone="other.test.", serial=5, rrsets=(rrset("a.other.test.", "A"),)))
    assert view.zones() == [ZONE]


def test_closest_enclosing_zone_wins() -> None:
    view = ZoneView()
    view.apply(snapshot())
    child = snapshot()
    view.apply(
        type(child)(
            zone="sub.ddns.test.",
            soa=child.soa,
            nameservers=(),
            ns_ttl=60,
            rrsets=(rrset("h.sub.ddns.test.", "A", "192.0.2.50"),),
        )
    )
    found = view.find_zone(name("h.SUB.ddns.test."))
    assert found is not None
    assert found.origin == name("sub.ddns.test.")
    outer = view.find_zone(name("home.ddns.test."))
    assert outer is not None
    assert outer.origin == name(ZONE)
    assert view.find_zone(name("test.")) is None


def test_zone_removed_drops_it(view: ZoneView) -> None:
    view.apply(ZoneRemoved(zone=ZONE))
    assert view.zones() == []
    assert view.find_zone(name("home.ddns.test.")) is None
    assert view.serial(ZONE) is None

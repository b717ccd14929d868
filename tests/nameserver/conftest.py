"""A small zone with every shape the answer engine must handle, loaded into a fresh view."""

from __future__ import annotations

import pytest

from homing.domain.records import RRset, SOAFields, ZoneSnapshot
from homing.nameserver.compiled import CompiledView
from homing.nameserver.view import ZoneView

ZONE = "ddns.test."
SERIAL = 2026112701
BIG_TXT_COUNT = 40


def rrset(name: str, rtype: str, *rdatas: str, ttl: int = 60) -> RRset:
    return RRset(name=name, rtype=rtype, ttl=ttl, rdatas=rdatas)


def snapshot() -> ZoneSnapshot:
    """ddns.test: hosts, a CNAME chain, a wildcard, an empty non-terminal and a huge TXT set."""
    big = tuple(f'"record {i:02d} {"x" * 40}"' for i in range(BIG_TXT_COUNT))
    return ZoneSnapshot(
        zone=ZONE,
        soa=SOAFields(
            mname="ns1.ddns.test.",
            rname="hostmaster.ddns.test.",
            serial=SERIAL,
            minimum=30,
            ttl=3600,
        ),
        nameservers=("ns1.ddns.test.", "ns2.ddns.test."),
        ns_ttl=3600,
        rrsets=(
            rrset("home.ddns.test.", "A", "192.0.2.1"),
            rrset("home.ddns.test.", "AAAA", "2001:db8::1"),
            rrset("home.ddns.test.", "TXT", '"hello"'),
            rrset("alias.ddns.test.", "CNAME", "home.ddns.test."),
            rrset("chain.ddns.test.", "CNAME", "alias.ddns.test."),
            rrset("away.ddns.test.", "CNAME", "www.example.org."),
            rrset("dangling.ddns.test.", "CNAME", "missing.ddns.test."),
            rrset("loop1.ddns.test.", "CNAME", "loop2.ddns.test."),
            rrset("loop2.ddns.test.", "CNAME", "loop1.ddns.test."),
            rrset("*.wild.ddns.test.", "A", "192.0.2.9"),
            rrset("leaf.deep.under.ddns.test.", "A", "192.0.2.3"),
            rrset("big.ddns.test.", "TXT", *big),
        ),
    )


@pytest.fixture
def view() -> ZoneView:
    loaded = ZoneView()
    loaded.apply(snapshot())
    return loaded


@pytest.fixture
def compiled() -> CompiledView:
    """The same zone as the server holds it: compiled answers."""
    loaded = CompiledView()
    loaded.apply(snapshot())
    return loaded

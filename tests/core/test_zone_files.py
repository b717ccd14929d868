"""core/zone_files.py: an import is one transaction a running writer follows; export reads back."""

from __future__ import annotations

import pytest

from homing.core.zone_files import ZoneFiles
from homing.domain.masterfile import read_master_file
from homing.domain.outcomes import AuthOutcome, FrontDoor
from homing.domain.records import ZoneSnapshot
from homing.domain.zone_import import plan_import
from homing.errors import ConflictError, InputError, NotFoundError
from support import Core

FILE = """\
$ORIGIN imp.example.
$TTL 300
@       SOA ns1 hostmaster 2999999999 3600 600 1209600 60
@       NS ns1
@       NS ns2.elsewhere.example.
@       MX 10 mail
ns1     A 192.0.2.53
mail    600 A 192.0.2.25
home    60 A 198.51.100.7
        60 AAAA 2001:db8::7
*.home  60 A 198.51.100.7
*.home  60 AAAA 2001:db8::7
_acme-challenge.home TXT "token"
www     CNAME home
_sip._tcp SRV 0 5 5060 sip.elsewhere.example.
home    RRSIG A 13 3 60 20300101000000 20200101000000 1 imp.example. AAAA
"""


def _records(snapshot: ZoneSnapshot) -> set[tuple[str, str, int, tuple[str, ...]]]:
    """The zone's records with its name replaced by ``@``, to compare two zones."""
    zone = snapshot.zone
    return {
        (
            r.name.replace(zone, "@"),
            r.rtype,
            r.ttl,
            tuple(sorted(d.replace(zone, "@") for d in r.rdatas)),
        )
        for r in snapshot.rrsets
        if r.rdatas
    }


async def _snapshot(core: Core, zone: str) -> ZoneSnapshot:
    async with core.store.read() as txn:
        found = await txn.zone_snapshot(zone)
    assert found is not None
    return found


def test_the_plan_makes_hosts_and_zone_records() -> None:
    plan = plan_import("imp.example.", read_master_file(FILE, zone="imp.example."))
    hosts = {h.fqdn: h for h in plan.hosts}
    assert sorted(hosts) == [
        "home.imp.example.",
        "mail.imp.example.",
        "ns1.imp.example.",
        "www.imp.example.",
    ]
    home = hosts["home.imp.example."]
    assert (home.ttl, home.wildcard) == (60, True)
    assert {(r.name, r.rtype) for r in home.rrsets} == {
        ("home.imp.example.", "A"),
        ("home.imp.example.", "AAAA"),
        ("*.home.imp.example.", "A"),
        ("*.home.imp.example.", "AAAA"),
        ("_acme-challenge.home.imp.example.", "TXT"),
    }
    assert hosts["mail.imp.example."].ttl == 600
    assert {(r.name, r.rtype) for r in plan.zone_rrsets} == {
        ("imp.example.", "MX"),
        ("_sip._tcp.imp.example.", "SRV"),
    }
    assert plan.apex is not None and plan.apex.serial == 2999999999
    assert plan.apex.nameservers == ("ns1.imp.example.", "ns2.elsewhere.example.")
    assert plan.skipped == {"RRSIG": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("$TTL 60\nchild NS ns1.child\nh A 192.0.2.1\n", "line 2: NS records for child"),
        ("$TTL 60\nh A 192.0.2.1\nh CNAME other\n", "line 2: h.imp.example. has a CNAME"),
        ("$TTL 60\nsub SOA a b 1 2 3 4 5\n", "line 2: a SOA record belongs"),
    ],
)
def test_the_plan_refuses_what_it_cannot_serve(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        plan_import("imp.example.", read_master_file(text, zone="imp.example."))


async def test_import_creates_the_zone_hosts_and_working_tokens(core: Core) -> None:
    await core.admin.add_user("alice", password=None)
    result = await ZoneFiles(store=core.store, origin="cli-test").import_text(
        "imp.example", FILE, owner="alice"
    )
    assert result.created_zone and result.skipped == {"RRSIG": 1}
    assert [fqdn for fqdn, _ in result.tokens] == [
        "ns1.imp.example.",
        "mail.imp.example.",
        "home.imp.example.",
        "www.imp.example.",
    ]
    zone = await core.store.find_zone("imp.example.")
    assert zone is not None and zone.serial >= 3000000000  # grows past the old primary's
    assert zone.nameservers == ("ns1.imp.example.", "ns2.elsewhere.example.")
    for fqdn, token in result.tokens:
        authn = await core.auth.token(token, source=None, front_door=FrontDoor.DUCKDNS)
        assert authn.outcome is AuthOutcome.OK
        assert authn.principal is not None and authn.principal.host == fqdn
    home = await core.store.find_host("home.imp.example.")
    assert home is not None and home.wildcard and home.owner == "alice"
    # The running writer follows the zone journal entry: the view gets the whole zone.
    await core.writer.sync()
    loaded = [e for e in core.events if isinstance(e, ZoneSnapshot) and e.zone == "imp.example."]
    assert loaded and ("home.imp.example.", "AAAA") in {
        (r.name, r.rtype) for r in loaded[-1].rrsets
    }
    assert loaded[-1].soa.serial == zone.serial


async def test_export_reimports_to_the_same_records_in_another_zone(core: Core) -> None:
    await core.admin.add_user("alice", password=None)
    files = ZoneFiles(store=core.store, origin="cli-test")
    await files.import_text("imp.example", FILE, owner="alice")
    exported = await files.export_text("imp.example")
    assert exported.splitlines()[1] == "$ORIGIN imp.example."
    moved = exported.replace("$ORIGIN imp.example.", "$ORIGIN two.example.")
    await files.import_text("two.example", moved, owner="alice")
    first, second = await _snapshot(core, "imp.example."), await _snapshot(core, "two.example.")
    assert _records(first) == _records(second)
    assert {r.name for r in second.rrsets if r.rtype == "CNAME"} == {"www.two.example."}
    assert next(r for r in second.rrsets if r.rtype == "CNAME").rdatas == ("home.two.example.",)


async def test_nothing_is_written_when_a_name_exists(core: Core) -> None:
    await core.admin.add_zone("imp.example")
    await core.admin.add_user("alice", password=None)
    await core.admin.add_host("www.imp.example", owner="alice")
    before = await _snapshot(core, "imp.example.")
    with pytest.raises(ConflictError, match=r"www.imp.example. \(line 14\)"):
        await ZoneFiles(store=core.store, origin="t").import_text(
            "imp.example", FILE, owner="alice"
        )
    after = await _snapshot(core, "imp.example.")
    assert (after.soa.serial, after.rrsets) == (before.soa.serial, before.rrsets)
    assert [h.fqdn for h in await core.store.hosts()] == ["www.imp.example."]


async def test_nothing_is_written_on_a_syntax_error_or_an_unknown_owner(core: Core) -> None:
    files = ZoneFiles(store=core.store, origin="t")
    await core.admin.add_user("alice", password=None)
    broken = FILE.replace("mail    600 A 192.0.2.25", "mail    600 A 192.0.2.256")
    with pytest.raises(InputError, match="line 8"):
        await files.import_text("imp.example", broken, owner="alice")
    with pytest.raises(NotFoundError, match="no user bob"):
        await files.import_text("imp.example", FILE, owner="bob")
    assert await core.store.zones() == []
    assert await core.store.hosts() == []


async def test_a_zone_inside_the_imported_one_keeps_its_names(core: Core) -> None:
    await core.admin.add_zone("sub.imp.example")
    await core.admin.add_user("alice", password=None)
    with pytest.raises(ConflictError, match="overlaps"):
        await ZoneFiles(store=core.store, origin="t").import_text(
            "imp.example", "$TTL 60\nh.sub A 192.0.2.1\n", owner="alice"
        )
    assert [z.name for z in await core.store.zones()] == ["sub.imp.example."]

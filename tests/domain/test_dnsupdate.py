"""RFC 2136 semantics without a server: prescan, each prerequisite, each kind of update."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from homing.domain.dnsupdate import UpdateRcode, UpdateRR, plan, prescan
from homing.domain.records import RRset

ZONE = "dyn.example."
HOME = "home.dyn.example."
CURRENT = {
    (HOME, "A"): RRset(HOME, "A", 60, ("192.0.2.1",)),
    (HOME, "TXT"): RRset(HOME, "TXT", 60, ('"hello"',)),
    ("alias.dyn.example.", "CNAME"): RRset("alias.dyn.example.", "CNAME", 60, (HOME,)),
}


def add(name: str, rtype: str, rdata: str, ttl: int = 300) -> UpdateRR:
    return UpdateRR(name, rtype, "IN", ttl, rdata)


def delete_rrset(name: str, rtype: str) -> UpdateRR:
    return UpdateRR(name, rtype, "ANY", 0, None)


def delete_rr(name: str, rtype: str, rdata: str) -> UpdateRR:
    return UpdateRR(name, rtype, "NONE", 0, rdata)


def changed(*updates: UpdateRR, prerequisites: tuple[UpdateRR, ...] = ()) -> dict[str, RRset]:
    result = plan(ZONE, prerequisites, updates, CURRENT)
    assert result.rcode is UpdateRcode.NOERROR, result.rcode
    return {f"{r.name} {r.rtype}": r for r in result.changes}


def rcode(*prerequisites: UpdateRR) -> UpdateRcode:
    return plan(ZONE, prerequisites, [add(HOME, "A", "192.0.2.9")], CURRENT).rcode


def test_add_to_an_rrset_takes_the_new_ttl() -> None:
    result = changed(add(HOME, "A", "192.0.2.2"))
    assert result == {f"{HOME} A": RRset(HOME, "A", 300, ("192.0.2.1", "192.0.2.2"))}


def test_adding_an_existing_record_changes_nothing() -> None:
    assert changed(add(HOME, "A", "192.0.2.1", ttl=60)) == {}


def test_replace_is_delete_then_add() -> None:
    result = changed(delete_rrset(HOME, "A"), add(HOME, "A", "198.51.100.7"))
    assert result[f"{HOME} A"].rdatas == ("198.51.100.7",)


def test_delete_rrset_rr_and_name() -> None:
    assert changed(delete_rrset(HOME, "TXT"))[f"{HOME} TXT"].rdatas == ()
    assert changed(delete_rr(HOME, "A", "192.0.2.1"))[f"{HOME} A"].rdatas == ()
    assert changed(delete_rr(HOME, "A", "203.0.113.1")) == {}
    everything = changed(UpdateRR(HOME, "ANY", "ANY", 0, None))
    assert {k: v.rdatas for k, v in everything.items()} == {f"{HOME} A": (), f"{HOME} TXT": ()}


def test_cname_never_joins_other_data() -> None:
    assert changed(add(HOME, "CNAME", "elsewhere.example.")) == {}
    assert changed(add("alias.dyn.example.", "A", "192.0.2.5")) == {}
    replaced = changed(add("alias.dyn.example.", "CNAME", "other.example."))
    assert replaced["alias.dyn.example. CNAME"].rdatas == ("other.example.",)


def test_updates_apply_in_message_order() -> None:
    result = changed(add(HOME, "A", "192.0.2.7"), delete_rrset(HOME, "A"))
    assert result[f"{HOME} A"].rdatas == ()
    result = changed(delete_rrset(HOME, "A"), add(HOME, "A", "192.0.2.7"))
    assert result[f"{HOME} A"].rdatas == ("192.0.2.7",)


def test_each_prerequisite_kind() -> None:
    missing = "missing.dyn.example."
    assert rcode(UpdateRR(HOME, "ANY", "ANY", 0, None)) is UpdateRcode.NOERROR
    assert rcode(UpdateRR(missing, "ANY", "ANY", 0, None)) is UpdateRcode.NXDOMAIN
    assert rcode(UpdateRR(HOME, "A", "ANY", 0, None)) is UpdateRcode.NOERROR
    assert rcode(UpdateRR(HOME, "AAAA", "ANY", 0, None)) is UpdateRcode.NXRRSET
    assert rcode(UpdateRR(missing, "ANY", "NONE", 0, None)) is UpdateRcode.NOERROR
    assert rcode(UpdateRR(HOME, "ANY", "NONE", 0, None)) is UpdateRcode.YXDOMAIN
    assert rcode(UpdateRR(HOME, "AAAA", "NONE", 0, None)) is UpdateRcode.NOERROR
    assert rcode(UpdateRR(HOME, "A", "NONE", 0, None)) is UpdateRcode.YXRRSET
    assert rcode(UpdateRR(HOME, "A", "IN", 0, "192.0.2.1")) is UpdateRcode.NOERROR
    assert rcode(UpdateRR(HOME, "A", "IN", 0, "192.0.2.2")) is UpdateRcode.NXRRSET
    # Value-dependent: the whole RRset must match, not just contain.
    assert (
        rcode(UpdateRR(HOME, "A", "IN", 0, "192.0.2.1"), UpdateRR(HOME, "A", "IN", 0, "192.0.2.2"))
        is UpdateRcode.NXRRSET
    )


def test_failed_prerequisite_changes_nothing() -> None:
    result = plan(
        ZONE,
        [UpdateRR(HOME, "AAAA", "ANY", 0, None)],
        [add(HOME, "A", "192.0.2.9")],
        CURRENT,
    )
    assert result.rcode is UpdateRcode.NXRRSET
    assert result.changes == ()


def test_prescan() -> None:
    outside = "www.example.org."
    assert prescan(ZONE, [], [add(outside, "A", "192.0.2.1")]) is UpdateRcode.NOTZONE
    assert prescan(ZONE, [UpdateRR(outside, "ANY", "ANY", 0, None)], []) is UpdateRcode.NOTZONE
    assert prescan(ZONE, [UpdateRR(HOME, "A", "ANY", 5, None)], []) is UpdateRcode.FORMERR
    assert prescan(ZONE, [UpdateRR(HOME, "A", "CH", 0, None)], []) is UpdateRcode.FORMERR
    assert prescan(ZONE, [], [add(HOME, "AXFR", "x")]) is UpdateRcode.FORMERR
    assert prescan(ZONE, [], [UpdateRR(HOME, "A", "ANY", 60, None)]) is UpdateRcode.FORMERR
    assert prescan(ZONE, [], [UpdateRR(HOME, "ANY", "NONE", 0, "x")]) is UpdateRcode.FORMERR
    assert prescan(ZONE, [], [UpdateRR(HOME, "A", "HS", 0, None)]) is UpdateRcode.FORMERR
    assert prescan(ZONE, [], [add(ZONE, "NS", "ns9.example.")]) is UpdateRcode.REFUSED
    assert prescan(ZONE, [], [delete_rrset(ZONE, "SOA")]) is UpdateRcode.REFUSED
    assert prescan(ZONE, [], [add(HOME, "A", "192.0.2.1")]) is None


NAMES = st.sampled_from([HOME, "alias.dyn.example.", "new.dyn.example.", ZONE])
TYPES = st.sampled_from(["A", "TXT", "CNAME", "ANY", "SOA"])
CLASSES = st.sampled_from(["IN", "ANY", "NONE", "CH"])
RDATA = st.one_of(st.none(), st.sampled_from(["192.0.2.1", "192.0.2.5", '"hello"', HOME]))
RRS = st.builds(UpdateRR, NAMES, TYPES, CLASSES, st.sampled_from([0, 60]), RDATA)


@given(prerequisites=st.lists(RRS, max_size=4), updates=st.lists(RRS, max_size=6))
def test_any_message_gets_an_rcode_and_consistent_changes(
    prerequisites: list[UpdateRR], updates: list[UpdateRR]
) -> None:
    result = plan(ZONE, prerequisites, updates, CURRENT)
    if result.rcode is not UpdateRcode.NOERROR:
        assert result.changes == ()
        return
    for rrset in result.changes:
        assert rrset.name != ZONE or rrset.rtype not in {"SOA", "NS"}
        assert len(set(rrset.rdatas)) == len(rrset.rdatas)
        if rrset.rtype == "CNAME":
            assert len(rrset.rdatas) <= 1

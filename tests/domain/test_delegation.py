"""domain/delegation.py: each way a delegation goes wrong gives its own finding, with a fix."""

from __future__ import annotations

from homing.domain.delegation import (
    ParentView,
    Probe,
    Severity,
    judge_delegation,
    judge_probes,
)

ZONE = "dyn.example."
NS1, NS2 = "ns1.dyn.example.", "ns2.dyn.example."
ADDRESSES = {NS1: frozenset({"192.0.2.1"}), NS2: frozenset({"192.0.2.2"})}


def _judge(parent: ParentView, ours: tuple[str, ...] = (NS1,)) -> list[tuple[Severity, str]]:
    findings = judge_delegation(zone=ZONE, ours=ours, parent=parent, zone_addresses=ADDRESSES)
    assert all(f.fix for f in findings if f.severity is not Severity.OK)
    return [(f.severity, f.message) for f in findings]


def test_a_correct_delegation_is_all_ok() -> None:
    parent = ParentView(nameservers=(NS1,), glue={NS1: frozenset({"192.0.2.1"})})
    assert _judge(parent) == [
        (Severity.OK, f"the parent lists the zone's name servers ({NS1})"),
        (Severity.OK, f"glue for {NS1} matches the zone (192.0.2.1)"),
    ]


def test_missing_extra_and_wrong_glue() -> None:
    parent = ParentView(
        nameservers=(NS1, "ns.other.example."), glue={NS1: frozenset({"192.0.2.9"})}
    )
    assert _judge(parent, ours=(NS1, NS2)) == [
        (Severity.WARN, f"{NS2} is in the zone's NS but the parent does not list it"),
        (Severity.WARN, "the parent lists ns.other.example., which the zone's NS does not"),
        (
            Severity.FAIL,
            f"wrong glue for {NS1}: the parent says 192.0.2.9, the zone says 192.0.2.1",
        ),
    ]


def test_missing_glue_and_missing_address() -> None:
    parent = ParentView(nameservers=(NS1, "ns3.dyn.example."))
    judged = _judge(parent, ours=(NS1, "ns3.dyn.example."))
    assert (Severity.FAIL, f"the parent has no glue for {NS1}") in judged
    assert (Severity.FAIL, "ns3.dyn.example. is inside the zone but has no address in it") in judged


def test_no_delegation_says_what_to_register() -> None:
    [finding] = judge_delegation(
        zone=ZONE, ours=(NS1,), parent=ParentView(error="NXDOMAIN"), zone_addresses=ADDRESSES
    )
    assert finding.severity is Severity.FAIL
    assert f"add NS {NS1} with glue {NS1} 192.0.2.1" in finding.fix


def test_probes_lame_no_tcp_and_behind() -> None:
    probes = [
        Probe(nameserver=NS1, address="192.0.2.1", udp_problem=None, tcp_problem=None, serial=7),
        Probe(
            nameserver=NS2,
            address="192.0.2.2",
            udp_problem="answers REFUSED",
            tcp_problem="answers REFUSED",
            serial=None,
        ),
        Probe(
            nameserver=NS2,
            address="2001:db8::2",
            udp_problem=None,
            tcp_problem="does not answer",
            serial=7,
        ),
        Probe(
            nameserver="ns.b.example.",
            address="192.0.2.3",
            udp_problem=None,
            tcp_problem=None,
            serial=5,
        ),
    ]
    lines = [f.line() for f in judge_probes(zone=ZONE, serial=7, probes=probes)]
    assert lines[0].startswith(f"OK   name server {NS1} (192.0.2.1): answers for {ZONE}")
    assert lines[1].startswith(f"FAIL name server {NS2} (192.0.2.2): lame for {ZONE}: over UDP")
    assert lines[2].startswith(f"FAIL name server {NS2} (192.0.2.2): over TCP it answers REFUSED")
    assert lines[3].startswith(f"FAIL name server {NS2} (2001:db8::2): over TCP it does not answer")
    assert lines[4].startswith("WARN name server ns.b.example. (192.0.2.3): serves serial 5")
    assert len(lines) == 5

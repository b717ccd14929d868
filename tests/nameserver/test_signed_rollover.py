"""A key rollover never leaves a moment where a validating resolver fails.

The zone is served as it is in each phase of a rollover (``homing.dnssec.
rollover``). In each phase a resolver may hold any DS the parent published
then or earlier and still cached, the DNSKEY set of this phase or the one
before, and answers of this phase or the one before (or older ones, while
the old key is still published). Every such combination must validate: the
DNSKEY set through a key its DS names, each answer through that DNSKEY set.
The negative twin, a naive swap of keys in one step, must fail the same check.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.dnssec
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

from homing.dnssec import keys
from homing.domain.records import RRset, SOAFields, ZoneSigning, ZoneSnapshot
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine

from .test_signed_answers import _ask, _validated

ZONE = "dyn.example."
ORIGIN = dns.name.from_text(ZONE)
OLD = keys.generate(ORIGIN, keys.Algorithm.ECDSAP256SHA256)
NEW = keys.generate(ORIGIN, keys.Algorithm.ED25519)
QUESTIONS = (("home.dyn.example.", "A"), ("nobody.dyn.example.", "A"), (ZONE, "SOA"))


def _signing(first: keys.ZoneKey, *others: keys.ZoneKey) -> ZoneSigning:
    def one(key: keys.ZoneKey) -> ZoneSigning:
        return ZoneSigning(int(key.algorithm), key.private_pem())

    return ZoneSigning(int(first.algorithm), first.private_pem(), tuple(one(k) for k in others))


@dataclass(frozen=True)
class Served:
    """What a resolver can fetch in one phase: the DNSKEY set with its RRSIG, and answers."""

    name: str
    dnskey: dns.rrset.RRset
    dnskey_rrsig: dns.rrset.RRset
    cds_tags: set[int]
    answers: list[dns.message.Message]


def _serve(name: str, signing: ZoneSigning, serial: int) -> Served:
    view = CompiledView()
    view.apply(
        ZoneSnapshot(
            zone=ZONE,
            soa=SOAFields(mname="ns1.dyn.example.", rname="h.dyn.example.", serial=serial),
            nameservers=("ns1.dyn.example.",),
            ns_ttl=3600,
            rrsets=(RRset("home.dyn.example.", "A", 60, ("192.0.2.1",)),),
            signing=signing,
        )
    )
    engine = Engine(view)
    apex = _ask(engine, ZONE, "DNSKEY")
    cds = _ask(engine, ZONE, "CDS")
    return Served(
        name=name,
        dnskey=apex.find_rrset(apex.answer, ORIGIN, 1, dns.rdatatype.DNSKEY),
        dnskey_rrsig=apex.find_rrset(
            apex.answer, ORIGIN, 1, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY
        ),
        cds_tags={rdata.key_tag for rdata in cds.answer[0]},
        answers=[_ask(engine, qname, qtype) for qname, qtype in QUESTIONS],
    )


def _trusted(ds: keys.ZoneKey, served: Served) -> bool:
    """The resolver's DS names a key of the DNSKEY set, and that key signed the set."""
    named = [k for k in served.dnskey if k == ds.dnskey]
    if not named:
        return False
    try:
        dns.dnssec.validate(
            served.dnskey, served.dnskey_rrsig, {ORIGIN: dns.rrset.from_rdata(ORIGIN, 1, *named)}
        )
    except dns.dnssec.ValidationFailure:
        return False
    return True


def _failures(phases: list[tuple[Served, set[keys.ZoneKey]]], old_answers_until: int) -> list[str]:
    """Every (phase, DS, DNSKEY set, answers) a resolver may meet that does not validate.

    ``old_answers_until``: the last phase in which answers from before the
    rollover may still be cached (the rollover waits the zone's largest TTL).
    """
    failed: list[str] = []
    for at, (served, ds_held) in enumerate(phases):
        dnskey_sets = [phases[max(at - 1, 0)][0], served]
        answer_sets = {id(p): p for p, _ in phases[max(at - 1, 0) : at + 1]}
        if at <= old_answers_until:
            answer_sets[id(phases[0][0])] = phases[0][0]
        for ds in ds_held:
            for apex in dnskey_sets:
                if not _trusted(ds, apex):
                    failed.append(f"{served.name}: DS {ds.key_tag} and {apex.name}'s DNSKEY")
                    continue
                keyring = {ORIGIN: apex.dnskey}
                for answers in answer_sets.values():
                    for response in answers.answers:
                        try:
                            _validated(response, keyring)
                        except dns.dnssec.ValidationFailure:
                            failed.append(
                                f"{served.name}: DS {ds.key_tag}, {apex.name}'s DNSKEY, "
                                f"{answers.name}'s answer {response.question[0].name}"
                            )
    return failed


def test_every_moment_of_a_rollover_validates_with_either_ds() -> None:
    before = _serve("before", _signing(OLD), 1)
    publish = _serve("publish", _signing(OLD, NEW), 2)
    submit = _serve("submit", _signing(NEW, OLD), 3)
    after = _serve("after", _signing(NEW), 4)
    # CDS names the old key until the new one is in every cache, then the new one only.
    assert [p.cds_tags for p in (before, publish, submit, after)] == [
        {OLD.key_tag},
        {OLD.key_tag},
        {NEW.key_tag},
        {NEW.key_tag},
    ]
    assert {len(p.dnskey) for p in (publish, submit)} == {2}
    phases = [
        (before, {OLD}),
        (publish, {OLD}),
        # The parent may move the DS any time now; resolvers keep the old one for its TTL
        # (the retire phase serves what submit serves, so it is the same row here).
        (submit, {OLD, NEW}),
        (after, {NEW}),
    ]
    assert _failures(phases, old_answers_until=2) == []


def test_a_naive_swap_of_keys_fails_the_same_check() -> None:
    """The negative twin: without a phase where both keys are served, a resolver breaks."""
    before = _serve("before", _signing(OLD), 1)
    after = _serve("after", _signing(NEW), 2)
    failures = _failures([(before, {OLD}), (after, {OLD, NEW})], old_answers_until=1)
    assert f"after: DS {OLD.key_tag} and after's DNSKEY" in failures
    assert any("before's answer" in f for f in failures)

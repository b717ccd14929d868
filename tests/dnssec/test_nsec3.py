"""The NSEC3 chain and its proofs; a whole signed zone checked by ldns-verify-zone and
dnssec-verify, and a tampered one refused by both (the twin that proves they can fail)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rrset
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homing.dnssec import keys, nsec3
from homing.dnssec.zone import chain_of, names_with_ancestors, sign_zone
from support import require_tool

ZONE = dns.name.from_text("dyn.example.")
NOW = 1_790_000_000
SOA = "ns1.dyn.example. hostmaster.dyn.example. 7 900 300 604800 30"
LABELS = ("home", "nas", "a", "b", "www", "*", "x1", "deep")


def _name(labels: tuple[str, ...]) -> dns.name.Name:
    return dns.name.Name((*(label.encode() for label in labels), *ZONE.labels))


names = st.lists(
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=3).map(tuple), max_size=12
).map(lambda found: {_name(labels) for labels in found})


def _between(low: bytes, value: bytes, high: bytes) -> bool:
    """``value`` lies strictly inside the cyclic interval (low, high) of the chain."""
    if low < high:
        return low < value < high
    return value > low or value < high


def test_hashes_are_rfc_5155_hashes() -> None:
    for text in ("dyn.example.", "home.dyn.example.", "*.dyn.example.", "A.B.dyn.example."):
        name = dns.name.from_text(text)
        owner = nsec3.hashed_owner(nsec3.hash_name(name), ZONE)
        expected = dns.dnssec.nsec3_hash(name, None, 0, 1).lower()
        assert owner.labels[0].decode() == expected


@settings(max_examples=80, deadline=None)
@given(held=names, asked=st.lists(st.sampled_from(LABELS), min_size=1, max_size=4))
def test_the_chain_links_every_node_and_covers_every_other_name(
    held: set[dns.name.Name], asked: list[str]
) -> None:
    chain = chain_of(ZONE, [dns.rrset.from_text(n, 60, "IN", "A", "192.0.2.1") for n in held], 30)
    nodes = names_with_ancestors(ZONE, held)
    assert len(chain) == len(nodes)
    digests = chain.hashes()
    assert digests == sorted(digests)
    for at, digest in enumerate(digests):
        record = next(iter(chain.record(digest)))
        assert record.next == digests[(at + 1) % len(digests)]
    qname = _name(tuple(asked))
    if qname in nodes:
        assert chain.nodata(qname) == [nsec3.hash_name(qname)]
        return
    encloser, closer = chain.closest_encloser(qname)
    assert encloser in nodes and closer not in nodes and closer.parent() == encloser
    proof = chain.nxdomain(qname)
    assert proof[0] == nsec3.hash_name(encloser)
    covering = chain.covering(closer)
    assert covering in proof
    following = digests[(digests.index(covering) + 1) % len(digests)]
    if len(digests) > 1:
        assert _between(covering, nsec3.hash_name(closer), following)


def test_a_change_reports_only_the_records_it_alters() -> None:
    chain = nsec3.Chain(ZONE, 30)
    chain.put(ZONE, {6, 2})
    home = _name(("home",))
    changed = chain.put(home, {1})
    assert nsec3.hash_name(home) in changed and len(changed) == 2
    assert chain.put(home, {1}) == set()
    assert chain.put(home, {1, 28}) == {nsec3.hash_name(home)}
    assert chain.remove(home) == {nsec3.hash_name(ZONE)}
    assert chain.remove(home) == set()
    assert len(chain) == 1


def _signed_zone_file(folder: Path, key: keys.ZoneKey, *, tamper: bool = False) -> Path:
    texts = [
        (
            "dyn.example.",
            3600,
            "SOA",
            "ns1.dyn.example. hostmaster.dyn.example. 7 900 300 604800 30",
        ),
        ("dyn.example.", 3600, "NS", "ns1.dyn.example."),
        ("ns1.dyn.example.", 3600, "A", "192.0.2.53"),
        ("home.dyn.example.", 60, "A", "192.0.2.1"),
        ("home.dyn.example.", 60, "AAAA", "2001:db8::1"),
        ("nas.office.dyn.example.", 60, "A", "192.0.2.2"),
        ("*.wild.dyn.example.", 60, "TXT", '"anything"'),
        ("_acme-challenge.home.dyn.example.", 60, "TXT", '"token"'),
    ]
    rrsets = [dns.rrset.from_text(n, ttl, "IN", t, v) for n, ttl, t, v in texts]
    signed = sign_zone(rrsets, key, now=int(time.time()))
    if tamper:
        signed = [
            dns.rrset.from_text("home.dyn.example.", 60, "IN", "A", "192.0.2.66")
            if r.name == dns.name.from_text("home.dyn.example.") and r.rdtype == 1
            else r
            for r in signed
        ]
    path = folder / ("tampered.zone" if tamper else "signed.zone")
    path.write_text("".join(r.to_text() + "\n" for r in signed))
    return path


def _verify(tool: str, path: Path) -> subprocess.CompletedProcess[str]:
    args = {
        "ldns-verify-zone": [require_tool("ldns-verify-zone"), str(path)],
        "dnssec-verify": [require_tool("dnssec-verify"), "-o", "dyn.example", "-x", str(path)],
    }[tool]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("tool", ["ldns-verify-zone", "dnssec-verify"])
@pytest.mark.parametrize("algorithm", list(keys.Algorithm))
def test_a_signed_zone_verifies_and_a_tampered_one_does_not(
    tmp_path: Path, tool: str, algorithm: keys.Algorithm
) -> None:
    key = keys.generate(ZONE, algorithm)
    good = _verify(tool, _signed_zone_file(tmp_path, key))
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _verify(tool, _signed_zone_file(tmp_path, key, tamper=True))
    assert bad.returncode != 0, bad.stdout + bad.stderr

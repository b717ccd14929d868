"""Zone keys and RRSIGs, held to dnspython's own validator, with their negative twins."""

from __future__ import annotations

import ipaddress

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homing.dnssec import keys
from homing.dnssec.signer import (
    INCEPTION_SKEW_SECONDS,
    VALIDITY_SECONDS,
    Unsigned,
    needs_refresh,
    sign,
)
from homing.errors import InputError

ZONE = dns.name.from_text("dyn.example.")
NOW = 1_790_000_000
KEYS = {algorithm: keys.generate(ZONE, algorithm) for algorithm in keys.Algorithm}


def _keyring(key: keys.ZoneKey) -> dict[dns.name.Name, dns.rrset.RRset]:
    return {ZONE: dns.rrset.from_rdata(ZONE, 3600, key.dnskey)}


@st.composite
def rrsets(draw: st.DrawFn) -> dns.rrset.RRset:
    label = draw(st.sampled_from(("home", "NaS", "*", "a.B", "_acme-challenge")))
    name = dns.name.from_text(label, ZONE)
    rtype = draw(st.sampled_from(("A", "AAAA", "TXT", "MX", "CNAME", "SOA")))
    count = draw(st.integers(1, 4)) if rtype not in ("CNAME", "SOA") else 1
    target = draw(st.sampled_from(("Mail.dyn.example.", "mx.other.ORG.", "home.dyn.example.")))
    if rtype == "MX":
        values = [f"{n * 10} {n}{target}" for n in range(count)]
    elif rtype == "CNAME":
        values = [target]
    elif rtype == "SOA":
        values = [f"{target} Host.{target} {draw(st.integers(0, 2**32 - 1))} 3600 600 86400 30"]
    elif rtype == "A":
        values = [str(ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1)))) for _ in range(count)]
    elif rtype == "AAAA":
        values = [
            str(ipaddress.IPv6Address(draw(st.integers(0, 2**128 - 1)))) for _ in range(count)
        ]
    else:
        values = [f'"{draw(st.text("abc xyz=", max_size=80))}"' for _ in range(count)]
    return dns.rrset.from_text_list(name, draw(st.integers(0, 86400)), "IN", rtype, values)


@settings(max_examples=60, deadline=None)
@given(rrset=rrsets(), algorithm=st.sampled_from(list(keys.Algorithm)))
def test_every_signature_validates_with_the_zone_key(
    rrset: dns.rrset.RRset, algorithm: keys.Algorithm
) -> None:
    key = KEYS[algorithm]
    rrsig = sign(rrset, key, now=NOW)
    dns.dnssec.validate(rrset, rrsig, _keyring(key), now=NOW)
    # A validator whose clock is behind by less than the inception skew still accepts it.
    dns.dnssec.validate(rrset, rrsig, _keyring(key), now=NOW - INCEPTION_SKEW_SECONDS + 60)


@settings(max_examples=60, deadline=None)
@given(rrset=rrsets(), algorithm=st.sampled_from(list(keys.Algorithm)))
def test_signatures_are_dnspythons_to_the_byte(
    rrset: dns.rrset.RRset, algorithm: keys.Algorithm
) -> None:
    """``sign`` packs the signed data itself; dnspython's ``sign`` is the reference."""
    key = KEYS[algorithm]
    (ours,) = sign(rrset, key, now=NOW)
    reference = dns.dnssec.sign(
        rrset,
        key.private,
        ZONE,
        key.dnskey,
        inception=NOW - INCEPTION_SKEW_SECONDS,
        expiration=NOW + VALIDITY_SECONDS,
    )
    assert ours.to_wire() == reference.to_wire()
    unsigned = Unsigned.of(rrset)
    (again,) = sign(unsigned, key, now=NOW)
    assert again == ours


@pytest.mark.parametrize("algorithm", list(keys.Algorithm))
def test_a_changed_rrset_or_another_key_fails_validation(algorithm: keys.Algorithm) -> None:
    key = KEYS[algorithm]
    rrset = dns.rrset.from_text("home.dyn.example.", 60, "IN", "A", "192.0.2.1")
    rrsig = sign(rrset, key, now=NOW)
    forged = dns.rrset.from_text("home.dyn.example.", 60, "IN", "A", "192.0.2.66")
    with pytest.raises(dns.dnssec.ValidationFailure):
        dns.dnssec.validate(forged, rrsig, _keyring(key), now=NOW)
    other = keys.generate(ZONE, algorithm)
    with pytest.raises(dns.dnssec.ValidationFailure):
        dns.dnssec.validate(rrset, rrsig, _keyring(other), now=NOW)


def test_signatures_are_deterministic_and_refreshed_a_week_before_expiry() -> None:
    key = KEYS[keys.Algorithm.ECDSAP256SHA256]
    rrset = dns.rrset.from_text("home.dyn.example.", 60, "IN", "A", "192.0.2.1")
    assert sign(rrset, key, now=NOW) == sign(rrset, key, now=NOW)
    rrsig = sign(rrset, key, now=NOW)
    assert not needs_refresh(rrsig, now=NOW + 6 * 86400)
    assert needs_refresh(rrsig, now=NOW + 8 * 86400)


@pytest.mark.parametrize("algorithm", list(keys.Algorithm))
def test_key_round_trip_ds_and_cds(algorithm: keys.Algorithm) -> None:
    key = KEYS[algorithm]
    again = keys.ZoneKey.from_pem(ZONE, algorithm, key.private_pem())
    assert again.dnskey == key.dnskey
    assert again.key_tag == key.key_tag
    assert key.dnskey.flags == keys.CSK_FLAGS
    ds = key.ds()
    assert ds == dns.dnssec.make_ds(ZONE, key.dnskey, "SHA256")
    assert key.cds().to_text() == ds.to_text()
    line = keys.ds_line(key, 3600)
    assert line.startswith(f"dyn.example. 3600 IN DS {key.key_tag} {int(algorithm)} 2 ")
    digest = line.rsplit(" ", 1)[1]
    assert digest == digest.upper() and len(digest) == 64
    assert dns.rrset.from_text("dyn.example.", 3600, "IN", "DS", line.split(" IN DS ")[1])
    assert keys.dnskey_line(key, 3600).startswith("dyn.example. 3600 IN DNSKEY 257 3 ")


def test_a_stored_key_of_the_wrong_algorithm_is_refused() -> None:
    pem = KEYS[keys.Algorithm.ED25519].private_pem()
    with pytest.raises(ValueError, match="does not match"):
        keys.ZoneKey.from_pem(ZONE, keys.Algorithm.ECDSAP256SHA256, pem)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ecdsap256sha256", keys.Algorithm.ECDSAP256SHA256),
        ("ED25519", keys.Algorithm.ED25519),
        ("13", keys.Algorithm.ECDSAP256SHA256),
    ],
)
def test_algorithm_names(text: str, expected: keys.Algorithm) -> None:
    assert keys.Algorithm.parse(text) is expected


def test_an_unknown_algorithm_is_one_clear_line() -> None:
    with pytest.raises(InputError, match="use one of: ecdsap256sha256, ed25519"):
        keys.Algorithm.parse("rsasha1")

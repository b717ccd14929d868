"""Response rate limiting: who counts as one network, how many answers pass, what slips."""

from __future__ import annotations

import ipaddress
import sys

import dns.flags
import dns.message
import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.nameserver.ratelimit import (
    DROP,
    SEND,
    SLIP,
    RateLimitSettings,
    ResponseRateLimit,
    truncated,
)


def limiter(rate: int = 5, slip: int = 2, **prefixes: int) -> ResponseRateLimit:
    limit = ResponseRateLimit(RateLimitSettings(rate=rate, slip=slip, **prefixes))
    limit.tick(100)
    return limit


def test_a_network_gets_its_rate_then_slips_and_drops() -> None:
    limit = limiter(rate=5, slip=2)
    verdicts = [limit.check("192.0.2.7") for _ in range(11)]
    assert verdicts == [SEND] * 5 + [DROP, SLIP, DROP, SLIP, DROP, SLIP]
    assert (limit.dropped, limit.slipped) == (3, 3)


def test_the_same_slash_24_shares_one_budget_and_another_does_not() -> None:
    limit = limiter(rate=2)
    assert [limit.check(f"198.51.100.{i}") for i in (1, 2, 3)] == [SEND, SEND, DROP]
    assert limit.check("198.51.101.1") == SEND


def test_ipv6_networks_are_slash_56_by_default() -> None:
    limit = limiter(rate=1, slip=0)
    assert limit.check("2001:db8:0:100::1") == SEND
    assert limit.check("2001:db8:0:1ff::2") == DROP  # same /56
    assert limit.check("2001:db8:0:200::1") == SEND  # the next /56


def packed(host: str) -> bytes:
    return ipaddress.ip_address(host).packed


def test_other_prefix_lengths() -> None:
    limit = limiter(rate=1, slip=0, ipv4_prefix=20, ipv6_prefix=60)
    network = limit.network
    assert network(packed("10.1.2.3")) == network(packed("10.1.15.1"))
    assert network(packed("10.1.2.3")) != network(packed("10.1.16.1"))
    assert network(packed("2001:db8::1")) == network(packed("2001:db8:0:f::1"))
    assert network(packed("2001:db8::1")) != network(packed("2001:db8:0:10::1"))
    assert [limit.check("10.1.2.3"), limit.check("10.1.15.9")] == [SEND, DROP]


@given(
    st.ip_addresses(),
    st.integers(min_value=1, max_value=32),
    st.integers(min_value=1, max_value=128),
)
def test_the_network_is_the_address_under_its_prefix(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, v4_bits: int, v6_bits: int
) -> None:
    limit = limiter(ipv4_prefix=v4_bits, ipv6_prefix=v6_bits)
    bits = v4_bits if address.version == 4 else v6_bits
    expected = ipaddress.ip_network(f"{address}/{bits}", strict=False).network_address.packed
    key = limit.network(address.packed)
    if address.version == 4:
        # The address as the kernel's sockaddr holds it, read as a word of this machine.
        assert key == int.from_bytes(expected, sys.byteorder)
    else:
        assert key == expected or (bits % 8 == 0 and key == expected[: bits // 8])


def test_the_two_families_never_share_a_network() -> None:
    limit = limiter(rate=1, slip=0, ipv4_prefix=24, ipv6_prefix=24)
    assert limit.check("32.1.13.1") == SEND
    assert limit.check("2001:d00::1") == SEND


def test_a_new_second_starts_a_new_budget() -> None:
    limit = limiter(rate=1, slip=0)
    assert [limit.check("192.0.2.1") for _ in range(2)] == [SEND, DROP]
    limit.tick(100)
    assert limit.check("192.0.2.1") == DROP
    limit.tick(101)
    assert limit.check("192.0.2.1") == SEND


def test_the_slip_answer_is_the_question_with_tc_and_no_records() -> None:
    query = dns.message.make_query("home.ddns.test.", "A", use_edns=0)
    wire = query.to_wire()
    reply = truncated(wire)
    assert reply is not None
    parsed = dns.message.from_wire(reply)
    assert parsed.id == query.id
    assert parsed.flags & dns.flags.QR and parsed.flags & dns.flags.TC
    assert parsed.flags & dns.flags.RD
    assert parsed.question == query.question
    assert not parsed.answer and not parsed.authority and not parsed.additional
    assert len(reply) <= len(wire)


@pytest.mark.parametrize(
    "wire", [b"", b"\x00" * 12, b"\x00" * 4 + b"\x00\x02" + b"\x00" * 6 + b"\x00\x00\x01\x00\x01"]
)
def test_no_slip_answer_for_what_is_no_single_question(wire: bytes) -> None:
    assert truncated(wire) is None


@given(st.binary(max_size=600))
def test_the_slip_answer_never_raises_and_never_grows(data: bytes) -> None:
    reply = truncated(data)
    assert reply is None or len(reply) <= len(data)


POOL_V4 = [
    ipaddress.IPv4Address(a).packed for a in ("192.0.2.1", "192.0.2.200", "192.0.3.1", "10.1.2.3")
]
POOL_V6 = [
    ipaddress.IPv6Address(a).packed
    for a in ("2001:db8::1", "2001:db8:0:ff::1", "2001:db8:1::1", "::ffff:192.0.2.1")
]


@given(
    st.integers(1, 6),
    st.integers(0, 3),
    st.sampled_from([0, 8, 22, 24, 32]),
    st.sampled_from([0, 32, 48, 56, 60, 64, 128]),
    st.booleans(),
    st.lists(st.lists(st.integers(0, 3), max_size=20), max_size=8),
)
def test_a_batch_gets_the_verdicts_one_answer_at_a_time_gets(
    rate: int, slip: int, v4: int, v6: int, ipv6: bool, batches: list[list[int]]
) -> None:
    """``check_networks`` (the workers' batch) against ``check_packed`` answer by answer."""
    pool = POOL_V6 if ipv6 else POOL_V4
    batched = limiter(rate=rate, slip=slip, ipv4_prefix=v4, ipv6_prefix=v6)
    one_by_one = limiter(rate=rate, slip=slip, ipv4_prefix=v4, ipv6_prefix=v6)
    cut = batched.ipv6_bytes if ipv6 else 0
    for batch in batches:
        addresses = [pool[k] for k in batch]
        wanted = [one_by_one.check_packed(address) for address in addresses]
        networks: list[int] | list[bytes] | None = None
        if not ipv6:
            words = [int.from_bytes(address, sys.byteorder) for address in addresses]
            networks = batched.ipv4_networks(words)
        elif cut:
            networks = [address[:cut] for address in addresses]
        if networks is not None:
            assert networks == [batched.network(a) for a in addresses]
            got = batched.check_networks(networks)
        else:
            got = [batched.check_packed(address) for address in addresses]
        assert (got if got is not None else [SEND] * len(addresses)) == wanted
        assert networks is None or got is None or any(got)
    assert (batched.dropped, batched.slipped) == (one_by_one.dropped, one_by_one.slipped)

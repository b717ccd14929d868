"""Remembered answers are byte for byte what the engine would send, and never outlive a change."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.opcode
import dns.rcode
from hypothesis import given, settings
from hypothesis import strategies as st

from homing.domain.records import ZoneChange
from homing.nameserver.answer_cache import AnswerCache
from homing.nameserver.engine import DNSRequest, Engine
from homing.nameserver.view import ZoneView

from .conftest import SERIAL, ZONE, rrset, snapshot

NAMES = [
    "home.ddns.test.",
    "alias.ddns.test.",
    "chain.ddns.test.",
    "x.wild.ddns.test.",
    "nobody.ddns.test.",
    "under.ddns.test.",
    "big.ddns.test.",
    "ddns.test.",
    "www.example.org.",
]
TYPES = ["A", "AAAA", "TXT", "CNAME", "SOA", "NS", "MX", "ANY"]


def loaded_view() -> ZoneView:
    view = ZoneView()
    view.apply(snapshot())
    return view


def query(name: str, rdtype: str = "A", *, query_id: int = 1, **options: object) -> bytes:
    message = dns.message.make_query(name, rdtype, **options)  # type: ignore[arg-type]
    message.id = query_id
    return message.to_wire()


def addresses(wire: bytes | None) -> list[str]:
    assert wire is not None
    return [r.to_text() for rrset in dns.message.from_wire(wire).answer for r in rrset]


CACHED = Engine(loaded_view())
UNCACHED_VIEW = loaded_view()
UNCACHED = Engine(UNCACHED_VIEW, cache=AnswerCache(UNCACHED_VIEW, max_entries=0))


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    rdtype=st.sampled_from(TYPES),
    case_mask=st.integers(min_value=0, max_value=2**40),
    query_id=st.integers(min_value=0, max_value=65535),
    tcp=st.booleans(),
    edns=st.sampled_from([None, 512, 1232, 4096]),
)
def test_cached_answers_equal_fresh_ones(
    name: str, rdtype: str, case_mask: int, query_id: int, tcp: bool, edns: int | None
) -> None:
    # Resolvers randomise the question's case: every variant must hit and echo its own case.
    mixed = "".join(c.upper() if (case_mask >> i) & 1 else c for i, c in enumerate(name))
    options: dict[str, object] = (
        {"use_edns": False} if edns is None else {"use_edns": 0, "payload": edns}
    )
    wire = query(mixed, rdtype, query_id=query_id, **options)
    first = CACHED.answer(query(name.upper(), rdtype, query_id=7, **options), tcp=tcp)
    assert first is not None
    assert CACHED.answer(wire, tcp=tcp) == UNCACHED.answer(wire, tcp=tcp)


def test_repeated_query_is_served_from_the_cache() -> None:
    engine = Engine(loaded_view())
    assert len(engine.cache) == 0
    first = engine.answer(query("home.ddns.test.", query_id=1), tcp=False)
    assert len(engine.cache) == 1
    again = engine.answer(query("HOME.ddns.test.", query_id=2), tcp=False)
    assert len(engine.cache) == 1
    assert first is not None and again is not None
    assert again[:2] == b"\x00\x02"
    assert dns.message.from_wire(again).question[0].name.to_text() == "HOME.ddns.test."
    assert addresses(again) == addresses(first) == ["192.0.2.1"]


def test_udp_and_tcp_are_remembered_apart() -> None:
    engine = Engine(loaded_view())
    wire = query("big.ddns.test.", "TXT", use_edns=False)
    udp = dns.message.from_wire(engine.answer(wire, tcp=False) or b"")
    tcp = dns.message.from_wire(engine.answer(wire, tcp=True) or b"")
    assert udp.flags & dns.flags.TC
    assert not tcp.flags & dns.flags.TC
    assert dns.message.from_wire(engine.answer(wire, tcp=False) or b"").flags & dns.flags.TC


def test_a_change_to_the_view_empties_the_cache() -> None:
    view = loaded_view()
    engine = Engine(view)
    assert addresses(engine.answer(query("home.ddns.test."), tcp=False)) == ["192.0.2.1"]
    view.apply(
        ZoneChange(
            zone=ZONE,
            serial=SERIAL + 1,
            rrsets=(rrset("home.ddns.test.", "A", "198.51.100.1"),),
        )
    )
    assert addresses(engine.answer(query("home.ddns.test."), tcp=False)) == ["198.51.100.1"]
    assert len(engine.cache) == 1


async def test_other_opcodes_are_never_remembered() -> None:
    calls: list[int] = []

    async def notify(request: DNSRequest) -> list[bytes]:
        calls.append(request.message.id)
        return [dns.message.make_response(request.message).to_wire()]

    engine = Engine(loaded_view(), handlers={dns.opcode.NOTIFY: notify})
    message = dns.message.make_query(ZONE, "SOA")
    message.set_opcode(dns.opcode.NOTIFY)
    for _ in range(3):
        pending = engine.answer(message.to_wire(), tcp=False)
        assert pending is not None and not isinstance(pending, bytes)
        await pending
    assert len(calls) == 3
    assert len(engine.cache) == 0


def test_formerr_without_a_question_is_not_remembered() -> None:
    engine = Engine(loaded_view())
    no_question = bytes.fromhex("abcd 0000 0000 0000 0000 0000".replace(" ", ""))
    reply = engine.answer(no_question, tcp=False)
    assert reply is not None
    assert dns.message.from_wire(reply).rcode() == dns.rcode.FORMERR
    assert len(engine.cache) == 0


def test_the_size_bound_holds() -> None:
    view = loaded_view()
    engine = Engine(view, cache=AnswerCache(view, max_entries=3))
    for i in range(10):
        engine.answer(query(f"n{i}.wild.ddns.test."), tcp=False)
        assert len(engine.cache) <= 3
    assert addresses(engine.answer(query("n9.wild.ddns.test."), tcp=False)) == ["192.0.2.9"]

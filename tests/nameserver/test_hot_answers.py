"""Whole answers kept for the questions asked most: exact, per name forgotten, never stale.

The differential tests (``test_fastpath.py``) ask every question twice with
every answer offered; these pin the rules around them: what is kept, what a
change forgets, and that a mix that does not repeat stops paying for it.
"""

from __future__ import annotations

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import pytest

from homing.domain.records import ZoneChange
from homing.nameserver.compiled import CompiledView, name_key
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath
from homing.nameserver.hot_answers import DORMANT_FILLS, HotAnswers
from homing.nameserver.view import ZoneView

from .conftest import SERIAL, ZONE, rrset, snapshot

ZONE_HOME = "home.ddns.test."


def _query(name: str, rtype: str, *, query_id: int, **options: object) -> bytes:
    query = dns.message.make_query(name, rtype, **options)  # type: ignore[arg-type]
    query.id = query_id
    return query.to_wire()


@pytest.fixture
def fast(compiled: CompiledView) -> FastPath:
    return FastPath(compiled, hot_sample=1)


def _address(wire: bytes) -> str:
    answer = dns.message.from_wire(wire).answer
    assert len(answer) == 1
    return str(answer[0][0])


def test_a_question_asked_again_is_answered_whole_with_its_own_id(
    fast: FastPath, view: ZoneView
) -> None:
    first = fast.answer(_query("HoMe.ddns.test.", "A", query_id=1), False)
    assert fast.view.hot.replies
    again = _query("HoMe.ddns.test.", "A", query_id=2)
    served = fast.answer(again, False)
    assert fast.view.hot.hits == 1
    assert served == Engine(view).answer_reference(again, tcp=False)
    assert first is not None and served is not None and served[2:] == first[2:]
    assert fast.noerror[dns.rdatatype.A] == 2


def test_a_change_forgets_its_names_answers_and_keeps_the_others(fast: FastPath) -> None:
    home = _query("home.ddns.test.", "A", query_id=7)
    leaf = _query("leaf.deep.under.ddns.test.", "A", query_id=8)
    for wire in (home, leaf):
        fast.answer(wire, False)
    change = ZoneChange(
        zone=ZONE, serial=SERIAL + 1, rrsets=(rrset("home.ddns.test.", "A", "192.0.2.77"),)
    )
    fast.view.apply(change)
    answer = fast.answer(home, False)
    assert answer is not None and _address(answer) == "192.0.2.77"
    assert fast.view.hot.hits == 0
    kept = fast.answer(leaf, False)
    assert kept is not None and _address(kept) == "192.0.2.3"
    assert fast.view.hot.hits == 1


def test_a_deleted_rrset_is_not_served_from_the_kept_answers(fast: FastPath) -> None:
    home = _query("home.ddns.test.", "AAAA", query_id=3)
    fast.answer(home, False)
    fast.view.apply(ZoneChange(zone=ZONE, serial=SERIAL + 1, rrsets=(rrset(ZONE_HOME, "AAAA"),)))
    answer = dns.message.from_wire(fast.answer(home, False) or b"")
    assert not answer.answer and answer.authority[0].rdtype == dns.rdatatype.SOA


def test_a_zone_loaded_again_forgets_everything(fast: FastPath) -> None:
    fast.answer(_query(ZONE_HOME, "A", query_id=4), False)
    fast.view.apply(snapshot())
    assert not fast.view.hot.replies


@pytest.mark.parametrize(
    ("name", "rtype", "options", "tcp"),
    [
        ("missing.ddns.test.", "A", {}, False),
        ("home.ddns.test.", "MX", {}, False),
        (ZONE_HOME, "A", {"use_edns": 0, "options": [dns.edns.CookieOption(b"c" * 8, b"")]}, False),
        (ZONE_HOME, "A", {}, True),
    ],
    ids=["nxdomain", "nodata", "edns-options", "tcp"],
)
def test_what_is_never_kept(
    fast: FastPath, name: str, rtype: str, options: dict[str, object], tcp: bool
) -> None:
    assert fast.answer(_query(name, rtype, query_id=5, **options), tcp) is not None
    assert not fast.view.hot.replies


def test_an_answer_over_512_bytes_is_not_kept(fast: FastPath) -> None:
    """A smaller size limit elsewhere (``dns_udp_max_payload``) would truncate it."""
    texts = [f'"{n:02d} {"t" * 60}"' for n in range(10)]
    fast.view.apply(
        ZoneChange(zone=ZONE, serial=SERIAL + 1, rrsets=(rrset("text.ddns.test.", "TXT", *texts),))
    )
    answer = fast.answer(_query("text.ddns.test.", "TXT", query_id=6, use_edns=0), False)
    assert answer is not None and 512 < len(answer) <= 1232
    assert not dns.message.from_wire(answer).flags & dns.flags.TC
    assert not fast.view.hot.replies


def test_a_mix_that_never_repeats_stops_being_kept() -> None:
    hot = HotAnswers(capacity=4)
    for n in range(4):
        hot.offer(b"owner", b"question %d" % n, 1, b"answer")
    hot.offer(b"owner", b"one too many", 1, b"answer")
    assert not hot.replies
    for n in range(DORMANT_FILLS * 4 - 1):
        hot.offer(b"owner", b"later %d" % n, 1, b"answer")
    assert not hot.replies
    hot.offer(b"owner", b"last ignored", 1, b"answer")
    hot.offer(b"owner", b"kept again", 1, b"answer")
    assert list(hot.replies) == [b"kept again"]


def test_a_mix_that_repeats_is_kept_fresh_when_full() -> None:
    hot = HotAnswers(capacity=2)
    hot.offer(b"a", b"qa", 1, b"x")
    hot.offer(b"b", b"qb", 1, b"y")
    hot.hits = 2
    hot.offer(b"c", b"qc", 1, b"z")
    assert list(hot.replies) == [b"qc"]
    hot.forget(b"c")
    assert not hot.replies


def test_the_sample_must_be_a_power_of_two(compiled: CompiledView) -> None:
    with pytest.raises(ValueError, match="power of two"):
        FastPath(compiled, hot_sample=3)


def test_one_answer_in_the_sample_is_offered(compiled: CompiledView) -> None:
    fast = FastPath(compiled, hot_sample=4)
    for n in range(3):
        fast.answer(_query(ZONE_HOME, "A", query_id=n), False)
    assert not compiled.hot.replies
    fast.answer(_query(ZONE_HOME, "A", query_id=9), False)
    assert len(compiled.hot.replies) == 1
    compiled.hot.forget(name_key(dns.name.from_text(ZONE_HOME)))
    assert not compiled.hot.replies


def test_only_the_same_plain_question_is_answered_from_the_kept_answers(fast: FastPath) -> None:
    """A response (QR set), another opcode or a cut message never matches a kept question."""
    wire = _query(ZONE_HOME, "A", query_id=11)
    fast.answer(wire, False)
    assert fast.view.hot.replies
    response = wire[:2] + bytes((wire[2] | 0x80,)) + wire[3:]
    notify = wire[:2] + bytes((wire[2] | 0x20,)) + wire[3:]
    for hostile in (response, notify, wire[:2], wire[:-1], b""):
        assert fast.answer(hostile, False) is None
    assert fast.view.hot.hits == 0

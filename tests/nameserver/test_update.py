"""The UPDATE front door on the engine: malformed, truncated, oversized and fuzzed messages."""

from __future__ import annotations

import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.update
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homing.core.rfc2136 import MAX_UPDATE_RRS, DynamicUpdates
from homing.core.tsig import StoreKeyring
from homing.nameserver.engine import Engine
from homing.nameserver.update import update_handler
from homing.nameserver.view import ZoneView
from support import Core

ZONE = "dyn.example."


@pytest.fixture
async def engine(core: Core) -> Engine:
    await core.admin.add_zone("dyn.example")
    updates = DynamicUpdates(
        store=core.store,
        writer=core.writer,
        brake=core.brake,
        refusals=core.refusals,
        unsigned_from=["127.0.0.0/8"],
    )
    return Engine(
        ZoneView(),
        handlers={dns.opcode.UPDATE: update_handler(updates, StoreKeyring(core.store))},
    )


async def rcode(engine: Engine, wire: bytes) -> dns.rcode.Rcode:
    answer = engine.answer(wire, tcp=False, peer="127.0.0.1")
    if answer is None:
        raise AssertionError("no answer")
    reply = answer if isinstance(answer, bytes) else (await answer)[0]
    return dns.message.from_wire(reply).rcode()


def valid_update(*, zone: str = ZONE, count: int = 1) -> bytes:
    update = dns.update.UpdateMessage(zone)
    for i in range(count):
        update.add(f"h{i}.dyn.example.", 60, "A", "192.0.2.1")
    return update.to_wire()


async def records(core: Core) -> list[str]:
    await core.writer.sync()
    async with core.store.read() as txn:
        zone = await txn.zone(ZONE)
        assert zone is not None
        return [r.name for r in await txn.zone_records(zone.id)]


async def test_a_valid_update_is_applied(engine: Engine, core: Core) -> None:
    assert await rcode(engine, valid_update()) == dns.rcode.NOERROR
    assert await records(core) == ["h0.dyn.example."]


async def test_truncated_updates_are_formerr_and_change_nothing(engine: Engine, core: Core) -> None:
    wire = valid_update(count=3)
    for cut in (13, len(wire) // 2, len(wire) - 1):
        assert await rcode(engine, wire[:cut]) == dns.rcode.FORMERR
    assert await records(core) == []


async def test_bad_zone_sections(engine: Engine, core: Core) -> None:
    wrong_type = dns.update.UpdateMessage(ZONE)
    wrong_type.question[0].rdtype = dns.rdatatype.A
    wrong_type.add("h.dyn.example.", 60, "A", "192.0.2.1")
    assert await rcode(engine, wrong_type.to_wire()) == dns.rcode.FORMERR
    assert await rcode(engine, valid_update(zone="other.example.")) == dns.rcode.NOTAUTH
    assert await rcode(engine, valid_update(zone="h0.dyn.example.")) == dns.rcode.NOTAUTH
    assert await records(core) == []


async def test_oversized_updates_are_refused(engine: Engine, core: Core) -> None:
    assert await rcode(engine, valid_update(count=MAX_UPDATE_RRS + 1)) == dns.rcode.REFUSED
    assert await records(core) == []


ANSWERS = {
    dns.rcode.NOERROR,
    dns.rcode.FORMERR,
    dns.rcode.NOTAUTH,
    dns.rcode.NOTZONE,
    dns.rcode.REFUSED,
    dns.rcode.NXRRSET,
    dns.rcode.YXRRSET,
    dns.rcode.NXDOMAIN,
    dns.rcode.YXDOMAIN,
    dns.rcode.NOTIMP,
}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(min_value=0, max_value=200), value=st.integers(0, 255))
async def test_mutated_updates_always_get_an_answer(
    engine: Engine, position: int, value: int
) -> None:
    wire = bytearray(valid_update(count=2))
    wire[position % len(wire)] = value
    answer = engine.answer(bytes(wire), tcp=True, peer="127.0.0.1")
    if answer is None:
        return  # a response bit or a runt: nothing is sent back
    reply = answer if isinstance(answer, bytes) else (await answer)[0]
    assert dns.message.from_wire(reply, question_only=True).rcode() in ANSWERS

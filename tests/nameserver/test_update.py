"""The UPDATE front door on the engine: malformed, truncated, oversized and fuzzed messages,
and TSIG checked under the brake."""

from __future__ import annotations

import time
from dataclasses import dataclass

import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.update
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homing.core.rfc2136 import MAX_UPDATE_RRS, DynamicUpdates
from homing.core.tsig import StoreKeyring, TsigKeys
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


class CountingKeyring(StoreKeyring):
    """The server's keyring, counting the lookups: each one is a check about to be made."""

    lookups = 0

    def __call__(self, message: dns.message.Message, name: dns.name.Name) -> dns.tsig.Key | None:
        self.lookups += 1
        return super().__call__(message, name)


@dataclass
class Guarded:
    engine: Engine
    keyring: CountingKeyring
    key: dns.tsig.Key


@pytest.fixture
async def guarded(core: Core) -> Guarded:
    """As the server wires it: TSIG checked under the brake (``auth_max_failures`` 5)."""
    await core.admin.add_zone("dyn.example")
    row, secret = await TsigKeys(store=core.store).add("ops", zone="dyn.example")
    updates = DynamicUpdates(
        store=core.store, writer=core.writer, brake=core.brake, refusals=core.refusals
    )
    keyring = CountingKeyring(core.store)
    engine = Engine(
        ZoneView(),
        handlers={dns.opcode.UPDATE: update_handler(updates, keyring)},
        keyring=keyring,
        tsig_guard=updates.tsig_check,
    )
    return Guarded(engine, keyring, dns.tsig.Key(row.name, secret, "hmac-sha256"))


async def reply(engine: Engine, wire: bytes, peer: str = "127.0.0.1") -> dns.message.Message:
    answer = engine.answer(wire, tcp=False, peer=peer)
    if answer is None:
        raise AssertionError("no answer")
    raw = answer if isinstance(answer, bytes) else (await answer)[0]
    return dns.message.from_wire(raw, keyring=False)


async def rcode(engine: Engine, wire: bytes, peer: str = "127.0.0.1") -> dns.rcode.Rcode:
    return (await reply(engine, wire, peer)).rcode()


def tsig_error(message: dns.message.Message) -> int | None:
    return None if message.tsig is None else message.tsig[0].error


def valid_update(
    *, zone: str = ZONE, count: int = 1, key: dns.tsig.Key | None = None, **tsig: object
) -> bytes:
    update = dns.update.UpdateMessage(zone)
    if key is not None:
        update.use_tsig(key, **tsig)  # type: ignore[arg-type]
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


async def test_bad_signatures_get_only_the_budget_checked(guarded: Guarded, core: Core) -> None:
    forged = dns.tsig.Key(guarded.key.name, b"x" * 32, "hmac-sha256")
    answers = [
        await reply(guarded.engine, valid_update(key=forged), "127.0.0.50") for _ in range(30)
    ]
    assert [tsig_error(a) for a in answers[:5]] == [dns.rcode.BADSIG] * 5
    assert {(a.rcode(), a.tsig) for a in answers[5:]} == {(dns.rcode.REFUSED, None)}
    assert guarded.keyring.lookups == 5  # the other 25 were refused before the key lookup
    right = valid_update(key=guarded.key)
    assert await rcode(guarded.engine, right, "127.0.0.50") == dns.rcode.REFUSED
    assert await rcode(guarded.engine, right, "127.0.0.51") == dns.rcode.NOERROR
    assert await records(core) == ["h0.dyn.example."]


async def test_malformed_tsig_is_a_clear_refusal(
    guarded: Guarded, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = dns.tsig.Key("nobody.", guarded.key.secret, "hmac-sha256")
    other_algorithm = dns.tsig.Key(guarded.key.name, guarded.key.secret, "hmac-sha512")
    signed = valid_update(key=guarded.key)
    real_time = time.time()
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: real_time - 3600)
        stale_wire = valid_update(key=guarded.key, fudge=300)
    for wire, rcode_, error in (
        (valid_update(key=unknown), dns.rcode.NOTAUTH, dns.rcode.BADKEY),
        (valid_update(key=other_algorithm), dns.rcode.NOTAUTH, dns.rcode.BADKEY),
        (stale_wire, dns.rcode.NOTAUTH, dns.rcode.BADTIME),
    ):
        answer = await reply(guarded.engine, wire, "127.0.0.52")
        assert (answer.rcode(), tsig_error(answer)) == (rcode_, error)
    for cut in (len(signed) - 1, len(signed) - 20, len(signed) - 40):
        assert await rcode(guarded.engine, signed[:cut], "127.0.0.53") == dns.rcode.FORMERR
    assert await records(core) == []

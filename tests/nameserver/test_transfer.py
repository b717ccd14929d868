"""AXFR and IXFR from the real store and writer, checked with dnspython's transfer client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import dns.asyncquery
import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import pytest

from homing.core.auth import Principal
from homing.core.secondaries import Secondaries
from homing.core.tsig import StoreKeyring, TsigKeys
from homing.domain.edits import HostEdit
from homing.domain.outcomes import FrontDoor
from homing.nameserver import transfer as transfer_module
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath
from homing.nameserver.transfer import transfer_handler
from homing.nameserver.transport import DNSServer
from support import Core

ZONE = "dyn.example."
HOSTS = 30


@dataclass
class Primary:
    core: Core
    server: tuple[str, int]
    view: CompiledView


@pytest.fixture
async def primary(core: Core) -> AsyncIterator[Primary]:
    await core.admin.add_zone("dyn.example", nameservers=["ns1.dyn.example"])
    await core.admin.add_user("alice", password="alice-password")
    for i in range(HOSTS):
        await core.admin.add_host(f"h{i}.dyn.example", owner="alice")
    view = CompiledView()
    async with core.store.read() as txn:
        snapshot = await txn.zone_snapshot(ZONE)
    assert snapshot is not None
    view.apply(snapshot)
    core.writer._bus.subscribe(view.apply)
    keyring = StoreKeyring(core.store)
    engine = Engine(
        view, transfer=transfer_handler(view, core.store), keyring=keyring, fast=FastPath(view)
    )
    server = DNSServer(view, [("127.0.0.1", 0)], engine=engine)
    await server.start()
    await Secondaries(store=core.store).add(ZONE, "127.0.0.1:5399")
    yield Primary(core=core, server=server.bound[0], view=view)
    await server.stop()


async def update(core: Core, host: int, address: str) -> None:
    found = await core.store.find_hosts([f"h{host}.dyn.example."])
    principal = Principal(
        user_id=found[f"h{host}.dyn.example."].owner_id,
        user="alice",
        is_admin=False,
        host_id=None,
        host=None,
        credential="test",
    )
    await core.updates.apply_update(
        principal,
        hostnames=[f"h{host}.dyn.example"],
        edit=HostEdit(ipv4=address, ipv6=None),
        source="192.0.2.1",
        front_door=FrontDoor.DYNDNS2,
    )


def transfer(primary: Primary, rdtype: str, **options: object) -> list[dns.message.Message]:
    host, port = primary.server
    return list(
        dns.query.xfr(host, ZONE, rdtype=rdtype, port=port, timeout=5, relativize=False, **options)  # type: ignore[arg-type]
    )


def answers(messages: list[dns.message.Message]) -> list[tuple[str, str, str]]:
    return [
        (rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype), rdata.to_text())
        for message in messages
        for rrset in message.answer
        for rdata in rrset
    ]


async def test_axfr_is_the_whole_zone_between_two_soas(primary: Primary) -> None:
    await update(primary.core, 1, "192.0.2.11")
    records = answers(await asyncio.to_thread(transfer, primary, "AXFR"))
    assert records[0][1] == "SOA" and records[-1][1] == "SOA"
    assert ("h1.dyn.example.", "A", "192.0.2.11") in records
    assert ("dyn.example.", "NS", "ns1.dyn.example.") in records


async def test_ixfr_sends_only_the_changes(primary: Primary) -> None:
    await update(primary.core, 1, "192.0.2.11")
    base = primary.view.serial(ZONE)
    assert base is not None
    await update(primary.core, 2, "192.0.2.12")
    await update(primary.core, 1, "192.0.2.21")
    messages = await asyncio.to_thread(transfer, primary, "IXFR", serial=base)
    records = answers(messages)
    soas = [r for r in records if r[1] == "SOA"]
    # current, then (old, new) per change, then current again: RFC 1995 section 4.
    assert len(soas) == 2 + 2 * 2
    assert ("h2.dyn.example.", "A", "192.0.2.12") in records
    assert ("h1.dyn.example.", "A", "192.0.2.11") in records  # removed in the second change
    assert ("h1.dyn.example.", "A", "192.0.2.21") in records
    assert not any(r[0] == "h3.dyn.example." for r in records)


async def test_ixfr_when_the_journal_does_not_reach_back_is_the_whole_zone(
    primary: Primary,
) -> None:
    await update(primary.core, 1, "192.0.2.11")
    messages = await asyncio.to_thread(transfer, primary, "IXFR", serial=12345)
    records = answers(messages)
    assert ("h1.dyn.example.", "A", "192.0.2.11") in records
    assert ("dyn.example.", "NS", "ns1.dyn.example.") in records


async def test_ixfr_over_udp_and_from_the_future_get_the_current_soa(primary: Primary) -> None:
    current = primary.view.serial(ZONE)
    assert current is not None
    host, port = primary.server
    for serial in (current - 1, current + 1000):
        query = dns.message.make_query(ZONE, "IXFR")
        query.authority.append(dns.rrset.from_text(ZONE, 0, "IN", "SOA", f". . {serial} 0 0 0 0"))
        response = await dns.asyncquery.udp(query, host, port=port, timeout=5)
        assert [r.rdtype for r in response.answer] == [dns.rdatatype.SOA]
        assert response.answer[0][0].serial == current


async def test_refusals(primary: Primary) -> None:
    host, port = primary.server
    axfr_udp = await dns.asyncquery.udp(
        dns.message.make_query(ZONE, "AXFR"), host, port=port, timeout=5
    )
    assert axfr_udp.rcode() == dns.rcode.REFUSED
    not_apex = await dns.asyncquery.tcp(
        dns.message.make_query("h1.dyn.example.", "AXFR"), host, port=port, timeout=5
    )
    assert not_apex.rcode() == dns.rcode.NOTAUTH
    other = await dns.asyncquery.tcp(
        dns.message.make_query("example.org.", "AXFR"), host, port=port, timeout=5
    )
    assert other.rcode() == dns.rcode.NOTAUTH
    (secondary,) = await primary.core.store.secondaries(zone=ZONE)
    await Secondaries(store=primary.core.store).remove(secondary.id)
    unlisted = await dns.asyncquery.tcp(
        dns.message.make_query(ZONE, "AXFR"), host, port=port, timeout=5
    )
    assert unlisted.rcode() == dns.rcode.REFUSED


async def test_signed_transfer_spans_many_messages(
    primary: Primary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer_module, "RECORDS_PER_MESSAGE", 5)
    _, secret = await TsigKeys(store=primary.core.store).add("xfr", zone="dyn.example")
    (secondary,) = await primary.core.store.secondaries(zone=ZONE)
    await Secondaries(store=primary.core.store).remove(secondary.id)
    await Secondaries(store=primary.core.store).add(ZONE, "127.0.0.1:5399", tsig="xfr")
    keyring = dns.tsigkeyring.from_text({"xfr.": ("hmac-sha256", secret)})
    for i in range(HOSTS):
        await update(primary.core, i, f"192.0.2.{100 + i}")
    messages = await asyncio.to_thread(transfer, primary, "AXFR", keyring=keyring, keyname="xfr.")
    assert len(messages) > 5
    assert all(m.had_tsig for m in messages)
    assert len(answers(messages)) >= HOSTS + 3
    with pytest.raises(dns.exception.DNSException):
        await asyncio.to_thread(transfer, primary, "AXFR")

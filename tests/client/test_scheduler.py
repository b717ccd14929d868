"""Targets are pushed on change only, each in its own task: one slow provider delays no other."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

from homing.client.addresses import Addresses, Family
from homing.client.config import Target
from homing.client.options import Secret
from homing.client.policy import Action
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.duckdns import DuckdnsSettings
from homing.client.scheduler import AddressBoard, Pusher
from homing.client.state import StateFile

from .standins import wait_until

A = ipaddress.IPv4Address("93.184.216.34")
B = ipaddress.IPv4Address("93.184.216.35")


class RecordingProvider:
    """A provider double: records calls, answers as told, can be made to hang."""

    def __init__(self, answer: AnswerKind = AnswerKind.UPDATED) -> None:
        self.answer = answer
        self.calls: list[Addresses] = []
        self.hang = False
        self.release = asyncio.Event()

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        self.calls.append(addresses)
        if self.hang:
            await self.release.wait()
        return ProviderAnswer(self.answer, self.answer.value)


def _target(name: str) -> Target:
    return Target(
        key=f"test:{name}",
        name=name,
        provider="test",
        families=frozenset({Family.IPV4}),
        settings=DuckdnsSettings(server="http://127.0.0.1:9", token=Secret("t")),
        fingerprint="f",
        dns_server=None,
    )


def _pusher(
    name: str, provider: RecordingProvider, board: AddressBoard, states: StateFile
) -> Pusher:
    return Pusher(_target(name), provider, board=board, states=states)


async def test_push_only_on_change_and_nochg_not_repeated(tmp_path: Path) -> None:
    board = AddressBoard()
    states = StateFile.load(tmp_path / "state.json")
    provider = RecordingProvider(AnswerKind.UNCHANGED)
    pusher = _pusher("a.example.net", provider, board, states)
    assert (await pusher.push_if_needed()).action is Action.WAIT
    await board.post(A)
    assert (await pusher.push_if_needed()).action is Action.DONE
    assert (await pusher.push_if_needed()).action is Action.DONE
    assert provider.calls == [Addresses(ipv4=A)]
    await board.post(B)
    await pusher.push_if_needed()
    assert provider.calls == [Addresses(ipv4=A), Addresses(ipv4=B)]
    # the state survives a restart: nothing is pushed again
    again = StateFile.load(tmp_path / "state.json")
    restarted = _pusher("a.example.net", provider, AddressBoard(), again)
    assert (await restarted.push_if_needed()).action is Action.WAIT
    board_b = AddressBoard()
    await board_b.post(B)
    assert (await _pusher("a.example.net", provider, board_b, again).push_if_needed()).action is (
        Action.DONE
    )
    assert len(provider.calls) == 2


async def test_forget_makes_a_family_pushed_again(tmp_path: Path) -> None:
    board = AddressBoard()
    states = StateFile.load(tmp_path / "state.json")
    provider = RecordingProvider()
    pusher = _pusher("a.example.net", provider, board, states)
    await board.post(A)
    await pusher.push_if_needed()
    pusher.forget([Family.IPV4])
    assert pusher.state.published == Addresses()
    assert (await pusher.push_if_needed()).action is Action.DONE
    assert provider.calls == [Addresses(ipv4=A), Addresses(ipv4=A)]


async def test_a_hanging_provider_does_not_delay_another(tmp_path: Path) -> None:
    board = AddressBoard()
    states = StateFile.load(tmp_path / "state.json")
    slow, fast = RecordingProvider(), RecordingProvider()
    slow.hang = True
    tasks = [
        asyncio.create_task(_pusher("slow.example.net", slow, board, states).keep()),
        asyncio.create_task(_pusher("fast.example.net", fast, board, states).keep()),
    ]
    try:
        await board.post(A)
        await wait_until(lambda: len(fast.calls) == 1 and len(slow.calls) == 1, what="pushes")
        await board.post(B)
        await wait_until(lambda: len(fast.calls) == 2, what="the fast provider's second push")
        assert len(slow.calls) == 1
        slow.release.set()
        await wait_until(lambda: len(slow.calls) == 2, what="the slow provider catching up")
        assert slow.calls[-1] == Addresses(ipv4=B)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_rejected_target_stops_while_others_go_on(tmp_path: Path) -> None:
    board = AddressBoard()
    states = StateFile.load(tmp_path / "state.json")
    refused, fine = RecordingProvider(AnswerKind.REJECTED), RecordingProvider()
    tasks = [
        asyncio.create_task(_pusher("refused.example.net", refused, board, states).keep()),
        asyncio.create_task(_pusher("fine.example.net", fine, board, states).keep()),
    ]
    try:
        await board.post(A)
        await wait_until(lambda: len(fine.calls) == 1, what="the first push")
        await board.post(B)
        await wait_until(lambda: len(fine.calls) == 2, what="the second push")
        assert len(refused.calls) == 1
        stored = states.get("test:refused.example.net")
        assert stored is not None and stored.stopped
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

"""Interface addresses: the pure choice, and netlink events from a real network namespace."""

from __future__ import annotations

import asyncio
import ipaddress
import time
import uuid

import pytest

from homing.client.addresses import Family
from homing.client.detect.interface import (
    IFA_F_DEPRECATED,
    IFA_F_SECONDARY,
    IFA_F_TENTATIVE,
    InterfaceAddress,
    InterfaceSettings,
    InterfaceSource,
    choose_address,
)
from homing.client.errors import DetectionError
from homing.client.scheduler import AddressBoard, watch

from ..netns import ip_in, namespace
from ..standins import wait_until


def _a(interface: str, text: str, flags: int = 0) -> InterfaceAddress:
    return InterfaceAddress(interface, ipaddress.ip_address(text), flags)


FOUND = [
    _a("lo", "::1"),
    _a("eth0", "fe80::1"),
    _a("eth0", "2606:2800:220:1::aaaa", IFA_F_SECONDARY),  # temporary
    _a("eth0", "2606:2800:220:1::dead", IFA_F_DEPRECATED),
    _a("eth0", "2606:2800:220:1::beef", IFA_F_TENTATIVE),
    _a("eth0", "fd00::1"),
    _a("eth0", "2606:2800:220:1::1"),
    _a("wg0", "2606:2800:220:2::1"),
]


def test_choice_skips_temporary_deprecated_tentative_and_non_public() -> None:
    chosen = choose_address(
        FOUND, family=Family.IPV6, interface=None, include_temporary=False, public_only=True
    )
    assert str(chosen) == "2606:2800:220:1::1"
    on_wg = choose_address(
        FOUND, family=Family.IPV6, interface="wg0", include_temporary=False, public_only=True
    )
    assert str(on_wg) == "2606:2800:220:2::1"
    with_temporary = choose_address(
        FOUND, family=Family.IPV6, interface="eth0", include_temporary=True, public_only=True
    )
    assert str(with_temporary) == "2606:2800:220:1::aaaa"
    private_first = [_a("eth0", "fd00::1"), _a("eth0", "2606:2800:220:1::1")]
    assert (
        str(
            choose_address(
                private_first,
                family=Family.IPV6,
                interface=None,
                include_temporary=False,
                public_only=False,
            )
        )
        == "2606:2800:220:1::1"
    )


def test_ipv4_secondary_addresses_are_not_temporary() -> None:
    found = [_a("eth0", "93.184.216.34", IFA_F_SECONDARY)]
    chosen = choose_address(
        found, family=Family.IPV4, interface=None, include_temporary=False, public_only=True
    )
    assert str(chosen) == "93.184.216.34"


def test_nothing_usable_says_where_it_looked() -> None:
    with pytest.raises(DetectionError, match="no usable public ipv4 address on interface eth0"):
        choose_address(
            [_a("eth0", "192.168.1.2")],
            family=Family.IPV4,
            interface="eth0",
            include_temporary=False,
            public_only=True,
        )


async def test_reads_this_machines_addresses() -> None:
    source = InterfaceSource(
        settings=InterfaceSettings(interface="lo", include_temporary=False, poll_seconds=60),
        family=Family.IPV4,
        public_only=False,
    )
    try:
        found = await source.addresses()
        assert _a("lo", "127.0.0.1") in [InterfaceAddress(f.interface, f.address, 0) for f in found]
        with pytest.raises(DetectionError):
            await source.detect()  # loopback is never published
    finally:
        await source.aclose()


async def test_netlink_event_brings_a_new_address_within_a_second() -> None:
    with namespace() as name:
        settings = InterfaceSettings(interface="veth0", include_temporary=False, poll_seconds=3600)
        v4 = InterfaceSource(settings=settings, family=Family.IPV4, public_only=True, netns=name)
        v6 = InterfaceSource(settings=settings, family=Family.IPV6, public_only=True, netns=name)
        board = AddressBoard()
        tasks = [
            asyncio.create_task(watch(v4, Family.IPV4, board, poll_seconds=3600)),
            asyncio.create_task(watch(v6, Family.IPV6, board, poll_seconds=3600)),
        ]
        try:
            await wait_until(lambda: Family.IPV4 in board.problems, what="a first detection")
            start = time.monotonic()
            ip_in(name, "addr", "add", "93.184.216.34/24", "dev", "veth0")
            await wait_until(
                lambda: str(board.addresses.ipv4) == "93.184.216.34", what="the new IPv4"
            )
            assert time.monotonic() - start < 1.0
            ip_in(
                name,
                "addr",
                "add",
                "2606:2800:220:1::5/64",
                "dev",
                "veth0",
                "nodad",
                "preferred_lft",
                "0",
            )
            ip_in(name, "addr", "add", "2606:2800:220:1::6/64", "dev", "veth0", "nodad")
            await wait_until(
                lambda: str(board.addresses.ipv6) == "2606:2800:220:1::6", what="the new IPv6"
            )
            ip_in(name, "addr", "del", "93.184.216.34/24", "dev", "veth0")
            ip_in(name, "addr", "add", "93.184.216.35/24", "dev", "veth0")
            await wait_until(
                lambda: str(board.addresses.ipv4) == "93.184.216.35", what="the changed IPv4"
            )
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await v4.aclose()
            await v6.aclose()


async def test_point_to_point_link_publishes_our_end_not_the_peer() -> None:
    # A PPPoE uplink: IFA_ADDRESS is the peer's address, IFA_LOCAL ours.
    with namespace() as name:
        ip_in(name, "addr", "add", "93.184.216.34", "peer", "198.51.100.2/32", "dev", "veth0")
        settings = InterfaceSettings(interface="veth0", include_temporary=False, poll_seconds=60)
        source = InterfaceSource(
            settings=settings, family=Family.IPV4, public_only=True, netns=name
        )
        try:
            assert str(await source.detect()) == "93.184.216.34"
        finally:
            await source.aclose()


async def test_without_netlink_it_says_so_and_polls(caplog: pytest.LogCaptureFixture) -> None:
    settings = InterfaceSettings(interface=None, include_temporary=False, poll_seconds=60)
    source = InterfaceSource(
        settings=settings,
        family=Family.IPV4,
        public_only=True,
        netns=f"homing-test-missing-{uuid.uuid4().hex[:8]}",
    )
    try:
        with pytest.raises(DetectionError, match="cannot read interface addresses"):
            await source.detect()
        assert "no netlink address events" in caplog.text
        assert "polling instead" in caplog.text
        start = time.monotonic()
        await source.wait_for_change(0.05)  # nothing can wake it: the poll interval passes
        assert time.monotonic() - start >= 0.05
    finally:
        await source.aclose()

"""Addresses of this machine's interfaces, read and watched through netlink (pyroute2).

The kernel announces every address change on the RTNLGRP_IPV4/6_IFADDR
groups, so a new address is noticed at once instead of at the next poll;
where netlink cannot be opened, the source falls back to polling. IPv6
privacy (temporary) addresses change daily and deprecated ones are on their
way out, so neither is published unless asked for; nor are tentative
addresses still in duplicate address detection.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from homing.client.addresses import Family, usable_address
from homing.client.errors import DetectionError
from homing.client.options import Options
from homing.domain.addresses import IPAddress

log = logging.getLogger(__name__)

# linux/if_addr.h
IFA_F_SECONDARY = 0x01  # for IPv6 the same bit means IFA_F_TEMPORARY
IFA_F_DADFAILED = 0x08
IFA_F_DEPRECATED = 0x20
IFA_F_TENTATIVE = 0x40
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV6_IFADDR = 0x100


@dataclass(frozen=True)
class InterfaceAddress:
    """One address the kernel reported: interface name, address, IFA_F_* flags."""

    interface: str
    address: IPAddress
    flags: int

    @property
    def temporary(self) -> bool:
        return self.address.version == 6 and bool(self.flags & IFA_F_SECONDARY)


def choose_address(
    found: Iterable[InterfaceAddress],
    *,
    family: Family,
    interface: str | None,
    include_temporary: bool,
    public_only: bool,
) -> IPAddress:
    """The address to publish among ``found``; global ones first, then kernel order."""
    usable: list[IPAddress] = []
    for item in found:
        if interface is not None and item.interface != interface:
            continue
        if item.flags & (IFA_F_DEPRECATED | IFA_F_TENTATIVE | IFA_F_DADFAILED):
            continue
        if item.temporary and not include_temporary:
            continue
        try:
            usable.append(usable_address(str(item.address), family, public_only=public_only))
        except DetectionError:
            continue
    if not usable:
        where = f"interface {interface}" if interface else "any interface"
        kind = "public " if public_only else ""
        raise DetectionError(f"no usable {kind}{family.value} address on {where}")
    usable.sort(key=lambda a: not a.is_global)
    return usable[0]


@dataclass(frozen=True, kw_only=True)
class InterfaceSettings:
    """Which interface (None: the best address of any), temporary addresses, poll fallback."""

    interface: str | None
    include_temporary: bool
    poll_seconds: float

    @classmethod
    def parse(cls, options: Options) -> InterfaceSettings:
        return cls(
            interface=options.optional_string("interface"),
            include_temporary=options.boolean("include_temporary", False),
            poll_seconds=options.number("poll_seconds", 60, low=1, high=86400),
        )

    def build(self, *, family: Family, public_only: bool, timeout: float) -> InterfaceSource:
        return InterfaceSource(settings=self, family=family, public_only=public_only)


def _flags(message: Any) -> int:
    extended = message.get_attr("IFA_FLAGS")
    return int(extended if extended is not None else message.get("flags", 0))


class InterfaceSource:
    """Reads addresses with a netlink dump; a second netlink socket listens for changes."""

    def __init__(
        self,
        *,
        settings: InterfaceSettings,
        family: Family,
        public_only: bool,
        netns: str | None = None,
    ) -> None:
        self._settings = settings
        self._family = family
        self._public_only = public_only
        self._netns = netns
        self._changed = asyncio.Event()
        self._listen_tried = False
        self._listener: asyncio.Task[None] | None = None
        self._events: Any = None

    @property
    def description(self) -> str:
        return f"interface {self._settings.interface or '(best address)'}"

    async def addresses(self) -> list[InterfaceAddress]:
        """Every address of the machine (or of the test's network namespace)."""
        from pyroute2 import AsyncIPRoute  # type: ignore[import-untyped]

        af = 2 if self._family is Family.IPV4 else 10  # AF_INET / AF_INET6
        found = []
        try:
            async with AsyncIPRoute(netns=self._netns) as ipr:
                names = {
                    link["index"]: link.get_attr("IFLA_IFNAME")
                    async for link in await ipr.get_links()
                }
                async for message in await ipr.get_addr(family=af):
                    text = message.get_attr("IFA_ADDRESS") or message.get_attr("IFA_LOCAL")
                    if text is None:
                        continue
                    address = ipaddress.ip_address(text)
                    name = names.get(message["index"], str(message["index"]))
                    found.append(InterfaceAddress(name, address, _flags(message)))
        except (OSError, ValueError) as exc:  # ValueError: an event loop without netlink (uvloop)
            raise DetectionError(f"cannot read interface addresses: {exc}") from None
        return found

    async def detect(self) -> IPAddress:
        # Listen before reading, so a change between the two is not missed.
        await self._listen()
        return choose_address(
            await self.addresses(),
            family=self._family,
            interface=self._settings.interface,
            include_temporary=self._settings.include_temporary,
            public_only=self._public_only,
        )

    async def wait_for_change(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)
        self._changed.clear()

    async def _listen(self) -> None:
        if self._listen_tried:
            return
        self._listen_tried = True
        from pyroute2 import AsyncIPRoute

        group = RTMGRP_IPV4_IFADDR if self._family is Family.IPV4 else RTMGRP_IPV6_IFADDR
        try:
            events = AsyncIPRoute(netns=self._netns)
            await events.bind(groups=group)
        except (OSError, ValueError) as exc:
            log.warning("no netlink address events (%s); polling instead", exc)
            return
        self._events = events
        self._listener = asyncio.create_task(self._pump(events))

    async def _pump(self, events: Any) -> None:
        while True:
            async for message in events.get():
                if message.get("event") in {"RTM_NEWADDR", "RTM_DELADDR"}:
                    self._changed.set()

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._events is not None:
            self._events.close()

"""Addresses of this machine's interfaces, read and watched through netlink (netlink.py).

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
import errno
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from homing.client.addresses import Family, usable_address
from homing.client.detect import netlink
from homing.client.errors import DetectionError
from homing.client.options import Options
from homing.domain.addresses import IPAddress

log = logging.getLogger(__name__)

# linux/if_addr.h
IFA_F_SECONDARY = 0x01  # for IPv6 the same bit means IFA_F_TEMPORARY
IFA_F_DADFAILED = 0x08
IFA_F_DEPRECATED = 0x20
IFA_F_TENTATIVE = 0x40


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
        self._events: socket.socket | None = None

    @property
    def description(self) -> str:
        return f"interface {self._settings.interface or '(best address)'}"

    async def addresses(self) -> list[InterfaceAddress]:
        """Every address of the machine (or of the test's network namespace)."""
        af = socket.AF_INET if self._family is Family.IPV4 else socket.AF_INET6
        try:
            found = netlink.read_addresses(family=af, netns=self._netns)
        except OSError as exc:
            raise DetectionError(f"cannot read interface addresses: {exc}") from None
        return [InterfaceAddress(name, m.address, m.flags) for name, m in found]

    async def detect(self) -> IPAddress:
        # Listen before reading, so a change between the two is not missed.
        self._listen()
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

    def _listen(self) -> None:
        if self._listen_tried:
            return
        self._listen_tried = True
        group = (
            netlink.RTMGRP_IPV4_IFADDR
            if self._family is Family.IPV4
            else netlink.RTMGRP_IPV6_IFADDR
        )
        try:
            events = netlink.open_socket(groups=group, netns=self._netns)
        except OSError as exc:
            log.warning("no netlink address events (%s); polling instead", exc)
            return
        events.setblocking(False)
        asyncio.get_running_loop().add_reader(events.fileno(), self._on_events)
        self._events = events

    def _on_events(self) -> None:
        """Drain the event socket; any address message, or a lost one, means: look again."""
        while self._events is not None:
            try:
                data = self._events.recv(netlink.RECEIVE_BYTES)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:  # the kernel dropped events it had for us
                    self._changed.set()
                    continue
                log.warning("netlink address events failed (%s); polling instead", exc)
                self._stop_listening()
                return
            try:
                kinds = {message.kind for message in netlink.split_messages(data)}
            except netlink.NetlinkError as exc:
                log.warning("unreadable netlink event (%s); detecting again", exc)
                kinds = {netlink.RTM_NEWADDR}
            if kinds & {netlink.RTM_NEWADDR, netlink.RTM_DELADDR}:
                self._changed.set()

    def _stop_listening(self) -> None:
        if self._events is not None:
            asyncio.get_running_loop().remove_reader(self._events.fileno())
            self._events.close()
            self._events = None

    async def aclose(self) -> None:
        self._stop_listening()

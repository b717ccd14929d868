"""What every address source is: ``detect`` one address, and ``wait_for_change`` cheaply.

A source module (one file each) holds a frozen settings dataclass parsed
from its ``[ipv4]``/``[ipv6]`` table and the source that ``build`` returns.
Sources that hear about changes (netlink) return from ``wait_for_change``
early; the others simply let the poll interval pass.
"""

from __future__ import annotations

from typing import Protocol

from homing.client.addresses import Family
from homing.domain.addresses import IPAddress


class AddressSource(Protocol):
    """One family's address of this machine, from somewhere."""

    @property
    def description(self) -> str:
        """Where the address comes from, for ``status`` and ``check`` (``interface eth0``)."""
        ...

    async def detect(self) -> IPAddress:
        """The current address; raises DetectionError when there is no usable one."""
        ...

    async def wait_for_change(self, seconds: float) -> None:
        """Return after ``seconds``, or earlier when the address may have changed."""
        ...

    async def aclose(self) -> None:
        """Release sockets and connections."""
        ...


class SourceSettings(Protocol):
    """A source's parsed ``[ipv4]``/``[ipv6]`` table."""

    @property
    def poll_seconds(self) -> float:
        """How often to detect again without being told of a change."""
        ...

    def build(self, *, family: Family, public_only: bool, timeout: float) -> AddressSource:
        """The source for ``family``."""
        ...

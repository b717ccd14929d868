"""Route netlink by hand: dump the machine's addresses, and hear when they change.

The interface source needs two things from the kernel (rtnetlink(7)): an
RTM_GETADDR dump and the RTMGRP_IPV4_IFADDR/RTMGRP_IPV6_IFADDR multicast
groups. pyroute2 did both, but importing any part of it loads its whole
package (NDB, IPDB, conntrack, …): about 11 MiB of resident memory, which
put ``homing client run`` over issue 3's 40 MiB target
(``bench/client_footprint.py``). The wire format is a fixed header, a fixed
family header and a list of type-length-value attributes, so ``struct``
reads it here. The parsing is pure and raises only NetlinkError; the socket
functions below it are a thin shell.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from homing.client.errors import DetectionError
from homing.domain.addresses import IPAddress

# linux/netlink.h
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x01
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP = 0x300
_NLA_TYPE_MASK = 0x3FFF  # without NLA_F_NESTED and NLA_F_NET_BYTEORDER
# linux/rtnetlink.h
RTM_NEWLINK = 16
RTM_GETLINK = 18
RTM_NEWADDR = 20
RTM_DELADDR = 21
RTM_GETADDR = 22
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV6_IFADDR = 0x100
# linux/if_addr.h
IFA_ADDRESS = 1
IFA_LOCAL = 2
IFA_FLAGS = 8
# linux/if_link.h
IFLA_IFNAME = 3

_HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, sequence, port id
_ADDRESS = struct.Struct("=BBBBI")  # ifaddrmsg: family, prefix length, flags, scope, index
_LINK = struct.Struct("=BxHiII")  # ifinfomsg: family, type, index, flags, change mask
_ATTRIBUTE = struct.Struct("=HH")  # rtattr: length, type
_ERRNO = struct.Struct("=i")  # nlmsgerr begins with the negated errno
_FLAGS = struct.Struct("=I")
_ADDRESS_BYTES = {socket.AF_INET: 4, socket.AF_INET6: 16}

RECEIVE_BYTES = 65536  # the kernel caps one dump batch at 32 KiB
DUMP_TIMEOUT = 2.0
_DUMP_ATTEMPTS = 3
_CLONE_NEWNET = 0x40000000  # linux/sched.h


class NetlinkError(DetectionError):
    """A netlink message that does not parse, or an error the kernel answered."""


@dataclass(frozen=True)
class Message:
    """One netlink message: its type (RTM_NEWADDR, NLMSG_DONE, …), flags and body."""

    kind: int
    flags: int
    sequence: int
    body: bytes


@dataclass(frozen=True, kw_only=True)
class AddressMessage:
    """An RTM_NEWADDR/RTM_DELADDR body: the address, its interface index and IFA_F_* flags."""

    address: IPAddress
    prefix_length: int
    flags: int
    scope: int
    index: int


def _aligned(length: int) -> int:
    return (length + 3) & ~3  # NLMSG_ALIGN and RTA_ALIGN: 4 bytes


def split_messages(data: bytes) -> list[Message]:
    """The messages in one datagram, in order."""
    messages = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < _HEADER.size:
            raise NetlinkError(f"netlink header cut short at byte {offset}")
        length, kind, flags, sequence, _port = _HEADER.unpack_from(data, offset)
        if length < _HEADER.size or offset + length > len(data):
            raise NetlinkError(f"netlink message at byte {offset} claims {length} bytes")
        messages.append(
            Message(kind, flags, sequence, data[offset + _HEADER.size : offset + length])
        )
        offset += _aligned(length)
    return messages


def parse_attributes(data: bytes) -> dict[int, bytes]:
    """Attribute type → payload; a repeated type keeps its last payload, as the kernel's parser."""
    attributes = {}
    offset = 0
    while len(data) - offset >= _ATTRIBUTE.size:
        length, kind = _ATTRIBUTE.unpack_from(data, offset)
        if length < _ATTRIBUTE.size or offset + length > len(data):
            raise NetlinkError(f"netlink attribute at byte {offset} claims {length} bytes")
        attributes[kind & _NLA_TYPE_MASK] = data[offset + _ATTRIBUTE.size : offset + length]
        offset += _aligned(length)
    return attributes


def parse_address(body: bytes) -> AddressMessage:
    """An RTM_NEWADDR or RTM_DELADDR body.

    IFA_LOCAL is preferred to IFA_ADDRESS: on a point-to-point link (PPPoE,
    the usual DSL uplink) IFA_ADDRESS is the peer's address, not ours.
    IFA_FLAGS, when present, carries the flags that no longer fit the
    header's eight bits.
    """
    if len(body) < _ADDRESS.size:
        raise NetlinkError(f"address message of {len(body)} bytes")
    family, prefix_length, flags, scope, index = _ADDRESS.unpack_from(body)
    size = _ADDRESS_BYTES.get(family)
    if size is None:
        raise NetlinkError(f"address message of family {family}")
    attributes = parse_attributes(body[_ADDRESS.size :])
    raw = attributes.get(IFA_LOCAL, attributes.get(IFA_ADDRESS))
    if raw is None or len(raw) != size:
        raise NetlinkError(f"address message without a {size}-byte IFA_LOCAL or IFA_ADDRESS")
    extended = attributes.get(IFA_FLAGS)
    if extended is not None:
        if len(extended) != _FLAGS.size:
            raise NetlinkError(f"IFA_FLAGS of {len(extended)} bytes")
        (flags,) = _FLAGS.unpack(extended)
    return AddressMessage(
        address=ipaddress.ip_address(raw),
        prefix_length=prefix_length,
        flags=flags,
        scope=scope,
        index=index,
    )


def parse_link(body: bytes) -> tuple[int, str]:
    """An RTM_NEWLINK body's interface index and name (decoded as socket.if_indextoname does)."""
    if len(body) < _LINK.size:
        raise NetlinkError(f"link message of {len(body)} bytes")
    _family, _type, index, _flags, _change = _LINK.unpack_from(body)
    name = parse_attributes(body[_LINK.size :]).get(IFLA_IFNAME)
    if name is None:
        raise NetlinkError(f"link {index} without IFLA_IFNAME")
    return index, os.fsdecode(name.split(b"\0", 1)[0])


def dump_request(kind: int, *, family: int, sequence: int) -> bytes:
    """An RTM_GETADDR or RTM_GETLINK dump request for ``family`` (AF_UNSPEC: all)."""
    if kind == RTM_GETADDR:
        body = _ADDRESS.pack(family, 0, 0, 0, 0)
    else:
        body = _LINK.pack(family, 0, 0, 0, 0)
    header = _HEADER.pack(_HEADER.size + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, sequence, 0)
    return header + body


def open_socket(*, groups: int = 0, netns: str | None = None) -> socket.socket:
    """A route netlink socket joined to ``groups``; inside ``netns`` when named (tests do)."""
    if not hasattr(socket, "AF_NETLINK"):
        raise OSError(errno.EAFNOSUPPORT, "netlink is Linux's; this system has none")

    def create() -> socket.socket:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        try:
            sock.bind((0, groups))
        except OSError:
            sock.close()
            raise
        return sock

    return create() if netns is None else _inside(netns, create)


def _inside(netns: str, create: Callable[[], socket.socket]) -> socket.socket:
    """``create()`` run on a thread that joined the ``ip netns`` namespace ``netns``.

    A socket stays in the namespace it was created in, and setns(2) moves
    only the calling thread, so the daemon's own threads are never moved.
    os.setns arrived in Python 3.12; before that it is libc's.
    """
    import ctypes  # only tests name a namespace: the daemon never loads ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    outcome: list[socket.socket | OSError] = []

    def run() -> None:
        try:
            with open(f"/run/netns/{netns}", "rb") as target:
                if libc.setns(target.fileno(), _CLONE_NEWNET) != 0:
                    number = ctypes.get_errno()
                    raise OSError(number, f"setns {netns}: {os.strerror(number)}")
            outcome.append(create())
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, name=f"netns {netns}")
    thread.start()
    thread.join()
    if isinstance(outcome[0], OSError):
        raise outcome[0]
    return outcome[0]


def dump(sock: socket.socket, kind: int, *, family: int) -> list[Message]:
    """Every answer to one dump request, without NLMSG_DONE.

    This blocks, on purpose: the kernel builds a dump inside recv() from its
    own tables, waiting for nobody, so it returns in microseconds and works
    under any event loop. A dump that an address change interrupted
    (NLM_F_DUMP_INTR) may be inconsistent and is asked for again.
    """
    sock.settimeout(DUMP_TIMEOUT)
    for attempt in range(1, _DUMP_ATTEMPTS + 1):
        sock.send(dump_request(kind, family=family, sequence=attempt))
        answers = dump_answers(_datagrams(sock))
        if not any(m.flags & NLM_F_DUMP_INTR for m in answers):
            return answers
    raise NetlinkError(f"the kernel's tables kept changing during {_DUMP_ATTEMPTS} dumps")


def _datagrams(sock: socket.socket) -> Iterator[bytes]:
    while True:
        yield sock.recv(RECEIVE_BYTES)


def dump_answers(datagrams: Iterable[bytes]) -> list[Message]:
    """The answers in a dump's datagrams, up to NLMSG_DONE (often sharing the last datagram)."""
    answers: list[Message] = []
    for datagram in datagrams:
        for message in split_messages(datagram):
            if message.kind == NLMSG_DONE:
                return answers
            if message.kind == NLMSG_ERROR:
                raise NetlinkError(f"the kernel refused the dump: {refusal(message.body)}")
            answers.append(message)
    raise NetlinkError("a dump ended without NLMSG_DONE")


def refusal(body: bytes) -> str:
    """What an NLMSG_ERROR body says (it begins with the negated errno)."""
    if len(body) < _ERRNO.size:
        return f"an error message of {len(body)} bytes"
    (negated,) = _ERRNO.unpack_from(body)
    number = -negated
    return os.strerror(number) if 0 < number < 4096 else f"error number {number}"


def read_addresses(*, family: int, netns: str | None = None) -> list[tuple[str, AddressMessage]]:
    """Every address of ``family`` with its interface's name: a link dump, then an address dump.

    Names come from the link dump rather than socket.if_indextoname so that
    they are read in the same namespace as the addresses.
    """
    with open_socket(netns=netns) as sock:
        links = dump(sock, RTM_GETLINK, family=socket.AF_UNSPEC)
        names = dict(parse_link(m.body) for m in links if m.kind == RTM_NEWLINK)
        found = [
            parse_address(m.body)
            for m in dump(sock, RTM_GETADDR, family=family)
            if m.kind == RTM_NEWADDR
        ]
    return [(names.get(a.index, str(a.index)), a) for a in found]

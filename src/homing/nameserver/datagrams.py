"""UDP datagrams in and out by the batch (recvmmsg, sendmmsg) for the DNS workers.

A busy worker finds many queries waiting. Taken one ``recvfrom`` at a time,
each costs a system call, a new address tuple with the address as text, and
``sendto`` parses that text back. Here one ``recvmmsg`` fills up to
``BATCH`` slots of buffers that stay allocated, the answers are copied
into the slots together, and one ``sendmmsg`` sends them all to the
addresses the kernel wrote beside the queries. The address becomes text
only for the few datagrams that need it (``source``: the reference engine, a
request forwarded to the provider); rate limiting reads it packed
(``addresses``).

Where libc has no ``recvmmsg`` (``AVAILABLE`` is False) the worker keeps
its plain ``recvfrom``/``sendto`` loop, which stays the reference that
``tests/nameserver/test_datagrams.py`` holds this one to.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import socket
import sys
from array import array
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import cast

log = logging.getLogger(__name__)

BATCH = 64
"""Datagrams taken per call: as many as a worker answers before it looks at its channel."""
SLOT = 8192
"""Bytes per slot: the largest query read (as ``recvfrom`` did) and the largest answer
(``dns_udp_max_payload`` is at most 4096)."""
NAME_SIZE = 28
"""A sockaddr_in6, the larger of the two families' addresses."""
IPV4_ADDRESS = slice(4, 8)
IPV6_ADDRESS = slice(8, 24)
"""Where the address sits in a sockaddr_in and a sockaddr_in6."""


class _IOVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class _MsgHdr(ctypes.Structure):
    _fields_ = [
        ("msg_name", ctypes.c_void_p),
        ("msg_namelen", ctypes.c_uint32),
        ("msg_iov", ctypes.c_void_p),
        ("msg_iovlen", ctypes.c_size_t),
        ("msg_control", ctypes.c_void_p),
        ("msg_controllen", ctypes.c_size_t),
        ("msg_flags", ctypes.c_int),
    ]


class _MMsgHdr(ctypes.Structure):
    _fields_ = [("msg_hdr", _MsgHdr), ("msg_len", ctypes.c_uint)]


Call = Callable[..., int]


def _libc_calls() -> tuple[Call, Call] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        receive, send = libc.recvmmsg, libc.sendmmsg
    except (OSError, AttributeError):
        return None
    receive.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p]
    receive.restype = ctypes.c_int
    send.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int]
    send.restype = ctypes.c_int
    return receive, send


_CALLS = _libc_calls()
AVAILABLE = _CALLS is not None

HEADER_SIZE = ctypes.sizeof(_MMsgHdr)
IOVEC_SIZE = ctypes.sizeof(_IOVec)
SIZE_T = ctypes.sizeof(ctypes.c_size_t)
_HEADER_WORDS = HEADER_SIZE // 4
_MSG_LEN = _MMsgHdr.msg_len.offset // 4
_IOVEC_WORDS = IOVEC_SIZE // SIZE_T
_IOV_LEN = _IOVec.iov_len.offset // SIZE_T
_NAME_FIELDS = _MsgHdr.msg_namelen.offset + ctypes.sizeof(ctypes.c_uint32)
"""The bytes of a header that say where its datagram came from: msg_name, msg_namelen."""


class DatagramBatch:
    """The slots of one UDP socket: ``receive``, ``datagrams``, then ``send`` their replies.

    The per-datagram work is done by the batch, not by a call per datagram:
    ``datagrams`` copies them out in one comprehension, and ``send`` joins
    the replies, copies them into the slots at once (the queries were copied
    out, so the slots are free) and writes every iovec's base and length with
    two slice assignments. A datagram without a reply moves the source
    addresses of the later ones' headers forward, so ``sendmmsg`` sends
    exactly the replies, in order; the pristine headers and iovecs are put
    back for the next ``receive``.
    """

    def __init__(self, sock: socket.socket) -> None:
        assert _CALLS is not None
        self._recvmmsg, self._sendmmsg = _CALLS
        self._fd = sock.fileno()
        self._family = sock.family
        self._address = IPV4_ADDRESS if sock.family == socket.AF_INET else IPV6_ADDRESS
        self._headers = bytearray(HEADER_SIZE * BATCH)
        self._iovecs = bytearray(IOVEC_SIZE * BATCH)
        self._names = bytearray(NAME_SIZE * BATCH)
        self._slots = bytearray(SLOT * BATCH)
        headers = (_MMsgHdr * BATCH).from_buffer(self._headers)
        iovecs = (_IOVec * BATCH).from_buffer(self._iovecs)
        names = ctypes.addressof(ctypes.c_char.from_buffer(self._names))
        slots = ctypes.addressof(ctypes.c_char.from_buffer(self._slots))
        for k in range(BATCH):
            iovecs[k].iov_base = slots + SLOT * k
            iovecs[k].iov_len = SLOT
            header = headers[k].msg_hdr
            header.msg_name = names + NAME_SIZE * k
            header.msg_namelen = NAME_SIZE
            header.msg_iov = ctypes.addressof(iovecs[k])
            header.msg_iovlen = 1
        self._slots_address = slots
        self._header_address = ctypes.addressof(headers)
        self._pristine_headers = bytes(self._headers)
        self._pristine_iovecs = bytes(self._iovecs)
        self._header_words = memoryview(self._headers).cast("I")
        self._header_bytes = memoryview(self._headers)
        iov_view = memoryview(self._iovecs)
        self._iov_words = iov_view.cast("Q") if SIZE_T == 8 else iov_view.cast("I")
        self._word = "Q" if SIZE_T == 8 else "I"
        self._slot_bytes = memoryview(self._slots)
        self._name_bytes = memoryview(self._names)
        self._name_words = self._name_bytes.cast("I")
        self._starts = range(0, SLOT * BATCH, SLOT)
        self._address_starts = range(self._address.start, NAME_SIZE * BATCH, NAME_SIZE)
        self.address_size = self._address.stop - self._address.start
        """Bytes of a packed source address: 4 on an IPv4 socket, 16 on an IPv6 one."""

    def receive(self) -> int:
        """Take the waiting datagrams (at most BATCH); 0 when none is waiting."""
        count: int = self._recvmmsg(
            self._fd, self._header_address, BATCH, socket.MSG_DONTWAIT, None
        )
        if count < 0:
            code = ctypes.get_errno()
            if code not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR):
                log.debug("UDP receive error: %s", errno.errorcode.get(code, code))
            return 0
        return count

    def datagrams(self, count: int) -> list[bytes]:
        """The ``count`` datagrams received, in order."""
        slots = self._slot_bytes
        lengths = self._header_words[_MSG_LEN : count * _HEADER_WORDS : _HEADER_WORDS]
        return [
            slots[start : start + n].tobytes()
            for start, n in zip(self._starts[:count], lengths, strict=True)
        ]

    def addresses(self, count: int, size: int = 0) -> list[bytes]:
        """The ``count`` datagrams' source addresses, packed (``address_size`` bytes each), or
        their first ``size`` bytes (a rate-limiting IPv6 network, ``ipv6_bytes`` of the limiter)."""
        size = size or self.address_size
        # One copy of the few bytes the kernel wrote, then slices of bytes: a third of the
        # cost of a memoryview slice made into bytes per address.
        names = self._name_bytes[: NAME_SIZE * count].tobytes()
        return [names[at : at + size] for at in self._address_starts[:count]]

    def ipv4_words(self, count: int) -> list[int]:
        """On an IPv4 socket, the ``count`` source addresses as 32-bit words in this machine's
        byte order (``ratelimit.ipv4_networks``): one strided read, no slice per address."""
        return self._name_words[self._address.start // 4 :: NAME_SIZE // 4][:count].tolist()

    def source(self, k: int) -> tuple[str, int] | tuple[str, int, int, int]:
        """The k-th datagram's source as ``recvfrom`` gives it."""
        name = bytes(self._name_bytes[NAME_SIZE * k : NAME_SIZE * (k + 1)])
        host = socket.inet_ntop(self._family, name[self._address])
        port = int.from_bytes(name[2:4], "big")
        if self._family == socket.AF_INET:
            return host, port
        return (
            host,
            port,
            int.from_bytes(name[4:8], "big"),
            int.from_bytes(name[24:28], sys.byteorder),
        )

    def send(self, replies: list[bytes | None]) -> None:
        """Send ``replies[k]`` to the k-th datagram's source, for every k with one.

        A failed datagram is skipped; a reply larger than a slot is not sent.
        """
        sending = self._compact(replies) if None in replies else cast(list[bytes], replies)
        lengths = list(map(len, sending))
        if lengths and max(lengths) > SLOT:
            sending = self._compact(sending)
            lengths = list(map(len, sending))
        out = len(sending)
        if out:
            joined = b"".join(sending)
            self._slot_bytes[: len(joined)] = joined
            bases = list(accumulate(lengths[:-1], initial=self._slots_address))
            self._iov_words[: out * _IOVEC_WORDS : _IOVEC_WORDS] = array(self._word, bases)
            self._iov_words[_IOV_LEN : out * _IOVEC_WORDS : _IOVEC_WORDS] = array(
                self._word, lengths
            )
            self._sendmmsg_all(out)
        self._headers[:] = self._pristine_headers
        self._iovecs[:] = self._pristine_iovecs

    def _compact(self, replies: Sequence[bytes | None]) -> list[bytes]:
        """The replies to send, their headers moved forward over those without one."""
        kept: list[bytes] = []
        size, headers = HEADER_SIZE, self._header_bytes
        for k, wire in enumerate(replies):
            if wire is None:
                continue
            if len(wire) > SLOT:
                log.warning("a UDP answer of %d bytes is larger than a slot; not sent", len(wire))
                continue
            out = len(kept)
            if out != k:
                # Only the address moves: header ``out`` keeps its own iovec, which ``send``
                # points at the ``out``-th reply.
                headers[out * size : out * size + _NAME_FIELDS] = headers[
                    k * size : k * size + _NAME_FIELDS
                ]
            kept.append(wire)
        return kept

    def _sendmmsg_all(self, out: int) -> None:
        sent = 0
        while sent < out:
            done: int = self._sendmmsg(
                self._fd, self._header_address + HEADER_SIZE * sent, out - sent, 0
            )
            if done > 0:
                sent += done
                continue
            code = ctypes.get_errno()
            if code in (errno.EAGAIN, errno.EWOULDBLOCK):
                log.debug("UDP send buffer full; %d answers dropped", out - sent)
                break
            log.debug("UDP send failed: %s", errno.errorcode.get(code, code))
            sent += 1

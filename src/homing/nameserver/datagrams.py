"""UDP datagrams in and out by the batch (recvmmsg, sendmmsg) for the DNS workers.

A busy worker finds many queries waiting. Taken one ``recvfrom`` at a time,
each costs a system call, a new address tuple with the address as text, and
``sendto`` parses that text back. Here one ``recvmmsg`` fills up to
``BATCH`` slots of buffers that stay allocated, each answer is written into
its query's slot, and one ``sendmmsg`` sends them all to the addresses the
kernel wrote beside the queries. The address becomes text only for the few
datagrams that need it (``source``: the reference engine, a request
forwarded to the provider); rate limiting reads it packed (``address``).

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
from collections.abc import Callable

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


class DatagramBatch:
    """The slots of one UDP socket: ``receive``, then per datagram ``reply`` or not, ``send``.

    Replies are packed to the front of the header array as they are given
    (a header is copied forward over one that got no reply), so ``sendmmsg``
    sends exactly the datagrams that have one, in order; ``send`` puts the
    pristine headers back for the next ``receive``.
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
        self._header_address = ctypes.addressof(headers)
        self._pristine_headers = bytes(self._headers)
        self._pristine_iovecs = bytes(self._iovecs)
        self._header_words = memoryview(self._headers).cast("I")
        self._header_bytes = memoryview(self._headers)
        iov_view = memoryview(self._iovecs)
        self._iov_words = iov_view.cast("Q") if SIZE_T == 8 else iov_view.cast("I")
        self._slot_bytes = memoryview(self._slots)
        self._name_bytes = memoryview(self._names)
        self._out = 0
        """Headers at the front that carry a reply, ready for ``sendmmsg``."""

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

    def datagram(self, k: int) -> bytes:
        """The k-th datagram received."""
        start = SLOT * k
        return bytes(
            self._slot_bytes[start : start + self._header_words[k * _HEADER_WORDS + _MSG_LEN]]
        )

    def address(self, k: int) -> bytes:
        """The k-th datagram's source address, packed (4 or 16 bytes)."""
        at = NAME_SIZE * k
        return bytes(self._name_bytes[at + self._address.start : at + self._address.stop])

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

    def reply(self, k: int, wire: bytes) -> None:
        """Send ``wire`` to the k-th datagram's source with the next ``send``."""
        if len(wire) > SLOT:
            log.warning("a UDP answer of %d bytes is larger than a slot; not sent", len(wire))
            return
        start = SLOT * k
        self._slot_bytes[start : start + len(wire)] = wire
        self._iov_words[k * _IOVEC_WORDS + _IOV_LEN] = len(wire)
        out = self._out
        if out != k:
            size = HEADER_SIZE
            self._header_bytes[out * size : (out + 1) * size] = self._header_bytes[
                k * size : (k + 1) * size
            ]
        self._out = out + 1

    def send(self) -> None:
        """Send every reply given since the last ``send``; a failed datagram is skipped."""
        sent, out = 0, self._out
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
        self._out = 0
        self._headers[:] = self._pristine_headers
        self._iovecs[:] = self._pristine_iovecs

"""Messages between the provider and its DNS workers: pickled frames over a socketpair.

Both ends are this program, started by the provider itself (the socket is
inherited, never listened on), so pickle is safe here and fast: a million
compiled names cross as one frame in a fraction of a second.

Provider → worker: ``Setup``, ``ZoneState`` (a compiled zone as the provider
holds it), ``Synced`` (the zones sent are the view as of event N), ``Event`` (a numbered
view event, with the DNSSEC signatures the provider made applying it), ``Resigned``
(signatures the provider made again before they expire), ``Listen`` (caught up: bind
the DNS sockets now), ``Reply`` (the answer to a forwarded request), ``Stop``.
Only the provider signs; a worker installs what it is sent (``signatures``), in
the order the provider made it: events and refreshes share the one stream.
Worker → provider: ``Applied`` (every event up to ``seq`` is served),
``Forward`` (a message only the provider can answer: UPDATE, NOTIFY, a TSIG
signature, a zone transfer), ``Counts`` (answers by type and rcode).
"""

from __future__ import annotations

import pickle
import struct
from dataclasses import dataclass

from homing.domain.records import ViewEvent
from homing.nameserver.compiled import CompiledZone
from homing.nameserver.ratelimit import RateLimitSettings
from homing.nameserver.signatures import NewSignatures

LENGTH = struct.Struct("!I")
MAX_FRAME = 1 << 31


@dataclass(frozen=True, slots=True, kw_only=True)
class Setup:
    index: int
    addresses: list[tuple[str, int]]
    log_level: str
    log_format: str
    inherited: list[int]
    """File descriptors of sockets handed over already bound (one per address, or -1)."""
    rate_limit: RateLimitSettings
    udp_max_payload: int


@dataclass(frozen=True, slots=True)
class ZoneState:
    zone: CompiledZone


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    event: ViewEvent
    signatures: NewSignatures | None = None
    """What the provider signed applying ``event`` (``CompiledView.signatures_for``)."""


@dataclass(frozen=True, slots=True)
class Resigned:
    """Signatures made again before they expire, by zone key (``refresh_signatures``)."""

    refreshed: dict[bytes, NewSignatures]


@dataclass(frozen=True, slots=True)
class Synced:
    """The zones sent so far are the provider's view as of event ``seq``."""

    seq: int


@dataclass(frozen=True, slots=True)
class Listen:
    pass


@dataclass(frozen=True, slots=True)
class Stop:
    pass


@dataclass(frozen=True, slots=True)
class Reply:
    request: int
    messages: list[bytes]


@dataclass(frozen=True, slots=True)
class Applied:
    seq: int


@dataclass(frozen=True, slots=True)
class Forward:
    request: int
    wire: bytes
    peer: str


@dataclass(frozen=True, slots=True)
class Counts:
    answered: dict[tuple[int, int], int]
    rrl_dropped: int
    rrl_slipped: int


Message = (
    Setup
    | ZoneState
    | Synced
    | Event
    | Resigned
    | Listen
    | Stop
    | Reply
    | Applied
    | Forward
    | Counts
)


def encode(message: Message) -> bytes:
    """One frame: its length, the pickle's length, the pickle, then each out-of-band buffer
    (``pickle.PickleBuffer``: a compiled zone's marshalled nodes) with its length."""
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
    parts: list[bytes | memoryview] = [LENGTH.pack(len(data)), data]
    for buffer in buffers:
        raw = buffer.raw()
        parts += [LENGTH.pack(len(raw)), raw]
    size = sum(map(len, parts))
    return b"".join([LENGTH.pack(size), *parts])


def _decode(frame: memoryview) -> Message:
    """The message of one frame (after its length), its out-of-band buffers read in place."""
    views: list[memoryview] = []
    at = 0
    try:
        while at < len(frame):
            if at + LENGTH.size > len(frame):
                raise ValueError(f"a frame of {len(frame)} bytes ends inside a part's length")
            (size,) = LENGTH.unpack_from(frame, at)
            at += LENGTH.size
            if at + size > len(frame):
                raise ValueError(f"a frame of {len(frame)} bytes holds a part of {size} bytes")
            views.append(frame[at : at + size])
            at += size
        if not views:
            raise ValueError("an empty frame on the worker channel")
        # Our own process on the other end of an inherited socketpair (module docstring).
        message: Message = pickle.loads(views[0], buffers=views[1:])  # noqa: S301
        return message
    finally:
        for view in views:
            view.release()


class FrameReader:
    """Reassembles frames from a byte stream."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages: list[Message] = []
        while len(self._buffer) >= LENGTH.size:
            (size,) = LENGTH.unpack_from(self._buffer)
            if size >= MAX_FRAME:
                raise ValueError(f"frame of {size} bytes on the worker channel")
            end = LENGTH.size + size
            if len(self._buffer) < end:
                break
            # Decoded from a view of the buffer, not a slice of it: a slice would copy the
            # frame, a hundred MiB more at a worker's start for a million hosts. The view
            # is released before the buffer shrinks (a bytearray with exports cannot). A
            # frame that cannot be read is dropped too: the stream stays at a frame's start.
            try:
                with memoryview(self._buffer) as whole, whole[LENGTH.size : end] as frame:
                    message = _decode(frame)
            finally:
                del self._buffer[:end]
            messages.append(message)
        return messages

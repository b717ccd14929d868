"""The provider's channel to its DNS workers: frames reassembled however the stream is cut.

A compiled zone's marshalled node table travels beside the pickle, out of
band, and the worker reads it where it arrived (``channel._decode``): this
holds the framing to the messages it carries, and a hostile length to a
clear error.
"""

from __future__ import annotations

import marshal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homing.domain.records import RRset, ZoneChange
from homing.nameserver import channel
from homing.nameserver.compiled import CompiledView, CompiledZone

from .conftest import snapshot


def _zone() -> CompiledZone:
    view = CompiledView()
    view.apply(snapshot())
    (zone,) = view.zones.values()
    return zone


def _stream() -> tuple[bytes, list[channel.Message]]:
    change = ZoneChange(
        zone="ddns.test.",
        serial=7,
        rrsets=(RRset(name="home.ddns.test.", rtype="A", ttl=60, rdatas=("192.0.2.9",)),),
    )
    messages: list[channel.Message] = [
        channel.Synced(3),
        channel.ZoneState(_zone()),
        channel.Event(4, change),
        channel.Listen(),
    ]
    return b"".join(channel.encode(m) for m in messages), messages


def _same(got: channel.Message, sent: channel.Message) -> bool:
    if isinstance(sent, channel.ZoneState):
        assert isinstance(got, channel.ZoneState)
        return (got.zone.nodes, got.zone.serial, got.zone.key) == (
            sent.zone.nodes,
            sent.zone.serial,
            sent.zone.key,
        )
    return got == sent


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=4096), max_size=12))
def test_frames_come_out_whole_however_the_stream_is_cut(cuts: list[int]) -> None:
    stream, sent = _stream()
    reader = channel.FrameReader()
    got: list[channel.Message] = []
    at = 0
    for cut in cuts:
        got += reader.feed(stream[at : at + cut])
        at += cut
    got += reader.feed(stream[at:])
    assert len(got) == len(sent)
    assert all(_same(g, s) for g, s in zip(got, sent, strict=True))


def test_the_node_table_travels_beside_the_pickle_once() -> None:
    """The marshalled nodes are in the frame exactly once: not copied into the pickle too."""
    zone = _zone()
    table = marshal.dumps(zone.nodes)
    frame = channel.encode(channel.ZoneState(zone))
    assert frame.count(table) == 1
    assert frame.endswith(table)
    (got,) = channel.FrameReader().feed(frame)
    assert isinstance(got, channel.ZoneState)
    assert got.zone.nodes == zone.nodes


def test_the_bytes_after_a_frame_stay_for_the_next() -> None:
    """The views a frame was decoded through are released before the buffer drops it
    (a bytearray with views cannot shrink), and what came after it makes the next frame."""
    reader = channel.FrameReader()
    frame = channel.encode(channel.ZoneState(_zone()))
    first = reader.feed(frame + frame[:10])
    assert len(first) == 1
    rest = reader.feed(frame[10:])
    assert len(rest) == 1


def test_a_hostile_length_is_refused_before_anything_is_buffered_for_it() -> None:
    reader = channel.FrameReader()
    with pytest.raises(ValueError, match="frame of"):
        reader.feed(channel.LENGTH.pack(channel.MAX_FRAME) + b"x" * 16)


@pytest.mark.parametrize(
    "body",
    [
        b"",  # no pickle at all
        b"\x00\x00",  # a part's length cut short
        channel.LENGTH.pack(100) + b"x" * 10,  # a pickle longer than its frame
        channel.encode(channel.Synced(1))[channel.LENGTH.size :] + channel.LENGTH.pack(99),
    ],
)
def test_a_frame_whose_parts_do_not_fit_is_refused_and_the_next_still_read(body: bytes) -> None:
    reader = channel.FrameReader()
    with pytest.raises(ValueError, match="frame"):
        reader.feed(channel.LENGTH.pack(len(body)) + body)
    assert reader.feed(channel.encode(channel.Synced(2))) == [channel.Synced(2)]

"""Route netlink: golden kernel bytes, random bytes, and the real kernel in a namespace."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.client.detect import netlink
from homing.client.detect.netlink import NetlinkError

from ..netns import ip_in, namespace

# Captured from Linux 6.18 with a socket bound to RTMGRP_IPV4_IFADDR |
# RTMGRP_IPV6_IFADDR in a namespace, while running
# `ip addr add 2001:db8:1::5/64 dev veth0 nodad` (veth0 has index 3).
NEWADDR_IPV6 = bytes.fromhex(
    "48000000140000000000000000000000"  # nlmsghdr: 72 bytes, RTM_NEWADDR
    "0a40820003000000"  # ifaddrmsg: AF_INET6, /64, PERMANENT|NODAD, scope 0, index 3
    "1400010020010db8000100000000000000000005"  # IFA_ADDRESS
    "14000600ffffffffffffffff56dd020056dd0200"  # IFA_CACHEINFO
    "0800080082000000"  # IFA_FLAGS
)
# ... and `ip addr add 192.0.2.1 peer 198.51.100.2/32 dev veth0`: IFA_ADDRESS
# is the peer, IFA_LOCAL our end, as on a PPPoE uplink.
NEWADDR_IPV4_PEER = bytes.fromhex(
    "5000000014000000b957096b91680000"  # nlmsghdr: 80 bytes, RTM_NEWADDR, ip's seq and port
    "0220800003000000"  # ifaddrmsg: AF_INET, /32, PERMANENT, scope 0, index 3
    "08000100c6336402"  # IFA_ADDRESS 198.51.100.2
    "08000200c0000201"  # IFA_LOCAL 192.0.2.1
    "0a0003007665746830000000"  # IFA_LABEL "veth0"
    "0800080080000000"  # IFA_FLAGS
    "14000600ffffffffffffffff56dd020056dd0200"  # IFA_CACHEINFO
)
DONE = bytes.fromhex("1400000003000200010000000000000000000000")


def _attribute(kind: int, payload: bytes) -> bytes:
    padding = b"\0" * (-len(payload) % 4)
    return struct.pack("=HH", 4 + len(payload), kind) + payload + padding


def _message(kind: int, body: bytes, *, flags: int = 0) -> bytes:
    return struct.pack("=IHHII", 16 + len(body), kind, flags, 1, 0) + body


def test_golden_ipv6_event() -> None:
    [message] = netlink.split_messages(NEWADDR_IPV6)
    assert (message.kind, message.flags, message.sequence) == (netlink.RTM_NEWADDR, 0, 0)
    parsed = netlink.parse_address(message.body)
    assert parsed == netlink.AddressMessage(
        address=ipaddress.ip_address("2001:db8:1::5"),
        prefix_length=64,
        flags=0x82,
        scope=0,
        index=3,
    )


def test_golden_ipv4_event_prefers_our_end_of_a_point_to_point_link() -> None:
    [message] = netlink.split_messages(NEWADDR_IPV4_PEER)
    assert message.sequence == 0x6B0957B9
    parsed = netlink.parse_address(message.body)
    assert str(parsed.address) == "192.0.2.1"
    assert (parsed.prefix_length, parsed.flags, parsed.index) == (32, 0x80, 3)


def test_ifa_flags_outranks_the_eight_bit_header_field() -> None:
    body = struct.pack("=BBBBI", socket.AF_INET6, 64, 0x01, 0, 2)
    body += _attribute(netlink.IFA_ADDRESS, ipaddress.ip_address("2001:db8::1").packed)
    body += _attribute(netlink.IFA_FLAGS, struct.pack("=I", 0x100 | 0x20))
    assert netlink.parse_address(body).flags == 0x120


def test_a_dump_ends_at_done_even_when_it_shares_the_datagram() -> None:
    # The kernel packs the last answers and NLMSG_DONE into one datagram.
    answers = netlink.dump_answers([NEWADDR_IPV4_PEER, NEWADDR_IPV6 + DONE, b"never read"])
    assert [m.body[0] for m in answers] == [socket.AF_INET, socket.AF_INET6]


def test_a_refused_dump_names_the_kernels_error() -> None:
    refused = _message(netlink.NLMSG_ERROR, struct.pack("=i", -1) + DONE)
    with pytest.raises(NetlinkError, match="refused the dump: Operation not permitted"):
        netlink.dump_answers([refused])
    with pytest.raises(NetlinkError, match="without NLMSG_DONE"):
        netlink.dump_answers([NEWADDR_IPV6])


def test_dump_request_bytes() -> None:
    request = netlink.dump_request(netlink.RTM_GETADDR, family=socket.AF_INET6, sequence=7)
    assert request == bytes.fromhex("180000001600010307000000000000000a00000000000000")
    link = netlink.dump_request(netlink.RTM_GETLINK, family=socket.AF_UNSPEC, sequence=1)
    assert len(link) == 32 and link[4:6] == struct.pack("=H", netlink.RTM_GETLINK)


def test_link_name() -> None:
    body = struct.pack("=BxHiII", 0, 1, 3, 0, 0) + _attribute(netlink.IFLA_IFNAME, b"veth0\0")
    assert netlink.parse_link(body) == (3, "veth0")
    with pytest.raises(NetlinkError, match="link 3 without IFLA_IFNAME"):
        netlink.parse_link(body[:16])


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (NEWADDR_IPV6[16:24], "without a 16-byte IFA_LOCAL or IFA_ADDRESS"),
        (b"\x07" + NEWADDR_IPV6[17:], "family 7"),
        (NEWADDR_IPV6[16:20], "address message of 4 bytes"),
        (NEWADDR_IPV6[16:-8] + _attribute(netlink.IFA_FLAGS, b"\x01"), "IFA_FLAGS of 1 bytes"),
        (NEWADDR_IPV6[16:24] + b"\xff\x00" + NEWADDR_IPV6[26:], "claims 255 bytes"),
    ],
)
def test_malformed_address_messages(body: bytes, complaint: str) -> None:
    with pytest.raises(NetlinkError, match=complaint):
        netlink.parse_address(body)


@given(st.binary(max_size=512))
def test_random_bytes_raise_only_netlink_error(data: bytes) -> None:
    for parse in (
        netlink.split_messages,
        netlink.parse_attributes,
        netlink.parse_address,
        netlink.parse_link,
        netlink.refusal,
        lambda d: netlink.dump_answers([d]),
    ):
        with contextlib.suppress(NetlinkError):
            parse(data)


@given(
    st.lists(
        st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=40)).map(lambda t: _attribute(*t)),
        max_size=6,
    ),
    st.binary(max_size=24),
)
def test_well_framed_messages_with_random_contents_raise_only_netlink_error(
    attributes: list[bytes], header: bytes
) -> None:
    body = header + b"".join(attributes)
    for kind in (netlink.RTM_NEWADDR, netlink.NLMSG_ERROR, netlink.NLMSG_DONE):
        with contextlib.suppress(NetlinkError):
            netlink.dump_answers([_message(kind, body)])
    for parse in (netlink.parse_address, netlink.parse_link):
        with contextlib.suppress(NetlinkError):
            parse(body)


@given(
    st.ip_addresses(),
    st.integers(0, 128),
    st.integers(0, 0xFFFFFFFF),
    st.integers(0, 0xFF),
    st.integers(0, 0xFFFFFFFF),
    st.booleans(),
)
def test_built_address_messages_read_back(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    prefix_length: int,
    flags: int,
    scope: int,
    index: int,
    as_local: bool,
) -> None:
    family = socket.AF_INET if address.version == 4 else socket.AF_INET6
    body = struct.pack("=BBBBI", family, prefix_length, flags & 0xFF, scope, index)
    body += _attribute(netlink.IFA_LOCAL if as_local else netlink.IFA_ADDRESS, address.packed)
    body += _attribute(netlink.IFA_FLAGS, struct.pack("=I", flags))
    [message] = netlink.split_messages(_message(netlink.RTM_NEWADDR, body))
    assert netlink.parse_address(message.body) == netlink.AddressMessage(
        address=address, prefix_length=prefix_length, flags=flags, scope=scope, index=index
    )


def _next_event(events: socket.socket, kind: int, address: str) -> netlink.AddressMessage:
    """The announcement of ``address`` (veth0's link-local address may announce itself too)."""
    while True:  # each recv is bounded by the socket's timeout
        for message in netlink.split_messages(events.recv(netlink.RECEIVE_BYTES)):
            parsed = netlink.parse_address(message.body)
            if message.kind == kind and str(parsed.address) == address:
                return parsed


def test_the_kernel_announces_and_dumps_addresses_we_can_read() -> None:
    with namespace() as name:
        events = netlink.open_socket(
            groups=netlink.RTMGRP_IPV4_IFADDR | netlink.RTMGRP_IPV6_IFADDR, netns=name
        )
        with events:
            events.settimeout(10)
            ip_in(name, "addr", "add", "192.0.2.1", "peer", "198.51.100.2/32", "dev", "veth0")
            added = _next_event(events, netlink.RTM_NEWADDR, "192.0.2.1")
            assert (added.prefix_length, added.scope) == (32, 0)
            ip_in(name, "addr", "add", "2001:db8:1::5/64", "dev", "veth0", "nodad")
            _next_event(events, netlink.RTM_NEWADDR, "2001:db8:1::5")
            ip_in(name, "addr", "del", "192.0.2.1", "peer", "198.51.100.2/32", "dev", "veth0")
            _next_event(events, netlink.RTM_DELADDR, "192.0.2.1")
        v4 = netlink.read_addresses(family=socket.AF_INET, netns=name)
        v6 = netlink.read_addresses(family=socket.AF_INET6, netns=name)
    assert v4 == []
    dumped = {(interface, str(m.address), m.prefix_length) for interface, m in v6}
    assert ("veth0", "2001:db8:1::5", 64) in dumped
    assert all(m.address.version == 6 for _, m in v6)


def test_a_missing_namespace_is_an_os_error() -> None:
    with pytest.raises(FileNotFoundError):
        netlink.open_socket(netns="homing-test-no-such-namespace")

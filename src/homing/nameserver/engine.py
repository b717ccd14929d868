"""The answer engine: a pure function from (view, query bytes) to response bytes.

It reads like RFC 1034 section 4.3.2 for an authoritative-only server:
find the zone (else REFUSED — never recursion), find the node, follow a CNAME
within our data, synthesise from a wildcard (RFC 4592), and otherwise answer
NXDOMAIN or NODATA with the SOA for negative caching (RFC 2308). ANY gets one
RRset (RFC 8482). The response must fit the client's UDP size (EDNS, RFC
6891) or it is sent empty with TC set so the client retries over TCP.
Other opcodes go to handlers registered by the caller (NOTIFY, UPDATE), or
get NOTIMP; zone transfers go to the transfer handler. Those handlers are
asynchronous (they wait for the writer, or send many messages): for them
``answer`` returns an awaitable, and the transport sends what it yields.
A TSIG-signed message is verified with the keyring (RFC 8945); a failure is
answered NOTAUTH with the TSIG error, and a signed query gets a signed answer.
Every verification (UPDATE, NOTIFY, zone transfers, signed queries) first takes
its place in the guard's brake, before the key is even looked up: an address
the brake refuses gets REFUSED, unsigned, and no HMAC is computed for it.

This engine is dnspython's parse, build and render, and it is the reference:
given a fast path (``fastpath.FastPath``), plain queries are answered there
from compiled bytes, and only what the fast path declines comes here.
"""

from __future__ import annotations

import logging
import struct
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig

from homing.nameserver.fastpath import DEFAULT_UDP_MAX_PAYLOAD, FastPath
from homing.nameserver.signed_answers import add_signatures, wants_signatures
from homing.nameserver.view import ANY_PREFERENCE, ZoneContents, ZoneLookup

log = logging.getLogger(__name__)

MIN_UDP_SIZE = 512
TCP_MAX_SIZE = 65535
OUR_EDNS_PAYLOAD = 1232
MAX_CNAME_CHAIN = 8
HEADER = struct.Struct("!HH")
QR_BIT = 0x80
"""The QR flag's bit in the third byte of the header."""
ZONE_TRANSFERS = (dns.rdatatype.AXFR, dns.rdatatype.IXFR)
QueryKind = tuple[int, int]
"""(qtype, rcode) of an answered query, as integers: what ``/metrics`` counts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DNSRequest:
    """A parsed (and, if signed, verified) message for an asynchronous handler."""

    message: dns.message.Message
    peer: str
    tcp: bool


Handler = Callable[[DNSRequest], Coroutine[Any, Any, list[bytes]]]
"""Answers a request with zero or more wire messages (a zone transfer sends many)."""
Keyring = Callable[[dns.message.Message, dns.name.Name], dns.tsig.Key | None]
Answer = bytes | Coroutine[Any, Any, list[bytes]] | None


class TsigCheck(Protocol):
    """One TSIG verification's place in the brake (``core/rfc2136.py`` holds the brake)."""

    def admitted(self) -> bool:
        """False: refused before any check (the peer is locked out or has too many in flight)."""

    def failed(self, error: str) -> None:
        """The check failed with the RFC 8945 error ``error`` (BADKEY, BADSIG, BADTIME)."""

    def close(self) -> None:
        """The check is over (verified, failed or never finished): give the slot back."""


TsigGuard = Callable[[str], TsigCheck]
"""Opens the check of one signed message from a peer address."""


def _formerr(wire: bytes) -> bytes:
    """A FORMERR reply built from the header alone, for queries dnspython cannot parse."""
    query_id, flags = HEADER.unpack_from(wire)
    opcode_bits = flags & 0x7800
    rd = flags & dns.flags.RD
    reply_flags = dns.flags.QR | opcode_bits | rd | dns.rcode.FORMERR
    return HEADER.pack(query_id, reply_flags) + b"\x00" * 8


def error_response(query: dns.message.Message, rcode: dns.rcode.Rcode) -> dns.message.Message:
    """A reply carrying only ``rcode`` (signed when the query was)."""
    response = _make_response(query)
    response.set_rcode(rcode)
    return response


def _make_response(query: dns.message.Message) -> dns.message.Message:
    """A response with our EDNS payload, the query's DO bit echoed (RFC 3225 3), and never
    EDNS padding (RFC 8467 pads only encrypted transports; over UDP it would only make
    answers bigger)."""
    response = dns.message.make_response(query, our_payload=OUR_EDNS_PAYLOAD, pad=0)
    if response.edns >= 0:
        response.ednsflags |= query.ednsflags & dns.flags.DO
    return response


def _no_keys(_message: dns.message.Message, _name: dns.name.Name) -> dns.tsig.Key | None:
    return None


TSIG_FAILURES = (
    dns.message.UnknownTSIGKey,
    dns.tsig.BadSignature,
    dns.tsig.BadTime,
    dns.tsig.BadKey,
    dns.tsig.BadAlgorithm,
)


def tsig_error_name(exc: Exception) -> str:
    """The RFC 8945 error a verification failure is answered with."""
    if isinstance(exc, dns.tsig.BadSignature):
        return "BADSIG"
    if isinstance(exc, dns.tsig.BadTime):
        return "BADTIME"
    return "BADKEY"


class _NotChecked(Exception):
    """Raised from the keyring when the guard refuses the check."""


def _unchecked_refusal(wire: bytes) -> bytes:
    """REFUSED, unsigned: the signature was never checked, so it cannot be answered in kind."""
    try:
        query = dns.message.from_wire(wire, keyring=False)
    except (dns.exception.DNSException, ValueError, IndexError, struct.error, UnicodeError):
        return _formerr(wire)
    return error_response(query, dns.rcode.REFUSED).to_wire()


def _tsig_error(wire: bytes, exc: Exception, keyring: Keyring) -> bytes:
    """NOTAUTH with the TSIG error of RFC 8945 section 5.2.

    BADKEY and BADSIG replies carry a TSIG with an empty MAC (the server cannot
    or must not sign); BADTIME is signed and tells the server's time.
    """
    try:
        query = dns.message.from_wire(wire, keyring=False)
    except (dns.exception.DNSException, ValueError, IndexError, struct.error, UnicodeError):
        return _formerr(wire)
    tsig = query.tsig
    if tsig is None:
        return _formerr(wire)
    response = _make_response(query)
    response.set_rcode(dns.rcode.NOTAUTH)
    key = keyring(query, tsig.name) if isinstance(exc, dns.tsig.BadTime) else None
    if key is not None:
        now = int(time.time())
        response.use_tsig(
            key,
            tsig_error=dns.rcode.BADTIME,
            other_data=struct.pack("!HI", (now >> 32) & 0xFFFF, now & 0xFFFFFFFF),
        )
        response.request_mac = query.mac or b""
        return response.to_wire()
    error = dns.rcode.from_text(tsig_error_name(exc))
    unsigned = tsig[0].replace(mac=b"", error=error, other=b"")
    response.additional.append(dns.rrset.from_rdata(tsig.name, 0, unsigned))
    return response.to_wire()


def _udp_limit(query: dns.message.Message, most: int) -> int:
    if query.edns < 0:
        return MIN_UDP_SIZE
    return max(MIN_UDP_SIZE, min(most, query.payload))


def _rrset_at(owner: dns.name.Name, rrset: dns.rrset.RRset) -> dns.rrset.RRset:
    """A copy of ``rrset`` owned by ``owner`` (wildcard synthesis)."""
    return dns.rrset.from_rdata_list(owner, rrset.ttl, list(rrset))


def _wildcard_node(
    zone: ZoneContents, qname: dns.name.Name
) -> Mapping[dns.rdatatype.RdataType, dns.rrset.RRset] | None:
    """The wildcard node that covers ``qname`` (source of synthesis), if any (RFC 4592 4.1)."""
    encloser = qname.parent()
    while encloser != zone.origin and not zone.node_exists(encloser):
        encloser = encloser.parent()
    return zone.nodes.get(dns.name.Name((b"*", *encloser.labels)))


class Engine:
    """Answers queries from a view; handlers serve other opcodes and zone transfers."""

    def __init__(
        self,
        view: ZoneLookup,
        *,
        handlers: Mapping[int, Handler] | None = None,
        transfer: Handler | None = None,
        keyring: Keyring | None = None,
        tsig_guard: TsigGuard | None = None,
        fast: FastPath | None = None,
        udp_max_payload: int = DEFAULT_UDP_MAX_PAYLOAD,
    ) -> None:
        self.view = view
        self.udp_max_payload = udp_max_payload
        """UDP answers larger than this (or the client's size) go out truncated (TC)."""
        self.handlers = dict(handlers or {})
        self.transfer = transfer
        self.keyring = keyring
        self.tsig_guard = tsig_guard
        self.fast = fast
        self.queries: Counter[QueryKind] = Counter()
        """Answers built here, by (qtype, rcode); the fast path counts its own."""

    def answer(self, wire: bytes, *, tcp: bool, peer: str = "") -> Answer:
        """The response to ``wire``: bytes, an awaitable of messages, or None (send nothing)."""
        if self.fast is not None:
            fast = self.fast.answer(wire, tcp)
            if fast is not None:
                return fast
        return self.answer_reference(wire, tcp=tcp, peer=peer)

    def counts(self) -> Counter[QueryKind]:
        """Every answer given, by (qtype, rcode): the reference engine's and the fast path's."""
        answered = Counter(self.queries)
        if self.fast is not None:
            answered.update(self.fast.counts())
        return answered

    def answer_reference(self, wire: bytes, *, tcp: bool, peer: str = "") -> Answer:
        """``answer`` without the fast path: dnspython all the way (the reference)."""
        if len(wire) < HEADER.size * 3:
            return None
        if wire[2] & QR_BIT:
            return None
        query = self._parse(wire, peer)
        if isinstance(query, bytes):
            return query
        handler = self._handler_for(query)
        if handler is not None:
            return handler(DNSRequest(message=query, peer=peer, tcp=tcp))
        message = self._respond(query)
        kind = (query.question[0].rdtype if query.question else 0, message.rcode())
        self.queries[kind] += 1
        return self._render(query, message, tcp=tcp)

    def _parse(self, wire: bytes, peer: str) -> dns.message.Message | bytes:
        """The message, its TSIG verified under the guard; or the reply that refuses it."""
        keyring = self.keyring or _no_keys
        guard = self.tsig_guard
        check: TsigCheck | None = None

        def guarded(message: dns.message.Message, name: dns.name.Name) -> dns.tsig.Key | None:
            # dnspython asks for the key only when the message carries a TSIG, right before
            # it checks the time and the MAC: the place to take the reservation.
            nonlocal check
            if guard is not None:
                check = guard(peer)
                if not check.admitted():
                    raise _NotChecked
            return keyring(message, name)

        try:
            return dns.message.from_wire(wire, keyring=guarded)
        except _NotChecked:
            self.queries[0, dns.rcode.REFUSED] += 1
            return _unchecked_refusal(wire)
        except TSIG_FAILURES as exc:
            if check is not None:
                check.failed(tsig_error_name(exc))
            self.queries[0, dns.rcode.NOTAUTH] += 1
            return _tsig_error(wire, exc, keyring)
        except (dns.exception.DNSException, ValueError, IndexError, struct.error, UnicodeError):
            self.queries[0, dns.rcode.FORMERR] += 1
            return _formerr(wire)
        finally:
            if check is not None:
                check.close()

    def _handler_for(self, query: dns.message.Message) -> Handler | None:
        opcode = query.opcode()
        if opcode != dns.opcode.QUERY:
            return self.handlers.get(opcode)
        if len(query.question) == 1 and query.question[0].rdtype in ZONE_TRANSFERS:
            return self.transfer
        return None

    def _render(
        self, query: dns.message.Message, response: dns.message.Message, *, tcp: bool
    ) -> bytes:
        limit = TCP_MAX_SIZE if tcp else _udp_limit(query, self.udp_max_payload)
        try:
            # Records keep their stored order (as NSD and Knot do by default): the same
            # question gets the same bytes, which is what lets answers be compiled.
            return response.to_wire(max_size=limit, want_shuffle=False)
        except dns.exception.TooBig:
            truncated = _make_response(query)
            truncated.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
            return truncated.to_wire(max_size=limit)

    def _respond(self, query: dns.message.Message) -> dns.message.Message:
        if query.opcode() != dns.opcode.QUERY:
            return self._error(query, dns.rcode.NOTIMP)
        if query.edns > 0:
            return self._error(query, dns.rcode.BADVERS)
        if len(query.question) != 1:
            return self._error(query, dns.rcode.FORMERR)
        question = query.question[0]
        if question.rdclass != dns.rdataclass.IN:
            return self._error(query, dns.rcode.REFUSED)
        zone = self.view.find_zone(question.name)
        if zone is None or question.rdtype in ZONE_TRANSFERS:
            return self._error(query, dns.rcode.REFUSED)
        response = _make_response(query)
        response.flags |= dns.flags.AA
        self._lookup(zone, question.name, question.rdtype, response)
        signatures = zone.dnssec
        if signatures is not None and wants_signatures(query):
            add_signatures(zone, signatures, question.name, response)
        return response

    @staticmethod
    def _error(query: dns.message.Message, rcode: dns.rcode.Rcode) -> dns.message.Message:
        return error_response(query, rcode)

    def _lookup(
        self,
        zone: ZoneContents,
        qname: dns.name.Name,
        qtype: dns.rdatatype.RdataType,
        response: dns.message.Message,
    ) -> None:
        name = qname
        for _ in range(MAX_CNAME_CHAIN):
            node = zone.nodes.get(name)
            if node is None and zone.has_wildcards and not zone.node_exists(name):
                node = _wildcard_node(zone, name)
            if node is None:
                # RFC 6604: the rcode describes the last name of a CNAME chain.
                if not zone.node_exists(name):
                    response.set_rcode(dns.rcode.NXDOMAIN)
                response.authority.append(zone.negative_soa)
                return
            if qtype == dns.rdatatype.ANY:
                for rdtype in ANY_PREFERENCE:
                    if rdtype in node:
                        response.answer.append(self._owned(node[rdtype], name))
                        return
                response.answer.append(self._owned(next(iter(node.values())), name))
                return
            found = node.get(qtype)
            if found is not None:
                response.answer.append(self._owned(found, name))
                return
            cname = node.get(dns.rdatatype.CNAME)
            if cname is None:
                response.authority.append(zone.negative_soa)
                return
            response.answer.append(self._owned(cname, name))
            target = cname[0].target
            zone_of_target = self.view.find_zone(target)
            if zone_of_target is None:
                return
            zone, name = zone_of_target, target
        log.debug("CNAME chain longer than %d at %s", MAX_CNAME_CHAIN, qname)

    @staticmethod
    def _owned(rrset: dns.rrset.RRset, owner: dns.name.Name) -> dns.rrset.RRset:
        return rrset if rrset.name == owner else _rrset_at(owner, rrset)

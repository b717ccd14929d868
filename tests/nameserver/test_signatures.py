"""Only the provider signs: a DNS worker installs the signatures shipped with each event.

The event bus calls the provider's view, which signs, then the real worker
pool, which frames the event with what was signed (``channel.Event``; a
refresh as ``channel.Resigned``); a real ``Worker`` (in this process, on a
socketpair) decodes what the pool wrote and applies it with
``signatures.sign`` made to fail, so a worker that signed would raise. After
every step the worker holds exactly the provider's RRSIGs, NSEC3 chain and
records, and answers DO=1 queries with the provider's bytes.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any, NoReturn, cast

import dns.message
import dns.name
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homing.core.events import EventBus
from homing.dnssec import keys, signer
from homing.domain.records import RRset, SOAFields, ViewEvent, ZoneChange, ZoneSigning, ZoneSnapshot
from homing.nameserver import channel, signatures
from homing.nameserver.compiled import CompiledView, CompiledZone, decode_entry, name_key
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath
from homing.nameserver.ratelimit import RateLimitSettings
from homing.nameserver.worker import Worker
from homing.nameserver.workers import WorkerPool, _Worker

from .test_fastpath import _names, _rdatas, zones
from .test_signed_answers import QTYPES, _ask, _keyring, _signed, _validated

ZONE = "ddns.test."
ORIGIN = dns.name.from_text(ZONE)
KEY = keys.generate(ORIGIN)
SECOND = keys.generate(ORIGIN, keys.Algorithm.ED25519)
QUESTIONS = (
    ("home.ddns.test.", "A"),
    ("new.x.ddns.test.", "A"),
    ("nobody.ddns.test.", "A"),
    ("x.ddns.test.", "A"),
    ("home.ddns.test.", "MX"),
    ("a.wild.ddns.test.", "A"),
    (ZONE, "SOA"),
    (ZONE, "DNSKEY"),
)


def _snapshot(signing: ZoneSigning | None, serial: int = 1) -> ZoneSnapshot:
    return ZoneSnapshot(
        zone=ZONE,
        soa=SOAFields(mname="ns1.ddns.test.", rname="h.ddns.test.", serial=serial, minimum=30),
        nameservers=("ns1.ddns.test.",),
        ns_ttl=3600,
        rrsets=(
            RRset("home.ddns.test.", "A", 60, ("192.0.2.1",)),
            RRset("gone.ddns.test.", "A", 60, ("192.0.2.2",)),
            RRset("*.wild.ddns.test.", "A", 60, ("192.0.2.9",)),
        ),
        signing=signing,
    )


def _signing(*zone_keys: keys.ZoneKey) -> ZoneSigning:
    first, *others = zone_keys
    return ZoneSigning(
        int(first.algorithm),
        first.private_pem(),
        tuple(ZoneSigning(int(k.algorithm), k.private_pem()) for k in others),
    )


class Frames:
    """The writer of one worker's channel, as the pool writes it: the bytes are kept."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data


class Pair:
    """The provider's view and one worker, fed by the real bus and worker pool over real frames.

    The bus calls the view, then the pool (as ``app.Provider`` subscribes them); what the pool
    writes is decoded and handled by the worker with ``signatures.sign`` made to fail.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.provider = CompiledView()
        self.pool = WorkerPool(
            view=self.provider,
            engine=Engine(self.provider),
            addresses=[],
            count=0,
            log_level="INFO",
            log_format="text",
            rate_limit=RateLimitSettings(rate=0, slip=0),
        )
        self.bus = EventBus()
        self.bus.subscribe(self.provider.apply)
        self.bus.subscribe(self.pool.on_event)
        self._monkeypatch = monkeypatch
        self.control, self.other_end = socket.socketpair()
        self._start(Worker(self.control))

    def _start(self, worker: Worker) -> None:
        self.worker, self.frames, self.written = worker, channel.FrameReader(), Frames()
        fake = _Worker(index=0, process=cast(Any, None), writer=cast(Any, self.written), started=0)
        self.pool._workers = {0: fake}

    def close(self) -> None:
        self.control.close()
        self.other_end.close()

    def _deliver(self, message: channel.Message | None = None) -> None:
        """Hand the worker what the pool wrote (and ``message``, when given)."""

        def no_signing_here(*args: object, **kwargs: object) -> NoReturn:
            raise AssertionError("a DNS worker signed")

        if message is not None:
            self.written.write(channel.encode(message))
        data, self.written.data = bytes(self.written.data), bytearray()
        with self._monkeypatch.context() as patched:
            patched.setattr(signatures, "sign", no_signing_here)
            for decoded in self.frames.feed(data):
                self.worker._handle(decoded)

    def apply(self, event: ViewEvent) -> None:
        self.bus.publish(event)
        self._deliver()
        assert self.worker.applied == self.pool._seq

    def refresh(self) -> int:
        refreshed = self.provider.refresh_signatures()
        self.pool.on_refresh(refreshed)
        self._deliver()
        return sum(len(made) for made in refreshed.values())

    def start_worker(self) -> None:
        """A worker (re)started: it gets the frames ``WorkerPool._spawn`` sends."""
        self.close()
        self.control, self.other_end = socket.socketpair()
        self._start(Worker(self.control))
        for frame in self.pool._state_frames():
            self.written.write(frame)
        self._deliver(channel.Synced(self.pool._seq))

    def zones(self) -> tuple[CompiledZone, CompiledZone]:
        key = name_key(ORIGIN)
        return self.provider.zones[key], self.worker.view.zones[key]

    def assert_same(self, *, validate: bool = True) -> None:
        ours, theirs = self.zones()
        assert theirs.nodes == ours.nodes
        if ours.dnssec is None:
            assert theirs.dnssec is None
            return
        assert theirs.dnssec is not None
        assert not theirs.dnssec.signs
        assert _same_signatures(theirs, ours)
        assert theirs.dnssec.chain.hashes() == ours.dnssec.chain.hashes()
        provider = Engine(self.provider, fast=FastPath(self.provider))
        worker = Engine(self.worker.view, fast=FastPath(self.worker.view))
        keyring = _keyring(provider, ZONE)
        for qname, qtype in QUESTIONS:
            served = _same_answer(worker, provider, qname, qtype)
            if validate:
                _validated(dns.message.from_wire(served), keyring)


def _wire(rrsig: signatures.Signature) -> signatures.WireRRSIG:
    return rrsig if isinstance(rrsig, signatures.WireRRSIG) else signatures.WireRRSIG.of(rrsig)


def _same_signatures(theirs: CompiledZone, ours: CompiledZone) -> bool:
    """The worker holds the provider's RRSIGs and NSEC3 records (as sent or decoded since)."""
    assert theirs.dnssec is not None and ours.dnssec is not None
    worker, provider = theirs.dnssec, ours.dnssec
    rrsigs = [{key: _wire(v) for key, v in z.rrsigs.items()} for z in (worker, provider)]
    denial = [{d: (r, _wire(v)) for d, (r, v) in z.denial.items()} for z in (worker, provider)]
    return rrsigs[0] == rrsigs[1] and denial[0] == denial[1]


def _same_answer(worker: Engine, provider: Engine, qname: str, qtype: str) -> bytes:
    """The worker's answer to a DO=1 query, which must be the provider's to the byte."""
    query = dns.message.make_query(qname, qtype, want_dnssec=True, payload=4096).to_wire()
    served = worker.answer(query, tcp=True)
    assert isinstance(served, bytes)
    assert served == provider.answer(query, tcp=True)
    return served


@pytest.fixture
def pair(monkeypatch: pytest.MonkeyPatch) -> Iterator[Pair]:
    made = Pair(monkeypatch)
    yield made
    made.close()


def _change(serial: int, *rrsets: RRset) -> ZoneChange:
    return ZoneChange(zone=ZONE, serial=serial, rrsets=rrsets)


def test_a_worker_serves_what_the_provider_signed_and_never_signs(pair: Pair) -> None:
    pair.apply(_snapshot(_signing(KEY)))
    pair.assert_same()
    steps = [
        # An address update: the A set and the SOA are signed again, nothing in NSEC3.
        _change(2, RRset("home.ddns.test.", "A", 60, ("192.0.2.7",))),
        # A new name under a new empty non-terminal, and a name that goes, in one event.
        _change(
            3,
            RRset("new.x.ddns.test.", "A", 60, ("192.0.2.8",)),
            RRset("gone.ddns.test.", "A", 60, ()),
        ),
        # A name that comes and goes within one event: nothing of it may stay behind.
        _change(
            4,
            RRset("brief.ddns.test.", "TXT", 60, ('"here"',)),
            RRset("brief.ddns.test.", "TXT", 60, ()),
        ),
        _change(5, RRset("home.ddns.test.", "MX", 60, ("10 home.ddns.test.",))),
    ]
    for event in steps:
        pair.apply(event)
        pair.assert_same()


def test_refreshed_signatures_are_shipped_and_a_restarted_worker_gets_them(pair: Pair) -> None:
    pair.apply(_snapshot(_signing(KEY)))
    ours, _ = pair.zones()
    assert ours.dnssec is not None
    pair.pool._state_frames()  # kept for the next worker to start, until the refresh
    assert pair.refresh() == 0
    start = ours.dnssec.now()
    ours.dnssec.clock = lambda: start + 8 * 86400
    made = pair.refresh()
    assert made == len(ours.dnssec.rrsigs) + len(ours.dnssec.denial)
    # Signed "8 days from now", so not valid yet: the bytes are compared, not validated.
    pair.assert_same(validate=False)
    _, theirs = pair.zones()
    assert theirs.dnssec is not None
    soa = theirs.dnssec.rrsig(name_key(ORIGIN), 6)
    assert soa is not None
    assert soa[0].inception == start + 8 * 86400 - signer.INCEPTION_SKEW_SECONDS
    pair.start_worker()
    pair.assert_same(validate=False)
    pair.apply(_change(2, RRset("home.ddns.test.", "A", 60, ("192.0.2.7",))))
    pair.assert_same(validate=False)


def test_key_rollover_steps_and_disabling_reach_the_worker_signed(pair: Pair) -> None:
    """Each rollover phase is a snapshot (``dnssec.rollover``): it ships everything signed."""
    pair.apply(_snapshot(_signing(KEY)))
    for serial, signing in enumerate(
        (_signing(KEY, SECOND), _signing(SECOND, KEY), _signing(SECOND)), 2
    ):
        pair.apply(_snapshot(signing, serial))
        pair.assert_same()
        _, theirs = pair.zones()
        assert theirs.dnssec is not None
        rrsig = theirs.dnssec.rrsig(name_key(ORIGIN), 6)
        assert rrsig is not None
        assert len(rrsig) == 1 + len(signing.others)
    pair.apply(_snapshot(None, 5))
    pair.assert_same()


def test_an_event_without_its_signatures_is_served_unsigned_and_logged(
    pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    """The negative twin: what the worker was not sent it does not make up, nor sign."""
    pair.apply(_snapshot(_signing(KEY)))
    change = _change(2, RRset("home.ddns.test.", "A", 60, ("192.0.2.7",)))
    pair.provider.apply(change)
    other = _change(2, RRset("home.ddns.test.", "A", 60, ("192.0.2.7",)))
    with caplog.at_level(logging.ERROR):
        assert pair.provider.signatures_for(other) is None  # equal, but not the event applied
        pair._deliver(channel.Event(2, change, None))
    assert "without its signatures" in caplog.text
    assert "no signature shipped" in caplog.text
    ours, theirs = pair.zones()
    assert theirs.dnssec is not None and ours.dnssec is not None
    home = name_key(dns.name.from_text("home.ddns.test."))
    assert (home, 1) in ours.dnssec.rrsigs
    assert (home, 1) not in theirs.dnssec.rrsigs
    engine = Engine(pair.worker.view, fast=FastPath(pair.worker.view))
    response = _ask(engine, "home.ddns.test.", "A")
    assert [r.rdtype for r in response.answer] == [1]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_changes_reach_the_worker_as_signed(data: st.DataObject) -> None:
    zone = _signed(data.draw(zones()), keys.Algorithm.ECDSAP256SHA256)
    with pytest.MonkeyPatch.context() as monkeypatch:
        pair = Pair(monkeypatch)
        try:
            pair.apply(zone)
            serial = zone.soa.serial
            for _ in range(data.draw(st.integers(1, 3))):
                changes = []
                for _ in range(data.draw(st.integers(1, 3))):
                    rtype = data.draw(st.sampled_from(("A", "TXT", "CNAME")))
                    name = data.draw(_names(zone.zone))
                    if name != zone.zone:
                        rdatas = data.draw(st.one_of(st.just(()), _rdatas(rtype, zone.zone)))
                        changes.append(RRset(name, rtype, 60, rdatas))
                serial += 1
                pair.apply(ZoneChange(zone=zone.zone, serial=serial, rrsets=tuple(changes)))
            key = name_key(dns.name.from_text(zone.zone))
            ours, theirs = pair.provider.zones[key], pair.worker.view.zones[key]
            assert ours.dnssec is not None and theirs.dnssec is not None
            assert theirs.nodes == ours.nodes
            assert _same_signatures(theirs, ours)
            provider = Engine(pair.provider)
            worker = Engine(pair.worker.view)
            for _ in range(4):
                qname = data.draw(_names(zone.zone))
                qtype = data.draw(st.sampled_from(QTYPES))
                _same_answer(worker, provider, qname, qtype)
        finally:
            pair.close()


def test_signatures_made_from_compiled_bytes_are_those_of_the_decoded_rrsets(pair: Pair) -> None:
    """A, AAAA and TXT are signed from the entry's bytes (``compiled._unsigned``), the SOA from
    the zone's own RRset: each RRSIG is the one the decoded RRset gets."""
    pair.apply(_snapshot(_signing(KEY)))
    pair.apply(
        _change(
            2,
            RRset("home.ddns.test.", "AAAA", 60, ("2001:db8::2", "2001:db8::1")),
            RRset("home.ddns.test.", "TXT", 300, ('"b"', '"a" "c"')),
            RRset("mx.ddns.test.", "MX", 60, ("10 Home.ddns.test.", "5 mail.example.")),
        )
    )
    ours, _ = pair.zones()
    assert ours.dnssec is not None
    for (key, rdtype), rrsig in ours.dnssec.rrsigs.items():
        node = ours.nodes[key]
        at = node.index(rdtype)
        decoded = decode_entry(dns.name.from_wire(key, 0)[0], rdtype, (node[at + 1], node[at + 2]))
        now = rrsig[0].inception + signer.INCEPTION_SKEW_SECONDS
        assert rrsig == signer.sign(decoded, *ours.dnssec.keys, now=now)

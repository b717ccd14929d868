"""Wiring: builds the store, the core, the views and the listeners, and starts and stops them.

Nothing here decides anything; each part gets what it needs from here (no
globals). Start order follows the data flow: store, writer (which loads the
zones into the DNS view), then the listeners; stop is the reverse, and the
writer drains its queue so nothing accepted is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
import time
from collections.abc import Generator

import dns.opcode
import uvicorn

from homing.activity import ActivityWindow
from homing.alerts.follower import AlertFollower, follower_from_settings
from homing.config import Settings, parse_hostport
from homing.core.acme import AcmeAccounts, AcmeUpdates
from homing.core.admin import Admin
from homing.core.api_services import ApiServices
from homing.core.api_tokens import ApiTokens, BearerAuth
from homing.core.auth import Authenticator
from homing.core.brake import Brake, BrakeState
from homing.core.dnssec import Dnssec
from homing.core.events import EventBus
from homing.core.host_records import HostRecords
from homing.core.journal import new_origin
from homing.core.ratelimit import FloodCounter
from homing.core.refusals import Refusals
from homing.core.rfc2136 import DynamicUpdates
from homing.core.session_key import shared_session_key
from homing.core.shared_counts import (
    CountExchange,
    DatabaseGates,
    SharedBrakeState,
    SharedFloodCounter,
)
from homing.core.tsig import StoreKeyring
from homing.core.updates import UpdateLimits, UpdateService
from homing.core.writer import ChangeWriter
from homing.errors import ConfigError
from homing.http.app import build_http_app
from homing.http.connections import ConnectionLimits, guarded_protocol
from homing.http.context import HttpContext
from homing.http.web.server_secret import existing_secret
from homing.metrics import ProviderMetrics
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine
from homing.nameserver.fastpath import FastPath
from homing.nameserver.notify import Notifier
from homing.nameserver.ratelimit import ResponseRateLimit
from homing.nameserver.signatures import REFRESH_CHECK_SECONDS
from homing.nameserver.transfer import transfer_handler
from homing.nameserver.transport import DNSServer
from homing.nameserver.update import update_handler
from homing.nameserver.workers import WorkerPool
from homing.store.location import Backend, configured_database
from homing.store.permissions import restrict_umask, secure_data_dir
from homing.store.store import Store
from homing.tls.own_certificate import OwnCertificate

log = logging.getLogger(__name__)

HTTP_START_TIMEOUT = 10.0
ACTIVITY_SECONDS = 60.0
HTTP_STOP_GRACE = 3
"""Seconds running requests get at shutdown before they are cancelled: SIGTERM during a heavy
request stops the server within seconds, not when the request is done (issue 15)."""
WORKER_START_TIMEOUT = 120.0
"""A million names take a few seconds per worker to arrive and be unpickled."""


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: the provider owns shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _http_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as exc:
        raise ConfigError(f"cannot listen for HTTP on {host}:{port}: {exc.strerror}") from None
    sock.setblocking(False)
    return sock


def _check_plain_http(settings: Settings, host: str) -> None:
    plain = not settings.serves_tls and not settings.allow_plain_http
    if plain and not ipaddress.ip_address(host).is_loopback:
        raise ConfigError(
            f"setting http_listen: plain HTTP on {host} would send passwords in clear; "
            "set tls_cert/tls_key, tls_acme_directory, or allow_plain_http = true"
        )


def dns_worker_count(settings: Settings) -> int:
    """``dns_workers``, or one per CPU this process may run on."""
    if settings.dns_workers is not None:
        return settings.dns_workers
    return len(os.sched_getaffinity(0))


class Provider:
    """The running provider: ``homing serve`` is ``start``, wait for a signal, ``stop``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.view = CompiledView()
        self.bus = EventBus()
        self.bus.subscribe(self.view.apply)
        self.store: Store | None = None
        self.writer: ChangeWriter | None = None
        self.updates: UpdateService | None = None
        self.dns: DNSServer | None = None
        self.workers: WorkerPool | None = None
        self.notifier: Notifier | None = None
        self.metrics = ProviderMetrics()
        self.activity = ActivityWindow()
        self._activity_task: asyncio.Task[None] | None = None
        self.alerts: AlertFollower | None = None
        self.refusals: Refusals | None = None
        self.counts: CountExchange | None = None
        self.http_limits: ConnectionLimits | None = None
        self.certificate: OwnCertificate | None = None
        self._refresh_task: asyncio.Task[None] | None = None
        self._rollover_task: asyncio.Task[None] | None = None
        self._http: _EmbeddedServer | None = None
        self._http_task: asyncio.Task[None] | None = None
        self.http_address: tuple[str, int] | None = None

    @property
    def dns_addresses(self) -> list[tuple[str, int]]:
        return list(self.dns.bound) if self.dns else []

    async def start(self) -> None:
        settings = self.settings
        dns_listen = [parse_hostport(a, setting="dns_listen") for a in settings.dns_listen]
        http_host, http_port = parse_hostport(settings.http_listen, setting="http_listen")
        _check_plain_http(settings, http_host)
        restrict_umask()
        secure_data_dir(settings.data_dir)
        self.store = await Store.open(configured_database(settings))
        keyring = StoreKeyring(self.store)
        self.notifier = Notifier(store=self.store, view=self.view, keyring=keyring)
        # Subscribed before the writer starts, so secondaries hear of every zone at start-up.
        self.bus.subscribe(self.notifier.on_event)
        self.writer = ChangeWriter(
            store=self.store,
            bus=self.bus,
            origin=new_origin("serve"),
            poll_interval=settings.journal_poll_seconds,
            journal_keep=settings.ixfr_journal_entries,
            history_days=settings.history_retention_days,
        )
        self.writer.on_commit(self.metrics.on_commit)
        await self.writer.start()
        # Alerts and update counts follow the committed history (see homing.alerts).
        self.alerts = follower_from_settings(settings, self.store)
        self.alerts.on_rows(self.metrics.count_history)
        self.writer.on_commit(self.alerts.wake)
        await self.alerts.start()
        # One brake and one refusal record for every front door (issue 11), and with
        # PostgreSQL one budget for every node (issue 9).
        limits = settings.brake_limits
        brake_horizon = max(limits.window, limits.lockout)
        nochg_limit, nochg_window = settings.nochg_limit, settings.nochg_window_seconds
        brake_state: BrakeState | None = None
        gates: DatabaseGates | None = None
        nochg: FloodCounter | None = None
        if self.store.backend is Backend.POSTGRESQL:
            self.counts = CountExchange(
                store=self.store,
                writes=self.writer,
                node=new_origin("counts"),
                horizon=max(brake_horizon, nochg_window),
            )
            brake_state = SharedBrakeState(limits=limits, exchange=self.counts)
            gates = DatabaseGates(self.writer)
            nochg = SharedFloodCounter(limit=nochg_limit, window=nochg_window, exchange=self.counts)
            await self.counts.start()
        brake = Brake(limits=limits, state=brake_state, gates=gates)
        self.refusals = Refusals(writer=self.writer)
        auth = Authenticator(
            store=self.store, brake=brake, refusals=self.refusals, writes=self.writer
        )
        self.updates = UpdateService(
            store=self.store,
            writer=self.writer,
            refusals=self.refusals,
            limits=UpdateLimits(
                max_hosts=settings.max_hosts_per_update,
                nochg_limit=nochg_limit,
                nochg_window=nochg_window,
            ),
            nochg=nochg,
        )
        dynamic = DynamicUpdates(
            store=self.store,
            writer=self.writer,
            brake=brake,
            refusals=self.refusals,
            unsigned_from=settings.rfc2136_unsigned_from,
        )
        engine = Engine(
            self.view,
            handlers={dns.opcode.UPDATE: update_handler(dynamic, keyring)},
            transfer=transfer_handler(self.view, self.store, served=self.metrics.transfers),
            keyring=keyring,
            tsig_guard=dynamic.tsig_check,
            fast=FastPath(self.view, udp_max_payload=settings.dns_udp_max_payload),
            udp_max_payload=settings.dns_udp_max_payload,
        )
        self.metrics.engine, self.metrics.view = engine, self.view
        self.metrics.notifier, self.metrics.outbox = self.notifier, self.alerts.outbox
        workers = dns_worker_count(settings)
        self.dns = DNSServer(
            self.view,
            dns_listen,
            engine=engine,
            serve_udp=workers == 0,
            tcp_timeout=settings.dns_tcp_timeout_seconds,
            max_tcp_connections=settings.dns_tcp_max_connections,
            max_tcp_per_source=settings.dns_tcp_max_per_source,
            rate_limit=ResponseRateLimit(settings.rate_limit) if settings.rate_limit.rate else None,
        )
        self.metrics.rate_limit = self.dns.rate_limit
        try:
            await self.dns.start()
        except OSError as exc:
            raise ConfigError(f"cannot listen for DNS on {settings.dns_listen}: {exc}") from None
        self._refresh_task = asyncio.create_task(self._refresh_signatures(), name="dnssec")
        rollovers = Dnssec.from_settings(
            store=self.store, origin=new_origin("dnssec"), settings=settings, writes=self.writer
        )
        self._rollover_task = asyncio.create_task(
            self._advance_rollovers(rollovers), name="dnssec-rollover"
        )
        if workers:
            self.workers = WorkerPool(
                view=self.view,
                engine=engine,
                addresses=self.dns.bound,
                count=workers,
                log_level=settings.log_level,
                log_format=settings.log_format,
                rate_limit=settings.rate_limit,
                inherited=self.dns.reserved_udp,
            )
            self.metrics.workers = self.workers
            self.bus.subscribe(self.workers.on_event)
            self.bus.add_settler(self.workers.settle)
            await self.workers.start(within=WORKER_START_TIMEOUT)
        session_key = await shared_session_key(
            writes=self.writer, legacy=lambda: existing_secret(settings.data_dir)
        )
        app = build_http_app(
            HttpContext(
                settings=settings,
                auth=auth,
                updates=self.updates,
                store=self.store,
                acme_accounts=AcmeAccounts(
                    store=self.store,
                    origin=new_origin("acme"),
                    zone=settings.acme_zone or settings.default_zone,
                    writes=self.writer,
                ),
                acme_updates=AcmeUpdates(
                    store=self.store, writer=self.writer, brake=brake, refusals=self.refusals
                ),
                api=ApiServices(
                    store=self.store,
                    admin=Admin(store=self.store, origin=new_origin("api"), writes=self.writer),
                    writer=self.writer,
                    tokens=ApiTokens(store=self.store, writes=self.writer),
                    bearer=BearerAuth(store=self.store, brake=brake, refusals=self.refusals),
                    records=HostRecords(
                        store=self.store, writer=self.writer, policy=settings.policy
                    ),
                    dnssec=Dnssec.from_settings(
                        store=self.store,
                        origin=new_origin("api"),
                        settings=settings,
                        writes=self.writer,
                    ),
                ),
                metrics=self.metrics.render,
                unknown_parameters=self.metrics.unknown_parameters,
                dns_addresses=tuple(self.dns.bound),
                activity=self.activity,
                session_key=session_key,
            )
        )
        self.http_limits = ConnectionLimits(
            max_header_bytes=settings.http_max_header_bytes,
            header_timeout=settings.http_header_timeout_seconds,
            max_per_source=settings.http_max_connections_per_source,
            exempt=[ipaddress.ip_network(n, strict=False) for n in settings.trusted_proxies],
        )
        cert_file, key_file = settings.tls_cert, settings.tls_key
        if settings.tls_acme_directory is not None:
            self.certificate = OwnCertificate(
                settings,
                writer=self.writer,
                zones=[zone.name for zone in await self.store.zones()],
                alert=self.alerts.tell_administrators,
            )
            await self.certificate.ensure()
            cert_file, key_file = self.certificate.cert_file, self.certificate.key_file
        self._activity_task = asyncio.create_task(self._sample_activity(), name="activity")
        sock = _http_socket(http_host, http_port)
        self.http_address = sock.getsockname()[:2]
        config = uvicorn.Config(
            app,
            log_config=None,
            lifespan="off",
            access_log=False,
            server_header=False,
            proxy_headers=False,
            ssl_certfile=str(cert_file) if cert_file else None,
            ssl_keyfile=str(key_file) if key_file else None,
            http=guarded_protocol(self.http_limits),
            # uvicorn answers 503 to a request while this many connections are open.
            limit_concurrency=settings.http_max_connections,
            timeout_graceful_shutdown=HTTP_STOP_GRACE,
        )
        self._http = _EmbeddedServer(config)
        self._http_task = asyncio.create_task(self._http.serve(sockets=[sock]), name="http")
        async with asyncio.timeout(HTTP_START_TIMEOUT):
            while not self._http.started:
                if self._http_task.done():
                    raise ConfigError("the HTTP server failed to start (see the log)")
                await asyncio.sleep(0.01)
        if self.certificate is not None:
            assert config.ssl is not None
            self.certificate.attach(config.ssl)

    async def _refresh_signatures(self) -> None:
        """Signed zones that never change still never serve an expired signature."""
        while True:
            await asyncio.sleep(REFRESH_CHECK_SECONDS)
            refreshed = self.view.refresh_signatures()
            if self.workers is not None:
                self.workers.on_refresh(refreshed)
            if refreshed:
                made = sum(len(signatures) for signatures in refreshed.values())
                log.info("DNSSEC: %d signatures made again before they expire", made)

    async def _advance_rollovers(self, dnssec: Dnssec) -> None:
        """Key rollovers take their timed steps while the server runs (homing.dnssec.rollover)."""
        while True:
            await asyncio.sleep(dnssec.check_seconds)
            try:
                stepped = await dnssec.advance()
            except Exception:  # the next check tries again; the log says why this one failed
                log.exception("DNSSEC rollover check failed")
                continue
            for zone, phase in stepped:
                log.info("DNSSEC key rollover of %s: now in phase %s", zone, phase)

    def renew_certificate(self) -> None:
        """SIGHUP: renew the ACME certificate now (nothing without tls_acme_directory)."""
        if self.certificate is not None:
            log.info("SIGHUP: renewing the ACME certificate")
            self.certificate.renew_now()

    async def _sample_activity(self) -> None:
        """The operator's 24-hour charts: the counters once a minute (``homing.activity``)."""
        while True:
            self.activity.sample(self.metrics.totals(), now=time.time())
            await asyncio.sleep(ACTIVITY_SECONDS)

    async def stop(self) -> None:
        for task in (self._refresh_task, self._rollover_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.certificate is not None:
            await self.certificate.stop()
        if self._activity_task is not None:
            self._activity_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._activity_task
        if self._http is not None and self._http_task is not None:
            self._http.should_exit = True
            await self._http_task
        if self.dns is not None:
            await self.dns.stop()
        if self.refusals is not None:
            self.refusals.flush()
        if self.counts is not None:
            await self.counts.stop()
        if self.writer is not None:
            await self.writer.stop()
        if self.workers is not None:
            await self.workers.stop()
        if self.alerts is not None:
            await self.alerts.stop()
        if self.notifier is not None:
            await self.notifier.stop()
        if self.store is not None:
            await self.store.close()

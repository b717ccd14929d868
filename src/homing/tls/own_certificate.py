"""``homing serve``'s own HTTPS certificate: got at start, renewed in place, never lost.

Homing is the authoritative server of its zones, so it answers the CA's
DNS-01 challenge itself: the ``_acme-challenge`` TXT values go through the
writer like any update (journaled, on every DNS worker before the CA is told
to look) and are withdrawn afterwards. The certificate is kept in the data
directory; at start a stored one that covers the names and is not yet due is
used as it is. Renewal begins when two thirds of its life have passed, or at
once on SIGHUP; the new pair is loaded into the running server's TLS context,
so new connections get it while open ones go on. A failed renewal keeps the
old certificate, tries again with a growing pause and tells the
administrators.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from homing.config import Settings
from homing.core.dynamic_update import ZoneUpdate
from homing.core.writer import ChangeWriter
from homing.domain.dnsupdate import UpdateRcode, UpdateRR
from homing.domain.outcomes import FrontDoor
from homing.errors import ConfigError
from homing.tls.acme_order import Issued, OrderError, OrderRequest, order
from homing.tls.stored import StoredCertificate

log = logging.getLogger(__name__)

CHALLENGE_TTL = 60
PUBLISH_TIMEOUT_SECONDS = 30
FIRST_RETRY_SECONDS = 60.0
LONGEST_RETRY_SECONDS = 6 * 3600.0
CREDENTIAL = "tls-acme"
Alert = Callable[[str, tuple[str, ...]], Awaitable[object]]


def zone_for(name: str, zones: Sequence[str]) -> str | None:
    """The longest of ``zones`` that ``name`` is in (names absolute, lower case)."""
    inside = [z for z in zones if name == z or name.endswith("." + z)]
    return max(inside, key=len, default=None)


class WriterChallenges:
    """DNS-01 TXT values through the server's writer, called from the ordering thread."""

    def __init__(
        self, writer: ChangeWriter, zones: Sequence[str], loop: asyncio.AbstractEventLoop
    ) -> None:
        self._writer = writer
        self._zones = list(zones)
        self._loop = loop

    def publish(self, values: Mapping[str, list[str]]) -> None:
        self._run(values, "IN")

    def withdraw(self, values: Mapping[str, list[str]]) -> None:
        self._run(values, "NONE")

    def _run(self, values: Mapping[str, list[str]], rclass: str) -> None:
        by_zone: dict[str, list[UpdateRR]] = {}
        for name, texts in values.items():
            zone = zone_for(name, self._zones)
            if zone is None:
                raise OrderError(f"{name} is in none of the zones this server serves")
            ttl = CHALLENGE_TTL if rclass == "IN" else 0
            by_zone.setdefault(zone, []).extend(
                UpdateRR(name, "TXT", rclass, ttl, f'"{text}"') for text in texts
            )
        for zone, updates in by_zone.items():
            future = asyncio.run_coroutine_threadsafe(self._submit(zone, updates), self._loop)
            rcode = future.result(PUBLISH_TIMEOUT_SECONDS)
            if rcode is not UpdateRcode.NOERROR:
                raise OrderError(f"cannot publish the challenge in {zone}: {rcode.name}")

    async def _submit(self, zone: str, updates: list[UpdateRR]) -> UpdateRcode:
        plan = await self._writer.submit_zone_update(
            ZoneUpdate(
                zone=zone,
                prerequisites=(),
                updates=updates,
                credential=CREDENTIAL,
                source=None,
                front_door=FrontDoor.CLI,
            )
        )
        return plan.rcode


class OwnCertificate:
    """Gets, stores, renews and hot-swaps the server's certificate (module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        writer: ChangeWriter,
        zones: Sequence[str],
        alert: Alert | None = None,
    ) -> None:
        assert settings.tls_acme_directory is not None
        self.stored = StoredCertificate(settings.data_dir / "tls")
        self._domains = [d.rstrip(".").lower() for d in settings.tls_acme_domains]
        self._request = OrderRequest(
            directory=settings.tls_acme_directory,
            domains=self._domains,
            email=settings.tls_acme_email,
            ca_bundle=settings.tls_acme_ca_bundle,
            account_key=self.stored.account_key,
        )
        self._writer = writer
        self._zones = [z.rstrip(".").lower() + "." for z in zones]
        self._alert = alert
        self._context: ssl.SSLContext | None = None
        self._renew_now = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.renewals = 0
        self.failures = 0

    @property
    def cert_file(self) -> Path:
        return self.stored.cert

    @property
    def key_file(self) -> Path:
        return self.stored.key

    async def ensure(self) -> None:
        """Have a usable certificate before HTTPS starts (one clear error when none can be)."""
        for domain in self._domains:
            if zone_for(domain.removeprefix("*.") + ".", self._zones) is None:
                raise ConfigError(
                    f"setting tls_acme_domains: {domain} is in none of the served zones "
                    f"({', '.join(z.rstrip('.') for z in self._zones) or 'none yet'})"
                )
        if self.stored.usable_for(self._domains):
            log.info("ACME: the stored certificate is good until its renewal is due")
            return
        try:
            await self._obtain()
        except OrderError as exc:
            if self.stored.leaf() is None or not self.stored.key.exists():
                raise ConfigError(
                    f"cannot get a certificate from tls_acme_directory: {exc}"
                ) from None
            log.error("ACME: renewal at start failed (%s); serving the stored certificate", exc)

    def attach(self, context: ssl.SSLContext) -> None:
        """Follow renewals into the running server's TLS context (new handshakes get them)."""
        self._context = context
        self._task = asyncio.create_task(self._renewals(), name="tls-acme-renewals")

    def renew_now(self) -> None:
        """Start a renewal at once (SIGHUP)."""
        self._renew_now.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _obtain(self) -> None:
        txt = WriterChallenges(self._writer, self._zones, asyncio.get_running_loop())
        issued: Issued = await asyncio.to_thread(order, self._request, txt)
        self.stored.save(issued.key_pem, issued.chain_pem)
        if self._context is not None:
            self._context.load_cert_chain(self.stored.cert, self.stored.key)
        self.renewals += 1

    async def _renewals(self) -> None:
        pause = FIRST_RETRY_SECONDS
        while True:
            due = self.stored.renew_at()
            wait = 0.0 if due is None else (due - datetime.now(UTC)).total_seconds()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, wait)):
                    await self._renew_now.wait()
            self._renew_now.clear()
            try:
                await self._obtain()
            except (OrderError, OSError, ssl.SSLError) as exc:
                self.failures += 1
                log.error("ACME: renewal failed, keeping the current certificate: %s", exc)
                await self._tell(exc, pause)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._renew_now.wait()
                self._renew_now.set()
                pause = min(pause * 2, LONGEST_RETRY_SECONDS)
                continue
            pause = FIRST_RETRY_SECONDS
            log.info("ACME: certificate renewed; new connections get it")

    async def _tell(self, exc: Exception, pause: float) -> None:
        if self._alert is None:
            return
        leaf = self.stored.leaf()
        expires = f"{leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC" if leaf else "unknown"
        try:
            await self._alert(
                "HTTPS certificate renewal failed",
                (
                    f"Renewing the certificate for {', '.join(self._domains)} failed: {exc}",
                    f"The current certificate stays in use; it expires {expires}.",
                    f"The next try is in {pause / 60:.0f} minutes (or send the server SIGHUP).",
                ),
            )
        except Exception:
            log.exception("ACME: cannot alert the administrators")

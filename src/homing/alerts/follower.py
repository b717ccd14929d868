"""The alert follower: tails the history table, turns rows into alerts, checks for stale hosts.

See the package docstring for why it tails the table instead of hearing
from the writer. It wakes when the writer commits (``wake``) and at least
every ``poll_seconds`` (changes made by other processes), reads the rows
after its position in pages, and hands each page to its row listeners
(metrics count updates there) before deciding alerts. Refused attempts are
summed per user: one alert at most every ``failure_quiet_seconds``, telling
how many attempts there were, so a password-guessing run is one email, not
thousands. The stored cursor never passes a row whose alerts are still
queued, retried or waiting in such a summary.

With several nodes on one PostgreSQL database (``shared``) every node reads
the same rows and would send every alert: a node claims each alert in the
database first and sends only the ones it claimed (``store/alert_claims.py``),
so each goes out once; failure summaries are claimed per user, one per quiet
time across the nodes, each attempt told once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import httpx

from homing.alerts.outbox import Destination, Outbox
from homing.alerts.rules import (
    EVENT_OF,
    MAX_SAMPLES,
    Alert,
    AlertEvent,
    AlertKind,
    change_alert,
    concerned_user,
    kind_of,
    password_user,
    stale_alert,
    token_id,
)
from homing.alerts.senders import senders_from_settings
from homing.alerts.summaries import Summary
from homing.config import Settings
from homing.store import alerts as alert_store
from homing.store.alert_claims import claim_alerts, claim_failures
from homing.store.alerts import AlertSettingsRow
from homing.store.location import Backend
from homing.store.reads import as_utc
from homing.store.rows import HistoryRow
from homing.store.store import Store

log = logging.getLogger(__name__)

PAGE = 500
SAVE_INTERVAL_SECONDS = 5.0
GATHER_SECONDS = 0.2
"""After a commit wakes the follower, it waits this long so that a burst of commits is read
as one page: at 50 updates a second that is two reads of the history every 0.2 s, not two
per update, and an alert goes out at most this much later."""
Clock = Callable[[], datetime]
RowListener = Callable[[Sequence[HistoryRow]], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


def destinations(settings: AlertSettingsRow, channels: frozenset[str]) -> list[Destination]:
    """Where a user's alerts go, on the channels the server can use."""
    found = [Destination("email", settings.email)] if settings.email else []
    if settings.webhook:
        found.append(Destination("webhook", settings.webhook))
    return [d for d in found if d.channel in channels]


class AlertFollower:
    """Follows the history and stale hosts, and posts alerts to the outbox."""

    def __init__(
        self,
        *,
        store: Store,
        outbox: Outbox,
        failure_quiet_seconds: float,
        stale_check_seconds: float,
        poll_seconds: float = 5.0,
        clock: Clock = utc_now,
        on_stop: Callable[[], Awaitable[None]] | None = None,
        shared: bool = False,
    ) -> None:
        self._store = store
        self._shared = shared
        self._outbox = outbox
        self._on_stop = on_stop
        self._quiet = failure_quiet_seconds
        self._stale_every = stale_check_seconds
        self._poll = poll_seconds
        self._clock = clock
        self._wake = asyncio.Event()
        self._listeners: list[RowListener] = []
        self._position = 0
        self._saved = 0
        self._boot_id = 0
        self._in_flight: Counter[int] = Counter()
        self._digests: dict[int, Summary] = {}
        self._claiming: dict[int, Summary] = {}
        """Summaries whose claim is under way (shared): they hold the cursor too."""
        self._last_failure_alert: dict[int, float] = {}
        self._flush_timer: asyncio.TimerHandle | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._claim_tasks: set[asyncio.Task[None]] = set()
        self._next_save = 0.0

    @property
    def outbox(self) -> Outbox:
        return self._outbox

    def on_rows(self, listener: RowListener) -> None:
        """Call ``listener`` with every page of history rows committed after start-up."""
        self._listeners.append(listener)

    def wake(self, *_: object) -> None:
        """New rows may be there (the writer's commit listener); costs one flag."""
        self._wake.set()

    @property
    def position(self) -> int:
        """The id of the last history row read."""
        return self._position

    async def start(self) -> None:
        last = await alert_store.last_history_id(self._store)
        cursor = await alert_store.alert_cursor(self._store)
        if cursor is None:
            # First start: the past history is not news.
            cursor = last
            await alert_store.save_alert_cursor(self._store, cursor)
        self._position = self._saved = cursor
        self._boot_id = last
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._follow(), name="alerts-follow"),
            loop.create_task(self._check_stale_every(), name="alerts-stale"),
        ]

    async def stop(self) -> None:
        tasks = [*self._tasks, *self._claim_tasks]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._flush_timer is not None:
            self._flush_timer.cancel()
        await self._outbox.stop()
        await self._save(force=True)
        if self._on_stop is not None:
            await self._on_stop()

    # -- following the history ---------------------------------------------------------------

    async def _follow(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()
                    await asyncio.sleep(GATHER_SECONDS)
            self._wake.clear()
            try:
                await self.read_new()
                await self._save()
            except Exception:
                log.exception("alert follower: cannot read the history; will retry")

    async def read_new(self) -> int:
        """Read and handle every row after the position; returns how many were read."""
        count = 0
        while True:
            rows = await alert_store.history_after(self._store, self._position, limit=PAGE)
            if not rows:
                return count
            fresh = [r for r in rows if r.id > self._boot_id]
            for listener in self._listeners:
                if fresh:
                    listener(fresh)
            await self._handle(rows)
            self._position = rows[-1].id
            count += len(rows)
            if len(rows) < PAGE:
                return count
            # A page is read on the loop thread (SQLite's point reads): a long catch-up
            # lets the requests in between its pages.
            await asyncio.sleep(0)

    async def _handle(self, rows: Sequence[HistoryRow]) -> None:
        relevant = [(row, kind) for row in rows if (kind := kind_of(row)) is not None]
        if not relevant:
            return
        subscribed = {s.user_id: s for s in await alert_store.alert_settings(self._store)}
        if not subscribed:
            return
        found = await alert_store.owners(
            self._store,
            host_ids=[r.host_id for r, _ in relevant if r.host_id is not None],
            names=[
                name
                for r, _ in relevant
                for name in (password_user(r.credential), r.fqdn if r.credential is None else None)
                if name
            ],
            token_ids=[i for r, _ in relevant if (i := token_id(r.credential)) is not None],
        )
        wanted: list[tuple[HistoryRow, AlertKind, AlertSettingsRow]] = []
        for row, kind in relevant:
            user_id = concerned_user(row, found)
            settings = subscribed.get(user_id) if user_id is not None else None
            if settings is not None and EVENT_OF[kind].value in settings.events:
                wanted.append((row, kind, settings))
        changes = [f"change:{row.id}" for row, kind, _ in wanted if kind is AlertKind.CHANGE]
        ours = await self._claim(changes)
        for row, kind, settings in wanted:
            if kind is not AlertKind.CHANGE:
                self._digests.setdefault(settings.user_id, Summary(settings)).add(row)
            elif ours is None or f"change:{row.id}" in ours:
                self._post(settings, change_alert(row, user=settings.user))
        self.flush_failures()

    async def _claim(self, keys: list[str]) -> set[str] | None:
        """The alerts of ``keys`` this node sends (shared); None: all of them (one node).

        Claims carry the wall clock, which the nodes share (``clock`` is the stale checks').
        """
        if not self._shared:
            return None
        return await claim_alerts(self._store, keys, at=utc_now())

    def flush_failures(self) -> None:
        """Send the failure summaries whose user's quiet time is over; time the rest."""
        now = asyncio.get_running_loop().time()
        next_due: float | None = None
        for user_id, digest in list(self._digests.items()):
            if user_id in self._claiming:
                continue  # the claim under way flushes again when it is decided
            due = self._last_failure_alert.get(user_id, -self._quiet) + self._quiet
            if now >= due:
                del self._digests[user_id]
                self._last_failure_alert[user_id] = now
                if self._shared:
                    self._claiming[user_id] = digest
                    task = asyncio.get_running_loop().create_task(
                        self._claim_summary(user_id, digest), name="alerts-claim"
                    )
                    self._claim_tasks.add(task)
                    task.add_done_callback(self._claim_tasks.discard)
                else:
                    self._post(digest.settings, digest.alert())
            else:
                next_due = due if next_due is None else min(next_due, due)
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        if next_due is not None:
            self._flush_timer = asyncio.get_running_loop().call_at(next_due, self.flush_failures)

    async def _claim_summary(self, user_id: int, digest: Summary) -> None:
        """Send the summary if this node claims it; else keep what the others did not tell."""
        told: int | None = 0
        try:
            told = await claim_failures(
                self._store,
                user_id,
                first_id=digest.first_id,
                through_id=digest.last_id,
                at=utc_now(),
                quiet=timedelta(seconds=self._quiet),
            )
        except asyncio.CancelledError:
            self._keep(user_id, digest)  # stopping: the cursor stays before its rows
            raise
        except Exception:
            log.exception("alert follower: cannot claim a failure summary; will retry")
        finally:
            del self._claiming[user_id]
        if told is None:
            self._post(digest.settings, digest.alert())
            return
        rows, left = digest.after(told)
        if len(rows) < min(MAX_SAMPLES, len(left)):
            rows = await alert_store.history_rows(self._store, [i for i, _ in left[:MAX_SAMPLES]])
        if rows:  # none: told by another node, or pruned with the history meanwhile
            self._keep(user_id, Summary(digest.settings, rows, sum(n for _, n in left), left))
        self.flush_failures()

    def _keep(self, user_id: int, older: Summary) -> None:
        """Put ``older`` back as the user's summary to come, before the rows read since."""
        self._digests[user_id] = older.then(self._digests.get(user_id))

    async def tell_administrators(self, subject: str, lines: tuple[str, ...]) -> int:
        """Alert every administrator who set a destination; returns how many were told."""
        told = 0
        for settings in await alert_store.alert_settings(self._store, administrators=True):
            alert = Alert(
                kind=AlertKind.SERVER,
                user=settings.user,
                subject=subject,
                lines=lines,
                at=self._clock(),
                data={"detail": " ".join(lines)},
            )
            self._post(settings, alert)
            told += 1
        return told

    def _post(self, settings: AlertSettingsRow, alert: Alert) -> None:
        for destination in destinations(settings, self._outbox.channels):
            if alert.history_id is not None:
                self._in_flight[alert.history_id] += 1
            self._outbox.post(destination, alert, self._finished)

    def _finished(self, alert: Alert) -> None:
        if alert.history_id is None:
            return
        self._in_flight[alert.history_id] -= 1
        if self._in_flight[alert.history_id] <= 0:
            del self._in_flight[alert.history_id]

    def safe_cursor(self) -> int:
        """The highest history id up to which every alert is finished."""
        holding = [
            *self._in_flight,
            *(d.first_id for d in (*self._digests.values(), *self._claiming.values())),
        ]
        return min(holding) - 1 if holding else self._position

    async def _save(self, *, force: bool = False) -> None:
        cursor = self.safe_cursor()
        if cursor == self._saved:
            return
        loop = asyncio.get_running_loop()
        if not force and loop.time() < self._next_save:
            return
        self._next_save = loop.time() + SAVE_INTERVAL_SECONDS
        await alert_store.save_alert_cursor(self._store, cursor)
        self._saved = cursor

    # -- stale hosts ---------------------------------------------------------------------------

    async def _check_stale_every(self) -> None:
        while True:
            await asyncio.sleep(self._stale_every)
            try:
                await self.check_stale()
            except Exception:
                log.exception("alert follower: stale check failed; will retry")

    async def check_stale(self) -> int:
        """Alert once per host that has had no update for its owner's stale_hours."""
        now = self._clock()
        wanting = {
            s.user_id: s
            for s in await alert_store.alert_settings(self._store)
            if AlertEvent.STALE.value in s.events and destinations(s, self._outbox.channels)
        }
        if not wanting:
            return 0
        marks = await alert_store.stale_marks(self._store)
        new_marks: dict[int, datetime] = {}
        due: list[tuple[str, AlertSettingsRow, Alert]] = []
        for host in await alert_store.hosts_of(self._store, wanting):
            settings = wanting[host.owner_id]
            last = as_utc(host.updated_at or host.created_at)
            if now - last < timedelta(hours=settings.stale_hours) or marks.get(host.id) == last:
                continue
            alert = stale_alert(
                host=host.fqdn,
                user=settings.user,
                last_update=last,
                hours=settings.stale_hours,
                now=now,
            )
            due.append((f"stale:{host.id}:{last.isoformat()}", settings, alert))
            new_marks[host.id] = last
        ours = await self._claim([key for key, _, _ in due])
        for key, settings, alert in due:
            if ours is None or key in ours:
                self._post(settings, alert)
        await alert_store.mark_stale(self._store, new_marks)
        return len(new_marks)


def follower_from_settings(settings: Settings, store: Store) -> AlertFollower:
    """The follower, its outbox and senders as ``homing serve`` runs them."""
    http = httpx.AsyncClient()
    outbox = Outbox(
        senders_from_settings(settings, http=http),
        attempts=settings.alert_attempts,
        retry_seconds=settings.alert_retry_seconds,
        queue_size=settings.alert_queue_size,
    )
    return AlertFollower(
        store=store,
        outbox=outbox,
        failure_quiet_seconds=settings.alert_failure_quiet_seconds,
        stale_check_seconds=settings.alert_stale_check_seconds,
        on_stop=http.aclose,
        shared=store.backend is Backend.POSTGRESQL,
    )

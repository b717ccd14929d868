"""The one writer: group commit of updates, and the only path by which the DNS view changes.

Updates queue here; one task drains the queue into a single transaction (one
fsync for many updates), commits, publishes the change events, waits until every DNS view
serves them (``EventBus.settle``), and only then answers each caller — so an
acknowledged update is both durable and already visible in DNS. The same
task follows the journal for changes written by other processes (management
commands): it reads them inside its own transaction, or
every ``poll_interval`` seconds when idle, so all view changes happen in one
task, in commit order. On PostgreSQL the store also wakes it as soon as
another node commits (LISTEN/NOTIFY, ``Store.follow_commits``); the poll
remains the fallback.

Management use cases (zones, users, hosts, tokens, API tokens, acme-dns
accounts) run their writes here too (``transaction``, issue 9 item 2): each
in a transaction of its own, after which the writer turns every journal entry
the operation appended into view events, publishes and settles them, and only
then returns — so a front door never has to ``sync()`` after a management call.

After each transaction the writer tells its commit listeners (``on_commit``)
how many jobs it carried and how long it took: metrics time the store with
it, and the alert follower wakes up to read the new history rows. Listeners
run after the callers are answered and must only note things down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from homing.core.dynamic_update import ZoneUpdate, apply_zone_update
from homing.core.events import EventBus
from homing.core.host_edits import HostResult, UpdateMeta, apply_host_edits
from homing.core.journal import JournalKind, decode_change
from homing.core.write_path import Operation
from homing.domain.dnsupdate import UpdatePlan
from homing.domain.edits import HostEdit
from homing.domain.records import ViewEvent, ZoneRemoved
from homing.errors import StoreError
from homing.memory import bulk_load
from homing.store.alert_claims import CLAIM_KEEP, prune_alert_claims
from homing.store.location import Backend
from homing.store.rows import HostRow, NewHistory
from homing.store.search import NEW_NAMES_BATCH
from homing.store.store import Store
from homing.store.transaction import ReadTransaction, WriteTransaction

log = logging.getLogger(__name__)

T = TypeVar("T")

JOURNAL_PAGE = 1000
PRUNE_INTERVAL = 60.0
INDEX_INTERVAL = 1.0
"""How often the writer looks for host names to put into the search index, when the last
look found none; after a full batch it looks again at once (``store/search.py``)."""
HISTORY_PRUNE_BATCH = 10_000


@dataclass(slots=True, kw_only=True)
class _EditJob:
    items: Sequence[tuple[HostRow, HostEdit]]
    meta: UpdateMeta
    future: asyncio.Future[list[HostResult]]


@dataclass(slots=True, kw_only=True)
class _HistoryJob:
    rows: Sequence[NewHistory]


@dataclass(slots=True, kw_only=True)
class _SyncJob:
    future: asyncio.Future[None]
    probe: bool = False
    """Write the probe row too: the commit then proves that writes reach the disk."""


@dataclass(slots=True, kw_only=True)
class _WakeJob:
    """Another process committed to the journal (the store heard it): read it now."""


@dataclass(slots=True, kw_only=True)
class _ZoneUpdateJob:
    update: ZoneUpdate
    future: asyncio.Future[UpdatePlan]


@dataclass(slots=True, kw_only=True)
class _OperationJob:
    operation: Operation[Any]
    future: asyncio.Future[Any]


_Job = _EditJob | _HistoryJob | _SyncJob | _ZoneUpdateJob | _OperationJob


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchCommitted:
    """One write transaction of the writer: its jobs, its duration, and whether it committed."""

    jobs: int
    seconds: float
    ok: bool
    store_failed: bool = False
    """It did not commit because the store failed (a full disk, a database gone), not
    because of what it asked: ``/health`` answers 503 for a while after one."""


CommitListener = Callable[[BatchCommitted], None]


class ChangeWriter:
    """Owns the write path and the feed of the DNS view (see the module docstring)."""

    def __init__(
        self,
        *,
        store: Store,
        bus: EventBus,
        origin: str,
        max_batch: int = 512,
        poll_interval: float = 0.25,
        journal_keep: int = 1000,
        history_days: float | None = None,
    ) -> None:
        self._store = store
        self._journal_keep = journal_keep
        self._history_keep = timedelta(days=history_days) if history_days else None
        self._next_prune = 0.0
        self._next_index = 0.0
        self._bus = bus
        self._origin = origin
        self._max_batch = max_batch
        self._poll_interval = poll_interval
        self._queue: asyncio.Queue[_Job | _WakeJob] = asyncio.Queue()
        self._last_seen = 0
        self._read_at_version: int | None = None
        """``Store.data_version`` when ``_catch_up`` last read the journal (None: not yet)."""
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[CommitListener] = []

    def on_commit(self, listener: CommitListener) -> None:
        """Call ``listener`` after every write transaction (see the module docstring)."""
        self._listeners.append(listener)

    def _committed(self, batch: BatchCommitted) -> None:
        for listener in self._listeners:
            try:
                listener(batch)
            except Exception:
                log.exception("commit listener %r failed", listener)

    async def start(self) -> None:
        """Load every zone into the views, then start following the queue and the journal."""
        with bulk_load():
            async with self._store.read() as txn:
                self._last_seen = await txn.last_journal_id()
                snapshots = [await txn.zone_snapshot(name) for name in await txn.zone_names()]
            for snapshot in snapshots:
                if snapshot is not None:
                    self._bus.publish(snapshot)
            del snapshots
        self._task = asyncio.create_task(self._run(), name="homing-writer")
        self._store.follow_commits(lambda: self._queue.put_nowait(_WakeJob()))

    async def stop(self) -> None:
        """Finish what is queued (so nothing accepted is dropped), then stop."""
        if self._task is None:
            return
        await self.sync()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def submit(
        self, items: Sequence[tuple[HostRow, HostEdit]], meta: UpdateMeta
    ) -> list[HostResult]:
        """Apply edits; returns once they are committed and visible in the views."""
        future: asyncio.Future[list[HostResult]] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_EditJob(items=items, meta=meta, future=future))
        return await future

    async def submit_zone_update(self, update: ZoneUpdate) -> UpdatePlan:
        """Apply an RFC 2136 update atomically; returns once committed and visible."""
        future: asyncio.Future[UpdatePlan] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_ZoneUpdateJob(update=update, future=future))
        return await future

    async def transaction(self, operation: Operation[T]) -> T:
        """Run a management operation in a write transaction of its own (``WritePath``).

        Returns its result once committed and its journaled changes are served
        by every DNS view; an exception from the operation rolls it back and
        reaches the caller unchanged.
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_OperationJob(operation=operation, future=future))
        return await future

    def record(self, rows: Sequence[NewHistory]) -> None:
        """Queue history rows (refusals) to be written with the next batch."""
        if rows:
            self._queue.put_nowait(_HistoryJob(rows=rows))

    async def probe(self) -> None:
        """Commit a one-row write; raises ``StoreError`` when writes fail (full disk,
        read-only file system, database down), so ``/health`` can say so."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_SyncJob(future=future, probe=True))
        await future

    async def sync(self) -> None:
        """Wait until everything queued so far is committed and foreign changes are applied."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_SyncJob(future=future))
        await future

    async def _run(self) -> None:
        while True:
            # Behind with the search index (a bulk import): a batch each round, between jobs.
            wait = max(0.0, min(self._poll_interval, self._next_index - time.monotonic()))
            try:
                # Not wait_for: it wraps the get in a task of its own, on every job.
                async with asyncio.timeout(wait):
                    first = await self._queue.get()
            except TimeoutError:
                await self._catch_up()
                await self._maybe_prune()
                await self._maybe_index()
                continue
            batch = [first]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            # A write transaction reads the foreign journal anyway; alone, a wake-up reads it.
            work: list[_Job] = [job for job in batch if not isinstance(job, _WakeJob)]
            if work:
                await self._run_batch(work)
            else:
                await self._catch_up()
            await self._maybe_prune()
            await self._maybe_index()

    async def _maybe_index(self) -> None:
        """A batch of new host names into SQLite's search index, in its own short transaction
        (PostgreSQL keeps its trigram index itself)."""
        now = time.monotonic()
        if now < self._next_index or self._store.backend is Backend.POSTGRESQL:
            self._next_index = max(self._next_index, now + INDEX_INTERVAL)
            return
        try:
            async with self._store.write() as txn:
                indexed = await txn.index_new_names()
        except Exception:
            log.exception("could not index new host names; will retry")
            indexed = 0
        self._next_index = now if indexed >= NEW_NAMES_BATCH else now + INDEX_INTERVAL

    async def _maybe_prune(self) -> None:
        """Keep the journal bounded: the newest ``journal_keep`` entries per zone (IXFR's reach),
        and the history to ``history_days`` (a batch per round, so no round holds the lock long),
        and the alert claims with it.

        Followers poll every ``poll_interval``, so they never fall that far behind.
        """
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_INTERVAL
        try:
            async with self._store.write() as txn:
                removed = await txn.prune_journal(keep=self._journal_keep)
                old_history = 0
                claims_keep = CLAIM_KEEP
                if self._history_keep is not None:
                    old_history = await txn.prune_history(
                        before=datetime.now(UTC) - self._history_keep, limit=HISTORY_PRUNE_BATCH
                    )
                    claims_keep = min(claims_keep, self._history_keep)
                await prune_alert_claims(txn, before=datetime.now(UTC) - claims_keep)
        except Exception:
            log.exception("could not prune the journal and history; will retry")
            return
        if removed:
            log.info("pruned %d old journal entries", removed)
        if old_history:
            log.info("pruned %d history rows older than the retention", old_history)

    async def _catch_up(self) -> None:
        """Read what other writers journaled since the last look (an idle writer's poll).

        On SQLite a poll first asks the file whether anything was committed since the
        last journal read it made (``Store.data_version``): idle, that is all it costs,
        not a read transaction four times a second. Asked before the read, so that a
        commit landing between the two changes the version the next poll sees.
        """
        try:
            version = self._store.data_version()
            if version is not None and version == self._read_at_version:
                return
            async with self._store.read() as txn:
                events, self._last_seen = await self._read_journal(txn, self._last_seen)
        except Exception:
            log.exception("could not read the journal; will retry")
            return
        self._read_at_version = version
        for event in events:
            self._bus.publish(event)
        if events:
            await self._bus.settle()

    async def _read_journal(
        self, txn: ReadTransaction, after: int, *, skip_own: bool = True
    ) -> tuple[list[ViewEvent], int]:
        """Journal entries after id ``after`` as view events, with the last id read.

        ``skip_own`` leaves out the entries of this writer, whose events it
        published itself; an operation's entries (``transaction``) are all read.
        """
        events: list[ViewEvent] = []
        last = after
        while True:
            entries = await txn.journal_after(last, limit=JOURNAL_PAGE)
            for entry in entries:
                last = entry.id
                if skip_own and entry.origin == self._origin:
                    continue
                if entry.kind == JournalKind.CHANGE:
                    events.append(
                        decode_change(zone=entry.zone, serial=entry.serial, payload=entry.payload)
                    )
                elif entry.kind == JournalKind.REMOVED:
                    events.append(ZoneRemoved(entry.zone))
                else:
                    snapshot = await txn.zone_snapshot(entry.zone)
                    events.append(snapshot if snapshot is not None else ZoneRemoved(entry.zone))
            if len(entries) < JOURNAL_PAGE:
                break
        return events, last

    async def _run_batch(self, batch: list[_Job]) -> None:
        """Host edits of a batch share one transaction; each RFC 2136 update gets its own,
        and so does each management operation.

        An RFC 2136 update reads what it checks inside its transaction, so it
        must not share one with host edits planned from an earlier read; an
        operation that fails must roll back nothing but itself.
        """
        segment: list[_Job] = []
        for job in batch:
            if isinstance(job, _OperationJob):
                if segment:
                    await self._run_segment(segment)
                    segment = []
                await self._run_operation(job)
            elif isinstance(job, _ZoneUpdateJob):
                if segment:
                    await self._run_segment(segment)
                    segment = []
                await self._run_segment([job])
            else:
                segment.append(job)
        if segment:
            await self._run_segment(segment)

    async def _run_segment(self, batch: list[_Job]) -> None:
        edits = [job for job in batch if isinstance(job, _EditJob)]
        zone_updates = [job for job in batch if isinstance(job, _ZoneUpdateJob)]
        outcome: list[list[HostResult]] = []
        plans: list[UpdatePlan] = []
        started = time.perf_counter()
        try:
            # A batch of host edits and RFC 2136 updates is small: inline (store/inline_write.py).
            async with self._store.write(inline=True) as txn:
                foreign, last_foreign = await self._read_journal(txn, self._last_seen)
                own, outcome = await self._apply(txn, batch, edits)
                for zone_job in zone_updates:
                    plan, change = await apply_zone_update(
                        txn, zone_job.update, origin=self._origin, at=datetime.now(UTC)
                    )
                    plans.append(plan)
                    if change is not None:
                        own.append(change)
                # Read before the edits, the foreign journal ended at the newest entry then.
                last_own = txn.last_appended or last_foreign
                if any(isinstance(job, _SyncJob) and job.probe for job in batch):
                    await txn.update_row("write_probe", 1, at=datetime.now(UTC))
        except Exception as exc:
            log.exception("write batch of %d jobs failed", len(batch))
            error = StoreError(f"the update could not be stored: {exc}")
            for job in batch:
                if not isinstance(job, _HistoryJob) and not job.future.done():
                    job.future.set_exception(error)
            self._committed(
                BatchCommitted(
                    jobs=len(batch),
                    seconds=time.perf_counter() - started,
                    ok=False,
                    store_failed=isinstance(exc, StoreError),
                )
            )
            return
        seconds = time.perf_counter() - started
        self._last_seen = max(last_foreign, last_own)
        for event in (*foreign, *own):
            self._bus.publish(event)
        if foreign or own:
            # Answered only once every DNS worker serves the change (issue 8).
            await self._bus.settle()
        for job, results in zip(edits, outcome, strict=True):
            if not job.future.done():
                job.future.set_result(results)
        for pending, plan in zip(zone_updates, plans, strict=True):
            if not pending.future.done():
                pending.future.set_result(plan)
        for job in batch:
            if isinstance(job, _SyncJob) and not job.future.done():
                job.future.set_result(None)
        self._committed(BatchCommitted(jobs=len(batch), seconds=seconds, ok=True))

    async def _run_operation(self, job: _OperationJob) -> None:
        started = time.perf_counter()
        try:
            async with self._store.write() as txn:
                foreign, last_foreign = await self._read_journal(txn, self._last_seen)
                result = await job.operation(txn)
                own, last_own = await self._read_journal(txn, last_foreign, skip_own=False)
        except Exception as exc:
            if isinstance(exc, StoreError):
                log.warning("a management write failed: %s", exc)
            if not job.future.done():
                job.future.set_exception(exc)
            self._committed(
                BatchCommitted(
                    jobs=1,
                    seconds=time.perf_counter() - started,
                    ok=False,
                    store_failed=isinstance(exc, StoreError),
                )
            )
            return
        seconds = time.perf_counter() - started
        self._last_seen = last_own
        for event in (*foreign, *own):
            self._bus.publish(event)
        if foreign or own:
            await self._bus.settle()
        if not job.future.done():
            job.future.set_result(result)
        self._committed(BatchCommitted(jobs=1, seconds=seconds, ok=True))

    async def _apply(
        self, txn: WriteTransaction, batch: list[_Job], edits: list[_EditJob]
    ) -> tuple[list[ViewEvent], list[list[HostResult]]]:
        history: list[NewHistory] = [
            row for job in batch if isinstance(job, _HistoryJob) for row in job.rows
        ]
        return await apply_host_edits(
            txn,
            [(job.items, job.meta) for job in edits],
            history=history,
            origin=self._origin,
            now=datetime.now(UTC),
        )

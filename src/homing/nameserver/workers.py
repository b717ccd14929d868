"""The provider's side of its DNS workers: starts them, feeds them, waits for them, restarts them.

Every view event the writer publishes is numbered and sent to each worker,
with the DNSSEC signatures the provider's view made applying it (and the
signatures it makes again before they expire, ``on_refresh``): workers
never sign (``signatures``). ``settle`` returns once every serving worker
reports that number applied, so the writer answers an update only when any
worker a query lands on serves it.
A worker that has not caught up within ``settle_timeout`` is killed and
started again rather than waited for: one stuck process must not hold every
update. A worker that dies is started again (with a growing pause if it
keeps dying) from the compiled zones the provider holds, and serves only
once it has caught up (see ``worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from homing.domain.records import ViewEvent
from homing.errors import ConfigError
from homing.nameserver import channel
from homing.nameserver.compiled import CompiledView
from homing.nameserver.engine import Engine, QueryKind
from homing.nameserver.ratelimit import RateLimitSettings
from homing.nameserver.signatures import NewSignatures

log = logging.getLogger(__name__)

READ_SIZE = 1 << 16
STOP_TIMEOUT = 5.0
RESTART_PAUSE = 0.2
MAX_RESTART_PAUSE = 30.0
QUICK_DEATH = 5.0
"""A worker that dies this soon after starting makes the next start wait longer."""


@dataclass(slots=True, eq=False)
class _Worker:
    index: int
    process: asyncio.subprocess.Process
    writer: asyncio.StreamWriter
    started: float
    applied: int = -1
    serving: bool = False
    counts: dict[QueryKind, int] = field(default_factory=dict)
    rrl: tuple[int, int] = (0, 0)
    """Answers dropped and slipped by response rate limiting."""
    task: asyncio.Task[None] | None = None


class WorkerPool:
    """``count`` DNS worker processes answering UDP on ``addresses`` (see the module docstring)."""

    def __init__(
        self,
        *,
        view: CompiledView,
        engine: Engine,
        addresses: list[tuple[str, int]],
        count: int,
        log_level: str,
        log_format: str,
        rate_limit: RateLimitSettings,
        inherited: list[socket.socket] | None = None,
        settle_timeout: float = 2.0,
    ) -> None:
        self._view = view
        self._engine = engine
        self._addresses = addresses
        self._count = count
        self._log = (log_level, log_format)
        self._rate_limit = rate_limit
        self._inherited = list(inherited or [])
        self._settle_timeout = settle_timeout
        self._seq = 0
        self._workers: dict[int, _Worker] = {}
        self._progress = asyncio.Event()
        self._retired: Counter[QueryKind] = Counter()
        self._retired_rrl = (0, 0)
        self._pauses: dict[int, float] = {}
        self._stopping = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._state: tuple[int, list[bytes]] | None = None
        self.restarts = 0

    async def start(self, *, within: float) -> None:
        """Start every worker; returns once all of them answer on the DNS ports."""
        for index in range(self._count):
            await self._spawn(index)
        # Each worker has its copy of the zones' frames: a hundred MiB at a million hosts,
        # not kept (a worker restarted later gets them made again, with the events since).
        self._state = None
        try:
            async with asyncio.timeout(within):
                while not all(w.serving for w in self._workers.values()):
                    self._progress.clear()
                    await self._progress.wait()
        except TimeoutError:
            raise ConfigError(
                f"the DNS workers did not start within {within:.0f} s (see the log)"
            ) from None
        finally:
            for sock in self._inherited:
                sock.close()
            self._inherited.clear()

    def on_event(self, event: ViewEvent) -> None:
        """Bus subscriber: number the event and send it to every worker, with the signatures
        the provider's view made applying it (the bus called the view first)."""
        self._seq += 1
        signatures = self._view.signatures_for(event)
        self._send_all(channel.encode(channel.Event(self._seq, event, signatures)))

    def on_refresh(self, refreshed: dict[bytes, NewSignatures]) -> None:
        """Send the signatures the provider's view made again: workers never sign."""
        if not refreshed:
            return
        self._state = None  # a worker started from here on gets the zones as refreshed
        self._send_all(channel.encode(channel.Resigned(refreshed)))

    def _send_all(self, frame: bytes) -> None:
        for worker in self._workers.values():
            worker.writer.write(frame)

    async def settle(self) -> None:
        """Wait until every serving worker has applied every event so far (module docstring)."""
        target = self._seq
        deadline = time.monotonic() + self._settle_timeout
        while True:
            behind = [w for w in self._workers.values() if w.serving and w.applied < target]
            if not behind:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                for worker in behind:
                    log.error(
                        "DNS worker %d did not apply a change within %.1f s; restarting it",
                        worker.index,
                        self._settle_timeout,
                    )
                    self._kill(worker)
                return
            self._progress.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._progress.wait()

    def rate_limited(self) -> tuple[int, int]:
        """(dropped, slipped) answers of every worker, including those that were restarted."""
        dropped, slipped = self._retired_rrl
        for worker in self._workers.values():
            dropped += worker.rrl[0]
            slipped += worker.rrl[1]
        return dropped, slipped

    def answers_by_worker(self) -> dict[int, int]:
        """Answers given by each serving worker since it last started."""
        return {i: sum(w.counts.values()) for i, w in self._workers.items()}

    def counts(self) -> Counter[QueryKind]:
        """Answers given by the workers, by (qtype, rcode), including those that were restarted."""
        total = Counter(self._retired)
        for worker in self._workers.values():
            total.update(worker.counts)
        return total

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers.values() if w.serving]

    async def stop(self) -> None:
        self._stopping = True
        for task in list(self._tasks):
            task.cancel()
        workers = list(self._workers.values())
        for worker in workers:
            with contextlib.suppress(ConnectionError, RuntimeError):
                worker.writer.write(channel.encode(channel.Stop()))
        for worker in workers:
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await worker.process.wait()
            except TimeoutError:
                worker.process.kill()
                await worker.process.wait()
            if worker.task is not None:
                worker.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker.task
            worker.writer.close()
        self._workers.clear()

    def _state_frames(self) -> list[bytes]:
        """The compiled zones as frames, pickled once per event number for all who need them."""
        if self._state is None or self._state[0] != self._seq:
            zones = [channel.encode(channel.ZoneState(z)) for z in self._view.zones.values()]
            self._state = (self._seq, zones)
        return self._state[1]

    async def _spawn(self, index: int) -> None:
        ours, theirs = socket.socketpair()
        inherited = [s.fileno() for s in self._inherited] if index == 0 else []
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "homing.nameserver.worker",
                str(theirs.fileno()),
                pass_fds=[theirs.fileno(), *inherited],
                stdin=asyncio.subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        # From here to the end nothing awaits: the state sent is the state at self._seq,
        # and every later event reaches this worker through on_event.
        worker = _Worker(index=index, process=process, writer=writer, started=time.monotonic())
        self._workers[index] = worker
        level, log_format = self._log
        writer.write(
            channel.encode(
                channel.Setup(
                    index=index,
                    addresses=self._addresses,
                    log_level=level,
                    log_format=log_format,
                    inherited=inherited or [-1] * len(self._addresses),
                    rate_limit=self._rate_limit,
                    udp_max_payload=self._engine.udp_max_payload,
                )
            )
        )
        for frame in self._state_frames():
            writer.write(frame)
        writer.write(channel.encode(channel.Synced(self._seq)))
        worker.task = asyncio.create_task(self._follow(worker, reader), name=f"dns-worker-{index}")

    async def _follow(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        frames = channel.FrameReader()
        try:
            while data := await reader.read(READ_SIZE):
                for message in frames.feed(data):
                    self._received(worker, message)
        except (ConnectionError, ValueError) as exc:
            log.warning("DNS worker %d channel failed: %s", worker.index, exc)
        await worker.process.wait()
        self._retire(worker)

    def _received(self, worker: _Worker, message: channel.Message) -> None:
        if isinstance(message, channel.Applied):
            worker.applied = message.seq
            if not worker.serving and message.seq == self._seq:
                worker.serving = True
                worker.writer.write(channel.encode(channel.Listen()))
            self._progress.set()
        elif isinstance(message, channel.Forward):
            self._answer_forwarded(worker, message)
        elif isinstance(message, channel.Counts):
            worker.counts = message.answered
            worker.rrl = (message.rrl_dropped, message.rrl_slipped)

    def _answer_forwarded(self, worker: _Worker, request: channel.Forward) -> None:
        reply = self._engine.answer(request.wire, tcp=False, peer=request.peer)
        if reply is None or isinstance(reply, bytes):
            worker.writer.write(
                channel.encode(channel.Reply(request.request, [reply] if reply else []))
            )
            return
        task = asyncio.create_task(self._reply_later(worker, request.request, reply))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reply_later(
        self, worker: _Worker, request: int, reply: Coroutine[Any, Any, list[bytes]]
    ) -> None:
        try:
            messages = await reply
        except Exception:
            log.exception("handler failed for a request forwarded by DNS worker %d", worker.index)
            messages = []
        if not worker.writer.is_closing():
            worker.writer.write(channel.encode(channel.Reply(request, messages)))

    def _kill(self, worker: _Worker) -> None:
        worker.serving = False
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()

    def _retire(self, worker: _Worker) -> None:
        if self._workers.get(worker.index) is not worker:
            return
        del self._workers[worker.index]
        self._retired.update(worker.counts)
        self._retired_rrl = (
            self._retired_rrl[0] + worker.rrl[0],
            self._retired_rrl[1] + worker.rrl[1],
        )
        worker.writer.close()
        self._progress.set()
        if self._stopping:
            return
        lived = time.monotonic() - worker.started
        pause = self._pauses.get(worker.index, RESTART_PAUSE)
        pause = min(pause * 2, MAX_RESTART_PAUSE) if lived < QUICK_DEATH else RESTART_PAUSE
        self._pauses[worker.index] = pause
        log.error(
            "DNS worker %d (pid %d) ended with status %s; starting it again in %.1f s",
            worker.index,
            worker.process.pid,
            worker.process.returncode,
            pause,
        )
        task = asyncio.create_task(self._restart(worker.index, pause))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _restart(self, index: int, pause: float) -> None:
        await asyncio.sleep(pause)
        if not self._stopping:
            self.restarts += 1
            await self._spawn(index)

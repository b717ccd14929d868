"""One brake on guessing for every front door: reserve an attempt, check, then count.

Every credential check (dyndns2, DuckDNS, acme-dns, REST, web sign-in, RFC
2136/TSIG) first takes a ``Reservation``. A reservation counts as a failure
until the check is over, so sixty simultaneous guesses from one address get
only as many checks as its remaining budget (issue 11: the old lock-out was
read before the check and counted after it). Checks in flight are capped per
source address and, for passwords from addresses that already failed, per login.

Two kinds of credential are treated differently:

* **Tokens** (192 random bits) cannot be guessed, so their failures are
  counted per source address only. A correct token from an address that has
  not failed is never refused, whatever others did against the same login.
* **Passwords** are locked per (login, source) first: one address gets
  ``max_failures`` guesses at an account per lock-out. An address guessing
  at many accounts is locked as a whole after three times as many. Across
  addresses, an account under attack is slowed rather than locked: checks from
  addresses that have failed against it pass a gate, one per
  ``login_gate_seconds``, while an address without failures (the owner's) goes
  straight to the check.

A success clears only the failures of that login from that address; the
failures an address collected elsewhere stay (a sprayer holding one valid
token of its own gains nothing by using it between guesses).

The counts live behind ``BrakeState``: ``MemoryBrakeState`` keeps them in this
process (a restart forgets them, the history keeps the refusals);
``SharedBrakeState`` (``core/shared_counts.py``) adds the counts of the other
nodes sharing a PostgreSQL database. Those arrive a moment late, so each node
would open an attacked login's gate once per interval on its own, and let
each new address's first guess through on its own. With ``GateClaims``
(``async with``) a node asks the database first: it opens the gate only after
claiming the opening (one claim per node and interval at most, since the local
gate stays shut meanwhile), and an address clean here but not at another node
of an attacked login (its first guess claimed there) is a failing address. So
one budget holds across the nodes; a success gives the first guess back.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Protocol

log = logging.getLogger(__name__)

MAX_TRACKED_KEYS = 100_000
MAX_DELAY_SECONDS = 2.0
FAILED_MEMORY_SECONDS = 86400.0
"""How long an address that failed against a login stays "failing" for that login's gate:
longer than the window, or an address would be clean again every few minutes."""


class CredentialKind(StrEnum):
    TOKEN = "token"  # noqa: S105 - a kind of credential, not a secret
    PASSWORD = "password"  # noqa: S105


class BrakeState(Protocol):
    """Failure counts, locks, checks in flight and gates, by key (see the module docstring)."""

    def failures(self, key: str, *, since: float) -> int:
        """Failures of ``key`` counted after ``since``."""

    def fail(self, key: str, *, now: float, since: float) -> int:
        """Count one failure at ``now``; return the failures after ``since``, this one included."""

    def clear(self, key: str) -> None:
        """Forget the failures of ``key`` (not its lock)."""

    def locked(self, key: str, *, now: float) -> bool: ...

    def lock(self, key: str, *, until: float) -> None: ...

    def pending(self, key: str) -> int:
        """Checks of ``key`` in flight."""

    def reserve(self, key: str) -> None: ...

    def release(self, key: str) -> None: ...

    def admit(self, key: str, *, now: float, interval: float) -> bool:
        """True at most once per ``interval`` seconds for ``key``."""


class GateClaims(Protocol):
    """Where the nodes sharing counts agree on each opening of a login's gate."""

    async def claim(self, key: str, *, at: float, interval: float) -> bool:
        """True when no node opened gate ``key`` in the ``interval`` before ``at`` (monotonic)."""

    async def release(self, key: str) -> None:
        """Forget the opening of ``key`` (a first guess that turned out to be the owner's)."""


@dataclass(slots=True)
class _Entry:
    times: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    pending: int = 0
    admitted_at: float = float("-inf")


class MemoryBrakeState:
    """``BrakeState`` in this process's memory, bounded to ``MAX_TRACKED_KEYS`` keys."""

    def __init__(self, *, horizon: float) -> None:
        self.horizon = horizon
        """Entries idle for longer than this (the window or the lock-out) can be dropped."""
        self._entries: dict[str, _Entry] = {}

    def _entry(self, key: str, now: float) -> _Entry:
        entry = self._entries.get(key)
        if entry is None:
            if len(self._entries) >= MAX_TRACKED_KEYS:
                self._prune(now)
            entry = self._entries[key] = _Entry()
        return entry

    def failures(self, key: str, *, since: float) -> int:
        entry = self._entries.get(key)
        return 0 if entry is None else sum(1 for t in entry.times if t > since)

    def fail(self, key: str, *, now: float, since: float) -> int:
        entry = self._entry(key, now)
        entry.times = [t for t in entry.times if t > since]
        entry.times.append(now)
        return len(entry.times)

    def clear(self, key: str) -> None:
        entry = self._entries.get(key)
        if entry is not None:
            entry.times = []

    def locked(self, key: str, *, now: float) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry.locked_until > now

    def lock(self, key: str, *, until: float) -> None:
        self._entry(key, until).locked_until = until

    def pending(self, key: str) -> int:
        entry = self._entries.get(key)
        return 0 if entry is None else entry.pending

    def reserve(self, key: str) -> None:
        self._entry(key, time.monotonic()).pending += 1

    def release(self, key: str) -> None:
        entry = self._entries.get(key)
        if entry is not None and entry.pending > 0:
            entry.pending -= 1

    def admit(self, key: str, *, now: float, interval: float) -> bool:
        entry = self._entry(key, now)
        if now - entry.admitted_at < interval:
            return False
        entry.admitted_at = now
        return True

    def admitted(self, key: str, *, at: float) -> None:
        """Note a check admitted at ``at`` elsewhere (another node's gate)."""
        entry = self._entry(key, at)
        entry.admitted_at = max(entry.admitted_at, at)

    def _prune(self, now: float) -> None:
        def live(entry: _Entry) -> bool:
            recent = bool(entry.times) and entry.times[-1] > now - self.horizon
            return entry.pending > 0 or entry.locked_until > now or recent

        self._entries = {k: e for k, e in self._entries.items() if live(e)}
        if len(self._entries) >= MAX_TRACKED_KEYS:
            # Flooded with distinct keys: forget which addresses failed before (the gate then
            # treats them as new), keep the locks and what holds a check in flight.
            self._entries = {
                k: e
                for k, e in self._entries.items()
                if e.pending or (e.locked_until > now and not k.startswith("failed:"))
            }
        if len(self._entries) >= MAX_TRACKED_KEYS:
            self._entries = {k: e for k, e in self._entries.items() if e.pending}


@dataclass(frozen=True, slots=True, kw_only=True)
class BrakeLimits:
    """The numbers of the brake (``auth_*`` settings)."""

    max_failures: int
    """Password failures per (login, source), token failures per source, before a lock."""
    window: float
    lockout: float
    source_factor: int = 3
    """An address guessing passwords at several logins is locked after this many times more."""
    slow_after: int = 3
    """Failures before answers to the failing address are delayed."""
    in_flight_per_source: int = 16
    in_flight_per_login: int = 2
    """Password checks in flight for one login from addresses that already failed."""
    login_gate_seconds: float = 5.0
    """Under attack (``max_failures`` across addresses), one check per this many seconds for
    addresses that failed against the login."""


def lock_threshold(key: str, limits: BrakeLimits) -> int | None:
    """The failures of ``key`` that lock it out for ``lockout``; None: a key never locked.

    ``Brake._failed`` locks by it, and so does a node hearing of other nodes'
    failures (``core/shared_counts.py``).
    """
    if key.startswith(("pair:", "tok:")):
        return limits.max_failures
    if key.startswith("pw:"):
        return limits.max_failures * limits.source_factor
    return None


class Refusal(StrEnum):
    """Why a reservation was refused before any check."""

    LOCKED = "locked out after repeated failures"
    BUSY = "too many checks in flight"
    SLOWED = "login under attack: checks from failing addresses are slowed"


class Brake:
    """Reservations for credential checks (see the module docstring)."""

    def __init__(
        self,
        *,
        limits: BrakeLimits,
        state: BrakeState | None = None,
        clock: Callable[[], float] = time.monotonic,
        gates: GateClaims | None = None,
    ) -> None:
        self.limits = limits
        self._state = state or MemoryBrakeState(horizon=max(limits.window, limits.lockout))
        self._clock = clock
        self._gates = gates

    def reserve(
        self, *, source: str | None, login: str | None, kind: CredentialKind
    ) -> Reservation:
        """Reserve one check; ``Reservation.refused`` says when it may not run at all."""
        return Reservation(self, source=source or "unknown", login=_login_key(login), kind=kind)

    def source_locked(self, source: str | None) -> bool:
        """Whether every credential from ``source`` is refused for now."""
        now = self._clock()
        src = source or "unknown"
        return self._state.locked("tok:" + src, now=now) or self._state.locked("pw:" + src, now=now)

    def _open(self, ticket: Reservation) -> Refusal | None:
        """Decide, then take the slots of the reservation (nothing is taken when refused)."""
        limits, state, now = self.limits, self._state, self._clock()
        since = now - limits.window
        src = ticket.source
        if self.source_locked(src):
            return Refusal.LOCKED
        if state.pending("src:" + src) >= limits.in_flight_per_source:
            return Refusal.BUSY
        keys = ["src:" + src]
        if ticket.kind is CredentialKind.TOKEN or ticket.login is None:
            used = state.failures("tok:" + src, since=since) + state.pending("tok:" + src)
            if used >= limits.max_failures:
                return Refusal.LOCKED
            keys.append("tok:" + src)
        else:
            pair, login = f"pair:{ticket.login}\0{src}", "login:" + ticket.login
            pair_used = state.failures(pair, since=since) + state.pending(pair)
            if state.locked(pair, now=now) or pair_used >= limits.max_failures:
                return Refusal.LOCKED
            source_used = state.failures("pw:" + src, since=since) + state.pending("pw:" + src)
            if source_used >= limits.max_failures * limits.source_factor:
                return Refusal.LOCKED
            keys += [pair, "pw:" + src]
            failing = pair_used > 0 or state.locked("failed:" + pair, now=now)
            attacked = (failing or self._gates is not None) and state.failures(
                login, since=since
            ) >= limits.max_failures
            if failing:
                # This address failed against the login (or is checking it right now).
                refused = self._login_gate(ticket, login, attacked=attacked, now=now)
                if refused is not None:
                    return refused
                keys.append(login)
            elif attacked:
                # Clean here; whether at every node too is the database's to say (_agree).
                ticket._first = (json.dumps(["first", ticket.login, src]), now)
        for key in keys:
            state.reserve(key)
        ticket._held = keys
        return None

    def _login_gate(
        self, ticket: Reservation, login: str, *, attacked: bool, now: float
    ) -> Refusal | None:
        """The per-login limits of a failing address: checks in flight, and the gate."""
        limits, state = self.limits, self._state
        if state.pending(login) >= limits.in_flight_per_login:
            return Refusal.BUSY
        if attacked:
            if not state.admit(login, now=now, interval=limits.login_gate_seconds):
                return Refusal.SLOWED
            ticket._gate = (login, now)
        return None

    def _failed(self, ticket: Reservation) -> float:
        limits, state, now = self.limits, self._state, self._clock()
        since, until = now - limits.window, now + limits.lockout
        src = ticket.source

        def fail(key: str) -> int:
            count = state.fail(key, now=now, since=since)
            threshold = lock_threshold(key, limits)
            if threshold is not None and count >= threshold:
                state.lock(key, until=until)
            return count

        if ticket.kind is CredentialKind.TOKEN or ticket.login is None:
            count = fail("tok:" + src)
        else:
            pair = f"pair:{ticket.login}\0{src}"
            count = fail(pair)
            state.lock("failed:" + pair, until=now + FAILED_MEMORY_SECONDS)
            fail("pw:" + src)
            fail("login:" + ticket.login)
        if count <= limits.slow_after:
            return 0.0
        return float(min(MAX_DELAY_SECONDS, 0.1 * 2 ** (count - limits.slow_after - 1)))

    def _succeeded(self, ticket: Reservation) -> None:
        if ticket.kind is CredentialKind.PASSWORD and ticket.login is not None:
            pair = f"pair:{ticket.login}\0{ticket.source}"
            self._state.clear(pair)
            self._state.lock("failed:" + pair, until=0.0)

    async def _agree(self, ticket: Reservation) -> Refusal | None:
        """What the other nodes say of this node's decision (``GateClaims``, see above)."""
        gates = self._gates
        if gates is None:
            return None
        if ticket._first is not None and ticket.login is not None:
            key, at = ticket._first
            if await _claim(gates, key, at=at, interval=FAILED_MEMORY_SECONDS):
                return None
            # Its first guess was at another node: a failing address at an attacked login.
            ticket._first = None
            login = "login:" + ticket.login
            refused = self._login_gate(ticket, login, attacked=True, now=self._clock())
            if refused is not None:
                return refused
            self._state.reserve(login)
            ticket._held.append(login)
        if ticket._gate is not None:
            key, at = ticket._gate
            if not await _claim(gates, key, at=at, interval=self.limits.login_gate_seconds):
                return Refusal.SLOWED
        return None

    async def _give_back(self, ticket: Reservation) -> None:
        """A first guess that succeeded was the owner's: the next one is a first one again."""
        if self._gates is None or ticket._first is None:
            return
        try:
            await self._gates.release(ticket._first[0])
        except Exception as exc:
            log.warning("cannot give back a first guess claim: %s", exc)

    def _release(self, ticket: Reservation) -> None:
        for key in ticket._held:
            self._state.release(key)
        ticket._held = []


async def _claim(gates: GateClaims, key: str, *, at: float, interval: float) -> bool:
    try:
        return await gates.claim(key, at=at, interval=interval)
    except Exception as exc:
        # The database away: this node's own decision stands, as with one node.
        log.warning("cannot claim a login gate opening; deciding here: %s", exc)
        return True


def _login_key(login: str | None) -> str | None:
    if login is None:
        return None
    key = login.strip().lower().rstrip(".")
    return key or None


class Reservation:
    """One credential check's place in the brake; use it as a context manager.

    Inside, call ``failed()`` (returns how long to delay the answer) or
    ``succeeded()``; leaving the block without either (an error, a cancelled
    request) only gives the slot back. ``async with`` also claims a gate
    opening across the nodes (``GateClaims``): password checks use it.
    """

    def __init__(
        self, brake: Brake, *, source: str, login: str | None, kind: CredentialKind
    ) -> None:
        self._brake = brake
        self.source = source
        self.login = login
        self.kind = kind
        self._held: list[str] = []
        self._gate: tuple[str, float] | None = None
        """The login gate this reservation opened, and when (monotonic)."""
        self._first: tuple[str, float] | None = None
        """This address's first guess at an attacked login, to claim across the nodes."""
        self._ok = False
        self.refused: Refusal | None = None

    def __enter__(self) -> Reservation:
        self.refused = self._brake._open(self)
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._brake._release(self)

    async def __aenter__(self) -> Reservation:
        self.refused = self._brake._open(self)
        if self.refused is None:
            try:
                self.refused = await self._brake._agree(self)
            except BaseException:
                self._brake._release(self)  # cancelled (a client gone): no __aexit__ follows
                raise
            if self.refused is not None:
                self._brake._release(self)
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._brake._release(self)
        if self._ok:
            await self._brake._give_back(self)

    def failed(self) -> float:
        delay = self._brake._failed(self)
        self._brake._release(self)
        return delay

    def succeeded(self) -> None:
        self._ok = True
        self._brake._succeeded(self)
        self._brake._release(self)

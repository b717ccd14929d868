"""The brake: reservations before checks, tokens per source, passwords per (login, source)."""

from __future__ import annotations

import asyncio
import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from homing.core.brake import Brake, BrakeLimits, CredentialKind, Refusal
from homing.errors import StoreError

TOKEN, PASSWORD = CredentialKind.TOKEN, CredentialKind.PASSWORD


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def brake(clock: Clock, **limits: float) -> Brake:
    values = {"max_failures": 5, "window": 300.0, "lockout": 900.0, **limits}
    return Brake(limits=BrakeLimits(**values), clock=clock)  # type: ignore[arg-type]


def fail(b: Brake, source: str, login: str | None, kind: CredentialKind) -> Refusal | None:
    with b.reserve(source=source, login=login, kind=kind) as ticket:
        if ticket.refused is None:
            ticket.failed()
        return ticket.refused


def test_reservations_count_before_the_check() -> None:
    b = brake(Clock(), in_flight_per_login=100)
    held = [b.reserve(source="192.0.2.1", login="alice", kind=PASSWORD) for _ in range(8)]
    opened = [ticket.__enter__() for ticket in held]
    assert [t.refused for t in opened] == [None] * 5 + [Refusal.LOCKED] * 3
    for ticket in held:
        ticket.__exit__(None, None, None)
    assert fail(b, "192.0.2.1", "alice", PASSWORD) is None  # released slots: budget again


def test_a_success_clears_only_that_login_from_that_address() -> None:
    b = brake(Clock())
    for _ in range(4):
        fail(b, "192.0.2.2", "alice", PASSWORD)
        fail(b, "192.0.2.2", None, TOKEN)
    with b.reserve(source="192.0.2.2", login="bob", kind=PASSWORD) as ok:
        ok.succeeded()
    with b.reserve(source="192.0.2.2", login=None, kind=TOKEN) as ok:
        ok.succeeded()
    assert fail(b, "192.0.2.2", "alice", PASSWORD) is None  # the fifth
    assert fail(b, "192.0.2.2", "alice", PASSWORD) is Refusal.LOCKED
    assert fail(b, "192.0.2.2", None, TOKEN) is None
    assert fail(b, "192.0.2.2", None, TOKEN) is Refusal.LOCKED  # tokens: never cleared


def test_failures_from_elsewhere_never_refuse_a_clean_address() -> None:
    clock = Clock()
    b = brake(clock)
    for n in range(30):
        fail(b, f"198.51.100.{n}", "alice", PASSWORD)
        fail(b, f"198.51.100.{n}", None, TOKEN)
        clock.now += 0.1
    for kind in (PASSWORD, TOKEN):
        with b.reserve(source="203.0.113.1", login="alice", kind=kind) as owner:
            assert owner.refused is None
    # A failing address under attack passes the gate once per login_gate_seconds.
    assert fail(b, "198.51.100.1", "alice", PASSWORD) is None
    assert fail(b, "198.51.100.2", "alice", PASSWORD) is Refusal.SLOWED
    clock.now += 5
    assert fail(b, "198.51.100.2", "alice", PASSWORD) is None


def test_a_lock_ends_after_the_lockout() -> None:
    clock = Clock()
    b = brake(clock)
    for _ in range(5):
        fail(b, "192.0.2.3", None, TOKEN)
    assert b.source_locked("192.0.2.3")
    clock.now += 901
    assert not b.source_locked("192.0.2.3") and fail(b, "192.0.2.3", None, TOKEN) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3), st.sampled_from(["alice", "bob", None]), st.booleans(), st.booleans()
        ),
        max_size=200,
    )
)
def test_no_address_gets_more_checks_than_its_budget(
    steps: list[tuple[int, str | None, bool, bool]],
) -> None:
    """Whatever the mix, failed checks per (login, address) and token failures per address
    stay within max_failures until the lock-out ends (the clock stands still here)."""
    b = brake(Clock())
    failures: dict[tuple[int, str | None], int] = {}
    for source, login, is_token, succeeds in steps:
        kind = TOKEN if is_token or login is None else PASSWORD
        with b.reserve(source=f"192.0.2.{source}", login=login, kind=kind) as ticket:
            if ticket.refused is not None:
                continue
            if succeeds:
                ticket.succeeded()
                if kind is PASSWORD:
                    failures[(source, login)] = 0
                continue
            ticket.failed()
        key = (source, login if kind is PASSWORD else None)
        failures[key] = failures.get(key, 0) + 1
        assert failures[key] <= 5


class UnreachableGates:
    """``GateClaims`` whose database is away: every claim raises."""

    def __init__(self) -> None:
        self.asked = 0

    async def claim(self, key: str, *, at: float, interval: float) -> bool:
        self.asked += 1
        raise StoreError("the database is unreachable")

    async def release(self, key: str) -> None:
        raise StoreError("the database is unreachable")


async def test_with_the_gate_database_away_the_node_decides_alone() -> None:
    clock, gates = Clock(), UnreachableGates()
    limits = BrakeLimits(max_failures=2, window=300.0, lockout=900.0)
    b = Brake(limits=limits, clock=clock, gates=gates)
    for n in range(2):
        fail(b, f"192.0.2.{n}", "alice", PASSWORD)  # the login is under attack now

    async def check(source: str, *, right: bool = False) -> Refusal | None:
        async with b.reserve(source=source, login="alice", kind=PASSWORD) as ticket:
            if ticket.refused is None and right:
                ticket.succeeded()
            elif ticket.refused is None:
                ticket.failed()
            return ticket.refused

    assert await check("192.0.2.0") is None  # the gate's opening, as one node decides
    assert await check("192.0.2.1") is Refusal.SLOWED
    assert await check("198.51.100.7", right=True) is None  # the owner, first guess
    assert gates.asked == 2


class StuckGates:
    """``GateClaims`` whose claims never return (a request cancelled while waiting)."""

    def __init__(self) -> None:
        self.claiming = asyncio.Event()

    async def claim(self, key: str, *, at: float, interval: float) -> bool:
        self.claiming.set()
        await asyncio.Event().wait()
        return True

    async def release(self, key: str) -> None:
        return None


async def test_a_check_cancelled_while_claiming_gives_its_slots_back() -> None:
    limits = BrakeLimits(max_failures=2, window=300.0, lockout=900.0, in_flight_per_source=1)
    gates = StuckGates()
    b = Brake(limits=limits, clock=Clock(), gates=gates)
    for n in range(2):
        fail(b, f"192.0.2.{n}", "alice", PASSWORD)

    async def check() -> None:
        async with b.reserve(source="203.0.113.5", login="alice", kind=PASSWORD):
            pass

    waiting = asyncio.create_task(check())
    await gates.claiming.wait()  # it holds its slot while it claims
    assert fail(b, "203.0.113.5", None, TOKEN) is Refusal.BUSY
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    assert fail(b, "203.0.113.5", None, TOKEN) is None

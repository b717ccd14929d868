"""The rules: push on change only; nochg not repeated; stop, wait or back off as answered."""

from __future__ import annotations

import ipaddress
import random

from homing.client.addresses import Addresses
from homing.client.policy import (
    SERVER_ERROR_WAIT,
    Action,
    current,
    decide,
    record,
    to_send,
)
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.state import TargetState

A = Addresses(ipv4=ipaddress.IPv4Address("93.184.216.34"))
B = Addresses(ipv4=ipaddress.IPv4Address("93.184.216.35"))
V6 = Addresses(ipv6=ipaddress.IPv6Address("2606:2800:220:1::1"))
NOW = 1_700_000_000.0


def _after(kind: AnswerKind, *, retry_after: float | None = None) -> TargetState:
    answer = ProviderAnswer(kind, kind.value, retry_after)
    return record(TargetState(fingerprint="f"), answer, sent=A, now=NOW, rng=random.Random(0))


def test_fresh_state_pushes_and_nothing_detected_waits() -> None:
    state = current(None, "f")
    assert decide(state, A, now=NOW).action is Action.PUSH
    assert decide(state, Addresses(), now=NOW).action is Action.WAIT


def test_good_and_nochg_are_done_until_the_address_changes() -> None:
    for kind in (AnswerKind.UPDATED, AnswerKind.UNCHANGED):
        state = _after(kind)
        assert decide(state, A, now=NOW + 1).action is Action.DONE
        assert decide(state, B, now=NOW + 1).action is Action.PUSH
        assert state.published == A and state.published_at


def test_rejection_stops_until_the_fingerprint_changes() -> None:
    state = _after(AnswerKind.REJECTED)
    assert decide(state, B, now=NOW + 10**6).action is Action.STOPPED
    assert decide(current(state, "f"), B, now=NOW).action is Action.STOPPED
    assert decide(current(state, "changed"), B, now=NOW).action is Action.PUSH


def test_server_error_waits_at_least_thirty_minutes() -> None:
    state = _after(AnswerKind.SERVER_ERROR)
    assert state.not_before >= NOW + SERVER_ERROR_WAIT
    assert decide(state, A, now=NOW + SERVER_ERROR_WAIT - 1).action is Action.WAIT
    assert decide(state, A, now=state.not_before).action is Action.PUSH


def test_rate_limit_honours_retry_after_and_failures_back_off() -> None:
    assert _after(AnswerKind.RATE_LIMITED, retry_after=120).not_before == NOW + 120
    first = _after(AnswerKind.FAILED)
    second = record(first, ProviderAnswer(AnswerKind.FAILED, "x"), sent=A, now=NOW)
    assert second.failures == 2
    assert second.not_before - NOW > first.not_before - NOW - 30  # grows (with jitter)
    healed = record(second, ProviderAnswer(AnswerKind.UPDATED, "good"), sent=A, now=NOW)
    assert (healed.failures, healed.not_before) == (0, 0.0)


def test_a_family_not_detected_now_keeps_its_published_address() -> None:
    state = record(
        TargetState(fingerprint="f"),
        ProviderAnswer(AnswerKind.UPDATED, "good"),
        sent=Addresses(ipv4=A.ipv4, ipv6=V6.ipv6),
        now=NOW,
    )
    assert to_send(state, B) == Addresses(ipv4=B.ipv4, ipv6=V6.ipv6)
    assert decide(state, A, now=NOW).action is Action.DONE

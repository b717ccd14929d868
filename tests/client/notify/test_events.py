"""Which answers call for a notification: a change once, a failing streak once, a refusal."""

from __future__ import annotations

import ipaddress

from homing.client.addresses import Addresses, Family
from homing.client.config import Target
from homing.client.notify import EventKind
from homing.client.notify.events import events_for, pass_event
from homing.client.options import Secret
from homing.client.policy import Action, Decision, record
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.duckdns import DuckdnsSettings
from homing.client.state import TargetState

A = Addresses(ipv4=ipaddress.IPv4Address("93.184.216.34"))
B = Addresses(ipv4=ipaddress.IPv4Address("93.184.216.35"))
TARGET = Target(
    key="duckdns:home",
    name="home",
    provider="duckdns",
    families=frozenset({Family.IPV4}),
    settings=DuckdnsSettings(server="http://127.0.0.1:9", token=Secret("t")),
    fingerprint="f",
    dns_server=None,
)


def _after(before: TargetState, kind: AnswerKind, sent: Addresses = B) -> list[EventKind]:
    answer = ProviderAnswer(kind, kind.value)
    after = record(before, answer, sent=sent, now=100.0)
    return [e.kind for e in events_for(TARGET, before, after, answer, threshold=3, now=100.0)]


def test_a_change_is_told_once_with_old_and_new() -> None:
    before = TargetState(fingerprint="f", published=A)
    answer = ProviderAnswer(AnswerKind.UPDATED, "good 93.184.216.35")
    after = record(before, answer, sent=B, now=100.0)
    [event] = events_for(TARGET, before, after, answer, threshold=3, now=100.0)
    assert (event.kind, event.old, event.new, event.answer) == (
        EventKind.CHANGED,
        A,
        B,
        answer.text,
    )
    assert _after(after, AnswerKind.UNCHANGED) == []  # the same address again: nothing


def test_failing_is_told_when_the_streak_reaches_the_threshold_only() -> None:
    state = TargetState(fingerprint="f", published=A)
    told = []
    for _ in range(5):
        told.append(_after(state, AnswerKind.FAILED))
        state = record(state, ProviderAnswer(AnswerKind.FAILED, "x"), sent=B, now=100.0)
    assert told == [[], [], [EventKind.FAILING], [], []]


def test_a_refusal_is_told_as_stopped() -> None:
    assert _after(TargetState(fingerprint="f"), AnswerKind.REJECTED) == [EventKind.STOPPED]


def test_pass_event_is_healthy_only_when_all_is_done() -> None:
    done = Decision(Action.DONE, "up to date")
    waiting = Decision(Action.WAIT, "after 911", at=5.0)
    healthy = pass_event({"a": done}, {}, now=1.0)
    assert (healthy.kind, healthy.detail) == (EventKind.HEALTHY, "1 name(s) up to date")
    sick = pass_event({"a": done, "b": waiting}, {Family.IPV6: "no address"}, now=1.0)
    assert sick.kind is EventKind.UNHEALTHY
    assert sick.detail == "b: wait (after 911); ipv6: no address"

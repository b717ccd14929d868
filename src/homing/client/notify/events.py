"""Which notifications an update's answer calls for: pure rules, no I/O.

A change is told once, when a provider confirms a new address; a failing
name is told once per streak, when the streak reaches the threshold, so a
provider that is down for a day does not send an alert every retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from homing.client.addresses import Family
from homing.client.config import Target
from homing.client.notify import Event, EventKind
from homing.client.policy import Action, Decision
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.state import TargetState


def events_for(
    target: Target,
    before: TargetState,
    after: TargetState,
    answer: ProviderAnswer,
    *,
    threshold: int,
    now: float,
) -> list[Event]:
    """The events for ``answer``, which moved ``target``'s state from ``before`` to ``after``."""
    told = Event(
        kind=EventKind.CHANGED,
        at=now,
        name=target.name,
        provider=target.provider,
        old=before.published,
        new=after.published,
        answer=answer.text,
        failures=after.failures,
    )
    if answer.kind.done:
        return [] if after.published == before.published else [told]
    if answer.kind is AnswerKind.REJECTED:
        return [replace(told, kind=EventKind.STOPPED)]
    if after.failures == threshold:
        return [replace(told, kind=EventKind.FAILING)]
    return []


def pass_event(
    decisions: Mapping[str, Decision], problems: Mapping[Family, str], *, now: float
) -> Event:
    """The heartbeat's event for a pass: HEALTHY only if every name is done and no source fails."""
    trouble = [
        f"{key}: {d.action.value} ({d.reason})"
        for key, d in decisions.items()
        if d.action is not Action.DONE
    ]
    trouble += [f"{family.value}: {problem}" for family, problem in problems.items()]
    if trouble:
        return Event(kind=EventKind.UNHEALTHY, at=now, detail="; ".join(trouble))
    return Event(kind=EventKind.HEALTHY, at=now, detail=f"{len(decisions)} name(s) up to date")

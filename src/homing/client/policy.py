"""When to push a name, and what an answer means for the next try: pure rules, no I/O.

The rules come from what providers demand of clients (issue 3): push only
on change; never repeat a ``nochg``; after ``badauth``, ``nohost``,
``abuse``, ``badagent`` or ``notfqdn`` stop until the config changes; after
``911``/``dnserr`` wait at least 30 minutes; after HTTP 429 wait as long as
``Retry-After`` says; after a network error back off exponentially.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from enum import Enum

from homing.client.addresses import Addresses
from homing.client.backoff import backoff_seconds
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.state import TargetState

SERVER_ERROR_WAIT = 1800.0
RETRY_BASE = 30.0
RETRY_CAP = 3600.0


class Action(Enum):
    PUSH = "push"  # send an update now
    WAIT = "wait"  # not before ``Decision.at`` (or until an address is detected)
    DONE = "done"  # the provider has what we detected
    STOPPED = "stopped"  # the provider refused; only a config change resumes


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    at: float | None = None


def current(state: TargetState | None, fingerprint: str) -> TargetState:
    """The state to act on: a state from another version of the config counts for nothing."""
    if state is None or state.fingerprint != fingerprint:
        return TargetState(fingerprint=fingerprint)
    return state


def to_send(state: TargetState, detected: Addresses) -> Addresses:
    """Detected addresses, plus what is published for a family not detected right now."""
    merged = state.published
    for _, address in detected.items():
        merged = merged.replaced(address)
    return merged


def decide(state: TargetState, detected: Addresses, *, now: float) -> Decision:
    """What to do for one target, given what is detected (only its families)."""
    if state.stopped:
        return Decision(Action.STOPPED, f"{state.answer_text}: fix the config, then restart")
    if not detected.items():
        return Decision(Action.WAIT, "no address detected yet")
    if all(state.published.get(f) == a for f, a in detected.items()):
        return Decision(Action.DONE, f"up to date ({to_send(state, detected)})")
    if now < state.not_before:
        return Decision(Action.WAIT, f"after {state.answer_text}", at=state.not_before)
    return Decision(Action.PUSH, f"{state.published} -> {to_send(state, detected)}")


def record(
    state: TargetState,
    answer: ProviderAnswer,
    *,
    sent: Addresses,
    now: float,
    rng: random.Random | None = None,
) -> TargetState:
    """The state after ``answer`` to an update that sent ``sent``."""
    answered = replace(state, answer_kind=answer.kind, answer_text=answer.text, answer_at=now)
    if answer.kind.done:
        stamps = dict(state.published_at)
        for family, address in sent.items():
            if state.published.get(family) != address or family not in stamps:
                stamps[family] = now
        return replace(answered, published=sent, published_at=stamps, failures=0, not_before=0.0)
    if answer.kind is AnswerKind.REJECTED:
        return replace(answered, stopped=True)
    failures = state.failures + 1
    wait = backoff_seconds(failures, base=RETRY_BASE, cap=RETRY_CAP, rng=rng)
    if answer.kind is AnswerKind.SERVER_ERROR:
        wait = max(wait, SERVER_ERROR_WAIT)
    elif answer.kind is AnswerKind.RATE_LIMITED and answer.retry_after is not None:
        wait = max(answer.retry_after, 1.0)
    return replace(answered, failures=failures, not_before=now + wait)

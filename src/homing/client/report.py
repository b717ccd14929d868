"""The text ``homing client`` prints: one line per target or family, tab-separated fields."""

from __future__ import annotations

import time
from collections.abc import Mapping

from homing.client.addresses import Addresses, Family
from homing.client.check import NameCheck
from homing.client.config import ClientConfig
from homing.client.detect import AddressSource
from homing.client.policy import Action, Decision, current
from homing.client.state import StateFile, TargetState


def when(stamp: float | None) -> str:
    if stamp is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))


def decision_text(decision: Decision) -> str:
    if decision.action is Action.WAIT and decision.at is not None:
        return f"wait until {when(decision.at)} ({decision.reason})"
    return f"{decision.action.value}: {decision.reason}"


def detected_lines(
    addresses: Addresses, sources: Mapping[Family, AddressSource], problems: Mapping[Family, str]
) -> list[str]:
    lines = []
    for family, source in sources.items():
        address = addresses.get(family)
        shown = str(address) if address is not None else f"none ({problems.get(family, '?')})"
        lines.append(f"{family.value}\t{shown}\t{source.description}")
    return lines


def status_lines(config: ClientConfig, states: StateFile, *, now: float) -> list[str]:
    """Per target: published addresses and when, the last answer, and the next action."""
    lines = []
    for target in config.targets:
        stored = states.get(target.key)
        state = current(stored, target.fingerprint)
        lines.append(target.key)
        for family in sorted(target.families, key=lambda f: f.value):
            address = state.published.get(family)
            pushed = when(state.published_at.get(family))
            lines.append(f"  {family.value}\t{address or '-'}\tpushed {pushed}")
        answer = f"{state.answer_text} at {when(state.answer_at)}" if state.answer_at else "none"
        lines.append(f"  answer\t{answer}")
        changed = stored is not None and stored.fingerprint != target.fingerprint
        lines.append(f"  next\t{_next(state, changed, now)}")
    return lines


def _next(state: TargetState, config_changed: bool, now: float) -> str:
    if state.stopped:
        return f"stopped after {state.answer_text}: fix the config, then restart"
    if state.not_before > now:
        return f"retry after {when(state.not_before)} ({state.failures} failure(s))"
    if config_changed:
        return "push at the next detection (the config changed)"
    return "push when the detected address differs"


def check_line(result: NameCheck) -> str:
    verdict = "ok" if result.ok else "MISMATCH" if result.problem is None else "FAILED"
    parts = []
    for family in sorted(result.target.families, key=lambda f: f.value):
        found = ",".join(sorted(result.found.get(family, frozenset()))) or "-"
        wanted = result.detected.get(family)
        parts.append(f"{family.record_type} {found} (detected {wanted or '-'})")
    detail = result.problem or "; ".join(parts)
    return f"{result.target.key}\t{verdict}\t@{result.server}\t{detail}"

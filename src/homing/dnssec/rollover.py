"""A CSK rollover by double signature (RFC 7583 section 3.3), as a pure state machine.

A zone has one combined signing key (CSK). To change it, the new key is
published in DNSKEY and signs every RRset beside the old one from the first
moment; the parent's DS then moves from the old key to the new one, and the
old key leaves once no resolver can still hold its DS. With both keys in the
DNSKEY set, signed by both, a validator whose DS names either key validates
every answer at every moment of the rollover.

The phases, and what moves a zone from one to the next:

``publish``  the new key (``published``) is in DNSKEY and signs; CDS and
             CDNSKEY still name the old key (``active``). After the DNSKEY
             TTL and the propagation delay every cache that holds the DNSKEY
             set holds the new key: then, and not before, the parent may get
             the new DS (a parent that took it earlier would break resolvers
             that still hold the old DNSKEY set). The server moves on by itself.
``submit``   the new key is ``active`` (CDS and CDNSKEY name it, ``homing
             dnssec ds`` prints its DS); the old one is ``leaving``, still
             published and signing. The operator puts the new DS at the parent
             (a parent that scans CDS does it alone) and says so:
             ``homing dnssec rollover ZONE --complete``.
``retire``   the old key is ``retiring``: caches may hold the old DS for the
             parent's DS TTL, and answers signed before the rollover for the
             largest TTL of the zone. Once both have passed (plus the
             propagation delay) the server deletes the old key.

Each step is one write with a zone reload in the journal, so every server
of the zone serves the new key set at once. Nothing here reads a clock:
``now`` is given, which is what the tests of the timings need.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from homing.errors import ConflictError


class KeyState(enum.StrEnum):
    ACTIVE = "active"
    """Signs, and is the key the parent's DS should name (CDS, CDNSKEY)."""
    PUBLISHED = "published"
    """A rollover's new key: in DNSKEY and signing, not yet in CDS."""
    LEAVING = "leaving"
    """A rollover's old key after CDS moved on: published and signing until the parent moves."""
    RETIRING = "retiring"
    """The old key once the parent has the new DS: deleted when caches forget the old DS."""


class Phase(enum.StrEnum):
    NONE = "none"
    PUBLISH = "publish"
    SUBMIT = "submit"
    RETIRE = "retire"


@dataclass(frozen=True, slots=True, kw_only=True)
class Timings:
    """What the waits are made of, in seconds (RFC 7583 section 3.3)."""

    dnskey_ttl: int
    """The TTL of the apex DNSKEY set (the zone's SOA TTL here)."""
    max_zone_ttl: int
    """The largest TTL in the zone: how long an answer signed before the rollover lives."""
    propagation: int
    """How long a change takes to reach every server of the zone (nodes, secondaries)."""
    parent_ds_ttl: int
    """The TTL of the DS at the parent: how long resolvers may keep the old one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyTimes:
    """One key of a zone as the rollover sees it."""

    id: int
    state: KeyState
    created_at: datetime
    changed_at: datetime
    """When the key entered its state."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """Key states to write (None: delete the key), and the phase the zone is then in."""

    changes: tuple[tuple[int, KeyState | None], ...]
    phase: Phase


def phase_of(keys: Sequence[KeyTimes]) -> Phase:
    states = {key.state for key in keys}
    if KeyState.PUBLISHED in states:
        return Phase.PUBLISH
    if KeyState.LEAVING in states:
        return Phase.SUBMIT
    if KeyState.RETIRING in states:
        return Phase.RETIRE
    return Phase.NONE


def _one(keys: Sequence[KeyTimes], state: KeyState) -> KeyTimes:
    found = [key for key in keys if key.state is state]
    if len(found) != 1:
        raise ValueError(f"a rollover needs one {state.value} key, the zone has {len(found)}")
    return found[0]


def due_at(keys: Sequence[KeyTimes], timings: Timings) -> datetime | None:
    """When the server takes the next step by itself (None: it waits for the operator)."""
    phase = phase_of(keys)
    if phase is Phase.PUBLISH:
        new = _one(keys, KeyState.PUBLISHED)
        return new.created_at + timedelta(seconds=timings.dnskey_ttl + timings.propagation)
    if phase is Phase.RETIRE:
        old, new = _one(keys, KeyState.RETIRING), _one(keys, KeyState.ACTIVE)
        ds_forgotten = old.changed_at + timedelta(
            seconds=timings.parent_ds_ttl + timings.propagation
        )
        signed_by_new = new.created_at + timedelta(
            seconds=timings.max_zone_ttl + timings.propagation
        )
        return max(ds_forgotten, signed_by_new)
    return None


def check_start(keys: Sequence[KeyTimes], zone: str) -> KeyTimes:
    """The key a new rollover replaces; refused while the zone is unsigned or rolling."""
    if not keys:
        raise ConflictError(f"zone {zone} is not signed (homing dnssec enable {zone})")
    phase = phase_of(keys)
    if phase is not Phase.NONE:
        raise ConflictError(
            f"zone {zone} is in a key rollover already ({phase.value}; see homing dnssec status)"
        )
    return _one(keys, KeyState.ACTIVE)


def timed_step(keys: Sequence[KeyTimes], timings: Timings, now: datetime) -> Step | None:
    """The step the server takes by itself at ``now``, if one is due."""
    due = due_at(keys, timings)
    if due is None or now < due:
        return None
    if phase_of(keys) is Phase.PUBLISH:
        old, new = _one(keys, KeyState.ACTIVE), _one(keys, KeyState.PUBLISHED)
        return Step(
            changes=((old.id, KeyState.LEAVING), (new.id, KeyState.ACTIVE)), phase=Phase.SUBMIT
        )
    return Step(changes=((_one(keys, KeyState.RETIRING).id, None),), phase=Phase.NONE)


def complete(keys: Sequence[KeyTimes], timings: Timings, zone: str) -> Step:
    """The operator says the parent serves the new DS: the old key starts to retire."""
    phase = phase_of(keys)
    if phase is Phase.NONE:
        raise ConflictError(f"zone {zone} has no key rollover to complete")
    if phase is Phase.PUBLISH:
        due = due_at(keys, timings)
        assert due is not None
        raise ConflictError(
            f"too early: the new key of {zone} is in every cache only from "
            f"{due.isoformat(timespec='seconds')}; its DS is for the parent after that"
        )
    if phase is Phase.RETIRE:
        raise ConflictError(f"the rollover of {zone} is complete already; the old key is retiring")
    return Step(changes=((_one(keys, KeyState.LEAVING).id, KeyState.RETIRING),), phase=Phase.RETIRE)

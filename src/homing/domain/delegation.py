"""Judging a zone's delegation: what the parent says against what the zone says, and how the
name servers answered. Pure, so each finding is tested without a network.

Each finding is one line a newcomer can act on: what is wrong, then what to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from homing.domain.names import is_subdomain


class Severity(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    severity: Severity
    topic: str
    message: str
    fix: str = ""

    def line(self) -> str:
        fix = f" -> {self.fix}" if self.fix else ""
        return f"{self.severity.value.upper():4} {self.topic}: {self.message}{fix}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParentView:
    """The answer to ``ZONE NS`` from the resolver: a referral's NS and glue, or an error."""

    nameservers: tuple[str, ...] = ()
    glue: Mapping[str, frozenset[str]] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Probe:
    """One name server address asked for the zone's SOA; ``None`` problems mean it answered
    authoritatively over that transport."""

    nameserver: str
    address: str
    udp_problem: str | None
    tcp_problem: str | None
    serial: int | None


def _names(names: frozenset[str] | set[str]) -> str:
    return ", ".join(sorted(names))


def judge_delegation(
    *,
    zone: str,
    ours: tuple[str, ...],
    parent: ParentView,
    zone_addresses: Mapping[str, frozenset[str]],
) -> list[Finding]:
    """Findings about the parent's NS and glue; ``zone_addresses``: in-zone NS names' A/AAAA."""
    topic = f"delegation {zone}"
    if parent.error is not None:
        wanted = [f"{ns} {_names(zone_addresses.get(ns, frozenset())) or '?'}" for ns in ours]
        return [
            Finding(
                severity=Severity.FAIL,
                topic=topic,
                message=f"the public DNS has no delegation ({parent.error})",
                fix=f"at the parent (your registrar), add NS {' '.join(ours)}"
                + (
                    f" with glue {'; '.join(wanted)}"
                    if any(is_subdomain(n, zone) for n in ours)
                    else ""
                ),
            )
        ]
    found: list[Finding] = []
    at_parent, in_zone = set(parent.nameservers), set(ours)
    if at_parent == in_zone:
        found.append(
            Finding(
                severity=Severity.OK,
                topic=topic,
                message=f"the parent lists the zone's name servers ({_names(in_zone)})",
            )
        )
    for missing in sorted(in_zone - at_parent):
        found.append(
            Finding(
                severity=Severity.WARN,
                topic=topic,
                message=f"{missing} is in the zone's NS but the parent does not list it",
                fix=f"add NS {missing} at the parent, or drop it from the zone's NS",
            )
        )
    for extra in sorted(at_parent - in_zone):
        found.append(
            Finding(
                severity=Severity.WARN,
                topic=topic,
                message=f"the parent lists {extra}, which the zone's NS does not",
                fix=f"remove NS {extra} at the parent, or add it to the zone",
            )
        )
    for ns in sorted(at_parent):
        if not is_subdomain(ns, zone):
            continue  # no glue needed (RFC 1034 4.2.1): resolvers look the name up
        expected = zone_addresses.get(ns, frozenset())
        glue = parent.glue.get(ns, frozenset())
        if not expected:
            found.append(
                Finding(
                    severity=Severity.FAIL,
                    topic=topic,
                    message=f"{ns} is inside the zone but has no address in it",
                    fix=f"give {ns} an A/AAAA record in the zone (the same as its glue)",
                )
            )
        elif not glue:
            found.append(
                Finding(
                    severity=Severity.FAIL,
                    topic=topic,
                    message=f"the parent has no glue for {ns}",
                    fix=f"add glue {ns} {_names(expected)} at the parent",
                )
            )
        elif glue != expected:
            found.append(
                Finding(
                    severity=Severity.FAIL,
                    topic=topic,
                    message=f"wrong glue for {ns}: the parent says {_names(glue)}, "
                    f"the zone says {_names(expected)}",
                    fix=f"set the glue of {ns} to {_names(expected)} at the parent",
                )
            )
        else:
            found.append(
                Finding(
                    severity=Severity.OK,
                    topic=topic,
                    message=f"glue for {ns} matches the zone ({_names(glue)})",
                )
            )
    return found


def judge_probes(*, zone: str, serial: int, probes: list[Probe]) -> list[Finding]:
    """Findings about each name server address answering (or not) for the zone."""
    found: list[Finding] = []
    for probe in probes:
        topic = f"name server {probe.nameserver} ({probe.address})"
        if probe.udp_problem is not None:
            found.append(
                Finding(
                    severity=Severity.FAIL,
                    topic=topic,
                    message=f"lame for {zone}: over UDP it {probe.udp_problem}",
                    fix="make it serve the zone (homing serve on port 53 there, or a "
                    "secondary), and let UDP 53 through the firewall",
                )
            )
        if probe.tcp_problem is not None:
            found.append(
                Finding(
                    severity=Severity.FAIL,
                    topic=topic,
                    message=f"over TCP it {probe.tcp_problem}",
                    fix="let TCP 53 through the firewall too (large answers and "
                    "zone transfers need it)",
                )
            )
        if probe.udp_problem is None and probe.tcp_problem is None:
            if probe.serial is not None and probe.serial != serial:
                found.append(
                    Finding(
                        severity=Severity.WARN,
                        topic=topic,
                        message=f"serves serial {probe.serial} of {zone}, the zone is at {serial}",
                        fix="a secondary behind: check its transfers (NOTIFY, IXFR)",
                    )
                )
            else:
                found.append(
                    Finding(
                        severity=Severity.OK,
                        topic=topic,
                        message=f"answers for {zone} over UDP and TCP (serial {serial})",
                    )
                )
    return found

"""The rules for a host's IPv6 settings: interface identifier, prefix length, and its leader.

``homing host set``, ``PATCH /hosts/{fqdn}`` and the host page all describe
their change as a ``Ipv6SettingsChange``; ``plan_ipv6_settings`` checks it
against the host and the host it would follow and returns the column values
to write. A follower follows one leader of the same owner, one level deep (a
leader follows nobody), so one update moves a known, bounded set of hosts.
"""

from __future__ import annotations

from dataclasses import dataclass

from homing.domain.prefixes import check_prefix_length, parse_interface_id
from homing.errors import ForbiddenError, InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class Ipv6SettingsChange:
    """None leaves a setting alone; an empty string clears it."""

    interface_id: str | None = None
    prefix_length: int | None = None
    follows: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HostFacts:
    """What the rules need to know about a host (the edited one or its would-be leader)."""

    id: int
    fqdn: str
    owner_id: int
    follows_id: int | None
    has_followers: bool


def plan_ipv6_settings(
    change: Ipv6SettingsChange, *, host: HostFacts, leader: HostFacts | None
) -> dict[str, object]:
    """The host columns to write; InputError/ForbiddenError say what is not allowed.

    ``leader`` is the host ``change.follows`` names (looked up by the caller),
    None when it names no host or the change does not touch ``follows``.
    """
    values: dict[str, object] = {}
    if change.interface_id is not None:
        text = change.interface_id.strip()
        values["ipv6_interface_id"] = str(parse_interface_id(text)) if text else None
    if change.prefix_length is not None:
        values["ipv6_prefix_length"] = check_prefix_length(change.prefix_length)
    if change.follows is not None:
        if not change.follows.strip():
            values["follows_id"] = None
            return values
        if leader is None:
            raise InputError(f"no host {change.follows.strip()[:255]} to follow", field="follows")
        if leader.owner_id != host.owner_id:
            raise ForbiddenError(f"{host.fqdn} cannot follow {leader.fqdn}: another owner's host")
        if leader.id == host.id:
            raise InputError(f"{host.fqdn} cannot follow itself", field="follows")
        if leader.follows_id is not None:
            raise InputError(
                f"{leader.fqdn} follows another host itself; follow the host it follows",
                field="follows",
            )
        if host.has_followers:
            raise InputError(
                f"{host.fqdn} has followers of its own and cannot follow another host",
                field="follows",
            )
        values["follows_id"] = leader.id
    return values

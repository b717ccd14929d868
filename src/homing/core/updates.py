"""apply_update: the one update path every front door calls.

It validates the names, checks that the principal may touch each host,
refuses hosts that flood unchanged updates, hands the rest to the writer (which
answers after commit), and writes a history row for every refusal. Results
come back in the order the names were given, one per name, as dyndns2 wants.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from homing.core.auth import Principal
from homing.core.host_edits import HostResult, UpdateMeta
from homing.core.ratelimit import FloodCounter
from homing.core.refusals import Refusals
from homing.core.writer import ChangeWriter
from homing.domain.edits import HostEdit
from homing.domain.names import normalize_name
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.errors import NameError_, StoreError
from homing.store.pages import HostFilter
from homing.store.rows import HostRow
from homing.store.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateLimits:
    max_hosts: int
    nochg_limit: int
    nochg_window: float


class UpdateService:
    """Authorises and applies updates (see the module docstring)."""

    def __init__(
        self,
        *,
        store: Store,
        writer: ChangeWriter,
        refusals: Refusals,
        limits: UpdateLimits,
        nochg: FloodCounter | None = None,
    ) -> None:
        """``nochg`` counts unchanged updates per host (``SharedFloodCounter``: every node's)."""
        self._store = store
        self._writer = writer
        self._refusals = refusals
        self._limits = limits
        self._nochg = nochg or FloodCounter(limit=limits.nochg_limit, window=limits.nochg_window)

    async def apply_update(
        self,
        principal: Principal,
        *,
        hostnames: Sequence[str],
        edit: HostEdit,
        source: str | None,
        front_door: FrontDoor,
        all_or_nothing: bool = False,
    ) -> list[HostResult]:
        """Apply ``edit`` to each named host; one result per name, in order.

        With ``all_or_nothing`` (DuckDNS semantics) one refused name means no
        host is changed, and only the refusals are returned.
        """
        meta = UpdateMeta(credential=principal.credential, source=source, front_door=front_door)
        if not hostnames or len(hostnames) > self._limits.max_hosts:
            detail = f"{len(hostnames)} hostnames (1 to {self._limits.max_hosts} allowed)"
            self._refuse(meta, None, None, UpdateOutcome.NUMHOST, detail)
            return [HostResult(fqdn="", outcome=UpdateOutcome.NUMHOST)]
        names: list[str | None] = []
        for raw in hostnames:
            try:
                name = normalize_name(raw)
            except NameError_:
                name = None
            if name is not None and name.count(".") < 2:
                name = None
            names.append(name)
        found = await self._store.find_hosts([n for n in names if n is not None])
        results: list[HostResult | None] = []
        items: list[tuple[HostRow, HostEdit]] = []
        for raw, name in zip(hostnames, names, strict=True):
            if name is None:
                self._refuse(meta, None, raw, UpdateOutcome.NOTFQDN, "not a fully qualified name")
                results.append(HostResult(fqdn=raw, outcome=UpdateOutcome.NOTFQDN))
                continue
            host = found.get(name)
            if host is None or not self._may_update(principal, host):
                detail = "no such host" if host is None else "host not in this credential's scope"
                self._refuse(meta, host, name, UpdateOutcome.NOHOST, detail)
                results.append(HostResult(fqdn=name, outcome=UpdateOutcome.NOHOST))
                continue
            if self._nochg.exceeded(f"host:{host.id}"):
                self._refuse(meta, host, name, UpdateOutcome.ABUSE, "too many unchanged updates")
                results.append(HostResult(fqdn=name, outcome=UpdateOutcome.ABUSE))
                continue
            results.append(None)
            items.append((host, edit))
        applied: list[HostResult] = []
        if all_or_nothing and len(items) < len(results):
            return [r for r in results if r is not None]
        if items:
            try:
                applied = await self._writer.submit(items, meta)
            except StoreError:
                log.exception("update by %s could not be stored", principal.credential)
                applied = [
                    HostResult(fqdn=h.fqdn, outcome=UpdateOutcome.SERVER_ERROR) for h, _ in items
                ]
        for (host, _), result in zip(items, applied, strict=True):
            # A router re-sending its prefix is doing its job, not flooding (issue 10).
            if result.outcome is UpdateOutcome.NOCHG and edit.ipv6_prefix is None:
                self._nochg.count(f"host:{host.id}")
        pending = iter(applied)
        return [r if r is not None else next(pending) for r in results]

    async def default_hosts(self, principal: Principal, *, login: str) -> list[str]:
        """The host a request without a ``hostname`` means: the credential's own host, the
        host the login names, or the account's only host; none if that is ambiguous."""
        if principal.host is not None:
            return [principal.host]
        try:
            named = normalize_name(login)
        except NameError_:
            named = None
        if named is not None and "." in named.rstrip("."):
            host = (await self._store.find_hosts([named])).get(named)
            if host is not None and self._may_update(principal, host):
                return [host.fqdn]
        # Two rows tell "only one" from "several" without reading every host (issue 15).
        owned = await self._store.host_page(HostFilter(owner_id=principal.user_id), limit=2)
        return [owned.items[0].fqdn] if len(owned.items) == 1 else []

    async def refuse_input(
        self,
        principal: Principal,
        *,
        hostnames: Sequence[str],
        detail: str,
        source: str | None,
        front_door: FrontDoor,
    ) -> None:
        """Record a ``badinput`` (a request that could not be read) in each named host's history.

        Without a name of a host in the principal's scope, the row names the
        credential's own host, so its owner still sees what the router sent.
        """
        meta = UpdateMeta(credential=principal.credential, source=source, front_door=front_door)
        names: list[str] = []
        for raw in hostnames[: self._limits.max_hosts]:
            try:
                names.append(normalize_name(raw))
            except NameError_:
                continue
        if not names and principal.host is not None:
            names = [principal.host]
        found = await self._store.find_hosts(names)
        hosts = [h for h in found.values() if self._may_update(principal, h)]
        if not hosts:
            self._refuse(meta, None, names[0] if names else None, UpdateOutcome.BADINPUT, detail)
        for host in hosts:
            self._refuse(meta, host, host.fqdn, UpdateOutcome.BADINPUT, detail)

    async def default_zone(self, configured: str | None) -> str | None:
        """The zone DuckDNS bare labels belong to: the configured one, else the only zone."""
        if configured:
            return normalize_name(configured)
        zones = await self._store.zones()
        return zones[0].name if len(zones) == 1 else None

    @staticmethod
    def _may_update(principal: Principal, host: HostRow) -> bool:
        if principal.host_id is not None:
            return principal.host_id == host.id
        return principal.is_admin or principal.user_id == host.owner_id

    def _refuse(
        self,
        meta: UpdateMeta,
        host: HostRow | None,
        name: str | None,
        outcome: UpdateOutcome,
        detail: str,
    ) -> None:
        self._refusals.record(
            front_door=meta.front_door,
            source=meta.source,
            outcome=outcome,
            detail=detail,
            host_id=host.id if host else None,
            fqdn=name[:255] if name else None,
            credential=meta.credential,
        )

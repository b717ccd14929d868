"""Keyset pages of the long lists (hosts, users, zones, tokens) and the dashboard's counts.

A page is at most ``limit`` rows after a cursor (the sort key of the previous
page's last row), read in the order of an index: the millionth row costs what
the first does, and no request reads every row (issue 15). The health counts
are index ranges too: stale hosts by ``ix_hosts_seen``, failing ones from the
refusals of the stale period (``ix_history_refusals``), never from the hosts
themselves.

The failing rule here is the one ``http/web/health.py`` applies to a single
host, written as SQL; ``tests/http/web/test_dashboard_scale.py`` holds the two
to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, text

from homing.domain.outcomes import UpdateOutcome
from homing.store import schema as t
from homing.store.schema import REFUSED_SQL
from homing.store.search import indexed_condition, never_in_names

T = TypeVar("T")

ACCEPTED = (UpdateOutcome.GOOD.value, UpdateOutcome.NOCHG.value)
STRANGER_OUTCOME = UpdateOutcome.BADAUTH.value
"""A wrong password can come from anyone who knows the name: alone it says nothing of the
owner's client. Every other refusal (``nohost``, ``abuse``, ...) follows a valid credential."""
REPEATED_REFUSALS = 3
"""Wrong passwords that make a never-updated host failing: its new router is misconfigured."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list; ``more`` says whether a row follows the last one."""

    items: list[T]
    more: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class HostCounts:
    """What the dashboard says above its page: all hosts, failing ones, stale ones."""

    total: int
    failing: int
    stale: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HostFilter:
    """Which hosts a page shows: ``after`` is the cursor (a stored FQDN, trailing dot)."""

    owner_id: int | None = None
    names: tuple[str, ...] | None = None
    """Only these FQDNs (an API token's host scope); None: no such limit."""
    contains: str | None = None
    """A substring of the name (case-insensitive: names are stored in lower case)."""
    name_query: str | None = None
    """The FTS5 query that answers ``contains`` from SQLite's trigram index, when that is the
    faster way (``store/search.py`` decides); None: LIKE."""
    stale_before: datetime | None = None
    """Only hosts without an accepted update since then (and created before it)."""
    failing_since: datetime | None = None
    """Only failing hosts, judged on the refusals since then."""
    after: str | None = None


def like_pattern(text_: str) -> str:
    """``%text%`` with LIKE's wildcards in ``text`` taken literally (escape ``\\``)."""
    escaped = text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def stale_condition(cutoff: datetime, *, counting: bool = False) -> ColumnElement[bool]:
    """No accepted update since ``cutoff``, and created before it. Counted on the index of
    ``host_seen_at`` (only the stale hosts' entries); a page is read in name order, where the
    same rule as an OR keeps SQLite on the name index instead of sorting every stale host."""
    h = t.hosts
    if counting:
        return t.host_seen_at < cutoff
    return or_(h.c.updated_at < cutoff, and_(h.c.updated_at.is_(None), h.c.created_at < cutoff))


def failing_host_ids(since: datetime, *, owner_id: int | None = None) -> Select[tuple[int]]:
    """Hosts whose refusals since their last accepted update (and since ``since``) say that
    their own client is failing: any refusal after a valid credential, a wrong password from
    the address the host last updated from, or repeated ones while it was never updated."""
    r, h = t.history, t.hosts
    query = (
        select(r.c.host_id)
        .join_from(r, h, r.c.host_id == h.c.id)
        .where(
            text(REFUSED_SQL),
            r.c.at >= since,
            or_(h.c.updated_at.is_(None), r.c.at > h.c.updated_at),
        )
        .group_by(r.c.host_id, h.c.last_source)
        .having(
            or_(
                func.sum(case((r.c.outcome != STRANGER_OUTCOME, 1), else_=0)) > 0,
                func.sum(case((r.c.source == h.c.last_source, 1), else_=0)) > 0,
                # A row stands for ``count`` refusals (aggregated per source and window).
                and_(h.c.last_source.is_(None), func.sum(r.c.count) >= REPEATED_REFUSALS),
            )
        )
    )
    if owner_id is not None:
        # "+ 0": no index on the owner, so the planner starts from the few recent refusals
        # (ix_history_refusals), not from every host of a big account (issue 15).
        query = query.where(h.c.owner_id + 0 == owner_id)
    return query


def host_conditions(where: HostFilter, *, counting: bool = False) -> list[ColumnElement[bool]]:
    """The WHERE terms of ``where`` except the cursor (shared by pages and counts)."""
    h = t.hosts
    terms: list[ColumnElement[bool]] = []
    if where.owner_id is not None and where.name_query is not None:
        # "+ 0": start from the few hosts the trigram index names, not from the owner's
        # index in name order (every host of a big account, issue 15).
        terms.append(h.c.owner_id + 0 == where.owner_id)
    elif where.owner_id is not None:
        terms.append(h.c.owner_id == where.owner_id)
    if where.names is not None:
        terms.append(h.c.fqdn.in_(where.names))
    if where.contains and never_in_names(where.contains):
        terms.append(false())
    elif where.contains:
        like = h.c.fqdn.like(like_pattern(where.contains), escape="\\")
        query = where.name_query
        terms.append(like if query is None else indexed_condition(query, like))
    if where.stale_before is not None:
        terms.append(stale_condition(where.stale_before, counting=counting))
    if where.failing_since is not None:
        failing = failing_host_ids(where.failing_since, owner_id=where.owner_id)
        terms.append(h.c.id.in_(failing.scalar_subquery()))
    return terms


def host_page_query(
    base: Select[tuple[object, ...]], where: HostFilter
) -> Select[tuple[object, ...]]:
    """Hosts of ``base`` (a host SELECT) matching ``where``, by name after the cursor."""
    h = t.hosts
    query = base.where(*host_conditions(where)).order_by(h.c.fqdn)
    if where.after is not None:
        query = query.where(h.c.fqdn > where.after)
    return query


def host_count_query(where: HostFilter) -> Select[int]:
    """Every host, or an owner's, is one row of ``host_totals``; anything narrower a count."""
    if where == HostFilter(owner_id=where.owner_id):
        totals = t.host_totals
        query = select(func.coalesce(func.sum(totals.c.total), 0))
        return query if where.owner_id is None else query.where(totals.c.owner_id == where.owner_id)
    return select(func.count()).select_from(t.hosts).where(*host_conditions(where, counting=True))


def failing_count_query(since: datetime, *, owner_id: int | None) -> Select[int]:
    """Counted where they are: the hosts of a few recent refusals, not every host."""
    failing = failing_host_ids(since, owner_id=owner_id).subquery()
    return select(func.count()).select_from(failing)


def keyset_query(
    base: Select[tuple[object, ...]],
    column: ColumnElement[str] | ColumnElement[int],
    *,
    after: str | int | None,
) -> Select[tuple[object, ...]]:
    """Rows of ``base`` ordered by a unique ``column``, after the cursor (the caller limits)."""
    query = base.order_by(column)
    return query if after is None else query.where(column > after)

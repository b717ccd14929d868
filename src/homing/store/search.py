"""Substring search on host names through a trigram index instead of a scan (issue 15).

The answer is always the one of ``fqdn LIKE '%text%'`` (wildcards in the text
taken literally, ``store/pages.py``); the indexes only find it sooner:

* PostgreSQL: a GIN ``pg_trgm`` index on ``hosts.fqdn`` (migration 0012),
  which the planner uses for that LIKE itself, rechecking every hit.
* SQLite: the FTS5 table ``host_names`` with the ``trigram`` tokenizer over
  ``hosts.fqdn`` (external content, kept in step by triggers). A phrase of
  three characters or more matches exactly the names holding it as a
  substring; the tokenizer is case-sensitive, like the stored names (always
  lower case A-labels) and the lowered text.

A trigram index answers a rare text at once but a common one (``nas``,
``example``) only after reading every match; a scan in name order answers a
common text at once (a page fills after a few names) but a rare one only
after reading every name. So on SQLite ``plan_search`` first asks the index
whether at most ``INDEXED_MATCHES`` names hold the text: then the page reads
those hosts by id; otherwise matches are dense and the name-ordered scan
stops after a page. Texts shorter than a trigram (one or two characters)
are scanned: a short text matches many names, so its page fills quickly
(the worst case, a rare pair of characters, reads the whole name index).

A text holding a control character matches nothing, without a query: no
stored name holds one (names are presentation text, ``\\000`` escapes), and
SQLite's LIKE and FTS5 would each cut such a text off at a NUL differently.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, column, func, select, table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from homing.store import schema as t

if TYPE_CHECKING:
    from homing.store.pages import HostFilter

TRIGRAM = 3
INDEXED_MATCHES = 5000
"""Above this many matching names, the scan in name order is the faster plan for a page."""

host_names = table("host_names", column("rowid"))
"""The FTS5 table; its hidden column of the same name is what MATCH is asked."""


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def never_in_names(text_: str) -> bool:
    return CONTROL.search(text_) is not None


def indexable(text_: str) -> bool:
    """Whether the trigram index can answer ``text_`` (three characters make a trigram)."""
    return len(text_) >= TRIGRAM and not never_in_names(text_)


def fts_phrase(text_: str) -> str:
    """``text_`` as one FTS5 phrase: quoted, so no character of it is query syntax."""
    return '"' + text_.lower().replace('"', '""') + '"'


def name_matches(text_: str) -> Select[tuple[int]]:
    """Ids of the hosts whose name holds ``text_`` (SQLite, ``indexable`` texts only)."""
    match = text("host_names MATCH :phrase").bindparams(phrase=fts_phrase(text_))
    return select(host_names.c.rowid).where(match)


def indexed_condition(text_: str) -> ColumnElement[bool]:
    return t.hosts.c.id.in_(name_matches(text_).scalar_subquery())


async def plan_search(conn: AsyncConnection, where: HostFilter) -> HostFilter:
    """``where`` with ``indexed_search`` set when the FTS5 index is the faster way to it."""
    if not where.contains or not indexable(where.contains):
        return where
    few = name_matches(where.contains).limit(INDEXED_MATCHES + 1).subquery()
    matches = (await conn.execute(select(func.count()).select_from(few))).scalar_one()
    return replace(where, indexed_search=matches <= INDEXED_MATCHES)

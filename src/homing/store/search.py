"""Substring search on host names through a trigram index instead of a scan (issue 15).

The answer is always the one of ``fqdn LIKE '%text%'`` (wildcards in the text
taken literally, ``store/pages.py``); the indexes only find it sooner:

* PostgreSQL: a GIN ``pg_trgm`` index on ``hosts.fqdn`` (migration 0013),
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
stops after a page.

A text of two characters is no trigram, but it is the start of one in
every name holding it (a stored name ends with its root dot, so the text
is followed by a character unless it ends with the dot itself): the
trigrams that start with it, listed by ``host_name_trigrams`` (fts5vocab)
with how many names hold each, become one FTS5 query of alternatives.
One character, and two ending with the dot, are scanned in name order:
nearly every name holds them, so a page fills at once.

The index holds the hosts up to a mark (``host_names_upto``), not every
host: putting a name's trigrams in costs about 60 µs, which would halve the
rate of ``homing zone import`` (issue 13 asks for 10,000 hosts a second).
Hosts above the mark are matched by LIKE over their id range, and the
writer moves the mark up a batch at a time (``index_new_names``), so
a search finds a host the moment it exists, and a bulk import is indexed
soon after, without holding the write lock for long.

A text holding a control character matches nothing, without a query: no
stored name holds one (names are presentation text, ``\\000`` escapes), and
SQLite's LIKE and FTS5 would each cut such a text off at a NUL differently.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, and_, column, func, or_, select, table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from homing.store import schema as t

if TYPE_CHECKING:
    from homing.store.pages import HostFilter

TRIGRAM = 3
PAIR = 2
INDEXED_MATCHES = 5000
"""Above this many matching names, the scan in name order is the faster plan for a page."""

NEW_NAMES_BATCH = 1000
"""Hosts indexed per write transaction: about 60 ms of the write lock."""

host_names = table("host_names", column("rowid"))
"""The FTS5 table; its hidden column of the same name is what MATCH is asked."""
trigrams = table("host_name_trigrams", column("term"), column("doc"))
"""Every trigram of the index, and in how many names (``doc``) it occurs."""


CONTROL = re.compile(r"[\x00-\x1f\x7f]")
NEVER = "\x01"
"""A character no stored name holds (see ``never_in_names``)."""


def never_in_names(text_: str) -> bool:
    return CONTROL.search(text_) is not None


def fts_phrase(text_: str) -> str:
    """``text_`` as one FTS5 phrase: quoted, so no character of it is query syntax."""
    return '"' + text_.replace('"', '""') + '"'


def name_matches(query: str) -> Select[tuple[int]]:
    """Ids of the hosts whose name the FTS5 ``query`` matches (SQLite)."""
    match = text("host_names MATCH :query").bindparams(query=query)
    return select(host_names.c.rowid).where(match)


indexed_upto = table("host_names_upto", column("upto"))


def indexed_condition(query: str, like: ColumnElement[bool]) -> ColumnElement[bool]:
    """The hosts the FTS5 ``query`` matches, and those above the mark that ``like`` does."""
    mark = select(indexed_upto.c.upto).scalar_subquery()
    h = t.hosts
    return or_(h.c.id.in_(name_matches(query).scalar_subquery()), and_(h.c.id > mark, like))


async def index_new_names(conn: AsyncConnection, *, limit: int = NEW_NAMES_BATCH) -> int:
    """Put the names of up to ``limit`` hosts above the mark into the index (SQLite; inside
    the write lock); returns how many."""
    upto = (await conn.execute(select(indexed_upto.c.upto))).scalar_one()
    batch = select(t.hosts.c.id).where(t.hosts.c.id > upto).order_by(t.hosts.c.id).limit(limit)
    ids = list((await conn.execute(batch)).scalars())
    if not ids:
        return 0
    await conn.execute(
        text(
            "INSERT INTO host_names (rowid, fqdn)"
            " SELECT id, fqdn FROM hosts WHERE id > :upto AND id <= :last"
        ).bindparams(upto=upto, last=ids[-1])
    )
    await conn.execute(indexed_upto.update().values(upto=ids[-1]))
    return len(ids)


def _after_prefix(prefix: str) -> str | None:
    """The smallest text above every text starting with ``prefix``; None past the last
    character or into the surrogates (which no text holds)."""
    following = ord(prefix[-1]) + 1
    if following > sys.maxunicode or 0xD800 <= following <= 0xDFFF:
        return None
    return prefix[:-1] + chr(following)


async def _pair_query(conn: AsyncConnection, pair: str) -> str | None:
    """The FTS5 query for a two-character text (see the module), or None when the scan in
    name order is the better way: the pair ends with the dot, or many names hold it."""
    above = _after_prefix(pair)
    if pair.endswith(".") or above is None:
        return None
    listed = select(trigrams.c.term, trigrams.c.doc).where(
        trigrams.c.term >= pair, trigrams.c.term < above
    )
    found = (await conn.execute(listed)).all()
    if sum(int(doc) for _, doc in found) > INDEXED_MATCHES:
        return None
    # No trigram starts with it, so no name holds it: a trigram no name holds says so.
    terms = [str(term) for term, _ in found] or [pair + NEVER]
    return " OR ".join(fts_phrase(term) for term in terms)


async def plan_search(conn: AsyncConnection, where: HostFilter) -> HostFilter:
    """``where`` with ``name_query`` set when the FTS5 index is the faster way to it."""
    if not where.contains or never_in_names(where.contains):
        return where
    wanted = where.contains.lower()
    if len(wanted) == PAIR:
        return replace(where, name_query=await _pair_query(conn, wanted))
    if len(wanted) < TRIGRAM:
        return where
    query = fts_phrase(wanted)
    few = name_matches(query).limit(INDEXED_MATCHES + 1).subquery()
    matches = (await conn.execute(select(func.count()).select_from(few))).scalar_one()
    return replace(where, name_query=query if matches <= INDEXED_MATCHES else None)

"""Store reads for exports: one cursor per table, rows streamed as SQLite hands them over.

A store of millions of articles exports in constant memory: nothing here builds a list of rows;
each function yields tuples from a live cursor (its columns named by the matching ``*_COLUMNS``).
Turning rows into CSV, JSONL or Parquet, and names into their written form, is
:mod:`khabar.follow.exports`' business.

``since`` (an ISO 8601 date or date-time) keeps what was seen on or after it (compared as
instants: ``julianday`` reads the zone); ``source`` keeps one outlet's rows.

>>> from khabar.store.db import Store
>>> from khabar.types import Article
>>> with Store(":memory:") as s:
...     _ = s.add(Article(id="a1", title="عنوان", text="نص", raw="نص", lang="ar", source="x.com",
...                       published="2024-01-02"))
...     [r[:4] for r in article_rows(s)], list(article_rows(s, since="2024-02-01")), list(story_rows(s))
([('a1', 'عنوان', None, 'x.com')], [], [])
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from khabar.store.db import Store

__all__ = ["ARTICLE_COLUMNS", "MEMBER_COLUMNS", "SOURCES_SQL", "STORY_COLUMNS", "article_rows", "member_rows", "statement_sources",
           "story_rows"]

STORY_COLUMNS = ("id", "headline", "size", "sources", "first_seen", "last_seen")
ARTICLE_COLUMNS = ("id", "title", "url", "source", "lang", "published", "author", "ingested", "story",
                   "input_id", "text")
MEMBER_COLUMNS = ("story", "article", "source", "title", "seen", "similarity", "copy_group")

#: A story's outlets as a JSON list, ordered as StoryIndex.sources orders them (most articles, earliest,
#: name); a column of a query over ``stories s``.
SOURCES_SQL = (
    "(SELECT json_group_array(src) FROM (SELECT a.source AS src FROM story_articles sa "
    "JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = s.id AND a.source IS NOT NULL "
    "GROUP BY a.source ORDER BY count(*) DESC, min(sa.seen), a.source))"
)
# An article's own time: when it was published, else when it was stored (as the stories' timeline).
_ARTICLE_TIME = "coalesce(a.published, a.ingested)"


def _filters(time_expr: str, since: str | None, source: str | None) -> tuple[str, list[Any]]:
    where, params = [], []
    if since:
        where.append(f"julianday({time_expr}) >= julianday(?)")
        params.append(since)
    if source:
        where.append("a.source = ?")
        params.append(source)
    return (" AND ".join(where) or "1"), params


def story_rows(store: Store, *, since: str | None = None, source: str | None = None) -> Iterator[tuple[Any, ...]]:
    """Live stories, newest first (as ``khabar stories``), as :data:`STORY_COLUMNS`; ``sources`` a
    list, the outlet with the most articles first. ``since`` and ``source`` as their members'."""
    where, params = _filters("sa.seen", since, source)
    cur = store.db.execute(
        "SELECT s.id, s.headline, s.size, "
        f"{SOURCES_SQL}, s.first_seen, s.last_seen FROM stories s WHERE s.merged_into IS NULL AND s.size > 0 "
        "AND EXISTS (SELECT 1 FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
        f"WHERE sa.story_id = s.id AND {where}) ORDER BY s.last_seen DESC, s.id DESC",
        params,
    )
    for sid, headline, size, sources, first, last in cur:
        yield sid, headline, size, json.loads(sources or "[]"), first, last


def article_rows(store: Store, *, since: str | None = None, source: str | None = None,
                 ) -> Iterator[tuple[Any, ...]]:
    """Stored articles in ingest order, as :data:`ARTICLE_COLUMNS` (``story``: its story, or ``None``
    for an article not clustered; ``text``: the clean text)."""
    where, params = _filters(_ARTICLE_TIME, since, source)
    yield from store.db.execute(
        "SELECT a.id, a.title, a.url, a.source, a.lang, a.published, a.author, a.ingested, sa.story_id, "
        "a.input_id, a.text FROM articles a LEFT JOIN story_articles sa ON sa.article_id = a.id "
        f"WHERE {where} ORDER BY a.rowid",
        params,
    )


def member_rows(store: Store, *, since: str | None = None, source: str | None = None,
                ) -> Iterator[tuple[Any, ...]]:
    """Story memberships, story by story in time order, as :data:`MEMBER_COLUMNS`: ``similarity`` the
    mean comparison score against fellow members (1 … 4, ``None`` if never compared), ``copy_group``
    the id of the first article of its near-copy group (its own id when it has no copy)."""
    where, params = _filters("sa.seen", since, source)
    yield from store.db.execute(
        "SELECT sa.story_id, sa.article_id, a.source, a.title, sa.seen, "
        "CASE WHEN sa.cent_n > 0 THEN round(sa.cent_sum / sa.cent_n, 3) END, "
        "coalesce((SELECT h.article_id FROM story_articles h WHERE h.mid = sa.copy_group), sa.article_id) "
        f"FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE {where} "
        "ORDER BY sa.story_id, sa.seen, sa.mid",
        params,
    )


def statement_sources(store: Store, *, since: str | None = None, source: str | None = None,
                      ) -> Iterator[tuple[Any, ...]]:
    """What statement rows are made from, one analysed article at a time in ingest order:
    ``(article id, story, source, published or ingested, mentions JSON, statements JSON)``."""
    where, params = _filters(_ARTICLE_TIME, since, source)
    yield from store.db.execute(
        f"SELECT a.id, sa.story_id, a.source, {_ARTICLE_TIME}, an.mentions, an.statements FROM articles a "
        "JOIN analyses an ON an.article_id = a.id LEFT JOIN story_articles sa ON sa.article_id = a.id "
        f"WHERE {where} AND an.statements != '[]' ORDER BY a.rowid",
        params,
    )

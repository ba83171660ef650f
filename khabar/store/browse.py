"""Store reads for browsing (what the web pages' menus offer), and connection hygiene for a pool.

The server asks these of a :class:`~khabar.store.db.Store`; its own code runs no SQL.

>>> from khabar.store.db import Store
>>> from khabar.types import Article
>>> with Store(":memory:") as s:
...     _ = s.add(Article(id="a1", title="t", text="نص", raw="نص", lang="ar", source="x.com"))
...     languages(s), sources(s), end_open_transaction(s)
(['ar'], ['x.com'], False)
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from khabar.store.db import Store
from khabar.store.exports import SOURCES_SQL

#: The source menu lists this many outlets, the most prolific first (a longer menu is no use).
SOURCES_SHOWN = 100


def languages(store: Store) -> list[str]:
    """The language codes of the stored articles, in order."""
    return [r[0] for r in store.db.execute("SELECT DISTINCT lang FROM articles WHERE lang IS NOT NULL ORDER BY lang")]


def sources(store: Store, limit: int = SOURCES_SHOWN) -> list[str]:
    """The outlets of the stored articles, those with the most articles first."""
    return [r[0] for r in store.db.execute(
        "SELECT source FROM articles WHERE source IS NOT NULL GROUP BY source ORDER BY count(*) DESC LIMIT ?",
        (limit,))]


def end_open_transaction(store: Store) -> bool:
    """Roll back a transaction left open (by a request that failed half way), so a pooled connection
    is handed on clean; whether there was one."""
    if not store.db.in_transaction:
        return False
    store.db.execute("ROLLBACK")
    return True


# -- the front page: what moves ---------------------------------------------------------------------
#: Zones put a stored time at most 14 hours from UTC: the indexed prefilters on stored times (text)
#: reach back this much further, and the exact test (``julianday``, zone-aware) does the rest.
_ZONE_SLACK = "-1 days"

_ORDERS = {
    # what moves: the most outlets in the window, then growth; then multi-source stories, then the newest
    "moving": "recent_outlets DESC, recent - previous DESC, outlets >= 2 DESC, julianday(s.last_seen) DESC, s.id DESC",
    "newest": "s.last_seen DESC, s.id DESC",  # the story list's order (StoryIndex.find)
}


def moving_stories(store: Store, *, since: str, prior: str, until: str | None = None, entity: str | None = None,
                   order: str = "moving", recent_only: bool = False, among: Iterable[int] | None = None, limit: int = 30,
                   offset: int = 0) -> list[dict]:
    """Stories for the front page, each with how it moved in the window from ``since`` (an ISO date-time)
    to ``until`` (none: no end).

    ``order="moving"``: the most distinct outlets in the window first (multi-source stories lead),
    then growth (articles in the window minus those in the window before, from ``prior`` to
    ``since``), then stories of two outlets or more, then the newest. ``order="newest"``: newest
    first, as the story list. ``recent_only``: only stories with an article seen in the window (the
    "last 24 hours" view). ``entity``: only stories with an article naming it (a matching-form name,
    whole or as whole words of a longer name: جيش الاسلام finds هيءه اركان جيش الاسلام). ``among``:
    only these story ids. Rows: ``{id, headline, size, sources, first_seen, last_seen, outlets,
    recent_outlets, recent, previous}``.
    """
    if order not in _ORDERS:
        raise ValueError(f"unknown order {order!r}")
    where = ["s.merged_into IS NULL", "s.size > 0"]
    params = {"since": since, "prior": prior, "until": until, "slack": _ZONE_SLACK}
    # members in a window: the (story_id, seen) index narrows to the window's days, julianday decides
    window = ("FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = s.id "
              "AND sa.seen >= date({lo}, :slack) AND julianday(sa.seen) >= julianday({lo})")
    recent = window.format(lo=":since") + (" AND julianday(sa.seen) < julianday(:until)" if until else "")
    if recent_only:
        where += ["s.last_seen >= date(:since, :slack)", f"EXISTS (SELECT 1 {recent})"]
    if entity:
        like = entity.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("EXISTS (SELECT 1 FROM story_articles sa JOIN article_entities ae ON ae.article_id = sa.article_id "
                     "WHERE sa.story_id = s.id AND (ae.entity = :entity OR ' ' || ae.entity || ' ' LIKE :like "
                     "ESCAPE '\\'))")
        params.update(entity=entity, like=f"% {like} %")
    if among is not None:
        where.append(f"s.id IN ({','.join(str(int(i)) for i in sorted(among))})")
    rows = store.db.execute(
        f"SELECT s.id, s.headline, s.size, {SOURCES_SQL} AS sources, s.first_seen, s.last_seen, "
        "(SELECT count(DISTINCT a.source) FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
        " WHERE sa.story_id = s.id) AS outlets, "
        f"(SELECT count(DISTINCT a.source) {recent}) AS recent_outlets, (SELECT count(*) {recent}) AS recent, "
        f"(SELECT count(*) {window.format(lo=':prior')} AND julianday(sa.seen) < julianday(:since)) AS previous "
        f"FROM stories s WHERE {' AND '.join(where)} ORDER BY {_ORDERS[order]} LIMIT :limit OFFSET :offset",
        {**params, "limit": max(0, limit), "offset": max(0, offset)},
    )
    out = []
    for r in rows:
        d = dict(r)
        d["sources"] = json.loads(d["sources"] or "[]")
        out.append(d)
    return out

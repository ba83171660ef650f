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

from khabar.store.db import Store

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

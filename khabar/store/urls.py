"""The URLs ``khabar fetch`` has seen (migration 0005): feeds, sitemaps and the pages they list.

All of fetching's SQL is here. A row says what the last request for a URL answered, so the next
pass can send a conditional request, skip a page already stored, or retry one that failed.

>>> from khabar.store.db import Store
>>> with Store(":memory:") as s:
...     save(s, [UrlState("http://a.example/rss", "feed", status=200, etag='"v1"')])
...     lookup(s, ["http://a.example/rss", "http://b.example/"])["http://a.example/rss"].etag
'"v1"'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields

from khabar.store.db import Store
from khabar.store.params import chunks, marks


@dataclass
class UrlState:
    """One row of ``urls``: what the last request for ``url`` answered (see the migration)."""

    url: str
    kind: str  # "feed" (feeds and sitemaps) or "page"
    feed: str | None = None
    listed_mod: str | None = None
    status: int | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    fetched: str | None = None
    changed: str | None = None
    failures: int = 0
    article_id: str | None = None


_COLUMNS = tuple(f.name for f in fields(UrlState))
_UPSERT = (
    f"INSERT INTO urls ({', '.join(_COLUMNS)}) VALUES ({marks(len(_COLUMNS))}) "
    f"ON CONFLICT(url) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLUMNS[1:])}"
)


def lookup(store: Store, urls: Iterable[str]) -> dict[str, UrlState]:
    """The stored state of those of ``urls`` seen before, by URL."""
    out: dict[str, UrlState] = {}
    for part in chunks(list(dict.fromkeys(urls))):
        rows = store.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM urls WHERE url IN ({marks(len(part))})", part)
        for row in rows:
            out[row[0]] = UrlState(*row)
    return out


def save(store: Store, states: Iterable[UrlState]) -> None:
    """Write ``states`` (insert or replace each URL's row), in the caller's transaction if one is open."""
    rows = [astuple(s) for s in states]
    if rows:
        with store.transaction():
            store.db.executemany(_UPSERT, rows)


def retryable(store: Store, feed: str, max_failures: int) -> list[UrlState]:
    """Pages ``feed`` listed that became no article and may succeed if tried again: no answer yet or
    a server error or 429, fewer than ``max_failures`` times in a row (a 404 or a page without an
    article is not tried again until the feed lists it anew)."""
    rows = store.db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM urls WHERE feed = ? AND kind = 'page' AND article_id IS NULL "
        "AND failures < ? AND (status IS NULL OR status >= 500 OR status = 429) ORDER BY url",
        (feed, max_failures),
    )
    return [UrlState(*row) for row in rows]


def count(store: Store, kind: str | None = None) -> int:
    """How many URLs are remembered (of one ``kind``, or all)."""
    if kind is None:
        return store.db.execute("SELECT count(*) FROM urls").fetchone()[0]
    return store.db.execute("SELECT count(*) FROM urls WHERE kind = ?", (kind,)).fetchone()[0]


def children(store: Store, feed: str) -> list[str]:
    """The feeds and sitemaps that ``feed`` (a sitemap index, a page linking to feeds) listed last time."""
    rows = store.db.execute("SELECT url FROM urls WHERE feed = ? AND kind = 'feed' ORDER BY url", (feed,))
    return [r[0] for r in rows]

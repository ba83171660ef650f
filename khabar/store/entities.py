"""Entity postings: which articles name an actor, as written, and the reads behind the page per actor.

The keys and forms come from :mod:`khabar.follow.entities` (no matching rules here, only SQL).

>>> from khabar.store.db import Store
>>> from khabar.types import Article
>>> with Store(":memory:") as s:
...     _ = s.add(Article(id="a1", title="t", text="نص", raw="نص", source="x.com"))
...     add_postings(s, {"a1": [("جيش اسلام", "ORG", "جيش الإسلام", "جيش اسلام", 2)]})
...     [p["form"] for p in postings(s, "جيش اسلام")], unindexed(s)
(['جيش الإسلام'], [])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from khabar.store.db import Store
from khabar.store.params import chunks, marks

#: One posting: (key, type, form as written, the article's canonical key for it, mentions).
Posting = tuple[str, str, str, str, int]
#: Articles indexed per transaction by the catch-up (bounds one lookup's write).
CATCH_UP_CHUNK = 500


def add_postings(store: Store, by_article: dict[str, Sequence[Posting]]) -> None:
    """Replace the postings of these articles (each then counts as indexed, entities or not)."""
    if not by_article:
        return
    with store.transaction():
        ids = list(by_article)
        for part in chunks(ids):
            store.db.execute(f"DELETE FROM entity_postings WHERE article_id IN ({marks(len(part))})", part)
        store.db.executemany(
            "INSERT OR REPLACE INTO entity_postings (key, article_id, type, form, canon, n) VALUES (?, ?, ?, ?, ?, ?)",
            [(k, aid, t, f, c, n) for aid, rows in by_article.items() for k, t, f, c, n in rows],
        )
        store.db.executemany("INSERT OR IGNORE INTO entity_indexed (article_id) VALUES (?)", [(i,) for i in ids])


def unindexed(store: Store, limit: int = CATCH_UP_CHUNK) -> list[str]:
    """Analysed articles missing from the postings (stored before them, or by ``khabar import``)."""
    return [r[0] for r in store.db.execute(
        "SELECT a.article_id FROM analyses a LEFT JOIN entity_indexed e ON e.article_id = a.article_id "
        "WHERE e.article_id IS NULL LIMIT ?", (limit,))]


def postings(store: Store, key: str) -> list[dict[str, Any]]:
    """Every posting of ``key`` with its article's outlet, dates and story."""
    rows = store.db.execute(
        "SELECT p.article_id, p.type, p.form, p.canon, p.n, a.title, a.source, a.published, a.ingested, "
        "a.url, sa.story_id, sa.seen FROM entity_postings p JOIN articles a ON a.id = p.article_id "
        "LEFT JOIN story_articles sa ON sa.article_id = p.article_id WHERE p.key = ?", (key,))
    return [dict(r) for r in rows]


def article_postings(store: Store, article_ids: Iterable[str]) -> list[tuple[str, str, str, str, str, int]]:
    """``(article_id, key, type, form, canon, n)`` of every posting of these articles."""
    out: list[tuple[str, str, str, str, str, int]] = []
    for part in chunks(list(article_ids)):
        out.extend(tuple(r) for r in store.db.execute(
            f"SELECT article_id, key, type, form, canon, n FROM entity_postings "
            f"WHERE article_id IN ({marks(len(part))})", part))
    return out


def statements_json(store: Store, article_ids: Iterable[str]) -> dict[str, str]:
    """The stored statements (JSON text) of these articles, by article id."""
    out: dict[str, str] = {}
    for part in chunks(list(article_ids)):
        out.update((r[0], r[1]) for r in store.db.execute(
            f"SELECT article_id, statements FROM analyses WHERE article_id IN ({marks(len(part))})", part))
    return out


def resolve_story(store: Store, story_id: int | None) -> int | None:
    """A story id followed through merges to the live story (``None`` stays ``None``)."""
    seen: set[int] = set()
    while story_id is not None and story_id not in seen:
        seen.add(story_id)
        row = store.db.execute("SELECT merged_into FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None or row[0] is None:
            return story_id
        story_id = row[0]
    return story_id

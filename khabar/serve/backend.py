"""The server's calls into the library (pipeline, stories, comparison), in one place.

Routes (:mod:`khabar.serve.api`, :mod:`khabar.serve.pages`) go through these; they turn the
library's answers and failures into what HTTP says (404, 422, 503). The library is imported
inside the functions so the server starts without loading the taggers and the model.

>>> Posted("a1", True, None).to_dict()
{'id': 'a1', 'new': True, 'story': None}
"""

from __future__ import annotations

import io
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import HTTPException

from khabar.serve.models import Side
from khabar.serve.pool import Stores
from khabar.store.db import Store
from khabar.types import Article


@dataclass
class Posted:
    """One article a post stored or found already stored."""

    id: str
    new: bool
    story: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "new": self.new, "story": self.story}


# -- writing ------------------------------------------------------------------------------------
def locked_ingest(stores: Stores, data: bytes | None, path: Path | None, source: str | None,
                  ) -> tuple[list[Posted], list[dict[str, str]]]:
    """:func:`ingest_posted` under the pool's write lock, on a borrowed connection."""
    with stores.write_lock, stores.borrow() as s:
        try:
            return ingest_posted(s, data, path, source)
        except sqlite3.OperationalError as e:  # locked past the busy timeout by another process
            raise HTTPException(503, f"the store is busy, try again ({e})", headers={"Retry-After": "5"}) from e


def ingest_posted(store: Store, data: bytes | None, path: Path | None, source: str | None,
                  ) -> tuple[list[Posted], list[dict[str, str]]]:
    """Ingest posted bytes (as stdin) or an uploaded file the way ``khabar ingest`` does; each
    article read (new or already stored, with its story), and what failed."""
    from khabar.pipeline import ingest

    src, stdin = ("-", io.BytesIO(data)) if data is not None else (path or Path(), None)
    # workers=1: forking analysis workers from a threaded server process is not safe.
    report = ingest(src, store, source=source, stdin=stdin, workers=1)
    posted = [Posted(i, report.was_new(i), story_id(store, i)) for i in dict.fromkeys(report.ids)]
    return posted, report.failed


# -- reading ------------------------------------------------------------------------------------
def story_id(store: Store, article_id: str) -> str | None:
    from khabar.stories import telling

    return telling.story_of(store, article_id)


def list_stories(store: Store, *, q: str | None, lang: str | None, source: str | None, since: date | None,
                 limit: int, offset: int) -> list[dict[str, Any]]:
    """Stories, newest first, as ``khabar stories --json`` lists them."""
    from khabar.stories import telling

    return telling.list_stories(store, q=q, lang=lang, source=source, since=since.isoformat() if since else None,
                                limit=limit, offset=offset)


def get_story(store: Store, story_id: str) -> dict[str, Any] | None:
    from khabar.stories import telling

    return telling.get_story(store, story_id)


def article_or_404(s: Store, article_id: str) -> Article:
    art = s.get(article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id!r}")
    return art


def article_json(s: Store, art: Article) -> dict[str, Any]:
    """A stored article with its mentions, statements and story, as ``GET /api/articles/{id}`` answers."""
    analysis = s.get_analysis(art.id)
    mentions, statements = analysis if analysis else ([], [])
    return {**art.to_dict(), "story": story_id(s, art.id), "mentions": [m.to_dict() for m in mentions],
            "statements": [st.to_dict() for st in statements]}


# -- comparing ----------------------------------------------------------------------------------
def compare(a: Article, b: Article, store: Store) -> dict[str, Any]:
    from khabar.compare.comparison import compare as compare_articles

    # Stored articles were analysed at ingest: reuse that instead of running the taggers again.
    analyses = (store.get_analysis(a.id) if a.id in store else None, store.get_analysis(b.id) if b.id in store else None)
    try:
        return compare_articles(a, b, analyses=analyses).to_dict()
    except FileNotFoundError as e:  # no trained model shipped in this install
        raise HTTPException(503, f"comparison is unavailable: {e}") from e


def summary(a: Article, s: Store) -> dict[str, Any]:
    """One side of a comparison as the API names it."""
    return {"id": a.id, "title": a.title, "source": a.source, "published": a.published, "stored": a.id in s}


def side(s: Store, given: str | Side) -> Article:
    """An API comparison side: a stored article (by id) or a posted text."""
    if isinstance(given, str):
        given = Side(id=given)
    if given.id is not None:
        return article_or_404(s, given.id)
    return article_from_text(given.text or "", given.title)


def guess_side(s: Store, value: str) -> Article:
    """A form field: a stored article's id when it is one (one token, found), its text otherwise."""
    value = value.strip()
    if re.fullmatch(r"\S{1,300}", value):
        found = s.get(value)
        if found is not None:
            return found
        if re.fullmatch(r"[0-9a-f]{6,64}", value):
            raise HTTPException(404, f"لا يوجد مقال بالمعرّف {value}")
    return article_from_text(value, None)


def article_from_text(text: str, title: str | None) -> Article:
    from khabar.read.clean import to_article
    from khabar.types import Document

    try:
        return to_article(Document(text=text, title=title or ""))
    except ValueError as e:
        raise HTTPException(422, f"text: {e}") from e

"""The server's calls into the library (pipeline, stories, comparison), in one place.

Routes (:mod:`khabar.serve.api`, :mod:`khabar.serve.pages`) go through these; they turn the
library's answers and failures into what HTTP says (404, 422, 503). The library is imported
inside the functions so the server starts without loading the taggers and the model.

>>> Posted("a1", True, None).to_dict()
{'id': 'a1', 'new': True, 'story': None}
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import HTTPException

from khabar.serve.models import Side, story_number
from khabar.serve.pool import Stores
from khabar.serve.work import Prepared, Workers
from khabar.store.db import Store
from khabar.types import Article, Document


@dataclass
class Posted:
    """One article a post stored or found already stored."""

    id: str
    new: bool
    story: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "new": self.new, "story": self.story}


# -- writing ------------------------------------------------------------------------------------
def locked_ingest(stores: Stores, work: Workers, data: bytes | None, path: Path | None, source: str | None,
                  ) -> tuple[list[Posted], list[dict[str, str]]]:
    """Ingest posted bytes (as stdin) or an uploaded file the way ``khabar ingest`` does: read, clean
    and analyse in a worker within its budget, then store under the pool's write lock, held for the
    write alone. Each article read (new or already stored, with its story), and what failed."""
    from khabar.follow.webhook import deliver_due
    from khabar.serve.work import prepare_post

    started = time.monotonic()
    prepared = run_job(work, prepare_post, data, None if path is None else str(path), source, stores.path)
    left = max(0.0, work.budget - (time.monotonic() - started))
    if not stores.write_lock.acquire(timeout=left):
        raise HTTPException(503, "the store is busy with other posts, try again", headers={"Retry-After": "5"})
    try:
        with stores.borrow() as s:
            try:
                posted = store_prepared(s, prepared)
            except sqlite3.OperationalError as e:  # locked past the busy timeout by another process
                raise HTTPException(503, f"the store is busy, try again ({e})", headers={"Retry-After": "5"}) from e
    finally:
        stores.write_lock.release()
    with stores.borrow() as s:  # alert webhooks after the write lock is released: a slow receiver blocks no post
        deliver_due(s)
    return posted, prepared.failed


def store_prepared(store: Store, prepared: Prepared) -> list[Posted]:
    """Store what a worker prepared in one transaction (articles, analyses, stories), as ingest does."""
    from khabar.pipeline import store_batch

    articles = [a for a, _ in prepared.items]
    found = {a.id: analysis for a, analysis in prepared.items if analysis is not None}
    flags = store_batch(store, articles, found, deliver=False)
    return [Posted(a.id, new, story_id(store, a.id)) for a, new in zip(articles, flags, strict=True)]


def run_job(work: Workers, fn: Any, *args: Any) -> Any:
    """``work.call(fn, *args)`` with its failures as HTTP answers: 413 over the time budget, 503 when
    every worker stays busy, 500 when the job itself failed."""
    from khabar.serve.work import Busy, OverBudget, WorkFailed

    try:
        return work.call(fn, *args)
    except OverBudget as e:
        raise HTTPException(413, f"{e}: send less at a time, or use khabar ingest for big inputs") from e
    except Busy as e:
        raise HTTPException(503, f"the server is busy ({e}), try again", headers={"Retry-After": "5"}) from e
    except WorkFailed as e:
        raise HTTPException(500, f"the work failed: {e}") from e


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
    """A story by the id in a URL (``None`` when there is none; a 422 for a number out of range)."""
    from khabar.stories import telling

    number = story_number(story_id)
    return None if number is None else telling.get_story(store, number)


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
Given = Article | Document  # a stored article, or a pasted text still to clean


def compare(work: Workers, a: Given, b: Given, store: Store) -> tuple[dict[str, Any], Article, Article]:
    """``compare``'s answer for two sides, worked out in a worker within its budget; with the two
    articles compared (a pasted text cleaned)."""
    from khabar.serve.work import compare_texts

    # Stored articles were analysed at ingest: reuse that instead of running the taggers again.
    analyses = tuple(store.get_analysis(x.id) if isinstance(x, Article) and x.id in store else None for x in (a, b))
    answer = run_job(work, compare_texts, a, b, analyses)
    if "error" in answer:
        raise HTTPException(422, answer["error"])
    if "unavailable" in answer:  # no trained model shipped in this install
        raise HTTPException(503, f"comparison is unavailable: {answer['unavailable']}")
    from khabar.serve.format import near_copy

    # "nearly identical" in the explanation means the near-copy test, never the score (issue 12)
    answer["result"]["near_copy"] = near_copy(answer["a"].text, answer["b"].text)
    return answer["result"], answer["a"], answer["b"]


def summary(a: Article, s: Store) -> dict[str, Any]:
    """One side of a comparison as the API names it."""
    return {"id": a.id, "title": a.title, "source": a.source, "published": a.published, "stored": a.id in s}


def side(s: Store, given: str | Side) -> Given:
    """An API comparison side: a stored article (by id) or a posted text."""
    if isinstance(given, str):
        given = Side(id=given)
    if given.id is not None:
        return article_or_404(s, given.id)
    return Document(text=given.text or "", title=given.title or "")


def guess_side(s: Store, value: str) -> Given:
    """A form field: a stored article's id when it is one (one token, found), its text otherwise."""
    value = value.strip()
    if re.fullmatch(r"\S{1,300}", value):
        found = s.get(value)
        if found is not None:
            return found
        if re.fullmatch(r"[0-9a-f]{6,64}", value):
            raise HTTPException(404, f"لا يوجد مقال بالمعرّف {value}")
    return Document(text=value, title="")

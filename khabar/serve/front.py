"""The front page's story list: what moves (the default), the last 24 hours, or the newest first.

The ranking is :func:`khabar.store.browse.moving_stories`; the filters of the story list (words,
language, outlet, date) keep the list's own order (:func:`khabar.stories.telling.list_stories`),
and an entity filter narrows either.

>>> window_of(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
('2026-03-01T08:00:00+00:00', '2026-02-28T08:00:00+00:00')
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from khabar.follow.digest import articles_ar, growth_ar, outlets_ar
from khabar.serve import backend
from khabar.store import browse
from khabar.store.db import Store
from khabar.text import arabic

#: The front page's window: "what moves" is counted over the last day, the rhythm of a news cycle
#: (and of a morning digest); growth compares it with the day before.
WINDOW = timedelta(hours=24)
VIEWS = ("moving", "24h", "newest")
#: An entity filter is cut to this many characters: the longest names are a dozen words, and the
#: filter's word-wise LIKE costs time in proportion to its length.
ENTITY_CHARS = 200


def window_of(now: datetime) -> tuple[str, str]:
    """``(since, prior)``: the start of the window ending ``now`` and of the window before it."""
    return (now - WINDOW).isoformat(), (now - 2 * WINDOW).isoformat()


def front_stories(s: Store, *, view: str, entity: str, q: str, lang: str, source: str, since: date | None,
                  limit: int, offset: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Up to ``limit`` stories for the page (each with ``recent_outlets``, ``recent`` and ``growth``
    where the view ranks by them)."""
    key = arabic.normalize(" ".join(entity.split())[:ENTITY_CHARS]) or None
    since_w, prior = window_of(now or datetime.now(UTC))
    if q or lang or source or since:  # the list's filters, in the list's order
        found = backend.list_stories(s, q=q or None, lang=lang or None, source=source or None, since=since,
                                     limit=limit, offset=offset)
        if key:
            keep = {r["id"] for r in browse.moving_stories(s, since=since_w, prior=prior, entity=key,
                                                           among=[f["id"] for f in found], limit=limit)}
            found = [f for f in found if f["id"] in keep]
        return found
    rows = browse.moving_stories(s, since=since_w, prior=prior, entity=key, recent_only=view == "24h",
                                 order="newest" if view == "newest" else "moving", limit=limit, offset=offset)
    return [{**r, "growth": r["recent"] - r["previous"], "recent_label": _recent_label(r),
             "growth_label": growth_ar(r["recent"] - r["previous"])} for r in rows]


def _recent_label(row: dict[str, Any]) -> str:
    """How a story moved, in Arabic: ``مصدران · مقالان في آخر 24 ساعة``."""
    hours = int(WINDOW.total_seconds() // 3600)
    return f"{outlets_ar(row['recent_outlets'])} · {articles_ar(row['recent'])} في آخر {hours} ساعة"

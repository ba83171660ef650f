"""Entity keys and postings: one actor however an article writes it, and who a statement is by.

A mention is posted under two keys (:func:`khabar.stories.features.entity_key`): its canonical name
in the article and its own surface form, so ``جيش الإسلام`` finds the article whose canonical name
is ``هيئة أركان جيش الإسلام``. The form as written is kept for display; keys are never shown.

>>> from khabar.types import Mention
>>> ms = [Mention("حمزة بيرقدار", "PERS", 0, 12, "حمزه بيرقدار"), Mention("بيرقدار", "PERS", 20, 27, "حمزه بيرقدار")]
>>> sorted({(k, f) for k, _, f, _, _ in postings_of(ms)})
[('بيرقدار', 'بيرقدار'), ('حمزه بيرقدار', 'بيرقدار'), ('حمزه بيرقدار', 'حمزة بيرقدار')]
>>> speaks_as("بيرقدار", {"حمزه بيرقدار"}, ["حمزه بيرقدار"])
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from khabar.store import entities as db
from khabar.store.db import Store
from khabar.stories.features import entity_key
from khabar.types import Mention

_QUOTES = "()\"'«»“” "


def key_of(name: str) -> str:
    """The matching key of a name as a user types it."""
    return entity_key(name)


def postings_of(mentions: Iterable[Mention]) -> list[db.Posting]:
    """An article's postings: ``(key, type, form as written, canonical key, mentions)``."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for m in mentions:
        canon = entity_key(m.entity or m.text)
        form = m.text.strip(_QUOTES)
        if not canon or not form:
            continue
        for key in {canon, entity_key(m.text) or canon}:
            counts[(key, m.type, form, canon)] += 1
    return [(k, t, f, c, n) for (k, t, f, c), n in counts.items()]


def aliases(key: str, article_postings: Iterable[tuple[str, str]]) -> set[str]:
    """The canonical keys an article uses for ``key``: itself, and those its forms were linked to.
    ``article_postings`` are ``(key, canon)`` pairs of one article."""
    return {key} | {canon for k, canon in article_postings if k == key}


def speaks_as(speaker: str | None, names: set[str], people: Sequence[str]) -> bool:
    """Whether a statement's speaker is one of ``names`` (keys): by its key, or as the short form of
    exactly one longer name among the article's ``people`` keys (بيرقدار → حمزه بيرقدار)."""
    if not speaker:
        return False
    skey = entity_key(speaker)
    if skey in names:
        return True
    words = set(skey.split())
    longer = {p for p in people if len(p.split()) > len(words) and words <= set(p.split())}
    return len(longer) == 1 and longer.pop() in names


def needs_catch_up(store: Store) -> bool:
    """Whether some analysed article is not posted yet (see :func:`catch_up`)."""
    return bool(db.unindexed(store, 1))


def catch_up(store: Store) -> int:
    """Post the entities of analysed articles not posted yet (stored before migration 0006, or by
    ``khabar import``); how many articles were indexed."""
    done = 0
    while ids := db.unindexed(store):
        by_article = {}
        for aid in ids:
            found = store.get_analysis(aid)
            by_article[aid] = postings_of(found[0]) if found else []
        db.add_postings(store, by_article)
        done += len(ids)
    return done

"""Alerts: saved queries over words, entities, speakers and stances, matched on every new article.

:func:`on_stored` runs inside the transaction that stores a batch (``khabar ingest``, the server's
``POST /api/articles`` and every other writer go through :func:`khabar.pipeline.store_batch`), so an
article is stored together with its matches or not at all. Every criterion an alert has must hold;
an alert fires once per article. Alerts see the articles stored after they were added.

The list shape (``khabar alerts --json``, ``/api/alerts``): ``[{"alert", "article", "story",
"matched", "at"}]``, newest first; ``matched`` holds what matched: ``words`` (the query),
``entity`` (the name as the article wrote it), ``statement`` (``{"speaker", "stance", "text"}``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from khabar.analyse.analysis import Analysis
from khabar.follow import entities as ent
from khabar.follow.query import QueryError, fts_query
from khabar.follow.shape import now_iso, shape
from khabar.follow.webhook import check_url
from khabar.store import alerts as db
from khabar.store import entities as entity_db
from khabar.store.db import Store
from khabar.types import Article, Statement

STANCES = ("asserts", "denies")


def add_alert(store: Store, *, words: str | None = None, entity: str | None = None, speaker: str | None = None,
              stance: str | None = None, name: str | None = None, webhook: str | None = None) -> dict[str, Any]:
    """Save an alert; :class:`QueryError` (a ``ValueError``) says what is wrong with a bad one."""
    words, entity, speaker = (v.strip() if v and v.strip() else None for v in (words, entity, speaker))
    if not (words or entity or speaker or stance):
        raise QueryError("an alert needs words, --entity, --speaker or --stance")
    if stance is not None and stance not in STANCES:
        raise QueryError(f"--stance is one of {', '.join(STANCES)}, not {stance!r}")
    row: dict[str, Any] = {"query": words, "entity": entity, "speaker": speaker, "stance": stance}
    if words:
        row["fts"] = fts_query(words)
        if (why := db.check_fts(store, row["fts"])) is not None:
            raise QueryError(f"bad query {words!r}: {why}")
    for field in ("entity", "speaker"):
        if row[field]:
            row[f"{field}_key"] = ent.key_of(row[field])
            if not row[f"{field}_key"]:
                raise QueryError(f"--{field} {row[field]!r} has no letters to match")
    if webhook:
        row["webhook"] = check_url(webhook)
    row["name"] = (name or "").strip() or _default_name(row)
    if len(row["name"]) > 200:
        raise QueryError("the name is longer than 200 characters")
    try:
        db.add(store, row)
    except db.AlertExists as e:
        raise QueryError(f"{e}: pass another --name") from e
    return next(a for a in list_alerts(store) if a["name"] == row["name"])


def _default_name(row: dict[str, Any]) -> str:
    parts = [row["query"]] if row["query"] else []
    parts += [f"{k}:{row[k]}" for k in ("entity", "speaker", "stance") if row[k]]
    return " ".join(parts)


def list_alerts(store: Store) -> list[dict[str, Any]]:
    """The saved alerts: ``{"name", "query", "entity", "speaker", "stance", "webhook", "created",
    "matches", "unread"}``."""
    keys = ("name", "query", "entity", "speaker", "stance", "webhook", "created", "matches", "unread")
    return [{k: a[k] for k in keys} for a in db.rules(store)]


def remove_alert(store: Store, name: str) -> bool:
    return db.remove(store, name)


def on_stored(store: Store, articles: Sequence[Article], flags: Sequence[bool], analyses: Sequence[Analysis]) -> int:
    """Post the entities of ``analyses`` and record the alerts that new or newly analysed articles
    match, in the caller's transaction; how many matches were new."""
    posted = {a.article.id: ent.postings_of(a.mentions) for a in analyses}
    entity_db.add_postings(store, posted)
    rules = db.matchers(store)
    if not rules:
        return 0
    ids = list(dict.fromkeys([a.id for a, new in zip(articles, flags, strict=True) if new] + list(posted)))
    statements = {a.article.id: a.statements for a in analyses}
    found = []
    for rule in rules:
        hits = db.word_hits(store, rule["fts"], ids) if rule["fts"] else None
        for aid in ids:
            matched = _matches(rule, aid, hits, posted.get(aid), statements.get(aid))
            if matched is not None:
                found.append((rule["id"], aid, matched, bool(rule["webhook"])))
    return db.record(store, found, now_iso()) if found else 0


def _matches(rule: dict[str, Any], article_id: str, hits: set[str] | None, posted: list | None,
             statements: list[Statement] | None) -> dict[str, Any] | None:
    """What of ``rule`` the article matches, or ``None`` when some criterion fails."""
    matched: dict[str, Any] = {}
    if hits is not None:
        if article_id not in hits:
            return None
        matched["words"] = rule["query"]
    pairs = [(k, c) for k, _, _, c, _ in posted or []]
    if rule["entity_key"]:
        forms = [(n, f) for k, _, f, _, n in posted or [] if k == rule["entity_key"]]
        if not forms:
            return None
        matched["entity"] = max(forms)[1]
    if rule["speaker_key"] or rule["stance"]:
        names = ent.aliases(rule["speaker_key"], pairs) if rule["speaker_key"] else set()
        people = sorted({c for _, t, _, c, _ in posted or [] if t == "PERS"})
        said = [s for s in statements or [] if (not rule["stance"] or s.stance == rule["stance"])
                and (not names or ent.speaks_as(s.speaker, names, people))]
        if not said:
            return None
        matched["statement"] = {"speaker": rule["speaker"] or said[0].speaker, "stance": said[0].stance,
                                "text": said[0].text}
    return matched


def matches(store: Store, *, new: bool = False, alert: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Matches newest first in the list shape; with ``new`` only the unread ones, marked read now."""
    rows = db.matches(store, unread=new, alert=alert, limit=limit)
    if new and rows:
        db.mark_read(store, [r["id"] for r in rows], now_iso())
    return [shape(store, r) for r in rows]


def feed_rows(store: Store, limit: int = 100, *, unread: bool = False, alert: str | None = None,
              ) -> list[dict[str, Any]]:
    """Matches with their article's title, URL and outlet (for the API and the Atom feed; read marks untouched)."""
    return [{**shape(store, r), "id": r["id"], "title": r["title"], "url": r["url"], "source": r["source"]}
            for r in db.matches(store, unread=unread, alert=alert, limit=limit)]

"""Alerts in the store: saved queries, their matches (once per article), read marks, the webhook outbox.

The rules that decide a match live in :mod:`khabar.follow.alerts`; this module only runs SQL.

>>> from khabar.store.db import Store
>>> with Store(":memory:") as s:
...     aid = add(s, {"name": "g", "query": "الغوطة", "fts": '"الغوطه"'})
...     [a["name"] for a in rules(s)], remove(s, "g"), rules(s)
(['g'], True, [])
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from khabar.store.db import Store
from khabar.store.params import chunks, marks

_ALERT_COLUMNS = ("name", "query", "fts", "entity", "entity_key", "speaker", "speaker_key", "stance", "webhook")


class AlertExists(ValueError):
    """An alert of that name is there already."""


def add(store: Store, alert: dict[str, Any], created: str | None = None) -> int:
    """Save an alert (``_ALERT_COLUMNS`` keys, the missing ones ``NULL``); its id."""
    from datetime import UTC, datetime

    created = created or datetime.now(UTC).isoformat(timespec="seconds")
    try:
        with store.transaction():
            cur = store.db.execute(
                f"INSERT INTO alerts ({', '.join(_ALERT_COLUMNS)}, created) VALUES ({marks(len(_ALERT_COLUMNS) + 1)})",
                (*(alert.get(c) for c in _ALERT_COLUMNS), created))
    except sqlite3.IntegrityError as e:
        raise AlertExists(f"an alert named {alert.get('name')!r} exists already") from e
    return int(cur.lastrowid or 0)


def remove(store: Store, name: str) -> bool:
    """Delete an alert by name (or id), with its matches; whether there was one."""
    with store.transaction():
        cur = store.db.execute("DELETE FROM alerts WHERE name = ? OR CAST(id AS TEXT) = ?", (name, name))
    return cur.rowcount > 0


def rules(store: Store) -> list[dict[str, Any]]:
    """Every alert, oldest first, with its match counts."""
    return [dict(r) for r in store.db.execute(
        "SELECT al.*, (SELECT count(*) FROM alert_matches m WHERE m.alert_id = al.id) AS matches, "
        "(SELECT count(*) FROM alert_matches m WHERE m.alert_id = al.id AND m.read_at IS NULL) AS unread "
        "FROM alerts al ORDER BY al.id")]


def matchers(store: Store) -> list[dict[str, Any]]:
    """Every alert's criteria, for matching (no counts: this runs on every batch)."""
    return [dict(r) for r in store.db.execute(
        "SELECT id, name, query, fts, entity_key, speaker, speaker_key, stance, webhook FROM alerts ORDER BY id")]


def check_fts(store: Store, fts: str) -> str | None:
    """Why FTS5 refuses ``fts`` (its own message), or ``None`` when it runs."""
    try:
        store.db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1",
                         ("{title body} : (" + fts + ")",)).fetchall()
    except sqlite3.OperationalError as e:
        return str(e)
    return None


def word_hits(store: Store, fts: str, article_ids: Sequence[str]) -> set[str]:
    """Those of ``article_ids`` whose title or text matches ``fts``. The rowid range keeps FTS5 to the
    new articles' part of its doclists (they were inserted together)."""
    if not article_ids:
        return set()
    rowids: dict[int, str] = {}
    for part in chunks(list(article_ids)):
        rowids.update((r[0], r[1]) for r in store.db.execute(
            f"SELECT rowid, id FROM articles WHERE id IN ({marks(len(part))})", part))
    if not rowids:
        return set()
    rows = store.db.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?",
        ("{title body} : (" + fts + ")", min(rowids), max(rowids)))
    return {rowids[r[0]] for r in rows if r[0] in rowids}


def record(store: Store, found: Iterable[tuple[int, str, dict[str, Any], bool]], at: str) -> int:
    """Store matches ``(alert id, article id, matched, has webhook)``; an (alert, article) pair already
    matched is kept as it was. Those with a webhook join the outbox. How many were new."""
    new = 0
    with store.transaction():
        for alert_id, article_id, matched, hook in found:
            cur = store.db.execute(
                "INSERT OR IGNORE INTO alert_matches (alert_id, article_id, matched, at) VALUES (?, ?, ?, ?)",
                (alert_id, article_id, json.dumps(matched, ensure_ascii=False), at))
            if cur.rowcount:
                new += 1
                if hook:
                    store.db.execute("INSERT INTO alert_outbox (match_id, next_at) VALUES (?, ?)",
                                     (cur.lastrowid, at))
    return new


def matches(store: Store, *, unread: bool = False, alert: str | None = None, limit: int = 100,
            match_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Matches newest first, with the alert's name and the article's title, URL, outlet and story."""
    where, args = [], []
    if unread:
        where.append("m.read_at IS NULL")
    if alert is not None:
        where.append("(al.name = ? OR CAST(al.id AS TEXT) = ?)")
        args += [alert, alert]
    if match_ids is not None:
        where.append(f"m.id IN ({marks(len(match_ids))})" if match_ids else "0")
        args += list(match_ids)
    sql = ("SELECT m.id, al.name AS alert, al.webhook, m.article_id AS article, m.matched, m.at, m.read_at, "
           "a.title, a.url, a.source, a.published, sa.story_id AS story FROM alert_matches m "
           "JOIN alerts al ON al.id = m.alert_id JOIN articles a ON a.id = m.article_id "
           "LEFT JOIN story_articles sa ON sa.article_id = m.article_id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY m.id DESC LIMIT ?")
    out = []
    for r in store.db.execute(sql, (*args, limit)):
        d = dict(r)
        d["matched"] = json.loads(d["matched"])
        out.append(d)
    return out


def mark_read(store: Store, match_ids: Sequence[int], at: str) -> None:
    with store.transaction():
        for part in chunks(list(match_ids)):
            store.db.execute(f"UPDATE alert_matches SET read_at = ? WHERE read_at IS NULL AND id IN "
                             f"({marks(len(part))})", (at, *part))


def any_due(store: Store, now: str) -> bool:
    return store.db.execute("SELECT 1 FROM alert_outbox WHERE delivered_at IS NULL AND next_at <= ? LIMIT 1",
                            (now,)).fetchone() is not None


def claim_due(store: Store, now: str, lease_until: str, limit: int) -> list[tuple[int, int]]:
    """Due deliveries ``(match id, attempts so far)``, leased until ``lease_until`` so that another
    process delivering at the same time leaves them alone."""
    with store.transaction():
        rows = [(r[0], r[1]) for r in store.db.execute(
            "SELECT match_id, attempts FROM alert_outbox WHERE delivered_at IS NULL AND next_at <= ? "
            "ORDER BY next_at LIMIT ?", (now, limit))]
        store.db.executemany("UPDATE alert_outbox SET next_at = ? WHERE match_id = ?",
                             [(lease_until, m) for m, _ in rows])
    return rows


def delivered(store: Store, match_id: int, at: str) -> None:
    with store.transaction():
        store.db.execute("UPDATE alert_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
                         "WHERE match_id = ?", (at, match_id))


def failed(store: Store, match_id: int, next_at: str, error: str) -> None:
    with store.transaction():
        store.db.execute("UPDATE alert_outbox SET attempts = attempts + 1, next_at = ?, last_error = ? "
                         "WHERE match_id = ?", (next_at, error[:500], match_id))


def outbox(store: Store) -> list[dict[str, Any]]:
    """The outbox rows, oldest first (delivered ones too: ``delivered_at`` says when)."""
    return [dict(r) for r in store.db.execute("SELECT * FROM alert_outbox ORDER BY match_id")]

"""The embedded store: SQLite in WAL mode, versioned migrations, an FTS5 index over the matching form.

Each migration is a numbered ``.sql`` file in ``khabar/migrations``; the database's
``PRAGMA user_version`` says which have run. Writes happen in explicit transactions so that an
interruption leaves either all of a batch or none of it.

>>> from khabar.store.db import Store
>>> with Store(":memory:") as store:
...     store.count()
0
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from khabar.read.clean import content_id, publisher_key
from khabar.read.untrusted import text_safe
from khabar.store.params import chunks, fts_quote, marks
from khabar.text import arabic
from khabar.types import Article, Mention, Statement

_ARTICLE_COLUMNS = (
    "id", "title", "text", "raw", "url", "source", "lang", "published", "author", "input_id", "origin",
    "ingested", "spans",
)


class StoreError(RuntimeError):
    """The store file cannot be opened or is not a khabar store."""


def migrations() -> list[tuple[int, str, str]]:
    """The shipped migrations as ``(version, name, sql)``, in order."""
    found = []
    for entry in resources.files("khabar.store.migrations").iterdir():
        m = re.match(r"(\d+)_.*\.sql$", entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Store:
    """An SQLite-backed article store.

    ``path`` is a file (created on first use) or ``":memory:"``. Use it as a context manager or
    call :meth:`close`.
    """

    def __init__(self, path: str | Path = "khabar.db", *, timeout: float = 30.0) -> None:
        self.path = str(path)
        # article id → (stored title, stored text, title stems, body stems, body words) of the articles
        # the last add_many stored whole (text within the index's word bound): clustering reuses them
        self.recent_words: dict[str, tuple[str, str, list[str], list[str], list[str]]] = {}
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so transactions are explicit.
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate()
            # rows stored before ids named the outlet (migration 0004): re-ingests must find them
            self._content_ids = self.db.execute(
                "SELECT 1 FROM store_meta WHERE key = 'content_ids'").fetchone() is not None
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a usable khabar store ({e})") from e

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> int:
        """Run the migrations this file has not seen yet, each in its own transaction."""
        for version, _name, sql in migrations():
            if version <= self.version:
                continue
            with self.transaction():
                # executescript would COMMIT on its own; run statement by statement instead.
                for statement in _split_sql(sql):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={version:d}")
        return self.version

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception (Ctrl-C included)."""
        if self.db.in_transaction:  # nested: the outer transaction decides
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # -- writing -------------------------------------------------------------------------------
    def add(self, article: Article) -> bool:
        """Store one article; ``False`` when it is there already (same id: same text from the same URL or outlet)."""
        with self.transaction():
            return self._insert(article)

    def known(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that are stored already."""
        return self._present("SELECT id FROM articles WHERE id", ids)

    def analysed(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that are stored with an analysis (an article stored by ``--no-analyse`` has none)."""
        return self._present("SELECT article_id FROM analyses WHERE article_id", ids)

    def _present(self, select: str, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that ``select … IN (ids)`` returns, a bounded number of ids per statement."""
        out: set[str] = set()
        for part in chunks(list(ids)):
            out.update(r[0] for r in self.db.execute(f"{select} IN ({marks(len(part))})", part))
        return out

    def add_many(self, articles: Iterable[Article]) -> list[bool]:
        """Store a batch in one transaction: all of it or, on an interruption, none of it.

        :attr:`recent_words` then holds what the full-text index took of each article this call stored.
        """
        self.recent_words.clear()
        with self.transaction():
            return [self._insert(a) for a in articles]

    def _insert(self, a: Article) -> bool:
        if self._content_ids and self._stored_by_content(a):
            return False
        ingested = a.ingested or datetime.now(UTC).isoformat(timespec="seconds")
        # text and raw keep their length (spans index them); names and the rest are escaped
        row = [_storable(v, same_length=k in ("text", "raw")) for k, v in (
            ("id", a.id), ("title", a.title), ("text", a.text), ("raw", a.raw), ("url", a.url),
            ("source", a.source), ("lang", a.lang), ("published", a.published), ("author", a.author),
            ("input_id", a.input_id), ("origin", a.origin))]
        cur = self.db.execute(
            f"INSERT OR IGNORE INTO articles ({', '.join(_ARTICLE_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_ARTICLE_COLUMNS))})",
            (*row, ingested, json.dumps(a.spans)),
        )
        if cur.rowcount == 0:
            return False
        a.ingested = ingested
        title_words, (body_words, rest) = arabic.words(row[1]), arabic.index_text(row[2])
        body = " ".join(body_words) + (" " + rest if rest else "")  # rest: past the bound, whole words
        # stems() maps word by word: the title's and the body's apart, joined, are those of the two together
        title_stems, body_stems = arabic.stems(title_words, lang=a.lang), arabic.stems(body_words, lang=a.lang)
        self.db.execute(
            "INSERT INTO articles_fts (rowid, title, body, stems) VALUES (?, ?, ?, ?)",
            (cur.lastrowid, " ".join(title_words), body, " ".join(title_stems + body_stems)),
        )
        if not rest:
            self.recent_words[a.id] = (row[1], row[2], title_stems, body_stems, body_words)
        return True

    def _stored_by_content(self, a: Article) -> bool:
        """Whether ``a`` is stored under its pre-0004 content-only id (same outlet); ``a.id`` becomes that id."""
        if not (a.url or a.source):
            return False
        old = content_id(a.title, a.text)
        row = self.db.execute("SELECT url, source FROM articles WHERE id = ?", (old,)).fetchone()
        if old == a.id or row is None or publisher_key(row[0], row[1]) != publisher_key(a.url, a.source):
            return False
        a.id = old
        return True

    def save_analysis(self, article_id: str, mentions: list[Mention], statements: list[Statement],
                      model: str | None = None) -> None:
        """Keep what analysis found in an article (replacing an earlier analysis of it)."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO analyses (article_id, mentions, statements, model) VALUES (?, ?, ?, ?)",
                (article_id, json.dumps(_plain(mentions), ensure_ascii=False),
                 json.dumps(_plain(statements), ensure_ascii=False), model),
            )
            self.db.execute("DELETE FROM article_entities WHERE article_id = ?", (article_id,))
            counts: dict[tuple[str, str], int] = {}
            for m in mentions:
                counts[(m.entity, m.type)] = counts.get((m.entity, m.type), 0) + 1
            self.db.executemany(
                "INSERT INTO article_entities (article_id, entity, type, count) VALUES (?, ?, ?, ?)",
                [(article_id, e, t, n) for (e, t), n in counts.items()],
            )

    def get_analysis(self, article_id: str) -> tuple[list[Mention], list[Statement]] | None:
        """The stored mentions and statements of an article, or ``None`` when it was not analysed."""
        row = self.db.execute(
            "SELECT mentions, statements FROM analyses WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return None
        return ([Mention(**m) for m in json.loads(row["mentions"])],
                [Statement(**s) for s in json.loads(row["statements"])])

    # -- reading -------------------------------------------------------------------------------
    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def __contains__(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def get(self, key: str) -> Article | None:
        """An article by its id, by the input's own id, or by a unique id prefix (≥ 6 characters)."""
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (key,)).fetchone()
        if row is None:
            row = self.db.execute("SELECT * FROM articles WHERE input_id = ? LIMIT 1", (key,)).fetchone()
        if row is None and len(key) >= 6 and re.fullmatch(r"[0-9a-f]+", key):
            rows = self.db.execute("SELECT * FROM articles WHERE id LIKE ? LIMIT 2", (key + "%",)).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return _article(row) if row is not None else None

    def articles(self, *, order: str = "rowid") -> Iterator[Article]:
        """Every stored article, in ingest order by default."""
        if order not in {"rowid", "published"}:
            raise ValueError(f"unknown order {order!r}")
        for row in self.db.execute(f"SELECT * FROM articles ORDER BY {order}"):
            yield _article(row)

    def ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY rowid")]

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search on the matching form: ``احمد`` finds ``أحمد``, ``مدرسه`` finds ``مدرسة``.

        All query words must appear (in title or body); when that finds nothing, the light stems
        are tried, so ``المفاوضات`` also finds ``مفاوضات``. Scores are BM25 relative to the best hit
        (1.0; higher is better).
        """
        for column, tokens in (("{title body}", arabic.words(query)), ("stems", arabic.terms(query))):
            if not tokens:
                continue
            match = f"{column} : ({' AND '.join(fts_quote(t) for t in tokens)})"
            rows = self.db.execute(
                "SELECT a.id, a.title, a.source, a.published, -bm25(articles_fts, 4.0, 1.0, 0.5) AS score "
                "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
                "WHERE articles_fts MATCH ? ORDER BY score DESC LIMIT ?",
                (match, limit),
            ).fetchall()
            if rows:
                # FTS5 floors a term's IDF at 1e-6 when most articles hold it (always so in a small
                # store), which leaves raw BM25 near 0 for every hit: relevance is shown relative
                # to the best hit (1.0), which keeps BM25's order and ratios
                best = max(rows[0]["score"], 1e-300)
                return [
                    {"id": r["id"], "title": r["title"], "score": round(max(r["score"], 0.0) / best, 4),
                     "source": r["source"], "published": r["published"]}
                    for r in rows
                ]
        return []


_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (Mention, Statement)}


def _plain(items: list[Any]) -> list[Any]:
    """``[x.to_dict() for x in items]``: for Mention and Statement (flat, of plain values) their fields
    read directly, without ``asdict``'s recursive copy (the same JSON at a fraction of the cost)."""
    out = []
    for x in items:
        names = _FIELDS.get(type(x))
        out.append({n: getattr(x, n) for n in names} if names is not None else x.to_dict())
    return out


def _storable(value: str | None, *, same_length: bool = False) -> str | None:
    """``value`` as SQLite can store it (UTF-8): a lone surrogate, such as an undecodable byte of a file
    name, becomes ``\\udcff`` (or U+FFFD, one for one, where offsets index the text)."""
    if value is None or value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        if same_length:
            return text_safe(value)
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _article(row: sqlite3.Row) -> Article:
    d = dict(row)
    d["spans"] = [tuple(s) for s in json.loads(d.get("spans") or "[]")]
    return Article(**{k: d[k] for k in _ARTICLE_COLUMNS})


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements (``sqlite3.complete_statement`` knows about quotes)."""
    statements, buf = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements

"""Import a batch result (the Spark job's Parquet output folder) into a store.

Stories land in the store's story tables with the index rows the online path keeps (band keys,
entity/term keys, document frequencies), so articles ingested later join them as usual.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Any

from khabar.batch.job import SparkUnavailable
from khabar.config import StoryConfig
from khabar.types import Article, Mention, Statement


def _mentions(rows: Any) -> list[Mention]:
    return [Mention(**(r.asDict() if hasattr(r, "asDict") else r)) for r in rows or ()]


def _statements(rows: Any) -> list[Statement]:
    return [Statement(**(r.asDict() if hasattr(r, "asDict") else r)) for r in rows or ()]


@dataclass
class ImportReport:
    """What ``khabar import`` did."""

    articles: int = 0  # new articles stored
    duplicates: int = 0  # already in the store (their analysis and story there are kept)
    stories: int = 0
    members: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"imported {self.articles} articles ({self.duplicates} already stored) and "
            f"{self.stories} stories "
            f"in {self.seconds:.1f}s"
        )


def _parquet(output: str, table: str) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as e:
        raise SparkUnavailable("reading a batch result needs pyarrow: pip install -e .[spark]") from e
    path = os.path.join(output, table)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: not found (is {output} the OUTPUT of a khabar batch run?)")
    return pq.ParquetDataset(path)


def import_batch(output: str, store: Any, *, chunk_size: int = 500, on_chunk: Any = None) -> ImportReport:
    """Load a batch result (a local folder) into ``store``: articles, analyses, stories and members.

    Stories land in the store's stories tables with the index rows the online path keeps (band keys,
    entity/term keys, document frequencies), so articles ingested later join them as usual. Each
    chunk of ``chunk_size`` articles is one transaction. An article the store already has keeps its
    stored version, analysis and story; a batch story whose members were all there already is dropped.
    """
    from khabar.stories.online import Features, band_keys

    t0 = time.perf_counter()
    with open(os.path.join(output, "report.json"), encoding="utf-8") as f:
        config = StoryConfig(**json.load(f).get("config", {}))
    rep = ImportReport()
    db = store.db

    # stories first: their store ids are what members point at
    story_ids: dict[int, int] = {}
    medoid_of: dict[int, str] = {}
    with store.transaction():
        for batch in _parquet(output, "stories").read().to_batches(chunk_size):
            for s in batch.to_pylist():
                story_ids[s["id"]] = db.execute(
                    "INSERT INTO stories (headline, medoid, reps, size, first_seen, last_seen, last_day) "
                    "VALUES (?, ?, ?, 0, ?, ?, ?)",
                    (
                        s["headline"],
                        s["medoid"],
                        json.dumps(list(s["reps"] or [])),
                        s["first_seen"],
                        s["last_seen"],
                        s["last_day"],
                    ),
                ).lastrowid
                medoid_of[s["id"]] = s["medoid"]
    members = {m["article_id"]: m for m in _parquet(output, "members").read().to_pylist()}

    copies: list[tuple[str, str]] = []
    for batch in _parquet(output, "articles").read().to_batches(chunk_size):
        rows = batch.to_pylist()
        with store.transaction():
            arts = [_article_from_row(r) for r in rows]
            flags = store.add_many(arts)
            for r, is_new in zip(rows, flags, strict=True):
                if not is_new:
                    rep.duplicates += 1
                    continue
                rep.articles += 1
                store.save_analysis(r["id"], _mentions(r["entities"]), _statements(r["statements"]))
                m = members.get(r["id"])
                if (
                    m is None
                    or db.execute("SELECT 1 FROM story_articles WHERE article_id = ?", (r["id"],)).fetchone()
                ):
                    continue
                sid = story_ids[m["story_id"]]
                feats = Features.from_row(r["id"], r["seen"], r["day"], r["sig"], r["features"])
                mid = db.execute(
                    "INSERT INTO story_articles (article_id, story_id, seen, day, cent_sum, cent_n, "
                    "copy_group, "
                    "sig, features) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                    (
                        r["id"],
                        sid,
                        r["seen"],
                        r["day"],
                        m["cent_sum"] or 0.0,
                        m["cent_n"] or 0,
                        r["sig"],
                        r["features"],
                    ),
                ).lastrowid
                db.execute("UPDATE story_articles SET copy_group = mid WHERE mid = ?", (mid,))
                if m["copy_group"] != r["id"]:
                    copies.append((r["id"], m["copy_group"]))
                db.executemany(
                    "INSERT OR IGNORE INTO story_bands (band, day, mid) VALUES (?, ?, ?)",
                    [(b, r["day"], mid) for b in band_keys(feats.sig, config.lsh_bands, config.lsh_rows)],
                )
                db.executemany(
                    "INSERT INTO story_keys (key, story_id, day) VALUES (?, ?, ?) "
                    "ON CONFLICT(key, story_id) DO UPDATE SET day = max(day, excluded.day)",
                    [(k, sid, r["day"]) for k in feats.keys(config)],
                )
                rep.members += 1
        if on_chunk:
            on_chunk(len(rows))

    with store.transaction():
        # near-copies point at their group's first article, now that every member has its mid
        db.executemany(
            "UPDATE story_articles SET copy_group = (SELECT mid FROM story_articles WHERE article_id = ?) "
            "WHERE article_id = ? AND EXISTS (SELECT 1 FROM story_articles WHERE article_id = ?)",
            [(head, aid, head) for aid, head in copies],
        )
        ids = list(story_ids.values())
        rep.stories = len(ids)
        for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            q = ",".join("?" * len(ids[i : i + 900]))
            chunk = ids[i : i + 900]
            db.execute(
                f"UPDATE stories SET size = (SELECT count(*) FROM story_articles sa "
                f"WHERE sa.story_id = stories.id) WHERE id IN ({q})",
                chunk,
            )
            # a story none of whose members came in (all stored and clustered before) is not kept
            rep.stories -= db.execute(f"DELETE FROM stories WHERE id IN ({q}) AND size = 0", chunk).rowcount
        terms_path = os.path.join(output, "terms")
        if os.path.exists(terms_path):
            for batch in _parquet(output, "terms").read().to_batches(10_000):
                db.executemany(
                    "INSERT INTO term_df (term, df) VALUES (?, ?) "
                    "ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
                    [(t["term"], t["df"]) for t in batch.to_pylist()],
                )
    rep.seconds = round(time.perf_counter() - t0, 3)
    return rep


def _article_from_row(r: dict[str, Any]) -> Article:
    return Article(
        id=r["id"],
        title=r["title"] or "",
        text=r["text"] or "",
        raw=r["raw"] or "",
        url=r["url"],
        source=r["source"],
        lang=r["lang"],
        published=r["published"],
        input_id=r["input_id"],
        author=r["author"],
        origin=r["origin"],
        ingested=r["ingested"],
        spans=[tuple(s) for s in json.loads(r["spans"] or "[]")],
    )

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

from khabar.analyse.analysis import Analysis
from khabar.batch.rows import mentions, statements
from khabar.batch.session import SparkUnavailable
from khabar.config import StoryConfig
from khabar.follow.alerts import on_stored
from khabar.follow.webhook import deliver_due
from khabar.store.stories import NewMember, StoryIndex
from khabar.stories.features import Features, band_keys
from khabar.types import Article


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
    entity/term keys, document frequencies), written by the same :class:`~khabar.store.stories.StoryIndex`
    methods, so articles ingested later join them as usual. Each chunk of ``chunk_size`` articles is
    one transaction. An article the store already has keeps its stored version, analysis and story; a
    batch story whose members were all there already is dropped.
    """
    t0 = time.perf_counter()
    with open(os.path.join(output, "report.json"), encoding="utf-8") as f:
        config = StoryConfig(**json.load(f).get("config", {}))
    rep = ImportReport()
    index = StoryIndex(store)
    story_ids = _import_stories(output, index, chunk_size)  # first: their store ids are what members point at
    members = {m["article_id"]: m for m in _parquet(output, "members").read().to_pylist()}
    copies: list[tuple[str, str]] = []
    for batch in _parquet(output, "articles").read().to_batches(chunk_size):
        rows = batch.to_pylist()
        with store.transaction():
            arts = [_article_from_row(r) for r in rows]
            flags = store.add_many(arts)
            analysed = []
            for a, r, is_new in zip(arts, rows, flags, strict=True):
                if not is_new:
                    rep.duplicates += 1
                    continue
                rep.articles += 1
                found = Analysis(a, mentions(r["entities"]), statements(r["statements"]))
                store.save_analysis(r["id"], found.mentions, found.statements)
                analysed.append(found)
                m = members.get(r["id"])
                if m is None or index.story_of(r["id"]) is not None:
                    continue
                index.add_member(story_ids[m["story_id"]], _member(m, config))
                if m["copy_group"] != r["id"]:
                    copies.append((r["id"], m["copy_group"]))
                rep.members += 1
            on_stored(store, arts, flags, analysed)  # alerts fire for imported articles as for ingested ones
        if on_chunk:
            on_chunk(len(rows))
    with store.transaction():
        index.copy_to_heads(copies)  # near-copies join their group's first article, now that each has a mid
        rep.stories = len(story_ids) - index.settle_sizes(list(story_ids.values()))
        terms_path = os.path.join(output, "terms")
        if os.path.exists(terms_path):
            for batch in _parquet(output, "terms").read().to_batches(10_000):
                index.add_document_frequencies([(t["term"], t["df"]) for t in batch.to_pylist()])
    deliver_due(store)  # alert webhooks, after the commits
    rep.seconds = round(time.perf_counter() - t0, 3)
    return rep


def _import_stories(output: str, index: StoryIndex, chunk_size: int) -> dict[int, int]:
    """The batch's stories, stored empty (members count in later); batch story id → store id."""
    story_ids: dict[int, int] = {}
    with index.store.transaction():
        for batch in _parquet(output, "stories").read().to_batches(chunk_size):
            for s in batch.to_pylist():
                story_ids[s["id"]] = index.new_story(s["headline"], s["medoid"], list(s["reps"] or []),
                                                     s["first_seen"], s["last_seen"], s["last_day"])
    return story_ids


def _member(m: dict[str, Any], config: StoryConfig) -> NewMember:
    """A batch member as the store keeps it: the features the clusterer stored, and its postings."""
    feats = Features.from_row(m["article_id"], m["seen"], m["day"], m["sig"], m["features"])
    return NewMember(m["article_id"], m["seen"], m["day"], m["sig"], m["features"],
                     band_keys(feats.sig, config.lsh_bands, config.lsh_rows), feats.keys(config),
                     m["cent_sum"] or 0.0, m["cent_n"] or 0, None)


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

"""Ingest: read → clean → store, in batches, each batch one transaction.

One bad file or record never stops the others: it is reported in :attr:`IngestReport.failed` and
the stream goes on. An interruption (Ctrl-C, a crash) rolls back only the batch in flight; every
batch before it is complete in the store.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from khabar.analyse import Analysis
from khabar.analyse import analyse as run_analysis
from khabar.clean import to_article
from khabar.read import read
from khabar.store import Store
from khabar.types import Article, Document, Mention, ReadError, Statement


@dataclass
class IngestReport:
    """What an ingest did; ``to_dict`` is the stable ``khabar ingest --json`` shape."""

    ingested: int = 0
    duplicates: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ingested": self.ingested, "duplicates": self.duplicates, "failed": self.failed, "ids": self.ids}

    def summary(self) -> str:
        return f"ingested {self.ingested}, duplicates {self.duplicates}, failed {len(self.failed)}"


def ingest(
    inputs: str | Path | Iterable[str | Path],
    store: Store,
    *,
    source: str | None = None,
    stdin: BinaryIO | None = None,
    batch_size: int = 200,
    analyse: bool = True,
    workers: int | None = None,
    cluster: bool = True,
    on_item: Callable[[str, bool], None] | None = None,
) -> IngestReport:
    """Read, clean and store every article found in ``inputs``.

    With ``analyse`` (the default) each new article's entities and statements are found and kept
    with it, in the same transaction, and (with ``cluster``) each new article joins a story or
    starts one; ``workers`` processes share that work (default: one per
    core, up to 4; 1 analyses in this process). ``on_item(origin, ok)`` is called once per
    document or error (progress bars hook in here).

    >>> from khabar.store import Store
    >>> with Store(":memory:") as s:
    ...     ingest("examples/", s).ingested
    2
    """
    report = IngestReport()
    batch: list[Article] = []
    seen: set[str] = set()
    analyser = _Analyser(workers) if analyse else None

    def flush() -> None:
        with store.transaction():
            flags = store.add_many(batch)
            new = [a for a, is_new in zip(batch, flags, strict=True) if is_new]
            if analyser is not None:
                analyses = []
                for article, (mentions, statements) in zip(new, analyser.map(new), strict=True):
                    store.save_analysis(article.id, mentions, statements)
                    analyses.append(Analysis(article, mentions, statements))
                if cluster and analyses:
                    from khabar.cluster import assign

                    assign(store, analyses)  # joins this batch's transaction
        report.ingested += len(new)
        report.duplicates += len(batch) - len(new)
        report.ids.extend(a.id for a in batch)
        batch.clear()

    try:
        _stream(read(inputs, source=source, stdin=stdin), report, batch, seen, batch_size, flush, on_item)
        if batch:
            flush()
    finally:
        if analyser is not None:
            analyser.close()
    return report


def _stream(items: Iterable[Document | ReadError], report: IngestReport, batch: list[Article], seen: set[str],
            batch_size: int, flush: Callable[[], None], on_item: Callable[[str, bool], None] | None) -> None:
    for item in items:
        if isinstance(item, ReadError):
            report.failed.append(item.to_dict())
            if on_item:
                on_item(item.path, False)
            continue
        try:
            article = to_article(item)
        except ValueError as e:
            report.failed.append({"path": item.origin or "<input>", "error": str(e)})
            if on_item:
                on_item(item.origin or "<input>", False)
            continue
        if article.id in seen:  # the same article twice in one run
            report.duplicates += 1
        else:
            seen.add(article.id)
            batch.append(article)
            if len(batch) >= batch_size:
                flush()
        if on_item:
            on_item(item.origin or "<input>", True)


def _analyse_one(article: Article) -> tuple[list[Mention], list[Statement]]:
    result = run_analysis(article)
    return result.mentions, result.statements


class _Analyser:
    """Analyses batches of articles, in a pool of worker processes when that pays off.

    The NER tagger and quote rules are CPU-bound Python, so processes (not threads) are what use
    the cores; each worker loads the models once. Small batches stay in this process.
    """

    MIN_PARALLEL = 24

    def __init__(self, workers: int | None) -> None:
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self.pool: Any = None

    def map(self, articles: list[Article]) -> list[tuple[list[Mention], list[Statement]]]:
        if self.workers <= 1 or len(articles) < self.MIN_PARALLEL:
            return [_analyse_one(a) for a in articles]
        if self.pool is None:
            # fork: workers inherit the loaded code; they never touch the parent's SQLite handle.
            self.pool = multiprocessing.get_context("fork").Pool(self.workers)
        chunk = max(1, len(articles) // (self.workers * 4))
        return self.pool.map(_analyse_one, articles, chunksize=chunk)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

"""Ingest: read → clean → store, in batches, each batch one transaction.

One bad file or record never stops the others: it is reported in :attr:`IngestReport.failed` and
the stream goes on. An interruption (Ctrl-C, a crash) rolls back only the batch in flight; every
batch before it is complete in the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from khabar.analyse import analyse as run_analysis
from khabar.clean import to_article
from khabar.read import read
from khabar.store import Store
from khabar.types import Article, ReadError


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
    on_item: Callable[[str, bool], None] | None = None,
) -> IngestReport:
    """Read, clean and store every article found in ``inputs``.

    With ``analyse`` (the default) each new article's entities and statements are found and kept
    with it, in the same transaction. ``on_item(origin, ok)`` is called once per document or
    error (progress bars hook in here).

    >>> from khabar.store import Store
    >>> with Store(":memory:") as s:
    ...     ingest("examples/", s).ingested
    2
    """
    report = IngestReport()
    batch: list[Article] = []
    seen: set[str] = set()

    def flush() -> None:
        with store.transaction():
            flags = store.add_many(batch)
            new = [a for a, is_new in zip(batch, flags, strict=True) if is_new]
            if analyse:
                for result in map(run_analysis, new):
                    store.save_analysis(result.article.id, result.mentions, result.statements)
        report.ingested += len(new)
        report.duplicates += len(batch) - len(new)
        report.ids.extend(a.id for a in batch)
        batch.clear()

    for item in read(inputs, source=source, stdin=stdin):
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
    if batch:
        flush()
    return report

"""Step 2 of the batch job: read → clean → analyse, in tasks, with the local reader's own functions.

JSONL is read as text lines (split across tasks), every other file whole with ``binaryFiles``; each
record goes through :mod:`khabar.read.formats`' format readers, :func:`khabar.read.clean.to_article`
and :func:`khabar.analyse.analysis.analyse` in ``mapPartitions``, so an article gets the same id, text
and analysis as with ``ingest``. Models load once per Python worker. Bad records become rows of
``rejects``; they never fail the job.

>>> from khabar.types import ReadError
>>> list(_analyse_partition([((0, 0, 0), ReadError("a.html", "empty file"))], "2024-01-01T00:00:00+00:00", False))
[('r', ('a.html', 'empty file'))]
"""

from __future__ import annotations

import bisect
import io
import json
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from khabar.batch.listing import Listing, local_path
from khabar.batch.rows import ROW_FIELDS, article_schema, as_tuples, join_terms
from khabar.types import Document, Mention, ReadError, Statement

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def _docs_from_lines(
    rows: Iterable[Any], source: str | None, ranks: dict[str, int]
) -> Iterator[tuple[tuple[int, int, int], Document | ReadError]]:
    """JSONL lines (``value`` bytes, ``path``, ``block``) through the local reader's JSONL parser, each
    with its arrival position ``(file rank, block, record)``: the order ``ingest`` meets them in.

    Rows of one file split arrive in order, so origins are ``file:LINE`` as with ``ingest`` for a
    file's first split (all of a file under the split size); a later split starting at byte OFFSET
    says ``file@OFFSET:LINE``, the line counted from there.
    """
    from khabar.read.formats import _finish, _read_jsonl

    current: tuple[str, int] | None = None
    batch: list[bytes] = []

    def flush() -> Iterator[Document | ReadError]:
        if not batch or current is None:
            return
        path, block = current
        name = local_path(path) if block == 0 else f"{local_path(path)}@{block}"
        for k, doc in enumerate(_read_jsonl(iter(batch), name)):
            if isinstance(doc, Document):
                _finish(doc, source, {})
            yield (ranks.get(local_path(path), -1), block, k), doc

    for row in rows:
        key = (row["path"], row["block"])
        if key != current:
            yield from flush()
            batch = []
            current = key
        batch.append(bytes(row["value"]) + b"\n")
    yield from flush()


def _docs_from_files(
    pairs: Iterable[tuple[str, bytes]], source: str | None, sidecars: dict[str, dict[str, Any]],
    ranks: dict[str, int],
) -> Iterator[tuple[tuple[int, int, int], Document | ReadError]]:
    """Whole files (path, bytes) through the local reader: sniffing, decoding, HTML, WARC records;
    each with its arrival position ``(file rank, 0, record)``."""
    from khabar.read.formats import _Context, _guard, _kind_by_name, _read_stream

    ctx = _Context(source=source)
    for uri, data in pairs:
        folder, _, name = uri.rpartition("/")
        meta = sidecars.get(folder, {}).get(name)
        path = local_path(uri)
        stream = io.BufferedReader(io.BytesIO(data))
        docs = _guard(
            _read_stream(stream, path, _kind_by_name(name), len(data), ctx, meta if isinstance(meta, dict) else {}),
            path,
        )
        for k, doc in enumerate(docs):
            yield (ranks.get(path, -1), 0, k), doc


def _analyse_partition(
    items: Iterable[tuple[tuple[int, int, int], Document | ReadError]], ingested: str, profiles: bool
) -> Iterator[tuple[str, Any]]:
    """Documents → ``("a", article row)`` or ``("r", reject row)``; one bad document spoils only itself.

    With ``profiles`` each article's comparison profile is built here, once, as ingest's workers
    build it (:func:`khabar.pipeline.analysed_for_clustering`), and travels pickled (compact state).
    """
    from khabar.analyse.analysis import analyse
    from khabar.read.clean import to_article
    from khabar.stories.features import article_terms, compute_features, sig_blob

    for position, item in items:
        if isinstance(item, ReadError):
            yield "r", (item.path, item.error)
            continue
        where = item.origin or "<input>"
        try:
            article = to_article(item)
        except ValueError as e:
            yield "r", (where, str(e))
            continue
        except Exception as e:  # noqa: BLE001 - a bug on one odd document must not fail a 10M-article job
            yield "r", (where, f"cleaning failed: {type(e).__name__}: {e}")
            continue
        article.ingested = ingested
        try:
            result = analyse(article)
            # Stemming is the costly part of the clustering features: do it once, here; the weights
            # need the corpus's document frequencies and come on the driver, in arrival order.
            text = article_terms(article)
            # the profile brings its signature, as ingest's does (no second MinHash of the words)
            p = _profile(article, result) if profiles else None
            first = compute_features(article, result.mentions, {}, 0, p, terms=text)
            seen, day, sig = first.seen, first.day, first.sig
            title_terms, body_terms = join_terms(text.title_terms), join_terms(text.body_terms)
            profile = None if p is None else pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001
            yield "r", (where, f"analysis failed: {type(e).__name__}: {e}")
            continue
        yield (
            "a",
            (
                article.id,
                article.url,
                article.source,
                article.lang,
                article.published,
                article.title,
                article.text,
                as_tuples(result.mentions, Mention),
                as_tuples(result.statements, Statement),
                article.raw,
                article.author,
                article.input_id,
                article.origin,
                article.ingested,
                json.dumps(article.spans),
                seen,
                day,
                sig_blob(sig),
                title_terms,
                body_terms,
                *position,
                profile,
            ),
        )


def _profile(article: Any, result: Any) -> Any:
    """The comparison profile of an analysed article, as ingest's workers build it (:func:`khabar.pipeline._profile`)."""
    from khabar.compare.model import load_model

    return load_model().profile(article, result.mentions, result.statements)


@dataclass
class Analysed:
    """The analysed records of a listing: ``rdd`` holds ``("a", article row)`` (:data:`ROW_FIELDS`) and
    ``("r", reject row)`` items, its partitions contiguous runs of the arrival order (partition 0 the
    first records ``ingest`` would meet), each in that order; persisted, so each record is analysed once."""

    spark: Any
    rdd: Any
    errors: list[tuple[str, str]]

    def articles(self, duplicates: Iterable[tuple[int, int, int]] = ()) -> DataFrame:
        """The ``articles`` table: each article's first arrival (records at ``duplicates`` left out)."""
        from khabar.batch.tables import ARTICLE_COLUMNS

        schema = article_schema()
        schema = type(schema)(schema.fields[: len(ARTICLE_COLUMNS)])
        width, pos = len(ARTICLE_COLUMNS), _POSITION
        dups = self.spark.sparkContext.broadcast(frozenset(duplicates))
        rows = self.rdd.filter(lambda t: t[0] == "a" and t[1][pos : pos + 3] not in dups.value)
        # one task per core, not per (small) partition: a task's start-up is a good part of its cost
        rows = rows.map(lambda t: t[1][:width]).coalesce(self.spark.sparkContext.defaultParallelism)
        # rows are built to the schema: checking every one in Python would cost more than making it
        return self.spark.createDataFrame(rows, schema, verifySchema=False)

    def release(self) -> None:
        self.rdd.unpersist()


#: Where the arrival position ``(o_file, o_block, o_line)`` sits in an article row.
_POSITION = ROW_FIELDS.index("o_file")


def read_articles(
    spark: SparkSession,
    listing: Listing,
    *,
    source: str | None = None,
    ingested: str | None = None,
    profiles: bool = False,
    rows_per_partition: int = 500,
) -> Analysed:
    """The analysed records of everything the listing holds (not yet de-duplicated; with ``profiles``,
    each article's pickled comparison profile in ``profile``), in partitions of about
    ``rows_per_partition`` records that follow the arrival order (see :class:`Analysed`)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    ingested = ingested or datetime.now(UTC).isoformat(timespec="seconds")
    ranks = sc.broadcast(listing.ranks)
    parts, units = [], []
    if listing.jsonl:
        lines = spark.read.text(listing.jsonl).select(
            # the text source keeps the bytes as they are: the reader decodes them (cp1256 too)
            F.col("value").cast("binary").alias("value"),
            F.col("_metadata.file_path").alias("path"),
            F.col("_metadata.file_block_start").alias("block"),
        )
        # lines per file split, counted in the JVM (no Python): where the partitions' bounds go
        for r in lines.groupBy("path", "block").count().collect():
            units.append(((listing.ranks.get(local_path(r["path"]), -1), r["block"]), r["count"]))
        parts.append(lines.rdd.mapPartitions(lambda rows: _docs_from_lines(rows, source, ranks.value)))
    if listing.files:
        sidecars = sc.broadcast(listing.sidecars)
        files = sc.binaryFiles(",".join(listing.files), minPartitions=sc.defaultParallelism)
        parts.append(files.mapPartitions(lambda ps: _docs_from_files(ps, source, sidecars.value, ranks.value)))
        units.extend(((listing.ranks.get(local_path(f), -1), 0), 1) for f in listing.files)
    docs = sc.emptyRDD() if not parts else parts[0] if len(parts) == 1 else sc.union(parts)
    # The documents (small beside their analyses) move once, so that partition k holds the k-th run of
    # the arrival order: the driver can cluster partition 0 while the cores analyse the next ones.
    bounds = arrival_bounds(units, rows_per_partition, 4 * sc.defaultParallelism)
    docs = docs.repartitionAndSortWithinPartitions(len(bounds) + 1, lambda key: bisect.bisect_right(bounds, key))
    out = docs.mapPartitions(lambda items: _analyse_partition(items, ingested, profiles))
    return Analysed(spark, out.persist(StorageLevel.MEMORY_AND_DISK), list(listing.errors))


def arrival_bounds(units: Iterable[tuple[tuple[int, int], int]], size: int, least: int) -> list[tuple[int, ...]]:
    """Positions where partitions of about ``size`` records start (the first one excepted), from the
    record count of each unit ``(file rank, block)``; at least ``least`` partitions when there are
    that many records, so that small inputs keep the cores busy too.

    >>> arrival_bounds([((0, 0), 5), ((1, 0), 1), ((0, 100), 3)], 4, 1)
    [(0, 0, 4), (1, 0, 0)]
    >>> arrival_bounds([((0, 0), 6)], 10, 3)
    [(0, 0, 2), (0, 0, 4)]
    """
    units = sorted(units)
    total = sum(n for _, n in units)
    size = max(1, min(size, -(-total // max(1, least))))
    bounds: list[tuple[int, ...]] = []
    done = 0  # records before the current unit
    for (rank, block), n in units:
        k = -(-done // size) * size  # the first multiple of size in this unit
        while k < done + n:
            if k > 0:
                bounds.append((rank, block, k - done))
            k += size
        done += n
    return bounds


def replay_rows(items: Iterable[tuple[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """What the driver needs of a partition: ``("a", position, *REPLAY_COLUMNS values)`` per article
    and ``("r", path, reason)`` per reject (a task runs this over the persisted partition)."""
    from khabar.batch.replay import REPLAY_COLUMNS

    at = [ROW_FIELDS.index(c) for c in REPLAY_COLUMNS]
    for kind, row in items:
        if kind == "a":
            yield ("a", tuple(row[_POSITION : _POSITION + 3]), *(row[i] for i in at))
        else:
            yield ("r", *row)

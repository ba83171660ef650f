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

import io
import json
import pickle
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from khabar.batch.listing import Listing, local_path
from khabar.batch.rows import article_schema, as_tuples, join_terms, reject_schema
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
            vocabulary = join_terms(sorted(first.vocabulary))
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
                vocabulary,
                *position,
                profile,
            ),
        )


def _profile(article: Any, result: Any) -> Any:
    """The comparison profile of an analysed article, as ingest's workers build it (:func:`khabar.pipeline._profile`)."""
    from khabar.compare.model import load_model

    return load_model().profile(article, result.mentions, result.statements)


def read_articles(
    spark: SparkSession,
    listing: Listing,
    *,
    source: str | None = None,
    ingested: str | None = None,
    profiles: bool = False,
) -> tuple[DataFrame, DataFrame, Callable[[], None]]:
    """``(articles, rejects, release)``: DataFrames of everything the listing holds (not yet
    de-duplicated; with ``profiles``, each article's pickled comparison profile in ``profile``), over
    a cache of what the analysis produced, and the call that frees that cache once both are saved."""
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    ingested = ingested or datetime.now(UTC).isoformat(timespec="seconds")
    ranks = sc.broadcast(listing.ranks)
    parts = []
    if listing.jsonl:
        lines = spark.read.text(listing.jsonl).select(
            # the text source keeps the bytes as they are: the reader decodes them (cp1256 too)
            F.col("value").cast("binary").alias("value"),
            F.col("_metadata.file_path").alias("path"),
            F.col("_metadata.file_block_start").alias("block"),
        )
        parts.append(lines.rdd.mapPartitions(lambda rows: _docs_from_lines(rows, source, ranks.value)))
    if listing.files:
        sidecars = sc.broadcast(listing.sidecars)
        files = sc.binaryFiles(",".join(listing.files), minPartitions=sc.defaultParallelism)
        parts.append(files.mapPartitions(lambda ps: _docs_from_files(ps, source, sidecars.value, ranks.value)))
    if not parts:
        docs = sc.emptyRDD()
    else:
        docs = parts[0] if len(parts) == 1 else sc.union(parts)
    # Few, big inputs (one JSONL under the split size, a handful of WARC files) would leave cores
    # idle during analysis, by far the costliest step: spread the documents first.
    want = 2 * sc.defaultParallelism
    if docs.getNumPartitions() < want:
        docs = docs.repartition(want)
    out = docs.mapPartitions(lambda items: _analyse_partition(items, ingested, profiles)).cache()
    # rows are built to article_schema: checking every one in Python would cost more than making it
    articles = spark.createDataFrame(
        out.filter(lambda t: t[0] == "a").map(lambda t: t[1]), article_schema(), verifySchema=False
    )
    errors = [(p, r) for p, r in listing.errors]
    rejects = spark.createDataFrame(out.filter(lambda t: t[0] == "r").map(lambda t: t[1]), reject_schema())
    if errors:
        rejects = spark.createDataFrame(errors, reject_schema()).unionByName(rejects)
    return articles, rejects, out.unpersist


#: The arrival position of a record: the order ``ingest`` reads the inputs in (file, block, record).
ORDER = ("o_file", "o_block", "o_line")


def dedupe(articles: DataFrame) -> DataFrame:
    """One row per article id, the first to arrive (as ``ingest`` keeps it); the rest are duplicates."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    # the window runs on the narrow columns only: rows carry texts and profiles, too costly to shuffle
    w = Window.partitionBy("id").orderBy(*ORDER)
    first = articles.select("id", *ORDER).withColumn("_k", F.row_number().over(w)).where("_k = 1").drop("_k")
    return articles.join(first, ["id", *ORDER], "left_semi")

"""The batch job: a whole corpus into stories with Spark, for corpora one machine can't ingest in time.

``run_batch(inputs, output)`` does what ``khabar ingest`` does, article for article, but as a Spark job:

1. **list** — folders and globs are expanded with the Hadoop file system (so ``s3a://``, ``hdfs://``
   and local paths all work); ``sources.json`` sidecars are read on the driver (they are small).
2. **read → clean → analyse** — JSONL is read as text lines (split across tasks), every other file
   whole with ``binaryFiles``; each record goes through :mod:`khabar.read.formats`'s own format readers,
   :func:`khabar.read.clean.to_article` and :func:`khabar.analyse.analysis.analyse` in ``mapPartitions``, so an
   article gets the same id, text and analysis as with ``ingest``. Models load once per Python
   worker. Bad records become rows of ``rejects``; they never fail the job.
3. **features** — document frequencies are counted over the corpus, then
   :func:`khabar.stories.online.compute_features` gives each article the clustering features the online
   path keeps (top terms, entities, MinHash signature, the time window's day).
4. **candidates** — the online path's keys as Spark joins: LSH band keys of the signature
   (:func:`khabar.stories.online.band_keys`) and entity/rare-term keys (:meth:`Features.keys`), paired only
   inside the time window; keys too common inside the window are dropped as online (no driver-side
   collect of the corpus). Band pairs at or above ``copy_threshold`` resemblance are near-copies.
5. **scoring** — the best candidate pairs of each article go to the online path's scorer
   (:func:`khabar.stories.online.default_scorer`: the comparison model, or the lexical fallback).
6. **stories** — connected components (:mod:`khabar.batch.components`) of near-copy links and pairs scored
   as the same story, then refined with the online join rule: every member must score as the same
   story against its component's medoid, or against a majority of its representatives. Members that
   fail are clustered again among themselves, so a chain of weak links never glues two stories.

Output (a folder or URI): Parquet tables ``articles``, ``stories``, ``members``, ``rejects`` and a
``report.json``; ``khabar import`` loads them into a store.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from khabar.config import DEFAULT, StoryConfig
from khabar.types import Article, Document, Mention, ReadError, Statement

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SPARK_HINT = "the batch job needs PySpark and Java: pip install -e .[spark]"
TABLES = ("articles", "stories", "members", "rejects")
# A scoring task scores this many pairs per model call (the model is vectorised over pairs).
_SCORE_CHUNK = 256
# Prepared articles (profiles) kept per scoring task; pairs arrive grouped by one side.
_PREPARED_CACHE = 2048
# Joins term lists into one string column (a stem never holds a control character).
_SEP = "\x1f"


class SparkUnavailable(RuntimeError):
    """PySpark (or the Java it runs on) is missing; the message says how to install it."""


def require_spark() -> None:
    """Raise :class:`SparkUnavailable` with the install hint when PySpark can't be imported."""
    try:
        import pyspark  # noqa: F401
    except ImportError as e:
        raise SparkUnavailable(SPARK_HINT) from e


def spark_session(
    master: str | None = "local[*]", *, app_name: str = "khabar batch", conf: dict[str, str] | None = None
) -> SparkSession:
    """A SparkSession for the job (``master=None`` keeps what ``spark-submit`` or the environment set).

    Local runs get a modest shuffle width (the default 200 partitions only cost overhead on one
    machine) and no web UI; the Python workers run this interpreter, so they see the same install.
    """
    require_spark()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    local = (master or "").startswith("local")
    defaults = {
        "spark.ui.enabled": "false" if local else "true",
        "spark.sql.adaptive.enabled": "true",
        "spark.python.worker.reuse": "true",  # models stay loaded across a worker's tasks
        "spark.ui.showConsoleProgress": "false",
    }
    if local:
        defaults["spark.sql.shuffle.partitions"] = str(max(4, 4 * _local_cores(master)))
    for k, v in {**defaults, **(conf or {})}.items():
        builder = builder.config(k, v)
    try:
        spark = builder.getOrCreate()
    except Exception as e:  # noqa: BLE001 - no Java, a bad master URL: say so plainly
        raise SparkUnavailable(f"cannot start Spark ({type(e).__name__}: {e}); {SPARK_HINT}") from e
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _local_cores(master: str | None) -> int:
    inner = (master or "local[*]").partition("[")[2].rstrip("]").split(",")[0]
    return os.cpu_count() or 1 if inner in ("*", "") else max(1, int(inner))


# --- the report ------------------------------------------------------------------------------------


@dataclass
class BatchReport:
    """Counts and timings of one run; written as ``report.json`` beside the tables."""

    inputs: list[str] = field(default_factory=list)
    output: str = ""
    master: str = ""
    parallelism: int = 0
    scorer: str = ""
    files: int = 0
    records: int = 0  # documents read (articles before de-duplication)
    articles: int = 0
    duplicates: int = 0
    rejects: int = 0
    candidate_pairs: int = 0
    copy_pairs: int = 0
    scored_pairs: int = 0
    linked_pairs: int = 0
    refine_rounds: int = 0
    stories: int = 0
    multi_article_stories: int = 0
    largest_story: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    started: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.articles} articles ({self.duplicates} duplicates, {self.rejects} rejected) → "
            f"{self.stories} stories ({self.multi_article_stories} with more than one article) "
            f"in {self.seconds:.1f}s"
        )


class _Timer:
    """Wall time per step into ``report.timings``; the Spark UI shows each step's jobs under its name."""

    def __init__(self, report: BatchReport, spark: SparkSession, first: str) -> None:
        self.report = report
        self.sc = spark.sparkContext
        self.t = time.perf_counter()
        self.sc.setJobGroup(first, f"khabar batch: {first}")

    def lap(self, name: str, following: str | None = None) -> None:
        now = time.perf_counter()
        self.report.timings[name] = round(self.report.timings.get(name, 0.0) + now - self.t, 3)
        self.t = now
        if following:
            self.sc.setJobGroup(following, f"khabar batch: {following}")


# --- schemas -----------------------------------------------------------------------------------------


def _spark_type(annotation: str) -> Any:
    from pyspark.sql import types as T

    if "bool" in annotation:
        return T.BooleanType()
    if "int" in annotation:
        return T.LongType()
    if "float" in annotation:
        return T.DoubleType()
    return T.StringType()


def _struct_of(cls: type) -> Any:
    """A Spark struct with one field per dataclass field (so a field added to types.py travels too)."""
    from pyspark.sql import types as T

    return T.StructType([T.StructField(f.name, _spark_type(str(f.type))) for f in fields(cls)])


def _article_schema() -> Any:
    from pyspark.sql import types as T

    s, L = T.StringType(), T.LongType()
    return T.StructType(
        [
            T.StructField("id", s, False),
            T.StructField("url", s),
            T.StructField("source", s),
            T.StructField("lang", s),
            T.StructField("published", s),
            T.StructField("title", s),
            T.StructField("text", s),
            T.StructField("entities", T.ArrayType(_struct_of(Mention))),
            T.StructField("statements", T.ArrayType(_struct_of(Statement))),
            # what the store keeps beside them (import needs them; ``show --raw`` and the page use them)
            T.StructField("raw", s),
            T.StructField("author", s),
            T.StructField("input_id", s),
            T.StructField("origin", s),
            T.StructField("ingested", s),
            T.StructField("spans", s),
            # clustering features, as the online path keeps them per story member
            T.StructField("seen", s),
            T.StructField("day", L),
            T.StructField("sig", T.BinaryType()),
            # stems of title and body and the indexable vocabulary, joined by _SEP (one string pickles and
            # crosses to the JVM far cheaper than hundreds); dropped once the features are computed
            T.StructField("title_terms", s),
            T.StructField("body_terms", s),
            T.StructField("vocabulary", s),
        ]
    )


def _reject_schema() -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField("path", T.StringType()), T.StructField("reason", T.StringType())])


# --- 1. listing ----------------------------------------------------------------------------------------

_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_COMPRESSED = (".gz", ".bz2", ".zst", ".lz4", ".deflate", ".snappy")


@dataclass
class Listing:
    """What the inputs expand to: JSONL files (read by lines), other files (read whole), sidecars, errors."""

    jsonl: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sidecars: dict[str, dict[str, Any]] = field(default_factory=dict)  # folder URI → sources.json content
    errors: list[tuple[str, str]] = field(default_factory=list)


def _is_jsonl(name: str) -> bool:
    lower = name.lower()
    for ext in _COMPRESSED:
        lower = lower.removesuffix(ext)
    return lower.endswith(_JSONL_SUFFIXES)


def _hidden(name: str) -> bool:
    # Hadoop's convention (_SUCCESS, _temporary) as well as dot-files
    return name.startswith((".", "_"))


def list_inputs(spark: SparkSession, inputs: Iterable[str]) -> Listing:
    """Expand files, folders (recursive) and glob patterns through the Hadoop file system."""
    from khabar.read.formats import MAX_BYTES, SIDECAR, _kind_by_name

    sc = spark.sparkContext
    jvm = sc._jvm
    conf = sc._jsc.hadoopConfiguration()
    out = Listing()
    seen: set[str] = set()
    folders: set[str] = set()

    def add(status: Any) -> None:
        path = status.getPath()
        name = path.getName()
        uri = path.toString()
        folders.add(path.getParent().toString())
        if _hidden(name) or name == SIDECAR or uri in seen:
            return
        seen.add(uri)
        if _is_jsonl(name):
            out.jsonl.append(uri)
            return
        kind = _kind_by_name(name)
        size = status.getLen()
        if kind in ("text", "html") and size > MAX_BYTES:
            # the same reason the local reader gives, without shipping the file to an executor first
            out.errors.append(
                (
                    _local(uri),
                    f"file too large ({size / 1024 / 1024:.1f} MB > {MAX_BYTES // 1024 // 1024} MB)",
                )
            )
        elif size == 0:
            out.errors.append((_local(uri), "empty file"))
        else:
            out.files.append(uri)

    for item in inputs:
        item = str(item)
        hpath = jvm.org.apache.hadoop.fs.Path(item)
        try:
            fs = hpath.getFileSystem(conf)
            matches = fs.globStatus(hpath)
        except Exception as e:  # noqa: BLE001 - an unknown scheme, missing credentials…
            out.errors.append((item, f"cannot list: {_java_message(e)}"))
            continue
        if not matches:
            glob = any(c in item for c in "*?[{")
            out.errors.append((item, "no files match this pattern" if glob else "no such file or directory"))
            continue
        for status in matches:
            if status.isDirectory():
                it = fs.listFiles(status.getPath(), True)
                while it.hasNext():
                    f = it.next()
                    # skip anything under a hidden folder, as the local reader does
                    rel = f.getPath().toString()[len(status.getPath().toString()) :]
                    if any(_hidden(p) for p in rel.split("/")[:-1] if p):
                        continue
                    add(f)
            else:
                add(status)
    for folder in sorted(folders):
        _load_sidecar(spark, folder, out)
    out.jsonl.sort()
    out.files.sort()
    return out


def _load_sidecar(spark: SparkSession, folder: str, out: Listing) -> None:
    from khabar.read.decode import decode
    from khabar.read.formats import SIDECAR

    sc = spark.sparkContext
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(folder + "/" + SIDECAR)
    try:
        fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
        if not fs.exists(path):
            return
        stream = fs.open(path)
        data = bytes(jvm.org.apache.commons.io.IOUtils.toByteArray(stream))
        stream.close()
        content = json.loads(decode(data, _local(path.toString())))
    except Exception as e:  # noqa: BLE001 - unreadable or malformed: reported like the local reader does
        out.errors.append((_local(folder + "/" + SIDECAR), f"malformed {SIDECAR}: {_java_message(e)}"))
        return
    if isinstance(content, dict):
        out.sidecars[folder] = content
    else:
        out.errors.append(
            (_local(folder + "/" + SIDECAR), f"malformed {SIDECAR}: not an object of file names")
        )


def _java_message(e: Exception) -> str:
    msg = str(e)
    # py4j errors carry the whole Java stack trace; its first line is the message
    for line in msg.splitlines():
        if "Exception" in line and ":" in line:
            return line.split(":", 1)[1].strip()[:300]
    return msg.splitlines()[0][:300] if msg else type(e).__name__


def _local(uri: str) -> str:
    """A ``file:`` URI as the plain path ``ingest`` would print; other URIs unchanged."""
    if uri.startswith("file://"):
        return uri[len("file://") :]
    if uri.startswith("file:"):
        return uri[len("file:") :]
    return uri


# --- 2. read → clean → analyse -----------------------------------------------------------------------


def _docs_from_lines(rows: Iterable[Any], source: str | None) -> Iterator[Document | ReadError]:
    """JSONL lines (``value`` bytes, ``path``, ``block``) through the local reader's JSONL parser.

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
        name = _local(path) if block == 0 else f"{_local(path)}@{block}"
        for doc in _read_jsonl(iter(batch), name):
            if isinstance(doc, Document):
                _finish(doc, source, {})
            yield doc

    for row in rows:
        key = (row["path"], row["block"])
        if key != current:
            yield from flush()
            batch = []
            current = key
        batch.append(bytes(row["value"]) + b"\n")
    yield from flush()


def _docs_from_files(
    pairs: Iterable[tuple[str, bytes]], source: str | None, sidecars: dict[str, dict[str, Any]]
) -> Iterator[Document | ReadError]:
    """Whole files (path, bytes) through the local reader: sniffing, decoding, HTML, WARC records."""
    from khabar.read.formats import _Context, _guard, _kind_by_name, _read_stream

    ctx = _Context(source=source)
    for uri, data in pairs:
        folder, _, name = uri.rpartition("/")
        meta = sidecars.get(folder, {}).get(name)
        path = _local(uri)
        stream = io.BufferedReader(io.BytesIO(data))
        yield from _guard(
            _read_stream(
                stream, path, _kind_by_name(name), len(data), ctx, meta if isinstance(meta, dict) else {}
            ),
            path,
        )


def _analyse_partition(items: Iterable[Document | ReadError], ingested: str) -> Iterator[tuple[str, Any]]:
    """Documents → ``("a", article row)`` or ``("r", reject row)``; one bad document spoils only itself."""
    from khabar.analyse.analysis import analyse
    from khabar.read.clean import to_article
    from khabar.stories.online import _sig_blob, article_terms, compute_features

    for item in items:
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
            # need the corpus's document frequencies and come in the next step.
            text = article_terms(article)
            first = compute_features(article, result.mentions, {}, 0, terms=text)
            seen, day, sig = first.seen, first.day, first.sig
            title_terms, body_terms = _SEP.join(text.title_terms), _SEP.join(text.body_terms)
            vocabulary = _SEP.join(sorted(first.vocabulary))
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
                [tuple(getattr(m, f.name) for f in fields(Mention)) for m in result.mentions],
                [tuple(getattr(s, f.name) for f in fields(Statement)) for s in result.statements],
                article.raw,
                article.author,
                article.input_id,
                article.origin,
                article.ingested,
                json.dumps(article.spans),
                seen,
                day,
                _sig_blob(sig),
                title_terms,
                body_terms,
                vocabulary,
            ),
        )


def read_articles(
    spark: SparkSession, listing: Listing, *, source: str | None = None, ingested: str | None = None
) -> tuple[DataFrame, DataFrame]:
    """``(articles, rejects)`` DataFrames of everything the listing holds (not yet de-duplicated)."""
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    ingested = ingested or datetime.now(UTC).isoformat(timespec="seconds")
    parts = []
    if listing.jsonl:
        lines = spark.read.text(listing.jsonl).select(
            # the text source keeps the bytes as they are: the reader decodes them (cp1256 too)
            F.col("value").cast("binary").alias("value"),
            F.col("_metadata.file_path").alias("path"),
            F.col("_metadata.file_block_start").alias("block"),
        )
        parts.append(lines.rdd.mapPartitions(lambda rows: _docs_from_lines(rows, source)))
    if listing.files:
        sidecars = sc.broadcast(listing.sidecars)
        files = sc.binaryFiles(",".join(listing.files), minPartitions=sc.defaultParallelism)
        parts.append(files.mapPartitions(lambda ps: _docs_from_files(ps, source, sidecars.value)))
    if not parts:
        docs = sc.emptyRDD()
    else:
        docs = parts[0] if len(parts) == 1 else sc.union(parts)
    # Few, big inputs (one JSONL under the split size, a handful of WARC files) would leave cores
    # idle during analysis, by far the costliest step: spread the documents first.
    want = 2 * sc.defaultParallelism
    if docs.getNumPartitions() < want:
        docs = docs.repartition(want)
    out = docs.mapPartitions(lambda items: _analyse_partition(items, ingested)).cache()
    # rows are built to the schema above: checking every one in Python would cost more than making it
    articles = spark.createDataFrame(
        out.filter(lambda t: t[0] == "a").map(lambda t: t[1]), _article_schema(), verifySchema=False
    )
    errors = [(p, r) for p, r in listing.errors]
    rejects = spark.createDataFrame(out.filter(lambda t: t[0] == "r").map(lambda t: t[1]), _reject_schema())
    if errors:
        rejects = spark.createDataFrame(errors, _reject_schema()).unionByName(rejects)
    return articles, rejects


def _dedupe(articles: DataFrame) -> DataFrame:
    """One row per article id, the first by origin; the rest are duplicates."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    w = Window.partitionBy("id").orderBy(F.col("origin").asc_nulls_last())
    return articles.withColumn("_k", F.row_number().over(w)).where("_k = 1").drop("_k")


# --- 3. features -----------------------------------------------------------------------------------------


def _split(joined: str | None) -> list[str]:
    return joined.split(_SEP) if joined else []


class _DfWithoutSelf:
    """Corpus document frequencies as one article sees them: every *other* article counts.

    The online path counts the articles clustered before this one; counting all the others is the
    order-free version of that. Terms seen in one article only are absent (their df is then 0).
    """

    def __init__(self, df: dict[str, int]) -> None:
        self.df = df

    def get(self, term: str, default: int = 0) -> int:
        n = self.df.get(term)
        return n - 1 if n is not None else default


def _features_partition(
    rows: Iterable[Any], df: dict[str, int], n_docs: int, config: StoryConfig
) -> Iterator[tuple[Any, ...]]:
    """Article rows → ``(n, features JSON, index keys, band keys)`` with the online path's functions."""
    from khabar.stories.online import _sig_from_blob, band_keys, compute_features

    lookup = _DfWithoutSelf(df)
    for r in rows:
        stub = Article(
            id=r["id"],
            title=r["title"] or "",
            text="",
            raw="",
            lang=r["lang"],
            published=r["published"],
            ingested=r["ingested"],
        )
        sig = _sig_from_blob(bytes(r["sig"]))
        feats = compute_features(
            stub,
            _mentions(r["entities"]),
            lookup,
            n_docs,  # type: ignore[arg-type]
            SimpleNamespace(signature=sig),
            # the terms found in step 2 (words are only needed for a signature)
            SimpleNamespace(
                title_terms=_split(r["title_terms"]), body_terms=_split(r["body_terms"]), body_words=[]
            ),
        )
        yield (r["n"], feats.to_json(), feats.keys(config), band_keys(sig, config.lsh_bands, config.lsh_rows))


def _mentions(rows: Iterable[Any] | None) -> list[Mention]:
    return [Mention(**(r.asDict() if hasattr(r, "asDict") else r)) for r in rows or ()]


def _statements(rows: Iterable[Any] | None) -> list[Statement]:
    return [Statement(**(r.asDict() if hasattr(r, "asDict") else r)) for r in rows or ()]


def add_features(
    spark: SparkSession, articles: DataFrame, config: StoryConfig
) -> tuple[DataFrame, DataFrame]:
    """``(articles with n, features, keys, bands; term document frequencies)``.

    Document frequencies are counted by Spark; only the terms found in two articles or more (the
    ones whose weight differs from a term's maximum) travel to the executors, as a broadcast.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    vocab = articles.select(F.explode(F.split("vocabulary", _SEP)).alias("term")).where(F.col("term") != "")
    terms = vocab.groupBy("term").agg(F.count(F.lit(1)).alias("df"))
    n_docs = articles.count()
    df = {r["term"]: r["df"] for r in terms.where("df >= 2").collect()}
    bdf = spark.sparkContext.broadcast(df)
    schema = T.StructType(
        [
            T.StructField("n", T.LongType()),
            T.StructField("features", T.StringType()),
            T.StructField("keys", T.ArrayType(T.StringType())),
            T.StructField("bands", T.ArrayType(T.LongType())),
        ]
    )
    cols = [
        "n",
        "id",
        "title",
        "lang",
        "published",
        "ingested",
        "entities",
        "sig",
        "title_terms",
        "body_terms",
    ]
    feats = articles.select(*cols).rdd.mapPartitions(
        lambda rows: _features_partition(rows, bdf.value, max(n_docs - 1, 0), config)
    )
    out = articles.drop("title_terms", "body_terms", "vocabulary").join(
        spark.createDataFrame(feats, schema, verifySchema=False), "n"
    )
    return out, terms


# --- 4. candidates -----------------------------------------------------------------------------------


def candidate_pairs(idx: DataFrame, config: StoryConfig) -> DataFrame:
    """Pairs of articles sharing an index key or an LSH band inside the time window: ``(a, b, keys, band)``.

    ``a < b``; ``keys`` counts shared entity/term keys, ``band`` says some band key is shared. A key
    with more than ``max_postings`` other articles inside an article's window (``max_band_postings``
    for band keys) is dropped for that article, as the online lookup drops it: such keys tell no
    stories apart, and skipping them keeps the pair count linear in the corpus.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    w = config.window_days
    keys = idx.select("n", "day", F.explode("keys").alias("key"), F.lit(False).alias("is_band"))
    bands = idx.select(
        "n",
        "day",
        F.explode(F.transform("bands", lambda b: b.cast("string"))).alias("key"),
        F.lit(True).alias("is_band"),
    )
    postings = keys.unionByName(bands)
    # postings of each key inside [day - w, day + w]: a range window over per-day counts
    per_day = postings.groupBy("key", "is_band", "day").agg(F.count(F.lit(1)).alias("c"))
    around = Window.partitionBy("key", "is_band").orderBy("day").rangeBetween(-w, w)
    per_day = per_day.withColumn("in_window", F.sum("c").over(around))
    cap = F.when(F.col("is_band"), config.max_band_postings).otherwise(config.max_postings)
    usable = per_day.where(F.col("in_window") - 1 <= cap).select("key", "is_band", "day")
    postings = postings.join(usable, ["key", "is_band", "day"], "left_semi")
    # Pair only inside the window: buckets of w+1 days, each side meeting its own and the next buckets,
    # so a key common over years but rare in any week costs no more than a rare key.
    bucket = F.floor(F.col("day") / (w + 1))
    left = postings.select(
        F.col("key"), "is_band", F.col("n").alias("a"), F.col("day").alias("da"), bucket.alias("bucket")
    )
    right = postings.select(
        F.col("key"),
        "is_band",
        F.col("n").alias("b"),
        F.col("day").alias("db"),
        F.explode(F.array(bucket - 1, bucket, bucket + 1)).alias("bucket"),
    )
    pairs = left.join(right, ["key", "is_band", "bucket"]).where(
        (F.col("a") < F.col("b")) & (F.abs(F.col("da") - F.col("db")) <= w)
    )
    return pairs.groupBy("a", "b").agg(
        F.sum(F.when(F.col("is_band"), 0).otherwise(1)).cast("double").alias("keys"),
        F.max("is_band").alias("band"),
    )


def _resemblance_partition(rows: Iterable[Any]) -> Iterator[tuple[int, int, float]]:
    from khabar.compare.minhash import resemblance
    from khabar.stories.online import _sig_from_blob

    for r in rows:
        yield r["a"], r["b"], resemblance(_sig_from_blob(bytes(r["sa"])), _sig_from_blob(bytes(r["sb"])))


def weigh_pairs(spark: SparkSession, pairs: DataFrame, idx: DataFrame, config: StoryConfig) -> DataFrame:
    """Add the online path's weight (1 per shared key, 5 × resemblance for band pairs) and the copy flag."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    sigs = idx.select("n", "sig")
    band = pairs.where("band").select("a", "b")
    with_sigs = band.join(sigs.withColumnRenamed("n", "a").withColumnRenamed("sig", "sa"), "a").join(
        sigs.withColumnRenamed("n", "b").withColumnRenamed("sig", "sb"), "b"
    )
    schema = T.StructType(
        [
            T.StructField("a", T.LongType()),
            T.StructField("b", T.LongType()),
            T.StructField("r", T.DoubleType()),
        ]
    )
    r = spark.createDataFrame(with_sigs.rdd.mapPartitions(_resemblance_partition), schema, verifySchema=False)
    out = pairs.join(r, ["a", "b"], "left").fillna(0.0, ["r"])
    return out.select(
        "a",
        "b",
        "r",
        (F.col("keys") + 5.0 * F.col("r")).alias("weight"),
        (F.col("r") >= config.copy_threshold).alias("copy"),
    )


def pairs_to_score(weighed: DataFrame, config: StoryConfig) -> DataFrame:
    """The pairs the model judges: per article its best ``top_k × reps`` partners by weight (the online
    path scores a new article against ``reps`` members of each of its ``top_k`` candidate stories),
    above ``min_key_weight``, near-copies excluded (they join without a score)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    k = config.top_k * config.reps
    cand = weighed.where(~F.col("copy") & (F.col("weight") >= config.min_key_weight))
    both = cand.select(F.col("a").alias("x"), F.col("b").alias("y"), "weight").unionByName(
        cand.select(F.col("b").alias("x"), F.col("a").alias("y"), "weight")
    )
    rank = F.row_number().over(Window.partitionBy("x").orderBy(F.desc("weight"), "y"))
    best = both.withColumn("rank", rank).where(F.col("rank") <= k)
    return best.select(F.least("x", "y").alias("a"), F.greatest("x", "y").alias("b")).distinct()


# --- 5. scoring --------------------------------------------------------------------------------------

_SCORER: dict[str, Any] = {}


def _scorer(name: str) -> Any:
    """The scorer ``name`` ("model" or "lexical"), made once per Python worker (models load once)."""
    if name not in _SCORER:
        from khabar.stories.online import LexicalScorer, ModelScorer

        _SCORER[name] = ModelScorer() if name == "model" else LexicalScorer()
    return _SCORER[name]


def scorer_name() -> str:
    """What the online path would score with here: the comparison model when it loads, else lexical."""
    from khabar.stories.online import default_scorer

    return default_scorer().name


_PAYLOAD = (
    "id",
    "title",
    "text",
    "lang",
    "published",
    "ingested",
    "entities",
    "statements",
    "seen",
    "day",
    "sig",
    "features",
)


def _prepare(scorer: Any, r: Any) -> Any:
    """The scorer's representation of one article row, as :class:`Clusterer` prepares a new article."""
    from khabar.analyse.analysis import Analysis
    from khabar.stories.online import Features

    article = Article(
        id=r["id"],
        title=r["title"] or "",
        text=r["text"] or "",
        raw="",
        lang=r["lang"],
        published=r["published"],
        ingested=r["ingested"],
    )
    feats = Features.from_row(r["id"], r["seen"], r["day"], bytes(r["sig"]), r["features"])
    return scorer.prepare(Analysis(article, _mentions(r["entities"]), _statements(r["statements"])), feats)


def _score_partition(rows: Iterable[Any], name: str, gate: float) -> Iterator[tuple[int, int, float]]:
    """Rows ``(a, b, pa, pb)`` (pa/pb: payload structs) → ``(a, b, score)``, in chunks per model call.

    As online, the cheap lexical score decides first: a pair it puts at or above ``gate`` keeps that
    score (different stories) and never costs a profile or a model call.
    """
    from khabar.stories.online import Features, LexicalScorer

    scorer = _scorer(name)
    lexical = LexicalScorer()
    cache: OrderedDict[int, Any] = OrderedDict()

    def prepared(n: int, payload: Any) -> Any:
        hit = cache.get(n)
        if hit is None:
            hit = _prepare(scorer, payload)
            cache[n] = hit
            if len(cache) > _PREPARED_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(n)
        return hit

    def features(p: Any) -> Features:
        return Features.from_row(p["id"], p["seen"], p["day"], bytes(p["sig"]), p["features"])

    chunk: list[Any] = []

    def flush() -> Iterator[tuple[int, int, float]]:
        scores = lexical.score([features(r["pa"]) for r in chunk], [features(r["pb"]) for r in chunk])
        if name != lexical.name:
            ask = [i for i, v in enumerate(scores) if v < gate]
            if ask:
                scores[ask] = scorer.score(
                    [prepared(chunk[i]["a"], chunk[i]["pa"]) for i in ask],
                    [prepared(chunk[i]["b"], chunk[i]["pb"]) for i in ask],
                )
        for r, s in zip(chunk, scores, strict=True):
            yield r["a"], r["b"], float(s)
        chunk.clear()

    for r in rows:
        chunk.append(r)
        if len(chunk) >= _SCORE_CHUNK:
            yield from flush()
    if chunk:
        yield from flush()


def score_pairs(
    spark: SparkSession, pairs: DataFrame, payload: DataFrame, name: str, config: StoryConfig = DEFAULT
) -> DataFrame:
    """``(a, b, score)`` for the pairs ``(a, b)``: both articles' payloads joined on, scored in tasks."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    gate = getattr(config, "gate_score", float("inf"))
    p = payload.select("n", F.struct(*_PAYLOAD).alias("p"))
    rows = (
        pairs.select("a", "b")
        .join(p.withColumnRenamed("n", "a").withColumnRenamed("p", "pa"), "a")
        .join(p.withColumnRenamed("n", "b").withColumnRenamed("p", "pb"), "b")
    )
    # the second join leaves each task's pairs grouped by b: sorting keeps one b's pairs together (cache hits)
    rows = rows.sortWithinPartitions("b", "a")
    schema = T.StructType(
        [
            T.StructField("a", T.LongType()),
            T.StructField("b", T.LongType()),
            T.StructField("score", T.DoubleType()),
        ]
    )
    return spark.createDataFrame(
        rows.rdd.mapPartitions(lambda it: _score_partition(it, name, gate)), schema, verifySchema=False
    )


# --- 6. stories ---------------------------------------------------------------------------------------


def _both_ways(scores: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return scores.select("a", "b", "score").unionByName(
        scores.select(F.col("b").alias("a"), F.col("a").alias("b"), "score")
    )


def _scored(
    spark: SparkSession, rows: DataFrame, other: str, scores: DataFrame, payload: DataFrame, name: str,
    config: StoryConfig,
) -> tuple[DataFrame, DataFrame, int]:
    """``rows`` (columns ``g`` and ``other``) with the pair's ``score``, scoring the pairs not yet scored.

    Returns the joined rows, the grown score table and how many pairs were scored now.
    """
    from pyspark.sql import functions as F

    need = (
        rows.select(F.least("g", other).alias("a"), F.greatest("g", other).alias("b"))
        .distinct()
        .join(scores, ["a", "b"], "left_anti")
    )
    scores, n_new = _add_scores(spark, scores, need, payload, name, config)
    both = _both_ways(scores).withColumnRenamed("a", "g").withColumnRenamed("b", other)
    return rows.join(both, ["g", other]), scores, n_new


@dataclass
class _Stories:
    members: DataFrame  # n, story (its medoid's n), group (copy group label: its smallest n)
    scores: DataFrame  # a, b, score: every pair scored
    rounds: int
    scored: int


def build_stories(
    spark: SparkSession,
    nodes: DataFrame,
    copies: DataFrame,
    scored: DataFrame,
    payload: DataFrame,
    name: str,
    config: StoryConfig,
    max_rounds: int = 4,
) -> _Stories:
    """Stories from near-copy links and scored pairs, refined by the online join rule.

    Each round: connected components of the links among the articles still pending; in each
    component, near-copy groups act as one member (as online, a copy follows its original); the
    medoid is the group with the lowest mean score against the others (components up to
    ``exact_medoid_size`` articles get every pair scored, so theirs is exact), the representatives
    the ``reps`` most central groups. A group stays when it scores ≤ ``join_score`` against the
    medoid, or against ``join_share`` of the representatives; the others are clustered again among
    themselves next round (at most ``max_rounds``; what is left then stands alone).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from khabar.batch.components import connected_components

    cfg = config
    groups = connected_components(
        copies.select(F.col("a").alias("src"), F.col("b").alias("dst")), nodes
    ).withColumnRenamed("component", "group")
    groups = _cut(groups)
    all_scores = _cut(scored)
    n_scored = all_scores.count()
    links = (
        copies.select("a", "b")
        .unionByName(all_scores.where(F.col("score") <= cfg.join_score).select("a", "b"))
        .distinct()
    )
    pending = nodes.select(F.col("node").alias("n"))
    settled: list[DataFrame] = []
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        pend_links = links.join(pending.withColumnRenamed("n", "a"), "a", "left_semi").join(
            pending.withColumnRenamed("n", "b"), "b", "left_semi"
        )
        comp = connected_components(
            pend_links.select(F.col("a").alias("src"), F.col("b").alias("dst")),
            pending.withColumnRenamed("n", "node"),
        )
        comp = comp.withColumnRenamed("node", "n").join(groups.withColumnRenamed("node", "n"), "n")
        size = F.count(F.lit(1)).over(Window.partitionBy("component"))
        comp = _cut(comp.withColumn("size", size))
        # one representative article per copy group: its smallest n, which is the group label
        heads = comp.where(F.col("n") == F.col("group")).select("n", "component", "size")

        # small components: score every pair of group heads not scored yet, so the medoid is exact
        small = heads.where((F.col("size") > 1) & (F.col("size") <= cfg.exact_medoid_size))
        missing = (
            small.alias("x")
            .join(small.alias("y"), "component")
            .where(F.col("x.n") < F.col("y.n"))
            .select(F.col("x.n").alias("a"), F.col("y.n").alias("b"))
            .join(all_scores, ["a", "b"], "left_anti")
        )
        all_scores, n_new = _add_scores(spark, all_scores, missing, payload, name, cfg)
        n_scored += n_new

        # centrality of a group: mean score of its members' scored pairs inside the component
        member_of = comp.select("n", "component", "group")
        inside = (
            _both_ways(all_scores)
            .join(member_of.withColumnRenamed("n", "a"), "a")
            .join(member_of.select(F.col("n").alias("b"), F.col("component").alias("cb")), "b")
            .where(F.col("component") == F.col("cb"))
        )
        cent = inside.groupBy("component", "group").agg(
            F.sum("score").alias("cent_sum"), F.count(F.lit(1)).alias("cent_n")
        )
        ranked = (
            heads.select("component", F.col("n").alias("group"))
            .join(cent, ["component", "group"], "left")
            .fillna({"cent_sum": 0.0, "cent_n": 0})
        )
        mean = F.when(F.col("cent_n") > 0, F.col("cent_sum") / F.col("cent_n")).otherwise(2.5)
        order = Window.partitionBy("component").orderBy(mean, F.col("group"))
        ranked = _cut(ranked.withColumn("rank", F.row_number().over(order)))
        medoid = ranked.where("rank = 1").select("component", F.col("group").alias("medoid"))

        # every group head against the medoid first: the representatives are picked among the groups
        # that pass it, so (as online, where a representative is always a member that joined) a
        # majority of representatives can't be made of articles that belong to another story
        vs_medoid = (
            heads.select("component", F.col("n").alias("g"))
            .join(medoid, "component")
            .where(F.col("g") != F.col("medoid"))
        )
        vs_medoid, all_scores, n_new = _scored(spark, vs_medoid, "medoid", all_scores, payload, name, cfg)
        n_scored += n_new
        passing = vs_medoid.where(F.col("score") <= cfg.join_score).select("component", "g")
        eligible = ranked.join(
            passing.withColumnRenamed("g", "group"), ["component", "group"], "left_semi"
        ).unionByName(ranked.where("rank = 1"))
        rep_order = Window.partitionBy("component").orderBy("rank")
        reps = (
            eligible.withColumn("rank", F.row_number().over(rep_order))
            .where(F.col("rank") <= cfg.reps)
            .select("component", F.col("group").alias("rep"), "rank")
        )

        # every group head against the representatives (not itself); score what is missing
        checks = (
            heads.select("component", F.col("n").alias("g"))
            .join(reps, "component")
            .where(F.col("g") != F.col("rep"))
        )
        judged, all_scores, n_new = _scored(spark, checks, "rep", all_scores, payload, name, cfg)
        n_scored += n_new
        verdict = judged.groupBy("component", "g").agg(
            F.min(F.when(F.col("rank") == 1, F.col("score"))).alias("medoid_score"),
            F.count(F.lit(1)).alias("n_reps"),
            F.avg((F.col("score") <= cfg.join_score).cast("double")).alias("share"),
        )
        ok = (F.col("medoid_score") <= cfg.join_score) | (
            (F.col("n_reps") >= 2) & (F.col("share") >= cfg.join_share)
        )
        # the medoid's own group always stays (it has no medoid score: it is the medoid)
        verdict = (
            heads.select("component", F.col("n").alias("g"))
            .join(verdict, ["component", "g"], "left")
            .join(reps.where("rank = 1").select("component", F.col("rep").alias("medoid")), "component")
            .withColumn("stays", (F.col("g") == F.col("medoid")) | F.coalesce(ok, F.lit(False)))
        )
        verdict = _cut(verdict)
        members = comp.join(
            verdict.select("component", F.col("g").alias("group"), "medoid", "stays"), ["component", "group"]
        )
        members = _cut(members)
        last = rounds == max_rounds
        keep = members if last else members.where("stays")
        # on the last round whatever still fails stands alone
        keep = keep.withColumn("story", F.when(F.col("stays"), F.col("medoid")).otherwise(F.col("group")))
        settled.append(keep.select("n", "story", "group"))
        pending = members.where(~F.col("stays")).select("n")
        if last or pending.limit(1).count() == 0:
            break
    out = settled[0]
    for df in settled[1:]:
        out = out.unionByName(df)
    return _Stories(_cut(out), all_scores, rounds, n_scored)


def _add_scores(
    spark: SparkSession,
    scores: DataFrame,
    pairs: DataFrame,
    payload: DataFrame,
    name: str,
    config: StoryConfig,
) -> tuple[DataFrame, int]:
    pairs = _cut(pairs)
    n = pairs.count()
    if n == 0:
        return scores, 0
    new = score_pairs(spark, pairs, payload, name, config)
    return _cut(scores.unionByName(new.select("a", "b", "score"))), n


def _cut(df: DataFrame) -> DataFrame:
    from khabar.batch.components import _cut as cut

    return cut(df)


# --- the job -------------------------------------------------------------------------------------------

_ARTICLE_COLUMNS = (
    "id",
    "url",
    "source",
    "lang",
    "published",
    "title",
    "text",
    "entities",
    "statements",
    "raw",
    "author",
    "input_id",
    "origin",
    "ingested",
    "spans",
    "seen",
    "day",
    "sig",
    "features",
)


def run_batch(
    inputs: Sequence[str] | str,
    output: str,
    *,
    spark: SparkSession | None = None,
    master: str | None = "local[*]",
    config: StoryConfig = DEFAULT,
    source: str | None = None,
    scorer: str | None = None,
) -> BatchReport:
    """Read, analyse and cluster ``inputs`` into Parquet tables under ``output`` (see the module doc).

    ``spark`` is an existing session (tests, notebooks); otherwise one is made for ``master``.
    ``scorer`` forces "model" or "lexical"; by default it is what the online path would use here.
    """
    from pyspark.sql import functions as F

    inputs = [inputs] if isinstance(inputs, str) else [str(i) for i in inputs]
    spark = spark or spark_session(master)
    sc = spark.sparkContext
    output = output.rstrip("/")
    report = BatchReport(
        inputs=inputs,
        output=output,
        master=sc.master,
        parallelism=sc.defaultParallelism,
        scorer=scorer or scorer_name(),
        config=config.to_dict(),
        started=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    t0 = time.perf_counter()
    timer = _Timer(report, spark, "list")

    listing = list_inputs(spark, inputs)
    report.files = len(listing.jsonl) + len(listing.files)
    timer.lap("list", "read_clean_analyse")

    # read_articles caches what the analysis produced: the counts below don't analyse twice
    raw, rejects = read_articles(spark, listing, source=source, ingested=report.started)
    articles = _cut(_dedupe(raw).withColumn("n", F.monotonically_increasing_id()))
    report.records = raw.count()
    report.articles = articles.count()
    report.duplicates = report.records - report.articles
    report.rejects = rejects.count()
    timer.lap("read_clean_analyse", "features")

    feats, terms = add_features(spark, articles, config)
    feats = _cut(feats)
    timer.lap("features", "write_articles")

    feats.select(*_ARTICLE_COLUMNS).write.mode("overwrite").parquet(f"{output}/articles")
    rejects.write.mode("overwrite").parquet(f"{output}/rejects")
    terms.write.mode("overwrite").parquet(f"{output}/terms")
    timer.lap("write_articles", "candidates")

    idx = feats.select("n", "day", "keys", "bands", "sig")
    weighed = _cut(weigh_pairs(spark, candidate_pairs(idx, config), idx, config))
    report.candidate_pairs = weighed.count()
    copies = _cut(weighed.where("copy").select("a", "b"))
    report.copy_pairs = copies.count()
    to_score = _cut(pairs_to_score(weighed, config))
    timer.lap("candidates", "score")

    payload = feats.select("n", *_PAYLOAD)
    scored = _cut(score_pairs(spark, to_score, payload, report.scorer, config))
    scored.count()
    timer.lap("score", "stories")

    stories = build_stories(
        spark, feats.select(F.col("n").alias("node")), copies, scored, payload, report.scorer, config
    )
    report.refine_rounds = stories.rounds
    report.scored_pairs = stories.scored
    report.linked_pairs = report.copy_pairs + scored.where(F.col("score") <= config.join_score).count()
    timer.lap("stories", "write_stories")

    members, story_table = _assemble(spark, stories, feats, config)
    story_table = _cut(story_table)
    story_table.write.mode("overwrite").parquet(f"{output}/stories")
    members.write.mode("overwrite").parquet(f"{output}/members")
    agg = story_table.agg(
        F.count(F.lit(1)).alias("n"),
        F.sum((F.col("size") > 1).cast("long")).alias("multi"),
        F.max("size").alias("largest"),
    ).first()
    report.stories, report.multi_article_stories, report.largest_story = (
        agg["n"],
        agg["multi"] or 0,
        agg["largest"] or 0,
    )
    timer.lap("write_stories")
    report.seconds = round(time.perf_counter() - t0, 3)
    _write_text(spark, f"{output}/report.json", json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return report


def _assemble(
    spark: SparkSession, stories: _Stories, feats: DataFrame, config: StoryConfig
) -> tuple[DataFrame, DataFrame]:
    """The ``members`` and ``stories`` tables from the refined membership and every score taken."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    info = feats.select("n", "id", "title", "source", "seen", "day")
    m = stories.members
    # centrality as the online path keeps it: sum and count of scores against fellow members; a
    # near-copy never scored takes its group's (online, a copy starts from its original's)
    story_of = m.select("n", "story")
    inside = (
        _both_ways(stories.scores)
        .join(story_of.withColumnRenamed("n", "a"), "a")
        .join(story_of.select(F.col("n").alias("b"), F.col("story").alias("sb")), "b")
        .where(F.col("story") == F.col("sb"))
    )
    own = (
        inside.groupBy("a")
        .agg(F.sum("score").alias("own_sum"), F.count(F.lit(1)).alias("own_n"))
        .withColumnRenamed("a", "n")
    )
    m = m.join(own, "n", "left")
    pooled = m.groupBy("group").agg(F.sum("own_sum").alias("g_sum"), F.sum("own_n").alias("g_n"))
    m = m.join(pooled, "group", "left").select(
        "n",
        "story",
        "group",
        F.when(F.col("own_n") > 0, F.col("own_sum"))
        .otherwise(F.coalesce("g_sum", F.lit(0.0)))
        .alias("cent_sum"),
        F.when(F.col("own_n") > 0, F.col("own_n")).otherwise(F.coalesce("g_n", F.lit(0))).alias("cent_n"),
    )
    m = m.join(info, "n").join(
        info.select(F.col("n").alias("group"), F.col("id").alias("copy_group")), "group"
    )
    m = _cut(m)

    # representatives: the medoid, then the most central heads of other copy groups (as online)
    mean = F.when(F.col("cent_n") > 0, F.col("cent_sum") / F.col("cent_n")).otherwise(2.5)
    g = m.where(F.col("n") == F.col("group")).select("story", "group", "id", mean.alias("mean"))
    order = Window.partitionBy("story").orderBy(
        (F.col("group") != F.col("story")).cast("int"), "mean", "group"
    )
    reps = (
        g.withColumn("rank", F.row_number().over(order))
        .where(F.col("rank") <= config.reps)
        .groupBy("story")
        .agg(F.array_sort(F.collect_list(F.struct("rank", "id"))).alias("r"))
        .select("story", F.col("r.id").alias("reps"))
    )
    medoids = info.select(
        F.col("n").alias("story"), F.col("id").alias("medoid"), F.col("title").alias("headline")
    )
    table = (
        m.groupBy("story")
        .agg(
            F.count(F.lit(1)).alias("size"),
            F.array_sort(F.collect_set("source")).alias("sources"),
            F.min("seen").alias("first_seen"),
            F.max("seen").alias("last_seen"),
            F.max("day").alias("last_day"),
        )
        .join(medoids, "story")
        .join(reps, "story")
    )
    # story ids 1, 2, … in order of first appearance, then medoid id: the same corpus gives the same ids
    numbered = (
        table.select("story", "first_seen", "medoid")
        .orderBy("first_seen", "medoid")
        .rdd.zipWithIndex()
        .map(lambda t: (t[0]["story"], t[1] + 1))
    )
    ids = spark.createDataFrame(numbered, "story long, id long")
    table = table.join(ids, "story").select(
        "id", "headline", "size", "sources", "first_seen", "last_seen", "last_day", "medoid", "reps"
    )
    similarity = F.when(F.col("cent_n") > 0, F.round(F.col("cent_sum") / F.col("cent_n"), 3))
    members = m.join(ids.withColumnRenamed("id", "story_id"), "story").select(
        F.col("id").alias("article_id"),
        "story_id",
        similarity.alias("similarity"),
        "copy_group",
        F.col("cent_sum").cast("double").alias("cent_sum"),
        F.col("cent_n").cast("long").alias("cent_n"),
    )
    return members, table


def _write_text(spark: SparkSession, uri: str, text: str) -> None:
    """Write a small text file through the Hadoop file system (so ``s3a://`` outputs get it too)."""
    sc = spark.sparkContext
    path = sc._jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


# --- import into a store ---------------------------------------------------------------------------------

"""The batch job: a whole corpus into stories with Spark, for corpora one machine can't ingest in time.

``run_batch(inputs, output)`` does what ``khabar ingest`` does, article for article, but as a Spark job,
one module per step: the costly work per article in parallel tasks, the clustering decisions by the
online clusterer's own code (:mod:`khabar.stories.online`, every rule from :mod:`khabar.stories.rules`):

1. **list** (:mod:`khabar.batch.listing`) — folders and globs are expanded with the Hadoop file
   system (so ``s3a://``, ``hdfs://`` and local paths all work); ``sources.json`` sidecars are read
   on the driver (they are small).
2. **read → clean → analyse** (:mod:`khabar.batch.inputs`) — the local reader's format readers,
   :func:`khabar.read.clean.to_article` and :func:`khabar.analyse.analysis.analyse` in tasks, so an
   article gets the same id, text and analysis as with ``ingest``. Bad records become rows of
   ``rejects``; they never fail the job.
3. **stories** (:mod:`khabar.batch.replay`) — the online clusterer itself, on the driver, over the
   articles in the order ``ingest`` meets them: the tasks built every profile and stemmed every
   text once, so the driver only takes the decisions (the same code, hence the same stories).

Output (a folder or URI, :mod:`khabar.batch.tables`): Parquet tables ``articles``, ``stories``,
``members``, ``rejects`` and a ``report.json``; ``khabar import`` (:mod:`khabar.batch.importer`)
loads them into a store. The session, report and timer are in :mod:`khabar.batch.session`.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from khabar.batch.inputs import ORDER, dedupe, read_articles
from khabar.batch.listing import list_inputs
from khabar.batch.replay import REPLAY_COLUMNS, ROWS_PER_PARTITION, replay, scorer_name
from khabar.batch.rows import SEP
from khabar.batch.session import BatchReport, Timer, cut, spark_session, write_text
from khabar.batch.tables import ARTICLE_COLUMNS, member_schema, story_schema
from khabar.config import DEFAULT, StoryConfig

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


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
    timer = Timer(report, spark, "list")
    articles = _articles(spark, inputs, output, source, report, timer)
    _replay(spark, articles, output, config, report)
    timer.lap("stories")
    report.seconds = round(time.perf_counter() - t0, 3)
    write_text(spark, f"{output}/report.json", json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return report


def _articles(
    spark: SparkSession,
    inputs: list[str],
    output: str,
    source: str | None,
    report: BatchReport,
    timer: Timer,
) -> DataFrame:
    """Steps 1–2: the articles (their profiles and terms); writes ``articles``, ``rejects``, ``terms``."""
    from pyspark.sql import functions as F

    listing = list_inputs(spark, inputs)
    report.files = len(listing.jsonl) + len(listing.files)
    timer.lap("list", "read_clean_analyse")

    # read_articles caches what the analysis produced: the counts below don't analyse twice
    raw, rejects, release = read_articles(
        spark, listing, source=source, ingested=report.started, profiles=report.scorer == "model"
    )
    articles = cut(dedupe(raw))
    report.records = raw.count()
    report.articles = articles.count()
    report.duplicates = report.records - report.articles
    report.rejects = rejects.count()
    timer.lap("read_clean_analyse", "write_articles")

    articles.select(*ARTICLE_COLUMNS).write.mode("overwrite").parquet(f"{output}/articles")
    rejects.write.mode("overwrite").parquet(f"{output}/rejects")
    # document frequencies, as the online path counts them (each clustered article's vocabulary)
    vocab = articles.select(F.explode(F.split("vocabulary", SEP)).alias("term")).where(F.col("term") != "")
    vocab.groupBy("term").agg(F.count(F.lit(1)).alias("df")).write.mode("overwrite").parquet(f"{output}/terms")
    release()  # the articles are checkpointed: the driver's memory goes to the rows on their way to it
    timer.lap("write_articles", "stories")
    return articles


def _replay(spark: SparkSession, articles: DataFrame, output: str, config: StoryConfig, report: BatchReport) -> None:
    """Step 3: the online clusterer over the articles in arrival order; writes ``stories`` and ``members``.

    The rows reach the driver one range partition at a time (at most ``ROWS_PER_PARTITION`` each, the
    next one fetched while this one is clustered); the tables go out in chunks as they are read back.
    """
    parts = max(1, -(-report.articles // ROWS_PER_PARTITION))
    rows = articles.select(*REPLAY_COLUMNS, *ORDER).repartitionByRange(parts, *ORDER).sortWithinPartitions(*ORDER)
    schemas = {"members": member_schema, "stories": story_schema}
    written: set[str] = set()

    def write(table: str, chunk: list[tuple]) -> None:
        mode = "append" if table in written else "overwrite"
        written.add(table)
        df = spark.createDataFrame(chunk, schemas[table](), verifySchema=False)
        df.coalesce(1).write.mode(mode).parquet(f"{output}/{table}")

    with tempfile.TemporaryDirectory(prefix="khabar-replay-") as folder:
        got = replay(rows.toLocalIterator(prefetchPartitions=True), report.scorer, config, folder, write)
    for table in schemas:
        if table not in written:  # no article at all: empty tables still
            write(table, [])
    report.scored_pairs, report.candidate_pairs = got.pairs_scored, got.pairs_scored + got.pairs_gated
    report.copy_pairs, report.stories = got.copies, got.stories
    report.multi_article_stories, report.largest_story = got.multi, got.largest

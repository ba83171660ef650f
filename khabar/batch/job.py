"""The batch job: a whole corpus into stories with Spark, for corpora one machine can't ingest in time.

``run_batch(inputs, output)`` does what ``khabar ingest`` does, article for article, but as a Spark job,
one module per step; every clustering decision is a rule of :mod:`khabar.stories.rules`, the ones
the online clusterer takes:

1. **list** (:mod:`khabar.batch.listing`) — folders and globs are expanded with the Hadoop file
   system (so ``s3a://``, ``hdfs://`` and local paths all work); ``sources.json`` sidecars are read
   on the driver (they are small).
2. **read → clean → analyse** (:mod:`khabar.batch.inputs`) — the local reader's format readers,
   :func:`khabar.read.clean.to_article` and :func:`khabar.analyse.analysis.analyse` in tasks, so an
   article gets the same id, text and analysis as with ``ingest``. Bad records become rows of
   ``rejects``; they never fail the job.
3. **features** (:mod:`khabar.batch.features`) — document frequencies over the corpus, then the
   clustering features the online path keeps (top terms, entities, MinHash signature, day).
4. **candidates** (:mod:`khabar.batch.candidates`) — the online path's index keys as Spark joins,
   paired only inside the time window; band pairs alike enough are near-copies.
5. **scoring** (:mod:`khabar.batch.scoring`) — the best candidate pairs of each article go to the
   online path's scorer (the comparison model, or the lexical fallback), behind the lexical gate.
6. **stories** (:mod:`khabar.batch.refine`) — connected components (:mod:`khabar.batch.components`)
   of near-copy links and pairs scored as the same story, refined with the online join rule, so a
   chain of weak links never glues two stories.

Output (a folder or URI, :mod:`khabar.batch.tables`): Parquet tables ``articles``, ``stories``,
``members``, ``rejects`` and a ``report.json``; ``khabar import`` (:mod:`khabar.batch.importer`)
loads them into a store. The session, report and timer are in :mod:`khabar.batch.session`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from khabar.batch.candidates import candidate_pairs, pairs_to_score, weigh_pairs
from khabar.batch.features import add_features
from khabar.batch.inputs import dedupe, read_articles
from khabar.batch.listing import list_inputs
from khabar.batch.refine import build_stories
from khabar.batch.scoring import PAYLOAD, score_pairs, scorer_name
from khabar.batch.session import BatchReport, Timer, cut, spark_session, write_text
from khabar.batch.tables import ARTICLE_COLUMNS, story_tables
from khabar.config import DEFAULT, StoryConfig
from khabar.stories import rules

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
    timer = Timer(report, spark, "list")
    feats = _articles(spark, inputs, output, source, config, report, timer)

    to_score, copies = _candidates(spark, feats, config, report)
    timer.lap("candidates", "score")

    payload = feats.select("n", *PAYLOAD)
    scored = cut(score_pairs(spark, to_score, payload, report.scorer, config))
    scored.count()
    timer.lap("score", "stories")

    stories = build_stories(
        spark, feats.select(F.col("n").alias("node")), copies, scored, payload, report.scorer, config
    )
    report.refine_rounds = stories.rounds
    report.scored_pairs = stories.scored
    report.linked_pairs = report.copy_pairs + scored.where(rules.passes_col(F.col("score"), config)).count()
    timer.lap("stories", "write_stories")

    members, story_table = story_tables(spark, stories, feats, config)
    _write_stories(cut(story_table), members, output, report)
    timer.lap("write_stories")
    report.seconds = round(time.perf_counter() - t0, 3)
    write_text(spark, f"{output}/report.json", json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return report


def _articles(
    spark: SparkSession,
    inputs: list[str],
    output: str,
    source: str | None,
    config: StoryConfig,
    report: BatchReport,
    timer: Timer,
) -> DataFrame:
    """Steps 1–3: the articles (numbered ``n``) with their features; writes ``articles``, ``rejects``, ``terms``."""
    from pyspark.sql import functions as F

    listing = list_inputs(spark, inputs)
    report.files = len(listing.jsonl) + len(listing.files)
    timer.lap("list", "read_clean_analyse")

    # read_articles caches what the analysis produced: the counts below don't analyse twice
    raw, rejects = read_articles(spark, listing, source=source, ingested=report.started)
    articles = cut(dedupe(raw).withColumn("n", F.monotonically_increasing_id()))
    report.records = raw.count()
    report.articles = articles.count()
    report.duplicates = report.records - report.articles
    report.rejects = rejects.count()
    timer.lap("read_clean_analyse", "features")

    feats, terms = add_features(spark, articles, config)
    feats = cut(feats)
    timer.lap("features", "write_articles")

    feats.select(*ARTICLE_COLUMNS).write.mode("overwrite").parquet(f"{output}/articles")
    rejects.write.mode("overwrite").parquet(f"{output}/rejects")
    terms.write.mode("overwrite").parquet(f"{output}/terms")
    timer.lap("write_articles", "candidates")
    return feats


def _candidates(
    spark: SparkSession, feats: DataFrame, config: StoryConfig, report: BatchReport
) -> tuple[DataFrame, DataFrame]:
    """Step 4: ``(pairs to score, near-copy pairs)``, counted into the report."""
    idx = feats.select("n", "day", "keys", "bands", "sig")
    weighed = cut(weigh_pairs(spark, candidate_pairs(idx, config), idx, config))
    report.candidate_pairs = weighed.count()
    copies = cut(weighed.where("copy").select("a", "b"))
    report.copy_pairs = copies.count()
    return cut(pairs_to_score(weighed, config)), copies


def _write_stories(story_table: DataFrame, members: DataFrame, output: str, report: BatchReport) -> None:
    """Write the ``stories`` and ``members`` tables; their counts go into the report."""
    from pyspark.sql import functions as F

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

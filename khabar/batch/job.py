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
   The documents are first range-partitioned by arrival position, so partition k is the k-th run of
   the order ``ingest`` meets them in; the analyses are persisted (each record analysed once).
3. **stories** (:mod:`khabar.batch.replay`) — the online clusterer itself, on the driver, over the
   articles in the order ``ingest`` meets them: the tasks built every profile and stemmed every
   text once, so the driver only takes the decisions (the same code, hence the same stories).
   Steps 2 and 3 overlap (:mod:`khabar.batch.stream`): each partition is a job of its own, one per
   core in flight, and the driver clusters partition k while the cores analyse the next ones; the
   driver drops repeated article ids (the first arrival is kept, as with ``ingest``), and once the
   last partition is in, ``articles`` is written while it finishes.

Output (a folder or URI, :mod:`khabar.batch.tables`): Parquet tables ``articles``, ``stories``,
``members``, ``rejects`` and a ``report.json``; ``khabar import`` (:mod:`khabar.batch.importer`)
loads them into a store. The session, report and timer are in :mod:`khabar.batch.session`.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from khabar.batch.inputs import Analysed, read_articles, replay_rows
from khabar.batch.listing import list_inputs
from khabar.batch.replay import REPLAY_COLUMNS, ROWS_PER_PARTITION, WRITE_CHUNK, replay, scorer_name
from khabar.batch.rows import reject_schema
from khabar.batch.session import BatchReport, Timer, spark_session, write_text
from khabar.batch.stream import in_order
from khabar.batch.tables import member_schema, story_schema, terms_schema
from khabar.config import DEFAULT, StoryConfig

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


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
    listing = list_inputs(spark, inputs)
    report.files = len(listing.jsonl) + len(listing.files)
    timer.lap("list", "read_clean_analyse")
    analysed = read_articles(spark, listing, source=source, ingested=report.started,
                             profiles=report.scorer == "model", rows_per_partition=ROWS_PER_PARTITION)
    try:
        _stories(spark, analysed, output, config, report, t0)
    finally:
        analysed.release()
    report.seconds = round(time.perf_counter() - t0, 3)
    write_text(spark, f"{output}/report.json", json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return report


def _stories(spark: SparkSession, analysed: Analysed, output: str, config: StoryConfig, report: BatchReport,
             t0: float) -> None:
    """Steps 2–3 at once: the cores analyse partition after partition while the driver clusters, in
    arrival order, those that came back; then ``articles`` is written (in a thread, while the driver
    finishes), and the driver's ``stories``, ``members``, ``terms`` and ``rejects``.

    ``report.timings``: ``read_clean_analyse`` until the last partition is analysed, ``write_articles``
    the articles' write (alongside the clustering), ``stories`` until the driver's tables are out.
    """
    sc = spark.sparkContext
    schemas = {"members": member_schema, "stories": story_schema, "terms": terms_schema, "rejects": reject_schema}
    written: set[str] = set()
    writer = _Writer(analysed, output)

    def write(table: str, chunk: list[tuple]) -> None:
        mode = "append" if table in written else "overwrite"
        written.add(table)
        df = spark.createDataFrame(chunk, schemas[table](), verifySchema=False)
        df.coalesce(1).write.mode(mode).parquet(f"{output}/{table}")

    def rows() -> Iterator[dict]:
        """Articles in arrival order, each id once (its first arrival, as ingest keeps it)."""
        seen: set[str] = set()
        duplicates: list[tuple[int, int, int]] = []
        rejects = list(analysed.errors)  # small rows: they go out from here, in chunks
        parts = in_order(sc, analysed.rdd, replay_rows, sc.defaultParallelism, "read_clean_analyse")
        n = analysed.rdd.getNumPartitions()
        for k, part in enumerate(parts):
            got = []
            for r in part:
                if r[0] == "r":
                    report.rejects += 1
                    rejects.append(r[1:])
                    continue
                report.records += 1
                row = dict(zip(REPLAY_COLUMNS, r[2:], strict=True))
                if row["id"] in seen:
                    duplicates.append(r[1])
                else:
                    seen.add(row["id"])
                    got.append(row)
            if len(rejects) >= WRITE_CHUNK or (k == n - 1 and rejects):
                write("rejects", rejects)
                rejects = []
            if k == n - 1:  # every partition analysed: the articles go out while the driver clusters
                report.timings["read_clean_analyse"] = round(time.perf_counter() - t0, 3)
                writer.start(duplicates)
            yield from got

    with tempfile.TemporaryDirectory(prefix="khabar-replay-") as folder:
        try:
            got = replay(rows(), report.scorer, config, folder, write)
        finally:
            writer.join()
    for table in schemas:
        if table not in written:  # no article at all: empty tables still
            write(table, [])
    report.articles = report.records - len(writer.duplicates)
    report.duplicates = len(writer.duplicates)
    report.rejects += len(analysed.errors)  # the listing's (rejects counts those of the tasks)
    report.timings["write_articles"] = writer.seconds
    report.timings["stories"] = round(time.perf_counter() - t0 - report.timings.get("read_clean_analyse", 0.0), 3)
    report.scored_pairs, report.candidate_pairs = got.pairs_scored, got.pairs_scored + got.pairs_gated
    report.copy_pairs, report.stories = got.copies, got.stories
    report.multi_article_stories, report.largest_story = got.multi, got.largest


class _Writer:
    """Writes ``articles`` from the persisted analyses in a thread of its own."""

    def __init__(self, analysed: Analysed, output: str) -> None:
        self.analysed, self.output = analysed, output
        self.duplicates: list[tuple[int, int, int]] = []
        self.seconds = 0.0
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, duplicates: list[tuple[int, int, int]]) -> None:
        self.duplicates = duplicates
        self._thread = threading.Thread(target=self._run, name="khabar-articles", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        t = time.perf_counter()
        try:
            sc = self.analysed.spark.sparkContext
            sc.setJobGroup("write_articles", "khabar batch: write_articles")
            self.analysed.articles(self.duplicates).write.mode("overwrite").parquet(f"{self.output}/articles")
        except BaseException as e:  # noqa: BLE001 - raised again in the driver's thread, by join
            self._error = e
        self.seconds = round(time.perf_counter() - t, 3)

    def join(self) -> None:
        """Wait for the writes (a no-op when they never started: the replay failed first)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error

"""The Spark plumbing of the batch job: the session, the run's report and timer, lineage cuts, small writes.

PySpark is optional: it is imported only inside functions, so this module imports without it and
:class:`SparkUnavailable` carries the install hint.

>>> report = BatchReport(articles=3, duplicates=1, stories=2, multi_article_stories=1, seconds=1.5)
>>> report.summary()
'3 articles (1 duplicates, 0 rejected) → 2 stories (1 with more than one article) in 1.5s'
>>> _local_cores("local[3]"), _local_cores("local[2,4]")
(3, 2)
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: JVM options of a local run (``--conf spark.driver.extraJavaOptions=...`` replaces them).
LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

SPARK_HINT = "the batch job needs PySpark and Java: pip install -e .[spark]"


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
    machine), no web UI and a JVM that compiles less (:data:`LOCAL_JAVA_OPTIONS`); the Python workers run this interpreter, so they see the same install.
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
        # The local JVM only moves bytes between the Python processes and Parquet: the C1 compiler
        # alone and the serial collector halve its CPU time (mostly JIT work at start-up: ~13 s of
        # CPU on a 2-core machine, ~6 s with these), CPU the analysis tasks need.
        defaults["spark.driver.extraJavaOptions"] = LOCAL_JAVA_OPTIONS
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
    candidate_pairs: int = 0  # pairs the clusterer looked at (the lexical gate's and the model's)
    copy_pairs: int = 0  # articles that joined an earlier article's near-copy group
    scored_pairs: int = 0  # pairs the scorer scored (the model, past the gate)
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


class Timer:
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


# --- small files ---------------------------------------------------------------------------


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    """Write a small text file through the Hadoop file system (so ``s3a://`` outputs get it too)."""
    sc = spark.sparkContext
    path = sc._jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()

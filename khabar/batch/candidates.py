"""Step 4 of the batch job: candidate pairs, the online path's index lookups as Spark joins.

Articles pair up through LSH band keys of their signatures and entity/rare-term keys, only inside
the time window; keys too common inside the window are dropped as online (no driver-side collect of
the corpus). Every decision (key weights, the postings caps, the near-copy cut, the candidate
floor and budget) is a rule of :mod:`khabar.stories.rules`, in its column form.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from khabar.config import StoryConfig
from khabar.stories import rules

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def candidate_pairs(idx: DataFrame, config: StoryConfig) -> DataFrame:
    """Pairs of articles sharing an index key or an LSH band inside the time window: ``(a, b, keys, band)``.

    ``a < b``; ``keys`` counts shared entity/term keys, ``band`` says some band key is shared. A key
    with more than ``max_postings`` other articles inside an article's window (``max_band_postings``
    for band keys) is dropped for that article, as the online lookup drops it: such keys tell no
    stories apart, and skipping them keeps the pair count linear in the corpus. An undated article
    (``rules.UNDATED``) is inside every window (``rules.in_window``), as online.
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
    # an undated article's window is every day (rules.window_ranges): it counts the key's postings of all days
    undated = F.col("day") == rules.UNDATED
    per_day = per_day.withColumn(
        "in_window", F.when(undated, F.sum("c").over(Window.partitionBy("key", "is_band"))).otherwise(F.col("in_window"))
    )
    # the other articles posting the key inside the window, as the online lookup counts them
    usable = per_day.where(rules.key_usable_col(F.col("in_window") - 1, F.col("is_band"), config))
    usable = usable.select("key", "is_band", "day")
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
        (F.col("a") < F.col("b")) & rules.in_window_col(F.col("da"), F.col("db"), config)
    )
    # undated articles (their own bucket above) also meet the dated ones of every day: only keys of at
    # most max_postings articles of all days survive for them, so this join stays bounded per key
    und = postings.where(undated).select("key", "is_band", F.col("n").alias("u"))
    dat = postings.where(~undated).select("key", "is_band", F.col("n").alias("d"))
    cross = und.join(dat, ["key", "is_band"]).select(
        "key", "is_band", F.least("u", "d").alias("a"), F.greatest("u", "d").alias("b")
    )
    pairs = pairs.select("key", "is_band", "a", "b").unionByName(cross)
    return pairs.groupBy("a", "b").agg(
        F.sum(F.when(F.col("is_band"), 0).otherwise(1)).cast("double").alias("keys"),
        F.max("is_band").alias("band"),
    )


def _resemblance_partition(rows: Iterable[Any]) -> Iterator[tuple[int, int, float]]:
    from khabar.compare.minhash import resemblance
    from khabar.stories.features import sig_from_blob

    for r in rows:
        yield r["a"], r["b"], resemblance(sig_from_blob(bytes(r["sa"])), sig_from_blob(bytes(r["sb"])))


def weigh_pairs(spark: SparkSession, pairs: DataFrame, idx: DataFrame, config: StoryConfig) -> DataFrame:
    """Add the band pairs' resemblance ``r``, the online path's ``weight`` and the near-copy flag ``copy``."""
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
        rules.key_weight_col(F.col("keys"), F.col("r")).alias("weight"),
        rules.is_copy_col(F.col("r"), config).alias("copy"),
    )


def pairs_to_score(weighed: DataFrame, config: StoryConfig) -> DataFrame:
    """The pairs the model judges: per article its best ``top_k × reps`` partners by weight (the online
    path scores a new article against ``reps`` members of each of its ``top_k`` candidate stories),
    above ``min_key_weight``, near-copies excluded (they join without a score)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    k = rules.candidate_budget(config)
    cand = weighed.where(~F.col("copy") & rules.is_candidate_col(F.col("weight"), config))
    both = cand.select(F.col("a").alias("x"), F.col("b").alias("y"), "weight").unionByName(
        cand.select(F.col("b").alias("x"), F.col("a").alias("y"), "weight")
    )
    rank = F.row_number().over(Window.partitionBy("x").orderBy(F.desc("weight"), "y"))
    best = both.withColumn("rank", rank).where(F.col("rank") <= k)
    return best.select(F.least("x", "y").alias("a"), F.greatest("x", "y").alias("b")).distinct()

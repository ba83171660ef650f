"""The batch job's output tables: ``articles``, ``stories``, ``members`` (and ``rejects``), as the store keeps them.

Members carry the centrality the online path keeps (sum and count of scores against fellow
members); stories their medoid, headline, sources, dates and representatives, chosen by
:mod:`khabar.stories.rules` as online. Story ids are 1, 2, … in order of first appearance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from khabar.batch.refine import Stories
from khabar.batch.scoring import both_ways
from khabar.batch.session import cut
from khabar.config import StoryConfig
from khabar.stories import rules

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

TABLES = ("articles", "stories", "members", "rejects")

#: The ``articles`` table: what the store keeps of an article, its analysis and its clustering features.
ARTICLE_COLUMNS = (
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


def story_tables(
    spark: SparkSession, stories: Stories, feats: DataFrame, config: StoryConfig
) -> tuple[DataFrame, DataFrame]:
    """The ``members`` and ``stories`` tables from the refined membership and every score taken."""
    from pyspark.sql import functions as F

    info = feats.select("n", "id", "title", "source", "seen", "day")
    m = _with_centrality(stories)
    m = m.join(info, "n").join(
        info.select(F.col("n").alias("group"), F.col("id").alias("copy_group")), "group"
    )
    m = cut(m)
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
        .join(_representatives(m, config), "story")
    )
    ids = _story_ids(spark, table)
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


def _with_centrality(stories: Stories) -> DataFrame:
    """``(n, story, group, cent_sum, cent_n)``: each member's scores against fellow members.

    A near-copy never scored takes its group's (online, a copy starts from its original's).
    """
    from pyspark.sql import functions as F

    m = stories.members
    story_of = m.select("n", "story")
    inside = (
        both_ways(stories.scores)
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
    return m.join(pooled, "group", "left").select(
        "n",
        "story",
        "group",
        F.when(F.col("own_n") > 0, F.col("own_sum"))
        .otherwise(F.coalesce("g_sum", F.lit(0.0)))
        .alias("cent_sum"),
        F.when(F.col("own_n") > 0, F.col("own_n")).otherwise(F.coalesce("g_n", F.lit(0))).alias("cent_n"),
    )


def _representatives(m: DataFrame, config: StoryConfig) -> DataFrame:
    """``(story, reps)``: the medoid, then the most central heads of other copy groups (as online)."""
    from pyspark.sql import functions as F

    mean = rules.centrality_col(F.col("cent_sum"), F.col("cent_n"))
    g = m.where(F.col("n") == F.col("group")).select("story", "group", "id", mean.alias("mean"))
    rank = rules.rep_rank_col("story", F.col("mean"), F.col("group"), first=F.col("group") == F.col("story"))
    return (
        g.withColumn("rank", rank)
        .where(rules.is_rep_col(F.col("rank"), config))
        .groupBy("story")
        .agg(F.array_sort(F.collect_list(F.struct("rank", "id"))).alias("r"))
        .select("story", F.col("r.id").alias("reps"))
    )


def _story_ids(spark: SparkSession, table: DataFrame) -> DataFrame:
    """``(story, id)``: ids 1, 2, … in order of first appearance, then medoid id (the same corpus, the same ids)."""
    numbered = (
        table.select("story", "first_seen", "medoid")
        .orderBy("first_seen", "medoid")
        .rdd.zipWithIndex()
        .map(lambda t: (t[0]["story"], t[1] + 1))
    )
    return spark.createDataFrame(numbered, "story long, id long")

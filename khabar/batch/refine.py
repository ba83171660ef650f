"""Step 6 of the batch job: stories from links, refined by the online join rule.

Connected components (:mod:`khabar.batch.components`) of near-copy links and pairs scored as the
same story are only a first cut: a chain of weak links would glue two stories. Each round therefore
judges every component as the online clusterer judges an article against a story: near-copy groups
act as one member (as online, a copy follows its original); the medoid is the group with the lowest
mean score against the others (components up to ``exact_medoid_size`` get every pair scored, so
theirs is exact); the representatives are the most central groups that pass the medoid; a group
stays when :func:`khabar.stories.rules.joins` says so. The groups that fail are clustered again
among themselves the next round. A last pass lets each group take, as online, the *best* story it
may join among those it is linked to (:func:`khabar.stories.rules.preference`), not merely the first
that kept it. Every decision is a rule of :mod:`khabar.stories.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from khabar.batch.components import connected_components
from khabar.batch.scoring import ScoreTable, both_ways
from khabar.batch.session import cut
from khabar.config import StoryConfig
from khabar.stories import rules

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@dataclass
class Stories:
    """The refined membership and every score taken on the way."""

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
) -> Stories:
    """Stories from near-copy links and scored pairs, refined by the online join rule (see the module doc).

    ``nodes`` has the articles' ``node``; ``copies`` and ``scored`` are pairs ``(a, b)`` and
    ``(a, b, score)``. A group that fails is clustered again among the others that failed, for at
    most ``max_rounds`` rounds; what is left then stands alone.
    """
    from pyspark.sql import functions as F

    groups = connected_components(
        copies.select(F.col("a").alias("src"), F.col("b").alias("dst")), nodes
    ).withColumnRenamed("component", "group")
    groups = cut(groups)
    table = ScoreTable(spark, payload, name, config, cut(scored))
    links = (
        copies.select("a", "b")
        .unionByName(table.scores.where(rules.passes_col(F.col("score"), config)).select("a", "b"))
        .distinct()
    )
    pending = nodes.select(F.col("node").alias("n"))
    settled: list[DataFrame] = []
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        members = _judge(_components(links, pending, groups), table, config)
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
    out = _choose(cut(out), table, config)
    return Stories(cut(out), table.scores, rounds, table.scored)


def _components(links: DataFrame, pending: DataFrame, groups: DataFrame) -> DataFrame:
    """``(n, component, group, size)``: the pending articles' components over the links among them."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    pend_links = links.join(pending.withColumnRenamed("n", "a"), "a", "left_semi").join(
        pending.withColumnRenamed("n", "b"), "b", "left_semi"
    )
    comp = connected_components(
        pend_links.select(F.col("a").alias("src"), F.col("b").alias("dst")),
        pending.withColumnRenamed("n", "node"),
    )
    comp = comp.withColumnRenamed("node", "n").join(groups.withColumnRenamed("node", "n"), "n")
    size = F.count(F.lit(1)).over(Window.partitionBy("component"))
    return cut(comp.withColumn("size", size))


def _judge(comp: DataFrame, table: ScoreTable, config: StoryConfig) -> DataFrame:
    """One round on the components: ``comp`` with each member's ``medoid`` and whether it ``stays``."""
    from pyspark.sql import functions as F

    # one representative article per copy group: its smallest n, which is the group label
    heads = comp.where(F.col("n") == F.col("group")).select("n", "component", "size")
    _score_small(heads, table, config)
    ranked = _ranked(comp, heads, table)
    reps = _representatives(heads, ranked, table, config)
    verdict = _verdicts(heads, reps, table, config)
    members = comp.join(
        verdict.select("component", F.col("g").alias("group"), "medoid", "stays"), ["component", "group"]
    )
    return cut(members)


def _score_small(heads: DataFrame, table: ScoreTable, config: StoryConfig) -> None:
    """Small components: score every pair of group heads not scored yet, so the medoid is exact."""
    from pyspark.sql import functions as F

    small = heads.where(rules.has_exact_medoid_col(F.col("size"), config))
    missing = (
        small.alias("x")
        .join(small.alias("y"), "component")
        .where(F.col("x.n") < F.col("y.n"))
        .select(F.col("x.n").alias("a"), F.col("y.n").alias("b"))
        .join(table.scores, ["a", "b"], "left_anti")
    )
    table.add(missing)


def _ranked(comp: DataFrame, heads: DataFrame, table: ScoreTable) -> DataFrame:
    """``(component, group, cent_sum, cent_n, rank)``: the copy groups by centrality; rank 1 is the medoid.

    A group's centrality is the mean score of its members' scored pairs inside the component.
    """
    from pyspark.sql import functions as F

    member_of = comp.select("n", "component", "group")
    inside = (
        both_ways(table.scores)
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
    mean = rules.centrality_col(F.col("cent_sum"), F.col("cent_n"))
    return cut(ranked.withColumn("rank", rules.rep_rank_col("component", mean, F.col("group"))))


def _representatives(
    heads: DataFrame, ranked: DataFrame, table: ScoreTable, config: StoryConfig
) -> DataFrame:
    """``(component, rep, rank)``: the medoid (rank 1), then the most central groups that pass it.

    Every group head is scored against the medoid first: the representatives are picked among the
    groups that pass it, so (as online, where a representative is always a member that joined) a
    majority of representatives can't be made of articles that belong to another story.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    medoid = ranked.where("rank = 1").select("component", F.col("group").alias("medoid"))
    vs_medoid = (
        heads.select("component", F.col("n").alias("g"))
        .join(medoid, "component")
        .where(F.col("g") != F.col("medoid"))
    )
    vs_medoid = table.on(vs_medoid, "medoid")
    passing = vs_medoid.where(rules.passes_col(F.col("score"), config)).select("component", "g")
    eligible = ranked.join(
        passing.withColumnRenamed("g", "group"), ["component", "group"], "left_semi"
    ).unionByName(ranked.where("rank = 1"))
    rep_order = Window.partitionBy("component").orderBy("rank")
    return (
        eligible.withColumn("rank", F.row_number().over(rep_order))
        .where(rules.is_rep_col(F.col("rank"), config))
        .select("component", F.col("group").alias("rep"), "rank")
    )


def _verdicts(heads: DataFrame, reps: DataFrame, table: ScoreTable, config: StoryConfig) -> DataFrame:
    """``(component, g, medoid, stays, …)``: every group head against the representatives, by the join rule."""
    from pyspark.sql import functions as F

    # every group head against the representatives (not itself); score what is missing
    checks = (
        heads.select("component", F.col("n").alias("g"))
        .join(reps, "component")
        .where(F.col("g") != F.col("rep"))
    )
    judged = table.on(checks, "rep")
    verdict = judged.groupBy("component", "g").agg(
        F.min(F.when(F.col("rank") == 1, F.col("score"))).alias("medoid_score"),
        F.count(F.lit(1)).alias("n_reps"),
        F.avg(rules.passes_col(F.col("score"), config).cast("double")).alias("share"),
    )
    ok = rules.joins_col(F.col("medoid_score"), F.col("n_reps"), F.col("share"), config)
    # the medoid's own group always stays (it has no medoid score: it is the medoid)
    verdict = (
        heads.select("component", F.col("n").alias("g"))
        .join(verdict, ["component", "g"], "left")
        .join(reps.where("rank = 1").select("component", F.col("rep").alias("medoid")), "component")
        .withColumn("stays", (F.col("g") == F.col("medoid")) | F.coalesce(ok, F.lit(False)))
    )
    return cut(verdict)


def _choose(members: DataFrame, table: ScoreTable, config: StoryConfig) -> DataFrame:
    """One last pass, as online an article joins the *best* story it may join (not the first that takes it).

    Every copy group is judged against the representatives of each story it has a passing scored
    pair with (its own included, at most ``top_k`` of them): by :func:`khabar.stories.rules.joins`,
    then :func:`khabar.stories.rules.preference`. A group moves to its preferred story when it
    differs from its own; a story's medoid stays (the story is its). The representatives are those
    of the stories before the pass, so the pass is one bounded step, order-free.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    comp = members.withColumnRenamed("story", "component")
    heads = comp.where(F.col("n") == F.col("group")).withColumn(
        "size", F.count(F.lit(1)).over(Window.partitionBy("component"))
    )
    reps = _ranked(comp, heads.select("n", "component", "size"), table).where(
        rules.is_rep_col(F.col("rank"), config)
    )
    reps = reps.select(F.col("component").alias("story"), F.col("group").alias("rep"), "rank")
    cands = _linked_stories(comp, heads, table, config)
    own = heads.select(F.col("n").alias("g"), F.col("component").alias("story"))
    cands = cands.unionByName(own).distinct()
    checks = cands.join(reps, "story").where(F.col("g") != F.col("rep"))
    judged = (
        table.on(checks, "rep")
        .groupBy("g", "story")
        .agg(
            F.min(F.when(F.col("rank") == 1, F.col("score"))).alias("medoid_score"),
            F.count(F.lit(1)).alias("n_reps"),
            F.avg(rules.passes_col(F.col("score"), config).cast("double")).alias("share"),
            F.avg("score").alias("mean"),
        )
    )
    # no medoid score (the group is its story's medoid): only the representatives' majority can pass
    ok = judged.where(
        rules.joins_col(
            F.coalesce("medoid_score", F.lit(float("inf"))), F.col("n_reps"), F.col("share"), config
        )
    )
    pref = Window.partitionBy("g").orderBy(
        *rules.preference_cols(F.col("mean"), F.col("medoid_score"), F.col("story"))
    )
    best = (
        ok.withColumn("k", F.row_number().over(pref)).where("k = 1").select("g", F.col("story").alias("best"))
    )
    # the medoid of a story of two groups or more holds it; a story of one group may move whole
    multi = heads.where(F.col("size") > 1).select(F.col("component").alias("story")).distinct()
    medoids = reps.where("rank = 1").join(multi, "story", "left_semi")
    medoids = medoids.select(F.col("rep").alias("g"), F.lit(True).alias("is_medoid"))
    moves = (
        own.join(best, "g")
        .join(medoids, "g", "left")
        .where(F.col("is_medoid").isNull() & (F.col("best") != F.col("story")))
        .select(F.col("g").alias("group"), "best")
    )
    return members.join(moves, "group", "left").select(
        "n", F.coalesce("best", "story").alias("story"), "group"
    )


def _linked_stories(comp: DataFrame, heads: DataFrame, table: ScoreTable, config: StoryConfig) -> DataFrame:
    """``(g, story)``: for each group head the ``top_k`` stories it has the best passing scored pairs with."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    story_of = comp.select(F.col("n").alias("partner"), F.col("component").alias("story"))
    linked = (
        both_ways(table.scores.where(rules.passes_col(F.col("score"), config)))
        .select(F.col("a").alias("g"), F.col("b").alias("partner"), "score")
        .join(heads.select(F.col("n").alias("g")), "g", "left_semi")
        .join(story_of, "partner")
        .groupBy("g", "story")
        .agg(F.min("score").alias("best"))
    )
    top = Window.partitionBy("g").orderBy("best", "story")
    return (
        linked.withColumn("k", F.row_number().over(top))
        .where(F.col("k") <= config.top_k)
        .select("g", "story")
    )

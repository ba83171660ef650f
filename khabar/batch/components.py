"""Connected components of a graph held as a Spark DataFrame of edges, without GraphFrames.

The algorithm is alternating *large-star* / *small-star* (Kiveris et al., "Connected Components in
MapReduce and Beyond", SoCC 2014): each round is a few DataFrame joins and aggregations, it converges
in O(log² n) rounds (a handful in practice), and no round holds more than the edge list in memory
anywhere: nothing is collected on the driver. Lineage is cut between rounds with a checkpoint, so the
query plan does not grow with the number of rounds.

Node ids must be integers (``long``): the batch job numbers articles first, because joins and shuffles
on 8-byte keys are several times cheaper than on 40-character hashes. Each node ends up labelled with
the smallest node id of its component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from khabar.batch.session import cut

if TYPE_CHECKING:  # pyspark is an optional dependency: imported lazily by the functions below
    from pyspark.sql import DataFrame


def connected_components(
    edges: DataFrame,
    nodes: DataFrame | None = None,
    *,
    src: str = "src",
    dst: str = "dst",
    node: str = "node",
    max_rounds: int = 64,
) -> DataFrame:
    """Label every node with its component: a DataFrame ``(node, component)``.

    ``edges`` has integer columns ``src`` and ``dst`` (undirected; self-loops and duplicates are
    fine). ``nodes``, when given, has an integer column ``node``; nodes without edges then come back
    as their own component (every edge end comes back either way). The component id is the
    smallest node id in the component.

    The lineage is cut after every round: a reliable checkpoint when the SparkContext has a
    checkpoint directory (set one on a cluster, so a lost executor does not recompute every round),
    a local one otherwise. Raises :class:`RuntimeError` when ``max_rounds`` pass without convergence.
    """
    from pyspark.sql import functions as F

    e = edges.select(F.col(src).cast("long").alias("u"), F.col(dst).cast("long").alias("v"))
    # Orient every edge from the larger id to the smaller one; self-loops carry no information.
    e = (
        e.where(F.col("u") != F.col("v"))
        .select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
        .distinct()
    )
    e = cut(e)

    for _ in range(max_rounds):
        e = cut(_small_star(_large_star(e)))
        if _converged(e):
            break
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")

    # Converged: every edge is (member, root) with root the smallest id of its component.
    labels = e.select(F.col("u").alias(node), F.col("v").alias("component"))
    roots = e.select(F.col("v").alias(node), F.col("v").alias("component"))
    out = labels.unionByName(roots).distinct()
    if nodes is not None:
        # nodes without an edge are their own component; edge ends missing from ``nodes`` still count
        alone = nodes.select(F.col(node).cast("long").alias(node)).distinct().join(out, node, "left_anti")
        out = out.unionByName(alone.select(node, F.col(node).alias("component")))
    return out


def _large_star(e: DataFrame) -> DataFrame:
    """Connect every *larger* neighbour of a node to the smallest id of that node's neighbourhood.

    Input and output: edges ``(u, v)`` with ``u > v``. One shuffle for the neighbourhood minimum
    (a window, not a group-by and a join back), one for the de-duplication.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    both = e.unionByName(e.select(F.col("v").alias("u"), F.col("u").alias("v")))
    # m(x) = min of x and its neighbours
    m = F.least(F.min("v").over(Window.partitionBy("u")), F.col("u"))
    out = (
        both.withColumn("m", m)
        .where(F.col("v") > F.col("u"))
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
    )
    return out.distinct()


def _small_star(e: DataFrame) -> DataFrame:
    """Connect a node and all its *smaller* neighbours to the smallest of them.

    Input and output: edges ``(u, v)`` with ``u > v``.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    m = F.min("v").over(Window.partitionBy("u"))
    # each smaller neighbour v of u is re-pointed at m(u); u itself too (through the edge to m(u))
    out = e.withColumn("m", m).select(
        F.when(F.col("v") == F.col("m"), F.col("u")).otherwise(F.col("v")).alias("u"), F.col("m").alias("v")
    )
    return out.where(F.col("u") != F.col("v")).distinct()


def _converged(e: DataFrame) -> bool:
    """True when the edges are disjoint stars around their smallest node: the components.

    That is: no node has two parents, and no parent has a parent of its own. One pass over the edges
    and an anti-join, both shuffles of the edge list (no collect).
    """
    from pyspark.sql import functions as F

    stats = e.agg(F.count(F.lit(1)).alias("n"), F.countDistinct("u").alias("members")).first()
    if stats["n"] != stats["members"]:
        return False
    parents = e.select(F.col("v").alias("u")).distinct()
    return parents.join(e.select("u"), "u", "left_semi").limit(1).count() == 0

